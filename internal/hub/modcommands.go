package hub

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the operators' commands: /kick, /mute, /unmute, /ban,
// /unban, /bans, /op, /deop, /motd, /remove and /modlog. Typed by a
// server operator, one about a person acts on the whole server; typed by
// an operator of a room (and nobody else), on that room. Each action is a
// KindModeration entry in the log (see moderate), so it holds on every
// node and after a restart.

// opScope returns where an operator command typed as req acts: nil for
// the whole server (a server operator), or the room it was typed in (one
// of its operators); or the notice that its person may not.
func (h *Hub) opScope(req request) (*room, *Notice) {
	p := req.conn.person
	if p.operator.Load() {
		return nil, nil
	}
	if r := h.roomAsked(req); r != nil && h.roomOp(p, r) {
		return r, nil
	}
	return nil, h.notOperator(req)
}

// opRoom returns the room req was typed in, if its person may act as an
// operator there (/op, /deop, /remove are always about one room).
func (h *Hub) opRoom(req request) (*room, *Notice) {
	r := h.roomAsked(req)
	if r == nil || r.members[req.conn.person] == nil {
		return nil, h.noRoom(req, r)
	}
	if !h.roomOp(req.conn.person, r) {
		return nil, h.notOperator(req)
	}
	return r, nil
}

func (h *Hub) notOperator(req request) *Notice {
	return &Notice{Kind: NoticeNotOperator, Command: lookup(req.name).CommandInfo}
}

// moderation appends what an operator did, where (r nil: the server).
func (h *Hub) moderation(req request, r *room, reason string, mod *Moderation) {
	p := req.conn.person
	h.active(p)
	ev := &Event{Kind: KindModeration, Name: p.displayName(), Text: reason, Moderation: mod, sender: p, conn: req.conn, ref: req.ref}
	if r != nil {
		ev.Room, ev.room = r.name, r
	}
	h.broadcast(ev)
}

func (h *Hub) cmdKick(req request) *Notice {
	name, reason := cutWord(req.text)
	if name == "" {
		return usage(req)
	}
	r, n := h.opScope(req)
	if n != nil {
		return n
	}
	q := h.byKey[nameKeyOf(name)]
	if q == nil || q.gone || (r != nil && r.members[q] == nil) {
		return &Notice{Kind: NoticeNoSuchName, Name: name}
	}
	h.moderation(req, r, reason, &Moderation{Action: ActionKick, Target: q.listed})
	return nil
}

func (h *Hub) cmdMute(req request) *Notice {
	name, rest := cutWord(req.text)
	display, err := CheckName(name)
	if err != nil {
		return usage(req)
	}
	r, n := h.opScope(req)
	if n != nil {
		return n
	}
	until, reason := h.until(rest)
	h.moderation(req, r, reason, &Moderation{Action: ActionMute, Target: h.listedAs(display), Until: until})
	return nil
}

func (h *Hub) cmdUnmute(req request) *Notice {
	display, err := CheckName(req.text)
	if err != nil {
		return usage(req)
	}
	r, n := h.opScope(req)
	if n != nil {
		return n
	}
	key := ""
	if r != nil {
		key = r.key
	}
	if _, ok := h.mod.muted(key, nameKey(display), h.opts.Now()); !ok {
		return &Notice{Kind: NoticeNotMuted, Name: display}
	}
	h.moderation(req, r, "", &Moderation{Action: ActionUnmute, Target: h.listedAs(display)})
	return nil
}

func (h *Hub) cmdBan(req request) *Notice {
	word, rest := cutWord(req.text)
	name, address, ok := nameOrAddress(word)
	if !ok {
		return usage(req)
	}
	r, n := h.opScope(req)
	if n != nil {
		return n
	}
	until, reason := h.until(rest)
	h.moderation(req, r, reason, &Moderation{Action: ActionBan, Target: h.listedAs(name), Address: address, Until: until})
	return nil
}

func (h *Hub) cmdUnban(req request) *Notice {
	word, _ := cutWord(req.text)
	name, address, ok := nameOrAddress(word)
	if !ok {
		return usage(req)
	}
	r, n := h.opScope(req)
	if n != nil {
		return n
	}
	if !slices.ContainsFunc(h.bans(r), func(b Ban) bool {
		return (name != "" && SameName(b.Name, name)) || (address != "" && b.Address == address)
	}) {
		return &Notice{Kind: NoticeNotBanned, Name: word}
	}
	h.moderation(req, r, "", &Moderation{Action: ActionUnban, Target: name, Address: address})
	return nil
}

func (h *Hub) cmdBans(req request) *Notice {
	r, n := h.opScope(req)
	if n != nil {
		return n
	}
	return &Notice{Kind: NoticeBans, Bans: h.bans(r)}
}

