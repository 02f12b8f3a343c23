package hub

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Member is one user's place in the hub. Its methods are safe from any
// goroutine.
//
// Events arrive on Events in the order the hub produced them. A member more
// than Options.QueueLen events behind is removed: Events is closed and Reason
// reports ReasonTooSlow. Whatever the cause of removal, Events is closed
// exactly once, by the hub, and Reason is set before it is.
type Member struct {
	hub       *Hub
	name      string
	transport Transport
	since     time.Time
	events    chan *Event
	roster    []Presence
	reason    atomic.Uint32

	flood   *rate.Limiter
	delayed atomic.Int32 // messages slowed in a row by flood control

	// Owned by the hub goroutine.
	index      int    // position in hub.members; -1 once removed
	joinID     uint64 // ID of the member's KindJoined event: its joining order
	overflowed bool   // its queue overflowed; it is about to be removed
}

// gone reports whether the member is leaving or has left. Hub goroutine only.
func (m *Member) gone() bool { return m.index < 0 || m.overflowed }

// Name returns the member's name as it is displayed.
func (m *Member) Name() string { return m.name }

// Transport returns how the member is connected.
func (m *Member) Transport() Transport { return m.transport }

// Events returns the member's queue. The hub closes it when the member leaves
// the room, for whatever reason; read Reason after that to learn which.
func (m *Member) Events() <-chan *Event { return m.events }

// Roster returns who was in the room when the member joined, the member
// included, ordered by joining time. Later changes arrive as KindJoined and
// KindLeft events, so the two together give an exact, live user list.
func (m *Member) Roster() []Presence { return m.roster }

// Reason says why the member was removed. It is ReasonNone until Events has
// been closed.
func (m *Member) Reason() Reason { return Reason(m.reason.Load()) }

// Say sends text to the room. It returns once the hub has the request, before
// the message is delivered; the member's own copy of the message, which
// arrives on its Events like everyone else's, confirms delivery and carries
// ref (see Event.Ref) so a client can match it to what it showed at once.
//
// Text is cleaned of control characters and escape sequences first. Text that
// is then empty or only whitespace is not sent: Say returns ErrEmptyText.
// Longer text than Options.MaxTextBytes is not sent: ErrTooLong.
//
// Say applies the member's flood control (Options.Flood): beyond the burst
// it waits before sending, which slows the caller's reading and so the
// flood; a flood that goes on is refused with ErrFlood. Say returns ErrClosed
// if the hub has stopped, or ctx's error. Call it from one goroutine, the
// member's reader, so that messages keep their order.
func (m *Member) Say(ctx context.Context, text, ref string) error {
	text = cleanText(text)
	switch {
	case isBlank(text):
		return ErrEmptyText
	case len(text) > m.hub.opts.MaxTextBytes:
		m.hub.opts.Metrics.Refused(m.transport, ErrTooLong)
		return ErrTooLong
	}
	if err := m.throttle(ctx); err != nil {
		if errors.Is(err, ErrFlood) {
			m.hub.opts.Metrics.Refused(m.transport, err)
		}
		return err
	}
	if err := m.hub.send(ctx, request{kind: reqSay, member: m, text: text, ref: ref}); err != nil {
		return err
	}
	m.hub.opts.Metrics.Said(m.transport)
	return nil
}

// throttle waits as flood control requires, or refuses with ErrFlood.
func (m *Member) throttle(ctx context.Context) error {
	res := m.flood.Reserve()
	delay := res.Delay()
	if delay == 0 {
		m.delayed.Store(0) // the member paused: the flood, if any, is over
		return nil
	}
	if int(m.delayed.Add(1)) > m.hub.opts.Flood.MaxDelayed {
		res.Cancel() // a refused message costs nothing, so a pause ends it
		return ErrFlood
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		res.Cancel()
		return ctx.Err()
	}
}

// Leave removes the member from the room with ReasonQuit, frees its name and
// tells everyone else. It does not wait for the hub to act; Events is closed
// when it has. Leave is safe to call more than once, and after the member has
// already been removed for another reason.
func (m *Member) Leave() {
	// A background context: leaving must not be skipped because the caller's
	// context ended, or the name would stay taken. send still returns as soon
	// as the hub has stopped, so this cannot block forever.
	_ = m.hub.send(context.Background(), request{kind: reqLeave, member: m})
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }
