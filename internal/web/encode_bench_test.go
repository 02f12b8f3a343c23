package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/hub"
)

// sinkBytes keeps the compiler from optimising the encoding away.
var sinkBytes []byte

// BenchmarkEncodeEvent measures encoding one event into the JSON message
// a WebSocket member receives. An event is encoded once ("once"), by the
// first writer that needs it, and shared: every other recipient's writer
// only looks it up ("per_recipient"); only the sender's own copy, which
// carries its ref, is encoded for it alone ("own", the same work as once).
// A message to a room of N costs one "once", one "own" and N−2
// "per_recipient".
func BenchmarkEncodeEvent(b *testing.B) {
	m := benchMember(b)
	s := &session{m: m}
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
				sinkBytes = frameShared(bc.ev)
			}
			b.SetBytes(int64(len(sinkBytes)))
		})
		b.Run(bc.name+"/per_recipient", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				data, err := s.encode(bc.ev)
				if err != nil {
					b.Fatal(err)
				}
				sinkBytes = data
			}
			b.SetBytes(int64(len(sinkBytes)))
		})
	}
}

// benchMember joins a connection to a hub that runs until the benchmark ends.
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
	m, err := h.Join(ctx, "reader", hub.JoinOptions{Transport: hub.TransportWeb, WithRoster: true})
	if err != nil {
		b.Fatal(err)
	}
	return m
}
