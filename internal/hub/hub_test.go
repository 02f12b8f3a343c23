package hub_test

import (
	"context"
	"fmt"
	"math"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/hub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noFlood turns flood control off for tests that send thousands of messages.
var noFlood = hub.Flood{Rate: math.Inf(1)}

// startHub runs a hub until the test ends and waits for it to stop.
func startHub(t testing.TB, opts hub.Options) *hub.Hub {
	t.Helper()
	h := hub.New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return h
}

func join(t testing.TB, h *hub.Hub, name string) *hub.Conn {
	t.Helper()
	m, err := h.Join(t.Context(), name, hub.JoinOptions{Transport: hub.TransportTelnet})
	require.NoError(t, err)
	return m
}

// next returns m's next event, failing the test if none comes within 5 s.
func next(t *testing.T, m *hub.Conn) *hub.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	ev, ok := m.Next(ctx)
	if !ok {
		require.NoError(t, ctx.Err(), "%s: no event within 5s", m.Name())
		t.Fatalf("%s: removed (reason %v)", m.Name(), m.Reason())
	}
	return ev
}

// closed waits until m's queue is closed, skipping events, and returns why.
func closed(t *testing.T, m *hub.Conn) hub.Reason {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for {
		if _, ok := m.Next(ctx); !ok {
			require.NoError(t, ctx.Err(), "%s: not removed within 5s", m.Name())
			return m.Reason()
		}
	}
}

func TestJoin(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		t.Run("others are told, the newcomer is not", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice := join(t, h, "alice")
			bob := join(t, h, "bob")
			ev := next(t, alice)
			assert.Equal(t, hub.KindJoined, ev.Kind)
			assert.Equal(t, "bob", ev.Name)
			assert.Equal(t, hub.TransportTelnet, ev.Transport)
			assert.Zero(t, bob.Queued())
		})
		t.Run("taken name is refused, whatever its case", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			join(t, h, "alice")
			for _, name := range []string{"alice", "Alice", " ALICE "} {
				_, err := h.Join(t.Context(), name, hub.JoinOptions{})
				assert.ErrorIs(t, err, hub.ErrNameTaken, name)
				assert.ErrorIs(t, h.Check(t.Context(), name), hub.ErrNameTaken, name)
			}
		})
		t.Run("invalid name is refused with a reason", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			for _, name := range []string{"", "   ", "a b", "<bob>", "bob\x1b[2J", strings.Repeat("x", 33), "\xff"} {
				_, err := h.Join(t.Context(), name, hub.JoinOptions{})
				var nameErr *hub.NameError
				require.ErrorAs(t, err, &nameErr, "%q", name)
				assert.NotEmpty(t, nameErr.Reason)
			}
		})
		t.Run("names in any script are welcome and keep their form", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			for _, name := range []string{"Seán", "Ελένη", "李雷", "a.b-c_d", "x", strings.Repeat("ж", 32)} {
				m := join(t, h, "  "+name+" ")
				assert.Equal(t, name, m.Name())
			}
		})
		t.Run("roster lists everyone in joining order", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			a := join(t, h, "a")
			join(t, h, "b")
			join(t, h, "c")
			a.Leave()
			closed(t, a)
			d, err := h.Join(t.Context(), "d", hub.JoinOptions{Transport: hub.TransportWeb, WithRoster: true})
			require.NoError(t, err)
			roster := d.Roster()
			var names []string
			for _, p := range roster.People {
				names = append(names, p.Name)
			}
			assert.Equal(t, []string{"b", "c", "d"}, names)
			assert.Equal(t, 3, roster.Count)
			assert.Equal(t, hub.TransportWeb, roster.People[2].Transport)
			r, err := h.Roster(t.Context(), "")
			require.NoError(t, err)
			assert.Equal(t, roster, r)
			assert.Empty(t, d.Roster().People, "given once, then forgotten")
		})
		t.Run("a joiner's roster may list only the first to have joined, and itself", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			for i := range 10 {
				m := join(t, h, fmt.Sprint("p", i))
				if i == 1 {
					m.Leave()
					closed(t, m)
				}
			}
			me, err := h.Join(t.Context(), "me", hub.JoinOptions{Transport: hub.TransportWeb, WithRoster: true, RosterHead: 3})
			require.NoError(t, err)
			r := me.Roster()
			assert.Equal(t, []string{"p0", "p2", "p3", "me"}, rosterNames(r))
			assert.Equal(t, 10, r.Count, "nine of p0…p9, and me")
			all, err := h.Roster(t.Context(), "")
			require.NoError(t, err)
			assert.Equal(t, r.AsOf, all.AsOf, "nothing happened in between")
			assert.Len(t, all.People, 10)
		})
	})
}

