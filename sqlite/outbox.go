package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
)

// Refusal reasons recorded in err_code of a refused message.
const (
	RefusedOptedOut     = "opted_out"      // the phone replied R/TD/退订
	RefusedDailyLimit   = "daily_limit"    // the budget's daily limit reached (PerPhoneDaily, PartnerDaily, StaffDaily)
	RefusedResendLimit  = "resend_limit"   // ResendDaily check-in code resends reached
	RefusedInvalidParam = "invalid_params" // the template parameters did not validate
)

// queue writes m to the outbox in tx, and a copy for each family contact of
// the resident with m.Phone when its kind goes to family, each subject to
// opt-out and daily limits; a message those rules stop is written as
// refused with the reason. The kind's rule (chorus.KindRule) decides who
// gets it, what an opt-out stops and whether it expects a reply.
func (tx *Tx) queue(ctx context.Context, m chorus.Message) error {
	_, err := tx.queueTold(ctx, m)
	return err
}

// queueTold is queue, reporting whether m itself (not a family copy) was
// queued rather than refused.
func (tx *Tx) queueTold(ctx context.Context, m chorus.Message) (bool, error) {
	return tx.queueToldKnown(ctx, m, nil)
}

// queueToldKnown is queueTold with known, when set and fit for m
// (phoneFacts.fits), the facts of m.Phone read earlier in the transaction,
// before anything was written for that phone.
func (tx *Tx) queueToldKnown(ctx context.Context, m chorus.Message, known *phoneFacts) (bool, error) {
	// What the rules need of the phone itself, and its family when the
	// kind goes to family, is read in one statement (ownFacts).
	var own phoneFacts
	if known != nil && known.fits(m) {
		own = *known
	} else {
		var err error
		if own, err = tx.ownFacts(ctx, m); err != nil {
			return false, err
		}
	}
	phones := append([]string{m.Phone}, own.family...)
	// The resident's own notice goes by their channel; family copies
	// always by SMS.
	channels := []chorus.Channel{chorus.ChannelSMS}
	if m.Kind.Spoken() {
		switch own.channel {
		case chorus.ChannelVoice:
			channels = []chorus.Channel{chorus.ChannelVoice}
		case chorus.ChannelBoth:
			channels = []chorus.Channel{chorus.ChannelSMS, chorus.ChannelVoice}
		}
	}
	told := false
	for i, p := range phones {
		chs := []chorus.Channel{chorus.ChannelSMS}
		if i == 0 {
			chs = channels
		}
		for _, ch := range chs {
			c := m
			c.Phone, c.Channel = p, ch
			var facts *phoneFacts
			if i == 0 {
				facts = &own
			}
			st, err := tx.queueOneKnown(ctx, c, i == 0, facts)
			if err != nil {
				return false, err
			}
			if i == 0 && st == chorus.MessageQueued {
				told = true
			}
		}
	}
	return told, nil
}

// phoneFacts is what the rules of queue need of the phone a message is
// about, read before any of its messages is written: its channel, whether
// it opted out, the SMS it got today from the kind's budget and of the
// kind itself, and its family's phones when the kind goes to family.
type phoneFacts struct {
	channel        chorus.Channel
	optedOut       bool
	today, resends int
	family         []string

	// Set on facts read ahead (phoneFactsCols): whose, of which budget,
	// with the family's phones; the kinds they fit.
	phone      string
	budget     chorus.Budget
	withFamily bool

	// Scanned, before scanned turns them into the fields above.
	rawChannel, rawFamily sql.NullString
	rawOut                sql.NullInt64
}

// phoneFactsCols are columns that read a phone's facts ahead, with the
// other columns of a statement (bookTarget), for messages of one budget
// that go to family and count no resends; args are their arguments, dest
// their destinations, and scanned finishes them.
const phoneFactsCols = `(SELECT channel FROM residents WHERE phone = ?),
	(SELECT opted_out_ms FROM residents WHERE phone = ?),
	(SELECT COUNT(*) FROM messages WHERE phone = ? AND created_ms >= ? AND status != 'refused' AND channel = 'sms' AND budget = ?),
	(SELECT json_group_array(f.phone) FROM family_contacts f JOIN residents r ON r.id = f.resident_id
		WHERE r.phone = ? AND f.phone != ?)`

