package ui

import (
	"embed"
	"fmt"
	"net/http"

	"github.com/chorus-community/chorus/server"
)

// The staff console (社区工作台): one page at /staff for the community's
// staff at the desk or on a phone, a single-page app over the JSON API
// with hash routes (#/today, #/events, …). Like the kiosk page it is plain
// HTML, CSS and JavaScript under console/, embedded, with no build step
// and nothing from another origin; the JavaScript core the three pages
// share (static/js/lib/) is served with it as lib/. Its assets are served
// under content-hash URLs and cached for a year; the page itself is
// no-cache, so a new release is picked up on the next load.

//go:embed console
var consoleFS embed.FS

// ConsoleAssetPrefix is where the console's assets are served:
// /staff/assets/HASH/NAME.
const ConsoleAssetPrefix = "/staff/assets/"

// consoleCSP admits only the server's own origin (its live websocket
// included); images may also be data: URLs (the kiosk pairing QR code
// comes as one).
const consoleCSP = "default-src 'self'; img-src 'self' data:; connect-src 'self'; style-src 'self'; " +
	"script-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Console serves the staff console. Make one with NewConsole.
type Console struct {
	assets *assetSet
	page   []byte // the rendered index.html
}

// NewConsole reads the embedded files, hashes them and renders the page.
func NewConsole() (*Console, error) {
	assets, err := loadAssets(ConsoleAssetPrefix, assetDir{fsys: consoleFS, dir: "console", skip: []string{"console/index.html"}}, sharedCore)
	if err != nil {
		return nil, err
	}
	pages, err := renderPages(consoleFS, "console/index.html", assets, "console-"+assets.version, "index.html")
	if err != nil {
		return nil, err
	}
	return &Console{assets: assets, page: pages["index.html"]}, nil
}

// ConsoleRoutes are the staff console's routes: GET /staff and the
// console's assets (the door check-in page is CheckinRoutes'). It panics
// if the embedded files are broken, which a test catches before any
// release.
func ConsoleRoutes() []server.Route {
	c, err := NewConsole()
	if err != nil {
		panic(err)
	}
	return c.Routes()
}

// Routes are the console's routes.
func (c *Console) Routes() []server.Route {
	return []server.Route{
		server.PageRoute("GET /staff", c.servePage),
		server.PageRoute("GET /staff/{$}", c.servePage),
		c.assets.route(),
	}
}

// AssetURL returns the content-hash URL of the console asset at name (a
// path under console/); it panics on an unknown name.
func (c *Console) AssetURL(name string) string {
	url, err := c.assets.url(name)
	if err != nil {
		panic(fmt.Sprintf("ui: %v", err))
	}
	return url
}

// servePage writes the console page, fetched anew on every load.
func (c *Console) servePage(w http.ResponseWriter, r *http.Request) {
	writePage(w, c.page, consoleCSP)
}
