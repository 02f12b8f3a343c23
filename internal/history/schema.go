package history

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Memory is the path that opens a database held in memory, gone when the
// Store is closed: for tests, and for running without a disk.
const Memory = ":memory:"

// busyTimeout is how long a statement waits for another connection's lock
// (Append against Prune, or a second process such as the sqlite3 shell)
// before it fails with SQLITE_BUSY. Every write here is one short
// transaction, so a wait this long means something else holds the lock.
const busyTimeout = 5 * time.Second

// maxConns bounds the connections to a file database. Each holds its own
// page cache; in WAL mode they read in parallel while one writes, and a few
// are plenty for a chat server's paging and searches.
const maxConns = 8

// A migration brings the schema from one version to the next: its SQL,
// then fill, if it has one, for what SQL alone cannot do.
type migration struct {
	sql  string
	fill func(ctx context.Context, tx *sql.Tx) error
}

// migrations[i] brings the schema from version i to version i+1 (PRAGMA
// user_version). Append only: a released migration is never edited, since
// databases in the field have already run it.
var migrations = []migration{
	// Version 1. events.id is the hub's event ID and the rowid; time is Unix
	// milliseconds, indexed for pruning by age. meta holds the greatest ID
	// ever appended, which pruning must not lose.
	{sql: `CREATE TABLE IF NOT EXISTS events (
		id   INTEGER PRIMARY KEY,
		kind INTEGER NOT NULL,
		time INTEGER NOT NULL,
		name TEXT NOT NULL,
		text TEXT NOT NULL
	) STRICT;
	CREATE INDEX IF NOT EXISTS events_time ON events (time);
	CREATE TABLE IF NOT EXISTS meta (
		one     INTEGER PRIMARY KEY CHECK (one = 1),
		last_id INTEGER NOT NULL
	) STRICT;
	INSERT OR IGNORE INTO meta (one, last_id) VALUES (1, 0);`},
	// Version 2. The history is the room's log: every change to the room is
	// an entry (joins, departures, renames, away, private messages as well
	// as the public conversation). The fields only some kinds have travel in
	// extra as JSON; public_id serves the readers, who see messages and
	// actions only.
	{sql: `ALTER TABLE events ADD COLUMN extra TEXT NOT NULL DEFAULT '';
	CREATE INDEX IF NOT EXISTS events_public ON events (id) WHERE kind IN (3, 5);`},
	// Version 3. session is who is behind an entry's person, whatever its
	// name (hub.Event.Session); events_session finds the name a session was
	// last known by, its newest join or rename.
	{sql: `ALTER TABLE events ADD COLUMN session TEXT NOT NULL DEFAULT '';
	CREATE INDEX IF NOT EXISTS events_session ON events (session, id) WHERE session != '' AND kind IN (1, 7);`},
	// Version 4. Rooms. An entry about a room (a join, a part, a message, an
	// action, a topic) has its room's display name in room and its key
	// (hub.RoomKey) in room_key; the readers and pruning go by room_key
	// (events_room_public, events_room). Every entry saved before rooms was
	// the one room's, the default room "#lobby": its joins, messages and
	// actions are moved there, and its departures stay departures from the
	// server. rooms lists every room ever created, with its topic; it is
	// never pruned. The key '#lobby' is put right by rekey when the name
	// rules make it another. to_session is the recipient's session of a
	// private message (hub.Event.ToSession), unknown for those saved
	// before; events_private_from and _to give a session its private
	// messages. events_text is the search index of messages and actions:
	// their name and text case-folded (see folder), in trigrams, so that
	// a substring is found without reading every message. It keeps no copy
	// of the text (content='') and no positions (detail=none: a quarter of
	// the size), so it finds the messages that have every trigram of a
	// query, and Search keeps those that have the query; the trigger takes
	// what is pruned out.
	{sql: `ALTER TABLE events ADD COLUMN room TEXT NOT NULL DEFAULT '';
	ALTER TABLE events ADD COLUMN room_key TEXT NOT NULL DEFAULT '';
	ALTER TABLE events ADD COLUMN to_session TEXT NOT NULL DEFAULT '';
	UPDATE events SET room = '#lobby', room_key = '#lobby' WHERE kind IN (1, 3, 5);
	DROP INDEX IF EXISTS events_public;
	CREATE INDEX events_room ON events (room_key, id);
	CREATE INDEX events_room_public ON events (room_key, id) WHERE kind IN (3, 5);
	CREATE INDEX events_private_from ON events (session, id) WHERE kind = 6 AND session != '';
	CREATE INDEX events_private_to ON events (to_session, id) WHERE kind = 6 AND to_session != '';
	CREATE TABLE rooms (
		key      TEXT PRIMARY KEY,
		name     TEXT NOT NULL,
		topic    TEXT NOT NULL DEFAULT '',
		topic_by TEXT NOT NULL DEFAULT '',
		topic_at INTEGER NOT NULL DEFAULT 0,
		created  INTEGER NOT NULL
	) STRICT, WITHOUT ROWID;
	INSERT INTO rooms (key, name, created)
		SELECT '#lobby', '#lobby', coalesce((SELECT min(time) FROM events), CAST(unixepoch('subsec') * 1000 AS INTEGER))
		FROM meta WHERE last_id > 0;
	CREATE VIRTUAL TABLE events_text USING fts5 (name, text,
		content = '', contentless_delete = 1, detail = none, tokenize = 'trigram case_sensitive 1');
	CREATE TRIGGER events_text_pruned AFTER DELETE ON events WHEN old.kind IN (3, 5) BEGIN
		DELETE FROM events_text WHERE rowid = old.id;
	END;`, fill: indexSaved},
	// Version 5. Registered names and moderation. accounts holds the
	// registered names by hub.NameKey (hub.Accounts), with the password's
	// argon2id hash (never the password) and whether the name is a server
	// operator; logins the browser sessions logged in to one, until when
	// (Unix ms). removed marks a message an operator removed (its text is
	// blanked then, and taken out of the search index). Moderation entries
	// (kind 12, hub.KindModeration) are kept forever: events_moderation
	// reads them in order, and pruning passes them over, which events_room
	// answers alone now that it has each entry's kind: finding a room's
	// 100,000th newest entry that is not one read the kind from each row
	// and took 41 ms at best, instead of 6 with the kind in the index;
	// the trigger takes only what is still in the search index out of it.
	{sql: `CREATE TABLE accounts (
		key      TEXT PRIMARY KEY,
		name     TEXT NOT NULL,
		hash     TEXT NOT NULL,
		operator INTEGER NOT NULL DEFAULT 0,
		created  INTEGER NOT NULL
	) STRICT, WITHOUT ROWID;
	CREATE TABLE logins (
		session TEXT PRIMARY KEY,
		key     TEXT NOT NULL,
		until   INTEGER NOT NULL
	) STRICT, WITHOUT ROWID;
	CREATE INDEX logins_key ON logins (key);
	CREATE INDEX logins_until ON logins (until);
	ALTER TABLE events ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
	CREATE INDEX events_moderation ON events (id) WHERE kind = 12;
	DROP INDEX events_room;
	CREATE INDEX events_room ON events (room_key, id, kind);
	DROP TRIGGER events_text_pruned;
	CREATE TRIGGER events_text_pruned AFTER DELETE ON events WHEN old.kind IN (3, 5) AND old.removed = 0 BEGIN
		DELETE FROM events_text WHERE rowid = old.id;
	END;`},
	// Version 6. The search index goes behind the log: Append saves the
	// rows, and the messages and actions that are not removed are put in
	// events_text later, in large batches (index.go). meta.indexed is the
	// watermark, the greatest ID the index goes to: what is above it is
	// not in the index yet, and Search reads it from events. Everything
	// saved before was indexed as it was appended. Deleting a row the
	// index never had (pruning or removing a message above the watermark)
	// is nothing to the index: FTS5 finds no origin for that rowid and
	// deletes nothing, so the trigger and removal need no guard.
	{sql: `ALTER TABLE meta ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
	UPDATE meta SET indexed = last_id;`},
}

