package sqlite

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// On PostgreSQL several instances drain one outbox. Due claims what it
// returns: in one statement it leases the due messages no other instance
// holds (FOR UPDATE SKIP LOCKED: an instance never waits for another's
// claim, and two never claim one message), for pgLease, to this store
// (its owner id). The lease is renewed each time the owner's worker asks
// again while the message is still due or in flight; when the owner dies
// it runs out, and another instance takes the message, finding it in
// status sending and looking it up before sending again (the worker's
// OutId rule), so that no message is sent twice.

// pgLease is how long a claim holds: far longer than one attempt (the
// provider's timeout), renewed by the owner's polls.
const pgLease = 2 * time.Minute

// newOwner draws an instance's lease owner id.
func newOwner() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// pgClaim leases the due messages (pgDue). Its arguments: the owner, the
// lease's end, now (for queued messages), the channel, now (for leases),
// the owner twice, now, and the limit. The older message to the same phone
// that another instance holds is looked up in messages_live_phone
// (pgmigrations/compat.sql): without it each due message scanned every
// live message, and a backlog of 8,000 queued messages (the outbox behind
// a burst of bookings) took 3.7 s of the database's CPU per claim.
const pgClaim = `UPDATE messages SET lease_owner = ?, lease_until_ms = ?
	WHERE id IN (SELECT m.id FROM messages m
		WHERE ((m.status = 'queued' AND m.next_attempt_ms <= ?) OR m.status = 'sending') AND m.channel = ?
		AND (m.lease_until_ms <= ? OR m.lease_owner = ?)
		AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.phone = m.phone AND o.id < m.id
			AND o.status IN ('queued','sending') AND o.lease_owner <> ? AND o.lease_until_ms > ?)
		ORDER BY m.id LIMIT ? FOR UPDATE SKIP LOCKED)
	RETURNING id`

// pgDue is due on PostgreSQL: it claims, then reads, the due messages.
// The claim is one statement of its own on the read pool, beside the
// writer's batches (row locks keep them apart).
// A message is left to the instance holding an older message to the same
// phone, so that one phone's messages still go in order.
func (db *DB) pgDue(ctx context.Context, ch chorus.Channel, now time.Time, limit int) ([]chorus.Message, error) {
	at := db.Now().UnixMilli()
	ids, err := queryIDs(ctx, db.read, pgClaim, db.owner, at+pgLease.Milliseconds(), now.UnixMilli(), ch, at, db.owner, db.owner, at, limit)
	if err != nil {
		return nil, fmt.Errorf("claim messages: %w", err)
	}
	if len(ids) == 0 {
		return []chorus.Message{}, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return db.dueWhere(ctx, "m.id IN ("+placeholders(len(ids))+") ORDER BY m.id", args...)
}
