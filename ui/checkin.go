package ui

import (
	"embed"
	"net/http"

	"github.com/chorus-community/chorus/server"
)

// The staff check-in page at /staff/checkin: plain HTML, CSS and
// JavaScript in checkin/, embedded in the binary, with the pages' shared
// JavaScript core (static/js/lib/, served here as lib/) and the jsQR
// decoder the kiosk page vendors (static/vendor/, served here as vendor/).
// Its assets are served under content-hash URLs below checkinAssetPrefix.

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
	assets *assetSet
}

// newCheckinPage hashes the embedded assets and renders the page.
func newCheckinPage() (*checkinPage, error) {
	assets, err := loadAssets(checkinAssetPrefix,
		assetDir{fsys: checkinFS, dir: "checkin", skip: []string{"checkin/index.html"}},
		sharedCore,
		assetDir{fsys: staticFS, dir: "static/vendor", as: "vendor/"})
	if err != nil {
		return nil, err
	}
	pages, err := renderPages(checkinFS, "checkin/index.html", assets, "checkin-"+assets.version, "index.html")
	if err != nil {
		return nil, err
	}
	return &checkinPage{html: pages["index.html"], assets: assets}, nil
}

// CheckinRoutes are the staff check-in page's routes, GET /staff/checkin
// and its assets. It panics if the embedded files are broken, which a
// test catches before any release.
func CheckinRoutes() []server.Route {
	c, err := newCheckinPage()
	if err != nil {
		panic(err)
	}
	return []server.Route{server.PageRoute("GET /staff/checkin", c.servePage), c.assets.route()}
}

// servePage writes the page, always fetched anew so that it picks up new
// asset URLs; the API calls it makes carry the staff session. Check-in
// tokens ride in its URL: no referrer.
func (c *checkinPage) servePage(w http.ResponseWriter, r *http.Request) {
	writePage(w, c.html, checkinCSP, "Permissions-Policy", "camera=(self)")
}
