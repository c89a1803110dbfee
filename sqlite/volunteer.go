package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// This file holds volunteers, activities and shifts (issue 20); signups,
// presence and hours are in volunteershift.go, SMS in volunteersms.go.

// SaveVolunteer creates a volunteer in the scope's community (ID 0) or
// changes one. Consent given now is stamped; withdrawn, cleared. Errors:
// EINVALID, ENOTFOUND (another community's), ECONFLICT (the phone is
// already a volunteer of the community).
func (db *DB) SaveVolunteer(ctx context.Context, v *chorus.Volunteer) error {
	if err := v.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error { return tx.saveVolunteer(ctx, v) })
}

func (tx *Tx) saveVolunteer(ctx context.Context, v *chorus.Volunteer) error {
	scope := chorus.ScopeFrom(ctx)
	if v.ID == 0 {
		v.Community, v.CreatedAt = scope.Community, tx.now
	} else {
		var c int64
		var consent sql.NullInt64
		var created int64
		if err := tx.QueryRowContext(ctx, "SELECT community_id, consent_ms, created_ms FROM volunteers WHERE id = ?", v.ID).
			Scan(&c, &consent, &created); err != nil || !scope.Sees(c) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这位志愿者。")
		}
		v.Community, v.ConsentAt, v.CreatedAt = c, fromMS(consent), time.UnixMilli(created)
	}
	switch {
	case v.Consent && v.ConsentAt.IsZero():
		v.ConsentAt = tx.now
	case !v.Consent:
		v.ConsentAt = time.Time{}
	}
	if v.PartnerID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM partner_communities WHERE partner_id = ? AND community_id = ?",
			v.PartnerID, v.Community).Scan(&n); err != nil {
			return fmt.Errorf("partner of volunteer: %w", err)
		} else if n == 0 {
			return chorus.Errorf(chorus.EINVALID, "没有找到这个共建单位。")
		}
	}
	// The resident is the one with the phone in the community, whatever
	// the caller sent: a number typed is not a link to someone's record.
	var id sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT id FROM residents WHERE phone = ? AND community_id = ?", v.Phone, v.Community).
		Scan(&id); err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("resident of volunteer: %w", err)
	}
	resident := nullID(id.Int64)
	v.ResidentID = id.Int64
	skills, _ := json.Marshal(v.Skills)
	kinds, _ := json.Marshal(v.Kinds)
	var err error
	if v.ID == 0 {
		err = tx.QueryRowContext(ctx, `INSERT INTO volunteers (community_id, phone, name, resident_id, partner_id, skills, kinds,
			consent_ms, status, joined_via, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			v.Community, v.Phone, v.Name, resident, nullID(v.PartnerID), string(skills), string(kinds), ms(v.ConsentAt),
			v.Status, v.JoinedVia, tx.now.UnixMilli()).Scan(&v.ID)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE volunteers SET phone = ?, name = ?, resident_id = ?, partner_id = ?, skills = ?,
			kinds = ?, consent_ms = ?, status = ? WHERE id = ?`, v.Phone, v.Name, resident, nullID(v.PartnerID),
			string(skills), string(kinds), ms(v.ConsentAt), v.Status, v.ID)
	}
	if isUnique(err) {
		return chorus.Errorf(chorus.ECONFLICT, "这个手机号已经是本社区的志愿者了。")
	} else if err != nil {
		return fmt.Errorf("save volunteer: %w", err)
	}
	return nil
}

const volunteerCols = `v.id, v.community_id, v.phone, v.name, COALESCE(v.resident_id, 0), COALESCE(v.partner_id, 0),
	COALESCE(p.name, ''), v.skills, v.kinds, v.consent_ms, v.status, v.joined_via, v.created_ms`

const volunteerFrom = ` FROM volunteers v LEFT JOIN partners p ON p.id = v.partner_id `

func scanVolunteer(s rowScanner) (chorus.Volunteer, error) {
	var v chorus.Volunteer
	var skills, kinds string
	var consent sql.NullInt64
	var created int64
	if err := s.Scan(&v.ID, &v.Community, &v.Phone, &v.Name, &v.ResidentID, &v.PartnerID, &v.Partner, &skills, &kinds,
		&consent, &v.Status, &v.JoinedVia, &created); err != nil {
		return v, err
	}
	json.Unmarshal([]byte(skills), &v.Skills)
	json.Unmarshal([]byte(kinds), &v.Kinds)
	v.ConsentAt, v.Consent, v.CreatedAt = fromMS(consent), consent.Valid, time.UnixMilli(created)
	return v, nil
}

// Volunteers returns the scope's community's volunteers, by name.
func (db *DB) Volunteers(ctx context.Context) ([]chorus.Volunteer, error) {
	return queryRows(ctx, db.read, scanVolunteer, "SELECT "+volunteerCols+volunteerFrom+
		"WHERE v.community_id = ? ORDER BY v.status = 'left', v.name, v.id", chorus.ScopeFrom(ctx).Community)
}

