package hub

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A sender held by the valve is let go when the hub stops, which will open
// it no more.
func TestTheValveLetsGoWhenTheHubStops(t *testing.T) {
	v := newValve(2, func(Transport) {})
	v.sending()
	v.sending() // as much as may wait in the inbox: shut
	done := make(chan struct{})
	close(done)
	assert.ErrorIs(t, v.wait(context.Background(), done, TransportTelnet), ErrClosed)
	v.received()
	assert.NoError(t, v.wait(context.Background(), make(chan struct{}), TransportTelnet), "open again")
}
