package sqlite

import "context"

// CreditClaimForTest runs creditClaim for claim id in its own write
// transaction, as the confirmation of a claim does (the volunteers' code
// calls it in theirs).
func (db *DB) CreditClaimForTest(ctx context.Context, id int64) error {
	return db.update(ctx, func(tx *Tx) error { return creditClaim(tx, id) })
}
