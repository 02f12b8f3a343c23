package hub_test

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/anseo/anseo/internal/hub"
)

// Made once per test binary, as transports do: the slots are few.
var (
	encoded atomic.Int32
	upper   = hub.NewSharedEncoding(func(ev *hub.Event) []byte {
		encoded.Add(1)
		return []byte("A:" + ev.Text)
	})
	lower = hub.NewSharedEncoding(func(ev *hub.Event) []byte { return []byte("b:" + ev.Text) })
)

func TestSharedEncoding(t *testing.T) {
	ev := &hub.Event{Kind: hub.KindMessage, Text: "hi"}
	before := encoded.Load()
	first := upper.Of(ev)
	assert.Equal(t, "A:hi", string(first))
	assert.Same(t, &first[0], &upper.Of(ev)[0], "later callers share the first encoding")
	assert.Equal(t, before+1, encoded.Load(), "encoded once")
	assert.Equal(t, "b:hi", string(lower.Of(ev)), "each encoding has its own slot")
	assert.Equal(t, "A:hi", string(upper.Of(&hub.Event{Text: "hi"})), "and each event its own cache")
}
