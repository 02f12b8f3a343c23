package wording

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anseo/anseo/internal/hub"
)

// The words of registered names and moderation, byte for byte: the line
// port's tests and docs/protocol.md quote them.
const (
	motd           = "Message of the day: %s"
	noMotd         = "There is no message of the day."
	registerHow    = "/%s asks for the password itself, where it does not show: type /%s alone."
	notOperator    = "/%s is for operators."
	muted          = "You are muted%s%s: nobody saw what you said."
	noBans         = "No bans."
	bansTitle      = "%d bans:"
	modlogTitle    = "Moderation log, oldest first:"
	noModlog       = "Nothing in the moderation log."
	notBanned      = "No ban names %s."
	notMuted       = "%s is not muted."
	noSuchMessage  = "There is no such message in this room."
	notRegistered  = "%s is not registered: only registered names can be operators."
	nameRegistered = "%s is registered to someone else: only its password takes it."
	roomsNeedAcct  = "Only registered names make new rooms here: /register protects yours."

	accountRegistered   = "Your name is now registered: it needs your password to be taken. /password changes it, /unregister ends it."
	accountUnregistered = "Your name is no longer registered: anyone may take it once you leave."

	passwordRequired  = "That name is registered: it needs its password."
	wrongPassword     = "Wrong password."
	tooManyAttempts   = "Too many wrong passwords: try again in %s."
	alreadyRegistered = "Your name is registered already: /password changes its password."
	notRegisteredYou  = "Your name is not registered: /register protects it with a password."
	weakPassword      = "Password too short: at least %d characters. Nothing changed."
	longPassword      = "Password too long: at most %d bytes. Nothing changed."
	noAccounts        = "This server does not register names."
	accountNotDone    = "Not done: the server cannot keep it just now. Try again in a moment."
	accountFailed     = "Not done: something went wrong on the server. Try again later."

	// timeLayout is how a moment is shown: a ban's end, a log entry's time.
	timeLayout = "2006-01-02 15:04 UTC"
)

// The words the line port asks for and confirms a password with. The web
// shows a form instead, whose labels say the same.
const (
	// PasswordChanged confirms /password.
	PasswordChanged = "Password changed."
	// PasswordAsk and PasswordAgain ask for a new password, twice.
	PasswordAsk   = "Password: "
	PasswordAgain = "Again: "
	// PasswordsDiffer: the two passwords typed were not the same.
	PasswordsDiffer = "The two passwords differ. Nothing changed."
	// PasswordShows: the client would not let the server hide what is
	// typed, so the password shows on the screen as it is typed.
	PasswordShows = "Your client shows what you type: the password will show as you type it."
	// UnregisterKept: /unregister was not confirmed.
	UnregisterKept = "Your name stays registered."
)

// PasswordFor asks for the password of name, which is registered.
func PasswordFor(name string) string { return name + " is registered; password: " }

// UnregisterConfirm asks the person called name to confirm /unregister.
func UnregisterConfirm(name string) string {
	return "Type your name, " + name + ", to end its registration (anything else keeps it): "
}

// moderationNotice words the notices of registered names and moderation,
// and false for a notice of another kind.
func moderationNotice(ev *hub.Event) (string, bool) {
	n := ev.Notice
	switch n.Kind {
	case hub.NoticeMotd:
		if n.Text == "" {
			return noMotd, true
		}
		return fmt.Sprintf(motd, n.Text), true
	case hub.NoticeRegisterHow:
		return fmt.Sprintf(registerHow, n.Command.Name, n.Command.Name), true
	case hub.NoticeNotOperator:
		return fmt.Sprintf(notOperator, n.Command.Name), true
	case hub.NoticeMuted:
		where := ""
		if n.Room != nil {
			where = " in " + n.Room.Name
		}
		return fmt.Sprintf(muted, where, until(n.Until)), true
	case hub.NoticeBans:
		return bans(n.Bans), true
	case hub.NoticeModlog:
		return modlog(n.Entries), true
	case hub.NoticeBanned:
		return banned(n.Banned), true
	case hub.NoticeNotBanned:
		return fmt.Sprintf(notBanned, n.Name), true
	case hub.NoticeNotMuted:
		return fmt.Sprintf(notMuted, n.Name), true
	case hub.NoticeNoSuchMessage:
		return noSuchMessage, true
	case hub.NoticeNotRegistered:
		return fmt.Sprintf(notRegistered, n.Name), true
	case hub.NoticeNameRegistered:
		return fmt.Sprintf(nameRegistered, n.Name), true
	case hub.NoticeRoomsNeedAccount:
		return roomsNeedAcct, true
	}
	return "", false
}

