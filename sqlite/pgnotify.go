package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// On PostgreSQL a commit's Change reaches the other instances' listeners
// (kiosks, consoles, SMS workers) through NOTIFY on pgChannel, sent inside
// the transaction so that it is delivered with the commit and never
// without it. Each instance LISTENs on a connection of its own (Listen)
// and passes the changes of other instances to its OnCommit; its own it
// has already heard.

// pgChannel is the NOTIFY channel of committed changes.
const pgChannel = "chorus_changes"

// pgNotifyMax keeps a notification under PostgreSQL's 8000-byte payload.
const pgNotifyMax = 7000

// notice is one notification: the instance that committed and what changed.
type notice struct {
	Owner  string `json:"o"`
	Change Change `json:"c"`
}

// notifyChange sends ch to the other instances, inside the transaction
// on conn. A change too big for one notification goes without most of its
// ids (one of each kind is kept, so that its topics stay).
func (db *DB) notifyChange(ctx context.Context, conn *sql.Conn, ch Change) error {
	payload, err := json.Marshal(notice{Owner: db.owner, Change: ch})
	if err != nil {
		return err
	}
	if len(payload) > pgNotifyMax {
		small := Change{Messages: ch.Messages, Inbox: ch.Inbox}
		for _, ids := range []struct{ from, to *[]int64 }{{&ch.Slots, &small.Slots}, {&ch.Events, &small.Events},
			{&ch.Programmes, &small.Programmes}, {&ch.Orders, &small.Orders}} {
			if len(*ids.from) > 0 {
				*ids.to = (*ids.from)[:1]
			}
		}
		payload, _ = json.Marshal(notice{Owner: db.owner, Change: small})
	}
	_, err = conn.ExecContext(ctx, "SELECT pg_notify(?, ?)", pgChannel, string(payload))
	return err
}

// Listen starts passing the changes other instances commit to OnCommit
// (set OnCommit first), until Close. On SQLite, which one instance has to
// itself, it does nothing.
func (db *DB) Listen() {
	if !db.pg || db.OnCommit == nil {
		return
	}
	db.listenOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		db.stopListen = func() { cancel(); <-done }
		onCommit := db.OnCommit
		go func() {
			defer close(done)
			db.listen(ctx, onCommit)
		}()
	})
}

// listen keeps a LISTEN connection open, connecting again after a failure,
// and hands each foreign notice to onCommit.
func (db *DB) listen(ctx context.Context, onCommit func(Change)) {
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := db.listenConn(ctx, onCommit)
		if ctx.Err() != nil {
			return
		}
		db.Logger.Warn("changes from other instances: listening again", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

func (db *DB) listenConn(ctx context.Context, onCommit func(Change)) error {
	conn, err := pgx.Connect(ctx, db.path)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgChannel); err != nil {
		return err
	}
	if db.listening != nil {
		db.listening()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var in notice
		if err := json.Unmarshal([]byte(n.Payload), &in); err != nil {
			db.Logger.Warn("changes from other instances: unreadable notice", "err", err)
			continue
		}
		if in.Owner == db.owner || in.Change.empty() {
			continue
		}
		in.Change.Remote = true
		onCommit(in.Change)
	}
}
