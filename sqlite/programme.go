package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

var _ chorus.ProgrammeService = (*DB)(nil)

// CreateProgramme stores a new programme in the scope's community, at one
// of its places. Errors: EINVALID.
func (db *DB) CreateProgramme(ctx context.Context, p *chorus.Programme) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.CreatedAt, p.Taken = db.Now(), 0
	p.Community = chorus.ScopeFrom(ctx).Community
	return db.update(ctx, func(tx *Tx) error {
		if err := tx.checkRefs(ctx, p.PlaceID, p.PartnerID); err != nil {
			return err
		}
		if err := tx.checkPlaceOf(ctx, p.PlaceID, p.Community); err != nil {
			return err
		}
		res, err := tx.insert(ctx, `INSERT INTO programmes (title, description, place_id, partner_id, start_date,
			end_date, min_age, max_age, capacity, status, created_ms, community_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Title, p.Description, p.PlaceID, nullID(p.PartnerID), p.StartDate, p.EndDate, p.MinAge, p.MaxAge,
			p.Capacity, p.Status, p.CreatedAt.UnixMilli(), p.Community)
		if err != nil {
			return fmt.Errorf("insert programme: %w", err)
		}
		p.ID, err = res.LastInsertId()
		tx.change.Programmes = append(tx.change.Programmes, p.ID)
		return err
	})
}

// UpdateProgramme changes a programme; see chorus.ProgrammeService.
func (db *DB) UpdateProgramme(ctx context.Context, p *chorus.Programme) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		var taken int
		var kind string
		if err := tx.QueryRowContext(ctx, "SELECT taken, community_id, kind FROM programmes WHERE id = ?", p.ID).Scan(&taken, &p.Community, &kind); err != nil {
			return notFound(err, "托管项目")
		}
		if !chorus.ScopeFrom(ctx).Sees(p.Community) || kind != "childcare" { // a class's places change with the class
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个托管项目。")
		}
		if p.Capacity < taken {
			return chorus.Errorf(chorus.ECONFLICT, "已有%d个孩子报名,名额不能少于%d。", taken, taken)
		}
		if err := tx.checkRefs(ctx, p.PlaceID, p.PartnerID); err != nil {
			return err
		}
		if err := tx.checkPlaceOf(ctx, p.PlaceID, p.Community); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE programmes SET title = ?, description = ?, place_id = ?, partner_id = ?,
			start_date = ?, end_date = ?, min_age = ?, max_age = ?, capacity = ?, status = ? WHERE id = ?`,
			p.Title, p.Description, p.PlaceID, nullID(p.PartnerID), p.StartDate, p.EndDate, p.MinAge, p.MaxAge,
			p.Capacity, p.Status, p.ID); err != nil {
			return fmt.Errorf("update programme: %w", err)
		}
		tx.change.Programmes = append(tx.change.Programmes, p.ID)
		return tx.offerPlaces(ctx, p.ID)
	})
}

const programmeCols = `g.id, g.title, g.description, g.place_id, p.name, COALESCE(g.partner_id, 0), COALESCE(pa.name, ''),
	g.start_date, g.end_date, g.min_age, g.max_age, g.capacity, g.taken, g.status, g.created_ms,
	(SELECT COUNT(*) FROM enrolments n WHERE n.programme_id = g.id AND n.status = 'waitlisted'), g.community_id`

const programmeFrom = ` FROM programmes g JOIN places p ON p.id = g.place_id LEFT JOIN partners pa ON pa.id = g.partner_id `

func scanProgramme(s interface{ Scan(...any) error }) (chorus.Programme, error) {
	var p chorus.Programme
	var created sql.NullInt64
	err := s.Scan(&p.ID, &p.Title, &p.Description, &p.PlaceID, &p.Place, &p.PartnerID, &p.Partner, &p.StartDate,
		&p.EndDate, &p.MinAge, &p.MaxAge, &p.Capacity, &p.Taken, &p.Status, &created, &p.Waiting, &p.Community)
	p.CreatedAt = fromMS(created)
	return p, err
}

// Programme returns one programme of the scope's community. Errors:
// ENOTFOUND.
func (db *DB) Programme(ctx context.Context, id int64) (*chorus.Programme, error) {
	p, err := db.programme(ctx, id)
	if err != nil {
		return nil, err
	}
	if !chorus.ScopeFrom(ctx).Sees(p.Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个托管项目。")
	}
	return p, nil
}

