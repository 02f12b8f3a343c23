// Package history keeps the log in an SQLite database: it implements
// hub.Store, which a single node's log writes every entry to, so that the
// order of what happened survives a restart and a crash, and each room's
// conversation can be paged through and searched further back than the
// hub's own recent history. In the same file it keeps a single node's
// registered names (hub.Accounts).
//
// It knows the hub's Event and room names and nothing else of anseo: no
// transport, no configuration, no logger. cmd/anseo opens a Store and hands
// it to the hub. The SQLite engine is modernc.org/sqlite, a translation of
// SQLite's C into Go, so a CGO_ENABLED=0 static build keeps working.
//
// Invariants, checked by the tests:
//
//  1. Every kind of entry the log holds is saved (joins, parts and
//     departures, messages, actions, topics, private messages, renames,
//     away, moderation, registrations), with ID, Kind, Time, Room, Name,
//     Text, Session and ToSession in columns and the fields only some kinds
//     have (transport, reason, to, new name, away, registered, operator,
//     moderation) as JSON in extra, so that what is read back is the Event
//     saved (Time to the millisecond, Mentions not kept). Append
//     refuses anything else (a notice, a replay marker, a nil event, ID 0,
//     a room name that breaks the rules) with an error rather than drop it
//     or lose its fields; a refused batch saves nothing.
//  2. An entry about a room has the room's display name in room and its
//     hub.RoomKey in room_key, by which every reader finds it: "#Help" and
//     "#help" are one room. rekey keeps the saved keys those of the
//     running anseo's name rules. An entry of a room's kind that names no
//     room is the default room's (roomOf).
//  3. The room readers (Recent, Before, After, Search) return one room's
//     messages and actions only: its conversation, not who came and went,
//     and never a private message. Private returns a session's private
//     messages, sent or received, and nobody else's.
//  4. The rooms table has one row for every key any entry was saved under,
//     made by the first such entry; a KindTopic sets its topic. Pruning
//     never deletes a room.
//  5. The events table's id is the hub's event ID, its primary key: a batch
//     repeating a saved ID fails whole.
//  6. The greatest ID ever appended is kept in the one-row meta table,
//     updated in the same transaction as the rows, and never lowered.
//     Pruning deletes events, never that row, so LastID survives pruning of
//     every event as well as a restart.
//  7. events_text, the search index, holds exactly the saved messages and
//     actions that are not removed, folded, up to the watermark
//     (meta.indexed), and nothing above it. It is written behind the log,
//     in batches (index.go), each in one transaction with the watermark it
//     moves to the last ID saved: Append never writes it; the Append that
//     leaves indexBatch messages and actions waiting indexes them after its
//     own commit, a timer does once Append has been quiet for indexDelay,
//     and Open indexes what a Close or a crash left waiting. A trigger
//     deletes from it whatever is deleted from events (a row it never had
//     is nothing to it). Search reads the index up to the watermark and
//     events above it, so what it finds does not depend on how far the
//     index has got.
//  8. Times are stored as Unix milliseconds. What comes back is the time
//     truncated to the millisecond, in UTC.
//  9. Every reader returns events oldest first (increasing ID).
//  10. The schema's version is PRAGMA user_version. migrations in schema.go
//     is append-only: Open runs those a database has not had yet, in one
//     transaction, and refuses a database newer than it knows.
//  11. A Store is safe for concurrent use. A file database runs in WAL mode,
//     so readers do not wait for Append or Prune; the log's writes (Append,
//     Prune and the indexing) take turns on Store.writing, and SQLite's
//     write lock, which every transaction here takes at BEGIN, serialises
//     them with the rest (accounts, another process). Memory has a single connection, so there everything takes
//     turns. The one goroutine a Store starts, the indexer's timer, is
//     stopped by Close.
//  12. Moderation entries (hub.KindModeration) are the record of what
//     operators did: pruning never deletes them, nor counts them towards
//     a room's keep, and Moderation reads them all back in order. An
//     ActionRemove entry blanks the text of the message it names (that ID,
//     in its room), marks it removed and takes it out of the search index
//     (or keeps it out, if it is not indexed yet), in the same transaction: readers return it Removed with no text,
//     and Search never finds it.
//  13. An account is kept by its name's hub.NameKey, with the password's
//     hash (never the password). A login belongs to an account: none is
//     made for a name with no account, and deleting an account deletes its
//     logins. A login whose time is up counts for nothing.
//
// Search folds case in Go rather than with SQLite's lower() or LIKE, which
// know only ASCII case; the search index therefore holds text folded in Go
// (see Store.Search).
package history
