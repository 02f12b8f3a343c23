package history_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkAppend saves batches of messages to a file, as a single node's
// log does: one message alone (a quiet room: the time a message waits to be
// kept) and bursts of 100 (a busy room: what keeping costs per message).
func BenchmarkAppend(b *testing.B) {
	for _, batch := range []uint64{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s, _ := openFile(b)
			ctx := b.Context()
			var next uint64 = 1
			start := time.Now()
			for b.Loop() {
				require.NoError(b, s.Append(ctx, msgs(next, next+batch-1)))
				next += batch
			}
			b.ReportMetric(float64(next-1)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}

// BenchmarkSearch searches 10,000 saved messages for text none of them
// contains: the worst case, which reads them all.
func BenchmarkSearch(b *testing.B) {
	const saved = 10_000
	s, _ := openFile(b)
	ctx := b.Context()
	evs := msgs(1, saved)
	for _, ev := range evs {
		ev.Text = strings.Repeat("Lorem ipsum dolor sit amet ", 3) + ev.Text
	}
	require.NoError(b, s.Append(ctx, evs))
	for b.Loop() {
		found, err := s.Search(ctx, "Ünicode", 50)
		require.NoError(b, err)
		require.Empty(b, found)
	}
}
