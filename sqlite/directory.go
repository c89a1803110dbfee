package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/chorus-community/chorus"
)

var _ chorus.DirectoryService = (*DB)(nil)

// Places returns the scope's community's places.
func (db *DB) Places(ctx context.Context) ([]chorus.Place, error) {
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.Place, error) {
		var p chorus.Place
		err := rows.Scan(&p.ID, &p.Name, &p.Address)
		return p, err
	}, "SELECT id, name, address FROM places WHERE community_id = ? ORDER BY id", chorus.ScopeFrom(ctx).Community)
	if err != nil {
		return nil, fmt.Errorf("places: %w", err)
	}
	return out, nil
}

// SavePlace creates (ID 0, in the scope's community) or updates a place
// (of a community the scope sees). Errors: EINVALID, ENOTFOUND, ECONFLICT
// (a place of that name in the community).
func (db *DB) SavePlace(ctx context.Context, p *chorus.Place) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		community, err := tx.ownerOf(ctx, "places", "地点", p.ID)
		if err != nil {
			return err
		}
		// Two places of one name would be told apart by no one (the
		// table has no UNIQUE on it, and databases in use may already
		// hold a pair: checked here rather than by a migration).
		var other int64
		err = tx.QueryRowContext(ctx, "SELECT id FROM places WHERE name = ? AND id != ? AND community_id = ?",
			p.Name, p.ID, community).Scan(&other)
		if err == nil {
			return chorus.Errorf(chorus.ECONFLICT, "已经有同名的地点了。")
		} else if err != sql.ErrNoRows {
			return fmt.Errorf("place name: %w", err)
		}
		if p.ID == 0 {
			return tx.save(ctx, &p.ID, "地点", "INSERT INTO places (name, address, community_id) VALUES (?, ?, ?)",
				"", p.Name, p.Address, community)
		}
		return tx.save(ctx, &p.ID, "地点", "", "UPDATE places SET name = ?, address = ? WHERE id = ?", p.Name, p.Address)
	})
}

// ownerOf returns the community of row id of table (what names it in
// messages), or the scope's community for a new row (id 0). Errors:
// ENOTFOUND (no such row, or of a community the scope does not see).
func (tx *Tx) ownerOf(ctx context.Context, table, what string, id int64) (int64, error) {
	sc := chorus.ScopeFrom(ctx)
	if id == 0 {
		return sc.Community, nil
	}
	var c int64
	err := tx.QueryRowContext(ctx, "SELECT community_id FROM "+table+" WHERE id = ?", id).Scan(&c)
	if err == nil && !sc.Sees(c) {
		err = sql.ErrNoRows
	}
	if err != nil {
		return 0, notFound(err, what)
	}
	return c, nil
}

// checkPlace refuses a place that is not community's. Errors: EINVALID.
func (tx *Tx) checkPlace(ctx context.Context, placeID, community int64) error {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM places WHERE id = ? AND community_id = ?", placeID, community).Scan(&n)
	if err != nil {
		return fmt.Errorf("place %d: %w", placeID, err)
	} else if n == 0 {
		return chorus.Errorf(chorus.EINVALID, "没有找到这个地点。")
	}
	return nil
}

// save runs ins for a new row (setting *id) or upd for an existing one.
func (db *DB) save(ctx context.Context, id *int64, what, ins, upd string, args ...any) error {
	return db.update(ctx, func(tx *Tx) error { return tx.save(ctx, id, what, ins, upd, args...) })
}

func (tx *Tx) save(ctx context.Context, id *int64, what, ins, upd string, args ...any) error {
	if *id == 0 {
		res, err := tx.insert(ctx, ins, args...)
		if isUnique(err) {
			return chorus.Errorf(chorus.ECONFLICT, "已经有同名的%s了。", what)
		} else if err != nil {
			return fmt.Errorf("insert %s: %w", what, err)
		}
		*id, err = res.LastInsertId()
		return err
	}
	res, err := tx.ExecContext(ctx, upd, append(args, *id)...)
	if isUnique(err) {
		return chorus.Errorf(chorus.ECONFLICT, "已经有同名的%s了。", what)
	} else if err != nil {
		return fmt.Errorf("update %s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个%s。", what)
	}
	return nil
}

