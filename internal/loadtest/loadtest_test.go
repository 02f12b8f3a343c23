package loadtest_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/loadtest"
	"github.com/anseo/anseo/internal/loadtest/baseline"
	"github.com/anseo/anseo/internal/loadtest/wschat"
	"github.com/anseo/anseo/internal/telnet"
	"github.com/anseo/anseo/internal/web"
)

// startAnseo runs anseo's hub, line port and web server (configured by
// webCfg) in-process on 127.0.0.1, flood control off, until the test ends.
// It returns the line port's address and the web server's URL.
func startAnseo(t *testing.T, webCfg web.Config) (telnetAddr, httpURL string) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	h := hub.New(hub.Options{Flood: hub.Flood{Rate: math.Inf(1)}})
	limiter := connlimit.New(10_000, 10_000)
	lines := telnet.NewServer(log, h, telnet.Config{Limiter: limiter})
	webCfg.Limiter = limiter
	site := web.NewServer(log, h, webCfg)

	tln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}

	hubDone, telnetDone, httpDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() { defer close(hubDone); _ = h.Run(ctx) }()
	go func() { defer close(telnetDone); _ = lines.Serve(ctx, tln, 5*time.Second) }()
	go func() { defer close(httpDone); _ = srv.Serve(hln) }()
	t.Cleanup(func() {
		cancel()
		<-hubDone
		<-telnetDone
		dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer dcancel()
		_ = srv.Shutdown(dctx)
		site.Drain(dctx)
		<-httpDone
	})
	return tln.Addr().String(), "http://" + hln.Addr().String()
}

// startBaseline runs the bare broadcaster on 127.0.0.1 until the test ends.
func startBaseline(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = baseline.New(0).Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ln.Addr().String()
}

// startGorilla runs the gorilla/websocket chat until the test ends, and
// returns its URL.
func startGorilla(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = wschat.New().Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return "http://" + ln.Addr().String()
}

func TestSaturateAgainstGorilla(t *testing.T) {
	res, err := loadtest.Run(t.Context(), loadtest.Config{
		Scenario: loadtest.Saturate, Target: "gorilla", HTTPURL: startGorilla(t),
		Web: 30, Senders: 3, Window: 8, Duration: time.Second,
	})
	require.NoError(t, err)
	assert.Positive(t, res.Deliveries)
	assert.Equal(t, res.Expected, res.Received, "closed-loop senders lose nothing")
	assert.Zero(t, res.Lost)
	assert.Zero(t, res.Dropped)
	assert.GreaterOrEqual(t, res.JoinDeliveries, uint64(30*29/2), "each join announced to everyone already there")
}

func TestFanoutAgainstAnseo(t *testing.T) {
	telnetAddr, httpURL := startAnseo(t, web.Config{})
	res, err := loadtest.Run(t.Context(), loadtest.Config{
		Scenario: loadtest.Fanout, Target: "anseo", TelnetAddr: telnetAddr, HTTPURL: httpURL,
		Telnet: 20, Web: 20, Senders: 4, Rate: 200, Duration: time.Second, JoinBatch: 15,
		PID: os.Getpid(),
	})
	require.NoError(t, err)
	assert.Equal(t, "mixed", res.Transport)
	assert.Equal(t, uint64(40*39/2), res.JoinDeliveries, "every member sees every later join")
	assert.Greater(t, res.Sent, uint64(50), "about 200 messages in a second")
	assert.Equal(t, res.Sent*39, res.Expected, "every message is due to every other member")
	assert.Equal(t, res.Expected, res.Received)
	assert.Zero(t, res.Lost)
	assert.Zero(t, res.Dupes)
	assert.Zero(t, res.Dropped)
	assert.Positive(t, res.P50)
	assert.LessOrEqual(t, res.P50, res.P99)
	assert.LessOrEqual(t, res.P99, res.Max)
	if runtime.GOOS == "linux" {
		assert.GreaterOrEqual(t, res.ServerCPU, time.Duration(0))
	}
}

func TestSaturateAgainstBaseline(t *testing.T) {
	addr := startBaseline(t)
	res, err := loadtest.Run(t.Context(), loadtest.Config{
		Scenario: loadtest.Saturate, Target: "baseline", TelnetAddr: addr,
		Telnet: 30, Senders: 3, Window: 8, Duration: time.Second,
	})
	require.NoError(t, err)
	assert.Positive(t, res.Deliveries)
	assert.Equal(t, res.Expected, res.Received, "closed-loop senders lose nothing")
	assert.Zero(t, res.Lost)
	assert.Zero(t, res.Dropped)

	var out bytes.Buffer
	loadtest.WriteTables(&out, []loadtest.Result{res})
	assert.Contains(t, out.String(), "| saturate | baseline | — | telnet | 30 | 3 |")
}

func TestIdleMeasuresServerMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("memory is read from /proc")
	}
	addr := startBaseline(t)
	res, err := loadtest.Run(t.Context(), loadtest.Config{
		Scenario: loadtest.Idle, Target: "baseline", TelnetAddr: addr, Telnet: 20,
		Duration: time.Second, PID: os.Getpid(), // the server runs in this process
	})
	require.NoError(t, err)
	assert.Positive(t, res.RSSBefore)
	assert.Positive(t, res.RSSAfter)
	assert.Equal(t, uint64(20*19/2), res.JoinDeliveries)
}

