package history_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// schemaBeforeRooms is the schema anseo's history had before rooms
// (version 3), as databases in the field have it.
const schemaBeforeRooms = `
	CREATE TABLE events (
		id   INTEGER PRIMARY KEY,
		kind INTEGER NOT NULL,
		time INTEGER NOT NULL,
		name TEXT NOT NULL,
		text TEXT NOT NULL,
		extra TEXT NOT NULL DEFAULT '',
		session TEXT NOT NULL DEFAULT ''
	) STRICT;
	CREATE INDEX events_time ON events (time);
	CREATE TABLE meta (
		one     INTEGER PRIMARY KEY CHECK (one = 1),
		last_id INTEGER NOT NULL
	) STRICT;
	INSERT INTO meta (one, last_id) VALUES (1, 0);
	CREATE INDEX events_public ON events (id) WHERE kind IN (3, 5);
	CREATE INDEX events_session ON events (session, id) WHERE session != '' AND kind IN (1, 7);
	PRAGMA user_version = 3;`

// oldDatabase writes a history file as anseo wrote it before rooms, with
// rows (id, kind, Unix ms, name, text, extra, session) and the last ID,
// and returns its path.
func oldDatabase(t *testing.T, lastID int64, rows ...[]any) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "anseo.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	_, err = db.ExecContext(ctx, schemaBeforeRooms)
	require.NoError(t, err)
	for _, row := range rows {
		_, err := db.ExecContext(ctx, `INSERT INTO events (id, kind, time, name, text, extra, session) VALUES (?, ?, ?, ?, ?, ?, ?)`, row...)
		require.NoError(t, err)
	}
	_, err = db.ExecContext(ctx, `UPDATE meta SET last_id = ?`, lastID)
	require.NoError(t, err)
	return path
}

// TestADatabaseFromBeforeRoomsIsTheDefaultRooms: opening a history file
// written before rooms keeps everything in it, as the default room's: its
// conversation is #lobby's, found by paging and by search, #lobby is a
// room since the oldest entry, departures stay departures from the server,
// and private messages stay their sender's.
func TestADatabaseFromBeforeRoomsIsTheDefaultRooms(t *testing.T) {
	ms := func(sec int) int64 { return base.Add(time.Duration(sec) * time.Second).UnixMilli() }
	path := oldDatabase(t, 12,
		[]any{3, 1, ms(3), "alice", "", `{"transport":"web"}`, "s-alice"},
		[]any{4, 3, ms(4), "alice", "Hello from before rooms", "", "s-alice"},
		[]any{5, 1, ms(5), "bob", "", `{"transport":"telnet"}`, ""},
		[]any{6, 5, ms(6), "bob", "waves", "", ""},
		[]any{7, 6, ms(7), "alice", "psst", `{"to":"bob"}`, "s-alice"},
		[]any{8, 7, ms(8), "alice", "", `{"newName":"alicia"}`, "s-alice"},
		[]any{9, 8, ms(9), "alicia", "lunch", `{"away":true}`, "s-alice"},
		[]any{10, 3, ms(10), "alicia", "ok", "", "s-alice"},
		[]any{11, 2, ms(11), "bob", "bye", `{"reason":1}`, ""},
	)
	s := open(t, path)
	ctx := t.Context()
	at := func(sec int) time.Time { return base.Add(time.Duration(sec) * time.Second) }

	got, err := s.Recent(ctx, hub.DefaultRoom, 10)
	require.NoError(t, err)
	assert.Equal(t, []*hub.Event{
		{ID: 4, Kind: hub.KindMessage, Time: at(4), Room: "#lobby", Name: "alice", Text: "Hello from before rooms", Session: "s-alice"},
		{ID: 6, Kind: hub.KindAction, Time: at(6), Room: "#lobby", Name: "bob", Text: "waves"},
		{ID: 10, Kind: hub.KindMessage, Time: at(10), Room: "#lobby", Name: "alicia", Text: "ok", Session: "s-alice"},
	}, got, "the conversation is the default room's")

	rooms, err := s.Rooms(ctx)
	require.NoError(t, err)
	assert.Equal(t, []hub.RoomInfo{{Name: "#lobby", Created: at(3)}}, rooms)

	for _, q := range []string{"BEFORE ROOMS", "wav", "ok"} {
		found, err := s.Search(ctx, hub.DefaultRoom, q, 10)
		require.NoError(t, err)
		assert.Len(t, found, 1, "%q: what was saved before is searched", q)
	}

	private, err := s.Private(ctx, "s-alice", 0, 10)
	require.NoError(t, err)
	assert.Equal(t, []*hub.Event{{ID: 7, Kind: hub.KindPrivate, Time: at(7), Name: "alice", To: "bob", Text: "psst", Session: "s-alice"}}, private,
		"the sender's; whose the recipient's session was is not known")

	last, err := s.LastID(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(12), last)
	name, err := s.LastName(ctx, "s-alice")
	require.NoError(t, err)
	assert.Equal(t, "alicia", name)

	t.Run("it goes on beside new rooms", func(t *testing.T) {
		require.NoError(t, s.Append(ctx, []*hub.Event{said(13, "#Lobby", "carol", "after"), said(14, "#help", "carol", "new room")}))
		got, err := s.Recent(ctx, hub.DefaultRoom, 2)
		require.NoError(t, err)
		assert.Equal(t, []uint64{10, 13}, ids(got))
		rooms, err := s.Rooms(ctx)
		require.NoError(t, err)
		assert.Len(t, rooms, 2)
	})

	t.Run("the joins are the default room's and the departure the server's", func(t *testing.T) {
		// Keep one entry a room: #lobby keeps its newest (13), #help its
		// one, and what is about no room its newest (the departure, 11).
		_, err := s.Prune(ctx, 1, time.Time{})
		require.NoError(t, err)
		got, err := s.After(ctx, hub.DefaultRoom, 0, 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{13}, ids(got))
		name, err := s.LastName(ctx, "s-alice")
		require.NoError(t, err)
		assert.Empty(t, name, "alice's join went with the lobby's, her rename with the rest")
	})
}