// Estates returns the scope's community's estates.
func (db *DB) Estates(ctx context.Context) ([]chorus.Estate, error) {
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.Estate, error) {
		var e chorus.Estate
		err := rows.Scan(&e.ID, &e.Name, &e.PropertyManagement, &e.Buildings, &e.Units)
		return e, err
	}, "SELECT id, name, property_management, buildings, units FROM estates WHERE community_id = ? ORDER BY id",
		chorus.ScopeFrom(ctx).Community)
	if err != nil {
		return nil, fmt.Errorf("estates: %w", err)
	}
	return out, nil
}

// SaveEstate creates (ID 0, in the scope's community) or updates an estate
// (of a community the scope sees). Errors: EINVALID, ENOTFOUND, ECONFLICT
// (name taken in the community).
func (db *DB) SaveEstate(ctx context.Context, e *chorus.Estate) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		community, err := tx.ownerOf(ctx, "estates", "小区", e.ID)
		if err != nil {
			return err
		}
		if e.ID == 0 {
			return tx.save(ctx, &e.ID, "小区", "INSERT INTO estates (name, property_management, buildings, units, community_id) VALUES (?, ?, ?, ?, ?)",
				"", e.Name, e.PropertyManagement, e.Buildings, e.Units, community)
		}
		return tx.save(ctx, &e.ID, "小区", "",
			"UPDATE estates SET name = ?, property_management = ?, buildings = ?, units = ? WHERE id = ?",
			e.Name, e.PropertyManagement, e.Buildings, e.Units)
	})
}

// Partners returns the partners that serve the scope's community, with
// their phones and, as Services and Estates, what they take and cover in
// that community (chorus.ScopeFrom).
func (db *DB) Partners(ctx context.Context) ([]chorus.Partner, error) {
	return db.partners(ctx, db.read, chorus.ScopeFrom(ctx).Community)
}

// partnerQuery reads the partners linked to one community (the argument),
// with that community's services and estates.
const partnerQuery = `SELECT p.id, p.name, p.kind, pc.services, pc.estates, p.opens_at, p.closes_at, p.priority, p.active,
	(SELECT COALESCE(json_group_array(phone), '[]') FROM partner_phones WHERE partner_id = p.id)
	FROM partners p JOIN partner_communities pc ON pc.partner_id = p.id AND pc.community_id = ?
	ORDER BY p.priority, p.id`

func scanPartner(rows rowScanner) (chorus.Partner, error) {
	var p chorus.Partner
	var services, estates, phones string
	if err := rows.Scan(&p.ID, &p.Name, &p.Kind, &services, &estates, &p.OpensAt, &p.ClosesAt, &p.Priority,
		&p.Active, &phones); err != nil {
		return p, err
	}
	if err := unmarshalAll([]string{services, estates, phones}, &p.Services, &p.Estates, &p.Phones); err != nil {
		return p, fmt.Errorf("partner %d: %w", p.ID, err)
	}
	return p, nil
}

func unmarshalAll(srcs []string, dsts ...any) error {
	for i, s := range srcs {
		if err := json.Unmarshal([]byte(s), dsts[i]); err != nil {
			return err
		}
	}
	return nil
}

// SavePartner creates (ID 0) or updates a partner with its phones, and
// sets what it takes and covers in the scope's community (Services,
// Estates: that community's estates). A partner serving other communities
// keeps their links as they are; one not serving the scope's community
// is not found (LinkPartner adds it). Errors: EINVALID, ENOTFOUND.
func (db *DB) SavePartner(ctx context.Context, p *chorus.Partner) error {
	if err := p.Validate(); err != nil {
		return err
	}
	community := chorus.ScopeFrom(ctx).Community
	return db.update(ctx, func(tx *Tx) error {
		if p.ID != 0 {
			if err := tx.partnerLinked(ctx, p.ID, community); err != nil {
				return err
			}
		}
		if err := tx.save(ctx, &p.ID, "共建单位",
			`INSERT INTO partners (name, kind, opens_at, closes_at, priority, active) VALUES (?, ?, ?, ?, ?, ?)`,
			`UPDATE partners SET name = ?, kind = ?, opens_at = ?, closes_at = ?, priority = ?, active = ? WHERE id = ?`,
			p.Name, p.Kind, p.OpensAt, p.ClosesAt, p.Priority, p.Active); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM partner_phones WHERE partner_id = ?", p.ID); err != nil {
			return err
		}
		for _, ph := range p.Phones {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO partner_phones (partner_id, phone) VALUES (?, ?)", p.ID, ph); err != nil {
				return fmt.Errorf("partner phone: %w", err)
			}
		}
		return tx.linkPartner(ctx, p, community)
	})
}