// programme reads programme id whatever the scope.
func (db *DB) programme(ctx context.Context, id int64) (*chorus.Programme, error) {
	p, err := scanProgramme(db.read.QueryRowContext(ctx, "SELECT "+programmeCols+programmeFrom+"WHERE g.id = ?", id))
	if err != nil {
		return nil, notFound(err, "托管项目")
	}
	return &p, nil
}

// Programmes returns the scope's community's open programmes that have
// not ended by today (YYYY-MM-DD), soonest first.
func (db *DB) Programmes(ctx context.Context, today string) ([]chorus.Programme, error) {
	return db.queryProgrammes(ctx, "SELECT "+programmeCols+programmeFrom+
		"WHERE g.community_id = ? AND g.kind = 'childcare' AND g.status = 'open' AND g.end_date >= ? ORDER BY g.start_date, g.id",
		chorus.ScopeFrom(ctx).Community, today)
}

// DistrictProgrammes returns every community's open programmes that have
// not ended by now on their community's clock, soonest first, whatever
// the scope: the kiosk hub sends each kiosk its community's.
func (db *DB) DistrictProgrammes(ctx context.Context, now time.Time) ([]chorus.Programme, error) {
	// No zone is more than 14 hours ahead of UTC nor 12 behind: a
	// programme whose last day is before the earliest date anywhere has
	// ended everywhere.
	earliest := now.UTC().Add(-12 * time.Hour).Format(time.DateOnly)
	list, err := db.queryProgrammes(ctx, "SELECT "+programmeCols+programmeFrom+
		"WHERE g.kind = 'childcare' AND g.status = 'open' AND g.end_date >= ? ORDER BY g.start_date, g.id", earliest)
	if err != nil {
		return nil, err
	}
	today := map[int64]string{}
	out := list[:0]
	for _, p := range list {
		c := max(p.Community, 1)
		if _, ok := today[c]; !ok {
			today[c] = now.In(db.ZoneOf(ctx, c)).Format(time.DateOnly)
		}
		if p.EndDate >= today[c] {
			out = append(out, p)
		}
	}
	return out, nil
}

// ListProgrammes returns the programmes of a period for staff; see
// chorus.ProgrammeService.
func (db *DB) ListProgrammes(ctx context.Context, period chorus.Period, today string) ([]chorus.Programme, error) {
	// The scope's community only, even for the district admin; a class's
	// places (kind 'class') are the class's.
	where, order, args := "WHERE g.community_id = ? AND g.kind = 'childcare' ", "g.start_date DESC, g.id DESC", []any{chorus.ScopeFrom(ctx).Community}
	switch period {
	case chorus.PeriodUpcoming:
		where, order, args = where+"AND g.status != 'cancelled' AND g.end_date >= ? ", "g.start_date, g.id", append(args, today)
	case chorus.PeriodPast:
		where, args = where+"AND g.status != 'cancelled' AND g.end_date < ? ", append(args, today)
	case chorus.PeriodCancelled:
		where += "AND g.status = 'cancelled' "
	case chorus.PeriodToday:
		where, order, args = where+"AND g.status != 'cancelled' AND g.start_date <= ? AND g.end_date >= ? ", "g.start_date, g.id", append(args, today, today)
	}
	return db.queryProgrammes(ctx, "SELECT "+programmeCols+programmeFrom+where+"ORDER BY "+order+" LIMIT ?",
		append(args, chorus.MaxListed)...)
}

func (db *DB) queryProgrammes(ctx context.Context, q string, args ...any) ([]chorus.Programme, error) {
	out, err := queryRows(ctx, db.read, scanProgramme, q, args...)
	if err != nil {
		return nil, fmt.Errorf("programmes: %w", err)
	}
	return out, nil
}

