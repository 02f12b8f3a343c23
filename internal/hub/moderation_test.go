package hub_test

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/syncbuf"
)

var bobsAddress = netip.MustParseAddr("192.0.2.77")

// upTo returns m's events up to the first of kind, which it returns.
func upTo(t *testing.T, m *hub.Conn, kind hub.Kind) *hub.Event {
	t.Helper()
	for {
		if ev := next(t, m); ev.Kind == kind {
			return ev
		}
	}
}

// noticeFor returns m's next notice, skipping other events.
func noticeFor(t *testing.T, m *hub.Conn) *hub.Notice {
	t.Helper()
	return upTo(t, m, hub.KindNotice).Notice
}

// asOperator joins name as a server operator: registered, listed in
// Options.Operators, logged in with its password.
func asOperator(t *testing.T, h *hub.Hub, name string) *hub.Conn {
	t.Helper()
	m := join(t, h, name)
	require.NoError(t, m.Register(t.Context(), "operator password"))
	quit(t, h, m)
	m, err := h.Join(t.Context(), name, hub.JoinOptions{Transport: hub.TransportWeb, Password: "operator password", Address: elsewhere})
	require.NoError(t, err)
	require.True(t, m.Operator())
	return m
}

func TestOperatorsModerate(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		room := func(t *testing.T) (h *hub.Hub, op, bob, carol *hub.Conn) {
			h = k.startHub(t, k.withAccounts(t, hub.Options{Operators: []string{"op"}}))
			op = asOperator(t, h, "op")
			bob, err := joinFrom(h, t, "bob", "", bobsAddress)
			require.NoError(t, err)
			carol = join(t, h, "carol")
			upTo(t, op, hub.KindJoined)
			upTo(t, op, hub.KindJoined)
			upTo(t, bob, hub.KindJoined)
			return h, op, bob, carol
		}

		t.Run("a kick puts someone out, and its token no longer resumes", func(t *testing.T) {
			h, op, bob, carol := room(t)
			token := bob.Token()
			require.NoError(t, op.Say(t.Context(), "/kick bob spamming", ""))
			for _, m := range []*hub.Conn{op, bob, carol} {
				ev := upTo(t, m, hub.KindModeration)
				assert.Equal(t, "op", ev.Name)
				assert.Equal(t, hub.Moderation{Action: hub.ActionKick, Target: "bob"}, *ev.Moderation)
				assert.Equal(t, "spamming", ev.Text)
			}
			assert.Equal(t, hub.ReasonKicked, closed(t, bob))
			left := upTo(t, carol, hub.KindLeft)
			assert.Equal(t, hub.ReasonKicked, left.Reason)
			require.Eventually(t, func() bool { return h.Check(t.Context(), "bob") == nil }, 5e9, 5e6, "his name is free")
			_, err := h.Join(t.Context(), "", hub.JoinOptions{Token: token})
			assert.ErrorIs(t, err, hub.ErrNoSession)
		})

		t.Run("a muted person's words reach nobody", func(t *testing.T) {
			_, op, bob, carol := room(t)
			require.NoError(t, op.Say(t.Context(), "/mute bob 10m", ""))
			upTo(t, bob, hub.KindModeration)
			upTo(t, carol, hub.KindModeration)
			require.NoError(t, bob.Say(t.Context(), "can anyone hear me", ""))
			require.NoError(t, bob.Say(t.Context(), "/me shouts", ""))
			for range 2 {
				n := noticeFor(t, bob)
				assert.Equal(t, hub.NoticeMuted, n.Kind)
				assert.False(t, n.Until.IsZero(), "told until when")
			}
			require.NoError(t, bob.Say(t.Context(), "/nick bobby", ""))
			assert.Equal(t, hub.NoticeMuted, noticeFor(t, bob).Kind, "a new name would shake the mute off")
			assert.Equal(t, "bob", bob.Name())

			require.NoError(t, op.Say(t.Context(), "/unmute carol", ""))
			n := noticeFor(t, op)
			assert.Equal(t, hub.NoticeNotMuted, n.Kind)
			assert.Equal(t, "carol", n.Name)
			require.NoError(t, op.Say(t.Context(), "/unmute bob", ""))
			upTo(t, bob, hub.KindModeration)
			require.NoError(t, bob.Say(t.Context(), "back", ""))
			ev := upTo(t, carol, hub.KindMessage)
			assert.Equal(t, "bob", ev.Name, "nothing of bob's came while he was muted")
			assert.Equal(t, "back", ev.Text)
		})

		t.Run("a ban keeps the name and its address out, until unbanned", func(t *testing.T) {
			h, op, bob, carol := room(t)
			require.NoError(t, op.Say(t.Context(), "/ban bob 1h flooding", ""))
			assert.Equal(t, hub.ReasonBanned, closed(t, bob))
			upTo(t, carol, hub.KindModeration)
			var banned *hub.BannedError
			_, err := joinFrom(h, t, "bob", "", elsewhere)
			require.ErrorAs(t, err, &banned, "the name, from anywhere")
			assert.Equal(t, "flooding", banned.Reason)
			assert.False(t, banned.Until.IsZero())
			require.Eventually(t, func() bool {
				_, err := joinFrom(h, t, "robert", "", bobsAddress)
				return errorAs[*hub.BannedError](err)
			}, 5e9, 5e6, "another name from the address")

			require.NoError(t, op.Say(t.Context(), "/bans", ""))
			n := noticeFor(t, op)
			require.Equal(t, hub.NoticeBans, n.Kind)
			require.Len(t, n.Bans, 2, "the name, and the address the node holding him added")
			assert.Equal(t, "192.0.2.77/32", n.Bans[1].Address)

			require.NoError(t, op.Say(t.Context(), "/unban bob", ""))
			upTo(t, op, hub.KindModeration)
			_, err = joinFrom(h, t, "bob", "", bobsAddress)
			assert.NoError(t, err, "unbanning the name lifts the ban on its address too")

			require.NoError(t, op.Say(t.Context(), "/ban 203.0.113.9", ""))
			upTo(t, op, hub.KindModeration)
			_, err = joinFrom(h, t, "eve", "", netip.MustParseAddr("203.0.113.9"))
			require.ErrorAs(t, err, &banned, "an address alone")
			require.NoError(t, op.Say(t.Context(), "/unban 203.0.113.9", ""))
			upTo(t, op, hub.KindModeration)
			_, err = joinFrom(h, t, "eve", "", netip.MustParseAddr("203.0.113.9"))
			assert.NoError(t, err)
		})

		t.Run("only operators moderate", func(t *testing.T) {
			_, _, bob, carol := room(t)
			for _, line := range []string{"/kick bob", "/mute bob", "/ban bob", "/bans", "/modlog", "/motd hello"} {
				require.NoError(t, carol.Say(t.Context(), line, ""))
				n := noticeFor(t, carol)
				assert.Equal(t, hub.NoticeNotOperator, n.Kind, line)
			}
			require.NoError(t, bob.Say(t.Context(), "still here", ""))
			assert.Equal(t, "still here", upTo(t, carol, hub.KindMessage).Text)
		})

		t.Run("a removed message is gone from what newcomers are shown", func(t *testing.T) {
			h, op, _, carol := room(t)
			require.NoError(t, carol.Say(t.Context(), "something regrettable", ""))
			said := upTo(t, op, hub.KindMessage)
			require.NoError(t, op.Say(t.Context(), "/remove "+strconv.FormatUint(said.ID, 10), ""))
			ev := upTo(t, carol, hub.KindModeration)
			assert.Equal(t, hub.Moderation{Action: hub.ActionRemove, Message: said.ID, Target: "carol"}, *ev.Moderation)
			dave := join(t, h, "dave")
			begin := next(t, dave)
			require.Equal(t, hub.KindReplayBegin, begin.Kind)
			removed := next(t, dave)
			assert.Equal(t, said.ID, removed.ID)
			assert.True(t, removed.Removed)
			assert.Empty(t, removed.Text)
		})

		t.Run("the message of the day follows the welcome", func(t *testing.T) {
			h, op, _, _ := room(t)
			require.NoError(t, op.Say(t.Context(), "/motd Be kind.", ""))
			upTo(t, op, hub.KindModeration)
			dave := join(t, h, "dave")
			n := noticeFor(t, dave)
			assert.Equal(t, hub.NoticeMotd, n.Kind)
			assert.Equal(t, "Be kind.", n.Text)
		})
	})
}

