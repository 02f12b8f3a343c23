package hub_test

import (
	"strings"
	"testing"

	"github.com/anseo/anseo/internal/hub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// joinWeb joins name as a browser does: in as many rooms as it likes.
func joinWeb(t testing.TB, h *hub.Hub, name string) *hub.Conn {
	t.Helper()
	m, err := h.Join(t.Context(), name, hub.JoinOptions{Transport: hub.TransportWeb})
	require.NoError(t, err)
	return m
}

// joinLine joins name as the line port does: in one room at a time.
func joinLine(t testing.TB, h *hub.Hub, name string) *hub.Conn {
	t.Helper()
	m, err := h.Join(t.Context(), name, hub.JoinOptions{Transport: hub.TransportTelnet, OneRoom: true})
	require.NoError(t, err)
	return m
}

// say has m say text in room ("" for its home), failing the test if the
// hub does not take it.
func say(t *testing.T, m *hub.Conn, room, text string) {
	t.Helper()
	require.NoError(t, m.SayIn(t.Context(), room, text, ""))
}

// nextOf returns m's next event of kind, skipping others.
func nextOf(t *testing.T, m *hub.Conn, kind hub.Kind) *hub.Event {
	t.Helper()
	for {
		if ev := next(t, m); ev.Kind == kind {
			return ev
		}
	}
}

// heard waits for the message text to reach m, skipping what comes first.
func heard(t *testing.T, m *hub.Conn, text string) *hub.Event {
	t.Helper()
	for {
		if ev := nextOf(t, m, hub.KindMessage); ev.Text == text {
			return ev
		}
	}
}

// noticeOf returns m's next notice, skipping other events.
func noticeOf(t *testing.T, m *hub.Conn) *hub.Notice {
	t.Helper()
	return nextOf(t, m, hub.KindNotice).Notice
}

// enter has m /join room and waits until it is in: its notice of the room.
func enter(t *testing.T, m *hub.Conn, room string) *hub.Notice {
	t.Helper()
	say(t, m, "", "/join "+room)
	n := noticeOf(t, m)
	require.Equal(t, hub.NoticeJoinedRoom, n.Kind, "%s /join %s", m.Name(), room)
	return n
}

func TestRooms(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		t.Run("everyone arrives in the default room", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice := joinWeb(t, h, "alice")
			joinLine(t, h, "bob")
			ev := next(t, alice)
			assert.Equal(t, hub.KindJoined, ev.Kind)
			assert.Equal(t, hub.DefaultRoom, ev.Room)
			assert.Equal(t, []string{hub.DefaultRoom}, alice.Rooms())
			assert.Nil(t, alice.Rooms(), "given once, then forgotten")
		})
		t.Run("what is said in a room reaches its members only", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice, bob, carol := joinWeb(t, h, "alice"), joinWeb(t, h, "bob"), joinWeb(t, h, "carol")
			enter(t, alice, "#help")
			enter(t, bob, "#Help") // one room, whatever the case typed
			say(t, alice, "#help", "anyone?")
			say(t, carol, "", "lunch?")

			ev := nextOf(t, bob, hub.KindMessage)
			assert.Equal(t, "anyone?", ev.Text)
			assert.Equal(t, "#help", ev.Room, "the room keeps the name it was made with")
			ev = nextOf(t, carol, hub.KindMessage)
			assert.Equal(t, "lunch?", ev.Text, "carol, not in #help, never hears what is said there")
			assert.Equal(t, hub.DefaultRoom, ev.Room)
		})
		t.Run("the joiner is told the room, its members that someone came", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice, bob := joinWeb(t, h, "alice"), joinWeb(t, h, "bob")
			enter(t, alice, "#help")
			say(t, alice, "#help", "/topic questions welcome")
			nextOf(t, alice, hub.KindTopic)
			n := enter(t, bob, "#help")
			assert.Equal(t, "#help", n.Room.Name)
			assert.Equal(t, "questions welcome", n.Room.Topic)
			assert.Equal(t, "alice", n.Room.TopicBy)
			require.NotNil(t, n.Roster)
			assert.Equal(t, 2, n.Roster.Count)
			assert.Equal(t, []string{"alice", "bob"}, names(n.Roster.People))
			ev := nextOf(t, alice, hub.KindJoined)
			assert.Equal(t, "bob", ev.Name)
			assert.Equal(t, "#help", ev.Room)
		})
		t.Run("a room's history is its own", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice := joinWeb(t, h, "alice")
			enter(t, alice, "#help")
			say(t, alice, "#help", "in help")
			say(t, alice, "", "in the lobby")
			nextOf(t, alice, hub.KindMessage)
			nextOf(t, alice, hub.KindMessage)

			bob := joinWeb(t, h, "bob")
			assert.Equal(t, []string{"in the lobby"}, replayed(t, bob), "a newcomer sees the default room's history")
			enter(t, bob, "#help")
			assert.Equal(t, []string{"in help"}, replayed(t, bob), "and each room's as it joins it")
		})
		t.Run("a one-room person moves, and speaks where it is", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice, dave := joinWeb(t, h, "alice"), joinLine(t, h, "dave")
			nextOf(t, alice, hub.KindJoined)
			enter(t, alice, "#help")
			enter(t, dave, "#help")
			ev := nextOf(t, alice, hub.KindLeft)
			assert.Equal(t, hub.DefaultRoom, ev.Room, "the lobby saw dave go")
			assert.Equal(t, hub.ReasonPart, ev.Reason)
			ev = nextOf(t, alice, hub.KindJoined)
			assert.Equal(t, "#help", ev.Room)
			say(t, dave, "", "hello help")
			ev = nextOf(t, alice, hub.KindMessage)
			assert.Equal(t, "#help", ev.Room)

			say(t, dave, "", "/part")
			n := enter2(t, dave)
			assert.Equal(t, hub.DefaultRoom, n.Room.Name, "a one-room person who parts goes back to the lobby")
			say(t, dave, "", "/part")
			assert.Equal(t, hub.NoticeCannotPartDefault, noticeOf(t, dave).Kind)
		})
		t.Run("a leaver hears of its own leaving, with its reason", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice, bob := joinWeb(t, h, "alice"), joinWeb(t, h, "bob")
			enter(t, alice, "#help")
			enter(t, bob, "#help")
			say(t, alice, "", "/part #help bye for now")
			for _, m := range []*hub.Conn{alice, bob} {
				ev := nextOf(t, m, hub.KindLeft)
				assert.Equal(t, "alice", ev.Name)
				assert.Equal(t, "#help", ev.Room)
				assert.Equal(t, "bye for now", ev.Text)
			}
			say(t, alice, "#help", "still here?")
			n := noticeOf(t, alice)
			assert.Equal(t, hub.NoticeNoSuchRoom, n.Kind, "one cannot speak in a room one left")
			assert.Equal(t, "#help", n.Name)
		})
		t.Run("a rename reaches each person who shares a room, once", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice, bob := joinWeb(t, h, "alice"), joinLine(t, h, "bob")
			enter(t, alice, "#help")
			carol := joinWeb(t, h, "carol")
			enter(t, carol, "#help")
			say(t, bob, "", "/join #other")
			enter2(t, bob)
			say(t, alice, "", "/nick alicia")
			ev := nextOf(t, carol, hub.KindRenamed)
			assert.Equal(t, "alicia", ev.NewName)
			say(t, carol, "#help", "welcome back")
			assert.Equal(t, hub.KindMessage, next(t, carol).Kind, "carol, in two rooms with alice, heard of it once")
			say(t, alice, "", "/who #other")
			n := noticeOf(t, alice)
			assert.Equal(t, []string{"bob"}, names(n.People))
			say(t, bob, "", "hi other")
			assert.Equal(t, "hi other", nextOf(t, bob, hub.KindMessage).Text)
			assert.Zero(t, bob.Queued(), "bob, in no room with alice, never heard of her rename")
		})
		t.Run("a departure from the server reaches those who shared a room", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice, bob, carol := joinWeb(t, h, "alice"), joinLine(t, h, "bob"), joinWeb(t, h, "carol")
			enter(t, alice, "#help")
			enter(t, bob, "#help")
			say(t, bob, "", "/quit")
			ev := nextOf(t, alice, hub.KindLeft)
			for ev.Room != "" {
				ev = nextOf(t, alice, hub.KindLeft)
			}
			assert.Equal(t, "bob", ev.Name)
			assert.Equal(t, hub.ReasonQuit, ev.Reason)
			say(t, alice, "", "bob left")
			for ev := next(t, carol); ev.Kind != hub.KindMessage; ev = next(t, carol) {
				assert.False(t, ev.Kind == hub.KindLeft && ev.Room == "", "carol shared no room with bob when he left")
			}
		})
		t.Run("rooms are listed busiest first, with their topics", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice, bob := joinWeb(t, h, "alice"), joinWeb(t, h, "bob")
			enter(t, alice, "#help")
			enter(t, bob, "#help")
			enter(t, alice, "#art")
			say(t, alice, "#art", "/topic drawings")
			nextOf(t, alice, hub.KindTopic)
			say(t, bob, "", "/rooms")
			n := noticeOf(t, bob)
			require.Equal(t, hub.NoticeRooms, n.Kind)
			var got []string
			for _, r := range n.Rooms {
				got = append(got, r.Name)
			}
			assert.Equal(t, []string{"#help", "#lobby", "#art"}, got, "two in #help and #lobby; then by name")
			assert.Equal(t, "drawings", n.Rooms[2].Topic)
			rooms, err := h.Rooms(t.Context())
			require.NoError(t, err)
			assert.Equal(t, n.Rooms, rooms)
		})
		t.Run("the topic is shown and set, within its limit", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice := joinWeb(t, h, "alice")
			say(t, alice, "", "/topic")
			n := noticeOf(t, alice)
			assert.Equal(t, hub.NoticeTopic, n.Kind)
			assert.Empty(t, n.Room.Topic)
			say(t, alice, "", "/topic "+strings.Repeat("x", hub.MaxTopicLen+1))
			n = noticeOf(t, alice)
			assert.Equal(t, hub.NoticeTopicTooLong, n.Kind)
			assert.Equal(t, hub.MaxTopicLen, n.Count)
			say(t, alice, "", "/topic welcome, all")
			ev := nextOf(t, alice, hub.KindTopic)
			assert.Equal(t, "welcome, all", ev.Text)
			assert.Equal(t, hub.DefaultRoom, ev.Room)
		})
		t.Run("limits: rooms on the server and per person", func(t *testing.T) {
			h := k.startHub(t, hub.Options{MaxRooms: 3, MaxRoomsPerPerson: 2})
			alice, bob := joinWeb(t, h, "alice"), joinWeb(t, h, "bob")
			enter(t, alice, "#one")
			say(t, alice, "", "/join #two")
			n := noticeOf(t, alice)
			assert.Equal(t, hub.NoticeTooManyRoomsForYou, n.Kind)
			assert.Equal(t, 2, n.Count)
			enter(t, bob, "#two")
			say(t, bob, "", "/part #two")
			nextOf(t, bob, hub.KindLeft)
			say(t, bob, "", "/join #three")
			n = noticeOf(t, bob)
			assert.Equal(t, hub.NoticeTooManyRooms, n.Kind, "#two is kept, empty: the server has three")
			assert.Equal(t, 3, n.Count)
			enter(t, bob, "#one") // an existing room is always open
		})
		t.Run("mistakes get a notice", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice := joinWeb(t, h, "alice")
			for _, tt := range []struct {
				text string
				kind hub.NoticeKind
			}{
				{"/join", hub.NoticeUsage},
				{"/join #lobby", hub.NoticeAlreadyInRoom},
				{"/join #<x>", hub.NoticeRoomNameInvalid},
				{"/part #nowhere", hub.NoticeNoSuchRoom},
				{"/who #nowhere", hub.NoticeNoSuchRoom},
			} {
				say(t, alice, "", tt.text)
				assert.Equal(t, tt.kind, noticeOf(t, alice).Kind, tt.text)
			}
			err := alice.SayIn(t.Context(), "#a b", "hi", "")
			var nameErr *hub.NameError
			assert.ErrorAs(t, err, &nameErr, "a room that cannot exist is refused at once")
		})
	})
}

