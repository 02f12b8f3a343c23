package hub

import (
	"context"
	"time"
)

// Store is the room's history beyond the hub's memory: across restarts,
// and further back than the hub's own recent history. A single node's log
// writes every entry of the room to it (joins, messages, renames, private
// messages, ...), a cluster's link copies the stream to it; the readers
// return the public conversation only (KindMessage and KindAction), for the
// hub's recent history and the transports' paging and search.
// internal/history implements it with SQLite.
//
// Implementations must be safe for concurrent use: the log calls Append
// from one goroutine while transports call the readers.
type Store interface {
	// Append saves entries, given in increasing ID order, all or none.
	// Entries are only ever appended with IDs greater than any saved
	// before: an ID saved already fails the batch.
	Append(ctx context.Context, events []*Event) error
	// Recent returns the newest n saved messages and actions, oldest first.
	Recent(ctx context.Context, n int) ([]*Event, error)
	// Before returns the newest n saved messages and actions whose ID is
	// less than id,
	// oldest first: the page before the oldest one a reader has.
	Before(ctx context.Context, id uint64, n int) ([]*Event, error)
	// After returns the oldest n saved messages and actions whose ID is
	// greater than id,
	// oldest first: what a reader missed.
	After(ctx context.Context, id uint64, n int) ([]*Event, error)
	// Search returns the newest n saved messages and actions whose text or
	// name contains
	// query, compared case-insensitively, oldest first.
	Search(ctx context.Context, query string, n int) ([]*Event, error)
	// Prune deletes every entry but the newest keep (keep <= 0: no limit by
	// count), and every event older than before (the zero time: no limit by
	// age). It returns how many went.
	Prune(ctx context.Context, keep int, before time.Time) (int, error)
	// LastName returns the name the person with this JoinOptions.Session
	// was last known by: the newest saved join or rename of an entry with
	// that Session (Event.Session); "" if there is none.
	LastName(ctx context.Context, session string) (string, error)
	// LastID returns the greatest ID ever saved, 0 for an empty store. The
	// log continues numbering after it, so IDs stay unique across restarts
	// even after pruning.
	LastID(ctx context.Context) (uint64, error)
}
