package telnet

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/hub"
)

// sinkLine keeps the compiler from optimising the rendering away.
var sinkLine []byte

// BenchmarkRender measures rendering one event into the line a telnet
// member receives. An event is rendered once ("once"), by the first
// writer that needs it, and shared: every other recipient's writer only
// looks it up ("per_recipient"). A message to a room of N costs one of the
// first and N−1 of the second.
func BenchmarkRender(b *testing.B) {
	m := benchMember(b)
	now := time.Now()
	for _, bc := range []struct {
		name string
		ev   *hub.Event
	}{
		{"message", &hub.Event{ID: 1, Kind: hub.KindMessage, Time: now, Name: "bob", Text: "L 3 1234 1714000000000000000"}},
		{"message_1KiB", &hub.Event{ID: 2, Kind: hub.KindMessage, Time: now, Name: "bob", Text: strings.Repeat("x", 1024)}},
		{"joined", &hub.Event{ID: 3, Kind: hub.KindJoined, Time: now, Name: "carol", Transport: hub.TransportWeb}},
		{"left", &hub.Event{ID: 4, Kind: hub.KindLeft, Time: now, Name: "carol", Reason: hub.ReasonQuit}},
	} {
		b.Run(bc.name+"/once", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkLine = renderShared(bc.ev)
			}
			b.SetBytes(int64(len(sinkLine)))
		})
		b.Run(bc.name+"/per_recipient", func(b *testing.B) {
			r := renderer{m: m}
			b.ReportAllocs()
			for b.Loop() {
				sinkLine = r.render(bc.ev)
			}
			b.SetBytes(int64(len(sinkLine)))
		})
	}
}

// benchMember joins a member to a hub that runs until the benchmark ends.
// Nobody reads its queue: the benchmark produces no events through the hub.
func benchMember(b *testing.B) *hub.Conn {
	b.Helper()
	h := hub.New(hub.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.Run(ctx)
	}()
	b.Cleanup(func() {
		cancel()
		<-done
	})
	m, err := h.Join(ctx, "reader", hub.JoinOptions{Transport: hub.TransportTelnet})
	if err != nil {
		b.Fatal(err)
	}
	return m
}