func errorAs[E error](err error) bool {
	var target E
	return errors.As(err, &target)
}

// A registered person who makes a room is its operator there, and
// nowhere else.
func TestARoomsMakerIsItsOperator(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, k.withAccounts(t, hub.Options{}))
		dave := join(t, h, "dave")
		require.NoError(t, dave.Register(t.Context(), "dave's password"))
		bob := join(t, h, "bob")
		upTo(t, dave, hub.KindJoined)
		require.NoError(t, dave.Say(t.Context(), "/join #den", ""))
		require.NoError(t, bob.Say(t.Context(), "/join #den", ""))
		// bob's joining and the server's appointing of dave come in
		// either order: whichever the log took first.
		var made *hub.Event
		for bobIn := false; !bobIn || made == nil; {
			switch ev := next(t, dave); ev.Kind {
			case hub.KindJoined:
				bobIn = bobIn || ev.Name == "bob" && ev.Room == "#den"
			case hub.KindModeration:
				made = ev
			}
		}
		assert.Equal(t, hub.Moderation{Action: hub.ActionOp, Target: "dave"}, *made.Moderation)
		assert.Empty(t, made.Name, "the server made him its operator")
		roster, err := h.Roster(t.Context(), "#den")
		require.NoError(t, err)
		require.Len(t, roster.People, 2)
		assert.True(t, roster.People[0].RoomOp, "dave is listed as its operator")
		assert.False(t, roster.People[1].RoomOp)
		lobby, err := h.Roster(t.Context(), "")
		require.NoError(t, err)
		assert.False(t, lobby.People[0].RoomOp, "not the lobby's")

		require.NoError(t, bob.SayIn(t.Context(), "#den", "/topic bob's den now", ""))
		n := noticeFor(t, bob)
		for n.Kind == hub.NoticeJoinedRoom {
			n = noticeFor(t, bob)
		}
		assert.Equal(t, hub.NoticeNotOperator, n.Kind, "a room with operators is theirs to name")
		require.NoError(t, dave.SayIn(t.Context(), "#den", "/topic dave's den", ""))
		assert.Equal(t, "dave's den", upTo(t, bob, hub.KindTopic).Text)
		require.NoError(t, bob.SayIn(t.Context(), hub.DefaultRoom, "/topic anyone's lobby", ""))
		topic := upTo(t, dave, hub.KindTopic)
		for topic.Room != hub.DefaultRoom {
			topic = upTo(t, dave, hub.KindTopic)
		}
		assert.Equal(t, "anyone's lobby", topic.Text, "a room without operators is anyone's to name")

		require.NoError(t, dave.SayIn(t.Context(), hub.DefaultRoom, "/kick bob", ""))
		assert.Equal(t, hub.NoticeNotOperator, noticeFor(t, dave).Kind, "not in the lobby")
		require.NoError(t, dave.SayIn(t.Context(), "#den", "/kick bob out", ""))
		left := upTo(t, bob, hub.KindLeft)
		assert.Equal(t, "#den", left.Room)
		assert.Equal(t, hub.ReasonKicked, left.Reason)
		require.NoError(t, bob.Say(t.Context(), "still on the server", ""))
		assert.Equal(t, "still on the server", upTo(t, dave, hub.KindMessage).Text)

		require.NoError(t, bob.Say(t.Context(), "/join #den", ""))
		require.NoError(t, dave.SayIn(t.Context(), "#den", "/part", ""))
		require.NoError(t, dave.Say(t.Context(), "/join #den", ""))
		back := upTo(t, bob, hub.KindJoined)
		for back.Name != "dave" {
			back = upTo(t, bob, hub.KindJoined)
		}
		assert.True(t, back.RoomOp, "he comes back as its operator")
		assert.True(t, back.Registered, "and registered")
	})
}

func TestBansSurviveARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anseo.db")
	start := func(t *testing.T) (*hub.Hub, context.CancelFunc, chan struct{}) {
		st, err := history.Open(t.Context(), path)
		require.NoError(t, err)
		h := hub.New(hub.Options{Store: st, Accounts: st, Operators: []string{"op"},
			PasswordCost: (logKind{}).withAccounts(t, hub.Options{}).PasswordCost})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = h.Run(ctx)
			_ = st.Close()
		}()
		return h, cancel, done
	}
	h, stop, done := start(t)
	op := asOperator(t, h, "op")
	require.NoError(t, op.Say(t.Context(), "/ban mallory trolling", ""))
	upTo(t, op, hub.KindModeration)
	stop()
	<-done

	h, stop, done = start(t)
	defer func() { stop(); <-done }()
	_, err := h.Join(t.Context(), "mallory", hub.JoinOptions{})
	var banned *hub.BannedError
	require.ErrorAs(t, err, &banned)
	assert.Equal(t, "trolling", banned.Reason)
}

// What operators do is in the structured log, one line per action, for
// whoever runs the server.
func TestEveryActionIsInTheStructuredLog(t *testing.T) {
	var out syncbuf.Buffer
	logger := slog.New(slog.NewTextHandler(&out, nil))
	k := logKinds[0]
	h := k.startHub(t, k.withAccounts(t, hub.Options{Operators: []string{"op"}, Logger: logger}))
	op := asOperator(t, h, "op")
	bob := join(t, h, "bob")
	require.NoError(t, op.Say(t.Context(), "/kick bob spamming", ""))
	closed(t, bob)
	require.NoError(t, op.Say(t.Context(), "/ban 203.0.113.0/24 7d a botnet", ""))
	upTo(t, op, hub.KindModeration)
	upTo(t, op, hub.KindModeration)
	assert.Contains(t, out.String(), `msg=moderation action=kick by=op target=bob reason=spamming`)
	assert.Contains(t, out.String(), `msg=moderation action=ban by=op address=203.0.113.0/24 reason="a botnet" until=`)
}
