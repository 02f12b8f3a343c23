package hub

import (
	"context"
	"strings"
	"sync/atomic"
	"time"
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
// Say returns ErrClosed if the hub has stopped, or ctx's error.
func (m *Member) Say(ctx context.Context, text, ref string) error {
	text = cleanText(text)
	if isBlank(text) {
		return ErrEmptyText
	}
	return m.hub.send(ctx, request{kind: reqSay, member: m, text: text, ref: ref})
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
