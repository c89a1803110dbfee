package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
)

// Defaults for dispatching orders to partners.
const (
	// DefaultDispatchWait is how long a wave of partners has to accept
	// before the next wave is asked.
	DefaultDispatchWait = 30 * time.Minute
	// DefaultUrgentWait is the same for urgent orders (a burst pipe at night).
	DefaultUrgentWait = 10 * time.Minute
)

// CreateOrder stores an order staff made for any need and dispatches it.
// Errors: EINVALID.
func (db *DB) CreateOrder(ctx context.Context, req chorus.OrderRequest) (*chorus.Order, error) {
	if err := req.Validate(db.Now().In(db.Location)); err != nil {
		return nil, err
	}
	if req.Actor == "" {
		req.Actor = chorus.ActorStaff
	}
	if req.Address.IsZero() {
		return nil, chorus.Errorf(chorus.EINVALID, "请填写上门的地址。")
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.checkEstate(ctx, req.Address); err != nil {
			return err
		}
		if err := tx.touchResident(ctx, req.Phone, req.Name); err != nil {
			return err
		}
		var err error
		id, err = tx.insertOrder(ctx, req, req.Address)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.Order(ctx, id)
}

// dispatchOrder is what dispatch needs of an order.
type dispatchOrder struct {
	id        int64
	community int64 // the order's: whose partners, whose staff phone
	kind      chorus.ServiceKind
	estate    int64
	status    chorus.OrderStatus
	urgent    bool
	wave      int
	params    map[string]string
	phone     string
	window    string
	escalate  bool
}

func (tx *Tx) loadDispatchOrder(ctx context.Context, id int64) (*dispatchOrder, error) {
	var o chorus.Order
	var escalated sql.NullInt64
	var wave int
	var community int64
	err := tx.QueryRowContext(ctx, `SELECT o.community_id, o.kind, COALESCE(o.estate_id, 0), COALESCE(es.name, ''), o.building, o.unit, o.room,
		o.day, o.half_day, o.status, o.urgent, o.wave, o.escalated_ms, o.phone FROM orders o
		LEFT JOIN estates es ON es.id = o.estate_id WHERE o.id = ?`, id).Scan(&community, &o.Kind, &o.Address.EstateID, &o.Address.Estate,
		&o.Address.Building, &o.Address.Unit, &o.Address.Room, &o.Day, &o.HalfDay, &o.Status, &o.Urgent, &wave, &escalated, &o.Phone)
	if err != nil {
		return nil, notFound(err, "订单")
	}
	window := o.Window(tx.db.Location)
	return &dispatchOrder{id: id, community: community, kind: o.Kind, estate: o.Address.EstateID, status: o.Status, urgent: o.Urgent, wave: wave,
		phone: o.Phone, window: window, escalate: !escalated.Valid, params: map[string]string{
			"order": fmt.Sprint(id), "service": o.Kind.Label(),
			// Whole, in two parameters: an address is never cut (each
			// part is bounded when typed).
			"estate": o.Address.Estate, "room": o.Address.RoomPart(), "time": window}}, nil
}

// asked returns the partners already asked for the order (or that gave
// it back).
func (tx *Tx) asked(ctx context.Context, id int64) (map[int64]bool, error) {
	ids, err := queryIDs(ctx, tx, "SELECT partner_id FROM order_offers WHERE order_id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("offers of order %d: %w", id, err)
	}
	asked := make(map[int64]bool, len(ids))
	for _, p := range ids {
		asked[p] = true
	}
	return asked, nil
}

// dispatch sends the order's next wave, as chorus.NextWave chooses: every
// eligible partner open now with the lowest priority number not yet asked.
// With nobody left to ask it alerts the on-duty staff phone once; with
// partners that are only closed now, the order waits for them (DispatchDue
// tries again), unless urgent.
func (tx *Tx) dispatch(ctx context.Context, id int64) error {
	o, err := tx.loadDispatchOrder(ctx, id)
	if err != nil {
		return err
	}
	if o.status != chorus.OrderRequested && o.status != chorus.OrderDispatched {
		return nil
	}
	all, err := tx.db.partners(ctx, tx, o.community)
	if err != nil {
		return err
	}
	asked, err := tx.asked(ctx, id)
	if err != nil {
		return err
	}
	// Opening hours are the order's community's local time.
	d := chorus.NextWave(all, asked, o.kind, o.estate, o.urgent, tx.now.In(tx.zoneOf(ctx, o.community)))
	switch d.Step {
	case chorus.DispatchWaitForOpening:
		_, err := tx.ExecContext(ctx, "UPDATE orders SET wave_deadline_ms = ? WHERE id = ?",
			tx.now.Add(tx.db.waitFor(o.urgent)).UnixMilli(), id)
		return err
	case chorus.DispatchEscalate:
		return tx.escalate(ctx, o)
	}
	wave := d.Wave
	o.wave++
	first := "first_dispatch_ms"
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'dispatched', wave = ?, wave_deadline_ms = ?, updated_ms = ?,
		`+first+` = COALESCE(`+first+`, ?) WHERE id = ?`,
		o.wave, tx.now.Add(tx.db.waitFor(o.urgent)).UnixMilli(), tx.now.UnixMilli(), tx.now.UnixMilli(), id); err != nil {
		return fmt.Errorf("dispatch order %d: %w", id, err)
	}
	var told, untold []string
	for _, p := range wave {
		// A partner is told when at least one of its phones gets the SMS;
		// one whose every SMS was refused (its budget spent, opted out)
		// is skipped in this wave, and the timeline says so.
		reached := false
		for _, ph := range p.Phones {
			ok, err := tx.queueTold(ctx, chorus.Message{Phone: ph, Kind: chorus.MsgPartnerOrder, Params: o.params,
				OrderID: id})
			if err != nil {
				return err
			}
			reached = reached || ok
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO order_offers (order_id, partner_id, wave, sent_ms, told) VALUES (?, ?, ?, ?, ?)",
			id, p.ID, o.wave, tx.now.UnixMilli(), reached); err != nil {
			return fmt.Errorf("offer order %d: %w", id, err)
		}
		if reached {
			told = append(told, p.Name)
		} else {
			untold = append(untold, p.Name)
		}
	}
	if len(untold) > 0 {
		if err := tx.orderEvent(ctx, id, chorus.OrderDispatched, chorus.ActorSystem,
			fmt.Sprintf("第%d轮派单短信未能发出:%s(已跳过)", o.wave, strings.Join(untold, "、"))); err != nil {
			return err
		}
	}
	if len(told) == 0 {
		// Nobody of the wave knows: staff must, or the order waits for
		// nothing.
		if err := tx.orderEvent(ctx, id, chorus.OrderDispatched, chorus.ActorSystem,
			fmt.Sprintf("第%d轮没有一家单位收到派单短信,已通知值班工作人员", o.wave)); err != nil {
			return err
		}
		staff, err := tx.staffPhone(ctx, o.community)
		if err != nil || staff == "" {
			return err
		}
		return tx.queue(ctx, chorus.Message{Phone: staff, Kind: chorus.MsgDispatchUntold, OrderID: id,
			Params: map[string]string{"order": o.params["order"], "service": o.params["service"]}})
	}
	return tx.orderEvent(ctx, id, chorus.OrderDispatched, chorus.ActorSystem,
		fmt.Sprintf("第%d轮派单:%s", o.wave, strings.Join(told, "、")))
}

// tellNewDay sends the order again, with its new day, to every partner
// told of it so far that has not given it back (one whose SMS was refused
// was never told): a barber who read the first SMS must not come on the
// old day, and 接N still accepts it. The timeline says who was told.
func (tx *Tx) tellNewDay(ctx context.Context, id int64) error {
	o, err := tx.loadDispatchOrder(ctx, id)
	if err != nil {
		return err
	}
	all, err := tx.db.partners(ctx, tx, o.community)
	if err != nil {
		return err
	}
	ids, err := queryIDs(ctx, tx, "SELECT partner_id FROM order_offers WHERE order_id = ? AND told = 1 AND gave_back = 0", id)
	if err != nil {
		return fmt.Errorf("partners told of order %d: %w", id, err)
	}
	told := make(map[int64]bool, len(ids))
	for _, p := range ids {
		told[p] = true
	}
	var reached, missed []string
	for _, p := range all {
		if !told[p.ID] {
			continue
		}
		ok := false
		for _, ph := range p.Phones {
			sent, err := tx.queueTold(ctx, chorus.Message{Phone: ph, Kind: chorus.MsgPartnerOrder, Params: o.params,
				OrderID: id})
			if err != nil {
				return err
			}
			ok = ok || sent
		}
		if ok {
			reached = append(reached, p.Name)
		} else {
			missed = append(missed, p.Name)
		}
	}
	note := ""
	switch {
	case len(reached) > 0 && len(missed) > 0:
		note = fmt.Sprintf("新时间已发给:%s;未能发出:%s", strings.Join(reached, "、"), strings.Join(missed, "、"))
	case len(reached) > 0:
		note = "新时间已发给:" + strings.Join(reached, "、")
	case len(missed) > 0:
		note = "新时间的短信未能发出:" + strings.Join(missed, "、") + ",请电话告知"
	default:
		return nil
	}
	return tx.orderEvent(ctx, id, o.status, chorus.ActorSystem, note)
}

// escalate alerts the on-duty staff phone (once per order) that nobody
// took it; the console shows the order as escalated.
func (tx *Tx) escalate(ctx context.Context, o *dispatchOrder) error {
	if _, err := tx.ExecContext(ctx, "UPDATE orders SET wave_deadline_ms = NULL, escalated_ms = COALESCE(escalated_ms, ?) WHERE id = ?",
		tx.now.UnixMilli(), o.id); err != nil {
		return fmt.Errorf("escalate order %d: %w", o.id, err)
	}
	if !o.escalate {
		return nil
	}
	if err := tx.orderEvent(ctx, o.id, o.status, chorus.ActorSystem, "无人接单,已通知值班工作人员"); err != nil {
		return err
	}
	staff, err := tx.staffPhone(ctx, o.community)
	if err != nil || staff == "" {
		return err
	}
	return tx.queue(ctx, chorus.Message{Phone: staff, Kind: chorus.MsgOrderUnclaimed, Params: o.params, OrderID: o.id})
}

func (db *DB) waitFor(urgent bool) time.Duration {
	if urgent {
		return db.UrgentWait
	}
	return db.DispatchWait
}

// DispatchDue sends the next wave of every order whose wave went
// unanswered by its deadline (or that waited for partners to open), and
// of every help request likewise, and expires time-bank hours past their
// community's expiry. It returns how many it moved.
func (db *DB) DispatchDue(ctx context.Context, now time.Time) (int, error) {
	ids, err := queryIDs(ctx, db.read, `SELECT id FROM orders WHERE status IN ('requested','dispatched')
		AND wave_deadline_ms IS NOT NULL AND wave_deadline_ms <= ? ORDER BY id LIMIT 500`, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("due orders: %w", err)
	}
	for _, id := range ids {
		if err := db.update(ctx, func(tx *Tx) error { return tx.dispatch(ctx, id) }); err != nil {
			return 0, err
		}
	}
	var cancelled int
	if err := db.update(ctx, func(tx *Tx) (err error) {
		cancelled, err = tx.cancelUnconfirmedOrders(ctx)
		return err
	}); err != nil {
		return 0, err
	}
	help, err := db.helpDispatchDue(ctx, now) // the time bank's help requests (bankhelp.go)
	if err != nil {
		return 0, err
	}
	expired, err := db.ExpireHours(ctx, now) // the time bank's expiry (bankexpiry.go)
	if err != nil {
		return 0, err
	}
	return len(ids) + cancelled + help + expired, nil
}

// staffPhone is the on-duty phone alerted about community's orders: its
// own, or the deployment's when it has none.
func (tx *Tx) staffPhone(ctx context.Context, community int64) (string, error) {
	var phone string
	err := tx.QueryRowContext(ctx, "SELECT staff_phone FROM community WHERE id = ?", community).Scan(&phone)
	if err != nil && err != sql.ErrNoRows {
		return "", fmt.Errorf("staff phone of community %d: %w", community, err)
	}
	if phone == "" {
		phone = tx.db.StaffPhone
	}
	return phone, nil
}

// partners reads the partners serving community, with what they take and
// cover there, through q (a transaction or the read pool).
func (db *DB) partners(ctx context.Context, q querier, community int64) ([]chorus.Partner, error) {
	out, err := queryRows(ctx, q, scanPartner, partnerQuery, community)
	if err != nil {
		return nil, fmt.Errorf("partners: %w", err)
	}
	return out, nil
}

// partnerReply carries out 接/完成/退 + order number from a partner's phone.
// It returns the order's id when one was found.
func (tx *Tx) partnerReply(ctx context.Context, in *chorus.Inbound) error {
	ids, err := tx.partnerIDs(ctx, in.Phone)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		in.Outcome = "这个号码不是共建单位的联系电话"
		return nil
	}
	var before chorus.OrderStatus
	if in.Order != 0 {
		tx.QueryRowContext(ctx, "SELECT status FROM orders WHERE id = ?", in.Order).Scan(&before)
	}
	if err := tx.partnerAct(ctx, in, ids); err != nil || !in.Handled {
		return err
	}
	return tx.partnerAck(ctx, in, before)
}

// partnerAck tells the phone that replied what its 接/完成/退 changed,
// within the partner's budget; a reply that changed nothing (接 of an
// order already taken, told by order_taken) gets none.
func (tx *Tx) partnerAck(ctx context.Context, in *chorus.Inbound, before chorus.OrderStatus) error {
	o, err := tx.loadDispatchOrder(ctx, in.Order)
	if err != nil {
		return err
	}
	action := map[chorus.Intent]string{chorus.IntentAccept: "接单", chorus.IntentDone: "完成", chorus.IntentGiveBack: "退单"}[in.Intent]
	if o.status == before || action == "" {
		return nil
	}
	return tx.queue(ctx, chorus.Message{Phone: in.Phone, Kind: chorus.MsgPartnerAck, OrderID: in.Order,
		Params: map[string]string{"action": action, "order": o.params["order"], "service": o.params["service"], "time": o.window}})
}

// partnerAct carries out in's 接/完成/退 for the partners ids, the ones
// behind in.Phone (several units may share one phone).
func (tx *Tx) partnerAct(ctx context.Context, in *chorus.Inbound, ids []int64) error {
	var err error
	if in.Order == 0 {
		if in.Intent != chorus.IntentAccept {
			in.Outcome = "回复里没有单号"
			return nil
		}
		// A bare 接单 takes the one order this partner was asked about.
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MAX(o.id) FROM orders o JOIN order_offers f ON f.order_id = o.id
			WHERE o.status = 'dispatched' AND f.gave_back = 0 AND f.partner_id IN (`+placeholders(len(ids))+`)`,
			int64sToAny(ids)...).Scan(&n, &sql.NullInt64{})
		if err != nil {
			return fmt.Errorf("open offers: %w", err)
		}
		if n != 1 {
			in.Outcome = "回复“接单”时没有写单号,无法确定是哪一单"
			return nil
		}
		if err := tx.QueryRowContext(ctx, `SELECT o.id FROM orders o JOIN order_offers f ON f.order_id = o.id
			WHERE o.status = 'dispatched' AND f.gave_back = 0 AND f.partner_id IN (`+placeholders(len(ids))+`)`,
			int64sToAny(ids)...).Scan(&in.Order); err != nil {
			return err
		}
	}
	var st chorus.OrderStatus
	var kind chorus.ServiceKind
	var estate, holder sql.NullInt64
	var community int64
	err = tx.QueryRowContext(ctx, "SELECT status, kind, estate_id, partner_id, community_id FROM orders WHERE id = ?", in.Order).
		Scan(&st, &kind, &estate, &holder, &community)
	if err == sql.ErrNoRows {
		in.Outcome = fmt.Sprintf("没有%d号订单", in.Order)
		return nil
	} else if err != nil {
		return fmt.Errorf("order %d: %w", in.Order, err)
	}
	mine := func(id int64) bool {
		for _, x := range ids {
			if x == id {
				return true
			}
		}
		return false
	}
	switch in.Intent {
	case chorus.IntentAccept:
		return tx.acceptOrder(ctx, in, st, acceptedOrder{kind, estate.Int64, community}, holder, ids, mine)
	case chorus.IntentDone:
		if st != chorus.OrderAccepted || !holder.Valid || !mine(holder.Int64) {
			in.Outcome = fmt.Sprintf("%d号订单不是您接的,或已经结束", in.Order)
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE orders SET status = 'done', done_ms = ?, updated_ms = ? WHERE id = ?",
			tx.now.UnixMilli(), tx.now.UnixMilli(), in.Order); err != nil {
			return fmt.Errorf("order %d done: %w", in.Order, err)
		}
		in.Outcome, in.Handled = fmt.Sprintf("%d号订单已完成", in.Order), true
		return tx.orderEvent(ctx, in.Order, chorus.OrderDone, partnerActor(holder.Int64), "")
	default: // give back
		if st != chorus.OrderAccepted || !holder.Valid || !mine(holder.Int64) {
			in.Outcome = fmt.Sprintf("%d号订单不是您接的,不能退单", in.Order)
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'dispatched', partner_id = NULL, accepted_ms = NULL,
			updated_ms = ? WHERE id = ?`, tx.now.UnixMilli(), in.Order); err != nil {
			return fmt.Errorf("order %d given back: %w", in.Order, err)
		}
		// Everyone else may be asked again from the first wave; not the giver.
		if _, err := tx.ExecContext(ctx, "DELETE FROM order_offers WHERE order_id = ? AND gave_back = 0 AND partner_id != ?",
			in.Order, holder.Int64); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_offers (order_id, partner_id, wave, sent_ms, gave_back)
			VALUES (?, ?, 0, ?, 1) ON CONFLICT(order_id, partner_id) DO UPDATE SET gave_back = 1`,
			in.Order, holder.Int64, tx.now.UnixMilli()); err != nil {
			return err
		}
		if err := tx.orderEvent(ctx, in.Order, chorus.OrderDispatched, partnerActor(holder.Int64), "退单,重新派单"); err != nil {
			return err
		}
		in.Outcome, in.Handled = fmt.Sprintf("%d号订单已退回,重新派单", in.Order), true
		return tx.dispatch(ctx, in.Order)
	}
}

