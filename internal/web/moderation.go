package web

import (
	"strconv"
	"time"

	"github.com/anseo/anseo/internal/hub"
)

// moderationWords is the announcement of a moderation entry, such as
// "alice was kicked by bob: spam". Until internal/wording words these for
// every transport, the web words its own.
func moderationWords(ev *hub.Event) string {
	m := ev.Moderation
	if m == nil {
		return ""
	}
	by := ev.Name
	if by == "" {
		by = "the server"
	}
	where := ""
	if ev.Room != "" {
		where = " in " + ev.Room
	}
	target := m.Target
	if target == "" {
		target = "an address"
	}
	var s string
	switch m.Action {
	case hub.ActionKick:
		s = target + " was kicked by " + by
		if ev.Room != "" {
			s = target + " was kicked out of " + ev.Room + " by " + by
		}
	case hub.ActionMute:
		s = target + " was muted by " + by + where + until(m.Until, ev.Time)
	case hub.ActionUnmute:
		s = by + " unmuted " + target + where
	case hub.ActionBan:
		s = target + " was banned by " + by
		if ev.Room != "" {
			s = target + " was banned from " + ev.Room + " by " + by
		}
		s += until(m.Until, ev.Time)
	case hub.ActionUnban:
		s = by + " lifted the ban on " + target + where
	case hub.ActionRemove:
		s = by + " removed a message" + where
	case hub.ActionOp:
		s = by + " made " + target + " an operator of " + roomOrServer(ev.Room)
	case hub.ActionDeop:
		s = by + " made " + target + " no longer an operator of " + roomOrServer(ev.Room)
	case hub.ActionMotd:
		if ev.Text == "" {
			return by + " cleared the message of the day"
		}
		return by + " set the message of the day: " + ev.Text
	default:
		s = by + " did " + m.Action.String() + " to " + target + where
	}
	if ev.Text != "" {
		s += ": " + ev.Text
	}
	return s
}

func roomOrServer(room string) string {
	if room == "" {
		return "the server"
	}
	return room
}

// until says how long a mute or ban lasts: for a round span from now
// ("for 10m"), or until a time in UTC; "" for ever.
func until(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := t.Sub(now).Round(time.Minute)
	switch {
	case d <= 0:
		return ""
	case d < time.Hour:
		return " for " + strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour && d%time.Hour == 0:
		return " for " + strconv.Itoa(int(d/time.Hour)) + "h"
	case d%(24*time.Hour) == 0:
		return " for " + strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return " until " + t.UTC().Format("2006-01-02 15:04 UTC")
}

// bannedWords says why a ban keeps a person out, and until when, for a
// close reason and the login form.
func bannedWords(e *hub.BannedError) string {
	where := "this server"
	if e.Room != "" {
		where = e.Room
	}
	s := "You are banned from " + where
	if !e.Until.IsZero() {
		s += " until " + e.Until.UTC().Format("2006-01-02 15:04 UTC")
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s + "."
}
