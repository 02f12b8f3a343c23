package hub_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/anseo/anseo/internal/hub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// webJoin joins as the web transport does: the member stays through a
// dropped connection for the grace period.
func webJoin(t testing.TB, h *hub.Hub, name string, opts hub.JoinOptions) *hub.Conn {
	t.Helper()
	opts.Transport, opts.KeepOnDrop = hub.TransportWeb, true
	m, err := h.Join(t.Context(), name, opts)
	require.NoError(t, err)
	return m
}

func TestResumeWithinGrace(t *testing.T) {
	eachLocalLog(t, func(t *testing.T, k logKind) {
		synctest.Test(t, func(t *testing.T) {
			h := k.startHub(t, hub.Options{Grace: 30 * time.Second})
			bob := join(t, h, "bob")
			alice := webJoin(t, h, "alice", hub.JoinOptions{})
			next(t, bob) // alice joined
			require.NoError(t, alice.Say(t.Context(), "before", "r1"))
			seen := next(t, alice).ID // what alice's page saw last
			next(t, bob)

			alice.Leave() // the page reloads
			assert.Equal(t, hub.ReasonQuit, closed(t, alice))
			require.NoError(t, bob.Say(t.Context(), "while you reloaded", ""))
			next(t, bob)
			time.Sleep(10 * time.Second) // well within the grace period (fake time)

			again := webJoin(t, h, "", hub.JoinOptions{Token: alice.Token(), After: seen})
			assert.Equal(t, "alice", again.Name())
			begin := next(t, again)
			assert.Equal(t, hub.KindReplayBegin, begin.Kind)
			assert.Equal(t, hub.ReplayMissed, begin.Replay)
			missed := next(t, again)
			assert.Equal(t, "while you reloaded", missed.Text, "exactly what it missed: nothing before, no gap")
			assert.Equal(t, hub.KindReplayEnd, next(t, again).Kind)

			// Nobody saw alice leave or come back.
			require.NoError(t, again.Say(t.Context(), "back", ""))
			ev := next(t, bob)
			assert.Equal(t, hub.KindMessage, ev.Kind, "bob saw %v before alice's message", ev.Kind)
			assert.Equal(t, "back", ev.Text)
			time.Sleep(time.Minute) // past the first grace period: the resume cancelled it
			synctest.Wait()
			assert.Zero(t, bob.Queued())
		})
	})
}

func TestGraceRunsOut(t *testing.T) {
	eachLocalLog(t, func(t *testing.T, k logKind) {
		synctest.Test(t, func(t *testing.T) {
			h := k.startHub(t, hub.Options{Grace: 30 * time.Second})
			bob := join(t, h, "bob")
			alice := webJoin(t, h, "alice", hub.JoinOptions{})
			next(t, bob)
			alice.Leave()
			closed(t, alice)
			assert.ErrorIs(t, h.Check(t.Context(), "alice"), hub.ErrNameTaken, "held during the grace period")

			time.Sleep(31 * time.Second)
			ev := next(t, bob)
			assert.Equal(t, hub.KindLeft, ev.Kind)
			assert.Equal(t, "alice", ev.Name)
			assert.NoError(t, h.Check(t.Context(), "alice"))
			_, err := h.Join(t.Context(), "", hub.JoinOptions{Token: alice.Token()})
			assert.ErrorIs(t, err, hub.ErrNoSession)
		})
	})
}

// TestTabsAreOnePresence: two connections of one person are one name; it
// leaves when the last one goes, and each sees its own messages as its own.
func TestTabsAreOnePresence(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{Grace: -1})
		bob := join(t, h, "bob")
		tab1 := webJoin(t, h, "alice", hub.JoinOptions{WithRoster: true})
		next(t, bob)
		tab2 := webJoin(t, h, "", hub.JoinOptions{Token: tab1.Token(), WithRoster: true})
		assert.Len(t, tab2.Roster().People, 2, "one alice in the list")

		require.NoError(t, tab1.Say(t.Context(), "from tab 1", "r1"))
		for _, m := range []*hub.Conn{tab1, tab2} {
			ev := next(t, m)
			assert.True(t, ev.From(m), "own message in both tabs")
			assert.Equal(t, map[bool]string{true: "r1", false: ""}[m == tab1], ev.Ref(m), "the ref only where it was sent")
		}
		assert.Equal(t, "from tab 1", next(t, bob).Text, "bob saw no second join")

		tab1.Leave()
		closed(t, tab1)
		require.NoError(t, tab2.Say(t.Context(), "still here", ""))
		assert.Equal(t, "still here", next(t, bob).Text, "no departure while a tab is open")
		tab2.Leave()
		ev := next(t, bob)
		assert.Equal(t, hub.KindLeft, ev.Kind)
	})
}

