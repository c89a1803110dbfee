package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/chorus-community/chorus"
)

// Help requests (我要求助, issue 20): asked for at a kiosk or by staff,
// dispatched to volunteers in waves (chorus.NextHelpWave), taken by 接N,
// reported done by 完成N hours (or staff), which proposes an hours claim,
// and confirmed by the resident's reply 1 or staff, which pays the
// volunteer through creditClaim.

// helpWait is how long a wave of volunteers has to take a help request
// before the next is asked: the partners' wait.
func (db *DB) helpWait() time.Duration {
	if db.DispatchWait > 0 {
		return db.DispatchWait
	}
	return DefaultDispatchWait
}

const helpCols = `h.id, h.community_id, h.resident_id, r.name, h.service, h.day, h.half_day, h.note, h.channel, h.status,
	COALESCE(h.volunteer_id, 0), COALESCE(v.name, ''), COALESCE(c.id, 0), COALESCE(c.minutes, 0), h.pool_pays, h.overdraft_ok, h.wave, h.created_ms`
const helpFrom = ` FROM help_requests h JOIN residents r ON r.id = h.resident_id LEFT JOIN volunteers v ON v.id = h.volunteer_id
	LEFT JOIN hours_claims c ON c.source = 'help' AND c.source_id = h.id `

func scanHelp(rows rowScanner) (chorus.HelpRequest, error) {
	var h chorus.HelpRequest
	var created int64
	err := rows.Scan(&h.ID, &h.Community, &h.ResidentID, &h.Resident, &h.Service, &h.Day, &h.HalfDay, &h.Note, &h.Channel, &h.Status,
		&h.VolunteerID, &h.Volunteer, &h.ClaimID, &h.Minutes, &h.PoolPays, &h.OverdraftOK, &h.Wave, &created)
	h.Created = time.UnixMilli(created)
	return h, err
}

// helpRequest reads request id through q, or ENOTFOUND.
func helpRequest(ctx context.Context, q querier, id int64) (*chorus.HelpRequest, error) {
	hs, err := queryRows(ctx, q, scanHelp, "SELECT "+helpCols+helpFrom+"WHERE h.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个求助。")
	}
	return &hs[0], nil
}

// HelpRequest returns a help request of the scope's community; ENOTFOUND
// for another's.
func (db *DB) HelpRequest(ctx context.Context, id int64) (*chorus.HelpRequest, error) {
	h, err := helpRequest(ctx, db.read, id)
	if err != nil {
		return nil, err
	}
	if !chorus.ScopeFrom(ctx).Sees(h.Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个求助。")
	}
	return h, nil
}

// HelpRequests returns the scope's community's help requests, newest
// first; only those of status when it is set.
func (db *DB) HelpRequests(ctx context.Context, status chorus.HelpStatus) ([]chorus.HelpRequest, error) {
	q, args := "SELECT "+helpCols+helpFrom+"WHERE h.community_id = ?", []any{chorus.ScopeFrom(ctx).Community}
	if status != "" {
		q, args = q+" AND h.status = ?", append(args, status)
	}
	return queryRows(ctx, db.read, scanHelp, q+" ORDER BY h.id DESC LIMIT 500", args...)
}

