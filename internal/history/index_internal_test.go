package history

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// indexNow indexes what waits, as the indexer does.
func indexNow(t *testing.T, s *Store) {
	t.Helper()
	s.writing.Lock()
	defer s.writing.Unlock()
	require.NoError(t, s.index(t.Context()))
}

// indexedIDs returns the IDs the search index has, in order.
func indexedIDs(t *testing.T, db *sql.DB) []uint64 {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT rowid FROM events_text WHERE events_text MATCH '"nee"' ORDER BY rowid`)
	require.NoError(t, err)
	defer rows.Close()
	out := []uint64{}
	for rows.Next() {
		var id uint64
		require.NoError(t, rows.Scan(&id))
		out = append(out, id)
	}
	require.NoError(t, rows.Err())
	return out
}

// watermark returns the watermark as saved.
func watermark(t *testing.T, db *sql.DB) uint64 {
	t.Helper()
	var id uint64
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT indexed FROM meta`).Scan(&id))
	return id
}

// needles returns messages first to last, each with "needle" in it,
// said in the lobby.
func needles(first, last uint64) []*hub.Event {
	var evs []*hub.Event
	for id := first; id <= last; id++ {
		evs = append(evs, &hub.Event{ID: id, Kind: hub.KindMessage, Time: time.UnixMilli(int64(id) * 1000).UTC(),
			Room: hub.DefaultRoom, Name: "alice", Text: fmt.Sprintf("needle %d", id)})
	}
	return evs
}

func idsOf(evs []*hub.Event) []uint64 {
	out := []uint64{}
	for _, ev := range evs {
		out = append(out, ev.ID)
	}
	return out
}

func span(first, last uint64) []uint64 {
	out := []uint64{}
	for id := first; id <= last; id++ {
		out = append(out, id)
	}
	return out
}

// search is Search in the lobby, for "NEEDLE", as IDs.
func search(t *testing.T, s *Store, n int) []uint64 {
	t.Helper()
	evs, err := s.Search(t.Context(), hub.DefaultRoom, "NEEDLE", n)
	require.NoError(t, err)
	return idsOf(evs)
}

// TestAMessageIsFoundBeforeItIsIndexed: the index is written behind the
// log, but a message is found the moment Append returns, and the same once
// it is indexed.
func TestAMessageIsFoundBeforeItIsIndexed(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "anseo.db"))
	require.NoError(t, s.Append(t.Context(), needles(1, 3)))
	require.Empty(t, indexedIDs(t, s.db), "not indexed yet")
	assert.Equal(t, span(1, 3), search(t, s, 10), "found before it is indexed")

	indexNow(t, s)
	require.Equal(t, span(1, 3), indexedIDs(t, s.db))
	assert.Equal(t, uint64(3), watermark(t, s.db))
	assert.Equal(t, span(1, 3), search(t, s, 10), "found once indexed")
}

// TestTheAppendThatMakesABatchIndexesIt: messages wait for the index until
// indexBatch do; the Append that makes them so many indexes them all.
func TestTheAppendThatMakesABatchIndexesIt(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "anseo.db"))
	ctx := t.Context()
	require.NoError(t, s.Append(ctx, needles(1, indexBatch-1)))
	assert.Zero(t, watermark(t, s.db), "one short of a batch waits")
	joined := &hub.Event{ID: indexBatch, Kind: hub.KindJoined, Time: time.UnixMilli(1).UTC(), Room: hub.DefaultRoom, Name: "bob"}
	require.NoError(t, s.Append(ctx, []*hub.Event{joined}))
	assert.Zero(t, watermark(t, s.db), "a join is nothing to index")
	require.NoError(t, s.Append(ctx, needles(indexBatch+1, indexBatch+1)))
	assert.Equal(t, uint64(indexBatch+1), watermark(t, s.db))
	want := append(span(1, indexBatch-1), indexBatch+1)
	assert.Equal(t, want, indexedIDs(t, s.db))
	assert.Equal(t, want[len(want)-5:], search(t, s, 5))
}

