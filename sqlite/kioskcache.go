package sqlite

import (
	"sync"

	"github.com/chorus-community/chorus"
)

// maxRememberedKiosks bounds the kiosks KioskByToken remembers: past it,
// they are all forgotten and remembered again as they ask.
const maxRememberedKiosks = 20000

// kioskCache remembers the kiosks KioskByToken found, by the hash of their
// token, so that a kiosk's request costs no query. Every change to what a
// token is answered with moves kiosk_version on (the triggers of migration
// 0016); the writer reads it inside each batch and, after the commit and
// before any request of the batch is answered, forgets everything if it
// moved (saw). A lookup that read the database before such a commit
// cannot put its stale answer back: put only keeps an answer read within
// the same generation.
//
// Only writes through this process's writer are seen at once; a kiosk
// changed by another process is seen after this one's next write. Kiosks
// change only through the server's API.
type kioskCache struct {
	mu      sync.Mutex
	version int64  // kiosk_version.n after the last commit; -1: unknown
	gen     uint64 // moves on each time everything is forgotten
	m       map[string]chorus.Kiosk
}

func newKioskCache() *kioskCache {
	return &kioskCache{version: -1, m: map[string]chorus.Kiosk{}}
}

// get returns the kiosk remembered for the token hash, and the generation
// to pass to put after reading it from the database instead.
func (c *kioskCache) get(hash string) (k chorus.Kiosk, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok = c.m[hash]
	return k, ok, c.gen
}

// put remembers k for the token hash if nothing was forgotten since gen.
func (c *kioskCache) put(gen uint64, hash string, k chorus.Kiosk) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.m) >= maxRememberedKiosks {
		c.m = map[string]chorus.Kiosk{}
	}
	c.m[hash] = k
}

// saw records kiosk_version.n as committed by a batch, forgetting every
// kiosk if it moved.
func (c *kioskCache) saw(version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version == c.version {
		return
	}
	c.forgetLocked()
	c.version = version
}

// forget forgets every kiosk (a batch whose version is unknown).
func (c *kioskCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetLocked()
	c.version = -1
}

func (c *kioskCache) forgetLocked() {
	if len(c.m) > 0 {
		c.m = map[string]chorus.Kiosk{}
	}
	c.gen++
}
