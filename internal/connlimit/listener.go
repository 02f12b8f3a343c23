package connlimit

import (
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Listen wraps ln so that it lets through no more connections than lim
// allows, per client address and in all, counted from the moment each is
// accepted, before a byte of it is read: a client that opens connections and
// sends nothing (or a slow request body) holds at most lim.PerIP() of them.
// A connection over the limit is answered with an HTTP 503 that says why,
// and closed. Connections from the exempt networks (trusted reverse
// proxies, which carry many clients) are not counted.
func Listen(ln net.Listener, lim *Limiter, exempt []netip.Prefix) net.Listener {
	return &listener{Listener: ln, lim: lim, exempt: exempt}
}

type listener struct {
	net.Listener
	lim    *Limiter
	exempt []netip.Prefix
}

// refusalWriteTimeout bounds writing the 503 to a refused connection, so
// that the accept loop never waits on a client: a new socket's buffer is
// empty, so the write does not wait in practice.
const refusalWriteTimeout = 100 * time.Millisecond

// Accept returns the next connection the limits let through.
func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := peerAddr(c)
		if !addr.IsValid() || l.exempted(addr) {
			return c, nil
		}
		release, err := l.lim.Acquire(addr)
		if err != nil {
			refuse(c, err)
			continue
		}
		return &conn{Conn: c, release: release}, nil
	}
}

func (l *listener) exempted(addr netip.Addr) bool {
	for _, p := range l.exempt {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// refuse tells the client why in HTTP's words, and closes the connection.
func refuse(c net.Conn, why error) {
	body := why.Error() + "\n"
	_ = c.SetWriteDeadline(time.Now().Add(refusalWriteTimeout))
	_, _ = fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"+
		"Retry-After: 10\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	_ = c.Close()
}

func peerAddr(c net.Conn) netip.Addr {
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// conn releases its place in the count when it is closed, once.
type conn struct {
	net.Conn
	release func() // idempotent
}

func (c *conn) Close() error {
	c.release()
	return c.Conn.Close()
}