// TestNothingIsFoundTwiceAcrossTheWatermark: the newest n are the newest n
// whether they are in the index, above it or both.
func TestNothingIsFoundTwiceAcrossTheWatermark(t *testing.T) {
	s := openTest(t, Memory)
	require.NoError(t, s.Append(t.Context(), needles(1, 10)))
	indexNow(t, s)
	require.NoError(t, s.Append(t.Context(), needles(11, 20)))
	require.Equal(t, uint64(10), watermark(t, s.db))
	for _, n := range []int{5, 10, 15, 20, 100} {
		assert.Equal(t, span(uint64(max(21-n, 1)), 20), search(t, s, n), "n %d", n)
	}
	// Another room's messages on either side are passed over.
	help := needles(21, 22)
	for _, ev := range help {
		ev.Room = "#help"
	}
	require.NoError(t, s.Append(t.Context(), help))
	assert.Equal(t, span(16, 20), search(t, s, 5))
}

// TestPruningWhatIsNotIndexed: pruning deletes messages the index never
// had as it does the rest; the index never gets them, and search does not
// find them.
func TestPruningWhatIsNotIndexed(t *testing.T) {
	for _, path := range []string{Memory, "file"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = filepath.Join(t.TempDir(), "anseo.db")
			}
			s := openTest(t, path)
			ctx := t.Context()
			require.NoError(t, s.Append(ctx, needles(1, 10)))
			indexNow(t, s)
			require.NoError(t, s.Append(ctx, needles(11, 20)))

			_, err := s.Prune(ctx, 5, time.Time{})
			require.NoError(t, err)
			assert.Empty(t, indexedIDs(t, s.db), "the indexed are pruned from the index")
			assert.Equal(t, span(16, 20), search(t, s, 100))
			_, err = s.Prune(ctx, 0, time.UnixMilli(18*1000))
			require.NoError(t, err)
			assert.Equal(t, span(18, 20), search(t, s, 100), "by age too")

			indexNow(t, s)
			assert.Equal(t, span(18, 20), indexedIDs(t, s.db), "what is left, once indexed")
			assert.Equal(t, span(18, 20), search(t, s, 100))
		})
	}
}

// TestAQuietStoreIndexesWhatWaits: a chat too quiet to make a batch is in
// the index once nothing has been appended for indexDelay.
func TestAQuietStoreIndexesWhatWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := Open(t.Context(), Memory)
		require.NoError(t, err)
		defer func() { require.NoError(t, s.Close()) }()
		require.NoError(t, s.Append(t.Context(), needles(1, 3)))
		time.Sleep(indexDelay / 2) // the bubble's clock: no real wait
		require.NoError(t, s.Append(t.Context(), needles(4, 4)))
		time.Sleep(indexDelay - time.Millisecond)
		synctest.Wait()
		assert.Zero(t, watermark(t, s.db), "not quiet long enough since the last Append")
		time.Sleep(time.Millisecond)
		synctest.Wait()
		assert.Equal(t, uint64(4), watermark(t, s.db))
		assert.Equal(t, span(1, 4), indexedIDs(t, s.db))
	})
}

// TestABacklogIsIndexedAtOpen: what waited when the Store was closed is
// found after it, and indexed as it opens.
func TestABacklogIsIndexedAtOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anseo.db")
	s, err := Open(t.Context(), path)
	require.NoError(t, err)
	require.NoError(t, s.Append(t.Context(), needles(1, 10)))
	assert.Equal(t, span(1, 10), search(t, s, 100))
	require.NoError(t, s.Close())

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	require.Zero(t, watermark(t, db), "closing indexes nothing")
	require.Empty(t, indexedIDs(t, db))
	require.NoError(t, db.Close())

	s = openTest(t, path)
	assert.Equal(t, uint64(10), watermark(t, s.db))
	assert.Equal(t, span(1, 10), indexedIDs(t, s.db))
	assert.Equal(t, span(1, 10), search(t, s, 100))
}

// crashDB names the file TestWriterThatCrashes writes to, in the child
// process TestTheWatermarkAfterACrash starts.
const crashDB = "ANSEO_HISTORY_CRASH_DB"

// TestWriterThatCrashes is the child of TestTheWatermarkAfterACrash: it
// saves a batch that is indexed and some that are not, and kills itself
// without closing anything.
func TestWriterThatCrashes(t *testing.T) {
	path := os.Getenv(crashDB)
	if path == "" {
		t.Skip("the child process of TestTheWatermarkAfterACrash")
	}
	s, err := Open(t.Context(), path)
	require.NoError(t, err)
	require.NoError(t, s.Append(t.Context(), needles(1, indexBatch)))
	require.NoError(t, s.Append(t.Context(), needles(indexBatch+1, indexBatch+30)))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGKILL))
	select {} // killed
}