// Moderation returns what ev, a hub.KindModeration entry, did, in one
// line: "alice was kicked by bob: spam". The address prefix of an address
// ban is shown only forOperator: others learn that an address was banned,
// not which.
func Moderation(ev *hub.Event, forOperator bool) string {
	m := ev.Moderation
	if m == nil {
		return ev.Text
	}
	by := operatorName(ev.Name)
	var s string
	switch m.Action {
	case hub.ActionKick:
		if ev.Room != "" {
			s = fmt.Sprintf("%s was kicked out of %s by %s", m.Target, ev.Room, by)
		} else {
			s = fmt.Sprintf("%s was kicked by %s", m.Target, by)
		}
	case hub.ActionMute:
		s = fmt.Sprintf("%s was muted%s by %s", m.Target, in(ev.Room), by)
		if !m.Until.IsZero() {
			s += " for " + span(m.Until.Sub(ev.Time))
		}
	case hub.ActionUnmute:
		s = fmt.Sprintf("%s was unmuted%s by %s", m.Target, in(ev.Room), by)
	case hub.ActionBan, hub.ActionUnban:
		verb := "banned"
		if m.Action == hub.ActionUnban {
			verb = "unbanned"
		}
		s = fmt.Sprintf("%s was %s%s by %s", banTarget(m.Target, m.Address, forOperator), verb, from(ev.Room), by)
		if m.Action == hub.ActionBan {
			s += until(m.Until)
		}
	case hub.ActionRemove:
		if m.Target == "" {
			s = fmt.Sprintf("A message was removed by %s", by)
		} else {
			s = fmt.Sprintf("A message by %s was removed by %s", m.Target, by)
		}
		return withReason(s, ev.Text) + "."
	case hub.ActionOp:
		s = fmt.Sprintf("%s made %s an operator%s", by, m.Target, of(ev.Room))
	case hub.ActionDeop:
		s = fmt.Sprintf("%s made %s no longer an operator%s", by, m.Target, of(ev.Room))
	case hub.ActionMotd:
		if ev.Text == "" {
			return by + " cleared the message of the day"
		}
		return by + " set the message of the day"
	default:
		s = fmt.Sprintf("%s did %s to %s", by, m.Action, m.Target)
	}
	return withReason(s, ev.Text)
}

// Account returns what ev, a hub.KindAccount entry, says to the person it
// is about: that its name is registered now, or no longer. Nobody else is
// told in words; their user lists mark the name.
func Account(ev *hub.Event) string {
	if ev.Registered {
		return accountRegistered
	}
	return accountUnregistered
}

// JoinError words what a join can be refused with for a registered name or
// a ban: ErrPasswordRequired, ErrWrongPassword, *hub.AttemptsError (with
// the wait), *hub.BannedError (until when, and why). It returns "" for any
// other error, which the transport words as before.
func JoinError(err error) string {
	var attempts *hub.AttemptsError
	var ban *hub.BannedError
	switch {
	case errors.As(err, &attempts):
		return fmt.Sprintf(tooManyAttempts, span(attempts.Wait))
	case errors.As(err, &ban):
		return banned(ban)
	case errors.Is(err, hub.ErrWrongPassword):
		return wrongPassword
	case errors.Is(err, hub.ErrPasswordRequired):
		return passwordRequired
	}
	return ""
}