// CancelProgramme calls a programme off; see chorus.ProgrammeService.
func (db *DB) CancelProgramme(ctx context.Context, id int64, actor chorus.Actor, reason string) (*chorus.Programme, error) {
	err := db.update(ctx, func(tx *Tx) error {
		if err := seeProgramme(ctx, tx, id); err != nil {
			return err
		}
		var status chorus.EventStatus
		var kind string
		if err := tx.QueryRowContext(ctx, "SELECT status, kind FROM programmes WHERE id = ?", id).Scan(&status, &kind); err != nil {
			return notFound(err, "托管项目")
		}
		if kind != "childcare" { // a class is called off as a class
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个托管项目。")
		}
		if status == chorus.EventCancelled {
			return chorus.Errorf(chorus.ECONFLICT, "这个托管项目已经取消了。")
		}
		// Cancel first so that freed places are not offered to the waitlist.
		if _, err := tx.ExecContext(ctx, "UPDATE programmes SET status = 'cancelled' WHERE id = ?", id); err != nil {
			return fmt.Errorf("cancel programme: %w", err)
		}
		ids, err := queryIDs(ctx, tx, "SELECT id FROM enrolments WHERE programme_id = ? AND status IN "+liveIn+" ORDER BY id", id)
		if err != nil {
			return err
		}
		for _, e := range ids {
			if err := tx.enrolmentTo(ctx, e, "", chorus.StatusCancelled, actor, "项目取消:"+reason); err != nil {
				return err
			}
		}
		tx.change.Programmes = append(tx.change.Programmes, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.programme(ctx, id)
}

// Enrol enrols children; see chorus.ProgrammeService.
func (db *DB) Enrol(ctx context.Context, req chorus.EnrolmentRequest) (*chorus.Enrolment, error) {
	p, err := db.Programme(ctx, req.ProgrammeID)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(p); err != nil {
		return nil, err
	}
	if req.Actor == "" {
		req.Actor = chorus.ActorResident
	}
	var id int64
	var existing bool
	err = db.update(ctx, func(tx *Tx) error {
		var err error
		id, existing, err = tx.enrol(ctx, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	e, err := db.enrolment(ctx, id)
	if err != nil {
		return nil, err
	}
	e.Existing = existing
	if err := db.answerEnrolment(ctx, e, req.IdempotencyKey); err != nil {
		return nil, err
	}
	return e, nil
}

func (tx *Tx) enrol(ctx context.Context, req chorus.EnrolmentRequest) (id int64, existing bool, err error) {
	if req.IdempotencyKey != "" {
		var pid int64
		var phone string
		err := tx.QueryRowContext(ctx, "SELECT id, programme_id, phone FROM enrolments WHERE idem_key = ?",
			req.IdempotencyKey).Scan(&id, &pid, &phone)
		if err == nil {
			if pid != req.ProgrammeID || phone != req.Phone {
				return 0, false, chorus.Errorf(chorus.ECONFLICT, "这个请求编号已经用于另一个报名了。")
			}
			return id, true, nil
		} else if err != sql.ErrNoRows {
			return 0, false, fmt.Errorf("idempotency key: %w", err)
		}
	}
	var status chorus.EventStatus
	var endDate string
	if err := tx.QueryRowContext(ctx, "SELECT status, end_date FROM programmes WHERE id = ?", req.ProgrammeID).
		Scan(&status, &endDate); err != nil {
		return 0, false, notFound(err, "托管项目")
	}
	if status != chorus.EventOpen || endDate < tx.now.In(tx.db.Location).Format("2006-01-02") {
		return 0, false, chorus.Errorf(chorus.ECONFLICT, "这个托管项目已经停止报名了。")
	}
	err = tx.QueryRowContext(ctx, "SELECT id FROM enrolments WHERE programme_id = ? AND phone = ? AND status IN "+liveIn,
		req.ProgrammeID, req.Phone).Scan(&id)
	if err == nil {
		return id, true, nil
	} else if err != sql.ErrNoRows {
		return 0, false, fmt.Errorf("existing enrolment: %w", err)
	}
	n := len(req.Children)
	// Strict order: nobody jumps a waitlist that already exists.
	res, err := tx.ExecContext(ctx, `UPDATE programmes SET taken = taken + ? WHERE id = ? AND taken + ? <= capacity
		AND NOT EXISTS (SELECT 1 FROM enrolments WHERE programme_id = ? AND status IN ('waitlisted','offered'))`,
		n, req.ProgrammeID, n, req.ProgrammeID)
	if err != nil {
		return 0, false, fmt.Errorf("take places: %w", err)
	}
	st := chorus.StatusConfirmed
	if k, _ := res.RowsAffected(); k == 0 {
		st = chorus.StatusWaitlisted
	}
	res, err = tx.insert(ctx, `INSERT INTO enrolments (programme_id, phone, name, status, idem_key, created_ms, updated_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, req.ProgrammeID, req.Phone, req.Name, st, nullStr(req.IdempotencyKey),
		tx.now.UnixMilli(), tx.now.UnixMilli())
	if err != nil {
		return 0, false, fmt.Errorf("insert enrolment: %w", err)
	}
	if id, err = res.LastInsertId(); err != nil {
		return 0, false, err
	}
	if err := tx.giveClassCode(ctx, req.ProgrammeID, id); err != nil {
		return 0, false, err
	}
	for _, c := range req.Children {
		if _, err := tx.ExecContext(ctx, "INSERT INTO enrolment_children (enrolment_id, name, age) VALUES (?, ?, ?)",
			id, c.Name, c.Age); err != nil {
			return 0, false, fmt.Errorf("insert child: %w", err)
		}
	}
	if err := tx.record(ctx, "enrolment_id", id, "", st, req.Actor, ""); err != nil {
		return 0, false, err
	}
	if err := tx.touchResident(ctx, req.Phone, req.Name); err != nil {
		return 0, false, err
	}
	if err := tx.queueEnrolmentMessage(ctx, id, st); err != nil {
		return 0, false, err
	}
	tx.change.Programmes = append(tx.change.Programmes, req.ProgrammeID)
	return id, false, nil
}

// queueEnrolmentMessage tells the guardian where an enrolment stands.
func (tx *Tx) queueEnrolmentMessage(ctx context.Context, id int64, st chorus.Status) error {
	var phone, title, startDate string
	if err := tx.QueryRowContext(ctx, `SELECT n.phone, g.title, g.start_date FROM enrolments n JOIN programmes g ON g.id = n.programme_id
		WHERE n.id = ?`, id).Scan(&phone, &title, &startDate); err != nil {
		return fmt.Errorf("enrolment %d for sms: %w", id, err)
	}
	if st == chorus.StatusConfirmed {
		if ok, err := tx.queueClassEnrolled(ctx, id); ok || err != nil {
			return err
		}
	}
	m := chorus.Message{Phone: phone, Kind: chorus.MsgEnrolled, EnrolmentID: id,
		Params: map[string]string{"programme": chorus.Ellipsize(title, chorus.MaxParamRunes), "status": st.Label()}}
	if st == chorus.StatusOffered {
		m.Kind = chorus.MsgWaitlistOffer
		m.Params = map[string]string{"event": chorus.Ellipsize(title, chorus.MaxParamRunes), "time": programmeStart(startDate, tx.db.Location),
			"hours": fmt.Sprint(chorus.OfferHours(tx.now.Add(tx.db.OfferTTL), tx.now))}
	}
	return tx.queue(ctx, m)
}

// programmeStart renders a programme's start date as 1月18日周一.
func programmeStart(date string, loc *time.Location) string {
	t, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		return date
	}
	return chorus.FormatDay(t) + "起"
}

// CancelEnrolment cancels an enrolment; see chorus.ProgrammeService.
func (db *DB) CancelEnrolment(ctx context.Context, id int64, actor chorus.Actor, reason string) (*chorus.Enrolment, error) {
	err := db.update(ctx, func(tx *Tx) error {
		if err := seeEnrolment(ctx, tx, id); err != nil {
			return err
		}
		return tx.enrolmentTo(ctx, id, "", chorus.StatusCancelled, actor, reason)
	})
	if err != nil {
		return nil, err
	}
	return db.enrolment(ctx, id)
}

// ConfirmEnrolmentOffer takes places offered to a waitlisted enrolment.
// Errors: ENOTFOUND, ECONFLICT (no offer, or it expired).
func (db *DB) ConfirmEnrolmentOffer(ctx context.Context, id int64, actor chorus.Actor) (*chorus.Enrolment, error) {
	err := db.update(ctx, func(tx *Tx) error {
		if err := seeEnrolment(ctx, tx, id); err != nil {
			return err
		}
		return tx.enrolmentTo(ctx, id, chorus.StatusOffered, chorus.StatusConfirmed, actor, "")
	})
	if err != nil {
		return nil, err
	}
	return db.enrolment(ctx, id)
}

// enrolmentTo moves an enrolment along the booking state machine and passes
// freed places on in waitlist order.
func (tx *Tx) enrolmentTo(ctx context.Context, id int64, expect, to chorus.Status, actor chorus.Actor, reason string) error {
	var from chorus.Status
	var pid int64
	var children int
	err := tx.QueryRowContext(ctx, `SELECT status, programme_id, (SELECT COUNT(*) FROM enrolment_children WHERE enrolment_id = ?)
		FROM enrolments WHERE id = ?`, id, id).Scan(&from, &pid, &children)
	if err != nil {
		return notFound(err, "报名")
	}
	if expect != "" && from != expect {
		return chorus.Errorf(chorus.ECONFLICT, "这个报名现在是“%s”,已经变了,请刷新后再试。", from.Label())
	}
	if err := chorus.CheckTransition(from, to); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE enrolments SET status = ?, updated_ms = ? WHERE id = ?", to, tx.now.UnixMilli(), id); err != nil {
		return fmt.Errorf("enrolment %d to %s: %w", id, to, err)
	}
	if err := tx.record(ctx, "enrolment_id", id, from, to, actor, reason); err != nil {
		return err
	}
	if to == chorus.StatusCancelled && actor != chorus.ActorSMS { // a reply's cancellation is acknowledged by the reply
		if err := tx.queueEnrolmentMessage(ctx, id, to); err != nil {
			return err
		}
	}
	if from == chorus.StatusOffered && to == chorus.StatusConfirmed {
		// A class's place taken from the waitlist: the code, once. A place
		// kept after missed sessions (confirmed before) sends nothing.
		var before int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM transitions WHERE enrolment_id = ? AND to_status = 'confirmed'", id).
			Scan(&before); err != nil {
			return fmt.Errorf("confirmed before: %w", err)
		}
		if before == 1 {
			if _, err := tx.queueClassEnrolled(ctx, id); err != nil {
				return err
			}
		}
	}
	if from.HoldsSeat() && !to.HoldsSeat() {
		if _, err := tx.ExecContext(ctx, "UPDATE programmes SET taken = taken - ? WHERE id = ?", children, pid); err != nil {
			return fmt.Errorf("free places: %w", err)
		}
	}
	tx.change.Programmes = append(tx.change.Programmes, pid)
	return tx.offerPlaces(ctx, pid)
}

// offerPlaces offers free places to the head of the waitlist while it fits,
// strictly in order.
func (tx *Tx) offerPlaces(ctx context.Context, pid int64) error {
	for {
		var id int64
		var n int
		err := tx.QueryRowContext(ctx, `SELECT n.id, (SELECT COUNT(*) FROM enrolment_children c WHERE c.enrolment_id = n.id)
			FROM enrolments n WHERE n.programme_id = ? AND n.status = 'waitlisted' ORDER BY n.id LIMIT 1`, pid).Scan(&id, &n)
		if err == sql.ErrNoRows {
			return nil
		} else if err != nil {
			return fmt.Errorf("waitlist of programme %d: %w", pid, err)
		}
		res, err := tx.ExecContext(ctx, "UPDATE programmes SET taken = taken + ? WHERE id = ? AND taken + ? <= capacity AND status = 'open'", n, pid, n)
		if err != nil {
			return fmt.Errorf("hold places: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil // the head does not fit yet; nobody jumps it
		}
		if _, err := tx.ExecContext(ctx, "UPDATE enrolments SET status = 'offered', deadline_ms = ?, updated_ms = ? WHERE id = ?",
			chorus.OfferDeadline(tx.now, tx.db.OfferTTL, time.Time{}).UnixMilli(), tx.now.UnixMilli(), id); err != nil {
			return fmt.Errorf("offer places: %w", err)
		}
		if err := tx.record(ctx, "enrolment_id", id, chorus.StatusWaitlisted, chorus.StatusOffered, chorus.ActorSystem, "有空位了"); err != nil {
			return err
		}
		if err := tx.queueEnrolmentMessage(ctx, id, chorus.StatusOffered); err != nil {
			return err
		}
	}
}

// ExpireEnrolmentOffers expires offers past their deadline, as
// chorus.DecideLapse decides, and passes the places on. It returns how
// many expired.
func (db *DB) ExpireEnrolmentOffers(ctx context.Context) (int, error) {
	now := db.Now()
	type due struct {
		id       int64
		deadline time.Time
	}
	list, err := queryRows(ctx, db.read, func(rows rowScanner) (due, error) {
		var d due
		var deadline sql.NullInt64
		err := rows.Scan(&d.id, &deadline)
		d.deadline = fromMS(deadline)
		return d, err
	}, "SELECT id, deadline_ms FROM enrolments WHERE status = 'offered' AND deadline_ms <= ? LIMIT 1000", now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("expire offers: %w", err)
	}
	n := 0
	for _, d := range list {
		lapse, ok := chorus.DecideLapse(chorus.StatusOffered, d.deadline, time.Time{}, now)
		if !ok {
			continue
		}
		err := db.update(ctx, func(tx *Tx) error {
			return tx.enrolmentTo(ctx, d.id, chorus.StatusOffered, lapse.To, chorus.ActorSystem, lapse.Reason)
		})
		if chorus.ErrorCode(err) == chorus.ECONFLICT {
			continue
		} else if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (db *DB) enrolment(ctx context.Context, id int64) (*chorus.Enrolment, error) {
	list, err := db.queryEnrolments(ctx, "n.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个报名。")
	}
	return &list[0], nil
}

// Enrolments returns a programme's enrolments (one of the scope's
// community, else ENOTFOUND), or a phone's live ones when phone is set,
// of the programmes of the scope's community (a guardian's own, at a
// kiosk of the programme's community or through its staff).
func (db *DB) Enrolments(ctx context.Context, programmeID int64, phone string) ([]chorus.Enrolment, error) {
	if phone != "" {
		sc := chorus.ScopeFrom(ctx)
		return db.queryEnrolments(ctx, "n.phone = ? AND n.status IN "+liveIn+" AND (g.community_id = ? OR ? = 1)",
			phone, sc.Community, sc.District)
	}
	if err := seeProgramme(ctx, db.read, programmeID); err != nil {
		return nil, err
	}
	return db.queryEnrolments(ctx, "n.programme_id = ?", programmeID)
}

func (db *DB) queryEnrolments(ctx context.Context, where string, args ...any) ([]chorus.Enrolment, error) {
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.Enrolment, error) {
		var e chorus.Enrolment
		var deadline, created sql.NullInt64
		var pos int
		var kind string
		var nonce sql.NullString
		err := rows.Scan(&e.ID, &e.ProgrammeID, &e.Phone, &e.Name, &e.Status, &deadline, &created, &e.Programme, &pos, &e.Community, &kind, &e.Code, &nonce)
		e.CheckinToken = nonce.String // signed below
		e.Class = kind == "class"
		e.Deadline, e.CreatedAt = fromMS(deadline), fromMS(created)
		if e.Status == chorus.StatusWaitlisted {
			e.Position = pos
		}
		return e, err
	}, `SELECT n.id, n.programme_id, n.phone, n.name, n.status, n.deadline_ms, n.created_ms,
		g.title, (SELECT COUNT(*) FROM enrolments w WHERE w.programme_id = n.programme_id AND w.status = 'waitlisted' AND w.id <= n.id),
		g.community_id, g.kind, n.code, n.token_nonce FROM enrolments n JOIN programmes g ON g.id = n.programme_id WHERE `+where+" ORDER BY n.id", args...)
	if err != nil {
		return nil, fmt.Errorf("enrolments: %w", err)
	}
	for i := range out {
		if err := db.signEnrolmentToken(ctx, &out[i]); err != nil {
			return nil, err
		}
		out[i].Children, err = queryRows(ctx, db.read, func(rows rowScanner) (chorus.Child, error) {
			var c chorus.Child
			err := rows.Scan(&c.Name, &c.Age)
			return c, err
		}, "SELECT name, age FROM enrolment_children WHERE enrolment_id = ? ORDER BY id", out[i].ID)
		if err != nil {
			return nil, fmt.Errorf("children: %w", err)
		}
	}
	return out, nil
}
