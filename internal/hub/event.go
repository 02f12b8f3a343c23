package hub

import "time"

// Kind says what an Event is about.
type Kind uint8

const (
	// KindJoined: Name joined the room over Transport.
	KindJoined Kind = iota + 1
	// KindLeft: Name left the room; Reason says why.
	KindLeft
	// KindMessage: Name said Text.
	KindMessage
	// KindNotice: a system notice for everyone, in Text.
	KindNotice
)

func (k Kind) String() string {
	switch k {
	case KindJoined:
		return "joined"
	case KindLeft:
		return "left"
	case KindMessage:
		return "message"
	case KindNotice:
		return "notice"
	}
	return "unknown"
}

// Transport names how a member is connected. It is shown to other users (a
// small marker in the web user list), so it is a short lower-case word.
type Transport string

// The transports anseo has.
const (
	TransportTelnet Transport = "telnet"
	TransportWeb    Transport = "web"
)

// Event is the one event model of anseo: every transport receives these and
// renders them its own way. An Event is immutable once the hub has sent it and
// is shared by all its recipients, so it must never be modified.
type Event struct {
	// ID increases strictly with every event the hub produces.
	ID uint64
	// Kind says which of the fields below are meaningful.
	Kind Kind
	// Time is when the hub produced the event.
	Time time.Time
	// Name is who joined, left or spoke. Empty for notices.
	Name string
	// Transport is the joining member's transport (KindJoined only).
	Transport Transport
	// Text is the message or notice text (KindMessage, KindNotice).
	Text string
	// Reason is why a member left (KindLeft only).
	Reason Reason

	// sender is the member who spoke (KindMessage only), so that a transport
	// can tell its own member's messages from others' without comparing names.
	sender *Member
	// ref is the sender's own reference for a message, opaque to the hub and
	// meaningful only to the sender (see Member.Say).
	ref string
}

// From reports whether m sent this message.
func (e *Event) From(m *Member) bool { return e.sender != nil && e.sender == m }

// Ref returns the reference the sender gave to Say, but only to the sender
// itself: the reference is the sender's business and nobody else's.
func (e *Event) Ref(m *Member) string {
	if e.From(m) {
		return e.ref
	}
	return ""
}

// Reason says why a member left the room.
type Reason uint8

const (
	// ReasonNone: the member is still in the room.
	ReasonNone Reason = iota
	// ReasonQuit: the member left of its own accord (or its connection closed).
	ReasonQuit
	// ReasonTooSlow: the member's queue overflowed because it did not read
	// its events fast enough.
	ReasonTooSlow
	// ReasonShutdown: the server is shutting down.
	ReasonShutdown
)

func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return "none"
	case ReasonQuit:
		return "quit"
	case ReasonTooSlow:
		return "too slow"
	case ReasonShutdown:
		return "shutdown"
	}
	return "unknown"
}

// Presence describes one member as others see it: in a user list, say.
type Presence struct {
	Name      string
	Transport Transport
	Since     time.Time
}
