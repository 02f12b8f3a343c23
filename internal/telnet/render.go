package telnet

import (
	"strings"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/wording"
)

// A line is one line anseo shows a member, in parts, so that the line port
// can send its words as they are and a terminal can colour names and mark
// mentions in the same words.
type line struct {
	notice bool // one of anseo's own lines: it begins with "* " (noticePrefix)
	parts  []part
}

type part struct {
	text string
	kind partKind
}

type partKind uint8

const (
	partWords partKind = iota // anseo's own words
	partName                  // a user's name
	partText                  // what a user wrote
)

// says fills format's %s verbs with parts: says("<%s> %s", name, text).
func says(format string, args ...part) []part {
	var parts []part
	for i := 0; ; i++ {
		before, after, found := strings.Cut(format, "%s")
		if before != "" {
			parts = append(parts, part{text: before})
		}
		if !found || i >= len(args) {
			return parts
		}
		parts = append(parts, args[i])
		format = after
	}
}

func name(s string) part { return part{text: s, kind: partName} }
func text(s string) part { return part{text: s, kind: partText} }

// plain is the line's words as the line port sends them, without its end.
func (l line) plain() string {
	var b strings.Builder
	if l.notice {
		b.WriteString(noticePrefix)
	}
	for _, p := range l.parts {
		b.WriteString(p.text)
	}
	return b.String()
}

// plainLines is the line port's bytes for lines: each line, CR LF.
func plainLines(lines []line) []byte {
	var b []byte
	for _, l := range lines {
		b = append(b, l.plain()...)
		b = append(b, crlf...)
	}
	return b
}

// notices makes a "* " line of each line of text.
func notices(text string) []line {
	var out []line
	for l := range strings.SplitSeq(text, "\n") {
		out = append(out, line{notice: true, parts: []part{{text: l}}})
	}
	return out
}

// renderer turns events into the lines one member sees. It remembers
// whether a replay is under way, because replayed history is shown as
// notices ("* [12:03] <bob> hi"), apart from the live conversation.
type renderer struct {
	m      *hub.Conn
	replay hub.ReplayKind
	// ownLines shows the member's own messages back to them, as a
	// terminal's line editor needs: the seed's client showed its own line
	// itself, so the line port does not.
	ownLines bool
}

// render returns the line port's raw output for ev, CR LF line ends
// included, or nil. What every member sees alike (a live seed-protocol
// line, a notice for all) is rendered once per event and shared; only what
// depends on who reads it is rendered per member.
func (r *renderer) render(ev *hub.Event) []byte {
	if ev.Kind == hub.KindLeft && ev.Room != "" && ev.Name == r.m.Name() && !removed(ev) {
		return nil // its own /part: the room it is in now says so
	}
	if r.replay == 0 && !ev.From(r.m) && !personal(ev) && ev.Kind != hub.KindReplayBegin && ev.Kind != hub.KindReplayEnd {
		return sharedLines.Of(ev)
	}
	return plainLines(r.renderFor(ev))
}

// personal reports whether what ev shows depends on who reads it, beyond
// whether they sent it: a change to someone's account is told only to
// them, a removal only to the one removed, and the address of an address
// ban only to operators.
func personal(ev *hub.Event) bool {
	switch ev.Kind {
	case hub.KindAccount:
		return true
	case hub.KindLeft:
		return removed(ev)
	case hub.KindModeration:
		return ev.Moderation != nil && ev.Moderation.Address != ""
	}
	return false
}

// removed reports whether a departure was an operator's doing (a kick or a
// ban), which the moderation line before it has told.
func removed(ev *hub.Event) bool {
	return ev.Reason == hub.ReasonKicked || ev.Reason == hub.ReasonBanned
}

// own reports whether ev is about r's member (by the name it goes by).
func (r *renderer) own(ev *hub.Event) bool { return r.m != nil && ev.Name == r.m.Name() }

// forOperator reports whether r's member is shown what only operators see
// (the address of an address ban): a server operator's is.
func (r *renderer) forOperator() bool { return r.m != nil && r.m.Operator() }

// sharedLines is what every member that did not send an event sees of it
// live, rendered once per event.
var sharedLines = hub.NewSharedEncoding(renderShared)

// renderShared renders ev as any member that did not send it sees it live.
func renderShared(ev *hub.Event) []byte {
	r := renderer{}
	return plainLines(r.renderFor(ev))
}