// LinkPartner links an existing partner, found by id or (id 0) by one of
// its phones, to the scope's community with what it takes and covers
// there (services, estates of that community; an existing link is
// replaced). Its links to other communities stay as they are. It returns
// the partner as the scope's community sees it. Errors: EINVALID,
// ENOTFOUND.
func (db *DB) LinkPartner(ctx context.Context, id int64, phone string, services []chorus.ServiceKind, estates []int64) (*chorus.Partner, error) {
	community := chorus.ScopeFrom(ctx).Community
	if id == 0 {
		n, err := chorus.NormalizePhone(phone)
		if err != nil {
			return nil, err
		}
		phone = n
	}
	err := db.update(ctx, func(tx *Tx) error {
		if id == 0 {
			err := tx.QueryRowContext(ctx, "SELECT MIN(partner_id) FROM partner_phones WHERE phone = ?", phone).Scan(&id)
			if err != nil {
				return chorus.Errorf(chorus.ENOTFOUND, "没有找到用这个电话的共建单位。")
			}
		} else {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM partners WHERE id = ?", id).Scan(&n); err != nil || n == 0 {
				return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个共建单位。")
			}
		}
		for _, k := range services {
			if k.Label() == "" {
				return chorus.Errorf(chorus.EINVALID, "服务类型不正确。")
			}
		}
		p := chorus.Partner{ID: id, Services: services, Estates: estates}
		return tx.linkPartner(ctx, &p, community)
	})
	if err != nil {
		return nil, err
	}
	list, err := db.partners(ctx, db.read, community)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个共建单位。")
}

// partnerLinked returns ENOTFOUND unless partner id serves community.
func (tx *Tx) partnerLinked(ctx context.Context, id, community int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM partner_communities WHERE partner_id = ? AND community_id = ?",
		id, community).Scan(&n); err != nil {
		return fmt.Errorf("partner %d: %w", id, err)
	}
	if n == 0 {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个共建单位。")
	}
	return nil
}

// linkPartner sets p's services and estates in community; every estate
// must be the community's.
func (tx *Tx) linkPartner(ctx context.Context, p *chorus.Partner, community int64) error {
	if p.Services == nil {
		p.Services = []chorus.ServiceKind{}
	}
	if p.Estates == nil {
		p.Estates = []int64{}
	}
	for _, e := range p.Estates {
		var c int64
		if err := tx.QueryRowContext(ctx, "SELECT community_id FROM estates WHERE id = ?", e).Scan(&c); err != nil || c != community {
			return chorus.Errorf(chorus.EINVALID, "没有找到所选的小区,请刷新后重新选择。")
		}
	}
	services, _ := json.Marshal(p.Services)
	estates, _ := json.Marshal(p.Estates)
	if _, err := tx.ExecContext(ctx, `INSERT INTO partner_communities (partner_id, community_id, services, estates)
		VALUES (?, ?, ?, ?) ON CONFLICT(partner_id, community_id) DO UPDATE SET services = excluded.services,
		estates = excluded.estates`, p.ID, community, string(services), string(estates)); err != nil {
		return fmt.Errorf("partner %d in community %d: %w", p.ID, community, err)
	}
	return nil
}

// Resident returns the resident with this phone. Errors: ENOTFOUND (none,
// or of a community the scope does not see).
func (db *DB) Resident(ctx context.Context, phone string) (*chorus.Resident, error) {
	return loadResident(ctx, db.read, phone)
}

// otherCommunityPhone is the answer to saving a phone that is a resident
// of a community the scope does not see: it says nothing of who or where.
func otherCommunityPhone() error {
	return chorus.Errorf(chorus.ECONFLICT, "这个手机号已经登记在别的社区,不能在这里登记。请核对号码;若居民搬了家,请原社区先改登记。")
}

