package telnet_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/telnet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type server struct {
	addr     string // the line port
	termAddr string // the terminal port
	hub      *hub.Hub
	stop     func() // shuts the server down and waits for it
}

func checkFree(srv server, name string) error { return srv.hub.Check(context.Background(), name) }

// start runs a hub and a line port on 127.0.0.1 until the test ends.
func start(t *testing.T, hubOpts hub.Options, cfg telnet.Config) server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return startOn(t, ln, hubOpts, cfg)
}

func startOn(t *testing.T, ln net.Listener, hubOpts hub.Options, cfg telnet.Config) server {
	t.Helper()
	return startLogging(t, ln, t.Output(), hubOpts, cfg)
}

// startLogging is startOn with the server's log, at debug level, written
// to w.
func startLogging(t *testing.T, ln net.Listener, w io.Writer, hubOpts hub.Options, cfg telnet.Config) server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := hub.New(hubOpts)
	ctx, cancel := context.WithCancel(context.Background())
	hubDone, serveDone := make(chan struct{}), make(chan error, 2)
	go func() {
		defer close(hubDone)
		_ = h.Run(ctx)
	}()
	termLn, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	lines := telnet.NewServer(log, h, cfg)
	go func() { serveDone <- lines.Serve(ctx, ln, 5*time.Second) }()
	go func() { serveDone <- lines.ServeTerminals(ctx, termLn, 5*time.Second) }()
	var stopped bool
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		<-hubDone
		assert.NoError(t, <-serveDone)
		assert.NoError(t, <-serveDone)
	}
	t.Cleanup(stop)
	return server{addr: ln.Addr().String(), termAddr: termLn.Addr().String(), hub: h, stop: stop}
}

func TestSeedSession(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")

	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Expect("What's your name?")
	bob.Send("alice")
	bob.Expect("Name taken, please choose another.")
	bob.Send("bob")
	bob.Expect("Welcome, bob!")
	alice.Expect("bob has joined the channel.")

	carol := linetest.Dial(t, srv.addr, "carol")
	carol.Login("carol")
	alice.Expect("carol has joined the channel.")
	bob.Expect("carol has joined the channel.")

	alice.Send("hello everyone")
	bob.Expect("<alice> hello everyone")
	carol.Expect("<alice> hello everyone")

	bob.Send("hi alice")
	alice.Expect("<bob> hi alice") // and not her own line before it
	carol.Expect("<bob> hi alice")

	alice.SendRaw("line one\r\nline two\r\n")
	bob.Expect("<alice> line one")
	bob.Expect("<alice> line two")
	carol.Expect("<alice> line one")
	carol.Expect("<alice> line two")

	bob.Close()
	alice.Expect("bob has left the channel.")
	carol.Expect("bob has left the channel.")

	bob2 := linetest.Dial(t, srv.addr, "bob(2)")
	bob2.Login("bob")
	alice.Expect("bob has joined the channel.")
	carol.Expect("bob has joined the channel.")
}

func TestLineEnds(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	nc := linetest.Dial(t, srv.addr, "nc")
	nc.Expect("What's your name?")
	nc.SendRaw("nc\n") // a bare LF ends a line, as netcat sends it
	nc.Expect("Welcome, nc!")
	alice.Expect("nc has joined the channel.")

	tests := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"bare LF", []string{"lf only\n"}, "<nc> lf only"},
		{"CR LF split across writes", []string{"split\r", "\n"}, "<nc> split"},
		{"bare CR is not a line end", []string{"one\rtwo\r\n"}, "<nc> onetwo"},
		{"empty lines are ignored", []string{"\r\n\n  \r\nafter blanks\r\n"}, "<nc> after blanks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, chunk := range tt.chunks {
				nc.SendRaw(chunk)
			}
			alice.Expect(tt.want)
		})
	}
}

func TestInvalidName(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{})
	c := linetest.Dial(t, srv.addr, "c")
	c.Expect("What's your name?")
	for _, tt := range []struct{ name, want string }{
		{"", "Name invalid: it is empty, please choose another."},
		{"two words", "Name invalid: it may only contain letters, digits, '_', '-' and '.', please choose another."},
		{"<bob>", "Name invalid: it may only contain letters, digits, '_', '-' and '.', please choose another."},
		{strings.Repeat("n", 33), "Name invalid: it is longer than 32 characters, please choose another."},
		{strings.Repeat("n", 10_000), "Name invalid: it is longer than 32 characters, please choose another."},
	} {
		c.Send(tt.name)
		c.Expect(tt.want)
	}
	c.Send("Seán")
	c.Expect("Welcome, Seán!")
}

