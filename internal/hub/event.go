package hub

import (
	"sync/atomic"
	"time"
)

// Kind says what an Event is about.
type Kind uint8

const (
	// KindJoined: Name joined the room over Transport.
	KindJoined Kind = iota + 1
	// KindLeft: Name left the room; Reason says why.
	KindLeft
	// KindMessage: Name said Text.
	KindMessage
	// KindNotice: a notice from the server, what it says in Notice: the
	// operator's words for everyone, or for one connection only the outcome
	// of a command it typed (/help, /who, a mistake) or a note about what
	// it was sent.
	KindNotice
	// KindAction: Name did Text ("/me waves": Text is "waves").
	KindAction
	// KindPrivate: Name said Text to To alone (/msg). Only the two of them
	// receive it.
	KindPrivate
	// KindRenamed: Name is now known as NewName (/nick).
	KindRenamed
	// KindAway: Name went away (Away true, Text the reason, maybe empty) or
	// came back (Away false).
	KindAway
	// KindReplayBegin and KindReplayEnd bracket, for one member only, events
	// that happened before it joined (the recent history a newcomer sees)
	// or while it was disconnected (what a resumed member missed). Between
	// them, Replay says which.
	KindReplayBegin
	KindReplayEnd
	// KindTopic: Name set Room's topic to Text ("" clears it).
	KindTopic
	// KindModeration: an operator, Name, did what Moderation says, in
	// Room or ("") on the whole server, for the reason in Text.
	KindModeration
	// KindAccount: Name registered its name (Registered true: /register)
	// or ended its account (false: /unregister).
	KindAccount
	// KindJoins: several people joined Room within a moment; Joins holds
	// their KindJoined events in order, and ID and Time are the last one's.
	// The hub makes it of the joins that waited together for delivery (see
	// presenceDelay) when a connection is to hear of more than one: a
	// storm of joins costs each member one event per delivery, not one per
	// newcomer. It is never in the log or the history.
	KindJoins
)

// presence reports whether events of kind k change only the user list:
// who is here, and who is away. Their delivery may wait a moment for
// others (see presenceDelay).
func (k Kind) presence() bool {
	return k == KindJoined || k == KindLeft || k == KindAway || k == KindJoins
}

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
	case KindAction:
		return "action"
	case KindPrivate:
		return "private"
	case KindRenamed:
		return "renamed"
	case KindAway:
		return "away"
	case KindReplayBegin:
		return "replay begin"
	case KindReplayEnd:
		return "replay end"
	case KindTopic:
		return "topic"
	case KindModeration:
		return "moderation"
	case KindAccount:
		return "account"
	case KindJoins:
		return "joins"
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
	// Room is the room the event happened in (KindJoined, KindLeft,
	// KindMessage, KindAction, KindTopic), by its display name ("#help").
	// Empty for what is about a person wherever they are: a departure from
	// the server (KindLeft), a rename, away and back, a private message.
	Room string
	// Name is who joined, left or spoke. Empty for notices.
	Name string
	// Transport is the joining member's transport (KindJoined only).
	Transport Transport
	// Text is the message text (KindMessage, KindAction, KindPrivate), or
	// the operator's words (KindNotice, NoticeOperator).
	Text string
	// Mentions are the people the text names (KindMessage, KindAction), by
	// the names the room listed them under when it was said: worked out
	// once, by the hub, as names compare (see wordKeys). Nil for a
	// message read back from the history store.
	Mentions []string
	// Reason is why a member left (KindLeft only). Text then holds the
	// words they left with (/quit REASON), if any.
	Reason Reason
	// To is the recipient of a private message (KindPrivate).
	To string
	// ToSession is the recipient's JoinOptions.Session (KindPrivate), if
	// it has one: the store gives a session its private conversations.
	ToSession string
	// NewName is the member's new name (KindRenamed).
	NewName string
	// Away is whether the member went away or came back (KindAway).
	Away bool
	// Replay says what a replay is (KindReplayBegin, KindReplayEnd).
	Replay ReplayKind
	// Notice is what a notice says (KindNotice), for each transport to put
	// into words: the hub words nothing a user reads.
	Notice *Notice
	// Registered: the person logged in to its registered name with its
	// password (KindJoined), or registered its name (KindAccount).
	Registered bool
	// Operator: the person is a server operator (KindJoined).
	Operator bool
	// RoomOp: the person is an operator of Room (KindJoined), as each node
	// works it out when it applies the entry; not kept in the history.
	RoomOp bool
	// Moderation says what an operator did (KindModeration).
	Moderation *Moderation
	// Removed: an operator removed this message (ActionRemove); its Text
	// is gone. Read back from the history store.
	Removed bool
	// Joins are the joins a KindJoins stands for, in order.
	Joins []*Event
	// Session is the JoinOptions.Session of the person the entry is about
	// (who spoke, joined, left, renamed themselves or went away), if it
	// joined with one: it is kept in the history, so that a person's own
	// messages are still theirs after a rename or a restart, and so that
	// its session can learn the name it was last known by (see
	// Store.LastName).
	Session string

	// sender is the person the entry is about: who spoke (messages,
	// actions, private messages), so that a transport can tell its own from
	// others' without comparing names, or who joined, left, renamed
	// themselves or went away, so that the hub applies its own entries to
	// the right person; session is the connection it spoke on.
	sender *person
	conn   *Conn
	// target is the recipient of a private message, or the person a
	// moderation entry is about, if known here.
	target *person
	// room is the room the entry happened in, as the hub resolved it for
	// its own entries; roomKey is RoomKey(Room), worked out beside the hub
	// for another node's (see Receive).
	room    *room
	roomKey string
	// words are the keys of the names the text could name (wordKeys),
	// worked out beside the hub, for it to find mentions in (Mentions).
	words []string
	// ref is the sender's own reference for a message, opaque to the hub and
	// meaningful only to the connection that sent it (see Conn.Say).
	ref string
	// encoded caches each transport's rendering (see SharedEncoding).
	encoded [maxEncodingSlots]atomic.Pointer[[]byte]
}

