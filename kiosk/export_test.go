package kiosk

// OwnWriters reports how many of h's kiosks got a writer goroutine of
// their own instead of the writers' pool.
func OwnWriters(h *Hub) int64 { return h.ownWriters.Load() }