func TestLongLines(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{MaxLineBytes: 64})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")

	bob.Send(strings.Repeat("x", 64)) // exactly the limit goes through
	alice.Expect("<bob> " + strings.Repeat("x", 64))

	bob.Send(strings.Repeat("y", 65))
	bob.Expect("* Line too long (max 64 bytes), not sent.")

	// A megabyte with no line end is never held whole; the connection
	// survives it and the next line goes through.
	chunk := strings.Repeat("z", 64<<10)
	for range 16 {
		bob.SendRaw(chunk)
	}
	bob.SendRaw("\r\nstill here\r\n")
	bob.Expect("* Line too long (max 64 bytes), not sent.")
	alice.Expect("<bob> still here") // nothing of the long lines came first
}

func TestControlCharactersNeverReachATerminal(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	mallory := linetest.Dial(t, srv.addr, "mallory")
	mallory.Login("mallory")
	alice.Expect("mallory has joined the channel.")

	mallory.Send("\x1b[2J\x1b]0;pwned\x07hi\x00 there\xfe")
	alice.Expect("<mallory> hi there\uFFFD")
	mallory.Send("<bob> I am bob")
	alice.Expect("<mallory> <bob> I am bob")
}

func TestNameTimeout(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{NameTimeout: 100 * time.Millisecond})
	c := linetest.Dial(t, srv.addr, "idle")
	c.Expect("What's your name?")
	assert.Equal(t, []string{"* No name given within 100ms, goodbye."}, c.ExpectClosed())
}

func TestShutdown(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	undecided := linetest.Dial(t, srv.addr, "undecided")
	undecided.Expect("What's your name?")

	srv.stop()
	assert.Equal(t, []string{"* Server is shutting down."}, alice.ExpectClosed())
	assert.Equal(t, []string{"* Server is shutting down."}, undecided.ExpectClosed())
}

// TestSlowClient fills a client's socket buffers until the hub cuts it off,
// and checks that everyone else carries on and the client learns why.
func TestSlowClient(t *testing.T) {
	// The default queue: a short one would also cut off members that read,
	// whenever the scheduler leaves their writer waiting for a moment.
	srv := start(t, hub.Options{Flood: hub.Flood{Rate: math.Inf(1)}}, telnet.Config{})
	slow := linetest.Dial(t, srv.addr, "slow")
	slow.Login("slow")
	fast := linetest.Dial(t, srv.addr, "fast")
	fast.Login("fast")
	sender := linetest.Dial(t, srv.addr, "sender")
	sender.Login("sender")
	fast.Expect("sender has joined the channel.")

	// slow stops reading; sender talks in 4 KB lines until the kernel's
	// buffers are full and slow's queue overflows. fast reads everything.
	text := strings.Repeat("m", 4000)
	var i int
	for ; ; i++ {
		sender.Send(fmt.Sprint(i, text))
		line := fast.ReadLine()
		if line == "slow has left the channel.\r\n" {
			break
		}
		require.Equal(t, fmt.Sprint("<sender> ", i, text, "\r\n"), line)
		require.Less(t, i, 100_000, "slow was never cut off")
	}
	fast.Expect(fmt.Sprint("<sender> ", i, text)) // sent as slow was cut off

	lines := slow.ExpectClosed()
	require.NotEmpty(t, lines)
	assert.Equal(t, "* Disconnected: too slow, you fell more than 1024 messages behind.", lines[len(lines)-1])

	sender.Send("carry on")
	fast.Expect("<sender> carry on")
	require.NoError(t, checkFree(srv, "slow"))
}

