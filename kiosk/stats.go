package kiosk

// Counts are the hub's figures for the metrics.
type Counts struct {
	// Clients counts open websocket connections; Online the kiosks
	// connected and heard from within OfflineAfter.
	Clients, Online int
}

// Counts returns the hub's figures; zero once the hub has stopped.
func (h *Hub) Counts() Counts {
	out := make(chan Counts, 1)
	ok := h.do(func() {
		c := Counts{Clients: len(h.clients)}
		now := h.Now()
		for id, s := range h.seen {
			if len(h.byKiosk[id]) > 0 && now.Sub(s.at) < OfflineAfter {
				c.Online++
			}
		}
		out <- c
	})
	if !ok {
		return Counts{}
	}
	return <-out
}