// args are the arguments of phoneFactsCols for phone's facts of f's
// budget, today since dayStart.
func (f phoneFacts) args(phone string, dayStart int64) []any {
	return []any{phone, phone, phone, dayStart, f.budget, phone, phone}
}

// dest are the destinations of phoneFactsCols.
func (f *phoneFacts) dest() []any {
	return []any{&f.rawChannel, &f.rawOut, &f.today, &f.rawFamily}
}

// scanned finishes facts of phone scanned from phoneFactsCols with as's
// budget and family rule.
func (f *phoneFacts) scanned(phone string, as phoneFacts) error {
	f.phone, f.budget, f.withFamily = phone, as.budget, as.withFamily
	f.channel, f.optedOut = chorus.Channel(f.rawChannel.String), f.rawOut.Valid
	f.family = nil
	if f.rawFamily.Valid && f.rawFamily.String != "" {
		if err := json.Unmarshal([]byte(f.rawFamily.String), &f.family); err != nil {
			return fmt.Errorf("family of %s: %w", chorus.MaskPhone(phone), err)
		}
	}
	return nil
}

// fits reports whether facts read ahead serve m: the same phone, budget
// and family rule, and a kind that counts no resends.
func (f *phoneFacts) fits(m chorus.Message) bool {
	return f.phone != "" && f.phone == m.Phone && f.budget == m.Kind.Budget() &&
		f.withFamily == m.Kind.ToFamily() && !m.Kind.Resend()
}

// ownFacts reads m.Phone's phoneFacts in one statement: one row per
// family contact (or one, with no contact).
func (tx *Tx) ownFacts(ctx context.Context, m chorus.Message) (phoneFacts, error) {
	var f phoneFacts
	rows, err := tx.QueryContext(ctx, `SELECT COALESCE(r.channel, ''), r.opted_out_ms, c.today, c.resends, f.phone
		FROM (SELECT COUNT(*) FILTER (WHERE budget = ?) AS today, COUNT(*) FILTER (WHERE kind = ?) AS resends
			FROM messages WHERE phone = ? AND created_ms >= ? AND status != 'refused' AND channel = 'sms') c
		LEFT JOIN residents r ON r.phone = ?
		LEFT JOIN family_contacts f ON ? = 1 AND f.resident_id = r.id AND f.phone != ?`,
		m.Kind.Budget(), m.Kind, m.Phone, tx.dayStart(), m.Phone, m.Kind.ToFamily(), m.Phone)
	if err != nil {
		return f, fmt.Errorf("sms rules of %s: %w", chorus.MaskPhone(m.Phone), err)
	}
	defer rows.Close()
	for rows.Next() {
		var out sql.NullInt64
		var fam sql.NullString
		if err := rows.Scan(&f.channel, &out, &f.today, &f.resends, &fam); err != nil {
			return f, fmt.Errorf("sms rules of %s: %w", chorus.MaskPhone(m.Phone), err)
		}
		f.optedOut = out.Valid
		if fam.Valid {
			f.family = append(f.family, fam.String)
		}
	}
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("sms rules of %s: %w", chorus.MaskPhone(m.Phone), err)
	}
	return f, nil
}

// queueOne writes one message and returns its status (queued or refused);
// own is false for a family contact's copy.
func (tx *Tx) queueOne(ctx context.Context, m chorus.Message, own bool) (chorus.MessageStatus, error) {
	return tx.queueOneKnown(ctx, m, own, nil)
}