// renderFor returns the lines r's member sees of ev now.
func (r *renderer) renderFor(ev *hub.Event) []line {
	m := r.m
	switch ev.Kind {
	case hub.KindJoined:
		return r.said(says(seedJoined, name(ev.Name)), ev)
	case hub.KindJoins: // the seed's line for each
		var out []line
		for _, j := range ev.Joins {
			out = append(out, r.renderFor(j)...)
		}
		return out
	case hub.KindLeft:
		if removed(ev) {
			return r.removedLines(ev)
		}
		out := r.said(says(seedLeft, name(ev.Name)), ev)
		if ev.Text != "" {
			out = append(out, line{notice: true, parts: says(noticeQuit, name(ev.Name), text(ev.Text))})
		}
		return out
	case hub.KindMessage:
		if m != nil && ev.From(m) && r.replay == 0 && !r.ownLines {
			return nil // the seed's client showed its own line itself
		}
		if ev.Removed {
			return asNotices(r.said(says(noticeRemoved, name(ev.Name)), ev))
		}
		return eachLine(ev.Text, func(t part) []line { return r.said(says(seedMessage, name(ev.Name), t), ev) })
	case hub.KindAction:
		return eachLine(ev.Text, func(t part) []line { return r.said(says(actionLine, name(ev.Name), t), ev) })
	case hub.KindPrivate:
		if m != nil && ev.From(m) {
			return eachLine(ev.Text, func(t part) []line {
				return []line{{notice: true, parts: says(noticePrivateTo, name(ev.To), t)}}
			})
		}
		return eachLine(ev.Text, func(t part) []line {
			return []line{{notice: true, parts: says(noticePrivateFrom, name(ev.Name), t)}}
		})
	case hub.KindRenamed:
		return []line{{notice: true, parts: says(noticeRenamed, name(ev.Name), name(ev.NewName))}}
	case hub.KindTopic:
		if ev.Text == "" {
			return []line{{notice: true, parts: says(noticeTopicCleared, name(ev.Name))}}
		}
		return []line{{notice: true, parts: says(noticeTopic, name(ev.Name), text(ev.Text))}}
	case hub.KindAway:
		switch {
		case !ev.Away:
			return []line{{notice: true, parts: says(noticeBack, name(ev.Name))}}
		case ev.Text != "":
			return []line{{notice: true, parts: says(noticeAwayBecause, name(ev.Name), text(ev.Text))}}
		}
		return []line{{notice: true, parts: says(noticeAway, name(ev.Name))}}
	case hub.KindNotice:
		return notices(wording.Notice(ev))
	case hub.KindModeration:
		return notices(wording.Moderation(ev, r.forOperator()))
	case hub.KindAccount:
		if !r.own(ev) {
			return nil // others' user lists mark it; there are none here
		}
		return notices(wording.Account(ev))
	case hub.KindReplayBegin:
		r.replay = ev.Replay
		if ev.Replay == hub.ReplayHistory {
			return notices(noticeHistoryBegin)
		}
		return notices(noticeMissedBegin)
	case hub.KindReplayEnd:
		r.replay = 0
		if ev.Replay == hub.ReplayHistory {
			return notices(noticeHistoryEnd)
		}
		return notices(noticeMissedEnd)
	}
	return nil
}

// eachLine renders every line of a user's text (a message may have
// several) on its own, with the sender in front of each ("<alice> one",
// "<alice> two", as the seed shows lines said one after another): no line
// of someone's message can pass for a line of the server's or of someone
// else's.
func eachLine(s string, render func(text part) []line) []line {
	var out []line
	for l := range strings.SplitSeq(s, "\n") {
		out = append(out, render(text(l))...)
	}
	return out
}

// said is a line someone said (a seed-protocol line, an action), live; in
// replayed history it becomes a notice with the time, so nobody mistakes
// the past for the present.
func (r *renderer) said(parts []part, ev *hub.Event) []line {
	if r.replay == hub.ReplayHistory {
		time := part{text: ev.Time.UTC().Format("[15:04] ")}
		return []line{{notice: true, parts: append([]part{time}, parts...)}}
	}
	return []line{{parts: parts}}
}

// removedLines is what a kick or a ban out of a room shows: to everyone
// else nothing (the moderation line said it), to the one removed where it
// was removed from. One removed from the server is told as the connection
// closes (farewell).
func (r *renderer) removedLines(ev *hub.Event) []line {
	if !r.own(ev) || ev.Room == "" {
		return nil
	}
	format := noticeKickedOut
	if ev.Reason == hub.ReasonBanned {
		format = noticeBannedFrom
	}
	return []line{{notice: true, parts: says(format, text(ev.Room))}}
}

// asNotices makes lines anseo's own.
func asNotices(lines []line) []line {
	for i := range lines {
		lines[i].notice = true
	}
	return lines
}