// TestAnEmptyDatabaseFromBeforeRoomsHasNoRooms: a file that never held an
// entry has no room until one names it.
func TestAnEmptyDatabaseFromBeforeRoomsHasNoRooms(t *testing.T) {
	s := open(t, oldDatabase(t, 0))
	rooms, err := s.Rooms(t.Context())
	require.NoError(t, err)
	assert.Empty(t, rooms)
}

// TestADatabaseFromBeforeAccountsTakesThem: a history file from before
// registered names and moderation gets their tables, and its saved
// messages can be removed and searched as new ones.
func TestADatabaseFromBeforeAccountsTakesThem(t *testing.T) {
	ms := func(sec int) int64 { return base.Add(time.Duration(sec) * time.Second).UnixMilli() }
	s := open(t, oldDatabase(t, 3,
		[]any{1, 3, ms(1), "spammer", "cheap watches", "", ""},
		[]any{2, 3, ms(2), "alice", "no watches here", "", ""},
	))
	ctx := t.Context()
	require.NoError(t, s.CreateAccount(ctx, hub.NameKey("alice"), hub.Account{Name: "alice", Hash: "$argon2id$x", Created: base}))
	_, ok, err := s.Account(ctx, hub.NameKey("ALICE"))
	require.NoError(t, err)
	assert.True(t, ok)

	require.NoError(t, s.Append(ctx, []*hub.Event{{ID: 4, Kind: hub.KindModeration, Time: base.Add(4 * time.Second), Room: "#lobby",
		Name: "op", Moderation: &hub.Moderation{Action: hub.ActionRemove, Message: 1}}}))
	found, err := s.Search(ctx, hub.DefaultRoom, "watches", 10)
	require.NoError(t, err)
	assert.Equal(t, []uint64{2}, ids(found))
	_, err = s.Prune(ctx, 0, base.Add(time.Hour))
	require.NoError(t, err, "a removed message is pruned as any other")
	mod, err := s.Moderation(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, []uint64{4}, ids(mod))
}
