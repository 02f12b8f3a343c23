package main

import (
	"context"
	"math/rand/v2"
	"net"
	"time"
)

// Keepalive probes find peers that vanished without a word (a laptop lid,
// a dropped link) within about two minutes: probes start after
// -keepalive (keepAliveIdle) without traffic, plus up to half as much
// again, and a peer that misses keepAliveCount of them, a quarter of
// -keepalive apart, is gone.
//
// The jitter matters in a big room. Connections that go quiet together
// (everyone who came back after a restart, then idles) would otherwise
// probe together: 10,000 probes and their answers in one timer tick, more
// packets at once than the kernel queues (1,000 on loopback by default),
// so probes are dropped, the same ones every round, and live users are cut
// off as dead.
const (
	keepAliveIdle  = 60 * time.Second
	keepAliveCount = 4
)

// listen listens on addr and sets each accepted TCP connection's
// keepalive as above, starting after idle.
func listen(ctx context.Context, addr string, idle time.Duration) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1} // set per connection, in Accept
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return keepAliveListener{ln, idle}, nil
}

type keepAliveListener struct {
	net.Listener
	idle time.Duration
}

func (l keepAliveListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok && err == nil {
		_ = tc.SetKeepAliveConfig(net.KeepAliveConfig{
			Enable:   true,
			Idle:     l.idle + rand.N(l.idle/2+1),
			Interval: l.idle / 4,
			Count:    keepAliveCount,
		})
	}
	return c, err
}
