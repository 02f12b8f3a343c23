package history_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
)

// said is message id in room, by name, with text.
func said(id uint64, room, name, text string) *hub.Event {
	return &hub.Event{ID: id, Kind: hub.KindMessage, Time: base.Add(time.Duration(id) * time.Second), Room: room, Name: name, Text: text}
}

// TestEachRoomHasItsOwnHistory: reading, paging and searching a room gives
// that room's conversation and no other's, whichever spelling of its name
// is asked for, however the rooms' messages interleave in the log.
func TestEachRoomHasItsOwnHistory(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	require.NoError(t, s.Append(ctx, []*hub.Event{
		said(1, "#lobby", "alice", "hello lobby"),
		said(2, "#Help", "bob", "hello help"),
		said(3, "#lobby", "alice", "anyone here?"),
		said(4, "#help", "carol", "how do I search?"), // the same room as #Help
		said(5, "#Éire", "séan", "dia dhuit"),
		said(6, "#lobby", "dave", "hello again"),
		{ID: 7, Kind: hub.KindAction, Time: base, Room: "#HELP", Name: "bob", Text: "points at /history"},
		said(8, "#lobby", "erin", "bye"),
	}))

	tests := []struct {
		name string
		read func() ([]*hub.Event, error)
		want []uint64
	}{
		{"recent: the lobby's", func() ([]*hub.Event, error) { return s.Recent(ctx, "#lobby", 10) }, []uint64{1, 3, 6, 8}},
		{"recent: help's, by any spelling", func() ([]*hub.Event, error) { return s.Recent(ctx, "#hElP", 10) }, []uint64{2, 4, 7}},
		{"recent: a name without its #", func() ([]*hub.Event, error) { return s.Recent(ctx, "help", 10) }, []uint64{2, 4, 7}},
		{"recent: a non-ASCII name, in capitals", func() ([]*hub.Event, error) { return s.Recent(ctx, "#ÉIRE", 10) }, []uint64{5}},
		{"recent: the newest n of the room", func() ([]*hub.Event, error) { return s.Recent(ctx, "#lobby", 2) }, []uint64{6, 8}},
		{"recent: a room never saved", func() ([]*hub.Event, error) { return s.Recent(ctx, "#random", 10) }, []uint64{}},
		{"recent: a name that breaks the rules", func() ([]*hub.Event, error) { return s.Recent(ctx, "#no room", 10) }, []uint64{}},
		{"recent: no name", func() ([]*hub.Event, error) { return s.Recent(ctx, "", 10) }, []uint64{}},
		{"before: the room's page before an ID", func() ([]*hub.Event, error) { return s.Before(ctx, "#lobby", 8, 2) }, []uint64{3, 6}},
		{"before: an ID of another room", func() ([]*hub.Event, error) { return s.Before(ctx, "#help", 6, 10) }, []uint64{2, 4}},
		{"after: the room's page after an ID", func() ([]*hub.Event, error) { return s.After(ctx, "#help", 2, 10) }, []uint64{4, 7}},
		{"after: from the start", func() ([]*hub.Event, error) { return s.After(ctx, "#lobby", 0, 3) }, []uint64{1, 3, 6}},
		{"search: the room's matches only", func() ([]*hub.Event, error) { return s.Search(ctx, "#lobby", "hello", 10) }, []uint64{1, 6}},
		{"search: the other room's", func() ([]*hub.Event, error) { return s.Search(ctx, "#Help", "HELLO", 10) }, []uint64{2}},
		{"search: a short query, in the room", func() ([]*hub.Event, error) { return s.Search(ctx, "#help", "/h", 10) }, []uint64{7}},
		{"search: a short query, not in another room", func() ([]*hub.Event, error) { return s.Search(ctx, "#lobby", "/h", 10) }, []uint64{}},
		{"search: by name, in the room", func() ([]*hub.Event, error) { return s.Search(ctx, "#help", "carol", 10) }, []uint64{4}},
		{"search: a name from another room", func() ([]*hub.Event, error) { return s.Search(ctx, "#lobby", "carol", 10) }, []uint64{}},
		{"search: everything in the room", func() ([]*hub.Event, error) { return s.Search(ctx, "#éire", "", 10) }, []uint64{5}},
		{"search: a room never saved", func() ([]*hub.Event, error) { return s.Search(ctx, "#random", "hello", 10) }, []uint64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.read()
			require.NoError(t, err)
			assert.Equal(t, tt.want, ids(got))
		})
	}

	t.Run("each entry keeps the spelling it was said under", func(t *testing.T) {
		got, err := s.Recent(ctx, "#help", 10)
		require.NoError(t, err)
		var rooms []string
		for _, ev := range got {
			rooms = append(rooms, ev.Room)
		}
		assert.Equal(t, []string{"#Help", "#help", "#HELP"}, rooms)
	})
}