// queueOneKnown is queueOne with facts, when set, the phone's facts read
// before its first message (else the rules read them).
func (tx *Tx) queueOneKnown(ctx context.Context, m chorus.Message, own bool, facts *phoneFacts) (chorus.MessageStatus, error) {
	m.Status, m.ErrCode = chorus.MessageQueued, ""
	m.ExpectsReply = m.Kind.ExpectsReply()
	if m.Channel == "" {
		m.Channel = chorus.ChannelSMS
	}
	if reason, err := tx.refusal(ctx, m, own, facts); err != nil {
		return "", err
	} else if reason != "" {
		m.Status, m.ErrCode = chorus.MessageRefused, reason
		tx.db.Logger.Info("sms refused", "phone", chorus.MaskPhone(m.Phone), "kind", m.Kind, "reason", reason)
	}
	if m.Params == nil {
		m.Params = map[string]string{}
	}
	params, err := json.Marshal(m.Params)
	if err != nil {
		return "", fmt.Errorf("queue %s: %w", m.Kind, err)
	}
	now := tx.now.UnixMilli()
	// The id is the provider's OutId: after a restore it stays above every
	// id the replaced database used (metaMessageIDFloor), so that a new
	// message is never mistaken for one sent before the restore.
	// Its community (the sender signs with that community's signature):
	// m's own, else its record's, else the resident's, else the scope's.
	if err := tx.later(ctx, `INSERT INTO messages (id, phone, kind, params, status, next_attempt_ms,
		err_code, expects_reply, booking_id, enrolment_id, order_id, created_ms, updated_ms, budget, channel, community_id)
		VALUES (`+tx.db.nextMessageID()+`,
			?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(NULLIF(?, 0),
			(SELECT community_id FROM orders WHERE id = ?),
			(SELECT e.community_id FROM bookings b JOIN events e ON e.id = b.event_id WHERE b.id = ?),
			(SELECT g.community_id FROM enrolments n JOIN programmes g ON g.id = n.programme_id WHERE n.id = ?),
			(SELECT community_id FROM residents WHERE phone = ?), ?))`,
		m.Phone, m.Kind, string(params), m.Status, now, m.ErrCode, m.ExpectsReply,
		nullID(m.BookingID), nullID(m.EnrolmentID), nullID(m.OrderID), now, now, m.Kind.Budget(), m.Channel,
		m.Community, m.OrderID, m.BookingID, m.EnrolmentID, m.Phone, chorus.ScopeFrom(ctx).Community); err != nil {
		return "", fmt.Errorf("queue %s: %w", m.Kind, err)
	}
	if m.Status == chorus.MessageQueued {
		tx.change.Messages++
	}
	return m.Status, nil
}

// nextMessageID is the SQL of a new message's id. On SQLite, one above
// every id used and the restore floor (metaMessageIDFloor). On PostgreSQL
// the next of the id column's sequence, above the floor too: reading
// MAX(id) would make every two transactions that queue a message conflict.
func (db *DB) nextMessageID() string {
	if db.pg {
		if db.pgMessageID != "" {
			return db.pgMessageID
		}
		return pgNextMessageID
	}
	return sqliteNextMessageID
}

var (
	messageIDFloor      = "COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '" + metaMessageIDFloor + "'), 0)"
	sqliteNextMessageID = "MAX(COALESCE((SELECT MAX(id) FROM messages), 0), " + messageIDFloor + ") + 1"
	pgNextMessageID     = pgNextMessageIDOf("pg_get_serial_sequence('messages', 'id')")
)

// pgNextMessageIDOf is pgNextMessageID with the sequence named by seq (SQL
// text): openPostgres names it once, as a constant, rather than have
// every insert look it up.
func pgNextMessageIDOf(seq string) string {
	return "GREATEST(nextval(" + seq + "), " + messageIDFloor + " + 1)"
}

