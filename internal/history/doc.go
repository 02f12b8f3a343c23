// Package history keeps the room's conversation in an SQLite database: it
// implements hub.Store, so that messages survive a restart and can be paged
// through and searched further back than the hub's own recent history.
//
// It knows the hub's Event and nothing else of anseo: no transport, no
// configuration, no logger. cmd/anseo opens a Store and hands it to the hub.
// The SQLite engine is modernc.org/sqlite, a translation of SQLite's C into
// Go, so a CGO_ENABLED=0 static build keeps working.
//
// Invariants, checked by the tests:
//
//  1. Only KindMessage and KindAction events are saved, and of them only ID,
//     Kind, Time, Name and Text. Append refuses anything else (another kind,
//     a nil event, ID 0) with an error rather than drop it or lose its
//     fields; a refused batch saves nothing.
//  2. The events table's id is the hub's event ID, its primary key: a batch
//     repeating a saved ID fails whole.
//  3. The greatest ID ever appended is kept in the one-row meta table,
//     updated in the same transaction as the rows, and never lowered.
//     Pruning deletes events, never that row, so LastID survives pruning of
//     every event as well as a restart.
//  4. Times are stored as Unix milliseconds. What comes back is the time
//     truncated to the millisecond, in UTC.
//  5. Every reader returns events oldest first (increasing ID).
//  6. The schema's version is PRAGMA user_version. migrations in schema.go
//     is append-only: Open runs those a database has not had yet, in one
//     transaction, and refuses a database newer than it knows.
//  7. A Store is safe for concurrent use. A file database runs in WAL mode,
//     so readers do not wait for Append or Prune; writes are serialised by
//     SQLite's write lock, which every transaction here takes at BEGIN.
//     Memory has a single connection, so there everything takes turns.
//
// Search folds case in Go rather than with SQLite's lower() or LIKE, which
// know only ASCII case; it therefore reads saved events until it has found
// enough, the whole table for a rare word (see Store.Search).
package history
