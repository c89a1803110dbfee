package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/chorus-community/chorus"
)

// joinBySMS makes phone a volunteer of community: its reply (参加N, or the
// keyword 志愿者) is the proof that the phone wants it and its consent to
// be contacted. The name is the resident's with that phone in the
// community, if any; otherwise staff add it later.
func (tx *Tx) joinBySMS(ctx context.Context, community int64, phone string) (*chorus.Volunteer, error) {
	var name sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT name FROM residents WHERE phone = ? AND community_id = ?", phone, community).
		Scan(&name); err != nil && err != sql.ErrNoRows {
		return nil, fmt.Errorf("resident of joining phone: %w", err)
	}
	v := &chorus.Volunteer{Phone: phone, Name: name.String, Consent: true, JoinedVia: chorus.JoinSMS}
	if err := v.Validate(); err != nil {
		// A resident's name the volunteers' rules refuse: staff add it.
		v.Name = ""
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	if err := tx.saveVolunteer(chorus.WithScope(ctx, chorus.Scope{Community: community}), v); err != nil {
		return nil, err
	}
	return v, nil
}

// volunteerKeyword carries out the standing keyword 志愿者: the phone
// becomes a volunteer of the community that last sent it an SMS (else of
// the resident's), and is told how signing up works. A phone no
// community wrote to, or that volunteers there already, goes to staff or
// is told nothing new.
func (tx *Tx) volunteerKeyword(ctx context.Context, in *chorus.Inbound) error {
	var community sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(
		(SELECT community_id FROM messages WHERE phone = ? ORDER BY id DESC LIMIT 1),
		(SELECT community_id FROM residents WHERE phone = ? ORDER BY id LIMIT 1))`, in.Phone, in.Phone).Scan(&community); err != nil {
		return fmt.Errorf("community of keyword: %w", err)
	}
	if !community.Valid {
		in.Outcome = "想当志愿者,但这个号码没有收到过社区短信,请工作人员联系"
		return nil
	}
	in.Community = community.Int64
	v, err := tx.volunteerByPhone(ctx, community.Int64, in.Phone)
	if err != nil {
		return err
	}
	switch {
	case v != nil && v.Status == chorus.VolunteerLeft:
		in.Outcome = "已退出的志愿者想重新加入,请工作人员处理"
		return nil
	case v != nil && v.Consent:
		in.Outcome, in.Handled = "已经是志愿者了", true
	case v != nil:
		v.Consent = true
		if err := tx.saveVolunteer(chorus.WithScope(ctx, chorus.Scope{Community: community.Int64}), v); err != nil {
			return err
		}
		in.Outcome, in.Handled = "志愿者短信同意联系", true
	default:
		if _, err := tx.joinBySMS(ctx, community.Int64, in.Phone); err != nil {
			return err
		}
		in.Outcome, in.Handled = "已登记为志愿者(短信)", true
	}
	return tx.queue(ctx, chorus.Message{Phone: in.Phone, Kind: chorus.MsgVolunteerJoined, Params: map[string]string{},
		Community: community.Int64})
}
