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
	"sync"
	"sync/atomic"
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
	// rooms holds the key of every room Append has seen saved in the rooms
	// table, which never loses a row once Open has rekeyed it: Append
	// need not insert them again.
	rooms sync.Map

	// appendStmts are Append's statements, prepared once: the driver
	// would otherwise parse each again for every batch, which for a
	// message alone was a good part of its cost.
	insertStmt, indexStmt, lastIDStmt *sql.Stmt

	// writing is held by whatever writes: Append, the indexer and Prune
	// take turns here rather than in SQLite's busy handler.
	writing sync.Mutex
	// waiting is how many saved messages and actions wait for the search
	// index (see index.go); guarded by writing.
	waiting int
	// indexed is the watermark, meta.indexed as last committed: the search
	// index has every message and action up to it, none above it.
	indexed atomic.Int64
	// appended tells indexWhenQuiet that Append wrote; stopIndexing and
	// indexingDone stop it.
	appended     chan struct{}
	stopIndexing context.CancelFunc
	indexingDone chan struct{}

	// written are the keys of the rooms ("" for entries about no room)
	// that Append has saved entries in since the last Prune by count: only
	// they can have grown past it. Until the first, every room is pruned.
	mu         sync.Mutex
	written    map[string]bool
	prunedOnce bool

	// accountTables are the registered names, in the same file: a Store
	// is the hub's Accounts too.
	accountTables
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
	s := &Store{db: db, lock: lock, accountTables: accountTables{db}}
	// The search index drops what pruning deletes as tombstones, and by
	// default merges a segment once a tenth of it is deleted: pruning the
	// oldest entries every thousand made those merges (each checking the
	// tombstones) half of a saturated server's work, and stalled the log
	// for hundreds of milliseconds. Pruning deletes oldest first, so a
	// segment ends up deleted whole: merge it for deletes only then.
	// FTS5 keeps the setting in the file; setting it at every open brings
	// files made before it along.
	if _, err := db.ExecContext(ctx, `INSERT INTO events_text (events_text, rank) VALUES ('deletemerge', 100)`); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	if err := s.prepare(ctx); err != nil {
		_ = s.Close() // the preparation's error is the one to report
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	// What was saved and not indexed before the last Close (or crash) is
	// indexed now: it is never more than a batch or a quiet second's.
	s.writing.Lock()
	err = s.index(ctx)
	s.writing.Unlock()
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	s.startIndexing()
	return s, nil
}

