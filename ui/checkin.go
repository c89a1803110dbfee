package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// The staff check-in page at /staff/checkin: plain HTML, CSS and
// JavaScript in checkin/, with the vendored jsQR decoder, embedded in the
// binary. Its assets are served under content-hash URLs below
// checkinAssetPrefix.

//go:embed checkin
var checkinFS embed.FS

// checkinAssetPrefix is where the page's assets are served:
// /staff/checkin/a/HASH/NAME.
const checkinAssetPrefix = "/staff/checkin/a/"

// checkinCSP admits only the server's own origin: no CDN, nothing fetched
// from elsewhere. The camera's MediaStream needs no source; its frames are
// drawn on a canvas that never leaves the page.
const checkinCSP = "default-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"style-src 'self'; script-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// checkinPage is the rendered page and its assets.
type checkinPage struct {
	html   []byte
	assets map[string]*asset // by path under checkin/
}

// newCheckinPage hashes the embedded assets and renders the page.
func newCheckinPage() (*checkinPage, error) {
	c := &checkinPage{assets: map[string]*asset{}}
	err := fs.WalkDir(checkinFS, "checkin", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "checkin/index.html" {
			return err
		}
		body, err := checkinFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := strings.TrimPrefix(p, "checkin/")
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "text/plain; charset=utf-8" // LICENSE
		}
		c.assets[name] = &asset{name: name, hash: hex.EncodeToString(sum[:])[:hashLen], ctype: ctype, body: body}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read check-in page assets: %w", err)
	}
	tmpl, err := template.New("").Funcs(template.FuncMap{"asset": c.assetURL}).ParseFS(checkinFS, "checkin/index.html")
	if err != nil {
		return nil, fmt.Errorf("parse check-in page: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "index.html", nil); err != nil {
		return nil, fmt.Errorf("render check-in page: %w", err)
	}
	c.html = b.Bytes()
	return c, nil
}

// assetURL returns the content-hash URL of an asset; an unknown name is an
// error, so that a typo in the page fails at start.
func (c *checkinPage) assetURL(name string) (string, error) {
	a, ok := c.assets[name]
	if !ok {
		return "", fmt.Errorf("no check-in asset %q", name)
	}
	return checkinAssetPrefix + a.hash + "/" + a.name, nil
}

// MountCheckin registers the staff check-in page, GET /staff/checkin, and
// its assets on mux. It panics if the embedded files are broken, which a
// test catches before any release.
func MountCheckin(mux *http.ServeMux) {
	c, err := newCheckinPage()
	if err != nil {
		panic(err)
	}
	mux.HandleFunc("GET /staff/checkin", c.servePage)
	mux.HandleFunc("GET "+checkinAssetPrefix+"{hash}/{name...}", c.serveAsset)
}

// servePage writes the page, always fetched anew so that it picks up new
// asset URLs; the API calls it makes carry the staff session.
func (c *checkinPage) servePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", checkinCSP)
	h.Set("Referrer-Policy", "no-referrer") // check-in tokens ride in the URL
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Permissions-Policy", "camera=(self)")
	w.Write(c.html)
}

// serveAsset serves an asset under its current hash for a year; an old
// hash is a 404.
func (c *checkinPage) serveAsset(w http.ResponseWriter, r *http.Request) { serveHashed(w, r, c.assets) }