func TestPrivateMessagesAreReplayedOnlyToTheirPair(t *testing.T) {
	eachLocalLog(t, func(t *testing.T, k logKind) {
		synctest.Test(t, func(t *testing.T) {
			h := k.startHub(t, hub.Options{Grace: time.Minute})
			alice := webJoin(t, h, "alice", hub.JoinOptions{})
			bob := webJoin(t, h, "bob", hub.JoinOptions{})
			carol := webJoin(t, h, "carol", hub.JoinOptions{})
			for _, m := range []*hub.Conn{bob, carol} {
				m.Leave()
				closed(t, m)
			}
			require.NoError(t, alice.Say(t.Context(), "/msg bob secret", ""))
			require.NoError(t, alice.Say(t.Context(), "hello all", ""))
			synctest.Wait()

			replayed := func(m *hub.Conn) []string {
				var texts []string
				for ev := next(t, m); ev.Kind != hub.KindReplayEnd; ev = next(t, m) {
					if ev.Kind == hub.KindPrivate || ev.Kind == hub.KindMessage {
						texts = append(texts, ev.Text)
					}
				}
				return texts
			}
			bob2 := webJoin(t, h, "", hub.JoinOptions{Token: bob.Token()})
			assert.Equal(t, []string{"secret", "hello all"}, replayed(bob2))
			carol2 := webJoin(t, h, "", hub.JoinOptions{Token: carol.Token()})
			assert.Equal(t, []string{"hello all"}, replayed(carol2))
		})
	})
}

// TestResumeAfterTooMuch: a connection that missed more than the hub still
// holds is told so, in a notice before the newest events it missed.
func TestResumeAfterTooMuch(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{ReplayLen: 4, Flood: noFlood})
		bob := join(t, h, "bob")
		alice := webJoin(t, h, "alice", hub.JoinOptions{})
		next(t, bob) // alice joined
		require.NoError(t, alice.Say(t.Context(), "before", ""))
		seen := next(t, alice).ID
		alice.Leave()
		closed(t, alice)
		for _, text := range []string{"0", "1", "2", "3", "4", "5"} {
			require.NoError(t, bob.Say(t.Context(), text, ""))
		}
		for next(t, bob).Text != "5" { // in the room once bob has his own copy
		}

		again := webJoin(t, h, "", hub.JoinOptions{Token: alice.Token(), After: seen})
		assert.Equal(t, hub.KindReplayBegin, next(t, again).Kind)
		gap := next(t, again)
		assert.Equal(t, hub.KindNotice, gap.Kind)
		assert.Equal(t, &hub.Notice{Kind: hub.NoticeReplayGap}, gap.Notice)
		assert.Zero(t, gap.ID, "for this connection alone")
		var replayed []string
		for ev := next(t, again); ev.Kind != hub.KindReplayEnd; ev = next(t, again) {
			replayed = append(replayed, ev.Text)
		}
		assert.Equal(t, []string{"2", "3", "4", "5"}, replayed, "the newest the hub holds")
	})
}

