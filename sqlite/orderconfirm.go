package sqlite

import (
	"context"
	"fmt"

	"github.com/chorus-community/chorus"
)

// releaseAwaiting ends the wait of a kiosk order for the resident's reply
// 1 (awaitReply); phone, when not empty, must be the order's. It reports
// false when the order was not waiting.
func (tx *Tx) releaseAwaiting(ctx context.Context, id int64, phone string) (bool, error) {
	q, args := `UPDATE orders SET awaiting_reply = 0, confirm_by_ms = NULL, updated_ms = ?
		WHERE id = ? AND awaiting_reply = 1 AND status = 'requested'`, []any{tx.now.UnixMilli(), id}
	if phone != "" {
		q, args = q+" AND phone = ?", append(args, phone)
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("order %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ConfirmOrder dispatches a kiosk order still waiting for the resident's
// reply 1 because staff confirmed it with the resident by telephone (the
// confirmation SMS was refused, or the resident cannot reply). The
// timeline says who. Errors: ENOTFOUND, ECONFLICT (not waiting).
func (db *DB) ConfirmOrder(ctx context.Context, id int64, actor chorus.Actor) (*chorus.Order, error) {
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.orderIn(ctx, id); err != nil {
			return err
		}
		ok, err := tx.releaseAwaiting(ctx, id, "")
		if err != nil {
			return err
		}
		if !ok {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM orders WHERE id = ?", id).Scan(&n); err != nil {
				return fmt.Errorf("order %d: %w", id, err)
			}
			if n == 0 {
				return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个订单。")
			}
			return chorus.Errorf(chorus.ECONFLICT, "%d号订单不在等待居民确认,不用再确认。", id)
		}
		if err := tx.orderEvent(ctx, id, chorus.OrderRequested, actor, "工作人员电话核实后确认"); err != nil {
			return err
		}
		return tx.dispatch(ctx, id)
	})
	if err != nil {
		return nil, err
	}
	return db.Order(ctx, id)
}
