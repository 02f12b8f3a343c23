// Package history keeps the room's log in an SQLite database: it implements
// hub.Store, which a single node's log writes every change to the room to,
// so that the room's order survives a restart and a crash, and its
// conversation can be paged through and searched further back than the
// hub's own recent history.
//
// It knows the hub's Event and nothing else of anseo: no transport, no
// configuration, no logger. cmd/anseo opens a Store and hands it to the hub.
// The SQLite engine is modernc.org/sqlite, a translation of SQLite's C into
// Go, so a CGO_ENABLED=0 static build keeps working.
//
// Invariants, checked by the tests:
//
//  1. Every kind of entry the room's log holds is saved (joins, departures,
//     messages, actions, private messages, renames, away), with ID, Kind,
//     Time, Name and Text in columns and the fields only some kinds have
//     (transport, reason, to, new name, away) as JSON in extra. Append
//     refuses anything else (a notice, a replay marker, a nil event, ID 0)
//     with an error rather than drop it or lose its fields; a refused batch
//     saves nothing. The readers (Recent, Before, After, Search) return
//     messages and actions only: the conversation, not who came and went,
//     and never a private message.
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
