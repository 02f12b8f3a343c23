package hub

import (
	"crypto/rand"
	"encoding/base32"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// person is one name in the room, as others see it. It has one or more
// connections (Conns: tabs, a reconnection), or none for a moment while the
// grace period runs. All fields but name, flood and delayed are
// owned by the hub goroutine.
//
// A person on this node changes its name and goes away at once, as far as
// its own further entries go (name, wantAway), and in the room when the
// log gives the change back (listed, away).
type person struct {
	name      atomic.Pointer[string] // the name it speaks under; /nick changes it
	listed    string                 // the name the room knows it by, as the log has it
	token     string
	session   string    // JoinOptions.Session: who is behind it, across renames and restarts
	transport Transport // of the first connection: what the user list shows
	since     time.Time
	joinID    uint64  // ID of the KindJoined event: joining order
	inList    bool    // in the server's list of names (Hub.byKey)
	rooms     []*room // the rooms it is in, in the order it joined them
	oneRoom   bool    // JoinOptions.OneRoom: in one room at a time

	registered atomic.Bool // logged in to its name's account (see Conn.Registered)
	operator   atomic.Bool // a server operator, as its join said
	addr       netip.Addr  // where its first connection came from (JoinOptions.Address); local people only

	flood   *rate.Limiter // shared by its connections: tabs do not multiply the rate
	delayed atomic.Int32  // messages slowed in a row by flood control

	conns      []*Conn
	keepOnDrop bool
	lastActive time.Time
	wantAway   bool      // it said /away, and nothing since
	inFlight   int       // its entries appended to the log and not yet back
	held       []request // what it asked for while a command waited for inFlight to reach 0
	away       bool
	awayReason string
	lastSeen   uint64 // last event queued to its last connection, when it dropped
	detachGen  uint64 // bumped on every attach; an expiry for an older one is void
	graceTimer *time.Timer
	gone       bool // removed from the room
	remote     bool // in a cluster: on another node; only its presence is known here
}

func (p *person) displayName() string { return *p.name.Load() }

func (p *person) setName(name string) { p.name.Store(&name) }

// newToken returns a fresh secret that identifies a person: 80 random bits,
// in lower-case base32 so that a telnet user can type it.
func newToken() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// ring keeps the last n events, oldest first.
type ring struct {
	buf   []*Event
	start int
	n     int
}

func newRing(size int) *ring { return &ring{buf: make([]*Event, size)} }

func (r *ring) push(ev *Event) {
	if len(r.buf) == 0 {
		return
	}
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = ev
		r.n++
		return
	}
	r.buf[r.start] = ev
	r.start = (r.start + 1) % len(r.buf)
}

// all calls yield with each event, oldest first.
func (r *ring) all(yield func(*Event) bool) {
	for i := range r.n {
		if !yield(r.buf[(r.start+i)%len(r.buf)]) {
			return
		}
	}
}

// replace swaps the event with ID id, if held, for what with makes of it.
func (r *ring) replace(id uint64, with func(*Event) *Event) {
	for i := range r.n {
		j := (r.start + i) % len(r.buf)
		if ev := r.buf[j]; ev.ID == id {
			r.buf[j] = with(ev)
			return
		}
	}
}

// oldestID is the ID of the oldest event held, 0 if none.
func (r *ring) oldestID() uint64 {
	if r.n == 0 {
		return 0
	}
	return r.buf[r.start].ID
}
