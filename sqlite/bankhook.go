package sqlite

// creditClaim credits the hours of claim claimID, just confirmed, to its
// volunteer in the time bank, in the transaction that confirmed it.
//
// replaced by the time bank (issue 20, helper B).
func creditClaim(tx *Tx, claimID int64) error { return nil }
