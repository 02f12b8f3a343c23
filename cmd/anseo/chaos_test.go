package main

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/linetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostileNeighbours runs two users chatting while, on the same server, a
// third never reads, a fourth sends a 1 MiB line without a newline, a fifth
// floods, and twenty connections drip a name a byte at a time and never
// finish it. The two chatting users must lose nothing and never wait long
// for a line, and the server's heap must stay bounded.
func TestHostileNeighbours(t *testing.T) {
	// Flood control at 10 messages/s per user: the chatters below send 5/s
	// each, a brisk conversation; the flooder tries to send 300 at once.
	a := startAnseo(t, "-max-conns-per-ip", "100", "-flood-rate", "10")
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	t.Cleanup(cancel)

	before := heapInUse()

	alice := linetest.Dial(t, a.telnetAddr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, a.telnetAddr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")

	sleeper := linetest.Dial(t, a.telnetAddr, "sleeper")
	sleeper.Login("sleeper") // and never reads again

	// Twenty connections that never finish their name: a byte every 20 ms.
	for i := range 20 {
		c, err := net.Dial("tcp", a.telnetAddr)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		wg.Go(func() {
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for ctx.Err() == nil {
				select {
				case <-tick.C:
					if _, err := c.Write([]byte{byte('a' + i)}); err != nil {
						return
					}
				case <-ctx.Done():
				}
			}
		})
	}

	huge := linetest.Dial(t, a.telnetAddr, "huge")
	huge.Login("huge")
	flooder := linetest.Dial(t, a.telnetAddr, "flooder")
	flooder.Login("flooder")

	// The long line and the flood go in from their own goroutines; their
	// clients are checked at the end.
	wg.Go(func() {
		chunk := strings.Repeat("x", 64<<10)
		for range 16 { // 1 MiB, no newline
			if ctx.Err() != nil {
				return
			}
			if huge.Write(chunk) != nil {
				return // the test has ended and closed it; the checks below report
			}
		}
		_ = huge.Write("\r\n")
	})
	wg.Go(func() {
		var flood strings.Builder
		for i := range 300 {
			fmt.Fprintf(&flood, "flood %d\r\n", i)
		}
		_ = flooder.Write(flood.String()) // the checks below report a failure
	})

	// Alice and Bob chat in turn, a line every 100 ms between them. Each line
	// must come within a second of being sent, in order; lines from the
	// others may come between.
	const rounds = 50
	pace := time.NewTicker(100 * time.Millisecond)
	defer pace.Stop()
	for i := range rounds {
		<-pace.C
		from, to := alice, bob
		fromName := "alice"
		if i%2 == 1 {
			from, to, fromName = bob, alice, "bob"
		}
		text := fmt.Sprintf("message %d", i)
		sent := time.Now()
		from.Send(text)
		want := "<" + fromName + "> " + text + "\r\n"
		readUntil(t, to, want, isNeighbourLine)
		require.Less(t, time.Since(sent), time.Second, "a stall: %q took %v", text, time.Since(sent))
	}

	// The long line's author and the flooder also heard the conversation.
	anyLine := func(line string) bool { return isNeighbourLine(line) || isChatLine(line) }
	readUntil(t, huge, "* Line too long (max 4096 bytes), not sent.\r\n", anyLine)
	readUntil(t, flooder, "* Sending too fast: that line was not sent. Pause a moment, then go on.\r\n", anyLine)

	after := heapInUse()
	t.Logf("heap in use: %d KiB before, %d KiB after", before>>10, after>>10)
	assert.Less(t, after, before+32<<20, "the heap grew by more than 32 MiB")
}

// readUntil reads lines until want, failing on any line that may not come
// before it.
func readUntil(t *testing.T, c *linetest.Client, want string, mayCome func(string) bool) {
	t.Helper()
	for {
		line := c.ReadLine()
		if line == want {
			return
		}
		require.Truef(t, mayCome(line), "unexpected line %q while waiting for %q", line, want)
	}
}

// isNeighbourLine reports whether a line is one the others can cause.
func isNeighbourLine(line string) bool {
	return strings.HasPrefix(line, "<flooder> flood ") || strings.HasPrefix(line, "* ") ||
		strings.HasSuffix(line, " has joined the channel.\r\n") ||
		strings.HasSuffix(line, " has left the channel.\r\n")
}

func isChatLine(line string) bool {
	return strings.HasPrefix(line, "<alice> message ") || strings.HasPrefix(line, "<bob> message ")
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
