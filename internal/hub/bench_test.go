package hub_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/anseo/anseo/internal/hub"
)

// BenchmarkFanOut measures one message from Say to every member's queue and
// out of it, in rooms of several sizes. Each op is one message; deliveries/s
// is members × ops/s.
func BenchmarkFanOut(b *testing.B) {
	for _, members := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			h := startHub(b, hub.Options{QueueLen: 1 << 16, Flood: noFlood})
			sender := join(b, h, "sender")
			for i := range members - 1 {
				m := join(b, h, fmt.Sprint("m", i))
				go m.Pump(context.Background(), discard{}) // ends when the hub stops and removes m
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := sender.Say(b.Context(), "hello", ""); err != nil {
					b.Fatal(err)
				}
				sender.Next(b.Context()) // wait for our own copy: one message in flight
			}
			b.StopTimer()
			b.ReportMetric(float64(members)*float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

// discard is a Writer that writes nothing: what a pump costs alone.
type discard struct{}

func (discard) WriteEvents(context.Context, []*hub.Event) error { return nil }
func (discard) Flush(context.Context) error                     { return nil }
func (discard) Close(hub.Reason)                                {}
