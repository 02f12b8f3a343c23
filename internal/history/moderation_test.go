package history_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// modAt is a moderation entry id, by the operator "op", id seconds after
// base.
func modAt(id uint64, room, reason string, m hub.Moderation) *hub.Event {
	return &hub.Event{ID: id, Kind: hub.KindModeration, Time: base.Add(time.Duration(id) * time.Second),
		Room: room, Name: "op", Text: reason, Moderation: &m}
}

// said is message id, said in room by name.
func saidBy(id uint64, room, name, text string) *hub.Event {
	return &hub.Event{ID: id, Kind: hub.KindMessage, Time: base.Add(time.Duration(id) * time.Second), Room: room, Name: name, Text: text}
}

// TestModerationIsTheRecordOfWhatOperatorsDid: Moderation returns every
// moderation entry, of every room and of the server, with everything it
// said, oldest first, or the newest n; nothing else of the log.
func TestModerationIsTheRecordOfWhatOperatorsDid(t *testing.T) {
	s, path := openFile(t)
	ctx := t.Context()
	until := base.Add(7 * 24 * time.Hour)
	record := []*hub.Event{
		modAt(2, "", "spam", hub.Moderation{Action: hub.ActionBan, Target: "troll", Until: until}),
		modAt(3, "", "", hub.Moderation{Action: hub.ActionBan, Address: "203.0.113.7/32", Until: until}),
		modAt(5, "#help", "", hub.Moderation{Action: hub.ActionOp, Target: "carol"}),
		modAt(6, "#help", "off topic", hub.Moderation{Action: hub.ActionMute, Target: "dave", Until: base.Add(time.Hour)}),
		modAt(8, "#help", "", hub.Moderation{Action: hub.ActionRemove, Message: 7}),
		modAt(9, "", "Welcome! Be kind.", hub.Moderation{Action: hub.ActionMotd}),
		modAt(10, "", "", hub.Moderation{Action: hub.ActionUnban, Address: "2001:db8:1:2::/64"}),
	}
	require.NoError(t, s.Append(ctx, []*hub.Event{
		{ID: 1, Kind: hub.KindJoined, Time: base, Room: "#help", Name: "carol", Registered: true},
		record[0], record[1],
		{ID: 4, Kind: hub.KindLeft, Time: base, Name: "troll", Reason: hub.ReasonBanned},
		record[2], record[3],
		saidBy(7, "#help", "dave", "buy my stuff"),
		record[4], record[5], record[6],
	}))
	removed := record[4]

	got, err := s.Moderation(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, record, got, "every one, oldest first")

	got, err = s.Moderation(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, record[5:], got, "the newest two, oldest first")
	got, err = s.Moderation(ctx, 100)
	require.NoError(t, err)
	assert.Equal(t, record, got)

	require.NoError(t, s.Close())
	s = open(t, path)
	got, err = s.Moderation(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, record, got, "after a restart")
	assert.Equal(t, uint64(7), removed.Moderation.Message)
}

// TestPruningKeepsTheModerationRecord: however the history is pruned, by
// count or by age, in a room or on the server, the moderation entries stay,
// and they take no place of the entries a room keeps.
func TestPruningKeepsTheModerationRecord(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	require.NoError(t, s.Append(ctx, []*hub.Event{
		modAt(1, "#help", "", hub.Moderation{Action: hub.ActionOp, Target: "carol"}),
		saidBy(2, "#help", "carol", "one"),
		saidBy(3, "#help", "carol", "two"),
		modAt(4, "", "spam", hub.Moderation{Action: hub.ActionBan, Target: "troll"}),
		modAt(5, "#help", "", hub.Moderation{Action: hub.ActionMute, Target: "dave"}),
		saidBy(6, "#help", "carol", "three"),
		modAt(7, "#help", "", hub.Moderation{Action: hub.ActionUnmute, Target: "dave"}),
		{ID: 8, Kind: hub.KindRenamed, Time: base.Add(8 * time.Second), Name: "carol", NewName: "caz"},
		modAt(9, "", "", hub.Moderation{Action: hub.ActionUnban, Target: "troll"}),
	}))

	_, err := s.Prune(ctx, 2, time.Time{})
	require.NoError(t, err)
	got, err := s.Recent(ctx, "#help", 10)
	require.NoError(t, err)
	assert.Equal(t, []uint64{3, 6}, ids(got), "the room keeps its two newest besides its moderation entries")
	mod, err := s.Moderation(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, []uint64{1, 4, 5, 7, 9}, ids(mod), "by count")

	_, err = s.Prune(ctx, 0, base.Add(time.Hour))
	require.NoError(t, err)
	got, err = s.Recent(ctx, "#help", 10)
	require.NoError(t, err)
	assert.Empty(t, got, "everything older than the hour is gone")
	mod, err = s.Moderation(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, []uint64{1, 4, 5, 7, 9}, ids(mod), "by age")
}

