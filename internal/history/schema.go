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

// migrations[i] brings the schema from version i to version i+1 (PRAGMA
// user_version). Append only: a released migration is never edited, since
// databases in the field have already run it.
var migrations = []string{
	// Version 1. events.id is the hub's event ID and the rowid; time is Unix
	// milliseconds, indexed for pruning by age. meta holds the greatest ID
	// ever appended, which pruning must not lose.
	`CREATE TABLE IF NOT EXISTS events (
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
	INSERT OR IGNORE INTO meta (one, last_id) VALUES (1, 0);`,
	// Version 2. The history is the room's log: every change to the room is
	// an entry (joins, departures, renames, away, private messages as well
	// as the public conversation). The fields only some kinds have travel in
	// extra as JSON; public_id serves the readers, who see messages and
	// actions only.
	`ALTER TABLE events ADD COLUMN extra TEXT NOT NULL DEFAULT '';
	CREATE INDEX IF NOT EXISTS events_public ON events (id) WHERE kind IN (3, 5);`,
	// Version 3. session is who is behind an entry's person, whatever its
	// name (hub.Event.Session); events_session finds the name a session was
	// last known by, its newest join or rename.
	`ALTER TABLE events ADD COLUMN session TEXT NOT NULL DEFAULT '';
	CREATE INDEX IF NOT EXISTS events_session ON events (session, id) WHERE session != '' AND kind IN (1, 7);`,
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

// migrate brings db's schema up to the newest version, in one transaction
// that holds the write lock, so two processes opening a new file at once
// cannot both run a migration.
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
	if version == len(migrations) {
		return tx.Commit()
	}
	for v := version; v < len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("schema version %d: %w", v+1, err)
		}
	}
	// PRAGMA takes no parameters; the value is an int formatted here.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(len(migrations))); err != nil {
		return err
	}
	return tx.Commit()
}
