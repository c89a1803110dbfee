package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/chorus-community/chorus"
)

var _ chorus.OrderService = (*DB)(nil)

// RequestHaircut stores a home-haircut order; see chorus.OrderService.
func (db *DB) RequestHaircut(ctx context.Context, req chorus.HaircutRequest) (*chorus.Order, error) {
	if err := req.Validate(db.Now().In(db.Location)); err != nil {
		return nil, err
	}
	if req.Actor == "" {
		req.Actor = chorus.ActorResident
	}
	var id int64
	var existing bool
	err := db.update(ctx, func(tx *Tx) error {
		if req.IdempotencyKey != "" {
			var phone string
			err := tx.QueryRowContext(ctx, "SELECT id, phone FROM orders WHERE idem_key = ?", req.IdempotencyKey).Scan(&id, &phone)
			if err == nil {
				if phone != req.Phone {
					return chorus.Errorf(chorus.ECONFLICT, "这个请求编号已经用于另一个订单了。")
				}
				existing = true
				return nil
			} else if err != sql.ErrNoRows {
				return fmt.Errorf("idempotency key: %w", err)
			}
		}
		err := tx.QueryRowContext(ctx, `SELECT id FROM orders WHERE phone = ? AND kind = 'haircut'
			AND status IN ('requested','dispatched','accepted')`, req.Phone).Scan(&id)
		if err == nil {
			existing = true
			return nil
		} else if err != sql.ErrNoRows {
			return fmt.Errorf("open orders: %w", err)
		}
		addr := req.Address
		if err := tx.touchResident(ctx, req.Phone, req.Name); err != nil {
			return err
		}
		if addr.IsZero() {
			var est sql.NullInt64
			if err := tx.QueryRowContext(ctx, "SELECT estate_id, building, unit, room FROM residents WHERE phone = ?", req.Phone).
				Scan(&est, &addr.Building, &addr.Unit, &addr.Room); err != nil {
				return fmt.Errorf("address on file: %w", err)
			}
			addr.EstateID = est.Int64
			if addr.EstateID == 0 {
				return chorus.Errorf(chorus.EINVALID, "还没有您的地址,请选择小区、楼号、单元和房间号。")
			}
		} else {
			if err := tx.checkEstate(ctx, addr); err != nil {
				return err
			}
			// The resident's community is their estate's.
			if _, err := tx.ExecContext(ctx, `UPDATE residents SET estate_id = ?, building = ?, unit = ?, room = ?,
				community_id = COALESCE((SELECT community_id FROM estates WHERE id = ?), community_id) WHERE phone = ?`,
				addr.EstateID, addr.Building, addr.Unit, addr.Room, addr.EstateID, req.Phone); err != nil {
				return fmt.Errorf("keep address: %w", err)
			}
		}
		id, err = tx.insertOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceHaircut, HaircutRequest: req}, addr)
		return err
	})
	if err != nil {
		return nil, err
	}
	// The order is the resident's estate's community's, which may not be
	// the kiosk's: the resident who asked sees it all the same.
	o, err := db.order(ctx, id)
	if err != nil {
		return nil, err
	}
	o.Existing = existing
	if existing {
		if o.Replayed, err = db.replayed(ctx, "orders", o.ID, req.IdempotencyKey); err != nil {
			return nil, err
		}
	}
	if (!existing || o.Replayed) && o.AwaitingReply {
		if o.SMS, err = db.smsOf(ctx, "order_id", o.ID, o.Phone); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// insertOrder stores a requested order at addr, records it on the timeline
// and dispatches it. A missing name is taken from the resident on file.
// The order belongs to the community of addr's estate (the resident's).
func (tx *Tx) insertOrder(ctx context.Context, req chorus.OrderRequest, addr chorus.Address) (int64, error) {
	res, err := tx.insert(ctx, `INSERT INTO orders (community_id, kind, phone, name, estate_id, building, unit, room, day, half_day,
		notes, urgent, status, idem_key, created_ms, updated_ms) VALUES (
		COALESCE((SELECT community_id FROM estates WHERE id = ?), ?), ?, ?,
		COALESCE(NULLIF(?, ''), (SELECT name FROM residents WHERE phone = ?), ''), ?, ?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?, ?)`,
		addr.EstateID, chorus.ScopeFrom(ctx).Community, req.Kind, req.Phone, req.Name, req.Phone, addr.EstateID, addr.Building, addr.Unit, addr.Room, req.Day, req.HalfDay,
		req.Notes, req.Urgent, nullStr(req.IdempotencyKey), tx.now.UnixMilli(), tx.now.UnixMilli())
	if isUnique(err) {
		return 0, chorus.Errorf(chorus.ECONFLICT, "这个请求编号已经用过了。")
	} else if err != nil {
		return 0, fmt.Errorf("insert order: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := tx.orderEvent(ctx, id, chorus.OrderRequested, req.Actor, ""); err != nil {
		return 0, err
	}
	if req.KioskID != 0 {
		return id, tx.awaitReply(ctx, id, req)
	}
	return id, tx.dispatch(ctx, id)
}

// awaitReply holds an order made at a kiosk until the resident replies 1
// from its phone (replyToKioskOrder): anyone can type a neighbour's number
// at a kiosk, and nobody must be sent to a door on that alone. Unanswered
// within ConfirmWindow, it is cancelled (DispatchDue).
func (tx *Tx) awaitReply(ctx context.Context, id int64, req chorus.OrderRequest) error {
	if _, err := tx.ExecContext(ctx, "UPDATE orders SET awaiting_reply = 1, kiosk_id = ?, confirm_by_ms = ? WHERE id = ?",
		req.KioskID, tx.now.Add(tx.db.ConfirmWindow).UnixMilli(), id); err != nil {
		return fmt.Errorf("order %d awaits reply: %w", id, err)
	}
	o := chorus.Order{Day: req.Day, HalfDay: req.HalfDay}
	return tx.queue(ctx, chorus.Message{Phone: req.Phone, Kind: chorus.MsgOrderConfirm, OrderID: id,
		Params: map[string]string{"service": req.Kind.Label(), "time": o.Window(tx.db.Location)}})
}

// replyToKioskOrder carries out the reply 1 (or 2) of a phone to the
// order_confirm SMS of order id, made at a kiosk: it is dispatched (or
// cancelled). It says what it did in in.Outcome; an order no longer
// waiting for the reply is left as it is.
func (tx *Tx) replyToKioskOrder(ctx context.Context, in *chorus.Inbound, id int64) error {
	ok, err := tx.releaseAwaiting(ctx, id, in.Phone)
	if err != nil {
		return err
	}
	if !ok {
		in.Outcome = fmt.Sprintf("上门服务订单%d已不在等待确认", id)
		return nil
	}
	if in.Intent == chorus.IntentCancel {
		if _, err := tx.ExecContext(ctx, "UPDATE orders SET status = 'cancelled' WHERE id = ?", id); err != nil {
			return fmt.Errorf("cancel order %d: %w", id, err)
		}
		if err := tx.orderEvent(ctx, id, chorus.OrderCancelled, chorus.ActorSMS, "居民回复2取消"); err != nil {
			return err
		}
		in.Outcome, in.Handled = fmt.Sprintf("已取消上门服务订单%d", id), true
		return nil
	}
	if err := tx.orderEvent(ctx, id, chorus.OrderRequested, chorus.ActorSMS, "居民回复1确认"); err != nil {
		return err
	}
	if err := tx.dispatch(ctx, id); err != nil {
		return err
	}
	in.Outcome, in.Handled = fmt.Sprintf("已确认并派出上门服务订单%d", id), true
	return nil
}

// cancelUnconfirmedOrders cancels the kiosk orders whose phone did not
// reply 1 in time.
func (tx *Tx) cancelUnconfirmedOrders(ctx context.Context) (int, error) {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM orders WHERE awaiting_reply = 1 AND status = 'requested'
		AND confirm_by_ms <= ? ORDER BY id LIMIT 500`, tx.now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("unconfirmed orders: %w", err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, "UPDATE orders SET status = 'cancelled', awaiting_reply = 0, updated_ms = ? WHERE id = ?",
			tx.now.UnixMilli(), id); err != nil {
			return 0, fmt.Errorf("cancel order %d: %w", id, err)
		}
		if err := tx.orderEvent(ctx, id, chorus.OrderCancelled, chorus.ActorSystem, "没有收到回复1,自动取消"); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// checkEstate checks that a's estate exists, is one the scope sees and has
// a's building and unit.
func (tx *Tx) checkEstate(ctx context.Context, a chorus.Address) error {
	e := chorus.Estate{ID: a.EstateID}
	var community int64
	err := tx.QueryRowContext(ctx, "SELECT name, buildings, units, community_id FROM estates WHERE id = ?", a.EstateID).
		Scan(&e.Name, &e.Buildings, &e.Units, &community)
	if err == sql.ErrNoRows || err == nil && !chorus.ScopeFrom(ctx).Sees(community) {
		return chorus.Errorf(chorus.EINVALID, "没有找到这个小区。")
	} else if err != nil {
		return fmt.Errorf("estate %d: %w", a.EstateID, err)
	}
	return e.CheckAddress(a)
}

func (tx *Tx) orderEvent(ctx context.Context, id int64, st chorus.OrderStatus, actor chorus.Actor, note string) error {
	tx.change.Orders = append(tx.change.Orders, id)
	if _, err := tx.ExecContext(ctx, "INSERT INTO order_events (order_id, at_ms, status, actor, note) VALUES (?, ?, ?, ?, ?)",
		id, tx.now.UnixMilli(), st, actor, note); err != nil {
		return fmt.Errorf("order %d timeline: %w", id, err)
	}
	return nil
}

const orderCols = `o.community_id, o.id, o.kind, o.phone, o.name, COALESCE(o.estate_id, 0), COALESCE(es.name, ''), o.building, o.unit, o.room,
	o.day, o.half_day, o.notes, o.urgent, o.status, COALESCE(o.partner_id, 0), COALESCE(pa.name, ''), o.created_ms,
	o.wave, o.accepted_ms, o.done_ms, o.escalated_ms IS NOT NULL, o.awaiting_reply`

const orderFrom = ` FROM orders o LEFT JOIN estates es ON es.id = o.estate_id LEFT JOIN partners pa ON pa.id = o.partner_id `

func scanOrder(s interface{ Scan(...any) error }) (chorus.Order, error) {
	var o chorus.Order
	var created, accepted, done sql.NullInt64
	err := s.Scan(&o.Community, &o.ID, &o.Kind, &o.Phone, &o.Name, &o.Address.EstateID, &o.Address.Estate, &o.Address.Building,
		&o.Address.Unit, &o.Address.Room, &o.Day, &o.HalfDay, &o.Notes, &o.Urgent, &o.Status, &o.PartnerID, &o.Partner, &created,
		&o.Wave, &accepted, &done, &o.Escalated, &o.AwaitingReply)
	o.CreatedAt, o.AcceptedAt, o.DoneAt = fromMS(created), fromMS(accepted), fromMS(done)
	return o, err
}

// Order returns one order of a community the scope sees. Errors:
// ENOTFOUND (also for another community's order).
func (db *DB) Order(ctx context.Context, id int64) (*chorus.Order, error) {
	o, err := db.order(ctx, id)
	if err != nil {
		return nil, err
	}
	if !chorus.ScopeFrom(ctx).Sees(o.Community) {
		return nil, chorus.Errorf(chorus.ENOTFOUND, "没有找到这个订单。")
	}
	return o, nil
}

// order returns one order whatever its community.
func (db *DB) order(ctx context.Context, id int64) (*chorus.Order, error) {
	o, err := scanOrder(db.read.QueryRowContext(ctx, "SELECT "+orderCols+orderFrom+"WHERE o.id = ?", id))
	if err != nil {
		return nil, notFound(err, "订单")
	}
	return &o, nil
}

// orderIn returns ENOTFOUND unless order id exists and the scope of ctx
// sees its community: what every change of one order by id checks first.
func (tx *Tx) orderIn(ctx context.Context, id int64) error {
	var community int64
	if err := tx.QueryRowContext(ctx, "SELECT community_id FROM orders WHERE id = ?", id).Scan(&community); err != nil {
		return notFound(err, "订单")
	}
	if !chorus.ScopeFrom(ctx).Sees(community) {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个订单。")
	}
	return nil
}

// Orders returns the scope's community's orders, newest first, optionally
// of one status.
func (db *DB) Orders(ctx context.Context, status chorus.OrderStatus) ([]chorus.Order, error) {
	q, args := "SELECT "+orderCols+orderFrom+"WHERE o.community_id = ? ", []any{chorus.ScopeFrom(ctx).Community}
	if status != "" {
		q, args = q+"AND o.status = ? ", append(args, status)
	}
	return db.queryOrders(ctx, q+"ORDER BY o.id DESC LIMIT 500", args...)
}

// OrdersOf returns the orders of the scope's community for a resident's
// phone, newest first, at most 100.
func (db *DB) OrdersOf(ctx context.Context, phone string) ([]chorus.Order, error) {
	return db.queryOrders(ctx, "SELECT "+orderCols+orderFrom+"WHERE o.phone = ? AND o.community_id = ? ORDER BY o.id DESC LIMIT 100",
		phone, chorus.ScopeFrom(ctx).Community)
}

func (db *DB) queryOrders(ctx context.Context, q string, args ...any) ([]chorus.Order, error) {
	out, err := queryRows(ctx, db.read, scanOrder, q, args...)
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	return out, nil
}

// OrderTimeline returns an order's events, oldest first. Errors:
// ENOTFOUND (another community's order).
func (db *DB) OrderTimeline(ctx context.Context, id int64) ([]chorus.OrderEvent, error) {
	if _, err := db.Order(ctx, id); err != nil {
		return nil, err
	}
	out, err := queryRows(ctx, db.read, func(rows rowScanner) (chorus.OrderEvent, error) {
		var e chorus.OrderEvent
		var at sql.NullInt64
		err := rows.Scan(&at, &e.Status, &e.Actor, &e.Note)
		e.At = fromMS(at)
		return e, err
	}, "SELECT at_ms, status, actor, note FROM order_events WHERE order_id = ? ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return out, nil
}

// CancelOrder cancels an order. Errors: ENOTFOUND, ECONFLICT.
func (db *DB) CancelOrder(ctx context.Context, id int64, actor chorus.Actor, note string) (*chorus.Order, error) {
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.orderIn(ctx, id); err != nil {
			return err
		}
		var st chorus.OrderStatus
		if err := tx.QueryRowContext(ctx, "SELECT status FROM orders WHERE id = ?", id).Scan(&st); err != nil {
			return notFound(err, "订单")
		}
		if !st.CanTransition(chorus.OrderCancelled) {
			return chorus.Errorf(chorus.ECONFLICT, "这个订单已经完成或取消了。")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE orders SET status = 'cancelled', updated_ms = ? WHERE id = ?", tx.now.UnixMilli(), id); err != nil {
			return fmt.Errorf("cancel order: %w", err)
		}
		return tx.orderEvent(ctx, id, chorus.OrderCancelled, actor, note)
	})
	if err != nil {
		return nil, err
	}
	return db.Order(ctx, id)
}

// ChangeOrderDay moves the open order id of phone to another day and half
// day, as its resident asks at a kiosk. Partners already sent the order
// get it again with the new day (tellNewDay). Another phone's order is not
// found. Errors: ENOTFOUND, EINVALID (the day), ECONFLICT (accepted or
// over).
func (db *DB) ChangeOrderDay(ctx context.Context, id int64, phone, day string, half chorus.HalfDay) (*chorus.Order, error) {
	req := chorus.HaircutRequest{Phone: phone, Day: day, HalfDay: half}
	if err := req.Validate(db.Now().In(db.Location)); err != nil {
		return nil, err
	}
	err := db.update(ctx, func(tx *Tx) error {
		var owner string
		var st chorus.OrderStatus
		var community int64
		err := tx.QueryRowContext(ctx, "SELECT phone, status, community_id FROM orders WHERE id = ?", id).Scan(&owner, &st, &community)
		if err != nil || owner != req.Phone || !chorus.ScopeFrom(ctx).Sees(community) {
			return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个订单。")
		}
		if err := st.CheckDayChange(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE orders SET day = ?, half_day = ?, updated_ms = ? WHERE id = ?",
			req.Day, req.HalfDay, tx.now.UnixMilli(), id); err != nil {
			return fmt.Errorf("change order %d day: %w", id, err)
		}
		o := chorus.Order{Day: req.Day, HalfDay: req.HalfDay}
		if err := tx.orderEvent(ctx, id, st, chorus.ActorResident, "居民改时间:"+o.Window(db.Location)); err != nil {
			return err
		}
		if st == chorus.OrderDispatched {
			return tx.tellNewDay(ctx, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.Order(ctx, id)
}
