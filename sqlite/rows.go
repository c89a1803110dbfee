package sqlite

import "context"

// rowScanner is a *sql.Row or *sql.Rows: the scan functions (scanBooking,
// scanMessage, …) read one row from either.
type rowScanner = interface{ Scan(...any) error }

// queryRows runs query on q and returns each row as scan reads it, in
// order; never nil, so that an empty list encodes as []. Its errors are
// the driver's or scan's, for the caller to wrap with what it was reading.
func queryRows[T any](ctx context.Context, q querier, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scanValue reads a row of one column.
func scanValue[T any](rows rowScanner) (T, error) {
	var v T
	err := rows.Scan(&v)
	return v, err
}
