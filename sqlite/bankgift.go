package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/chorus-community/chorus"
)

// bankHolder is who holds a person's account: their phone and family
// contacts (a resident's, or those of the resident a volunteer is).
func bankHolder(ctx context.Context, tx *Tx, account int64) (community int64, phone string, family []chorus.FamilyContact, err error) {
	var v, r sql.NullInt64
	var kind string
	if err = tx.QueryRowContext(ctx, "SELECT community_id, kind, volunteer_id, resident_id FROM bank_accounts WHERE id = ?", account).
		Scan(&community, &kind, &v, &r); err != nil {
		return 0, "", nil, notFound(err, "时间银行账户")
	}
	if kind != string(chorus.AccountPerson) {
		return 0, "", nil, chorus.Errorf(chorus.EINVALID, "只能从个人账户转出时间。")
	}
	if r.Valid {
		phone, family, err = bankResidentPhone(ctx, tx, r.Int64)
		return community, phone, family, err
	}
	err = tx.QueryRowContext(ctx, "SELECT phone FROM volunteers WHERE id = ?", v.Int64).Scan(&phone)
	return community, phone, nil, notFound(err, "志愿者")
}

// bankResidentPhone is a resident's phone and family contacts.
func bankResidentPhone(ctx context.Context, tx *Tx, resident int64) (string, []chorus.FamilyContact, error) {
	var phone string
	if err := tx.QueryRowContext(ctx, "SELECT phone FROM residents WHERE id = ?", resident).Scan(&phone); err != nil {
		return "", nil, notFound(err, "居民")
	}
	family, err := queryRows(ctx, tx, func(rows rowScanner) (chorus.FamilyContact, error) {
		var f chorus.FamilyContact
		err := rows.Scan(&f.Phone, &f.Name, &f.Relation)
		return f, err
	}, "SELECT phone, name, relation FROM family_contacts WHERE resident_id = ?", resident)
	return phone, family, err
}

// GiveHours moves hours from a person's account, at their request made
// through staff (operator) and proven by their phone's code: to a
// registered relative's account, or to the pool. It returns the transfer.
// Errors: ENOTFOUND (another community's account or resident), EFORBIDDEN
// (no proof, not a relative), ECONFLICT (not enough hours: gifts never
// overdraw).
func (db *DB) GiveHours(ctx context.Context, g chorus.BankGift, operator string) (*chorus.Transfer, error) {
	var t chorus.Transfer
	err := db.update(ctx, func(tx *Tx) error {
		community, phone, family, err := bankHolder(ctx, tx, g.FromAccount)
		if err != nil {
			return err
		}
		if !chorus.ScopeFrom(ctx).Sees(community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个时间银行账户。")
		}
		to, relative := int64(0), false
		if g.ToResident != 0 {
			var rc int64
			if err := tx.QueryRowContext(ctx, "SELECT community_id FROM residents WHERE id = ?", g.ToResident).Scan(&rc); err != nil || rc != community {
				return chorus.Errorf(chorus.ENOTFOUND, "没有找到这位居民。")
			}
			rphone, rfamily, err := bankResidentPhone(ctx, tx, g.ToResident)
			if err != nil {
				return err
			}
			relative = chorus.IsRelative(phone, family, rphone, rfamily)
			if to, err = bankPerson(ctx, tx, community, 0, g.ToResident); err != nil {
				return err
			}
		} else if to, err = bankPool(ctx, tx, community); err != nil {
			return err
		}
		if err := chorus.CheckGift(g, phone, relative); err != nil {
			return err
		}
		if to == g.FromAccount {
			return chorus.Errorf(chorus.EFORBIDDEN, "不能赠与自己。")
		}
		kind := chorus.TransferGift
		if g.ToResident == 0 {
			kind = chorus.TransferDonate
		}
		t = chorus.Transfer{Community: community, Kind: kind, Reason: strings.TrimSpace(g.Reason), Operator: operator,
			Entries: []chorus.Entry{{AccountID: g.FromAccount, Minutes: -g.Minutes}, {AccountID: to, Minutes: g.Minutes}}}
		return postTransfer(ctx, tx, &t, false)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// GrantHours pays minutes from the pool to a resident's account, by staff
// (operator) for reason: an allowance for an elder in hardship (孤寡).
// Errors: ENOTFOUND (another community's resident), EINVALID (no reason),
// EFORBIDDEN (not staff).
func (db *DB) GrantHours(ctx context.Context, resident int64, minutes int, operator, reason string) (*chorus.Transfer, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, chorus.Errorf(chorus.EINVALID, "拨付时间必须写明原因。")
	}
	var t chorus.Transfer
	err := db.update(ctx, func(tx *Tx) error {
		var community int64
		if err := tx.QueryRowContext(ctx, "SELECT community_id FROM residents WHERE id = ?", resident).Scan(&community); err != nil || !chorus.ScopeFrom(ctx).Sees(community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这位居民。")
		}
		pool, err := bankPool(ctx, tx, community)
		if err != nil {
			return err
		}
		to, err := bankPerson(ctx, tx, community, 0, resident)
		if err != nil {
			return err
		}
		t = chorus.Transfer{Community: community, Kind: chorus.TransferGrant, Reason: strings.TrimSpace(reason), Operator: operator,
			Entries: []chorus.Entry{{AccountID: pool, Minutes: -minutes}, {AccountID: to, Minutes: minutes}}}
		return postTransfer(ctx, tx, &t, false)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// BankHolderPhone returns the phone of a person's account holder in the
// scope's community, for staff to send the SMS code that proves a gift or
// donation is the holder's wish. Errors: ENOTFOUND, EINVALID (the pool).
func (db *DB) BankHolderPhone(ctx context.Context, account int64) (string, error) {
	var phone string
	err := db.update(ctx, func(tx *Tx) error {
		community, p, _, err := bankHolder(ctx, tx, account)
		if err != nil {
			return err
		}
		if !chorus.ScopeFrom(ctx).Sees(community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个时间银行账户。")
		}
		phone = p
		return nil
	})
	return phone, err
}
