package history_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
)

// base is when the test conversations start.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// openFile opens a Store in a new file, closed when the test ends, and
// returns it with the file's path.
func openFile(t testing.TB) (*history.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "anseo.db")
	return open(t, path), path
}

// open opens the Store at path, closed when the test ends.
func open(t testing.TB, path string) *history.Store {
	t.Helper()
	s, err := history.Open(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

// lobby is the default room, where msg says its messages.
const lobby = hub.DefaultRoom

// msg is message id, said in the lobby by alice id seconds after base.
func msg(id uint64) *hub.Event {
	return &hub.Event{
		ID:   id,
		Kind: hub.KindMessage,
		Time: base.Add(time.Duration(id) * time.Second),
		Room: lobby,
		Name: "alice",
		Text: fmt.Sprintf("message %d", id),
	}
}

// msgs returns messages first to last.
func msgs(first, last uint64) []*hub.Event {
	var evs []*hub.Event
	for id := first; id <= last; id++ {
		evs = append(evs, msg(id))
	}
	return evs
}

// ids returns the IDs of evs, in order.
func ids(evs []*hub.Event) []uint64 {
	out := []uint64{}
	for _, ev := range evs {
		out = append(out, ev.ID)
	}
	return out
}

// span returns first to last.
func span(first, last uint64) []uint64 {
	out := []uint64{}
	for id := first; id <= last; id++ {
		out = append(out, id)
	}
	return out
}

func TestAppend(t *testing.T) {
	t.Run("round trip keeps every saved field exactly", func(t *testing.T) {
		s, _ := openFile(t)
		ctx := t.Context()
		dublin := time.FixedZone("IST", 3600)
		in := []*hub.Event{
			{ID: 7, Kind: hub.KindMessage, Room: lobby, Time: time.Date(2026, 3, 1, 13, 0, 0, 123_000_000, dublin), Name: "alice", Text: "hello, world"},
			{ID: 9, Kind: hub.KindAction, Room: lobby, Time: time.Date(2026, 3, 1, 12, 0, 1, 456_000_000, time.UTC), Name: "bob", Text: "waves"},
			{ID: 10, Kind: hub.KindMessage, Room: lobby, Time: time.UnixMilli(-1).UTC(), Name: "Séan", Text: "dia dhuit 👋\n\ttabs and 'quotes'"},
			{ID: 11, Kind: hub.KindMessage, Room: lobby, Time: base, Name: "carol", Text: ""},
		}
		require.NoError(t, s.Append(ctx, in))

		got, err := s.Recent(ctx, lobby, 10)
		require.NoError(t, err)
		want := []*hub.Event{
			{ID: 7, Kind: hub.KindMessage, Room: lobby, Time: time.Date(2026, 3, 1, 12, 0, 0, 123_000_000, time.UTC), Name: "alice", Text: "hello, world"},
			{ID: 9, Kind: hub.KindAction, Room: lobby, Time: time.Date(2026, 3, 1, 12, 0, 1, 456_000_000, time.UTC), Name: "bob", Text: "waves"},
			{ID: 10, Kind: hub.KindMessage, Room: lobby, Time: time.Date(1969, 12, 31, 23, 59, 59, 999_000_000, time.UTC), Name: "Séan", Text: "dia dhuit 👋\n\ttabs and 'quotes'"},
			{ID: 11, Kind: hub.KindMessage, Room: lobby, Time: base, Name: "carol", Text: ""},
		}
		assert.Equal(t, want, got)
		for _, ev := range got {
			assert.Equal(t, time.UTC, ev.Time.Location(), "event %d", ev.ID)
		}
		last, err := s.LastID(ctx)
		require.NoError(t, err)
		assert.Equal(t, uint64(11), last)
	})

	t.Run("time is truncated to the millisecond", func(t *testing.T) {
		s, _ := openFile(t)
		ev := msg(1)
		ev.Time = base.Add(1_999_999 * time.Nanosecond)
		require.NoError(t, s.Append(t.Context(), []*hub.Event{ev}))
		got, err := s.Recent(t.Context(), lobby, 1)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, base.Add(time.Millisecond), got[0].Time)
	})

	t.Run("an empty batch is nothing to do", func(t *testing.T) {
		s, _ := openFile(t)
		require.NoError(t, s.Append(t.Context(), nil))
		last, err := s.LastID(t.Context())
		require.NoError(t, err)
		assert.Zero(t, last)
	})

	t.Run("batches continue one another", func(t *testing.T) {
		s, _ := openFile(t)
		require.NoError(t, s.Append(t.Context(), msgs(1, 3)))
		require.NoError(t, s.Append(t.Context(), msgs(4, 5)))
		got, err := s.Recent(t.Context(), lobby, 10)
		require.NoError(t, err)
		assert.Equal(t, msgs(1, 5), got)
	})
}

// TestTheLogKeepsEveryEntryReadersSeeTheConversation: the history is the
// log, so joins, parts, topics, renames, away, departures and private
// messages are saved with everything that makes them what they are (see
// TestEveryEntryReadsBackAsSaved); reading a room's history gives its
// public conversation alone.
func TestTheLogKeepsEveryEntryReadersSeeTheConversation(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	entries := []*hub.Event{
		{ID: 1, Kind: hub.KindJoined, Time: at, Room: lobby, Name: "alice", Transport: hub.TransportWeb},
		{ID: 2, Kind: hub.KindMessage, Time: at, Room: lobby, Name: "alice", Text: "hi"},
		{ID: 3, Kind: hub.KindPrivate, Time: at, Name: "alice", To: "bob", Text: "psst"},
		{ID: 4, Kind: hub.KindRenamed, Time: at, Name: "alice", NewName: "alicia"},
		{ID: 5, Kind: hub.KindAway, Time: at, Name: "alicia", Away: true, Text: "lunch"},
		{ID: 6, Kind: hub.KindAction, Time: at, Room: lobby, Name: "alicia", Text: "waves"},
		{ID: 7, Kind: hub.KindTopic, Time: at, Room: lobby, Name: "alicia", Text: "all welcome"},
		{ID: 8, Kind: hub.KindLeft, Time: at, Room: lobby, Name: "alicia", Reason: hub.ReasonPart, Text: "off to #help"},
		{ID: 9, Kind: hub.KindLeft, Time: at, Name: "alicia", Reason: hub.ReasonQuit, Text: "bye"},
	}
	require.NoError(t, s.Append(ctx, entries))

	got, err := s.Recent(ctx, lobby, 10)
	require.NoError(t, err)
	assert.Equal(t, []uint64{2, 6}, ids(got), "readers see messages and actions")
	got, err = s.After(ctx, lobby, 2, 10)
	require.NoError(t, err)
	assert.Equal(t, []uint64{6}, ids(got))
	got, err = s.Before(ctx, lobby, 6, 10)
	require.NoError(t, err)
	assert.Equal(t, []uint64{2}, ids(got))
	for _, q := range []string{"psst", "welcome", "help", "bye"} {
		got, err = s.Search(ctx, lobby, q, 10)
		require.NoError(t, err)
		assert.Empty(t, got, "only messages and actions are searched: %q", q)
	}

	last, err := s.LastID(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(9), last, "every entry holds its place in the log")
	require.ErrorContains(t, s.Append(ctx, []*hub.Event{{ID: 3, Kind: hub.KindMessage, Time: at, Name: "x", Text: "y"}}), "event 3",
		"a position is never given twice")
}

func TestAppendRefuses(t *testing.T) {
	notice := msg(6)
	notice.Kind = hub.KindNotice
	marker := msg(6)
	marker.Kind = hub.KindReplayBegin
	zero := msg(6)
	zero.ID = 0
	huge := msg(6)
	huge.ID = math.MaxInt64 + 1
	badRoom := msg(7)
	badRoom.Room = "#no room"
	tests := []struct {
		name  string
		batch []*hub.Event
		err   string
	}{
		{"a nil event", []*hub.Event{msg(6), nil}, "nil event"},
		{"an event without an ID", []*hub.Event{zero}, "no ID"},
		{"an ID beyond int64", []*hub.Event{huge}, "beyond"},
		{"a notice", []*hub.Event{msg(6), notice}, "notice events are not saved"},
		{"a replay marker", []*hub.Event{marker}, "replay begin events are not saved"},
		{"an ID already saved", []*hub.Event{msg(6), msg(5)}, "event 5"},
		{"an ID twice in one batch", []*hub.Event{msg(6), msg(7), msg(7)}, "event 7"},
		{"a room name that breaks the rules", []*hub.Event{msg(6), badRoom}, `"#no room" is not a room name`},
	}
	for _, tt := range tests {
		t.Run(tt.name+", and saves none of the batch", func(t *testing.T) {
			s, _ := openFile(t)
			ctx := t.Context()
			require.NoError(t, s.Append(ctx, msgs(1, 5)))

			err := s.Append(ctx, tt.batch)
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.err)

			got, err := s.Recent(ctx, lobby, 10)
			require.NoError(t, err)
			assert.Equal(t, span(1, 5), ids(got))
			last, err := s.LastID(ctx)
			require.NoError(t, err)
			assert.Equal(t, uint64(5), last)
		})
	}

	t.Run("a cancelled context", func(t *testing.T) {
		s, _ := openFile(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		assert.Error(t, s.Append(ctx, msgs(1, 3)))
		got, err := s.Recent(t.Context(), lobby, 10)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}

func TestRead(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	require.NoError(t, s.Append(ctx, msgs(1, 10)))
	// A gap, as after the hub numbered events it did not save.
	require.NoError(t, s.Append(ctx, msgs(20, 25)))
	all := append(span(1, 10), span(20, 25)...)

	tests := []struct {
		name string
		read func() ([]*hub.Event, error)
		want []uint64
	}{
		{"recent: the newest n", func() ([]*hub.Event, error) { return s.Recent(ctx, lobby, 3) }, span(23, 25)},
		{"recent: all when fewer than n", func() ([]*hub.Event, error) { return s.Recent(ctx, lobby, 100) }, all},
		{"recent: none for n 0", func() ([]*hub.Event, error) { return s.Recent(ctx, lobby, 0) }, []uint64{}},
		{"recent: none for n < 0", func() ([]*hub.Event, error) { return s.Recent(ctx, lobby, -1) }, []uint64{}},
		{"before: the newest n below id", func() ([]*hub.Event, error) { return s.Before(ctx, lobby, 22, 4) }, []uint64{9, 10, 20, 21}},
		{"before: across the gap", func() ([]*hub.Event, error) { return s.Before(ctx, lobby, 15, 2) }, span(9, 10)},
		{"before: the first page", func() ([]*hub.Event, error) { return s.Before(ctx, lobby, 3, 10) }, span(1, 2)},
		{"before: nothing before the first", func() ([]*hub.Event, error) { return s.Before(ctx, lobby, 1, 10) }, []uint64{}},
		{"before: nothing before 0", func() ([]*hub.Event, error) { return s.Before(ctx, lobby, 0, 10) }, []uint64{}},
		{"before: beyond every ID", func() ([]*hub.Event, error) { return s.Before(ctx, lobby, math.MaxUint64, 2) }, span(24, 25)},
		{"before: none for n 0", func() ([]*hub.Event, error) { return s.Before(ctx, lobby, 22, 0) }, []uint64{}},
		{"after: the oldest n above id", func() ([]*hub.Event, error) { return s.After(ctx, lobby, 8, 4) }, []uint64{9, 10, 20, 21}},
		{"after: from the start", func() ([]*hub.Event, error) { return s.After(ctx, lobby, 0, 3) }, span(1, 3)},
		{"after: the last page", func() ([]*hub.Event, error) { return s.After(ctx, lobby, 22, 10) }, span(23, 25)},
		{"after: nothing after the last", func() ([]*hub.Event, error) { return s.After(ctx, lobby, 25, 10) }, []uint64{}},
		{"after: beyond every ID", func() ([]*hub.Event, error) { return s.After(ctx, lobby, math.MaxUint64, 10) }, []uint64{}},
		{"after: none for n 0", func() ([]*hub.Event, error) { return s.After(ctx, lobby, 0, 0) }, []uint64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.read()
			require.NoError(t, err)
			assert.Equal(t, tt.want, ids(got))
			for _, ev := range got {
				assert.Equal(t, msg(ev.ID), ev) // every field, not just the ID
			}
		})
	}
}

func TestPrune(t *testing.T) {
	// Events 1 to 10, event i at base + i minutes.
	fill := func(t *testing.T) *history.Store {
		t.Helper()
		s, _ := openFile(t)
		var evs []*hub.Event
		for id := uint64(1); id <= 10; id++ {
			ev := msg(id)
			ev.Time = base.Add(time.Duration(id) * time.Minute)
			evs = append(evs, ev)
		}
		require.NoError(t, s.Append(t.Context(), evs))
		return s
	}
	minute := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
	tests := []struct {
		name    string
		keep    int
		before  time.Time
		deleted int
		left    []uint64
	}{
		{"no limits deletes nothing", 0, time.Time{}, 0, span(1, 10)},
		{"keep < 0 is no limit", -5, time.Time{}, 0, span(1, 10)},
		{"by count keeps the newest", 3, time.Time{}, 7, span(8, 10)},
		{"by count, exactly as many as saved", 10, time.Time{}, 0, span(1, 10)},
		{"by count, more than saved", 50, time.Time{}, 0, span(1, 10)},
		{"by age deletes the older", 0, minute(4), 3, span(4, 10)},
		{"by age, a millisecond later", 0, minute(4).Add(time.Millisecond), 4, span(5, 10)},
		{"by age, older than all", 0, minute(1), 0, span(1, 10)},
		{"by age, everything", 0, minute(11), 10, []uint64{}},
		{"count the stricter", 2, minute(4), 8, span(9, 10)},
		{"age the stricter", 8, minute(6), 5, span(6, 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fill(t)
			ctx := t.Context()
			n, err := s.Prune(ctx, tt.keep, tt.before)
			require.NoError(t, err)
			assert.Equal(t, tt.deleted, n)
			got, err := s.Recent(ctx, lobby, 100)
			require.NoError(t, err)
			assert.Equal(t, tt.left, ids(got))
			last, err := s.LastID(ctx)
			require.NoError(t, err)
			assert.Equal(t, uint64(10), last, "pruning never lowers LastID")
		})
	}

	t.Run("an empty store", func(t *testing.T) {
		s, _ := openFile(t)
		n, err := s.Prune(t.Context(), 5, base)
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}

func TestRestart(t *testing.T) {
	t.Run("history and LastID survive closing and reopening", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "anseo.db")
		ctx := t.Context()

		s, err := history.Open(ctx, path)
		require.NoError(t, err)
		require.NoError(t, s.Append(ctx, msgs(1, 20)))
		_, err = s.Prune(ctx, 5, time.Time{})
		require.NoError(t, err)
		require.NoError(t, s.Close())

		s = open(t, path)
		got, err := s.Recent(ctx, lobby, 100)
		require.NoError(t, err)
		assert.Equal(t, msgs(16, 20), got)
		last, err := s.LastID(ctx)
		require.NoError(t, err)
		assert.Equal(t, uint64(20), last)

		// The hub numbers on from LastID; an ID it already used is refused.
		require.NoError(t, s.Append(ctx, msgs(21, 22)))
		assert.Error(t, s.Append(ctx, msgs(20, 20)))
	})

	t.Run("LastID survives pruning everything and reopening", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "anseo.db")
		ctx := t.Context()

		s, err := history.Open(ctx, path)
		require.NoError(t, err)
		require.NoError(t, s.Append(ctx, msgs(1, 7)))
		n, err := s.Prune(ctx, 0, base.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, 7, n)
		require.NoError(t, s.Close())

		s = open(t, path)
		got, err := s.Recent(ctx, lobby, 100)
		require.NoError(t, err)
		assert.Empty(t, got)
		last, err := s.LastID(ctx)
		require.NoError(t, err)
		assert.Equal(t, uint64(7), last)
	})
}