// dsn returns the modernc.org/sqlite data source name for path, and how
// many connections the pool may hold.
//
// A file is named by an absolute file: URI with the path percent-encoded,
// so that any file name works: the driver would otherwise cut a plain name
// at its first '?'. Its parameters set:
//
//   - _journal_mode=WAL: readers and the one writer do not block each other,
//     and a commit is one sequential write;
//   - _synchronous=NORMAL: with WAL, a power cut may lose the last commits
//     but never corrupts the database; FULL would fsync every batch;
//   - _busy_timeout: see busyTimeout;
//   - _txlock=immediate: every transaction (all of them write) takes the
//     write lock at BEGIN, where busy_timeout applies, instead of failing
//     with SQLITE_BUSY when a read lock cannot be upgraded.
//
// An in-memory database exists only inside its one connection, so its pool
// holds exactly one: every caller then sees the same database, in turn.
func dsn(path string) (name string, conns int, err error) {
	q := url.Values{}
	q.Set("_txlock", "immediate")
	if path == Memory {
		return Memory + "?" + q.Encode(), 1, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", 0, err
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:///C:/...
	}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String(), maxConns, nil
}

// migrate brings db's schema up to the newest version, and its room keys
// up to this anseo's name rules (rekey), in one transaction that holds the
// write lock, so two processes opening a new file at once cannot both run a
// migration.
func migrate(ctx context.Context, db *sql.DB) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // err says what went wrong; this only undoes it
		}
	}()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this anseo knows (%d)", version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		m := migrations[v]
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("schema version %d: %w", v+1, err)
		}
		if m.fill == nil {
			continue
		}
		if err := m.fill(ctx, tx); err != nil {
			return fmt.Errorf("schema version %d: %w", v+1, err)
		}
	}
	if version < len(migrations) {
		// PRAGMA takes no parameters; the value is an int formatted here.
		if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(len(migrations))); err != nil {
			return err
		}
	}
	if err := rekey(ctx, tx); err != nil {
		return fmt.Errorf("room keys: %w", err)
	}
	return tx.Commit()
}