func TestSay(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		t.Run("everyone gets the message, the sender with its ref", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice, bob := join(t, h, "alice"), join(t, h, "bob")
			next(t, alice) // bob joined
			require.NoError(t, alice.Say(t.Context(), "hello everyone", "r1"))
			for _, m := range []*hub.Conn{alice, bob} {
				ev := next(t, m)
				assert.Equal(t, hub.KindMessage, ev.Kind)
				assert.Equal(t, "alice", ev.Name)
				assert.Equal(t, "hello everyone", ev.Text)
				assert.Equal(t, m == alice, ev.From(m))
				assert.Equal(t, map[bool]string{true: "r1", false: ""}[m == alice], ev.Ref(m))
			}
		})
		t.Run("empty and blank text is not sent", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice := join(t, h, "alice")
			for _, text := range []string{"", " ", "\t", "\x1b[31m", "\x00"} {
				assert.ErrorIs(t, alice.Say(t.Context(), text, ""), hub.ErrEmptyText, "%q", text)
			}
		})
		t.Run("control characters and escape sequences are removed", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice := join(t, h, "alice")
			tests := map[string]string{
				"a\rbob has left the channel.": "abob has left the channel.",
				"\x1b[2J\x1b[Hcleared":         "cleared",
				"\x1b]0;title\x07hi":           "hi",
				"tab\tkept":                    "tab\tkept",
				"bad \xff utf8":                "bad \uFFFD utf8",
				"nul\x00dropped\u009b31m!":     "nuldropped!",
			}
			for in, want := range tests {
				require.NoError(t, alice.Say(t.Context(), in, ""))
				assert.Equal(t, want, next(t, alice).Text, "%q", in)
			}
		})
		t.Run("invisible characters that reorder or hide text are removed", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice := join(t, h, "alice")
			tests := map[string]string{
				"photo_\u202egnp.exe":          "photo_gnp.exe", // would show as photo_exe.png
				"a\u2067b\u2069c\u202ad\u202c": "abcd",
				"zero\u200bwidth\u2060joiner":  "zerowidthjoiner",
				"\ufeffbom":                    "bom",
				"one\u2028two\u2029three":      "one\ntwo\nthree",
				"family 👨\u200d👩\u200d👧":       "family 👨\u200d👩\u200d👧", // joiners stay
				"שלום\u200f!":                  "שלום\u200f!",            // an implicit mark stays
			}
			for in, want := range tests {
				require.NoError(t, alice.Say(t.Context(), in, ""))
				assert.Equal(t, want, next(t, alice).Text, "%q", in)
			}
		})
		t.Run("events arrive in order with increasing IDs and times", func(t *testing.T) {
			now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
			var mu sync.Mutex
			clock := func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				now = now.Add(time.Millisecond)
				return now
			}
			h := k.startHub(t, hub.Options{Now: clock, Flood: noFlood})
			alice, bob, carol := join(t, h, "alice"), join(t, h, "bob"), join(t, h, "carol")
			next(t, bob) // carol joined
			const n = 500
			go func() {
				for i := range n {
					_ = alice.Say(context.Background(), fmt.Sprint(i), "")
				}
			}()
			for _, m := range []*hub.Conn{bob, carol} {
				var last *hub.Event
				for i := range n {
					ev := next(t, m)
					require.Equal(t, fmt.Sprint(i), ev.Text)
					if last != nil {
						require.Greater(t, ev.ID, last.ID)
						require.True(t, ev.Time.After(last.Time))
					}
					last = ev
				}
			}
		})
	})
}