func TestMemory(t *testing.T) {
	s := open(t, history.Memory)
	ctx := t.Context()
	require.NoError(t, s.Append(ctx, msgs(1, 5)))
	got, err := s.Recent(ctx, lobby, 10)
	require.NoError(t, err)
	assert.Equal(t, msgs(1, 5), got)
	n, err := s.Prune(ctx, 2, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	last, err := s.LastID(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(5), last)

	t.Run("each store is its own database", func(t *testing.T) {
		other := open(t, history.Memory)
		last, err := other.LastID(ctx)
		require.NoError(t, err)
		assert.Zero(t, last)
	})
}

func TestConcurrentReadersWhileAppending(t *testing.T) {
	stores := []struct {
		name string
		open func(t *testing.T) *history.Store
	}{
		{"file", func(t *testing.T) *history.Store { s, _ := openFile(t); return s }},
		{"memory", func(t *testing.T) *history.Store { return open(t, history.Memory) }},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			const (
				batches = 20
				size    = 25
				readers = 4
			)
			s := st.open(t)
			ctx := t.Context()
			done := make(chan struct{})
			var g errgroup.Group
			g.Go(func() error {
				defer close(done)
				for b := range uint64(batches) {
					if err := s.Append(ctx, msgs(b*size+1, (b+1)*size)); err != nil {
						return err
					}
				}
				return nil
			})
			for range readers {
				g.Go(func() error {
					var seen uint64
					for {
						last, err := s.LastID(ctx)
						if err != nil {
							return err
						}
						if last < seen || last%size != 0 {
							return fmt.Errorf("LastID %d after %d: not a whole batch further", last, seen)
						}
						seen = last
						recent, err := s.Recent(ctx, lobby, 2*size)
						if err != nil {
							return err
						}
						if err := wholeBatches(recent, size, seen); err != nil {
							return fmt.Errorf("recent: %w", err)
						}
						found, err := s.Search(ctx, lobby, "MESSAGE", 3)
						if err != nil {
							return err
						}
						if err := wholeBatches(found, size, seen); err != nil {
							return fmt.Errorf("search: %w", err)
						}
						if _, err := s.After(ctx, lobby, seen/2, size); err != nil {
							return err
						}
						select {
						case <-done:
							return nil
						default:
						}
					}
				})
			}
			require.NoError(t, g.Wait())

			got, err := s.Recent(ctx, lobby, batches*size+1)
			require.NoError(t, err)
			assert.Equal(t, msgs(1, batches*size), got)
		})
	}
}