// acceptedOrder is what acceptOrder needs of the order a partner takes:
// its service, estate and community (whose link says what the partner
// takes there).
type acceptedOrder struct {
	kind      chorus.ServiceKind
	estate    int64
	community int64
}

func (tx *Tx) acceptOrder(ctx context.Context, in *chorus.Inbound, st chorus.OrderStatus, ao acceptedOrder,
	holder sql.NullInt64, ids []int64, mine func(int64) bool) error {
	switch {
	case st == chorus.OrderAccepted && holder.Valid && mine(holder.Int64):
		in.Outcome, in.Handled = fmt.Sprintf("%d号订单您已经接过了", in.Order), true
		return nil
	case st != chorus.OrderRequested && st != chorus.OrderDispatched:
		// Someone was quicker, or it was called off: say so, kindly.
		in.Outcome, in.Handled = fmt.Sprintf("%d号订单已被接走或已结束", in.Order), true
		var told int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM messages WHERE phone = ? AND kind = ? AND order_id = ?",
			in.Phone, chorus.MsgOrderTaken, in.Order).Scan(&told); err != nil || told > 0 {
			return err // told already when it was taken
		}
		return tx.queue(ctx, chorus.Message{Phone: in.Phone, Kind: chorus.MsgOrderTaken,
			Params: map[string]string{"order": fmt.Sprint(in.Order)}, OrderID: in.Order})
	}
	// Only a unit serving the order's community takes it, with what it
	// takes and covers there.
	all, err := tx.db.partners(ctx, tx, ao.community)
	if err != nil {
		return err
	}
	var taker *chorus.Partner
	for i := range all {
		if mine(all[i].ID) && all[i].Serves(ao.kind, ao.estate) {
			taker = &all[i]
			break
		}
	}
	if taker == nil {
		in.Outcome = fmt.Sprintf("本单位不承接%d号订单的服务或小区", in.Order)
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'accepted', partner_id = ?, accepted_ms = ?, wave_deadline_ms = NULL,
		updated_ms = ? WHERE id = ?`, taker.ID, tx.now.UnixMilli(), tx.now.UnixMilli(), in.Order); err != nil {
		return fmt.Errorf("accept order %d: %w", in.Order, err)
	}
	if err := tx.orderEvent(ctx, in.Order, chorus.OrderAccepted, partnerActor(taker.ID),
		taker.Name+"接单("+chorus.MaskPhone(in.Phone)+")"); err != nil {
		return err
	}
	in.Outcome, in.Handled = fmt.Sprintf("%s接了%d号订单", taker.Name, in.Order), true
	o, err := tx.loadDispatchOrder(ctx, in.Order)
	if err != nil {
		return err
	}
	if err := tx.queue(ctx, chorus.Message{Phone: o.phone, Kind: chorus.MsgHaircutAccepted, OrderID: in.Order,
		Params: map[string]string{"partner": chorus.Ellipsize(taker.Name, chorus.MaxParamRunes), "time": o.window}}); err != nil {
		return err
	}
	// Tell the others who were asked that it is taken: only units that
	// did not win, and none of the winner's own phones (a phone may serve
	// several units).
	others, err := queryRows(ctx, tx, scanValue[string], `SELECT DISTINCT pp.phone FROM order_offers f
		JOIN partner_phones pp ON pp.partner_id = f.partner_id
		WHERE f.order_id = ? AND f.partner_id != ? AND f.gave_back = 0 AND f.told = 1
		AND pp.phone NOT IN (SELECT phone FROM partner_phones WHERE partner_id = ?)`, in.Order, taker.ID, taker.ID)
	if err != nil {
		return fmt.Errorf("other partners: %w", err)
	}
	for _, p := range others {
		if err := tx.queue(ctx, chorus.Message{Phone: p, Kind: chorus.MsgOrderTaken, OrderID: in.Order,
			Params: map[string]string{"order": fmt.Sprint(in.Order)}}); err != nil {
			return err
		}
	}
	return nil
}

func partnerActor(id int64) chorus.Actor { return chorus.Actor(fmt.Sprintf("partner:%d", id)) }

func (tx *Tx) partnerIDs(ctx context.Context, phone string) ([]int64, error) {
	ids, err := queryIDs(ctx, tx, `SELECT pp.partner_id FROM partner_phones pp JOIN partners p ON p.id = pp.partner_id
		WHERE pp.phone = ? AND p.active = 1`, phone)
	if err != nil {
		return nil, fmt.Errorf("partner of %s: %w", chorus.MaskPhone(phone), err)
	}
	return ids, nil
}

func int64sToAny(v []int64) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

// PartnerAnswer records an answer a partner gave by telephone instead of
// by SMS — 接 (IntentAccept), 完成 (IntentDone) or 退 (IntentGiveBack) —
// exactly as the reply would have been carried out (the resident told who
// comes, the others told it is taken, a given-back order dispatched
// again), with a line in the timeline saying staff recorded it. Errors:
// ENOTFOUND (order, partner), EINVALID (another intent), ECONFLICT (the
// order is not in a state for it: the message says why).
func (db *DB) PartnerAnswer(ctx context.Context, orderID, partnerID int64, intent chorus.Intent, actor chorus.Actor) (*chorus.Order, error) {
	if intent != chorus.IntentAccept && intent != chorus.IntentDone && intent != chorus.IntentGiveBack {
		return nil, chorus.Errorf(chorus.EINVALID, "只能代为接单、完成或退单。")
	}
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.orderIn(ctx, orderID); err != nil {
			return err
		}
		var phone, name string
		err := tx.QueryRowContext(ctx, `SELECT pp.phone, p.name FROM partners p JOIN partner_phones pp ON pp.partner_id = p.id
			WHERE p.id = ? ORDER BY pp.rowid LIMIT 1`, partnerID).Scan(&phone, &name)
		if err != nil {
			return notFound(err, "共建单位")
		}
		var st chorus.OrderStatus
		var holder sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT status, partner_id FROM orders WHERE id = ?", orderID).Scan(&st, &holder); err != nil {
			return notFound(err, "订单")
		}
		switch {
		case intent == chorus.IntentAccept && st != chorus.OrderRequested && st != chorus.OrderDispatched:
			return chorus.Errorf(chorus.ECONFLICT, "%d号订单现在是“%s”,不能再接单。", orderID, st.Label())
		case intent != chorus.IntentAccept && (st != chorus.OrderAccepted || holder.Int64 != partnerID):
			return chorus.Errorf(chorus.ECONFLICT, "%d号订单不是%s接的,或已经结束了。", orderID, name)
		}
		// As the SMS reply from the partner's phone would be, for this
		// partner alone (a phone may be shared by several).
		in := &chorus.Inbound{Phone: phone, Intent: intent, Order: orderID}
		if err := tx.partnerAct(ctx, in, []int64{partnerID}); err != nil {
			return err
		}
		if !in.Handled {
			return chorus.Errorf(chorus.ECONFLICT, "%s。", in.Outcome)
		}
		if err := tx.QueryRowContext(ctx, "SELECT status FROM orders WHERE id = ?", orderID).Scan(&st); err != nil {
			return err
		}
		said := map[chorus.Intent]string{chorus.IntentAccept: "接单", chorus.IntentDone: "说已完成", chorus.IntentGiveBack: "退单"}[intent]
		return tx.orderEvent(ctx, orderID, st, actor, name+"打电话"+said+",工作人员代为登记")
	})
	if err != nil {
		return nil, err
	}
	return db.Order(ctx, orderID)
}