func TestLeave(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{})
		alice, bob := join(t, h, "alice"), join(t, h, "bob")
		next(t, alice) // bob joined
		bob.Leave()
		assert.Equal(t, hub.ReasonQuit, closed(t, bob))
		ev := next(t, alice)
		assert.Equal(t, hub.KindLeft, ev.Kind)
		assert.Equal(t, "bob", ev.Name)
		assert.Equal(t, hub.ReasonQuit, ev.Reason)

		bob.Leave() // a second Leave does nothing
		assert.NoError(t, bob.Say(t.Context(), "ghost", ""), "Say after leaving is accepted and dropped")
		again := join(t, h, "bob") // the name is free at once
		assert.Equal(t, "bob", next(t, alice).Name)
		require.NoError(t, alice.Say(t.Context(), "hi", ""))
		assert.Equal(t, "hi", next(t, again).Text)
		assert.Equal(t, "hi", next(t, alice).Text, "the ghost's line never arrived")
	})
}

func TestSlowMember(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		const messages = 10_000
		h := k.startHub(t, hub.Options{Flood: noFlood}) // the default queue, 1024: far fewer than 10,000
		sleeper := join(t, h, "sleeper")                // never reads
		sender := join(t, h, "sender")
		readers := make([]*hub.Conn, 5)
		for i := range readers {
			readers[i] = join(t, h, fmt.Sprintf("reader%d", i))
		}

		// Each reader reports every message it gets; the sender sends the next
		// only when all have the last. That keeps the readers' queues short
		// however the scheduler treats them, so the only member that can fall
		// behind is the one that never reads.
		var wg sync.WaitGroup
		got := make(chan string, len(readers))
		for _, r := range readers {
			wg.Go(func() {
				for ev := range r.All(context.Background()) {
					if ev.Kind == hub.KindMessage {
						got <- ev.Text
					}
				}
			})
		}
		for i := range messages {
			require.NoError(t, sender.Say(t.Context(), fmt.Sprint(i), ""))
			for ev := next(t, sender); !ev.From(sender); ev = next(t, sender) {
			}
			for range readers {
				select {
				case text := <-got:
					require.Equal(t, fmt.Sprint(i), text)
				case <-time.After(5 * time.Second):
					t.Fatalf("message %d: a reader is missing it", i)
				}
			}
		}
		assert.Equal(t, hub.ReasonTooSlow, closed(t, sleeper))
		assert.NoError(t, h.Check(t.Context(), "sleeper"), "the slow member's name is free again")
		for _, r := range readers {
			r.Leave()
		}
		sender.Leave()
		wg.Wait()
		for _, r := range readers {
			assert.Equal(t, hub.ReasonQuit, r.Reason(), "%s was cut off", r.Name())
		}
	})
}

func TestShutdown(t *testing.T) {
	h := hub.New(hub.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	alice := join(t, h, "alice")
	cancel()
	require.NoError(t, <-done)
	assert.Equal(t, hub.ReasonShutdown, closed(t, alice))
	_, err := h.Join(t.Context(), "bob", hub.JoinOptions{})
	assert.ErrorIs(t, err, hub.ErrClosed)
	assert.ErrorIs(t, alice.Say(t.Context(), "hi", ""), hub.ErrClosed)
	alice.Leave() // returns although nobody will handle it
}

// TestImportsNoTransport keeps the domain free of transports (STYLE.md §1).
func TestImportsNoTransport(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, string(out))
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"websocket", "chi", "templ", "internal/web", "internal/telnet", "net/http"} {
			assert.NotContains(t, dep, banned)
		}
	}
}
