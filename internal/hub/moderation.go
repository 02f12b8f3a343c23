package hub

import (
	"fmt"
	"time"
)

// Action is what an operator did (KindModeration).
type Action uint8

const (
	// ActionKick: Target was kicked: out of Room, or off the server if
	// the entry has no Room. Its resume token stops working.
	ActionKick Action = iota + 1
	// ActionMute: Target can read but not say anything (in Room, or
	// anywhere) until Until (zero: until unmuted).
	ActionMute
	// ActionUnmute: Target may speak again.
	ActionUnmute
	// ActionBan: Target (a name) or Address (an address prefix), or both,
	// may not come back (into Room, or to the server) until Until (zero:
	// until unbanned). Whoever it matches now is removed.
	ActionBan
	// ActionUnban: the ban on Target or Address ends.
	ActionUnban
	// ActionRemove: the message with ID Message, in Room, was removed: its
	// text is gone from the history and from every screen.
	ActionRemove
	// ActionOp: Target is now an operator of Room.
	ActionOp
	// ActionDeop: Target is no longer an operator of Room.
	ActionDeop
	// ActionMotd: the server's message of the day is now the event's Text,
	// shown to everyone after the welcome ("" clears it).
	ActionMotd
)

func (a Action) String() string {
	switch a {
	case ActionKick:
		return "kick"
	case ActionMute:
		return "mute"
	case ActionUnmute:
		return "unmute"
	case ActionBan:
		return "ban"
	case ActionUnban:
		return "unban"
	case ActionRemove:
		return "remove"
	case ActionOp:
		return "op"
	case ActionDeop:
		return "deop"
	case ActionMotd:
		return "motd"
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// Moderation is what a KindModeration entry did. Its Event's Name is the
// operator who did it ("" for the server itself, such as a ban that a
// node adds for the address of a banned name), its Room where ("" for the
// whole server), its Text the reason given (or the new message of the day).
// Like its Event, it is shared and must never be modified.
type Moderation struct {
	Action Action
	// Target is the name concerned, as the room knew it: who was kicked,
	// muted, banned, appointed.
	Target string
	// Address is the address prefix a ban or unban is about, such as
	// "203.0.113.7/32" or "2001:db8:1:2::/64". Only operators are shown
	// it.
	Address string
	// Message is the ID of the message removed (ActionRemove).
	Message uint64
	// Until is when a mute or a ban ends; the zero time: never.
	Until time.Time
}

// Ban is one ban in force, as /bans lists it.
type Ban struct {
	Room    string // "" for the whole server
	Name    string // the name banned, if any
	Address string // the address prefix banned, if any
	Until   time.Time
	Reason  string
	By      string
	Since   time.Time
}

// BannedError is returned by Join, and told to a person as it is removed,
// when a ban keeps it out: of the server, or (Room) of a room.
type BannedError struct {
	Room   string
	Until  time.Time // zero: until unbanned
	Reason string
}

func (e *BannedError) Error() string {
	where := "this server"
	if e.Room != "" {
		where = e.Room
	}
	s := "banned from " + where
	if !e.Until.IsZero() {
		s += " until " + e.Until.UTC().Format(time.RFC3339)
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}
