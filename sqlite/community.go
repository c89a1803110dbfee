package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chorus-community/chorus"
)

// unnamedCommunity is the name shown for a community not yet set up
// (community 1 of a new deployment).
const unnamedCommunity = "社区"

const communityCols = "id, name, sign_name, time_zone, staff_phone, push_secret, templates"

func scanCommunity(s interface{ Scan(...any) error }) (chorus.Community, error) {
	var c chorus.Community
	var templates string
	if err := s.Scan(&c.ID, &c.Name, &c.SignName, &c.TimeZone, &c.StaffPhone, &c.PushSecret, &templates); err != nil {
		return c, err
	}
	if c.Name == "" {
		c.Name, c.SignName = unnamedCommunity, unnamedCommunity
	}
	if err := json.Unmarshal([]byte(templates), &c.Templates); err != nil {
		return c, fmt.Errorf("community %d templates: %w", c.ID, err)
	}
	if len(c.Templates) == 0 {
		c.Templates = nil
	}
	return c, nil
}

// Community returns the scope's community; one not yet set up is returned
// with a placeholder name.
func (db *DB) Community(ctx context.Context) (*chorus.Community, error) {
	c, err := db.CommunityByID(ctx, chorus.ScopeFrom(ctx).Community)
	if chorus.ErrorCode(err) == chorus.ENOTFOUND {
		return &chorus.Community{ID: chorus.ScopeFrom(ctx).Community, Name: unnamedCommunity, SignName: unnamedCommunity}, nil
	}
	return c, err
}

// CommunityByID returns a community of the deployment, whatever the scope:
// its name and settings are no secret (its push secret is never shown),
// and background work needs each record's community. Errors: ENOTFOUND.
func (db *DB) CommunityByID(ctx context.Context, id int64) (*chorus.Community, error) {
	c, err := scanCommunity(db.read.QueryRowContext(ctx, "SELECT "+communityCols+" FROM community WHERE id = ?", id))
	if err != nil {
		return nil, notFound(err, "社区")
	}
	return &c, nil
}

// Communities returns every community of the deployment, by id.
func (db *DB) Communities(ctx context.Context) ([]chorus.Community, error) {
	out, err := queryRows(ctx, db.read, scanCommunity, "SELECT "+communityCols+" FROM community ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("communities: %w", err)
	}
	return out, nil
}

// AddCommunity adds a community to the deployment and sets c.ID.
// Errors: EINVALID, ECONFLICT (name or push secret taken).
func (db *DB) AddCommunity(ctx context.Context, c *chorus.Community) error {
	if err := c.Validate(); err != nil {
		return err
	}
	templates, _ := json.Marshal(nonNil(c.Templates))
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.insert(ctx, `INSERT INTO community (name, sign_name, time_zone, staff_phone, push_secret, templates, created_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, c.Name, c.SignName, c.TimeZone, c.StaffPhone, c.PushSecret, string(templates), tx.now.UnixMilli())
		if isUnique(err) {
			return communityTaken(err, c)
		} else if err != nil {
			return fmt.Errorf("insert community: %w", err)
		}
		c.ID, err = res.LastInsertId()
		return err
	})
}

// SetCommunity changes a community's name, signature and settings: c.ID,
// or the scope's community when 0. A scope that does not see c.ID gets
// ENOTFOUND. An empty PushSecret keeps the one stored. Errors: EINVALID,
// ENOTFOUND, ECONFLICT (name taken).
func (db *DB) SetCommunity(ctx context.Context, c *chorus.Community) error {
	sc := chorus.ScopeFrom(ctx)
	if c.ID == 0 {
		c.ID = sc.Community
	}
	if !sc.Sees(c.ID) {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个社区。")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	templates, _ := json.Marshal(nonNil(c.Templates))
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE community SET name = ?, sign_name = ?, time_zone = ?, staff_phone = ?,
			push_secret = CASE WHEN ? = '' THEN push_secret ELSE ? END, templates = ? WHERE id = ?`,
			c.Name, c.SignName, c.TimeZone, c.StaffPhone, c.PushSecret, c.PushSecret, string(templates), c.ID)
		if isUnique(err) {
			return communityTaken(err, c)
		} else if err != nil {
			return fmt.Errorf("set community: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个社区。")
		}
		return nil
	})
}

// communityTaken says what another community already has: its name, or
// the push secret (without repeating it).
func communityTaken(err error, c *chorus.Community) error {
	if strings.Contains(err.Error(), "push_secret") {
		return chorus.Errorf(chorus.ECONFLICT, "这个推送密钥别的社区已经在用了,请换一个。")
	}
	return chorus.Errorf(chorus.ECONFLICT, "已经有叫“%s”的社区了。", c.Name)
}

// checkCommunity refuses a community that does not exist. Errors: EINVALID.
func (tx *Tx) checkCommunity(ctx context.Context, id int64) error {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM community WHERE id = ?", id).Scan(&n)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("community %d: %w", id, err)
	}
	if n == 0 {
		return chorus.Errorf(chorus.EINVALID, "没有这个社区。")
	}
	return nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// zones remembers the time zones loaded by name (time.LoadLocation reads
// the zone database each time).
var zones sync.Map // string -> *time.Location

// ZoneOf returns community's time zone: its own, or the deployment's
// (db.Location) when it has none or it cannot be read. For the dates in a
// community's texts and pages, whatever the caller's scope.
func (db *DB) ZoneOf(ctx context.Context, community int64) *time.Location {
	var name string
	err := db.read.QueryRowContext(ctx, "SELECT time_zone FROM community WHERE id = ?", community).Scan(&name)
	if err != nil || name == "" {
		return db.Location
	}
	return loadZone(name, db.Location)
}

// zoneOf is ZoneOf inside a write transaction: the zone of community,
// or the deployment's.
func (tx *Tx) zoneOf(ctx context.Context, community int64) *time.Location {
	var name string
	err := tx.QueryRowContext(ctx, "SELECT time_zone FROM community WHERE id = ?", community).Scan(&name)
	if err != nil || name == "" {
		return tx.db.Location
	}
	return loadZone(name, tx.db.Location)
}

// bookingZone is the zone of booking id's event's community.
func (tx *Tx) bookingZone(ctx context.Context, id int64) *time.Location {
	var community int64
	if err := tx.QueryRowContext(ctx, `SELECT e.community_id FROM bookings b JOIN events e ON e.id = b.event_id
		WHERE b.id = ?`, id).Scan(&community); err != nil {
		return tx.db.Location
	}
	return tx.zoneOf(ctx, community)
}

// loadZone returns the zone named name, or def when there is none (an
// empty name is the deployment's zone, not UTC).
func loadZone(name string, def *time.Location) *time.Location {
	if name == "" {
		return def
	}
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return def
	}
	zones.Store(name, l)
	return l
}