// enter2 waits for m's notice that it is in a room, after a command that
// moves it.
func enter2(t *testing.T, m *hub.Conn) *hub.Notice {
	t.Helper()
	n := noticeOf(t, m)
	require.Equal(t, hub.NoticeJoinedRoom, n.Kind)
	return n
}

// replayed returns the texts m is shown in its next history replay.
func replayed(t *testing.T, m *hub.Conn) []string {
	t.Helper()
	nextOf(t, m, hub.KindReplayBegin)
	var texts []string
	for ev := next(t, m); ev.Kind != hub.KindReplayEnd; ev = next(t, m) {
		texts = append(texts, ev.Text)
	}
	return texts
}

func names(people []hub.Presence) []string {
	var out []string
	for _, p := range people {
		out = append(out, p.Name)
	}
	return out
}

// TestAReloadResumesEveryRoom: a page that comes back with its token is
// told each of its rooms again and given exactly what it missed in all
// of them, in one sequence of IDs.
func TestAReloadResumesEveryRoom(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{})
		alice := webJoin(t, h, "alice", hub.JoinOptions{})
		bob := joinWeb(t, h, "bob")
		enter(t, alice, "#help")
		enter(t, bob, "#help")
		say(t, alice, "#help", "before")
		seen := nextOf(t, alice, hub.KindMessage).ID

		alice.Leave() // the page reloads
		closed(t, alice)
		say(t, bob, "#help", "in help meanwhile")
		say(t, bob, "", "in the lobby meanwhile")
		heard(t, bob, "in the lobby meanwhile") // both are in the log

		again := webJoin(t, h, "", hub.JoinOptions{Token: alice.Token(), After: seen})
		assert.Equal(t, []string{hub.DefaultRoom, "#help"}, again.Rooms())
		n := noticeOf(t, again)
		require.Equal(t, hub.NoticeJoinedRoom, n.Kind)
		assert.Equal(t, "#help", n.Room.Name, "its other room, told again")
		assert.Equal(t, hub.KindReplayBegin, next(t, again).Kind)
		var missed []string
		for ev := next(t, again); ev.Kind != hub.KindReplayEnd; ev = next(t, again) {
			missed = append(missed, ev.Room+" "+ev.Text)
		}
		assert.Equal(t, []string{"#help in help meanwhile", "#lobby in the lobby meanwhile"}, missed)
	})
}