// refusal returns why m must not be sent, or "". Only the phone that acted
// (own) gets kinds that pass an opt-out (chorus.MessageKind.PassesOptOut).
// facts, when set, are the phone's, read before its first message; else
// they are read here.
func (tx *Tx) refusal(ctx context.Context, m chorus.Message, own bool, facts *phoneFacts) (string, error) {
	db := tx.db
	if db.ValidateMessage != nil {
		if err := db.ValidateMessage(m.Kind, m.Params); err != nil {
			db.Logger.Error("sms params invalid", "kind", m.Kind, "err", err)
			return RefusedInvalidParam, nil
		}
	}
	if !own || !m.Kind.PassesOptOut() {
		optedOut := facts != nil && facts.optedOut
		if facts == nil {
			var out sql.NullInt64
			err := tx.QueryRowContext(ctx, "SELECT opted_out_ms FROM residents WHERE phone = ?", m.Phone).Scan(&out)
			if err != nil && err != sql.ErrNoRows {
				return "", fmt.Errorf("opt-out of %s: %w", chorus.MaskPhone(m.Phone), err)
			}
			optedOut = out.Valid
		}
		if optedOut {
			return RefusedOptedOut, nil
		}
	}
	if m.Channel == chorus.ChannelVoice {
		// Calls have their own limits, applied when one is placed
		// (chorus.DecideCall): a call over them goes by SMS instead.
		return "", nil
	}
	dayStart := tx.dayStart()
	budget := m.Kind.Budget()
	var today, resends int
	if facts != nil {
		today, resends = facts.today, facts.resends
	} else if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE budget = ?), COUNT(*) FILTER (WHERE kind = ?)
		FROM messages WHERE phone = ? AND created_ms >= ? AND status != 'refused' AND channel = 'sms'`,
		budget, m.Kind, m.Phone, dayStart).Scan(&today, &resends); err != nil {
		return "", fmt.Errorf("count sms of %s: %w", chorus.MaskPhone(m.Phone), err)
	}
	if m.Kind.Resend() && db.ResendDaily > 0 && resends >= db.ResendDaily {
		return RefusedResendLimit, nil
	}
	if limit := db.dailyLimit(budget); limit > 0 && today >= limit {
		return RefusedDailyLimit, nil
	}
	return "", nil
}

// dailyLimit is the number of SMS a phone may get a day from one budget;
// 0 means no limit.
func (db *DB) dailyLimit(b chorus.Budget) int {
	switch b {
	case chorus.BudgetPartner:
		return db.PartnerDaily
	case chorus.BudgetStaff:
		return db.StaffDaily
	}
	return db.PerPhoneDaily
}

// Queue writes one message to the outbox in its own transaction (help
// answers, resends), subject to the same rules as any other.
func (db *DB) Queue(ctx context.Context, m chorus.Message) error {
	return db.update(ctx, func(tx *Tx) error { return tx.queue(ctx, m) })
}

const messageCols = `id, phone, kind, params, status, attempts, next_attempt_ms, biz_id, err_code, err_msg,
	expects_reply, booking_id, enrolment_id, order_id, created_ms, updated_ms, lookups, channel, community_id`

func scanMessage(s interface{ Scan(...any) error }) (chorus.Message, error) {
	var m chorus.Message
	var params string
	var next, created, updated sql.NullInt64
	var bid, eid, oid sql.NullInt64
	if err := s.Scan(&m.ID, &m.Phone, &m.Kind, &params, &m.Status, &m.Attempts, &next, &m.BizID,
		&m.ErrCode, &m.ErrMsg, &m.ExpectsReply, &bid, &eid, &oid, &created, &updated, &m.Lookups, &m.Channel, &m.Community); err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(params), &m.Params); err != nil {
		return m, fmt.Errorf("message %d params: %w", m.ID, err)
	}
	m.NextAttempt, m.CreatedAt, m.UpdatedAt = fromMS(next), fromMS(created), fromMS(updated)
	m.BookingID, m.EnrolmentID, m.OrderID = bid.Int64, eid.Int64, oid.Int64
	return m, nil
}

func (db *DB) queryMessages(ctx context.Context, q string, args ...any) ([]chorus.Message, error) {
	out, err := queryRows(ctx, db.read, scanMessage, q, args...)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	return out, nil
}

// Message returns one message of a community the scope sees. Errors:
// ENOTFOUND.
func (db *DB) Message(ctx context.Context, id int64) (*chorus.Message, error) {
	m, err := scanMessage(db.read.QueryRowContext(ctx, "SELECT "+messageCols+" FROM messages WHERE id = ?", id))
	if err != nil {
		return nil, notFound(err, "短信")
	}
	if !chorus.ScopeFrom(ctx).Sees(m.Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这条短信。")
	}
	return &m, nil
}

// Messages returns the newest messages of the scope's community,
// optionally to one phone.
func (db *DB) Messages(ctx context.Context, phone string, limit int) ([]chorus.Message, error) {
	c := chorus.ScopeFrom(ctx).Community
	if phone != "" {
		return db.queryMessages(ctx, "SELECT "+messageCols+" FROM messages WHERE phone = ? AND community_id = ? ORDER BY id DESC LIMIT ?",
			phone, c, limit)
	}
	return db.queryMessages(ctx, "SELECT "+messageCols+" FROM messages WHERE community_id = ? ORDER BY id DESC LIMIT ?", c, limit)
}

// Due returns up to limit SMS that are queued with NextAttempt <= now, or
// left in status sending by a crash, oldest first. Calls are DueCalls'.
func (db *DB) Due(ctx context.Context, now time.Time, limit int) ([]chorus.Message, error) {
	return db.due(ctx, chorus.ChannelSMS, now, limit)
}

// DueCalls is Due for the messages that go as voice calls.
func (db *DB) DueCalls(ctx context.Context, now time.Time, limit int) ([]chorus.Message, error) {
	return db.due(ctx, chorus.ChannelVoice, now, limit)
}

// due reads the due messages of every community, each with its
// community's signature and template code for its kind ("" when the
// community has none: the deployment's).
func (db *DB) due(ctx context.Context, ch chorus.Channel, now time.Time, limit int) ([]chorus.Message, error) {
	if db.pg {
		return db.pgDue(ctx, ch, now, limit) // claimed (pgoutbox.go)
	}
	return db.dueWhere(ctx, `((m.status = 'queued' AND m.next_attempt_ms <= ?) OR m.status = 'sending') AND m.channel = ?
		ORDER BY m.id LIMIT ?`, now.UnixMilli(), ch, limit)
}

// dueWhere reads the messages m matching where (which may end with ORDER
// BY and LIMIT), as due returns them.
func (db *DB) dueWhere(ctx context.Context, where string, args ...any) ([]chorus.Message, error) {
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.Message, error) {
		var sign, code sql.NullString
		m, err := scanMessage(scanFunc(func(dst ...any) error { return rows.Scan(append(dst, &sign, &code)...) }))
		m.SignName, m.TemplateCode = sign.String, code.String
		return m, err
	}, "SELECT "+dueCols+` FROM messages m LEFT JOIN community c ON c.id = m.community_id
		WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	return out, nil
}