// wholeBatches checks that evs are consecutive IDs, oldest first, ending at
// the end of a batch at or after last: a reader never sees half a batch.
func wholeBatches(evs []*hub.Event, size int, last uint64) error {
	if len(evs) == 0 {
		if last != 0 {
			return fmt.Errorf("nothing, after LastID %d", last)
		}
		return nil
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].ID != evs[i-1].ID+1 {
			return fmt.Errorf("IDs %v are not consecutive", ids(evs))
		}
	}
	newest := evs[len(evs)-1].ID
	if newest%uint64(size) != 0 || newest < last {
		return fmt.Errorf("newest ID %d: not a whole batch, or before LastID %d", newest, last)
	}
	return nil
}

func TestAFileServesOneProcessAtATime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anseo.db")
	first, err := history.Open(t.Context(), path)
	require.NoError(t, err)
	_, err = history.Open(t.Context(), path)
	require.ErrorIs(t, err, history.ErrInUse, "a second anseo on the same file would number events over the first's")
	assert.ErrorContains(t, err, "-db")
	require.NoError(t, first.Close())
	open(t, path) // free again once closed
}

// TestLastName: the name a session was last known by is its newest join's
// or rename's, whoever else joined or renamed meanwhile; its messages keep
// the session too.
func TestLastName(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	at := func(id uint64) time.Time { return base.Add(time.Duration(id) * time.Second) }
	require.NoError(t, s.Append(ctx, []*hub.Event{
		{ID: 1, Kind: hub.KindJoined, Time: at(1), Name: "alice", Transport: hub.TransportWeb, Session: "s-alice"},
		{ID: 2, Kind: hub.KindMessage, Time: at(2), Name: "alice", Text: "hi", Session: "s-alice"},
		{ID: 3, Kind: hub.KindRenamed, Time: at(3), Name: "alice", NewName: "alicia", Session: "s-alice"},
		{ID: 4, Kind: hub.KindJoined, Time: at(4), Name: "bob", Transport: hub.TransportWeb, Session: "s-bob"},
		{ID: 5, Kind: hub.KindAway, Time: at(5), Name: "alicia", Away: true, Session: "s-alice"},
		{ID: 6, Kind: hub.KindRenamed, Time: at(6), Name: "bob", NewName: "robert", Session: "s-bob"},
		{ID: 7, Kind: hub.KindJoined, Time: at(7), Name: "carol", Transport: hub.TransportTelnet},
	}))
	for session, want := range map[string]string{"s-alice": "alicia", "s-bob": "robert", "s-nobody": "", "": ""} {
		got, err := s.LastName(ctx, session)
		require.NoError(t, err)
		assert.Equal(t, want, got, "session %q", session)
	}
	recent, err := s.Recent(ctx, lobby, 10)
	require.NoError(t, err)
	require.Len(t, recent, 1)
	assert.Equal(t, "s-alice", recent[0].Session, "a message keeps who said it")
}
