package history

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// TestEveryEntryReadsBackAsSaved: whatever kind an entry is, every field the
// hub gave it comes back from the database as it was (time to the
// millisecond, in UTC), so the history is the log itself and not a summary
// of it.
func TestEveryEntryReadsBackAsSaved(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "anseo.db"))
	ctx := t.Context()
	at := time.Date(2026, 3, 1, 12, 0, 0, 250_000_000, time.UTC)
	entries := []*hub.Event{
		{ID: 1, Kind: hub.KindJoined, Time: at, Room: "#lobby", Name: "alice", Transport: hub.TransportWeb, Session: "s-alice"},
		{ID: 2, Kind: hub.KindJoined, Time: at, Room: "#Help", Name: "alice", Transport: hub.TransportWeb, Session: "s-alice"},
		{ID: 3, Kind: hub.KindMessage, Time: at, Room: "#Help", Name: "alice", Text: "hi", Session: "s-alice"},
		{ID: 4, Kind: hub.KindAction, Time: at, Room: "#lobby", Name: "alice", Text: "waves", Session: "s-alice"},
		{ID: 5, Kind: hub.KindTopic, Time: at, Room: "#Help", Name: "alice", Text: "ask anything", Session: "s-alice"},
		{ID: 6, Kind: hub.KindPrivate, Time: at, Name: "alice", To: "bob", Text: "psst", Session: "s-alice", ToSession: "s-bob"},
		{ID: 7, Kind: hub.KindRenamed, Time: at, Name: "alice", NewName: "alicia", Session: "s-alice"},
		{ID: 8, Kind: hub.KindAway, Time: at, Name: "alicia", Away: true, Text: "lunch", Session: "s-alice"},
		{ID: 9, Kind: hub.KindLeft, Time: at, Room: "#Help", Name: "alicia", Reason: hub.ReasonPart, Text: "later", Session: "s-alice"},
		{ID: 10, Kind: hub.KindLeft, Time: at, Name: "alicia", Reason: hub.ReasonTooSlow, Session: "s-alice"},
		{ID: 11, Kind: hub.KindJoined, Time: at, Room: "#lobby", Name: "Op", Transport: hub.TransportTelnet, Registered: true, Operator: true},
		{ID: 12, Kind: hub.KindAccount, Time: at, Name: "alicia", Registered: true, Session: "s-alice"},
		{ID: 13, Kind: hub.KindAccount, Time: at, Name: "alicia", Session: "s-alice"},
		{ID: 14, Kind: hub.KindModeration, Time: at, Room: "#Help", Name: "Op", Text: "spam",
			Moderation: &hub.Moderation{Action: hub.ActionBan, Target: "troll", Address: "2001:db8:1:2::/64", Until: at.Add(7 * 24 * time.Hour)}},
		{ID: 15, Kind: hub.KindModeration, Time: at, Name: "Op", Moderation: &hub.Moderation{Action: hub.ActionMute, Target: "troll"}},
		{ID: 16, Kind: hub.KindModeration, Time: at, Room: "#Help", Name: "Op", Moderation: &hub.Moderation{Action: hub.ActionRemove, Message: 99}},
		{ID: 17, Kind: hub.KindModeration, Time: at, Name: "Op", Text: "Be kind.", Moderation: &hub.Moderation{Action: hub.ActionMotd}},
		{ID: 18, Kind: hub.KindLeft, Time: at, Name: "troll", Reason: hub.ReasonBanned},
	}
	require.NoError(t, s.Append(ctx, entries))

	got, err := s.query(ctx, `SELECT `+columns+` FROM events ORDER BY id`)
	require.NoError(t, err)
	assert.Equal(t, entries, got)
}

// TestAMessageThatNamesNoRoomIsTheDefaultRooms: the one room there was
// before rooms is the default room, and so is the room of a message from
// a node that knows no rooms.
func TestAMessageThatNamesNoRoomIsTheDefaultRooms(t *testing.T) {
	s := openTest(t, Memory)
	ctx := t.Context()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	require.NoError(t, s.Append(ctx, []*hub.Event{
		{ID: 1, Kind: hub.KindJoined, Time: at, Name: "alice"},
		{ID: 2, Kind: hub.KindMessage, Time: at, Name: "alice", Text: "hi"},
		{ID: 3, Kind: hub.KindLeft, Time: at, Name: "alice", Reason: hub.ReasonQuit},
	}))
	got, err := s.query(ctx, `SELECT `+columns+` FROM events ORDER BY id`)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, hub.DefaultRoom, got[0].Room, "a join")
	assert.Equal(t, hub.DefaultRoom, got[1].Room, "a message")
	assert.Empty(t, got[2].Room, "a departure that names no room is from the server")
}

