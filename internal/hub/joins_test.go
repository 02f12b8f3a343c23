package hub_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/anseo/anseo/internal/hub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nextQueued returns m's next event as it was queued (a KindJoins whole),
// failing the test if none comes within 5 s.
func nextQueued(t *testing.T, m *hub.Conn) *hub.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	ev, ok := m.NextQueued(ctx)
	require.True(t, ok, "%s: no event within 5s", m.Name())
	return ev
}

// namesOf returns the names of joins.
func namesOf(joins []*hub.Event) []string {
	var names []string
	for _, j := range joins {
		names = append(names, j.Name)
	}
	return names
}

// TestAStormOfJoinsReachesEachMemberAsOneEvent runs in a synctest bubble:
// the joins come at one instant, as in a storm, and the tenth of a second
// they wait is measured exactly.
func TestAStormOfJoinsReachesEachMemberAsOneEvent(t *testing.T) {
	eachLocalLog(t, func(t *testing.T, k logKind) {
		t.Run("each hears of those after it, once, a tenth of a second late", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := k.startHub(t, hub.Options{})
				alice := join(t, h, "alice")
				start := time.Now()
				var storm []*hub.Conn
				var names []string
				for i := range 50 {
					names = append(names, fmt.Sprint("bob", i))
					storm = append(storm, join(t, h, names[i]))
				}

				ev := nextQueued(t, alice)
				assert.Equal(t, 100*time.Millisecond, time.Since(start), "the joins waited a tenth of a second")
				require.Equal(t, hub.KindJoins, ev.Kind)
				assert.Equal(t, names, namesOf(ev.Joins))
				assert.Equal(t, ev.Joins[49].ID, ev.ID, "a client resuming after it has every join")
				assert.Equal(t, "#lobby", ev.Room)

				first := nextQueued(t, storm[0]) // not its own, nor those its welcome listed
				require.Equal(t, hub.KindJoins, first.Kind)
				assert.Equal(t, names[1:], namesOf(first.Joins))
				last := nextQueued(t, storm[48]) // one join alone is the join itself
				assert.Equal(t, hub.KindJoined, last.Kind)
				assert.Equal(t, "bob49", last.Name)
				synctest.Wait()
				assert.Zero(t, storm[49].Queued(), "the last hears of nobody's joining")
			})
		})

		t.Run("a member of several rooms hears of every join in each", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := k.startHub(t, hub.Options{})
				alice := join(t, h, "alice")
				require.NoError(t, alice.Say(t.Context(), "/join #a", ""))
				require.NoError(t, alice.Say(t.Context(), "/join #b", ""))
				bob, carol, dave := join(t, h, "bob"), join(t, h, "carol"), join(t, h, "dave")
				for _, name := range []string{"bob", "carol", "dave"} {
					assert.Equal(t, name, upTo(t, alice, hub.KindJoined).Name)
				}
				// The joins into #a come before and after the one into #b.
				require.NoError(t, carol.Say(t.Context(), "/join #a", ""))
				require.NoError(t, bob.Say(t.Context(), "/join #b", ""))
				require.NoError(t, dave.Say(t.Context(), "/join #a", ""))

				heard := map[string][]string{}
				for len(heard["#a"])+len(heard["#b"]) < 3 {
					ev := next(t, alice)
					require.Equal(t, hub.KindJoined, ev.Kind, "%+v", ev)
					heard[ev.Room] = append(heard[ev.Room], ev.Name)
				}
				assert.Equal(t, map[string][]string{"#a": {"carol", "dave"}, "#b": {"bob"}}, heard)
			})
		})

		t.Run("nothing overtakes a join", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := k.startHub(t, hub.Options{})
				alice := join(t, h, "alice")
				start := time.Now()
				bob := join(t, h, "bob")
				carol := join(t, h, "carol")
				require.NoError(t, carol.Say(t.Context(), "hello", ""))

				ev := nextQueued(t, alice)
				assert.Zero(t, time.Since(start), "a message does not wait, nor the joins before it")
				require.Equal(t, hub.KindJoins, ev.Kind)
				assert.Equal(t, []string{"bob", "carol"}, namesOf(ev.Joins))
				assert.Equal(t, "hello", nextQueued(t, alice).Text)
				assert.Equal(t, "carol", nextQueued(t, bob).Name)
				assert.Equal(t, "hello", nextQueued(t, bob).Text)

				quit(t, h, carol) // a departure does not overtake a join either
				dave := join(t, h, "dave")
				quit(t, h, dave)
				assert.Equal(t, hub.KindLeft, nextQueued(t, alice).Kind)
				joined := nextQueued(t, alice)
				assert.Equal(t, hub.KindJoined, joined.Kind)
				assert.Equal(t, "dave", joined.Name)
				left := nextQueued(t, alice)
				assert.Equal(t, hub.KindLeft, left.Kind)
				assert.Equal(t, "dave", left.Name)
			})
		})
	})
}
