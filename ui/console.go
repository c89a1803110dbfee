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

// The staff console (社区工作台): one page at /staff for the community's
// staff at the desk or on a phone, a single-page app over the JSON API
// with hash routes (#/today, #/events, …). Like the kiosk page it is plain
// HTML, CSS and JavaScript under console/, embedded, with no build step
// and nothing from another origin. Its assets are served under
// content-hash URLs and cached for a year; the page itself is no-cache, so
// a new release is picked up on the next load.

//go:embed console
var consoleFS embed.FS

// ConsoleAssetPrefix is where the console's assets are served:
// /staff/assets/HASH/NAME.
const ConsoleAssetPrefix = "/staff/assets/"

// consoleCSP admits only the server's own origin; images may also be data:
// URLs (the kiosk pairing QR code comes as one).
const consoleCSP = "default-src 'self'; img-src 'self' data:; connect-src 'self'; style-src 'self'; " +
	"script-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Console serves the staff console. Make one with NewConsole.
type Console struct {
	assets map[string]*asset // by name
	page   []byte            // the rendered index.html
}

// NewConsole reads the embedded files, hashes them and renders the page.
func NewConsole() (*Console, error) {
	c := &Console{assets: map[string]*asset{}}
	var names []string
	err := fs.WalkDir(consoleFS, "console", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "console/index.html" {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read console assets: %w", err)
	}
	sort.Strings(names)
	all := sha256.New()
	for _, p := range names {
		body, err := consoleFS.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		sum := sha256.Sum256(body)
		name := strings.TrimPrefix(p, "console/")
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		c.assets[name] = &asset{name: name, hash: hex.EncodeToString(sum[:])[:hashLen], ctype: ctype, body: body}
		fmt.Fprintf(all, "%s %x\n", name, sum)
	}
	version := "console-" + hex.EncodeToString(all.Sum(nil))[:hashLen]
	tmpl, err := template.New("").Funcs(template.FuncMap{"asset": c.AssetURL}).ParseFS(consoleFS, "console/index.html")
	if err != nil {
		return nil, fmt.Errorf("parse console page: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "index.html", map[string]string{"Version": version}); err != nil {
		return nil, fmt.Errorf("render console page: %w", err)
	}
	c.page = b.Bytes()
	return c, nil
}

// MountConsole registers the staff console on mux: GET /staff and the
// console's assets. The door check-in page (/staff/checkin) is
// MountCheckin's. It panics if the embedded files are broken, which
// a test catches before any release.
func MountConsole(mux *http.ServeMux) {
	c, err := NewConsole()
	if err != nil {
		panic(err)
	}
	c.Mount(mux)
}

// Mount registers the console's routes on mux.
func (c *Console) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /staff", c.servePage)
	mux.HandleFunc("GET /staff/{$}", c.servePage)
	mux.HandleFunc("GET "+ConsoleAssetPrefix+"{hash}/{name...}", c.serveAsset)
}

// AssetURL returns the content-hash URL of the console asset at name (a
// path under console/); it panics on an unknown name so that a typo in
// the page fails at start.
func (c *Console) AssetURL(name string) string {
	a, ok := c.assets[name]
	if !ok {
		panic(fmt.Sprintf("ui: no console asset %q", name))
	}
	return ConsoleAssetPrefix + a.hash + "/" + a.name
}

// servePage writes the console page, fetched anew on every load.
func (c *Console) servePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", consoleCSP)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(c.page)
}

// serveAsset serves an asset under its current hash; an old hash is a 404.
func (c *Console) serveAsset(w http.ResponseWriter, r *http.Request) { serveHashed(w, r, c.assets) }
