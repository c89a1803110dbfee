package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/skip2/go-qrcode"

	"github.com/chorus-community/chorus"
)

// qrModulePixels is the size of one QR module in the PNG: 8 px modules give
// a ~330 px image for a check-in URL, printed 1:1 by a 203 dpi receipt
// printer as ~41 mm — crisp on 58 mm paper, and no scaling blur.
const qrModulePixels = 8

// qrCacheSize bounds the cache of rendered codes (a few KB each): one
// event's worth of bookings many times over.
const qrCacheSize = 4096

// qrCache keeps rendered QR images; a token's image never changes.
type qrCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *qrCache) get(key string, render func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	b, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := render()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= qrCacheSize {
		c.m = map[string][]byte{} // start over rather than track recency
	}
	c.m[key] = b
	c.mu.Unlock()
	return b, nil
}

// CheckinURL is the address a booking's QR code carries.
func (s *Server) CheckinURL(r *http.Request, token string) string {
	base := strings.TrimSuffix(s.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/c/" + token
}

// QRPNG renders content as a PNG QR code with medium error correction.
func QRPNG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return q.PNG(-qrModulePixels)
}

// QRSVG renders content as an SVG QR code, one path, quiet zone included.
func QRSVG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	bm := q.Bitmap()
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, len(bm), len(bm))
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`)
	for y, row := range bm {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes(), nil
}

// getQR serves /qr/<token>.png and /qr/<token>.svg: the QR code of a
// booking's check-in URL. Tokens are checked before anything is drawn.
func (s *Server) getQR(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	token, ext, ok := strings.Cut(file, ".")
	if !ok || (ext != "png" && ext != "svg") {
		return chorus.Errorf(chorus.ENOTFOUND, "没有这个二维码。")
	}
	if err := s.Store.ParseToken(r.Context(), token); err != nil {
		return chorus.Errorf(chorus.ENOTFOUND, "没有这个二维码。")
	}
	url := s.CheckinURL(r, token)
	render, ctype := QRPNG, "image/png"
	if ext == "svg" {
		render, ctype = QRSVG, "image/svg+xml"
	}
	b, err := s.qr.get(ext+" "+url, func() ([]byte, error) { return render(url) })
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(b)
	return nil
}