// AskHelp stores a help request for a resident of the scope's community
// and asks the first wave of volunteers. Errors: ENOTFOUND (the
// resident), EINVALID (the service or day), EFORBIDDEN (a resident who may
// not spend hours yet, unless staff approved the pool paying).
func (db *DB) AskHelp(ctx context.Context, a chorus.HelpAsk, poolPays bool, approvedBy string) (*chorus.HelpRequest, error) {
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var community int64
		var birth sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT community_id, birth_year FROM residents WHERE id = ?", a.ResidentID).Scan(&community, &birth); err != nil ||
			!chorus.ScopeFrom(ctx).Sees(community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这位居民。")
		}
		rules, err := bankRules(ctx, tx, community)
		if err != nil {
			return err
		}
		loc := tx.zoneOf(ctx, community)
		if err := a.Validate(rules, tx.now.In(loc)); err != nil {
			return err
		}
		if !poolPays {
			if err := chorus.CheckRedeemer(rules, int(birth.Int64), tx.now.In(loc).Year()); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO help_requests (community_id, resident_id, service, day, half_day, note, channel,
			pool_pays, approved_by, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			community, a.ResidentID, a.Service, a.Day, a.HalfDay, a.Note, a.Channel, poolPays, approvedBy, tx.now.UnixMilli())
		if err != nil {
			return fmt.Errorf("ask help: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return tx.helpDispatch(ctx, id)
	})
	if err != nil {
		return nil, err
	}
	return db.HelpRequest(ctx, id)
}

// helpParams are a help request's SMS parameters: its number, service,
// estate, room and half day.
func (tx *Tx) helpParams(ctx context.Context, h *chorus.HelpRequest) (map[string]string, error) {
	var estate, building, unit, room string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(e.name, ''), r.building, r.unit, r.room FROM residents r
		LEFT JOIN estates e ON e.id = r.estate_id WHERE r.id = ?`, h.ResidentID).Scan(&estate, &building, &unit, &room); err != nil {
		return nil, fmt.Errorf("help %d address: %w", h.ID, err)
	}
	if estate == "" {
		estate = "社区"
	}
	roomPart := chorus.Address{Building: building, Unit: unit, Room: room}.RoomPart()
	if roomPart == "" {
		roomPart = "(请电话联系社区)"
	}
	o := chorus.Order{Day: h.Day, HalfDay: h.HalfDay}
	return map[string]string{"code": strconv.FormatInt(h.ID, 10), "service": h.Service,
		"estate": chorus.Ellipsize(estate, chorus.MaxParamRunes), "room": chorus.Ellipsize(roomPart, chorus.MaxParamRunes),
		"time": o.Window(tx.zoneOf(ctx, h.Community))}, nil
}

// helpCandidates are the volunteers of community who may be asked for
// help: active, agreed to be contacted, skilled ones marked, those with
// fewest hours paid this year first.
func (tx *Tx) helpCandidates(ctx context.Context, community int64, service string, recipient int64, recipientPhone string) ([]chorus.HelpCandidate, error) {
	type row struct {
		c      chorus.HelpCandidate
		skills string
	}
	rows, err := queryRows(ctx, tx, func(rs rowScanner) (row, error) {
		var r row
		var resident sql.NullInt64
		err := rs.Scan(&r.c.VolunteerID, &r.c.Phone, &r.skills, &resident, &r.c.Household.Address.EstateID,
			&r.c.Household.Address.Building, &r.c.Household.Address.Unit, &r.c.Household.Address.Room)
		r.c.Household.ResidentID = resident.Int64
		return r, err
	}, `SELECT v.id, v.phone, v.skills, v.resident_id, COALESCE(r.estate_id, 0), COALESCE(r.building, ''), COALESCE(r.unit, ''), COALESCE(r.room, '')
		FROM volunteers v LEFT JOIN residents r ON r.id = v.resident_id
		WHERE v.community_id = ? AND v.status = 'active' AND v.consent_ms IS NOT NULL
		ORDER BY (SELECT COALESCE(SUM(e.minutes), 0) FROM bank_accounts a JOIN bank_entries e ON e.account_id = a.id
			WHERE a.volunteer_id = v.id AND e.minutes > 0), v.id`, community)
	if err != nil {
		return nil, fmt.Errorf("help candidates: %w", err)
	}
	out := make([]chorus.HelpCandidate, 0, len(rows))
	for _, r := range rows {
		var skills []string
		json.Unmarshal([]byte(r.skills), &skills)
		r.c.Skilled = slices.Contains(skills, service)
		if r.c.Phone == recipientPhone {
			r.c.Household.ResidentID = recipient // their own phone is their own household
		}
		out = append(out, r.c)
	}
	return out, nil
}

// helpDispatch asks the next wave of volunteers for help request id, or,
// with nobody left, tells the on-duty staff phone once.
func (tx *Tx) helpDispatch(ctx context.Context, id int64) error {
	h, err := helpRequest(ctx, tx, id)
	if err != nil {
		return err
	}
	if h.Status != chorus.HelpOpen {
		return nil
	}
	var recipient chorus.Household
	var phone string
	recipient.ResidentID = h.ResidentID
	if err := tx.QueryRowContext(ctx, "SELECT phone, COALESCE(estate_id, 0), building, unit, room FROM residents WHERE id = ?", h.ResidentID).
		Scan(&phone, &recipient.Address.EstateID, &recipient.Address.Building, &recipient.Address.Unit, &recipient.Address.Room); err != nil {
		return fmt.Errorf("help %d resident: %w", id, err)
	}
	cands, err := tx.helpCandidates(ctx, h.Community, h.Service, h.ResidentID, phone)
	if err != nil {
		return err
	}
	askedIDs, err := queryIDs(ctx, tx, "SELECT volunteer_id FROM help_asks WHERE request_id = ?", id)
	if err != nil {
		return err
	}
	asked := map[int64]bool{}
	for _, v := range askedIDs {
		asked[v] = true
	}
	params, err := tx.helpParams(ctx, h)
	if err != nil {
		return err
	}
	wave := chorus.NextHelpWave(cands, asked, recipient)
	if wave.Step != chorus.DispatchSendWave {
		if _, err := tx.ExecContext(ctx, "UPDATE help_requests SET status = 'escalated', next_wave_ms = NULL WHERE id = ?", id); err != nil {
			return err
		}
		staff, err := tx.staffPhone(ctx, h.Community)
		if err != nil || staff == "" {
			return err
		}
		return tx.queueHelp(ctx, chorus.Message{Phone: staff, Kind: chorus.MsgHelpUnclaimed, Params: params, Community: h.Community}, id)
	}
	for _, c := range wave.Wave {
		ask := map[string]string{"code": params["code"], "service": params["service"], "estate": params["estate"], "time": params["time"]}
		if err := tx.queueHelp(ctx, chorus.Message{Phone: c.Phone, Kind: chorus.MsgHelpAsk, Params: ask, Community: h.Community}, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO help_asks (request_id, volunteer_id, wave, asked_ms) VALUES (?, ?, ?, ?)",
			id, c.VolunteerID, h.Wave+1, tx.now.UnixMilli()); err != nil {
			return fmt.Errorf("ask volunteer: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, "UPDATE help_requests SET wave = wave + 1, next_wave_ms = ? WHERE id = ?",
		tx.now.Add(tx.db.helpWait()).UnixMilli(), id)
	return err
}

// helpDispatchDue asks the next wave for every open help request whose
// wave went unanswered by now; it returns how many it moved.
func (db *DB) helpDispatchDue(ctx context.Context, now time.Time) (int, error) {
	ids, err := queryIDs(ctx, db.read, `SELECT id FROM help_requests WHERE status = 'open' AND next_wave_ms IS NOT NULL
		AND next_wave_ms <= ? ORDER BY id LIMIT 500`, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("due help requests: %w", err)
	}
	for _, id := range ids {
		if err := db.update(ctx, func(tx *Tx) error { return tx.helpDispatch(ctx, id) }); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
