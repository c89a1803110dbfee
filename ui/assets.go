package ui

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/chorus-community/chorus/server"
)

// assetMaxAge is how long browsers keep an asset, in seconds: a year, as
// its URL changes whenever its content does.
const assetMaxAge = 365 * 24 * 60 * 60

// hashLen is how many hex digits of an asset's SHA-256 go in its URL:
// enough that two versions of one file never collide.
const hashLen = 12

// asset is one embedded file with its content hash.
type asset struct {
	name  string // path in its set, e.g. "js/app.js"
	hash  string
	ctype string
	body  []byte
}

// assetSet is the assets of one page (the kiosk's, the console's, the
// check-in page's), served under prefix + HASH/NAME.
type assetSet struct {
	prefix  string
	byName  map[string]*asset
	version string // a hash of every asset: changes with any of them
}

// assetDir is a directory of embedded files that go into a set: every file
// under dir of fsys but those named in skip, named by their path below dir
// with as put in front ("vendor/" + "jsQR.js").
type assetDir struct {
	fsys fs.FS
	dir  string
	as   string
	skip []string
}

// loadAssets reads and hashes the files of dirs into a set served under
// prefix.
func loadAssets(prefix string, dirs ...assetDir) (*assetSet, error) {
	s := &assetSet{prefix: prefix, byName: map[string]*asset{}}
	all := sha256.New()
	for _, d := range dirs {
		var paths []string
		err := fs.WalkDir(d.fsys, d.dir, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			for _, sk := range d.skip {
				if p == sk {
					return nil
				}
			}
			paths = append(paths, p)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read embedded %s: %w", d.dir, err)
		}
		sort.Strings(paths)
		for _, p := range paths {
			body, err := fs.ReadFile(d.fsys, p)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", p, err)
			}
			name := d.as + strings.TrimPrefix(p, d.dir+"/")
			if _, dup := s.byName[name]; dup {
				return nil, fmt.Errorf("asset %s twice", name)
			}
			sum := sha256.Sum256(body)
			s.byName[name] = &asset{name: name, hash: hex.EncodeToString(sum[:])[:hashLen], ctype: contentType(name), body: body}
			fmt.Fprintf(all, "%s %x\n", name, sum)
		}
	}
	s.version = hex.EncodeToString(all.Sum(nil))[:hashLen]
	return s, nil
}

// contentType returns the Content-Type of an asset by its extension; a
// file without one (LICENSE) is plain text.
func contentType(name string) string {
	ext := path.Ext(name)
	if ext == "" {
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// url returns the content-hash URL of the asset at name; an unknown name is
// an error, so that a typo in a page fails at start.
func (s *assetSet) url(name string) (string, error) {
	a, ok := s.byName[name]
	if !ok {
		return "", fmt.Errorf("no asset %q", name)
	}
	return s.prefix + a.hash + "/" + a.name, nil
}

// route is GET prefix{hash}/{name...}, serving the set.
func (s *assetSet) route() server.Route {
	return server.PageRoute("GET "+s.prefix+"{hash}/{name...}", s.serve)
}

// serve serves the asset named in the path whose URL carries its current
// hash, cached for a year; an old hash is a 404, never the new content
// under an old URL.
func (s *assetSet) serve(w http.ResponseWriter, r *http.Request) {
	a, ok := s.byName[r.PathValue("name")]
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

// renderPages parses the templates matching pattern in fsys, with
// {{asset "name"}} giving an asset's URL, and renders each named page with
// {{.Version}} set.
func renderPages(fsys fs.FS, pattern string, assets *assetSet, version string, names ...string) (map[string][]byte, error) {
	tmpl, err := template.New("").Funcs(template.FuncMap{"asset": assets.url}).ParseFS(fsys, pattern)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", pattern, err)
	}
	out := make(map[string][]byte, len(names))
	for _, n := range names {
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, n, map[string]string{"Version": version}); err != nil {
			return nil, fmt.Errorf("render %s: %w", n, err)
		}
		out[n] = b.Bytes()
	}
	return out, nil
}

// writePage writes an HTML page that is always fetched anew, so that it
// picks up new asset URLs on its next load, under csp and with the other
// headers given.
func writePage(w http.ResponseWriter, body []byte, csp string, extra ...string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", csp)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	w.Write(body)
}