// TestKeysFollowTheNameRules: rooms are found by their key, which the
// running anseo's name rules give; a database saved under other rules (or
// by the migration to rooms) is put right when it is opened.
func TestKeysFollowTheNameRules(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anseo.db")
	ctx := t.Context()
	s, err := Open(ctx, path)
	require.NoError(t, err)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	require.NoError(t, s.Append(ctx, []*hub.Event{
		{ID: 1, Kind: hub.KindMessage, Time: at, Room: "#Help", Name: "alice", Text: "one"},
		{ID: 2, Kind: hub.KindMessage, Time: at.Add(time.Second), Room: "#Support", Name: "alice", Text: "two"},
	}))
	// As if saved under rules that gave other keys, and that made #support
	// and #help two spellings of one room.
	for _, q := range []string{
		`UPDATE rooms SET key = 'old-help' WHERE name = '#Help'`,
		`UPDATE events SET room_key = 'old-help' WHERE room = '#Help'`,
		`UPDATE rooms SET key = 'old-support' WHERE name = '#Support'`,
		`UPDATE events SET room_key = 'old-support' WHERE room = '#Support'`,
	} {
		_, err := s.db.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	got, err := s.Recent(ctx, "#help", 10)
	require.NoError(t, err)
	require.Empty(t, got, "the keys are stale")
	require.NoError(t, s.Close())

	s = openTest(t, path)
	got, err = s.Recent(ctx, "#help", 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"one"}, texts(got))
	got, err = s.Recent(ctx, "#SUPPORT", 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"two"}, texts(got))
	rooms, err := s.Rooms(ctx)
	require.NoError(t, err)
	assert.Len(t, rooms, 2)

	// Now the rules make both rooms one.
	_, err = s.db.ExecContext(ctx, `UPDATE rooms SET name = '#help' WHERE name = '#Support'`)
	require.NoError(t, err)
	require.NoError(t, rekeyNow(t, s))
	got, err = s.Recent(ctx, "#help", 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"one", "two"}, texts(got), "the entries of both")
	rooms, err = s.Rooms(ctx)
	require.NoError(t, err)
	require.Len(t, rooms, 1)
	assert.Equal(t, "#Help", rooms[0].Name, "the room that was first")
}

// rekeyNow runs rekey as Open does.
func rekeyNow(t *testing.T, s *Store) error {
	t.Helper()
	tx, err := s.db.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	if err := rekey(t.Context(), tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func texts(evs []*hub.Event) []string {
	out := []string{}
	for _, ev := range evs {
		out = append(out, ev.Text)
	}
	return out
}

// TestTheSearchIndexHoldsWhatIsSaved: once indexed, the index has a row
// for every saved message and action and for nothing else, through appends
// and pruning, so that it never grows beyond the history it indexes.
func TestTheSearchIndexHoldsWhatIsSaved(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "anseo.db"))
	ctx := t.Context()
	at := func(id uint64) time.Time {
		return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(id) * time.Minute)
	}
	var evs []*hub.Event
	for id := uint64(1); id <= 10; id++ {
		kind := hub.KindMessage
		switch id % 5 {
		case 1:
			kind = hub.KindJoined
		case 2:
			kind = hub.KindAction
		}
		evs = append(evs, &hub.Event{ID: id, Kind: kind, Time: at(id), Room: "#lobby", Name: "needle", Text: "needle"})
	}
	evs = append(evs, &hub.Event{ID: 11, Kind: hub.KindPrivate, Time: at(11), Name: "needle", To: "x", Text: "needle"})
	require.NoError(t, s.Append(ctx, evs))
	indexNow(t, s)

	indexed := func() []uint64 {
		t.Helper()
		rows, err := s.db.QueryContext(ctx, `SELECT rowid FROM events_text WHERE events_text MATCH '"nee"' ORDER BY rowid`)
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
	assert.Equal(t, []uint64{2, 3, 4, 5, 7, 8, 9, 10}, indexed(), "messages and actions only")

	_, err := s.Prune(ctx, 4, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, []uint64{7, 8, 9, 10}, indexed(), "the lobby's newest four")
	_, err = s.Prune(ctx, 0, at(10))
	require.NoError(t, err)
	assert.Equal(t, []uint64{10}, indexed())
}

// TestLoginsWhoseTimeIsUpAreSweptOut: the logins table holds the browsers
// logged in now, not every login there ever was.
func TestLoginsWhoseTimeIsUpAreSweptOut(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "anseo.db"))
	ctx := t.Context()
	require.NoError(t, s.CreateAccount(ctx, "alice", hub.Account{Name: "alice", Hash: "$argon2id$x"}))
	for _, session := range []string{"a", "b", "c"} {
		require.NoError(t, s.LogIn(ctx, session, "alice", time.Now().Add(-time.Minute)))
	}
	require.NoError(t, s.LogIn(ctx, "d", "alice", time.Now().Add(time.Hour)))
	var n int
	require.NoError(t, s.db.QueryRowContext(ctx, `SELECT count(*) FROM logins`).Scan(&n))
	assert.Equal(t, 1, n)
}

// TestPruningARoomReadsItsIndexOnly: pruning by count passes over the
// moderation entries by the kind the index holds, not by reading every row
// the room keeps (a tenth of a second a prune, for a room of 100,000).
func TestPruningARoomReadsItsIndexOnly(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "anseo.db"))
	rows, err := s.db.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+pruneRoom, "#lobby", 10)
	require.NoError(t, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		plan = append(plan, detail)
	}
	require.NoError(t, rows.Err())
	assert.Contains(t, plan, "SEARCH events USING COVERING INDEX events_room (room_key=?)", "the room's keep-th newest: %q", plan)
}
