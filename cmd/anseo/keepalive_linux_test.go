package main

import (
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeepAliveIsSpread: every accepted connection probes its peer, and
// connections accepted together do not all start probing at once.
func TestKeepAliveIsSpread(t *testing.T) {
	ln, err := listen(t.Context(), "127.0.0.1:0", keepAliveIdle)
	require.NoError(t, err)
	defer ln.Close()
	idles := map[int]bool{}
	for range 20 {
		c, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		defer c.Close()
		s, err := ln.Accept()
		require.NoError(t, err)
		defer s.Close()
		on, idle, interval, count := keepAliveOf(t, s.(*net.TCPConn))
		assert.True(t, on)
		assert.GreaterOrEqual(t, idle, int(keepAliveIdle.Seconds()))
		assert.LessOrEqual(t, idle, int((keepAliveIdle * 3 / 2).Seconds())) // whole seconds, rounded up
		assert.Equal(t, int((keepAliveIdle / 4).Seconds()), interval)
		assert.Equal(t, keepAliveCount, count)
		idles[idle] = true
	}
	assert.Greater(t, len(idles), 1, "twenty connections, one idle time: %v", idles)
}

// keepAliveOf reads a connection's keepalive settings from the kernel.
func keepAliveOf(t *testing.T, c *net.TCPConn) (on bool, idle, interval, count int) {
	t.Helper()
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	var errs [4]error
	var enabled int
	require.NoError(t, rc.Control(func(fd uintptr) {
		enabled, errs[0] = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
		idle, errs[1] = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE)
		interval, errs[2] = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL)
		count, errs[3] = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT)
	}))
	for _, err := range errs {
		require.NoError(t, err)
	}
	return enabled != 0, idle, interval, count
}
