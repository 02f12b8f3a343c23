// Package connlimit caps open connections, per client address and in all,
// across every transport: a browser tab and a telnet session from one
// address count against the same limit.
package connlimit

import (
	"errors"
	"net/netip"
	"sync"
)

// ErrPerIP is returned when the client's address has too many connections.
var ErrPerIP = errors.New("too many connections from your address")

// ErrTotal is returned when the server has as many connections as it allows.
var ErrTotal = errors.New("server full")

// Limiter counts open connections. Its methods are safe from any goroutine;
// a mutex suffices, as it is held only to update two counters.
type Limiter struct {
	perIP int
	total int

	mu    sync.Mutex
	open  int
	byKey map[netip.Addr]int
}

// Defaults for New.
const (
	// DefaultPerIP allows a household or a small office behind one address
	// a tab each, and stops one client from taking the whole server.
	DefaultPerIP = 16
	// DefaultTotal keeps the server within the file descriptors a small box
	// gives one process, with room for the listeners and the database.
	DefaultTotal = 10_000
)

// New returns a limiter allowing perIP connections per address and total in
// all. A limit of zero or less means its default.
func New(perIP, total int) *Limiter {
	if perIP <= 0 {
		perIP = DefaultPerIP
	}
	if total <= 0 {
		total = DefaultTotal
	}
	return &Limiter{perIP: perIP, total: total, byKey: make(map[netip.Addr]int)}
}

// PerIP returns the per-address limit, for messages to the user.
func (l *Limiter) PerIP() int { return l.perIP }

// Total returns the limit on all connections, for messages to the user.
func (l *Limiter) Total() int { return l.total }

// Acquire counts a new connection from addr, or returns ErrPerIP or
// ErrTotal. On success the caller must call release exactly once when the
// connection ends. IPv4 addresses in IPv6 form count as IPv4, and an IPv6
// client counts by its /64, which is what one household or host is given.
func (l *Limiter) Acquire(addr netip.Addr) (release func(), err error) {
	key := keyOf(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.open >= l.total:
		return nil, ErrTotal
	case l.byKey[key] >= l.perIP:
		return nil, ErrPerIP
	}
	l.open++
	l.byKey[key]++
	var once sync.Once
	return func() { once.Do(func() { l.release(key) }) }, nil
}

func (l *Limiter) release(key netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byKey[key]--; l.byKey[key] <= 0 {
		delete(l.byKey, key)
	}
}

func keyOf(addr netip.Addr) netip.Addr {
	addr = addr.Unmap()
	if addr.Is6() {
		p, err := addr.Prefix(64)
		if err == nil {
			return p.Addr()
		}
	}
	return addr
}
