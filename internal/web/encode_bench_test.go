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
// one WebSocket member receives. The transport encodes per recipient, so a
// message to a room of N costs N of these: ns/op × N is the encoding share
// of one fan-out, allocs/op × N its garbage.
func BenchmarkEncodeEvent(b *testing.B) {
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
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				data, err := encodeEvent(bc.ev, m)
				if err != nil {
					b.Fatal(err)
				}
				sinkBytes = data
			}
			b.SetBytes(int64(len(sinkBytes)))
		})
	}
}

// benchMember joins a member to a hub that runs until the benchmark ends.
// Nobody reads its queue: the benchmark produces no events through the hub.
func benchMember(b *testing.B) *hub.Member {
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