// prepare prepares Append's statements.
func (s *Store) prepare(ctx context.Context) (err error) {
	if s.insertStmt, err = s.db.PrepareContext(ctx, `INSERT INTO events (id, kind, time, room, room_key, name, text, extra, session, to_session)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return err
	}
	// What waits for the search index, from the watermark (?1) to the
	// last ID saved (?2), folded by foldSQL.
	if s.indexStmt, err = s.db.PrepareContext(ctx, `INSERT INTO events_text (rowid, name, text)
		SELECT id, `+foldFunc+`(name), `+foldFunc+`(text) FROM events WHERE id > ?1 AND id <= ?2 AND `+public+` AND removed = 0 ORDER BY id`); err != nil {
		return err
	}
	s.lastIDStmt, err = s.db.PrepareContext(ctx, `UPDATE meta SET last_id = max(last_id, ?) WHERE one = 1`)
	return err
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

// Close stops the indexer and closes the database. Calls in progress
// finish first; later calls fail. What waits for the search index is
// indexed by the next Open.
func (s *Store) Close() error {
	defer closeLock(s.lock)
	s.stopIndexingNow()
	for _, stmt := range []*sql.Stmt{s.insertStmt, s.indexStmt, s.lastIDStmt} {
		if stmt != nil { // Open may have failed to prepare it
			_ = stmt.Close() // the database's own close says what failed
		}
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("history: close: %w", err)
	}
	return nil
}

// Append saves events, in one transaction: all of them or, with an error,
// none. Every kind of entry the log holds is saved (joins, renames, private
// messages, topics, ...); the readers return only the conversation. An
// entry about a room saves it under its room (Event.Room, or the default
// room for one that names none: see roomOf); the first entry that names a
// room creates it in Rooms, and a KindTopic sets its topic. Append refuses
// a nil event, ID 0, an ID beyond SQLite's int64, a room name that breaks
// the name rules and the kinds that are never in the log (notices, replay
// markers), and fails if an ID is already saved. Time is saved to the
// millisecond. The search index is written behind Append, in batches (see
// index.go), but Search finds a message as soon as Append returns.
func (s *Store) Append(ctx context.Context, events []*hub.Event) (err error) {
	if len(events) == 0 {
		return nil
	}
	rooms := make([]room, len(events))
	named := make(map[string]room) // a batch names few rooms: each is checked once
	var last uint64
	for i, ev := range events {
		if err := saveable(ev); err != nil {
			return fmt.Errorf("history: append event %d of %d: %w", i+1, len(events), err)
		}
		r, ok := named[ev.Room]
		if !ok || ev.Room == "" {
			if r, err = roomOf(ev); err != nil {
				return fmt.Errorf("history: append event %d of %d: %w", i+1, len(events), err)
			}
			named[ev.Room] = r
		}
		rooms[i] = r
		last = max(last, ev.ID)
	}

	s.writing.Lock()
	defer s.writing.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("history: append: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // err says what went wrong; this only undoes it
		}
	}()
	insert := tx.StmtContext(ctx, s.insertStmt)
	unindexed := 0                   // messages and actions, which the search index will want
	var removed []removal            // the messages operators removed in this batch
	created := make(map[string]bool) // rooms this batch has made sure of
	for i, ev := range events {
		r := rooms[i]
		if _, err := insert.ExecContext(ctx, int64(ev.ID), int64(ev.Kind), ev.Time.UnixMilli(), r.name, r.key,
			ev.Name, ev.Text, extraOf(ev), ev.Session, ev.ToSession); err != nil {
			return fmt.Errorf("history: append event %d: %w", ev.ID, err)
		}
		if _, saved := s.rooms.Load(r.key); r.key != "" && !saved && !created[r.key] {
			created[r.key] = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO rooms (key, name, created) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
				r.key, r.name, ev.Time.UnixMilli()); err != nil {
				return fmt.Errorf("history: append event %d: room: %w", ev.ID, err)
			}
		}
		switch ev.Kind {
		case hub.KindTopic:
			if err := setTopic(ctx, tx, r.key, ev); err != nil {
				return fmt.Errorf("history: append event %d: topic: %w", ev.ID, err)
			}
		case hub.KindMessage, hub.KindAction:
			unindexed++
		case hub.KindModeration:
			if ev.Moderation.Action == hub.ActionRemove {
				removed = append(removed, removal{id: ev.Moderation.Message, roomKey: r.key})
			}
		}
	}
	// After the rows, so that a message removed in the batch that said it
	// is removed too.
	for _, r := range removed {
		if err := remove(ctx, tx, r); err != nil {
			return fmt.Errorf("history: append: remove message %d: %w", r.id, err)
		}
	}
	if _, err := tx.StmtContext(ctx, s.lastIDStmt).ExecContext(ctx, int64(last)); err != nil {
		return fmt.Errorf("history: append: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("history: append: %w", err)
	}
	for key := range created {
		s.rooms.Store(key, true)
	}
	keys := make([]string, len(rooms))
	for i, r := range rooms {
		keys[i] = r.key
	}
	s.wrote(keys)
	s.wroteBatch(ctx, unindexed)
	return nil
}

// wrote notes that the rooms with keys have had entries saved.
func (s *Store) wrote(keys []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written == nil {
		s.written = make(map[string]bool)
	}
	for _, key := range keys {
		s.written[key] = true
	}
}

// grown returns the rooms that may have grown past keep since the last
// prune by count, and starts counting afresh: every room the first time,
// then those Append has written to.
func (s *Store) grown(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	written, first := s.written, !s.prunedOnce
	s.written, s.prunedOnce = nil, true
	s.mu.Unlock()
	if first {
		keys, err := roomKeys(ctx, s.db)
		if err != nil {
			s.mu.Lock()
			s.prunedOnce = false
			s.mu.Unlock()
		}
		return append(keys, ""), err
	}
	keys := make([]string, 0, len(written))
	for key := range written {
		keys = append(keys, key)
	}
	return keys, nil
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
	case ev.Kind == hub.KindModeration && ev.Moderation == nil:
		return fmt.Errorf("event %d: moderation entry says no action", ev.ID)
	}
	return nil
}

// removal is a message an operator removed: its ID, in the room with key.
type removal struct {
	id      uint64
	roomKey string
}

// remove blanks the text of the message r names and marks it removed, and
// takes it out of the search index, so that nothing of what it said can be
// read or found again. Its entry stays, so that readers show where it was.
// A message not saved (pruned, never in that room) is nothing to remove.
// One not indexed yet (above the watermark) is not in the index, and
// deleting it there is nothing to FTS5; the indexer passes removed
// messages over, and Search reads those above the watermark with the
// same condition.
func remove(ctx context.Context, tx *sql.Tx, r removal) error {
	if r.id == 0 || r.id > math.MaxInt64 || r.roomKey == "" {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE events SET text = '', removed = 1
		WHERE id = ? AND room_key = ? AND kind IN (3, 5) AND removed = 0`, int64(r.id), r.roomKey)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM events_text WHERE rowid = ?`, int64(r.id))
	return err
}

// logged are the kinds of entry the log holds.
var logged = map[hub.Kind]bool{
	hub.KindJoined: true, hub.KindLeft: true, hub.KindMessage: true, hub.KindAction: true,
	hub.KindPrivate: true, hub.KindRenamed: true, hub.KindAway: true, hub.KindTopic: true,
	hub.KindModeration: true, hub.KindAccount: true,
}

// extra is what an entry has beyond the columns every entry has.
type extra struct {
	Transport hub.Transport `json:"transport,omitempty"`
	Reason    hub.Reason    `json:"reason,omitempty"`
	To        string        `json:"to,omitempty"`
	NewName   string        `json:"newName,omitempty"`
	Away      bool          `json:"away,omitempty"`
	// Registered and Operator are a join's (and Registered an account
	// entry's): the person joined logged in to its registered name, as a
	// server operator.
	Registered bool        `json:"registered,omitempty"`
	Operator   bool        `json:"operator,omitempty"`
	Moderation *moderation `json:"moderation,omitempty"`
}

// moderation is hub.Moderation as extra keeps it.
type moderation struct {
	Action  hub.Action `json:"action"`
	Target  string     `json:"target,omitempty"`
	Address string     `json:"address,omitempty"`
	Message uint64     `json:"message,omitempty"`
	Until   int64      `json:"until,omitempty"` // Unix ms; 0: never (the zero time)
}

// extraOf encodes ev's extra fields; "" for the public conversation, which
// has none.
func extraOf(ev *hub.Event) string {
	x := extra{Transport: ev.Transport, Reason: ev.Reason, To: ev.To, NewName: ev.NewName, Away: ev.Away,
		Registered: ev.Registered, Operator: ev.Operator}
	if m := ev.Moderation; m != nil {
		x.Moderation = &moderation{Action: m.Action, Target: m.Target, Address: m.Address, Message: m.Message}
		if !m.Until.IsZero() {
			x.Moderation.Until = m.Until.UnixMilli()
		}
	}
	if x == (extra{}) {
		return ""
	}
	b, _ := json.Marshal(x) // plain fields: cannot fail
	return string(b)
}

// columns are the columns scan reads, in its order.
const columns = `id, kind, time, room, name, text, extra, session, to_session, removed`

// public selects what readers of a room see: messages and actions, its
// conversation (not joins, topics or parts). It matches the
// events_room_public index.
const public = `kind IN (3, 5)`

// Recent returns room's newest n saved messages and actions, oldest first;
// none if n <= 0. room is the room's display name or any spelling with the
// same hub.RoomKey; a room never saved, or a name that breaks the rules,
// has none.
func (s *Store) Recent(ctx context.Context, room string, n int) ([]*hub.Event, error) {
	key := hub.RoomKey(room)
	if n <= 0 || key == "" {
		return nil, nil
	}
	evs, err := s.query(ctx, `SELECT `+columns+` FROM events WHERE room_key = ? AND `+public+` ORDER BY id DESC LIMIT ?`, key, n)
	if err != nil {
		return nil, fmt.Errorf("history: recent: %w", err)
	}
	slices.Reverse(evs)
	return evs, nil
}

// Before returns room's newest n saved messages and actions whose ID is
// less than id, oldest first; none if n <= 0. room is as for Recent.
func (s *Store) Before(ctx context.Context, room string, id uint64, n int) ([]*hub.Event, error) {
	key := hub.RoomKey(room)
	if n <= 0 || id == 0 || key == "" {
		return nil, nil
	}
	if id > math.MaxInt64 {
		return s.Recent(ctx, room, n) // every saved ID is less
	}
	evs, err := s.query(ctx, `SELECT `+columns+` FROM events WHERE room_key = ? AND `+public+` AND id < ? ORDER BY id DESC LIMIT ?`,
		key, int64(id), n)
	if err != nil {
		return nil, fmt.Errorf("history: before %d: %w", id, err)
	}
	slices.Reverse(evs)
	return evs, nil
}

// After returns room's oldest n saved messages and actions whose ID is
// greater than id, oldest first; none if n <= 0. room is as for Recent.
func (s *Store) After(ctx context.Context, room string, id uint64, n int) ([]*hub.Event, error) {
	key := hub.RoomKey(room)
	if n <= 0 || id >= math.MaxInt64 || key == "" {
		return nil, nil
	}
	evs, err := s.query(ctx, `SELECT `+columns+` FROM events WHERE room_key = ? AND `+public+` AND id > ? ORDER BY id LIMIT ?`,
		key, int64(id), n)
	if err != nil {
		return nil, fmt.Errorf("history: after %d: %w", id, err)
	}
	return evs, nil
}

// Private returns the newest n saved private messages that session sent
// (Event.Session) or was sent (Event.ToSession) whose ID is less than
// before (0: the newest of all), oldest first; none if n <= 0 or session is
// "". A private message saved before the recipient's session was kept is
// its sender's only.
func (s *Store) Private(ctx context.Context, session string, before uint64, n int) ([]*hub.Event, error) {
	if n <= 0 || session == "" {
		return nil, nil
	}
	below := int64(math.MaxInt64)
	if before != 0 && before < math.MaxInt64 {
		below = int64(before)
	}
	// Each side reads its own index (events_private_from, _to) newest
	// first and stops at n; the newest n of the two lists are the answer.
	evs, err := s.query(ctx, `SELECT `+columns+` FROM events WHERE id IN (
			SELECT id FROM (SELECT id FROM events WHERE kind = 6 AND session != '' AND session = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3)
			UNION ALL
			SELECT id FROM (SELECT id FROM events WHERE kind = 6 AND to_session != '' AND to_session = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3)
		) ORDER BY id DESC LIMIT ?3`, session, below, n)
	if err != nil {
		return nil, fmt.Errorf("history: private: %w", err)
	}
	slices.Reverse(evs)
	return evs, nil
}

// prunable selects the entries Prune may delete: all but the moderation
// entries (hub.KindModeration, 12), which are the record of what operators
// did, and from which the hub rebuilds the bans in force as it starts.
const prunable = `kind != 12`

// pruneRoom deletes the entries Prune may delete of the room with key ?1,
// but its newest ?2+1 of them. The subquery is the room's keep-th newest ID: with
// keep or fewer entries it is NULL, and "id < NULL" holds for no row. Both
// read the events_room index alone, which has each entry's kind.
const pruneRoom = `DELETE FROM events WHERE room_key = ?1 AND ` + prunable + ` AND id <
	(SELECT id FROM events WHERE room_key = ?1 AND ` + prunable + ` ORDER BY id DESC LIMIT 1 OFFSET ?2)`

// Prune deletes, in every room, every entry but the room's newest keep
// (keep <= 0: no limit by count), and every entry whose time is before
// before (the zero time: no limit by age), in one transaction, and returns
// how many it deleted. The entries that are about no room (departures from
// the server, renames, away, private messages) are kept as one more room
// is. Times are compared to the millisecond, as they are saved. Rooms
// stay, with their topics, however few entries are left in them; LastID is
// unchanged. Moderation entries are never deleted, and do not count
// towards keep (see prunable).
func (s *Store) Prune(ctx context.Context, keep int, before time.Time) (deleted int, err error) {
	if keep <= 0 && before.IsZero() {
		return 0, nil
	}
	// Only the rooms written to since the last prune can have grown past
	// keep: a server of thousands of quiet rooms would otherwise delete
	// from each of them, every thousand entries, what none of them had.
	var keys []string
	if keep > 0 {
		if keys, err = s.grown(ctx); err != nil {
			return 0, fmt.Errorf("history: prune: %w", err)
		}
		defer func() {
			if err != nil { // not pruned after all: the next prune looks at them
				s.wrote(keys)
			}
		}()
	}
	s.writing.Lock()
	defer s.writing.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("history: prune: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // err says what went wrong; this only undoes it
		}
	}()
	del := func(query string, args ...any) error {
		res, err := tx.ExecContext(ctx, query, args...)
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
		stmt, err := tx.PrepareContext(ctx, pruneRoom)
		if err != nil {
			return 0, fmt.Errorf("history: prune: %w", err)
		}
		defer stmt.Close()
		for _, key := range keys {
			res, err := stmt.ExecContext(ctx, key, keep-1)
			if err != nil {
				return 0, fmt.Errorf("history: prune: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return 0, fmt.Errorf("history: prune: %w", err)
			}
			deleted += int(n)
		}
	}
	if !before.IsZero() {
		if err := del(`DELETE FROM events WHERE time < ? AND `+prunable, before.UnixMilli()); err != nil {
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
		x            string
		ev           hub.Event
	)
	if err := rows.Scan(&id, &kind, &ms, &ev.Room, &ev.Name, &ev.Text, &x, &ev.Session, &ev.ToSession, &ev.Removed); err != nil {
		return nil, err
	}
	if id <= 0 || kind <= 0 || kind > math.MaxUint8 {
		return nil, fmt.Errorf("corrupt row: id %d, kind %d", id, kind)
	}
	ev.ID = uint64(id)
	ev.Kind = hub.Kind(kind)
	ev.Time = time.UnixMilli(ms).UTC()
	if x != "" {
		var e extra
		if err := json.Unmarshal([]byte(x), &e); err != nil {
			return nil, fmt.Errorf("corrupt row: id %d: %w", id, err)
		}
		ev.Transport, ev.Reason, ev.To, ev.NewName, ev.Away = e.Transport, e.Reason, e.To, e.NewName, e.Away
		ev.Registered, ev.Operator = e.Registered, e.Operator
		if m := e.Moderation; m != nil {
			ev.Moderation = &hub.Moderation{Action: m.Action, Target: m.Target, Address: m.Address, Message: m.Message}
			if m.Until != 0 {
				ev.Moderation.Until = time.UnixMilli(m.Until).UTC()
			}
		}
	}
	return &ev, nil
}

// Moderation returns the saved moderation entries (hub.KindModeration),
// oldest first: every one, or the newest n if n > 0. Pruning never
// deletes them, so this is the whole record of what operators did.
func (s *Store) Moderation(ctx context.Context, n int) ([]*hub.Event, error) {
	limit := -1 // SQLite: no limit
	if n > 0 {
		limit = n
	}
	evs, err := s.query(ctx, `SELECT `+columns+` FROM events WHERE kind = 12 ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("history: moderation: %w", err)
	}
	slices.Reverse(evs)
	return evs, nil
}
