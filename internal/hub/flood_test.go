package hub_test

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/anseo/anseo/internal/hub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFlood runs in a synctest bubble: time stands still unless every
// goroutine waits, so the delays flood control imposes are measured exactly.
func TestFlood(t *testing.T) {
	eachLocalLog(t, func(t *testing.T, k logKind) {
		synctest.Test(t, func(t *testing.T) {
			h := k.startHub(t, hub.Options{Flood: hub.Flood{Rate: 2, Burst: 10, MaxDelayed: 4}})
			alice := join(t, h, "alice")
			say := func(text string) (time.Duration, error) {
				start := time.Now()
				err := alice.Say(t.Context(), text, "")
				return time.Since(start), err
			}

			for i := range 10 { // a pasted paragraph goes straight through
				d, err := say(fmt.Sprint("burst ", i))
				require.NoError(t, err)
				assert.Zero(t, d, "line %d of the burst was slowed", i)
			}
			for i := range 4 { // then the flood is slowed to the rate
				d, err := say(fmt.Sprint("slowed ", i))
				require.NoError(t, err)
				assert.Equal(t, 500*time.Millisecond, d, "slowed line %d", i)
			}
			_, err := say("refused") // and refused when it goes on
			assert.ErrorIs(t, err, hub.ErrFlood)
			_, err = say("refused again")
			assert.ErrorIs(t, err, hub.ErrFlood)

			time.Sleep(time.Second) // the flooder pauses (fake time: no real wait)
			d, err := say("after a pause")
			require.NoError(t, err)
			assert.Zero(t, d)

			// Every accepted line arrived, in order; no refused one did.
			var got []string
			for range 15 {
				got = append(got, next(t, alice).Text)
			}
			assert.Equal(t, "burst 0", got[0])
			assert.Equal(t, "slowed 3", got[13])
			assert.Equal(t, "after a pause", got[14])
			assert.Zero(t, alice.Queued())
		})
	})
}

func TestTooLong(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{MaxTextBytes: 8})
		alice := join(t, h, "alice")
		assert.ErrorIs(t, alice.Say(t.Context(), "123456789", ""), hub.ErrTooLong)
		require.NoError(t, alice.Say(t.Context(), "12345678", ""))
		assert.Equal(t, "12345678", next(t, alice).Text)
	})
}