// TestARemovedMessageIsGoneFromTheHistory: once an operator removes a
// message, its place stays in the room's history (Removed, no text), and
// nothing it said can be read or searched for again; the rest of the
// history is untouched.
func TestARemovedMessageIsGoneFromTheHistory(t *testing.T) {
	s, path := openFile(t)
	ctx := t.Context()
	require.NoError(t, s.Append(ctx, []*hub.Event{
		saidBy(1, "#help", "alice", "hello there"),
		saidBy(2, "#help", "spammer", "cheap watches at example.com"),
		saidBy(3, "#help", "alice", "watches? no thanks"),
		saidBy(4, "#lobby", "spammer", "cheap watches here too"),
	}))
	require.NoError(t, s.Append(ctx, []*hub.Event{
		modAt(5, "#help", "spam", hub.Moderation{Action: hub.ActionRemove, Message: 2}),
	}))

	gone := &hub.Event{ID: 2, Kind: hub.KindMessage, Time: base.Add(2 * time.Second), Room: "#help", Name: "spammer", Removed: true}
	check := func(t *testing.T) {
		t.Helper()
		got, err := s.Recent(ctx, "#help", 10)
		require.NoError(t, err)
		require.Equal(t, []uint64{1, 2, 3}, ids(got), "its place stays")
		assert.Equal(t, gone, got[1])
		assert.False(t, got[0].Removed)
		assert.Equal(t, "watches? no thanks", got[2].Text, "the others are untouched")

		got, err = s.Before(ctx, "#help", 3, 1)
		require.NoError(t, err)
		assert.Equal(t, []*hub.Event{gone}, got)
		got, err = s.After(ctx, "#help", 1, 1)
		require.NoError(t, err)
		assert.Equal(t, []*hub.Event{gone}, got)

		for _, q := range []string{"cheap", "example.com", "spammer", "sp"} {
			got, err = s.Search(ctx, "#help", q, 10)
			require.NoError(t, err)
			assert.Empty(t, got, "%q finds nothing of it", q)
		}
		got, err = s.Search(ctx, "#help", "watches", 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{3}, ids(got))

		got, err = s.Search(ctx, "#lobby", "cheap", 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{4}, ids(got), "a message with that ID only, in that room only")
	}
	check(t)
	require.NoError(t, s.Close())
	s = open(t, path)
	t.Run("after a restart", check)

	t.Run("removing it again, or another room's, changes nothing", func(t *testing.T) {
		require.NoError(t, s.Append(ctx, []*hub.Event{
			modAt(6, "#help", "", hub.Moderation{Action: hub.ActionRemove, Message: 2}),
			modAt(7, "#help", "", hub.Moderation{Action: hub.ActionRemove, Message: 4}),
			modAt(8, "#help", "", hub.Moderation{Action: hub.ActionRemove, Message: 404}),
		}))
		check(t)
	})

	t.Run("it is pruned as any message is", func(t *testing.T) {
		_, err := s.Prune(ctx, 0, base.Add(2500*time.Millisecond))
		require.NoError(t, err)
		got, err := s.Recent(ctx, "#help", 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{3}, ids(got))
		got, err = s.Search(ctx, "#help", "watches", 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{3}, ids(got))
	})
}

// TestAMessageRemovedAsItIsSavedIsGone: a removal saved in the same batch
// as the message (a node catching up on both at once) removes it too.
func TestAMessageRemovedAsItIsSavedIsGone(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	require.NoError(t, s.Append(ctx, []*hub.Event{
		{ID: 1, Kind: hub.KindAction, Time: base, Room: "#help", Name: "spammer", Text: "sells watches"},
		modAt(2, "#Help", "", hub.Moderation{Action: hub.ActionRemove, Message: 1}),
	}))
	got, err := s.Recent(ctx, "#help", 10)
	require.NoError(t, err)
	assert.Equal(t, []*hub.Event{{ID: 1, Kind: hub.KindAction, Time: base, Room: "#help", Name: "spammer", Removed: true}}, got)
	got, err = s.Search(ctx, "#help", "watches", 10)
	require.NoError(t, err)
	assert.Empty(t, got)
}

// TestAModerationEntrySaysWhatWasDone: an entry of moderation without its
// action is refused rather than saved as something nobody can apply.
func TestAModerationEntrySaysWhatWasDone(t *testing.T) {
	s, _ := openFile(t)
	err := s.Append(t.Context(), []*hub.Event{{ID: 1, Kind: hub.KindModeration, Time: base, Name: "op"}})
	assert.ErrorContains(t, err, "no action")
	mod, err := s.Moderation(t.Context(), 0)
	require.NoError(t, err)
	assert.Empty(t, mod)
}

// TestTheKindsKeepTheirNumbers: the schema names kinds by number (its
// partial indexes, pruning, the search index's trigger), so the hub's
// numbering is part of the file format.
func TestTheKindsKeepTheirNumbers(t *testing.T) {
	assert.Equal(t, hub.Kind(3), hub.KindMessage)
	assert.Equal(t, hub.Kind(5), hub.KindAction)
	assert.Equal(t, hub.Kind(12), hub.KindModeration)
}
