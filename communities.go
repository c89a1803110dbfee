package chorus

import "context"

// CommunityService keeps the communities of a deployment and their
// settings.
type CommunityService interface {
	// Community returns the scope's community (one not yet set up with a
	// placeholder name).
	Community(ctx context.Context) (*Community, error)
	// CommunityByID returns a community whatever the scope (its settings
	// are no secret; background work needs each record's). Errors:
	// ENOTFOUND.
	CommunityByID(ctx context.Context, id int64) (*Community, error)
	// Communities returns every community of the deployment, by id.
	Communities(ctx context.Context) ([]Community, error)
	// AddCommunity adds a community and sets its ID. Errors: EINVALID,
	// ECONFLICT (name taken).
	AddCommunity(ctx context.Context, c *Community) error
	// SetCommunity changes a community (c.ID, or the scope's when 0) the
	// scope sees. Errors: EINVALID, ENOTFOUND, ECONFLICT.
	SetCommunity(ctx context.Context, c *Community) error
}

// TimeZoneOr returns the community's time zone, or def (the deployment's)
// when it has none of its own.
func (c *Community) TimeZoneOr(def string) string {
	if c == nil || c.TimeZone == "" {
		return def
	}
	return c.TimeZone
}
