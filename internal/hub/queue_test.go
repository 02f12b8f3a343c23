package hub_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

func TestTake(t *testing.T) {
	t.Run("everything waiting comes in one batch, in order", func(t *testing.T) {
		h := startHub(t, hub.Options{Flood: noFlood})
		reader := join(t, h, "reader")
		sender := join(t, h, "sender")
		for i := range 5 {
			require.NoError(t, sender.Say(t.Context(), fmt.Sprint(i), ""))
		}
		catchUp(t, sender, "4")
		<-reader.Ready()
		b, removed := reader.Take()
		require.NotNil(t, b)
		defer b.Release()
		assert.False(t, removed)
		var texts []string
		for _, ev := range b.Events {
			if ev.Kind == hub.KindMessage {
				texts = append(texts, ev.Text)
			}
		}
		assert.Equal(t, []string{"0", "1", "2", "3", "4"}, texts)
		assert.Zero(t, reader.Queued())
	})
	t.Run("removal comes after the last event", func(t *testing.T) {
		h := startHub(t, hub.Options{Flood: noFlood})
		reader := join(t, h, "reader")
		sender := join(t, h, "sender")
		require.NoError(t, sender.Say(t.Context(), "bye", ""))
		require.NoError(t, reader.Say(t.Context(), "/quit", ""))
		var got []hub.Kind
		for {
			<-reader.Ready()
			b, removed := reader.Take()
			if b != nil {
				for _, ev := range b.Events {
					got = append(got, ev.Kind)
				}
			}
			b.Release()
			if removed {
				break
			}
		}
		assert.Equal(t, []hub.Kind{hub.KindJoined, hub.KindMessage}, got)
		assert.Equal(t, hub.ReasonQuit, reader.Reason())
	})
}

// catchUp waits for m's own copy of its message text: the hub has fanned it
// out to everyone by then.
func catchUp(t *testing.T, m *hub.Member, text string) {
	t.Helper()
	for ev := next(t, m); !(ev.From(m) && ev.Text == text); ev = next(t, m) {
	}
}