// TestLeavingShortensTheGrace: a page that says it is going (its tab is
// closing, or reloading) before its socket closes leaves after the short
// grace, not the long one that covers a network's blips; a reload within
// it still resumes unnoticed.
func TestLeavingShortensTheGrace(t *testing.T) {
	eachLocalLog(t, func(t *testing.T, k logKind) {
		t.Run("a closed tab leaves after the short grace", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := k.startHub(t, hub.Options{Grace: 30 * time.Second, LeaveGrace: 3 * time.Second})
				bob := join(t, h, "bob")
				alice := webJoin(t, h, "alice", hub.JoinOptions{})
				next(t, bob)
				start := time.Now()
				alice.Leaving()
				alice.Leave()
				ev := next(t, bob)
				assert.Equal(t, hub.KindLeft, ev.Kind)
				assert.Equal(t, 3*time.Second, ev.Time.Sub(start), "the room saw her leave then")
			})
		})
		t.Run("a reload within it resumes unnoticed", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := k.startHub(t, hub.Options{Grace: 30 * time.Second, LeaveGrace: 3 * time.Second})
				bob := join(t, h, "bob")
				alice := webJoin(t, h, "alice", hub.JoinOptions{})
				next(t, bob)
				alice.Leaving()
				alice.Leave()
				closed(t, alice)
				time.Sleep(2 * time.Second)
				again := webJoin(t, h, "", hub.JoinOptions{Token: alice.Token()})
				require.NoError(t, again.Say(t.Context(), "back", ""))
				ev := next(t, bob)
				assert.Equal(t, "back", ev.Text, "bob saw %v before alice's message", ev.Kind)
				time.Sleep(time.Minute)
				synctest.Wait()
				assert.Zero(t, bob.Queued(), "no departure, however long one waits")
			})
		})
		t.Run("a drop without a word waits the whole grace", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := k.startHub(t, hub.Options{Grace: 30 * time.Second, LeaveGrace: 3 * time.Second})
				bob := join(t, h, "bob")
				alice := webJoin(t, h, "alice", hub.JoinOptions{})
				next(t, bob)
				alice.Leaving()
				require.NoError(t, alice.Say(t.Context(), "still here after all", ""))
				next(t, bob)
				start := time.Now()
				alice.Leave() // the network drops: its word about leaving was taken back
				time.Sleep(29 * time.Second)
				synctest.Wait()
				assert.Zero(t, bob.Queued(), "still in the room after the short grace")
				ev := next(t, bob)
				assert.Equal(t, hub.KindLeft, ev.Kind)
				assert.Equal(t, 30*time.Second, ev.Time.Sub(start), "the room saw her leave then")
			})
		})
	})
}

// TestSession: a login (JoinOptions.Session) is one person whatever its
// name: its name is found by its session, a join with it is another
// connection of that person, its entries carry it, and Quit takes it out.
func TestSession(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{})
		bob := join(t, h, "bob")
		alice := webJoin(t, h, "alice", hub.JoinOptions{Session: "s1"})
		next(t, bob) // alice joined
		name, live, err := h.SessionName(t.Context(), "s1")
		require.NoError(t, err)
		assert.Equal(t, "alice", name)
		assert.True(t, live)

		require.NoError(t, alice.Say(t.Context(), "/nick alicia", ""))
		renamed := next(t, bob)
		assert.Equal(t, hub.KindRenamed, renamed.Kind)
		assert.Equal(t, "s1", renamed.Session, "the rename carries the session")
		name, _, err = h.SessionName(t.Context(), "s1")
		require.NoError(t, err)
		assert.Equal(t, "alicia", name)

		// Another tab whose page had no token: the same person.
		tab := webJoin(t, h, "alicia", hub.JoinOptions{Session: "s1"})
		assert.Equal(t, "alicia", tab.Name())
		require.NoError(t, tab.Say(t.Context(), "from the other tab", ""))
		said := next(t, bob)
		assert.Equal(t, "from the other tab", said.Text, "bob saw no second alicia join")
		assert.Equal(t, "s1", said.Session)
		assert.False(t, said.From(bob))

		name, live, err = h.SessionName(t.Context(), "nobody")
		require.NoError(t, err)
		assert.Empty(t, name)
		assert.False(t, live)

		require.NoError(t, h.Quit(t.Context(), "s1"))
		left := next(t, bob)
		assert.Equal(t, hub.KindLeft, left.Kind)
		assert.Equal(t, "alicia", left.Name)
		assert.Equal(t, hub.ReasonQuit, closed(t, alice))
		assert.Equal(t, hub.ReasonQuit, closed(t, tab))
		_, live, err = h.SessionName(t.Context(), "s1")
		require.NoError(t, err)
		assert.False(t, live)
	})
}