// From reports whether m's person sent this message, action or private
// message: on any of its connections, so that a second tab shows its own
// messages as its own.
//
// An entry from before the person joined (the history, after a restart)
// is its own if it came from the same session (JoinOptions.Session).
func (e *Event) From(m *Conn) bool {
	switch e.Kind {
	case KindMessage, KindAction, KindPrivate:
		return (e.sender != nil && e.sender == m.person) ||
			(e.Session != "" && e.Session == m.person.session)
	}
	return false
}

// Ref returns the reference the sender gave to Say, but only to the
// connection that sent it: the reference is its business and nobody else's.
func (e *Event) Ref(m *Conn) string {
	if e.conn == m {
		return e.ref
	}
	return ""
}

// visibleTo reports whether p may see ev when it is replayed: it is in the
// room, or shares one with whom it is about, or it is one of a private
// message's two people.
func (e *Event) visibleTo(p *person) bool {
	switch {
	case e.Kind == KindPrivate:
		return e.sender == p || e.target == p
	case e.room != nil:
		return e.room.members[p] != nil
	case e.sender != nil:
		return e.sender == p || p.shares(e.sender)
	}
	return true
}

// comingAndGoingOf reports whether ev is p's own departure or arrival, as
// the same person (its token) before it came back with /resume: what p
// missed while it was gone is what others did, not that it went.
func (e *Event) comingAndGoingOf(p *person) bool {
	return (e.Kind == KindLeft || e.Kind == KindJoined) &&
		e.sender != nil && p.token != "" && e.sender.token == p.token
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
	// ReasonMoved: the member resumed on another node of the cluster; the
	// room saw no departure.
	ReasonMoved
	// ReasonLost: this node lost touch with the cluster for so long that
	// the member's name was freed.
	ReasonLost
	// ReasonPart: the member left one room (/part) and stays on the
	// server (KindLeft with a Room).
	ReasonPart
	// ReasonKicked: an operator kicked the member, out of a room (KindLeft
	// with a Room) or off the server. The KindModeration entry before it
	// said so; transports show the departure only in user lists.
	ReasonKicked
	// ReasonBanned: a ban keeps the member out, of a room or the server;
	// as ReasonKicked.
	ReasonBanned
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
	case ReasonMoved:
		return "moved"
	case ReasonLost:
		return "lost"
	case ReasonPart:
		return "part"
	case ReasonKicked:
		return "kicked"
	case ReasonBanned:
		return "banned"
	}
	return "unknown"
}

// Roster is who is in the room as of an event: People in joining order,
// everyone or the first ones, and how many there are in all. The events
// after AsOf change it.
type Roster struct {
	People []Presence
	Count  int
	AsOf   uint64 // the ID of the last event it counts
}

// Presence describes one member as others see it: in a user list, say.
type Presence struct {
	Name       string
	Transport  Transport
	Since      time.Time // when it joined
	Away       bool
	AwayReason string
	LastActive time.Time // when it last said or did something: its idle time
	Registered bool      // logged in to its registered name
	Operator   bool      // a server operator
	RoomOp     bool      // an operator of the room the list is of
}

// RoomInfo describes a room as /rooms and the room browser list it.
type RoomInfo struct {
	Name    string // display name, "#help"
	Topic   string
	TopicBy string    // who set the topic
	TopicAt time.Time // when
	Created time.Time
	Members int // people in it now (0 from a Store)
}

// ReplayKind says why events are replayed to a member.
type ReplayKind uint8

const (
	// ReplayHistory: the room's recent messages, shown to a newcomer.
	ReplayHistory ReplayKind = iota + 1
	// ReplayMissed: what happened while the member was disconnected.
	ReplayMissed
)
