package history

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"

	"modernc.org/sqlite"
)

// The search index (events_text) is written behind the log, not with it:
// putting a message's trigrams in the index costs more than saving the
// message, and an index written a few messages at a time, as the log
// saves them under load, flushes a small segment for each batch that
// FTS5 then merges again. Written a few thousand at a time, it costs a
// fraction of that per message. Search stays exact meanwhile: what the
// index does not have yet (the IDs above the watermark) it reads from
// events.
const (
	// indexBatch is how many messages and actions may wait for the index
	// before the Append that makes them so many indexes them. The more,
	// the cheaper each is to index, and the more a search reads from
	// events (a short scan of the room's newest, by events_room_public).
	indexBatch = 2000
	// indexDelay is how long the Store waits once Append has been quiet
	// before it indexes what waits: a quiet chat is in the index within
	// about this long.
	indexDelay = time.Second
)

// startIndexing starts the goroutine that indexes what waits once Append
// has been quiet for indexDelay. Close stops it.
func (s *Store) startIndexing() {
	ctx, cancel := context.WithCancel(context.Background())
	s.appended = make(chan struct{}, 1)
	s.stopIndexing = cancel
	s.indexingDone = make(chan struct{})
	go s.indexWhenQuiet(ctx)
}

// stopIndexingNow stops the goroutine startIndexing started, cancelling
// any indexing under way, and waits for it. What still waits is indexed
// by the next Open.
func (s *Store) stopIndexingNow() {
	if s.stopIndexing == nil {
		return // Open failed before it started
	}
	s.stopIndexing()
	<-s.indexingDone
}

// indexWhenQuiet indexes what waits once nothing has been appended for
// indexDelay, until ctx ends. Its timer is its own: Append only tells it
// that it wrote.
func (s *Store) indexWhenQuiet(ctx context.Context) {
	defer close(s.indexingDone)
	quiet := time.NewTimer(indexDelay)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.appended:
			quiet.Reset(indexDelay)
		case <-quiet.C:
			s.writing.Lock()
			if s.waiting > 0 {
				// On failure what waits stays behind the watermark, which
				// Search reads from events: the next Append or quiet
				// spell tries again.
				_ = s.index(ctx)
			}
			s.writing.Unlock()
		}
	}
}

// wroteBatch notes, once Append has committed, that waiting more messages
// and actions wait for the index, and indexes them all, in a transaction
// of their own, once indexBatch do. The caller holds s.writing.
func (s *Store) wroteBatch(ctx context.Context, waiting int) {
	s.waiting += waiting
	if s.waiting >= indexBatch {
		// Append's rows are kept whatever happens here: a failure
		// leaves them behind the watermark for the next try.
		_ = s.index(ctx)
	}
	select {
	case s.appended <- struct{}{}:
	default: // the indexer has yet to see the last one: the same news
	}
}

// index puts every saved message and action above the watermark in the
// search index, in one transaction that moves the watermark to the last
// ID saved. The caller holds s.writing, so nothing is appended meanwhile.
// Removed rows (pruned before they were indexed) are simply not there to
// index.
func (s *Store) index(ctx context.Context) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("history: search index: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // err says what went wrong; this only undoes it
		}
	}()
	var from, to int64
	if err := tx.QueryRowContext(ctx, `SELECT indexed, last_id FROM meta WHERE one = 1`).Scan(&from, &to); err != nil {
		return fmt.Errorf("history: search index: %w", err)
	}
	if to > from {
		// One statement, folding in SQLite by foldSQL: no row comes out to
		// Go and goes back in.
		if _, err := tx.StmtContext(ctx, s.indexStmt).ExecContext(ctx, from, to); err != nil {
			return fmt.Errorf("history: search index: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meta SET indexed = ? WHERE one = 1`, to); err != nil {
			return fmt.Errorf("history: search index: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("history: search index: %w", err)
	}
	s.indexed.Store(max(from, to))
	s.waiting = 0
	return nil
}

// foldFunc is the SQL function that folds a name or text as Search does
// (folder), for the statement that indexes: the index must hold exactly
// what the matcher compares.
const foldFunc = "anseo_history_fold"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(foldFunc, 1, foldSQL)
}

// folders are the folders foldSQL uses: SQLite may call it from any
// connection's goroutine, and a folder is for one at a time.
var folders = sync.Pool{New: func() any { return newFolder() }}

// foldSQL is foldFunc: its one argument folded, "" for NULL.
func foldSQL(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	var s string
	switch v := args[0].(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
		return "", nil
	default:
		return nil, fmt.Errorf("%s: %T is not text", foldFunc, v)
	}
	if isASCII(s) {
		return lowerASCII(s), nil
	}
	f := folders.Get().(*folder)
	defer folders.Put(f)
	return f.fold(s), nil
}
