package hub_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/hub/hubtest"
)

// TestAFloodSlowsItsSenderAndCutsOffNoReader: with flood control off, one
// member says as much as it can, faster than the room's writers can deliver
// it. Every reader that keeps reading gets every line and stays; the sender
// is slowed instead. A reader that stops reading altogether is still cut
// off, and does not hold up the rest.
func TestAFloodSlowsItsSenderAndCutsOffNoReader(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		const lines, readers = 3000, 20
		h := k.startHub(t, hub.Options{QueueLen: 64, Flood: hub.Flood{Rate: math.Inf(1)}})
		stalled := hubtest.Read(t, join(t, h, "stalled")) // never read
		flooder := hubtest.Read(t, join(t, h, "flooder"))
		var wg sync.WaitGroup
		got := make([]int, readers+1)
		reasons := make([]hub.Reason, readers+1)
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		defer cancel()
		read := func(i int, r *hubtest.Reader) {
			defer wg.Done()
			for ev := range r.All(ctx) {
				if ev.Kind == hub.KindMessage && ev.Name == "flooder" {
					if got[i]++; got[i] == lines {
						return
					}
				}
			}
			reasons[i] = r.Reason()
		}
		for i := range readers {
			wg.Add(1)
			go read(i, hubtest.Read(t, join(t, h, fmt.Sprint("reader", i))))
		}
		wg.Add(1)
		go read(readers, flooder)
		for i := range lines {
			require.NoError(t, flooder.Say(ctx, fmt.Sprint("flood ", i), ""))
		}
		wg.Wait()
		for i := range got {
			assert.Equal(t, lines, got[i], "reader %d got every line (removed: %v)", i, reasons[i])
		}
		_, open := stalled.Next(ctx) // its join… then, once read, the rest
		require.True(t, open)
		for range stalled.All(ctx) {
		}
		assert.Equal(t, hub.ReasonTooSlow, stalled.Reason(), "a reader that stopped reading is cut off")
	})
}

// TestOwnMessagesAreNotQueuedToWhoHidesThem: a connection whose client
// shows its own lines itself (the line port) is not queued them: nothing
// waits in a queue that will never be shown, and nothing is held up for it.
func TestOwnMessagesAreNotQueuedToWhoHidesThem(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{})
		alice := join(t, h, "alice")
		alice.HideOwnMessages(true)
		bob := join(t, h, "bob")
		assert.Equal(t, hub.KindJoined, next(t, alice).Kind)
		require.NoError(t, alice.Say(t.Context(), "mine", ""))
		assert.Equal(t, "mine", next(t, bob).Text)
		require.NoError(t, bob.Say(t.Context(), "yours", ""))
		assert.Equal(t, "yours", next(t, alice).Text, "her own line was never queued to her")

		alice.HideOwnMessages(false) // a terminal that shows them again
		require.NoError(t, alice.Say(t.Context(), "mine again", ""))
		assert.Equal(t, "mine again", next(t, alice).Text)
	})
}