// AccountError words why /register, /password or /unregister failed
// (Conn.Register, ChangePassword, Unregister). It never shows the error's
// own text.
func AccountError(err error) string {
	switch {
	case errors.Is(err, hub.ErrAlreadyRegistered):
		return alreadyRegistered
	case errors.Is(err, hub.ErrNotRegistered):
		return notRegisteredYou
	case errors.Is(err, hub.ErrWeakPassword):
		return fmt.Sprintf(weakPassword, hub.MinPasswordLen)
	case errors.Is(err, hub.ErrPasswordTooLong):
		return fmt.Sprintf(longPassword, hub.MaxPasswordLen)
	case errors.Is(err, hub.ErrNoAccounts):
		return noAccounts
	case errors.Is(err, hub.ErrUnavailable):
		return accountNotDone
	}
	return accountFailed
}

// banned says what keeps one out: "You are banned from #help until
// 2026-12-02 21:00 UTC: spam."
func banned(b *hub.BannedError) string {
	if b == nil {
		return "You are banned."
	}
	where := "this server"
	if b.Room != "" {
		where = b.Room
	}
	return withReason("You are banned from "+where+until(b.Until), b.Reason) + "."
}

// bans lists the bans in force, one a line. Only operators are sent them,
// so the addresses show.
func bans(list []hub.Ban) string {
	if len(list) == 0 {
		return noBans
	}
	var b strings.Builder
	fmt.Fprintf(&b, bansTitle, len(list))
	for _, ban := range list {
		b.WriteString("\n" + banTarget(ban.Name, ban.Address, true))
		b.WriteString(from(ban.Room))
		b.WriteString(" by " + operatorName(ban.By))
		if !ban.Since.IsZero() {
			b.WriteString(" since " + ban.Since.UTC().Format(timeLayout))
		}
		b.WriteString(until(ban.Until))
		if ban.Reason != "" {
			b.WriteString(": " + ban.Reason)
		}
	}
	return b.String()
}

// modlog lists moderation entries, one a line, each after its time. Only
// operators are sent it, so the addresses show.
func modlog(entries []*hub.Event) string {
	if len(entries) == 0 {
		return noModlog
	}
	var b strings.Builder
	b.WriteString(modlogTitle)
	for _, e := range entries {
		b.WriteString("\n" + e.Time.UTC().Format(timeLayout) + "  " + Moderation(e, true))
	}
	return b.String()
}

// banTarget is what a ban is on: a name, an address prefix (shown only to
// operators), or a name and its address.
func banTarget(name, address string, forOperator bool) string {
	switch {
	case address == "":
		return name
	case !forOperator && name == "":
		return "An address"
	case !forOperator:
		return name + "'s address"
	case name == "":
		return address
	}
	return name + " (" + address + ")"
}

// operatorName is who did a moderation: its name, or "the server" for what
// a node does on its own (such as banning a banned name's address).
func operatorName(name string) string {
	if name == "" {
		return "the server"
	}
	return name
}

// in, from and of place a room action: " in #help"; "" for the server.
func in(room string) string   { return prefixed(" in ", room) }
func from(room string) string { return prefixed(" from ", room) }
func of(room string) string   { return prefixed(" of ", room) }

func prefixed(prefix, room string) string {
	if room == "" {
		return ""
	}
	return prefix + room
}

// until says when a ban or a mute ends: " until 2026-12-02 21:00 UTC", or
// "" for never.
func until(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " until " + t.UTC().Format(timeLayout)
}

// withReason adds the reason an operator gave, if any.
func withReason(s, reason string) string {
	if reason == "" {
		return s
	}
	return s + ": " + reason
}

// span says a duration in words, in its two largest units, the second
// rounded up (a wait of 7.2 s is "8 seconds", never shorter than it is):
// "10 minutes", "1 hour 30 minutes", "7 days".
func span(d time.Duration) string {
	if rem := d % time.Second; rem != 0 {
		d += time.Second - rem
	}
	if d < time.Second {
		d = time.Second
	}
	units := []struct {
		size time.Duration
		name string
	}{
		{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"},
	}
	var parts []string
	for _, u := range units {
		if n := d / u.size; n > 0 {
			parts = append(parts, count(int(n), u.name))
			d -= n * u.size
		}
		if len(parts) == 2 {
			break
		}
	}
	return strings.Join(parts, " ")
}

// count is n of a unit, in words: "1 minute", "10 minutes".
func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
