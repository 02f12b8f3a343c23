//go:build faults

package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/loadtest"
)

// TestIdleUsersAreNeverDropped: over a thousand users who only hold their
// connections, on both transports, held past many rounds of the server's
// TCP keepalive probes and WebSocket pings (-keepalive and -ping-interval
// set to a second, so that ten seconds hold several rounds of
// each): none of them is cut off.
func TestIdleUsersAreNeverDropped(t *testing.T) {
	const each = 600
	limit, err := loadtest.RaiseFileLimit()
	require.NoError(t, err)
	require.Greater(t, limit, uint64(4*each+256), "file descriptors for the clients and, in the child, the server")
	a := startChild(t, buildAnseo(t), "-db", ":memory:", "-keepalive", "1s", "-ping-interval", "1s",
		"-max-conns", "100000", "-max-conns-per-ip", "100000", "-max-http-conns-per-ip", "100000")
	res, err := loadtest.Run(t.Context(), loadtest.Config{
		Scenario: loadtest.Idle, Target: "anseo", TelnetAddr: a.telnetAddr, HTTPURL: "http://" + a.httpAddr,
		Telnet: each, Web: each, Duration: 10 * time.Second, PID: a.cmd.Process.Pid,
	})
	require.NoError(t, err)
	assert.Zero(t, res.Dropped, "dropped: %v", res.DropNotes)
	assert.GreaterOrEqual(t, res.Held, 10*time.Second, "held for the whole time")
}