// dueCols are messageCols of messages m, then the community c's signature
// and template code for m's kind.
var dueCols = "m." + strings.ReplaceAll(strings.Join(strings.Fields(messageCols), " "), ", ", ", m.") +
	`, c.sign_name, CASE WHEN json_valid(c.templates) THEN json_extract(c.templates, '$."' || m.kind || '"') END`

// scanFunc adapts a function to the Scan of a row.
type scanFunc func(dst ...any) error

func (f scanFunc) Scan(dst ...any) error { return f(dst...) }

// MarkSending records that an attempt starts (status sending, Attempts+1).
func (db *DB) MarkSending(ctx context.Context, id int64, at time.Time) error {
	return db.setMessage(ctx, id, `status = 'sending', attempts = attempts + 1, updated_ms = ?`,
		"status IN ('queued','sending')", at.UnixMilli())
}

// MarkSubmitted records the provider's acceptance.
func (db *DB) MarkSubmitted(ctx context.Context, id int64, bizID string, at time.Time) error {
	return db.setMessage(ctx, id, `status = 'submitted', biz_id = ?, err_code = '', err_msg = '', updated_ms = ?`,
		"status IN ('queued','sending')", bizID, at.UnixMilli())
}

// MarkRetry puts the message back in the queue until next, with the error seen.
func (db *DB) MarkRetry(ctx context.Context, id int64, next time.Time, code, msg string) error {
	return db.setMessage(ctx, id, `status = 'queued', next_attempt_ms = ?, err_code = ?, err_msg = ?, updated_ms = ?`,
		"status IN ('queued','sending')", next.UnixMilli(), code, chorus.Shorten(msg, 200), db.Now().UnixMilli())
}

