// Package ui serves Chorus's embedded pages: the kiosk page at /kiosk, a
// small landing page at /, and their assets under content-hash URLs that
// browsers may cache for a year. The pages are plain HTML, CSS and
// JavaScript in static/, embedded in the binary: no build step, no CDN, no
// web fonts.
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
	"sort"
	"strings"
)

//go:embed static
var staticFS embed.FS

//go:embed templates
var templateFS embed.FS

// AssetPrefix is where assets are served: /static/HASH/NAME.
const AssetPrefix = "/static/"

// assetMaxAge is how long browsers keep an asset, in seconds: a year, as
// its URL changes whenever its content does.
const assetMaxAge = 365 * 24 * 60 * 60

// hashLen is how many hex digits of an asset's SHA-256 go in its URL:
// enough that two versions of one file never collide.
const hashLen = 12

// contentSecurityPolicy admits nothing but the kiosk server's own origin
// (the websocket included), so that a page can never reach a CDN, a font
// service or an analytics host (kiosk-ux.md point 20).
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"style-src 'self'; script-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// asset is one embedded file with its content hash.
type asset struct {
	name  string // path under static/, e.g. "js/app.js"
	hash  string
	ctype string
	body  []byte
}

// UI serves the embedded pages. Make one with New.
type UI struct {
	assets  map[string]*asset // by name
	version string            // hash of every asset, the page's app_version
	kiosk   []byte            // the rendered kiosk page
	landing []byte
}

// New reads the embedded files, hashes them and renders the pages.
func New() (*UI, error) {
	u := &UI{assets: map[string]*asset{}}
	all := sha256.New()
	var names []string
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read embedded assets: %w", err)
	}
	sort.Strings(names)
	for _, p := range names {
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		sum := sha256.Sum256(body)
		name := strings.TrimPrefix(p, "static/")
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		u.assets[name] = &asset{name: name, hash: hex.EncodeToString(sum[:])[:hashLen], ctype: ctype, body: body}
		fmt.Fprintf(all, "%s %x\n", name, sum)
	}
	u.version = "ui-" + hex.EncodeToString(all.Sum(nil))[:hashLen]

	tmpl, err := template.New("").Funcs(template.FuncMap{"asset": u.AssetURL}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse page templates: %w", err)
	}
	if u.kiosk, err = render(tmpl, "kiosk.html", u.version); err != nil {
		return nil, err
	}
	if u.landing, err = render(tmpl, "landing.html", u.version); err != nil {
		return nil, err
	}
	return u, nil
}

func render(t *template.Template, name, version string) ([]byte, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, map[string]string{"Version": version}); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// Mount registers the pages and assets on mux. It panics if the embedded
// files are broken, which a test catches before any release.
func Mount(mux *http.ServeMux) {
	u, err := New()
	if err != nil {
		panic(err)
	}
	u.Mount(mux)
}

// Mount registers GET /, GET /kiosk and the assets on mux.
func (u *UI) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", u.serveLanding)
	mux.HandleFunc("GET /kiosk", u.serveKiosk)
	mux.HandleFunc("GET "+AssetPrefix+"{hash}/{name...}", u.serveAsset)
}

// Version identifies this build of the pages; the kiosk page reports it as
// its app_version.
func (u *UI) Version() string { return u.version }

// AssetURL returns the content-hash URL of the asset at name (a path under
// static/); it panics on an unknown name so that a typo in a template fails
// at start.
func (u *UI) AssetURL(name string) string {
	a, ok := u.assets[name]
	if !ok {
		panic(fmt.Sprintf("ui: no asset %q", name))
	}
	return AssetPrefix + a.hash + "/" + a.name
}

func (u *UI) serveKiosk(w http.ResponseWriter, r *http.Request) {
	page(w, u.kiosk)
}

func (u *UI) serveLanding(w http.ResponseWriter, r *http.Request) {
	page(w, u.landing)
}

// page writes an HTML page that is always fetched anew, so that a kiosk
// picks up new asset URLs on its next load.
func page(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(body)
}

// serveAsset serves a kiosk asset; see serveHashed.
func (u *UI) serveAsset(w http.ResponseWriter, r *http.Request) { serveHashed(w, r, u.assets) }

// serveHashed serves the asset named in the path whose URL carries its
// current hash, cached for a year; an old hash is a 404, never the new
// content under an old URL. The kiosk, the console and the check-in page
// all serve their assets with it.
func serveHashed(w http.ResponseWriter, r *http.Request, assets map[string]*asset) {
	a, ok := assets[r.PathValue("name")]
	if !ok || a.hash != r.PathValue("hash") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d, immutable", assetMaxAge))
	h.Set("ETag", `"`+a.hash+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Header.Get("If-None-Match") == `"`+a.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(a.body)
}
