package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/anseo/anseo/internal/hub"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Store is the room's history in an SQLite database. It implements
// hub.Store; its methods are safe from any goroutine and block on the
// database, each until it is done or its context is cancelled.
type Store struct {
	db   *sql.DB
	lock *os.File // held while open: one process per file
}

var _ hub.Store = (*Store)(nil)

// Open opens the history database at path, creating the file if it does not
// exist, and brings its schema up to date. path is a file name (anseo uses
// ./anseo.db), or Memory for a database that lives only as long as the
// Store. The caller must Close the Store.
func Open(ctx context.Context, path string) (*Store, error) {
	name, conns, err := dsn(path)
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	var lock *os.File
	if path != Memory {
		if lock, err = lockFile(path); err != nil {
			return nil, fmt.Errorf("history: open %s: %w", path, err)
		}
	}
	db, err := sql.Open("sqlite", name)
	if err != nil {
		closeLock(lock)
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	// Idle connections are kept for good: opening one runs its pragmas, and
	// closing the only connection to Memory would drop the database.
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := migrate(ctx, db); err != nil {
		_ = db.Close() // the migration's error is the one to report
		closeLock(lock)
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	return &Store{db: db, lock: lock}, nil
}

// ErrInUse is returned by Open for a file another process has open: two
// anseo processes (two nodes of a cluster, say) would number their events
// over each other's.
var ErrInUse = errors.New("in use by another anseo process; give each its own history file (-db)")

// lockFile takes an exclusive lock on the database file for as long as the
// Store is open. flock(2) locks are separate from the fcntl(2) locks SQLite
// takes, so the two do not interfere.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, err
	}
	return f, nil
}

func closeLock(f *os.File) {
	if f != nil {
		_ = f.Close() // closing releases the lock
	}
}

// Close closes the database. Calls in progress finish first; later calls
// fail.
func (s *Store) Close() error {
	defer closeLock(s.lock)
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("history: close: %w", err)
	}
	return nil
}

