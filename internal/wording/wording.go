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
	whoTitle        = "%d here:"
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
		return who(n.People, ev.Time)
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
	}
	return ev.Text
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

// who lists the people, one a line, with how they are connected, whether
// they are away, and how long they have been idle at now.
func who(people []hub.Presence, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, whoTitle, len(people))
	for _, p := range people {
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
