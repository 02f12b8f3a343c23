package hub

import (
	"context"
	"time"
)

// Store is the history beyond the hub's memory: across restarts, and
// further back than the hub's own recent history. A single node's log
// writes every entry to it (joins, parts, messages, topics, renames,
// private messages, ...), a cluster's link copies the stream to it. Its
// readers give a room's public conversation (KindMessage and KindAction),
// for the hub's recent history and the transports' paging and search, a
// session's private messages, and the rooms there are. internal/history
// implements it with SQLite.
//
// A room argument is the room's display name or any spelling with the
// same RoomKey: "#Help" reads "#help". A room that was never saved, or a
// name that breaks the rules, has nothing.
//
// Implementations must be safe for concurrent use: the log calls Append
// from one goroutine while transports call the readers.
type Store interface {
	// Append saves entries, given in increasing ID order, all or none.
	// Entries are only ever appended with IDs greater than any saved
	// before: an ID saved already fails the batch. An entry about a room
	// is saved under its Room; the first entry that names a room creates
	// it (see Rooms), and a KindTopic sets that room's topic.
	Append(ctx context.Context, events []*Event) error
	// Recent returns room's newest n saved messages and actions, oldest
	// first.
	Recent(ctx context.Context, room string, n int) ([]*Event, error)
	// Before returns room's newest n saved messages and actions whose ID is
	// less than id, oldest first: the page before the oldest one a reader
	// has.
	Before(ctx context.Context, room string, id uint64, n int) ([]*Event, error)
	// After returns room's oldest n saved messages and actions whose ID is
	// greater than id, oldest first: what a reader missed.
	After(ctx context.Context, room string, id uint64, n int) ([]*Event, error)
	// Search returns room's newest n saved messages and actions whose text
	// or name contains query, compared case-insensitively, oldest first.
	Search(ctx context.Context, room string, query string, n int) ([]*Event, error)
	// Private returns the newest n saved private messages (KindPrivate)
	// that the person with JoinOptions.Session session sent (Event.Session)
	// or was sent (Event.ToSession), whose ID is less than before (0: the
	// newest of all), oldest first. None for the session "".
	Private(ctx context.Context, session string, before uint64, n int) ([]*Event, error)
	// Rooms returns every room ever created, with its topic, including
	// those now empty and those whose every entry was pruned. Members is 0.
	Rooms(ctx context.Context) ([]RoomInfo, error)
	// Prune deletes, in each room, every entry but the room's newest keep
	// (keep <= 0: no limit by count; the entries about no room are one
	// more room), and every entry older than before (the zero time: no
	// limit by age). Rooms stay. It returns how many entries went.
	Prune(ctx context.Context, keep int, before time.Time) (int, error)
	// LastName returns the name the person with this JoinOptions.Session
	// was last known by: the newest saved join or rename of an entry with
	// that Session (Event.Session); "" if there is none.
	LastName(ctx context.Context, session string) (string, error)
	// Moderation returns the saved KindModeration entries, every one
	// (Prune never deletes them), oldest first, or the newest n if n > 0:
	// the hub rebuilds bans, mutes, room operators and the message of the
	// day from them as it starts, and /modlog lists them. Appending an
	// ActionRemove entry blanks the removed message's text and marks it
	// Removed, wherever it is read from.
	Moderation(ctx context.Context, n int) ([]*Event, error)
	// LastID returns the greatest ID ever saved, 0 for an empty store. The
	// log continues numbering after it, so IDs stay unique across restarts
	// even after pruning.
	LastID(ctx context.Context) (uint64, error)
}