// Append saves events, in one transaction: all of them or, with an error,
// none. Every kind of entry the room's log holds is saved (joins, renames,
// private messages, ...); the readers return only the public conversation.
// It refuses a nil event, ID 0, an ID beyond SQLite's int64 and the kinds
// that are never in the log (notices, replay markers), and fails if an ID
// is already saved. Time is saved to the millisecond.
func (s *Store) Append(ctx context.Context, events []*hub.Event) (err error) {
	if len(events) == 0 {
		return nil
	}
	var last uint64
	for i, ev := range events {
		if err := saveable(ev); err != nil {
			return fmt.Errorf("history: append event %d of %d: %w", i+1, len(events), err)
		}
		last = max(last, ev.ID)
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("history: append: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // err says what went wrong; this only undoes it
		}
	}()
	insert, err := tx.PrepareContext(ctx, `INSERT INTO events (id, kind, time, name, text, extra, session) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("history: append: %w", err)
	}
	defer insert.Close()
	for _, ev := range events {
		if _, err := insert.ExecContext(ctx, int64(ev.ID), int64(ev.Kind), ev.Time.UnixMilli(), ev.Name, ev.Text, extraOf(ev), ev.Session); err != nil {
			return fmt.Errorf("history: append event %d: %w", ev.ID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meta SET last_id = max(last_id, ?) WHERE one = 1`, int64(last)); err != nil {
		return fmt.Errorf("history: append: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("history: append: %w", err)
	}
	return nil
}

// saveable says why ev cannot be saved, if it cannot.
func saveable(ev *hub.Event) error {
	switch {
	case ev == nil:
		return errors.New("nil event")
	case ev.ID == 0:
		return errors.New("event has no ID")
	case ev.ID > math.MaxInt64:
		return fmt.Errorf("event ID %d is beyond SQLite's integers", ev.ID)
	case !logged[ev.Kind]:
		return fmt.Errorf("event %d: %s events are not saved", ev.ID, ev.Kind)
	}
	return nil
}

// logged are the kinds of entry the room's log holds.
var logged = map[hub.Kind]bool{
	hub.KindJoined: true, hub.KindLeft: true, hub.KindMessage: true, hub.KindAction: true,
	hub.KindPrivate: true, hub.KindRenamed: true, hub.KindAway: true, hub.KindTopic: true,
}

// extra is what an entry has beyond the columns every entry has.
type extra struct {
	Transport hub.Transport `json:"transport,omitempty"`
	Reason    hub.Reason    `json:"reason,omitempty"`
	To        string        `json:"to,omitempty"`
	NewName   string        `json:"newName,omitempty"`
	Away      bool          `json:"away,omitempty"`
}

// extraOf encodes ev's extra fields; "" for the public conversation, which
// has none.
func extraOf(ev *hub.Event) string {
	x := extra{Transport: ev.Transport, Reason: ev.Reason, To: ev.To, NewName: ev.NewName, Away: ev.Away}
	if x == (extra{}) {
		return ""
	}
	b, _ := json.Marshal(x) // plain fields: cannot fail
	return string(b)
}

// columns are the columns scan reads, in its order.
const columns = `id, kind, time, name, text, session`

// public selects what readers see: messages and actions, the room's
// conversation (not joins, renames or private messages). It matches the
// events_public index.
const public = `kind IN (3, 5)`

// Recent returns the newest n saved messages and actions, oldest first;
// none if n <= 0.
func (s *Store) Recent(ctx context.Context, n int) ([]*hub.Event, error) {
	if n <= 0 {
		return nil, nil
	}
	evs, err := s.query(ctx, `SELECT `+columns+` FROM events WHERE `+public+` ORDER BY id DESC LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("history: recent: %w", err)
	}
	slices.Reverse(evs)
	return evs, nil
}

// Before returns the newest n saved messages and actions whose ID is less
// than id, oldest first; none if n <= 0.
func (s *Store) Before(ctx context.Context, id uint64, n int) ([]*hub.Event, error) {
	if n <= 0 || id == 0 {
		return nil, nil
	}
	if id > math.MaxInt64 {
		return s.Recent(ctx, n) // every saved ID is less
	}
	evs, err := s.query(ctx, `SELECT `+columns+` FROM events WHERE `+public+` AND id < ? ORDER BY id DESC LIMIT ?`, int64(id), n)
	if err != nil {
		return nil, fmt.Errorf("history: before %d: %w", id, err)
	}
	slices.Reverse(evs)
	return evs, nil
}

// After returns the oldest n saved messages and actions whose ID is greater
// than id, oldest first; none if n <= 0.
func (s *Store) After(ctx context.Context, id uint64, n int) ([]*hub.Event, error) {
	if n <= 0 || id >= math.MaxInt64 {
		return nil, nil
	}
	evs, err := s.query(ctx, `SELECT `+columns+` FROM events WHERE `+public+` AND id > ? ORDER BY id LIMIT ?`, int64(id), n)
	if err != nil {
		return nil, fmt.Errorf("history: after %d: %w", id, err)
	}
	return evs, nil
}

// Prune deletes every event but the newest keep (keep <= 0: no limit by
// count) and every event whose time is before before (the zero time: no
// limit by age), in one transaction, and returns how many it deleted. Times
// are compared to the millisecond, as they are saved. LastID is unchanged.
func (s *Store) Prune(ctx context.Context, keep int, before time.Time) (deleted int, err error) {
	if keep <= 0 && before.IsZero() {
		return 0, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("history: prune: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // err says what went wrong; this only undoes it
		}
	}()
	del := func(query string, arg any) error {
		res, err := tx.ExecContext(ctx, query, arg)
		if err != nil {
			return fmt.Errorf("history: prune: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("history: prune: %w", err)
		}
		deleted += int(n)
		return nil
	}
	if keep > 0 {
		// With keep or fewer events, min is the oldest ID and nothing goes;
		// with none, it is NULL and "id < NULL" holds for no row.
		err := del(`DELETE FROM events WHERE id < (SELECT min(id) FROM (SELECT id FROM events ORDER BY id DESC LIMIT ?))`, keep)
		if err != nil {
			return 0, err
		}
	}
	if !before.IsZero() {
		if err := del(`DELETE FROM events WHERE time < ?`, before.UnixMilli()); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("history: prune: %w", err)
	}
	return deleted, nil
}

// LastName returns the name the person with this session was last known
// by: the newest saved join's name or rename's new name among the entries
// with that session; "" if there is none (never saved, or pruned).
func (s *Store) LastName(ctx context.Context, session string) (string, error) {
	if session == "" {
		return "", nil
	}
	var kind int64
	var name, x string
	err := s.db.QueryRowContext(ctx, `SELECT kind, name, extra FROM events
		WHERE session = ? AND session != '' AND kind IN (1, 7) ORDER BY id DESC LIMIT 1`, session).Scan(&kind, &name, &x)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("history: last name: %w", err)
	}
	if hub.Kind(kind) == hub.KindRenamed {
		var e extra
		if err := json.Unmarshal([]byte(x), &e); err != nil {
			return "", fmt.Errorf("history: last name: %w", err)
		}
		name = e.NewName
	}
	return name, nil
}

// LastID returns the greatest ID ever appended, 0 for a new database. It
// survives pruning and reopening.
func (s *Store) LastID(ctx context.Context) (uint64, error) {
	var id int64
	if err := s.db.QueryRowContext(ctx, `SELECT last_id FROM meta WHERE one = 1`).Scan(&id); err != nil {
		return 0, fmt.Errorf("history: last ID: %w", err)
	}
	return uint64(id), nil
}

// query runs a SELECT of columns and returns every row as an event.
func (s *Store) query(ctx context.Context, query string, args ...any) ([]*hub.Event, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []*hub.Event
	for rows.Next() {
		ev, err := scan(rows)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}

// scan reads one row of columns.
func scan(rows *sql.Rows) (*hub.Event, error) {
	var (
		id, kind, ms int64
		ev           hub.Event
	)
	if err := rows.Scan(&id, &kind, &ms, &ev.Name, &ev.Text, &ev.Session); err != nil {
		return nil, err
	}
	if id <= 0 || kind <= 0 || kind > math.MaxUint8 {
		return nil, fmt.Errorf("corrupt row: id %d, kind %d", id, kind)
	}
	ev.ID = uint64(id)
	ev.Kind = hub.Kind(kind)
	ev.Time = time.UnixMilli(ms).UTC()
	return &ev, nil
}
