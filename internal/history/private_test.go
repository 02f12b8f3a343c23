package history_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// TestPrivateMessagesAreTheirTwoSessions: a session reads back the
// private messages it sent and those sent to it, whatever names either
// side had, and nobody else's; no room's history shows them.
func TestPrivateMessagesAreTheirTwoSessions(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	private := func(id uint64, from, fromSession, to, toSession, text string) *hub.Event {
		return &hub.Event{ID: id, Kind: hub.KindPrivate, Time: base.Add(time.Duration(id) * time.Second),
			Name: from, Session: fromSession, To: to, ToSession: toSession, Text: text}
	}
	evs := []*hub.Event{
		1: private(1, "alice", "s-alice", "bob", "s-bob", "psst, bob"),
		2: private(2, "bob", "s-bob", "alice", "s-alice", "yes?"),
		3: said(3, "#lobby", "alice", "hello all"),
		4: private(4, "carol", "s-carol", "alice", "s-alice", "alice, a word"),
		5: private(5, "alice", "s-alice", "dave", "", "dave is on telnet"),
		6: private(6, "dave", "", "alice", "s-alice", "so I am"),
		7: {ID: 7, Kind: hub.KindRenamed, Time: base, Name: "alice", NewName: "alicia", Session: "s-alice"},
		8: private(8, "alicia", "s-alice", "bob", "s-bob", "still me"),
		9: private(9, "carol", "s-carol", "bob", "s-bob", "between carol and bob"),
	}
	require.NoError(t, s.Append(ctx, evs[1:]))

	tests := []struct {
		name    string
		session string
		before  uint64
		n       int
		want    []uint64
	}{
		{"sent and received, under any name", "s-alice", 0, 10, []uint64{1, 2, 4, 5, 6, 8}},
		{"bob's", "s-bob", 0, 10, []uint64{1, 2, 8, 9}},
		{"carol's", "s-carol", 0, 10, []uint64{4, 9}},
		{"the newest n", "s-alice", 0, 3, []uint64{5, 6, 8}},
		{"the page before an ID", "s-alice", 5, 2, []uint64{2, 4}},
		{"nothing before the first", "s-alice", 1, 10, []uint64{}},
		{"none for n 0", "s-alice", 0, 0, []uint64{}},
		{"a session with none", "s-erin", 0, 10, []uint64{}},
		{"no session is nobody's (telnet has none)", "", 0, 10, []uint64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Private(ctx, tt.session, tt.before, tt.n)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ids(got))
			for _, ev := range got {
				assert.Equal(t, evs[ev.ID], ev, "every field, as saved")
			}
		})
	}

	t.Run("no room shows them", func(t *testing.T) {
		got, err := s.Recent(ctx, lobby, 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{3}, ids(got))
		got, err = s.Search(ctx, lobby, "", 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{3}, ids(got))
	})
}
