package hub

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Commands, the same on every transport. Each is a line starting with "/";
// "//text" sends "/text" as a message.
var commands = []struct{ name, usage, help string }{
	{"help", "/help", "this list"},
	{"who", "/who", "who is here, how they are connected, whether away and for how long idle"},
	{"me", "/me ACTION", "do something: /me waves shows as \"alice waves\""},
	{"msg", "/msg NAME TEXT", "say TEXT to NAME alone"},
	{"nick", "/nick NEW", "change your name"},
	{"away", "/away [REASON]", "mark yourself away; anything you say brings you back"},
	{"back", "/back", "mark yourself back"},
	{"quit", "/quit [REASON]", "leave, with parting words if you like"},
}

// parseCommand splits "/name args" into its parts. "//…" and text that does
// not start with "/" are not commands.
func parseCommand(text string) (name, args string, ok bool) {
	if !strings.HasPrefix(text, "/") || strings.HasPrefix(text, "//") {
		return "", "", false
	}
	name, args, _ = strings.Cut(text[1:], " ")
	return strings.ToLower(name), strings.TrimSpace(args), true
}

// command runs the command req asks for. Hub goroutine only.
func (h *Hub) command(req request) {
	m, name, args, ref := req.member, req.name, req.text, req.ref
	p := m.person
	tell := func(format string, a ...any) {
		h.deliverPrivate(m, &Event{Kind: KindNotice, Text: fmt.Sprintf(format, a...)})
	}
	switch name {
	case "help":
		var b strings.Builder
		b.WriteString("Commands:")
		for _, c := range commands {
			fmt.Fprintf(&b, "\n%-16s %s", c.usage, c.help)
		}
		b.WriteString("\n//text           send text that starts with /")
		tell("%s", b.String())
	case "who":
		tell("%s", h.who())
	case "me":
		if args == "" {
			tell("Usage: /me ACTION")
			return
		}
		h.active(p)
		h.broadcast(&Event{Kind: KindAction, Name: p.displayName(), Text: args, sender: p, session: m, ref: ref})
	case "msg":
		to, text, _ := strings.Cut(args, " ")
		text = strings.TrimSpace(text)
		if to == "" || text == "" {
			tell("Usage: /msg NAME TEXT")
			return
		}
		target := h.byKey[nameKeyOf(to)]
		if target == nil {
			tell("Nobody called %s is here.", to)
			return
		}
		h.active(p)
		h.broadcast(&Event{Kind: KindPrivate, Name: p.displayName(), To: target.displayName(), Text: text, sender: p, session: m, target: target, ref: ref})
	case "nick":
		h.rename(req)
	case "away":
		p.wantAway = true
		h.broadcast(&Event{Kind: KindAway, Name: p.displayName(), Away: true, Text: args, sender: p})
	case "back":
		if !p.wantAway {
			tell("You are not away.")
			return
		}
		h.active(p)
	case "quit":
		h.removePerson(p, ReasonQuit, args, false)
	default:
		tell("Unknown command /%s. Type /help for the list, or // to start a message with /.", name)
	}
}

// nameKeyOf is nameKey for a name that may not be valid: an invalid one
// matches nobody.
func nameKeyOf(name string) string {
	display, err := CheckName(name)
	if err != nil {
		return ""
	}
	return nameKey(display)
}

// rename gives the person of req.member the name in req.text, if it is
// valid and free. The member's goroutine has claimed the new name already
// (Member.claimNewName); the claim is released if the rename does not
// happen, and the old name once the rename is in the log (change).
func (h *Hub) rename(req request) {
	m, p := req.member, req.member.person
	tell := func(text string) { h.deliverPrivate(m, &Event{Kind: KindNotice, Text: text}) }
	display, err := CheckName(req.text)
	var nameErr *NameError
	if errors.As(err, &nameErr) {
		tell("Name invalid: " + nameErr.Reason + ".")
		return
	}
	old := p.displayName()
	newKey := nameKey(display)
	renamed := false
	defer func() {
		if req.claimed && !renamed {
			h.opts.Names.Release(newKey)
		}
	}()
	switch { // the registry decides who has a name, not who the room lists
	case errors.Is(req.err, ErrNameTaken):
		tell("Name taken: " + display + ".")
		return
	case req.err != nil: // ErrUnavailable
		h.log.Warn("claiming a new name failed", "err", req.err)
		tell("Your name cannot be changed just now: the link between servers is down. Try again in a moment.")
		return
	case display == old:
		return
	}
	h.active(p)
	renamed = h.append(&Event{Kind: KindRenamed, Name: old, NewName: display, sender: p}, nil)
	if !renamed {
		tell("Not sent: the server cannot keep it just now. Try again in a moment.")
		return
	}
	p.setName(display) // its further entries carry the new name
}

// who describes everyone in the room, one line each.
func (h *Hub) who() string {
	now := h.opts.Now()
	roster := h.roster()
	var b strings.Builder
	fmt.Fprintf(&b, "%d here:", len(roster))
	for _, r := range roster {
		fmt.Fprintf(&b, "\n%s (%s", r.Name, r.Transport)
		if r.Away {
			b.WriteString(", away")
			if r.AwayReason != "" {
				b.WriteString(": " + r.AwayReason)
			}
		}
		if idle := now.Sub(r.LastActive); idle >= time.Minute {
			fmt.Fprintf(&b, ", idle %s", idle.Truncate(time.Minute))
		}
		b.WriteString(")")
	}
	return b.String()
}
