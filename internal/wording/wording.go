// Package wording puts the hub's notices into the words users read. The
// hub says what a user is told as a typed hub.Notice and words nothing
// itself; both transports show a notice's words alike (the line port puts
// "* " before each line, the web sends them as a notice's text), so the
// words are written here once rather than in each.
//
// It imports only the hub: it knows no transport, socket or markup.
package wording

import (
	"fmt"
	"strings"
	"time"

	"github.com/anseo/anseo/internal/hub"
)

// The words of each notice, byte for byte: the line port's tests and
// docs/protocol.md quote them.
const (
	helpTitle       = "Commands:"
	helpLine        = "%-16s %s" // usage and help: the usages make a column
	whoTitle        = "%d in %s:"
	usage           = "Usage: %s"
	unknownCommand  = "Unknown command /%s. Type /help for the list, or // to start a message with /."
	noSuchName      = "Nobody called %s is here."
	notAway         = "You are not away."
	nameInvalid     = "Name invalid: %s." // NameError.Reason completes it
	nameTaken       = "Name taken, or one that looks just like it: %s."
	nameUnavailable = "Your name cannot be changed just now: the link between servers is down. Try again in a moment."
	replayGap       = "Some of what happened while you were away is too old to replay here."
	notSent         = "Not sent: the server cannot keep it just now. Try again in a moment."
	waiting         = "Waiting: the server cannot keep what you just said yet; it goes out as soon as it can."

	joinedRoom         = "You are now in %s (%s)."
	topicLine          = "Topic: %s"
	roomsTitle         = "%d rooms:"
	roomLine           = "%-20s %5d  %s" // name, members, topic: the names make a column
	topicIs            = "The topic of %s is: %s (set by %s)"
	noTopic            = "%s has no topic. Set one with /topic TEXT."
	noSuchRoom         = "You are not in a room called %s. /join %s goes in; /rooms lists them."
	roomNameInvalid    = "Room name invalid: %s." // NameError.Reason completes it
	alreadyInRoom      = "You are already in %s."
	tooManyRooms       = "No new room: the server has %d, as many as it keeps. /rooms lists them."
	tooManyRoomsForYou = "You are in %d rooms, the most one person can be in. /part one first."
	topicTooLong       = "Topic too long: at most %d characters."
	cannotPartDefault  = "Everyone starts in %s: /join another room to leave it."
)

// minIdleShown is the shortest idle time /who shows: less is not idle, and
// more is shown in whole minutes.
const minIdleShown = time.Minute

// Notice returns what ev, a hub.KindNotice event, says: one line, or
// several separated by "\n", laid out for a fixed-width font (/help and
// /who make columns). Each transport frames the lines its own way. A notice
// of a kind this package does not know says its Text, if any.
func Notice(ev *hub.Event) string {
	n := ev.Notice
	if n == nil {
		return ev.Text
	}
	switch n.Kind {
	case hub.NoticeOperator:
		return ev.Text
	case hub.NoticeHelp:
		return help(n.Commands)
	case hub.NoticeWho:
		return who(roomName(n.Room), n.People, ev.Time)
	case hub.NoticeUsage:
		return fmt.Sprintf(usage, n.Command.Usage)
	case hub.NoticeUnknownCommand:
		return fmt.Sprintf(unknownCommand, n.Command.Name)
	case hub.NoticeNoSuchName:
		return fmt.Sprintf(noSuchName, n.Name)
	case hub.NoticeNotAway:
		return notAway
	case hub.NoticeNameInvalid:
		return fmt.Sprintf(nameInvalid, n.NameError.Reason)
	case hub.NoticeNameTaken:
		return fmt.Sprintf(nameTaken, n.Name)
	case hub.NoticeNameUnavailable:
		return nameUnavailable
	case hub.NoticeReplayGap:
		return replayGap
	case hub.NoticeNotSent:
		return notSent
	case hub.NoticeWaiting:
		return waiting
	case hub.NoticeJoinedRoom:
		return joined(n.Room, n.Roster)
	case hub.NoticeRooms:
		return rooms(n.Rooms)
	case hub.NoticeTopic:
		if n.Room.Topic == "" {
			return fmt.Sprintf(noTopic, n.Room.Name)
		}
		return fmt.Sprintf(topicIs, n.Room.Name, n.Room.Topic, n.Room.TopicBy)
	case hub.NoticeNoSuchRoom:
		return fmt.Sprintf(noSuchRoom, n.Name, n.Name)
	case hub.NoticeRoomNameInvalid:
		return fmt.Sprintf(roomNameInvalid, n.NameError.Reason)
	case hub.NoticeAlreadyInRoom:
		return fmt.Sprintf(alreadyInRoom, n.Name)
	case hub.NoticeTooManyRooms:
		return fmt.Sprintf(tooManyRooms, n.Count)
	case hub.NoticeTooManyRoomsForYou:
		return fmt.Sprintf(tooManyRoomsForYou, n.Count)
	case hub.NoticeTopicTooLong:
		return fmt.Sprintf(topicTooLong, n.Count)
	case hub.NoticeCannotPartDefault:
		return fmt.Sprintf(cannotPartDefault, hub.DefaultRoom)
	}
	if s, ok := moderationNotice(ev); ok {
		return s
	}
	return ev.Text
}

// roomName is the name of room, or of the default room if none is given.
func roomName(room *hub.RoomInfo) string {
	if room == nil {
		return hub.DefaultRoom
	}
	return room.Name
}

// joined says which room one is now in, how many are there, and its topic.
func joined(room *hub.RoomInfo, roster *hub.Roster) string {
	count := room.Members
	if roster != nil {
		count = roster.Count
	}
	out := fmt.Sprintf(joinedRoom, room.Name, people(count))
	if room.Topic != "" {
		out += "\n" + fmt.Sprintf(topicLine, room.Topic)
	}
	return out
}

// people is a count of people in words: "1 person", "3 people".
func people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// rooms lists the rooms, one a line, with how many are in each and its
// topic.
func rooms(list []hub.RoomInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, roomsTitle, len(list))
	for _, r := range list {
		b.WriteByte('\n')
		b.WriteString(strings.TrimRight(fmt.Sprintf(roomLine, r.Name, r.Members, r.Topic), " "))
	}
	return b.String()
}

// help lists the commands, one a line.
func help(commands []hub.CommandInfo) string {
	var b strings.Builder
	b.WriteString(helpTitle)
	for _, c := range commands {
		b.WriteByte('\n')
		fmt.Fprintf(&b, helpLine, c.Usage, c.Help)
	}
	return b.String()
}

// who lists the people in room, one a line, with how they are connected, whether
// they are away, and how long they have been idle at now.
func who(room string, list []hub.Presence, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, whoTitle, len(list), room)
	for _, p := range list {
		fmt.Fprintf(&b, "\n%s (%s", p.Name, p.Transport)
		if p.Away {
			b.WriteString(", away")
			if p.AwayReason != "" {
				b.WriteString(": " + p.AwayReason)
			}
		}
		if idle := now.Sub(p.LastActive); idle >= minIdleShown {
			fmt.Fprintf(&b, ", idle %s", idle.Truncate(time.Minute))
		}
		b.WriteString(")")
	}
	return b.String()
}
