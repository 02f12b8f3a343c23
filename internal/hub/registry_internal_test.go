package hub

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkMassDeparture is a shutdown of a busy node as its registry
// sees it: everyone leaves at once, each name kept for its owner to
// reclaim. Its cost per person must not grow with the room.
func BenchmarkMassDeparture(b *testing.B) {
	for _, people := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("people=%d", people), func(b *testing.B) {
			claims := make([]Claim, people)
			for i := range claims {
				claims[i] = Claim{Key: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("p%d", i), Token: fmt.Sprintf("t%d", i)}
			}
			for b.Loop() {
				n := newLocalNames(Options{Grace: time.Minute, Now: time.Now})
				for _, c := range claims {
					n.Depart(c, 0)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*people), "ns/person")
		})
	}
}

// TestDeparturesExpire: a departed name is forgotten once its grace has
// passed, however many leave after it.
func TestDeparturesExpire(t *testing.T) {
	now := time.Unix(0, 0)
	n := newLocalNames(Options{Grace: time.Minute, Now: func() time.Time { return now }})
	n.Depart(Claim{Key: "old", Token: "t-old"}, 0)
	now = now.Add(2 * time.Minute)
	for i := range 1000 {
		n.Depart(Claim{Key: fmt.Sprint(i), Token: fmt.Sprint("t", i)}, 0)
	}
	if _, ok := n.departed["t-old"]; ok {
		t.Fatal("a departure past its grace is still kept after 1,000 more")
	}
	if len(n.departed) != 1000 {
		t.Fatalf("%d departures kept, want the 1,000 within their grace", len(n.departed))
	}
}