// bans lists the bans in force in r (nil: every one, for a server
// operator), oldest first.
func (h *Hub) bans(r *room) []Ban {
	now := h.opts.Now()
	var list []Ban
	for k, b := range h.mod.bans {
		switch {
		case !b.Until.IsZero() && !now.Before(b.Until):
			delete(h.mod.bans, k)
		case r == nil || k.room == r.key:
			list = append(list, *b)
		}
	}
	slices.SortFunc(list, func(a, b Ban) int { return a.Since.Compare(b.Since) })
	return list
}

func (h *Hub) cmdOp(req request) *Notice {
	return h.appoint(req, ActionOp)
}

func (h *Hub) cmdDeop(req request) *Notice {
	return h.appoint(req, ActionDeop)
}

// appoint is /op and /deop: the name becomes, or stops being, an operator
// of the room. Only registered names are operators: the person's
// goroutine looked the name up (req.registered).
func (h *Hub) appoint(req request, action Action) *Notice {
	display, err := CheckName(req.text)
	if err != nil {
		return usage(req)
	}
	r, n := h.opRoom(req)
	if n != nil {
		return n
	}
	if action == ActionOp && !req.registered {
		return &Notice{Kind: NoticeNotRegistered, Name: display}
	}
	h.moderation(req, r, "", &Moderation{Action: action, Target: h.listedAs(display)})
	return nil
}

func (h *Hub) cmdMotd(req request) *Notice {
	if req.text == "" {
		return &Notice{Kind: NoticeMotd, Text: h.mod.motd}
	}
	if !req.conn.person.operator.Load() {
		return h.notOperator(req)
	}
	if req.text == "-" { // "/motd -" clears it
		req.text = ""
	}
	h.moderation(req, nil, req.text, &Moderation{Action: ActionMotd})
	return nil
}

func (h *Hub) cmdRemove(req request) *Notice {
	id, err := strconv.ParseUint(strings.TrimPrefix(req.text, "#"), 10, 64)
	if err != nil || id == 0 {
		return usage(req)
	}
	r, n := h.opRoom(req)
	if n != nil {
		return n
	}
	author, ok := r.author(id)
	if !ok && (id > h.lastID || h.opts.Store == nil) {
		return &Notice{Kind: NoticeNoSuchMessage}
	}
	h.moderation(req, r, "", &Moderation{Action: ActionRemove, Message: id, Target: author})
	return nil
}

func (h *Hub) cmdModlog(req request) *Notice {
	r, n := h.opScope(req)
	if n != nil {
		return n
	}
	var entries []*Event
	for _, ev := range h.mod.log {
		if r == nil || (ev.room == r || RoomKey(ev.Room) == r.key) {
			entries = append(entries, ev)
		}
	}
	return &Notice{Kind: NoticeModlog, Entries: entries[max(0, len(entries)-modlogLen):]}
}

// cmdRegisterHow answers /register, /password and /unregister typed as a
// line: the transport asks for a password itself, where it does not show.
// What was typed goes no further.
func (h *Hub) cmdRegisterHow(req request) *Notice {
	return &Notice{Kind: NoticeRegisterHow, Command: lookup(req.name).CommandInfo}
}

// listedAs is the name as the server lists the person who has it, or
// display if nobody here does.
func (h *Hub) listedAs(display string) string {
	if display == "" {
		return ""
	}
	if q := h.byKey[nameKey(display)]; q != nil && q.listed != "" {
		return q.listed
	}
	return display
}

// until reads an optional duration at the start of text ("10m", "2h",
// "7d") and returns when it ends (zero: no duration given, for good) and
// the rest, the reason.
func (h *Hub) until(text string) (time.Time, string) {
	word, rest := cutWord(text)
	d, ok := parseDuration(word)
	if !ok {
		return time.Time{}, text
	}
	return h.opts.Now().Add(d), rest
}

// parseDuration reads a duration as operators type it: Go's ("90s",
// "10m", "1h30m") and days and weeks ("7d", "2w").
func parseDuration(s string) (time.Duration, bool) {
	if n, err := strconv.Atoi(strings.TrimRight(s, "dw")); err == nil && n > 0 && len(s) > 1 {
		switch s[len(s)-1] {
		case 'd':
			return time.Duration(n) * 24 * time.Hour, true
		case 'w':
			return time.Duration(n) * 7 * 24 * time.Hour, true
		}
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}

// nameOrAddress reads what /ban and /unban are about: an address ("198.51.100.7",
// "2001:db8::1"), which means its block (see addressPrefix), a block
// ("198.51.100.0/24"), or a name.
func nameOrAddress(word string) (name, address string, ok bool) {
	if word == "" {
		return "", "", false
	}
	if addr, err := netip.ParseAddr(word); err == nil {
		return "", addressPrefix(addr).String(), true
	}
	if prefix, err := netip.ParsePrefix(word); err == nil {
		return "", prefix.Masked().String(), true
	}
	display, err := CheckName(word)
	return display, "", err == nil
}