func TestDisconnectedMembersAreReportedAsDropped(t *testing.T) {
	// A server that welcomes everyone and then cuts them off as too slow:
	// the run must say so instead of waiting for join notices.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				_, _ = io.WriteString(c, "What's your name?\r\n")
				name, err := bufio.NewReader(c).ReadString('\n')
				if err != nil {
					return
				}
				_, _ = io.WriteString(c, "Welcome, "+strings.TrimSpace(name)+"!\r\n* Disconnected: too slow.\r\n")
			})
		}
	})

	_, err = loadtest.Run(t.Context(), loadtest.Config{
		Scenario: loadtest.Idle, TelnetAddr: ln.Addr().String(), Telnet: 5,
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dropped")
	assert.Contains(t, err.Error(), "* Disconnected: too slow.")
}

func TestCommandLine(t *testing.T) {
	addr := startBaseline(t)
	var stdout, stderr bytes.Buffer
	err := loadtest.Main(t.Context(), []string{"-scenario", "fanout", "-target", "baseline",
		"-telnet-addr", addr, "-telnet", "10", "-senders", "2", "-rate", "50", "-duration", "500ms"}, &stdout, &stderr)
	require.NoError(t, err, stderr.String())
	assert.Contains(t, stdout.String(), "| fanout | baseline | — | telnet | 10 | 2 |")
	assert.True(t, strings.Contains(stdout.String(), "| join storm |"))
}

// TestFanoutInRoomsAgainstAnseo: members spread over rooms hear their own
// room's senders and nobody else's, and every join notice of the storm and
// the moves is accounted for.
func TestFanoutInRoomsAgainstAnseo(t *testing.T) {
	telnetAddr, _ := startAnseo(t, web.Config{})
	res, err := loadtest.Run(t.Context(), loadtest.Config{
		Scenario: loadtest.Fanout, Target: "anseo", TelnetAddr: telnetAddr,
		Telnet: 24, Rooms: 4, Senders: 4, Rate: 200, Duration: time.Second, JoinBatch: 10,
	})
	require.NoError(t, err)
	assert.Equal(t, 4, res.Rooms)
	// Batches of 10, 10 and 4 meet in the default room and move on; then
	// four rooms of six have seen each other come.
	assert.Equal(t, uint64(45+45+6+4*15), res.JoinDeliveries)
	assert.Greater(t, res.Sent, uint64(50), "about 200 messages in a second")
	assert.Equal(t, res.Sent*5, res.Expected, "every message is due to the five others in its room")
	assert.Equal(t, res.Expected, res.Received)
	assert.Zero(t, res.Strays)
	assert.Zero(t, res.Dupes)
	assert.Zero(t, res.Dropped)

	var out bytes.Buffer
	loadtest.WriteTables(&out, []loadtest.Result{res})
	assert.Contains(t, out.String(), "| fanout | 4 × 6 | anseo | — | telnet | 24 | 4 |")
	assert.Contains(t, out.String(), "| fanout 4 × 6 | anseo | — | telnet | 24 | 156 |", "the join storm's row")
	assert.NotContains(t, out.String(), "| fanout | anseo |", "runs in rooms have a table of their own")
}

func TestRoomsNeedMembersAndWebForQuietRooms(t *testing.T) {
	for _, cfg := range []loadtest.Config{
		{Scenario: loadtest.Fanout, Telnet: 5, Rooms: 3},               // a room of one
		{Scenario: loadtest.Fanout, Telnet: 4, Web: 4, MemberRooms: 1}, // telnet is in one room at a time
		{Scenario: loadtest.Fanout, Web: 4, Rooms: -1},
	} {
		_, err := loadtest.Run(t.Context(), cfg)
		assert.Error(t, err, "%+v", cfg)
	}
}

func TestRoomsTableComparesWithOneRoom(t *testing.T) {
	one := loadtest.Result{Scenario: loadtest.Fanout, Target: "anseo", Store: "memory", Transport: "ws", Members: 1000, Senders: 10,
		Elapsed: 10 * time.Second, Sent: 1000, Deliveries: 999_000, ServerCPU: 5 * time.Second}
	ten := one
	ten.Rooms, ten.Sent, ten.Deliveries, ten.ServerCPU = 10, 10_000, 990_000, 6*time.Second
	quiet := one
	quiet.MemberRooms = 49
	base := one
	base.Target, base.Store, base.Transport = "baseline", "", "telnet"
	var out bytes.Buffer
	loadtest.WriteTables(&out, []loadtest.Result{base, one, ten, quiet})
	s := out.String()
	assert.Contains(t, s, "| fanout | anseo | memory | ws | 1000 | 10 |", "one room is in the main table")
	assert.Contains(t, s, "| fanout | 1 × 1000 | anseo | memory | ws | 1000 | 10 |", "and in the rooms table, as the reference")
	assert.Contains(t, s, "| 600µs | 6.06µs | 1.21 |", "10 rooms: CPU per message, per delivery, and per delivery against one room")
	assert.Contains(t, s, "| fanout | 1 × 1000 + 49 | anseo | memory | ws | 1000 | 10 |")
	assert.Contains(t, s, "| 5.0ms | 5.01µs | 1.00 |")
	assert.NotContains(t, s, "| fanout | 1 × 1000 | baseline |", "the baseline has no rooms to compare")
}
