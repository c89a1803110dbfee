// Package ui serves Chorus's embedded pages: the kiosk page at /kiosk, a
// small landing page at /, the staff console at /staff and the door
// check-in page at /staff/checkin, with their assets under content-hash
// URLs that browsers may cache for a year. The pages are plain HTML, CSS
// and JavaScript, embedded in the binary: no build step, no CDN, no web
// fonts.
package ui

import (
	"embed"
	"fmt"
	"net/http"

	"github.com/chorus-community/chorus/server"
)

//go:embed static
var staticFS embed.FS

//go:embed templates
var templateFS embed.FS

// sharedCore is the JavaScript the kiosk page, the console and the door
// check-in page share (static/js/lib/: the API client and its error type,
// times in the community's zone, the QR scanner), one copy in the source
// tree: the kiosk serves it as js/lib/, the other two pages as lib/.
var sharedCore = assetDir{fsys: staticFS, dir: "static/js/lib", as: "lib/"}

// AssetPrefix is where the kiosk's assets are served: /static/HASH/NAME.
const AssetPrefix = "/static/"

// contentSecurityPolicy admits nothing but the kiosk server's own origin
// (the websocket included), so that a page can never reach a CDN, a font
// service or an analytics host (kiosk-ux.md point 20).
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; " +
	"style-src 'self'; script-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// UI serves the kiosk page and the landing page. Make one with New.
type UI struct {
	assets  *assetSet
	version string // the page's app_version
	kiosk   []byte // the rendered kiosk page
	landing []byte
}

// New reads the embedded files, hashes them and renders the pages.
func New() (*UI, error) {
	assets, err := loadAssets(AssetPrefix, assetDir{fsys: staticFS, dir: "static"})
	if err != nil {
		return nil, err
	}
	u := &UI{assets: assets, version: "ui-" + assets.version}
	pages, err := renderPages(templateFS, "templates/*.html", assets, u.version, "kiosk.html", "landing.html")
	if err != nil {
		return nil, err
	}
	u.kiosk, u.landing = pages["kiosk.html"], pages["landing.html"]
	return u, nil
}

// Routes are every page's routes, for the server's one route table
// (server.Server.Pages): the kiosk page and the landing page, the staff
// console and the door check-in page, with their assets. It panics if the
// embedded files are broken, which a test catches before any release.
func Routes() []server.Route {
	return append(append(KioskRoutes(), ConsoleRoutes()...), CheckinRoutes()...)
}

// KioskRoutes are the kiosk page's and the landing page's routes; see
// Routes.
func KioskRoutes() []server.Route {
	u, err := New()
	if err != nil {
		panic(err)
	}
	return u.Routes()
}

// Routes are GET /, GET /kiosk, the favicon and the assets.
func (u *UI) Routes() []server.Route {
	return []server.Route{
		server.PageRoute("GET /{$}", func(w http.ResponseWriter, r *http.Request) { writePage(w, u.landing, contentSecurityPolicy) }),
		server.PageRoute("GET /kiosk", func(w http.ResponseWriter, r *http.Request) { writePage(w, u.kiosk, contentSecurityPolicy) }),
		// Browsers ask for /favicon.ico on pages without an icon link (the
		// console, a JSON answer opened by hand): the same icon, no 404.
		server.PageRoute("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, u.AssetURL("favicon.svg"), http.StatusMovedPermanently)
		}),
		u.assets.route(),
	}
}

// Version identifies this build of the pages; the kiosk page reports it as
// its app_version.
func (u *UI) Version() string { return u.version }

// AssetURL returns the content-hash URL of the asset at name (a path under
// static/); it panics on an unknown name.
func (u *UI) AssetURL(name string) string {
	url, err := u.assets.url(name)
	if err != nil {
		panic(fmt.Sprintf("ui: %v", err))
	}
	return url
}