// TestRooms: a room is created by the first entry that names it, keeps the
// name it was first given and its topic, and stays when nobody is left in
// it and when every entry it had is pruned.
func TestRooms(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	at := func(id uint64) time.Time { return base.Add(time.Duration(id) * time.Minute) }

	rooms, err := s.Rooms(ctx)
	require.NoError(t, err)
	assert.Empty(t, rooms, "a new database has none")

	require.NoError(t, s.Append(ctx, []*hub.Event{
		{ID: 1, Kind: hub.KindJoined, Time: at(1), Room: "#lobby", Name: "alice"},
		{ID: 2, Kind: hub.KindJoined, Time: at(2), Room: "#Help", Name: "alice"},
		{ID: 3, Kind: hub.KindTopic, Time: at(3), Room: "#help", Name: "alice", Text: "ask anything"},
		{ID: 4, Kind: hub.KindJoined, Time: at(4), Room: "#quiet", Name: "bob"},
		{ID: 5, Kind: hub.KindTopic, Time: at(5), Room: "#quiet", Name: "bob", Text: "shh"},
		{ID: 6, Kind: hub.KindTopic, Time: at(6), Room: "#quiet", Name: "bob", Text: ""},
		{ID: 7, Kind: hub.KindLeft, Time: at(7), Room: "#quiet", Name: "bob", Reason: hub.ReasonPart},
		{ID: 8, Kind: hub.KindRenamed, Time: at(8), Name: "bob", NewName: "robert"},
		{ID: 9, Kind: hub.KindPrivate, Time: at(9), Name: "robert", To: "alice", Text: "hi"},
		{ID: 10, Kind: hub.KindLeft, Time: at(10), Name: "robert", Reason: hub.ReasonQuit},
	}))
	want := []hub.RoomInfo{
		{Name: "#Help", Topic: "ask anything", TopicBy: "alice", TopicAt: at(3), Created: at(2)},
		{Name: "#lobby", Created: at(1)},
		{Name: "#quiet", Created: at(4)}, // its topic cleared: as if none was set
	}
	rooms, err = s.Rooms(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, rooms, "every room named, by key, with its topic; renames, private messages and departures name none")

	t.Run("a topic set later replaces the earlier", func(t *testing.T) {
		require.NoError(t, s.Append(ctx, []*hub.Event{{ID: 11, Kind: hub.KindTopic, Time: at(11), Room: "#HELP", Name: "carol", Text: "read the FAQ first"}}))
		rooms, err := s.Rooms(ctx)
		require.NoError(t, err)
		assert.Equal(t, hub.RoomInfo{Name: "#Help", Topic: "read the FAQ first", TopicBy: "carol", TopicAt: at(11), Created: at(2)}, rooms[0])
		want[0] = rooms[0]
	})

	t.Run("rooms and topics stay when every entry is pruned, and after a restart", func(t *testing.T) {
		n, err := s.Prune(ctx, 0, at(100))
		require.NoError(t, err)
		assert.Equal(t, 11, n)
		rooms, err := s.Rooms(ctx)
		require.NoError(t, err)
		assert.Equal(t, want, rooms)
	})
}

// TestRoomsAfterARestart: the rooms and their topics are in the file.
func TestRoomsAfterARestart(t *testing.T) {
	s, path := openFile(t)
	ctx := t.Context()
	require.NoError(t, s.Append(ctx, []*hub.Event{
		said(1, "#help", "alice", "hi"),
		{ID: 2, Kind: hub.KindTopic, Time: base, Room: "#help", Name: "alice", Text: "ask anything"},
	}))
	require.NoError(t, s.Close())
	rooms, err := open(t, path).Rooms(ctx)
	require.NoError(t, err)
	assert.Equal(t, []hub.RoomInfo{{Name: "#help", Topic: "ask anything", TopicBy: "alice", TopicAt: base, Created: base.Add(time.Second)}}, rooms)
}

