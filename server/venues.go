package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/chorus-community/chorus"
)

// VenueStore keeps partners' venues (资源共享): their hours and closures,
// and the community's requests to use them.
type VenueStore interface {
	// Venues returns the scope's community's partner venues.
	Venues(ctx context.Context) ([]chorus.Venue, error)
	// Venue returns the venue at a place. Errors: ENOTFOUND.
	Venue(ctx context.Context, placeID int64) (*chorus.Venue, error)
	// SaveVenue makes a place a partner's venue or changes it. Errors:
	// EINVALID, ENOTFOUND.
	SaveVenue(ctx context.Context, v *chorus.Venue) error
	// AddClosure closes a venue for some days and returns the requests
	// it hits. Errors: EINVALID, ENOTFOUND.
	AddClosure(ctx context.Context, c *chorus.Closure) ([]chorus.VenueRequest, error)
	// DeleteClosure reopens a venue. Errors: ENOTFOUND.
	DeleteClosure(ctx context.Context, id int64) error
	// VenueRequests returns the community's requests, newest first.
	VenueRequests(ctx context.Context, status chorus.VenueRequestStatus, limit int) ([]chorus.VenueRequest, error)
	// AnswerVenueRequest records a partner's answer given by telephone.
	// Errors: ENOTFOUND, ECONFLICT, EINVALID.
	AnswerVenueRequest(ctx context.Context, id int64, intent chorus.Intent, reason string, actor chorus.Actor) (*chorus.VenueRequest, error)
}

// venuesAnswer is GET /api/admin/venues.
type venuesAnswer struct {
	Venues []chorus.Venue `json:"venues"`
}

func (s *Server) listVenues(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Venues.Venues(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []chorus.Venue{}
	}
	WriteJSON(w, http.StatusOK, venuesAnswer{Venues: list})
	return nil
}

// saveVenue is PUT /api/admin/venues/{id}: place id becomes (or stays) a
// partner's venue with the settings sent.
func (s *Server) saveVenue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var v chorus.Venue
	if err := decode(w, r, &v); err != nil {
		return err
	}
	v.PlaceID = id
	if err := s.Venues.SaveVenue(r.Context(), &v); err != nil {
		return err
	}
	got, err := s.Venues.Venue(r.Context(), id)
	if err != nil {
		return err
	}
	got.CalledOff, got.CalledOffSessions = v.CalledOff, v.CalledOffSessions
	WriteJSON(w, http.StatusOK, got)
	return nil
}

// closureAnswer is POST /api/admin/venues/{id}/closures: the closure and
// the requests it hits, for staff to move or cancel.
type closureAnswer struct {
	Closure chorus.Closure        `json:"closure"`
	Hits    []chorus.VenueRequest `json:"hits"`
}

func (s *Server) addClosure(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var c chorus.Closure
	if err := decode(w, r, &c); err != nil {
		return err
	}
	c.PlaceID = id
	hits, err := s.Venues.AddClosure(r.Context(), &c)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, closureAnswer{Closure: c, Hits: s.venueRequestViews(hits)})
	return nil
}

func (s *Server) deleteClosure(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Venues.DeleteClosure(r.Context(), id); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]int64{"deleted": id})
	return nil
}

// venueRequestsAnswer is GET /api/admin/venue-requests.
type venueRequestsAnswer struct {
	Requests []chorus.VenueRequest `json:"requests"`
}

func (s *Server) listVenueRequests(w http.ResponseWriter, r *http.Request) error {
	status := chorus.VenueRequestStatus(r.URL.Query().Get("status"))
	if status != "" && status.Label() == "" {
		return chorus.Errorf(chorus.EINVALID, "申请状态不正确。")
	}
	limit := 200
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 && n < limit {
		limit = n
	}
	list, err := s.Venues.VenueRequests(r.Context(), status, limit)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, venueRequestsAnswer{Requests: s.venueRequestViews(list)})
	return nil
}

// venueRequestViews shows requests with their times in the community's
// zone, as every time the API sends.
func (s *Server) venueRequestViews(list []chorus.VenueRequest) []chorus.VenueRequest {
	out := make([]chorus.VenueRequest, len(list))
	in := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.In(s.Location)
	}
	for i, r := range list {
		r.Start, r.End, r.Deadline, r.DecidedAt, r.CreatedAt = in(r.Start), in(r.End), in(r.Deadline), in(r.DecidedAt), in(r.CreatedAt)
		out[i] = r
	}
	return out
}

// venueAnswers are the answers staff may record, as the API names them.
var venueAnswers = map[string]chorus.Intent{"agree": chorus.IntentVenueAgree, "refuse": chorus.IntentVenueRefuse,
	"withdraw": chorus.IntentVenueWithdraw}

// answerVenueRequest is POST /api/admin/venue-requests/{id}/answer: a
// partner's answer given by telephone, body {"answer": "agree"|"refuse"|
// "withdraw", "reason": "…"}.
func (s *Server) answerVenueRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Answer string `json:"answer"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	intent, ok := venueAnswers[body.Answer]
	if !ok {
		return chorus.Errorf(chorus.EINVALID, "请选择单位的答复:同意、不同意或撤回。")
	}
	got, err := s.Venues.AnswerVenueRequest(r.Context(), id, intent, body.Reason, actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s.venueRequestViews([]chorus.VenueRequest{*got})[0])
	return nil
}