// rowQuerier is a *sql.DB or a Tx.
type rowQuerier interface {
	querier
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func loadResident(ctx context.Context, q rowQuerier, phone string) (*chorus.Resident, error) {
	r := &chorus.Resident{Family: []chorus.FamilyContact{}}
	var est sql.NullInt64
	var opted, created sql.NullInt64
	var community int64
	err := q.QueryRowContext(ctx, `SELECT r.id, r.phone, r.name, r.estate_id, COALESCE(e.name, ''), r.building, r.unit,
		r.room, r.opted_out_ms, r.channel, r.created_ms, r.community_id FROM residents r LEFT JOIN estates e ON e.id = r.estate_id
		WHERE r.phone = ?`, phone).
		Scan(&r.ID, &r.Phone, &r.Name, &est, &r.Address.Estate, &r.Address.Building, &r.Address.Unit, &r.Address.Room, &opted,
			&r.Channel, &created, &community)
	if err == nil && !chorus.ScopeFrom(ctx).Sees(community) {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, notFound(err, "居民")
	}
	r.Address.EstateID, r.OptedOut, r.CreatedAt = est.Int64, opted.Valid, fromMS(created)
	r.Family, err = queryRows(ctx, q, func(rows rowScanner) (chorus.FamilyContact, error) {
		var f chorus.FamilyContact
		err := rows.Scan(&f.Name, &f.Phone, &f.Relation)
		return f, err
	}, "SELECT name, phone, relation FROM family_contacts WHERE resident_id = ? ORDER BY rowid", r.ID)
	if err != nil {
		return nil, fmt.Errorf("family: %w", err)
	}
	return r, nil
}

// SaveResident creates or updates the resident with r.Phone, replacing its
// family contacts. The opt-out state is not changed here.
func (db *DB) SaveResident(ctx context.Context, r *chorus.Resident) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error { return tx.saveResident(ctx, r) })
}

// PatchResident changes only the fields p sets of the resident with phone
// (creating the record when there is none), in one transaction, and
// returns the resident before (nil when new) and after. Errors: EINVALID.
func (db *DB) PatchResident(ctx context.Context, phone string, p chorus.ResidentPatch) (before, after *chorus.Resident, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		old, err := loadResident(ctx, tx, phone)
		if chorus.ErrorCode(err) == chorus.ENOTFOUND {
			if err := tx.checkResidentCommunity(ctx, phone); err != nil {
				return err
			}
			old, err = nil, nil
		} else if err != nil {
			return err
		}
		base := chorus.Resident{Phone: phone, Family: []chorus.FamilyContact{}}
		if old != nil {
			base = *old
		}
		r := p.Apply(base)
		r.Phone = phone
		if err := r.Validate(); err != nil {
			return err
		}
		if err := tx.saveResident(ctx, &r); err != nil {
			return err
		}
		if after, err = loadResident(ctx, tx, phone); err != nil {
			return err
		}
		before = old
		return nil
	})
	return before, after, err
}

// residentCommunity returns the community of phone's resident (0: none)
// and whether another community may take it: one known only from bookings
// (no estate and no family on file) is nobody's yet, and the first
// community to register their address has them.
func (tx *Tx) residentCommunity(ctx context.Context, phone string) (community int64, open bool, err error) {
	err = tx.QueryRowContext(ctx, `SELECT community_id, estate_id IS NULL AND NOT EXISTS
		(SELECT 1 FROM family_contacts f WHERE f.resident_id = residents.id) FROM residents WHERE phone = ?`, phone).Scan(&community, &open)
	if err == sql.ErrNoRows {
		return 0, false, nil
	} else if err != nil {
		return 0, false, fmt.Errorf("resident community: %w", err)
	}
	return community, open, nil
}

// checkResidentCommunity refuses a phone that is a resident of a
// community the scope does not see (otherCommunityPhone), unless it is
// open to be taken.
func (tx *Tx) checkResidentCommunity(ctx context.Context, phone string) error {
	c, open, err := tx.residentCommunity(ctx, phone)
	if err != nil || c == 0 || open || chorus.ScopeFrom(ctx).Sees(c) {
		return err
	}
	return otherCommunityPhone()
}

