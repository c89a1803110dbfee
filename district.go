package chorus

import "context"

// A deployment of Chorus may serve several communities (社区) of one
// district (街道). Each is a tenant: its estates, places, staff roles,
// kiosks, residents, events, programmes, orders and messages are its own.
// Partners are the deployment's, serving the communities they are linked
// to. A deployment made before districts holds community 1 alone.

// DefaultCommunity is the community of a deployment that predates
// districts, and of a caller with no Scope.
const DefaultCommunity int64 = 1

// Scope is which communities a caller acts in. The server puts one in
// every request's context (from the staff session or the kiosk) and the
// store reads it in every query of a community's records: lists hold the
// scope's community only, and an object of another community is not
// found (ENOTFOUND), unless District is set.
type Scope struct {
	// Community is the community acted in: its lists, what it creates.
	Community int64
	// District lets the caller see and change objects of every community
	// (the district admin); lists still show Community's.
	District bool
}

// Sees reports whether the scope may see an object of community c.
func (s Scope) Sees(c int64) bool { return s.District || c == s.Community }

type scopeKey struct{}

// WithScope returns ctx carrying s.
func WithScope(ctx context.Context, s Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// ScopeFrom returns the scope ctx carries; without one it is
// DefaultCommunity's, neither more (a forgotten scope never widens what a
// caller sees to the district) nor less (tools and tests that predate
// districts keep working on their one community).
func ScopeFrom(ctx context.Context) Scope {
	if s, ok := ctx.Value(scopeKey{}).(Scope); ok && s.Community > 0 {
		return s
	}
	return Scope{Community: DefaultCommunity}
}

// Membership is a staff member's role in one community: one person may
// work for two communities.
type Membership struct {
	Community int64  `json:"community"`
	Name      string `json:"name"` // the community's name, filled on read
	Role      Role   `json:"role"`
}