// MarkFailed fails it for good.
func (db *DB) MarkFailed(ctx context.Context, id int64, code, msg string, at time.Time) error {
	return db.setMessage(ctx, id, `status = 'failed', err_code = ?, err_msg = ?, updated_ms = ?`,
		"status IN ('queued','sending','submitted')", code, chorus.Shorten(msg, 200), at.UnixMilli())
}

// MarkUnverified queues the message again until next after a lookup that
// could not answer, counting it.
func (db *DB) MarkUnverified(ctx context.Context, id int64, next time.Time, code, msg string) error {
	return db.setMessage(ctx, id, `status = 'queued', next_attempt_ms = ?, err_code = ?, err_msg = ?, lookups = lookups + 1,
		updated_ms = ?`, "status IN ('queued','sending')", next.UnixMilli(), code, chorus.Shorten(msg, 200), db.Now().UnixMilli())
}

// MarkUnknown leaves the message unknown for staff: whether the provider
// has it could not be learnt.
func (db *DB) MarkUnknown(ctx context.Context, id int64, code, msg string, at time.Time) error {
	return db.setMessage(ctx, id, `status = 'unknown', err_code = ?, err_msg = ?, updated_ms = ?`,
		"status IN ('queued','sending')", code, chorus.Shorten(msg, 200), at.UnixMilli())
}

// setMessage updates one message when its status allows; a message already
// further along is left as it is (receipts and retries may cross).
func (db *DB) setMessage(ctx context.Context, id int64, set, where string, args ...any) error {
	args = append(args, id)
	err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE messages SET "+set+" WHERE id = ? AND "+where, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("message %d: %w", id, err)
	}
	return nil
}

// ResendMessage queues a copy of message id to the same phone, when staff
// ask for it (a failed SMS, a resident who lost theirs). The copy obeys the
// same rules as any message and comes back refused with the reason when
// they stop it. A message whose outcome is unknown is not copied: it goes
// back to the queue itself, so the worker asks the provider once more
// whether it has it before sending it again (a copy would have another
// OutId and could reach the resident twice). Errors: ENOTFOUND, ECONFLICT
// (still on its way).
func (db *DB) ResendMessage(ctx context.Context, id int64) (*chorus.Message, error) {
	var newID int64
	err := db.update(ctx, func(tx *Tx) error {
		m, err := scanMessage(tx.QueryRowContext(ctx, "SELECT "+messageCols+" FROM messages WHERE id = ?", id))
		if err != nil {
			return notFound(err, "短信")
		}
		if !chorus.ScopeFrom(ctx).Sees(m.Community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这条短信。")
		}
		if m.Status == chorus.MessageQueued || m.Status == chorus.MessageSending {
			return chorus.Errorf(chorus.ECONFLICT, "这条短信还在发送中,不用重发。")
		}
		if m.Status == chorus.MessageUnknown {
			newID = id
			tx.change.Messages++
			_, err := tx.ExecContext(ctx, `UPDATE messages SET status = 'queued', next_attempt_ms = ?, lookups = 0,
				err_code = ?, updated_ms = updated_ms WHERE id = ?`, tx.now.UnixMilli(), chorus.CodeUnverified, id)
			return err
		}
		if _, err := tx.queueOne(ctx, m, true); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT last_insert_rowid()").Scan(&newID)
	})
	if err != nil {
		return nil, err
	}
	return db.Message(ctx, newID)
}