// saveResident stores r: a phone is one resident's in the deployment, who
// belongs to their estate's community (without an estate, to the one they
// were registered in, or the scope's). Errors: EINVALID (an estate the
// scope does not see), ECONFLICT (a resident of a community the scope does
// not see, unless open to be taken with an address: residentCommunity).
func (tx *Tx) saveResident(ctx context.Context, r *chorus.Resident) error {
	sc := chorus.ScopeFrom(ctx)
	community := sc.Community
	old, open, err := tx.residentCommunity(ctx, r.Phone)
	if err != nil {
		return err
	}
	if old != 0 && !sc.Sees(old) && !(open && r.Address.EstateID != 0) {
		return otherCommunityPhone()
	}
	if old != 0 && sc.Sees(old) {
		community = old
	}
	if r.Address.EstateID != 0 {
		err := tx.QueryRowContext(ctx, "SELECT community_id FROM estates WHERE id = ?", r.Address.EstateID).Scan(&community)
		if err == sql.ErrNoRows || err == nil && !sc.Sees(community) {
			return chorus.Errorf(chorus.EINVALID, "没有找到这个小区。")
		} else if err != nil {
			return fmt.Errorf("estate community: %w", err)
		}
		if err := tx.checkEstate(ctx, r.Address); err != nil {
			return err
		}
	}
	if r.Channel == "" {
		r.Channel = chorus.ChannelSMS
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO residents (phone, name, estate_id, building, unit, room, channel, created_ms, community_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(phone) DO UPDATE SET name = excluded.name, estate_id = excluded.estate_id,
		building = excluded.building, unit = excluded.unit, room = excluded.room, channel = excluded.channel,
		community_id = excluded.community_id RETURNING id`,
		r.Phone, r.Name, nullID(r.Address.EstateID), r.Address.Building, r.Address.Unit, r.Address.Room, r.Channel,
		tx.now.UnixMilli(), community).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("save resident: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM family_contacts WHERE resident_id = ?", r.ID); err != nil {
		return err
	}
	for _, f := range r.Family {
		if _, err := tx.ExecContext(ctx, tx.db.familyInsert(),
			r.ID, f.Phone, f.Name, f.Relation); err != nil {
			return fmt.Errorf("family contact: %w", err)
		}
	}
	return nil
}

// SetOptOut records (or lifts) a phone's opt-out, for staff. It reports
// whether the state changed, so the acknowledgement is sent once. The
// opt-out is the phone's, across the deployment; a resident registered in
// a community the scope does not see is not found (ENOTFOUND), one known
// only from bookings is anyone's to opt out (the SMS reply R/TD works
// whatever the community: inbox.go).
func (db *DB) SetOptOut(ctx context.Context, phone string, out bool) (changed bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		c, open, err := tx.residentCommunity(ctx, phone)
		if err != nil {
			return err
		}
		if c != 0 && !open && !chorus.ScopeFrom(ctx).Sees(c) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个居民。")
		}
		changed, err = tx.setOptOut(ctx, phone, out)
		return err
	})
	return changed, err
}

func (tx *Tx) setOptOut(ctx context.Context, phone string, out bool) (bool, error) {
	if err := tx.touchResident(ctx, phone, ""); err != nil {
		return false, err
	}
	q := "UPDATE residents SET opted_out_ms = ? WHERE phone = ? AND opted_out_ms IS NULL"
	args := []any{tx.now.UnixMilli(), phone}
	if !out {
		q, args = "UPDATE residents SET opted_out_ms = NULL WHERE phone = ? AND opted_out_ms IS NOT NULL", []any{phone}
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("opt-out: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// KnownNames returns the names used with this phone in the scope's
// community (its residents, its events' bookings, its programmes'
// enrolments, its orders), most recent first.
func (db *DB) KnownNames(ctx context.Context, phone string) ([]string, error) {
	c := chorus.ScopeFrom(ctx).Community
	out, err := queryRows(ctx, db.read, scanValue[string], `SELECT name FROM (
		SELECT b.name, b.created_ms AS at FROM bookings b JOIN events e ON e.id = b.event_id
			WHERE b.phone = ? AND b.name != '' AND e.community_id = ?
		UNION ALL SELECT name, created_ms FROM residents WHERE phone = ? AND name != '' AND community_id = ?
		UNION ALL SELECT n.name, n.created_ms FROM enrolments n JOIN programmes g ON g.id = n.programme_id
			WHERE n.phone = ? AND n.name != '' AND g.community_id = ?
		UNION ALL SELECT name, created_ms FROM orders WHERE phone = ? AND name != '' AND community_id = ?) AS known
		GROUP BY name ORDER BY MAX(at) DESC LIMIT 10`, phone, c, phone, c, phone, c, phone, c)
	if err != nil {
		return nil, fmt.Errorf("known names: %w", err)
	}
	return out, nil
}

// familyInsert is the statement that adds a family contact, replacing one
// of the same phone: SQLite's INSERT OR REPLACE, PostgreSQL's upsert.
func (db *DB) familyInsert() string {
	if db.pg {
		return `INSERT INTO family_contacts (resident_id, phone, name, relation) VALUES (?, ?, ?, ?)
			ON CONFLICT (resident_id, phone) DO UPDATE SET name = excluded.name, relation = excluded.relation`
	}
	return "INSERT OR REPLACE INTO family_contacts (resident_id, phone, name, relation) VALUES (?, ?, ?, ?)"
}