// TestRetentionIsPerRoom: keep is how many entries each room keeps, so a
// busy room cannot push a quiet room's history out; what is about no room
// (departures from the server, renames, private messages) keeps as many
// again. The limit by age applies to all.
func TestRetentionIsPerRoom(t *testing.T) {
	fill := func(t *testing.T) *busyAndQuiet {
		t.Helper()
		s, _ := openFile(t)
		var evs []*hub.Event
		r := &busyAndQuiet{}
		id := uint64(0)
		add := func(ev *hub.Event, to *[]uint64) {
			id++
			ev.ID = id
			ev.Time = base.Add(time.Duration(id) * time.Minute)
			evs = append(evs, ev)
			*to = append(*to, id)
		}
		for i := range 10 {
			add(&hub.Event{Kind: hub.KindMessage, Room: "#busy", Name: "alice", Text: fmt.Sprintf("busy %d", i)}, &r.busy)
			if i%3 == 0 {
				add(&hub.Event{Kind: hub.KindMessage, Room: "#quiet", Name: "bob", Text: fmt.Sprintf("quiet %d", i)}, &r.quiet)
			}
			if i%2 == 0 {
				add(&hub.Event{Kind: hub.KindPrivate, Name: "alice", To: "bob", Text: "psst", Session: "s-alice"}, &r.private)
			}
		}
		require.NoError(t, s.Append(t.Context(), evs))
		r.s = s
		return r
	}
	minute := func(i uint64) time.Time { return base.Add(time.Duration(i) * time.Minute) }

	t.Run("by count, each room its newest", func(t *testing.T) {
		r := fill(t)
		n, err := r.s.Prune(t.Context(), 3, time.Time{})
		require.NoError(t, err)
		assert.Equal(t, 7+1+2, n, "7 of 10 busy, 1 of 4 quiet, 2 of 5 private")
		r.check(t, r.busy[7:], r.quiet[1:], r.private[2:])
	})

	t.Run("by count, a room with fewer loses none", func(t *testing.T) {
		r := fill(t)
		_, err := r.s.Prune(t.Context(), 5, time.Time{})
		require.NoError(t, err)
		r.check(t, r.busy[5:], r.quiet, r.private)
	})

	t.Run("by age, every room alike", func(t *testing.T) {
		r := fill(t)
		cut := minute(r.quiet[2]) // the third quiet message is the oldest kept
		n, err := r.s.Prune(t.Context(), 0, cut)
		require.NoError(t, err)
		var busy, private []uint64
		for _, id := range r.busy {
			if id >= r.quiet[2] {
				busy = append(busy, id)
			}
		}
		for _, id := range r.private {
			if id >= r.quiet[2] {
				private = append(private, id)
			}
		}
		assert.Equal(t, int(r.quiet[2]-1), n, "every entry before it")
		r.check(t, busy, r.quiet[2:], private)
	})
}

// busyAndQuiet is a store with a busy room, a quiet one, and private
// messages, and the IDs of each.
type busyAndQuiet struct {
	s                    *history.Store
	busy, quiet, private []uint64
}

// check says what each room has left.
func (r *busyAndQuiet) check(t *testing.T, busy, quiet, private []uint64) {
	t.Helper()
	got, err := r.s.Recent(t.Context(), "#busy", 100)
	require.NoError(t, err)
	assert.Equal(t, nonNil(busy), ids(got), "#busy")
	got, err = r.s.Recent(t.Context(), "#quiet", 100)
	require.NoError(t, err)
	assert.Equal(t, nonNil(quiet), ids(got), "#quiet")
	got, err = r.s.Private(t.Context(), "s-alice", 0, 100)
	require.NoError(t, err)
	assert.Equal(t, nonNil(private), ids(got), "private messages")
	rooms, err := r.s.Rooms(t.Context())
	require.NoError(t, err)
	assert.Len(t, rooms, 2, "both rooms stay")
}

func nonNil(ids []uint64) []uint64 {
	if ids == nil {
		return []uint64{}
	}
	return ids
}

// TestAPruneLooksAgainAtTheRoomsItCouldNotPrune: rooms written to are
// pruned by the next prune, and stay due if that one fails.
func TestAPruneLooksAgainAtTheRoomsItCouldNotPrune(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	_, err := s.Prune(ctx, 2, time.Time{})
	require.NoError(t, err)
	require.NoError(t, s.Append(ctx, msgs(1, 5)))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Prune(cancelled, 2, time.Time{})
	require.Error(t, err)
	n, err := s.Prune(ctx, 2, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 3, n, "#lobby, written before the failed prune, is pruned by the next")
}