// TestFlood: a slow rate (a token every 250 ms) so that a busy machine's
// pauses while the paste is read do not count as the flooder pausing.
func TestFlood(t *testing.T) {
	srv := start(t, hub.Options{Flood: hub.Flood{Rate: 4, Burst: 10, MaxDelayed: 5}}, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	flooder := linetest.Dial(t, srv.addr, "flooder")
	flooder.Login("flooder")
	alice.Expect("flooder has joined the channel.")

	// Pasted at once: ten go straight through, five are slowed, and the
	// flood beyond that is refused, each line with a notice.
	var paste strings.Builder
	for i := range 20 {
		fmt.Fprintf(&paste, "line %d\r\n", i)
	}
	flooder.SendRaw(paste.String())
	for i := range 15 {
		alice.Expect(fmt.Sprintf("<flooder> line %d", i))
	}
	for range 5 {
		flooder.Expect("* Sending too fast: that line was not sent. Pause a moment, then go on.")
	}
}

// TestTelnetOptions plays a telnet client that negotiates: every option is
// refused, and no command byte ever shows up as text.
func TestTelnetOptions(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")

	c := linetest.Dial(t, srv.addr, "client")
	// IAC DO ECHO, IAC WILL NAWS, a NAWS subnegotiation, IAC NOP, then the
	// name with an escaped 255 inside a subnegotiation-looking mess.
	c.SendRaw("\xff\xfd\x01\xff\xfb\x1f\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0\xff\xf1bob\r\n")
	c.Expect("What's your name?")
	c.ExpectRaw("\xff\xfc\x01\xff\xfe\x1f") // WONT ECHO, DONT NAWS
	c.Expect("Welcome, bob!")
	alice.Expect("bob has joined the channel.")

	// After joining, the writer answers; commands split across writes too.
	c.SendRaw("hi \xff")
	c.SendRaw("\xfd\x03there\r\n")
	alice.Expect("<bob> hi there")
	c.ExpectRaw("\xff\xfc\x03") // WONT SUPPRESS-GO-AHEAD
}

func TestConnectionLimits(t *testing.T) {
	limiter := connlimit.New(2, 3)
	srv := start(t, hub.Options{}, telnet.Config{Limiter: limiter})
	a := linetest.Dial(t, srv.addr, "a")
	a.Login("a")

	// The limits are shared with the other transports: two connections
	// from elsewhere fill the server.
	other1, err := limiter.Acquire(netip.MustParseAddr("192.0.2.7"))
	require.NoError(t, err)
	other2, err := limiter.Acquire(netip.MustParseAddr("192.0.2.8"))
	require.NoError(t, err)
	full := linetest.Dial(t, srv.addr, "full")
	assert.Equal(t, []string{"* The server is full (max 3 connections), please try again later."}, full.ExpectClosed())

	other1()
	other2()
	b := linetest.Dial(t, srv.addr, "b")
	b.Expect("What's your name?")
	third := linetest.Dial(t, srv.addr, "third")
	assert.Equal(t, []string{"* Too many connections from your address (max 2), goodbye."}, third.ExpectClosed())

	b.Send("b") // the refusals did not disturb anyone
	b.Expect("Welcome, b!")
	a.Expect("b has joined the channel.")
}

// TestAcceptBacksOffWhenOutOfFiles: a listener that fails with EMFILE is
// retried, not spun on and not given up.
func TestAcceptBacksOffWhenOutOfFiles(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	failing := &failingListener{Listener: ln}
	failing.failures.Store(3)
	srv := startOn(t, failing, hub.Options{}, telnet.Config{})
	c := linetest.Dial(t, srv.addr, "c")
	c.Expect("What's your name?")
	assert.Negative(t, failing.failures.Load(), "every failure was retried")
}

// failingListener fails its first Accept calls as a process out of file
// descriptors does.
type failingListener struct {
	net.Listener
	failures atomic.Int32
}

func (l *failingListener) Accept() (net.Conn, error) {
	if l.failures.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// TestAHungUpNameIsFreeAtOnce: a name whose owner has hung up is free to
// the next person at once, as in the 2014 server, even if the next one
// asks for it before the server has read the hang-up: over many cycles of
// connect, name, hang up, nobody is told the name is taken.
func TestAHungUpNameIsFreeAtOnce(t *testing.T) {
	// Connections that hung up count against their address until the
	// server has ended them: a limit this test never meets.
	srv := start(t, hub.Options{}, telnet.Config{Limiter: connlimit.New(10_000, 10_000)})
	readUntil := func(c net.Conn, want string) string {
		t.Helper()
		require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
		var got []byte
		buf := make([]byte, 256)
		for !strings.Contains(string(got), want) {
			n, err := c.Read(buf)
			require.NoError(t, err, "waiting for %q, got %q", want, got)
			got = append(got, buf[:n]...)
		}
		return string(got)
	}
	for i := range 300 {
		c, err := net.Dial("tcp", srv.addr)
		require.NoError(t, err)
		readUntil(c, "What's your name?\r\n")
		_, err = c.Write([]byte("alice\r\n"))
		require.NoError(t, err)
		got := readUntil(c, "\r\n")
		require.NotContains(t, got, "Name taken", "cycle %d", i)
		require.NoError(t, c.Close()) // at once, the welcome and more unread
	}
}