// Volunteer returns one volunteer the scope sees. Errors: ENOTFOUND.
func (db *DB) Volunteer(ctx context.Context, id int64) (*chorus.Volunteer, error) {
	v, err := scanVolunteer(db.read.QueryRowContext(ctx, "SELECT "+volunteerCols+volunteerFrom+"WHERE v.id = ?", id))
	if err != nil || !chorus.ScopeFrom(ctx).Sees(v.Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这位志愿者。")
	}
	return &v, nil
}

// volunteerByPhone returns the volunteer of community with phone, or nil.
func (tx *Tx) volunteerByPhone(ctx context.Context, community int64, phone string) (*chorus.Volunteer, error) {
	v, err := scanVolunteer(tx.QueryRowContext(ctx, "SELECT "+volunteerCols+volunteerFrom+
		"WHERE v.community_id = ? AND v.phone = ?", community, phone))
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("volunteer by phone: %w", err)
	}
	return &v, nil
}

// SaveActivity creates an activity in the scope's community (ID 0) or
// changes one. Its leader must be a volunteer of the community, its
// partners units serving it. Errors: EINVALID, ENOTFOUND.
func (db *DB) SaveActivity(ctx context.Context, a *chorus.Activity) error {
	if err := a.Validate(); err != nil {
		return err
	}
	scope := chorus.ScopeFrom(ctx)
	return db.update(ctx, func(tx *Tx) error {
		if a.ID == 0 {
			a.Community, a.CreatedAt = scope.Community, tx.now
		} else {
			var created int64
			if err := tx.QueryRowContext(ctx, "SELECT community_id, created_ms FROM volunteer_activities WHERE id = ?", a.ID).
				Scan(&a.Community, &created); err != nil || !scope.Sees(a.Community) {
				return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个志愿活动。")
			}
			a.CreatedAt = time.UnixMilli(created)
		}
		if a.LeaderID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM volunteers WHERE id = ? AND community_id = ?",
				a.LeaderID, a.Community).Scan(&n); err != nil || n == 0 {
				return chorus.Errorf(chorus.EINVALID, "负责人要是本社区的志愿者。")
			}
		}
		for _, p := range a.Partners {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM partner_communities WHERE partner_id = ? AND community_id = ?",
				p, a.Community).Scan(&n); err != nil || n == 0 {
				return chorus.Errorf(chorus.EINVALID, "没有找到这个共建单位。")
			}
		}
		partners, _ := json.Marshal(a.Partners)
		if a.ID == 0 {
			return tx.QueryRowContext(ctx, `INSERT INTO volunteer_activities (community_id, kind, title, place, leader_id, partners,
				weekly, status, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.Community, a.Kind, a.Title, a.Place,
				nullID(a.LeaderID), string(partners), a.Weekly, a.Status, tx.now.UnixMilli()).Scan(&a.ID)
		}
		_, err := tx.ExecContext(ctx, `UPDATE volunteer_activities SET kind = ?, title = ?, place = ?, leader_id = ?, partners = ?,
			weekly = ?, status = ? WHERE id = ?`, a.Kind, a.Title, a.Place, nullID(a.LeaderID), string(partners), a.Weekly,
			a.Status, a.ID)
		return err
	})
}

const activityCols = `a.id, a.community_id, a.kind, a.title, a.place, COALESCE(a.leader_id, 0), COALESCE(l.name, ''),
	a.partners, a.weekly, a.status, a.created_ms`

const activityFrom = ` FROM volunteer_activities a LEFT JOIN volunteers l ON l.id = a.leader_id `

func scanActivity(s rowScanner) (chorus.Activity, error) {
	var a chorus.Activity
	var partners string
	var created int64
	if err := s.Scan(&a.ID, &a.Community, &a.Kind, &a.Title, &a.Place, &a.LeaderID, &a.Leader, &partners, &a.Weekly,
		&a.Status, &created); err != nil {
		return a, err
	}
	json.Unmarshal([]byte(partners), &a.Partners)
	a.CreatedAt = time.UnixMilli(created)
	return a, nil
}

// Activities returns the scope's community's activities, active first.
func (db *DB) Activities(ctx context.Context) ([]chorus.Activity, error) {
	return queryRows(ctx, db.read, scanActivity, "SELECT "+activityCols+activityFrom+
		"WHERE a.community_id = ? ORDER BY a.status, a.id DESC", chorus.ScopeFrom(ctx).Community)
}

// Activity returns one activity the scope sees, with its shifts from
// since on. Errors: ENOTFOUND.
func (db *DB) Activity(ctx context.Context, id int64, since time.Time) (*chorus.Activity, error) {
	a, err := scanActivity(db.read.QueryRowContext(ctx, "SELECT "+activityCols+activityFrom+"WHERE a.id = ?", id))
	if err != nil || !chorus.ScopeFrom(ctx).Sees(a.Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个志愿活动。")
	}
	a.Shifts, err = db.shifts(ctx, db.read, "s.activity_id = ? AND s.end_ms >= ?", id, since.UnixMilli())
	return &a, err
}

// AddShifts adds shift s to its activity, and for a weekly activity the
// same shift in each of the next weeks-1 weeks (weeks ≥ 1, at most 26).
// It returns the shifts made. Errors: EINVALID, ENOTFOUND.
func (db *DB) AddShifts(ctx context.Context, s chorus.Shift, weeks int) ([]chorus.Shift, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if weeks < 1 || weeks > 26 {
		return nil, chorus.Errorf(chorus.EINVALID, "重复周数应在1到26之间。")
	}
	var ids []int64
	err := db.update(ctx, func(tx *Tx) error {
		var weekly bool
		var status string
		if err := tx.QueryRowContext(ctx, "SELECT community_id, weekly, status FROM volunteer_activities WHERE id = ?",
			s.ActivityID).Scan(&s.Community, &weekly, &status); err != nil || !chorus.ScopeFrom(ctx).Sees(s.Community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个志愿活动。")
		}
		if status != "active" {
			return chorus.Errorf(chorus.ECONFLICT, "这个志愿活动已经结束了。")
		}
		if !s.Start.After(tx.now) {
			return chorus.Errorf(chorus.EINVALID, "班次要安排在以后的时间。")
		}
		if !weekly {
			weeks = 1
		}
		length := s.End.Sub(s.Start)
		for _, start := range chorus.WeeklyStarts(s.Start, weeks, tx.db.Location) {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO volunteer_shifts (community_id, activity_id, start_ms, end_ms, task,
				capacity, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, s.Community, s.ActivityID, start.UnixMilli(),
				start.Add(length).UnixMilli(), s.Task, s.Capacity, tx.now.UnixMilli()).Scan(&id); err != nil {
				return fmt.Errorf("insert shift: %w", err)
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.shifts(ctx, db.read, "s.id IN ("+placeholders(len(ids))+")", anys(ids)...)
}

func anys[T any](v []T) []any {
	out := make([]any, len(v))
	for i := range v {
		out[i] = v[i]
	}
	return out
}

const shiftCols = `s.id, s.community_id, s.activity_id, a.title, a.kind, a.place, s.start_ms, s.end_ms, s.task, s.capacity,
	s.taken, (SELECT COUNT(*) FROM volunteer_signups g WHERE g.shift_id = s.id AND g.status = 'waitlist'), s.called_ms`

const shiftFrom = ` FROM volunteer_shifts s JOIN volunteer_activities a ON a.id = s.activity_id `

func scanShift(r rowScanner) (chorus.Shift, error) {
	var s chorus.Shift
	var start, end int64
	var called sql.NullInt64
	err := r.Scan(&s.ID, &s.Community, &s.ActivityID, &s.Activity, &s.Kind, &s.Place, &start, &end, &s.Task, &s.Capacity,
		&s.Taken, &s.Waiting, &called)
	s.Start, s.End, s.CalledAt = time.UnixMilli(start), time.UnixMilli(end), fromMS(called)
	return s, err
}

func (db *DB) shifts(ctx context.Context, q querier, where string, args ...any) ([]chorus.Shift, error) {
	return queryRows(ctx, q, scanShift, "SELECT "+shiftCols+shiftFrom+"WHERE "+where+" ORDER BY s.start_ms, s.id", args...)
}

// Shift returns one shift the scope sees. Errors: ENOTFOUND.
func (db *DB) Shift(ctx context.Context, id int64) (*chorus.Shift, error) {
	list, err := db.shifts(ctx, db.read, "s.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 || !chorus.ScopeFrom(ctx).Sees(list[0].Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个班次。")
	}
	return &list[0], nil
}

// OpenShifts returns the scope's community's shifts of active activities
// starting from now until to, soonest first (the kiosk's 我要帮忙).
func (db *DB) OpenShifts(ctx context.Context, to time.Time) ([]chorus.Shift, error) {
	return db.shifts(ctx, db.read, "s.community_id = ? AND a.status = 'active' AND s.start_ms > ? AND s.start_ms < ?",
		chorus.ScopeFrom(ctx).Community, db.Now().UnixMilli(), to.UnixMilli())
}

// VolunteerByPhone returns the scope's community's volunteer with phone.
// Errors: ENOTFOUND.
func (db *DB) VolunteerByPhone(ctx context.Context, phone string) (*chorus.Volunteer, error) {
	v, err := scanVolunteer(db.read.QueryRowContext(ctx, "SELECT "+volunteerCols+volunteerFrom+
		"WHERE v.community_id = ? AND v.phone = ?", chorus.ScopeFrom(ctx).Community, phone))
	if err != nil {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "这个手机号还不是本社区的志愿者。")
	}
	return &v, nil
}