// TestTheWatermarkAfterACrash: a process killed with messages waiting for
// the index leaves a watermark at the last batch it indexed; the next Open
// indexes the rest, and search finds each message once.
func TestTheWatermarkAfterACrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anseo.db")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestWriterThatCrashes$")
	cmd.Env = append(os.Environ(), crashDB+"="+path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", out)
	require.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal(), "%s", out)

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	assert.Equal(t, uint64(indexBatch), watermark(t, db), "the batch it indexed")
	require.NoError(t, db.Close())

	s := openTest(t, path)
	assert.Equal(t, uint64(indexBatch+30), watermark(t, s.db))
	assert.Equal(t, span(1, indexBatch+30), indexedIDs(t, s.db))
	assert.Equal(t, span(indexBatch-19, indexBatch+30), search(t, s, 50))
}

// TestRemovingWhatIsNotIndexed: an operator's removal of a message the
// index does not have yet keeps it out: the index never gets it, and
// search never finds it, by its text or its author's name, before or after
// indexing.
func TestRemovingWhatIsNotIndexed(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "anseo.db"))
	ctx := t.Context()
	require.NoError(t, s.Append(ctx, needles(1, 4)))
	indexNow(t, s)
	spam := needles(5, 6)
	spam[0].Name = "needleman"
	removal := func(id, message uint64) *hub.Event {
		return &hub.Event{ID: id, Kind: hub.KindModeration, Time: time.UnixMilli(int64(id) * 1000).UTC(), Room: hub.DefaultRoom,
			Name: "op", Moderation: &hub.Moderation{Action: hub.ActionRemove, Message: message}}
	}
	require.NoError(t, s.Append(ctx, append(spam, removal(7, 6)))) // removed in the batch that said it
	require.NoError(t, s.Append(ctx, []*hub.Event{removal(8, 5), removal(9, 2)}))
	require.Equal(t, uint64(4), watermark(t, s.db), "5 and 6 not indexed yet")

	for _, q := range []string{"NEEDLE", "needleman", "needle 5", "needle 6"} {
		evs, err := s.Search(ctx, hub.DefaultRoom, q, 10)
		require.NoError(t, err)
		for _, ev := range evs {
			assert.NotContains(t, []uint64{2, 5, 6}, ev.ID, "%q finds a removed message", q)
		}
	}
	assert.Equal(t, []uint64{1, 3, 4}, search(t, s, 10))

	indexNow(t, s)
	assert.Equal(t, uint64(9), watermark(t, s.db))
	assert.Equal(t, []uint64{1, 3, 4}, indexedIDs(t, s.db), "the removed are not indexed")
	assert.Equal(t, []uint64{1, 3, 4}, search(t, s, 10))
	evs, err := s.Search(ctx, hub.DefaultRoom, "needleman", 10)
	require.NoError(t, err)
	assert.Empty(t, evs)
}

// BenchmarkSearchAboveTheWatermark is what a search pays for the messages
// the index does not have yet, at their most (one short of indexBatch,
// all in the room searched), against none: a word never said reads all
// of them, and the index.
//
//	go test -run '^$' -bench BenchmarkSearchAboveTheWatermark -count 5 ./internal/history
func BenchmarkSearchAboveTheWatermark(b *testing.B) {
	for _, waiting := range []uint64{0, indexBatch - 1} {
		b.Run(fmt.Sprintf("waiting=%d", waiting), func(b *testing.B) {
			s, err := Open(b.Context(), filepath.Join(b.TempDir(), "anseo.db"))
			require.NoError(b, err)
			defer s.Close()
			const saved = 10_000
			require.NoError(b, s.Append(b.Context(), needles(1, saved)))
			require.Equal(b, int64(saved), s.indexed.Load())
			if waiting > 0 {
				require.NoError(b, s.Append(b.Context(), needles(saved+1, saved+waiting)))
				require.Equal(b, int64(saved), s.indexed.Load())
			}
			for _, q := range []string{"needle", "never said"} {
				b.Run(q, func(b *testing.B) {
					for b.Loop() {
						_, err := s.Search(b.Context(), hub.DefaultRoom, q, 50)
						require.NoError(b, err)
					}
				})
			}
		})
	}
}
