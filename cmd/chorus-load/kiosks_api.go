package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"time"
)

// kioskAPI is the few calls of the Chorus API the kiosks subcommand
// makes: a staff session to register kiosks and book, the kiosks' pairing
// and tickets.
type kioskAPI struct {
	base string
	http *http.Client
	csrf string
}

func newKioskAPI(base string) *kioskAPI {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &kioskAPI{base: strings.TrimSuffix(base, "/"), http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// call sends a JSON request (body nil: none) with the staff session's
// CSRF token, or with token as a kiosk's bearer token, and decodes the
// answer into out unless it is nil; a status other than want is an error.
func (a *kioskAPI) call(method, path, token string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	} else if a.csrf != "" {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	res, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %.300s", method, path, res.Status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}

// login opens a staff session.
func (a *kioskAPI) login(user, password string) error {
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := a.call("POST", "/api/login", "", map[string]string{"username": user, "password": password}, &out, http.StatusOK); err != nil {
		return err
	}
	a.csrf = out.CSRF
	return nil
}

// place returns the id of the place called name, or of the first place.
func (a *kioskAPI) place(name string) (int64, error) {
	var out struct {
		Places []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"places"`
	}
	if err := a.call("GET", "/api/places", "", nil, &out, http.StatusOK); err != nil {
		return 0, err
	}
	for _, p := range out.Places {
		if name == "" || p.Name == name {
			return p.ID, nil
		}
	}
	return 0, fmt.Errorf("no place %q (start the server with -demo)", name)
}

// pairKiosk registers a kiosk at place and pairs it, returning its token.
func (a *kioskAPI) pairKiosk(name string, place int64) (string, error) {
	var reg struct {
		Code string `json:"pairing_code"`
	}
	if err := a.call("POST", "/api/admin/kiosks", "", map[string]any{"name": name, "place_id": place}, &reg, http.StatusCreated); err != nil {
		return "", err
	}
	var paired struct {
		Token string `json:"token"`
	}
	if err := a.call("POST", "/api/kiosk/pair", "", map[string]string{"code": reg.Code}, &paired, http.StatusOK); err != nil {
		return "", fmt.Errorf("%w (start the server with a high -pair-per-minute)", err)
	}
	return paired.Token, nil
}

// newEvent creates an open clinic at place on day with one slot of
// capacity seats and returns its ids and seats left.
func (a *kioskAPI) newEvent(place int64, day time.Time, capacity int) (event, slot int64, seats int, err error) {
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, day.Location())
	body := map[string]any{"kind": "clinic", "title": "压测义诊", "place_id": place, "cutoff_minutes": 0,
		"slots": []map[string]any{{"start": start, "end": start.Add(2 * time.Hour), "capacity": capacity}}}
	var out struct {
		ID    int64 `json:"id"`
		Slots []struct {
			ID        int64 `json:"id"`
			SeatsLeft int   `json:"seats_left"`
		} `json:"slots"`
	}
	if err := a.call("POST", "/api/admin/events", "", body, &out, http.StatusCreated); err != nil {
		return 0, 0, 0, err
	}
	if len(out.Slots) != 1 {
		return 0, 0, 0, fmt.Errorf("new event has %d slots", len(out.Slots))
	}
	return out.ID, out.Slots[0].ID, out.Slots[0].SeatsLeft, nil
}

// ticket fetches a websocket ticket with a kiosk's token.
func (a *kioskAPI) ticket(token string) (string, error) {
	var out struct {
		Ticket string `json:"ticket"`
	}
	if err := a.call("POST", "/api/kiosk/ticket", token, nil, &out, http.StatusOK); err != nil {
		return "", err
	}
	return out.Ticket, nil
}

// book books a seat of the slot for phone through the staff session.
func (a *kioskAPI) book(event, slot int64, phone string) error {
	return a.call("POST", "/api/admin/bookings", "", map[string]any{"event_id": event, "slot_id": slot,
		"phone": phone, "name": "压测"}, nil, http.StatusCreated)
}

// goMetrics reads the Go runtime's figures from a Prometheus /metrics URL.
func (a *kioskAPI) goMetrics(url string) (string, error) {
	res, err := a.http.Get(url)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	want := []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes"}
	var out []string
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if ok && slices.Contains(want, name) {
			var v float64
			fmt.Sscan(val, &v)
			if strings.HasSuffix(name, "_bytes") {
				out = append(out, fmt.Sprintf("%s %.1f MB", strings.TrimPrefix(name, "go_memstats_"), v/1e6))
			} else {
				out = append(out, fmt.Sprintf("%s %.0f", strings.TrimPrefix(name, "go_"), v))
			}
		}
	}
	return strings.Join(out, ", "), sc.Err()
}

// fanoutQuantiles formats the p50, p99 and max of ds in milliseconds.
func fanoutQuantiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "no samples"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) float64 {
		i := int(q*float64(len(s))+0.5) - 1
		return float64(s[min(max(i, 0), len(s)-1)].Microseconds()) / 1000
	}
	return fmt.Sprintf("p50 %.1f ms, p99 %.1f ms, max %.1f ms", at(0.50), at(0.99), float64(s[len(s)-1].Microseconds())/1000)
}
