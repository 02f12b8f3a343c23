package history_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
)

// BenchmarkAppend saves batches of messages to a file, as a single node's
// log does: one message alone (a quiet room: the time a message waits to be
// kept) and the bursts a busy log takes at once (what keeping costs per
// message), up to its batch of 512. ns/msg is the time per message saved;
// cpu-ns/msg the process's CPU time (user and system) per message, which
// counts whatever the Store does behind Append as well. docs/performance.md
// gives the figures of
//
//	go test -run '^$' -bench 'BenchmarkAppend$' -count 5 ./internal/history
func BenchmarkAppend(b *testing.B) {
	for _, batch := range []uint64{1, 16, 64, 512} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s, _ := openFile(b)
			ctx := b.Context()
			var next uint64 = 1
			start, cpu := time.Now(), cpuTime(b)
			for b.Loop() {
				require.NoError(b, s.Append(ctx, msgs(next, next+batch-1)))
				next += batch
			}
			saved := float64(next - 1)
			b.ReportMetric(saved/time.Since(start).Seconds(), "msgs/s")
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/saved, "ns/msg")
			b.ReportMetric(float64((cpuTime(b)-cpu).Nanoseconds())/saved, "cpu-ns/msg")
		})
	}
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// searchSaved is how many messages BenchmarkSearch saves before it
// searches. docs/performance.md gives the figures for 1,000,000:
//
//	go test -run '^$' -bench BenchmarkSearch -benchtime 20x ./internal/history -args -search-saved 1000000
var searchSaved = flag.Int("search-saved", 100_000, "messages BenchmarkSearch saves before it searches")

// BenchmarkSearch searches a file of -search-saved messages of made-up
// chat, nine in ten in #lobby and one in ten in #help, for the cases that
// cost differently: a word in most messages (the newest 50 are found at
// once), a word said once, long ago (the search index goes straight to
// it), a word never said, a word said only in the other room (each of its
// messages is read and passed over), and queries too short for the index,
// which read the room until they have found enough: all of it for one
// that matches nothing, as every search did before the index.
func BenchmarkSearch(b *testing.B) {
	s, path := openFile(b)
	ctx := b.Context()
	start := time.Now()
	fillChat(b, s, *searchSaved)
	filled := time.Since(start)
	if fi, err := os.Stat(path); err == nil {
		b.Logf("%d messages saved in %v (%.0f/s); file %.1f MiB", *searchSaved, filled.Round(time.Millisecond),
			float64(*searchSaved)/filled.Seconds(), float64(fi.Size())/(1<<20))
	}
	for _, bm := range []struct {
		name, room, query string
	}{
		{"common word", "#lobby", "the"},
		{"said once long ago", "#lobby", "xylophone"},
		{"never said", "#lobby", "Ünicode"},
		{"said only in the other room", "#help", "penguin"},
		{"two characters, common", "#lobby", "th"},
		{"two characters, never said", "#lobby", "qz"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			var found int
			for b.Loop() {
				evs, err := s.Search(ctx, bm.room, bm.query, 50)
				require.NoError(b, err)
				found = len(evs)
			}
			b.ReportMetric(float64(found), "found")
		})
	}
	b.Run("prune, nothing to delete", func(b *testing.B) {
		for b.Loop() {
			n, err := s.Prune(ctx, *searchSaved, time.Time{})
			require.NoError(b, err)
			require.Zero(b, n)
		}
	})
}

// fillChat saves n messages of made-up chat: a handful of words each, from
// a small vocabulary; "penguin" only in #lobby, and "xylophone" once, in
// the oldest message.
func fillChat(b *testing.B, s *history.Store, n int) {
	b.Helper()
	words := strings.Fields(`the a to and of is it you that in i for on was with
		be this have are not but at so what do we can just like if all about
		will up out there one get how no they now know think good time when
		going see back here well yes really would right people could look
		today work tomorrow night anyone help thanks hello server room chat
		message search history page browser terminal telnet web coffee tea
		lunch meeting build test deploy release bug fix code review merge`)
	names := strings.Fields(`alice bob carol dave erin frank grace heidi ivan judy
		kim lena mallory niaj olivia peggy rupert sybil trent victor walter`)
	rng := rand.New(rand.NewPCG(1, 2))
	const batch = 10_000
	evs := make([]*hub.Event, 0, batch)
	for id := 1; id <= n; id++ {
		room := "#lobby"
		if id%10 == 0 {
			room = "#help"
		}
		var text strings.Builder
		for i := range 4 + rng.IntN(9) {
			if i > 0 {
				text.WriteByte(' ')
			}
			text.WriteString(words[rng.IntN(len(words))])
		}
		if room == "#lobby" && rng.IntN(10) == 0 {
			text.WriteString(" penguin")
		}
		if id == 1 {
			text.WriteString(" xylophone")
		}
		evs = append(evs, &hub.Event{ID: uint64(id), Kind: hub.KindMessage, Time: base.Add(time.Duration(id) * time.Second),
			Room: room, Name: names[rng.IntN(len(names))], Text: text.String()})
		if len(evs) == batch || id == n {
			require.NoError(b, s.Append(b.Context(), evs))
			evs = evs[:0]
		}
	}
}

// BenchmarkPruneAmongQuietRooms is the prune the log runs every thousand
// entries, on a server of 5,000 rooms of which one is talking: what it
// costs must not grow with the rooms nobody wrote to.
func BenchmarkPruneAmongQuietRooms(b *testing.B) {
	s, _ := openFile(b)
	ctx := b.Context()
	var quiet []*hub.Event
	for i := range 5000 {
		ev := msg(uint64(i + 1))
		ev.Room = fmt.Sprintf("#quiet%d", i)
		quiet = append(quiet, ev)
	}
	require.NoError(b, s.Append(ctx, quiet))
	_, err := s.Prune(ctx, 100, time.Time{}) // the first prune looks at every room
	require.NoError(b, err)
	next := uint64(len(quiet) + 1)
	for b.Loop() {
		b.StopTimer()
		require.NoError(b, s.Append(ctx, msgs(next, next+999)))
		next += 1000
		b.StartTimer()
		if _, err := s.Prune(ctx, 100, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}
