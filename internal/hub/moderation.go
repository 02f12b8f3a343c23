package hub

import (
	"fmt"
	"net/netip"
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

// moderation is what operators decided that still holds: the hub's, on
// its goroutine, rebuilt from the log's KindModeration entries (load,
// moderate), so that every node holds the same.
type moderation struct {
	bans  map[banKey]*Ban
	mutes map[scoped]time.Time // zero: until unmuted
	ops   map[scoped]bool      // room operators
	motd  string
	log   []*Event // the newest entries, oldest first: /modlog
}

// scoped is a name key in a room (by its RoomKey; "" for the server).
type scoped struct{ room, name string }

// banKey is what a ban is about: a name, an address block, or both, in a
// room or on the server.
type banKey struct {
	room, name string
	prefix     netip.Prefix
}

// modlogLen is how many moderation entries /modlog shows.
const modlogLen = 50

func newModeration() moderation {
	return moderation{bans: make(map[banKey]*Ban), mutes: make(map[scoped]time.Time), ops: make(map[scoped]bool)}
}

// record applies ev, a KindModeration entry, to what holds: the one place
// bans, mutes, room operators and the message of the day change.
func (m *moderation) record(ev *Event, roomKey string) {
	mod := ev.Moderation
	if mod == nil {
		return
	}
	target := scoped{roomKey, nameKeyOf(mod.Target)}
	switch mod.Action {
	case ActionMute:
		m.mutes[target] = mod.Until
	case ActionUnmute:
		delete(m.mutes, target)
	case ActionBan:
		prefix, _ := netip.ParsePrefix(mod.Address)
		m.bans[banKey{roomKey, target.name, prefix}] = &Ban{
			Room: ev.Room, Name: mod.Target, Address: mod.Address, Until: mod.Until,
			Reason: ev.Text, By: ev.Name, Since: ev.Time,
		}
	case ActionUnban:
		prefix, _ := netip.ParsePrefix(mod.Address)
		for k := range m.bans {
			if k.room == roomKey && ((target.name != "" && k.name == target.name) || (prefix.IsValid() && k.prefix == prefix)) {
				delete(m.bans, k)
			}
		}
	case ActionOp:
		m.ops[target] = true
	case ActionDeop:
		delete(m.ops, target)
	case ActionMotd:
		m.motd = ev.Text
	}
	m.log = append(m.log, ev)
	if len(m.log) > 2*modlogLen {
		m.log = append(m.log[:0], m.log[len(m.log)-modlogLen:]...)
	}
}

// ban returns the ban in force, in the room with roomKey ("" the server),
// on the name with key or on addr's block, if any; expired bans go.
func (m *moderation) ban(roomKey, key string, addr netip.Addr, now time.Time) *Ban {
	block := addressPrefix(addr)
	for k, b := range m.bans {
		if k.room != roomKey || !((key != "" && k.name == key) || (k.prefix.IsValid() && block.IsValid() && k.prefix.Contains(block.Addr()))) {
			continue
		}
		if !b.Until.IsZero() && !now.Before(b.Until) {
			delete(m.bans, k)
			continue
		}
		return b
	}
	return nil
}

// muted returns when the mute of the name with key in the room with
// roomKey ends (the zero time: never), and whether there is one in force.
func (m *moderation) muted(roomKey, key string, now time.Time) (time.Time, bool) {
	s := scoped{roomKey, key}
	until, ok := m.mutes[s]
	if ok && !until.IsZero() && !now.Before(until) {
		delete(m.mutes, s)
		return time.Time{}, false
	}
	return until, ok
}

// banned returns a *BannedError if a ban keeps the name with key, or a
// person from addr, out of the room with roomKey ("" the server).
func (h *Hub) banned(roomKey, key string, addr netip.Addr) error {
	b := h.mod.ban(roomKey, key, addr, h.opts.Now())
	if b == nil {
		return nil
	}
	return &BannedError{Room: b.Room, Until: b.Until, Reason: b.Reason}
}

// silenced reports whether req's person is muted in r (or everywhere), and
// tells it so: what it said goes nowhere.
func (h *Hub) silenced(req request, r *room) bool {
	if len(h.mod.mutes) == 0 {
		return false // the common case, on every message: no name key worked out
	}
	p := req.conn.person
	key := nameKey(p.displayName())
	now := h.opts.Now()
	until, ok := h.mod.muted("", key, now)
	var in *RoomInfo
	if !ok && r != nil {
		if until, ok = h.mod.muted(r.key, key, now); ok {
			info := r.info()
			in = &info
		}
	}
	if ok {
		h.tell(req.conn, &Notice{Kind: NoticeMuted, Until: until, Room: in})
	}
	return ok
}

// mutedAnywhere reports whether req's person is muted on the server or in
// any room it is in, and tells it so.
func (h *Hub) mutedAnywhere(req request) bool {
	if h.silenced(req, nil) {
		return true
	}
	for _, r := range req.conn.person.rooms {
		if h.silenced(req, r) {
			return true
		}
	}
	return false
}

// roomOp reports whether p may act as an operator in r: a server
// operator, or one of r's, logged in to its registered name.
func (h *Hub) roomOp(p *person, r *room) bool {
	if p.operator.Load() {
		return true
	}
	return r != nil && p.registered.Load() && h.mod.ops[scoped{r.key, nameKey(p.displayName())}]
}

// hasOps reports whether r has operators of its own: then only they (and
// the server's) set its topic.
func (h *Hub) hasOps(r *room) bool {
	for s := range h.mod.ops {
		if s.room == r.key {
			return true
		}
	}
	return false
}

// founded makes p, who made r, its first operator: its node says so in
// the log, so that it holds after a restart and on every node.
func (h *Hub) founded(p *person, r *room) {
	h.append(&Event{Kind: KindModeration, Room: r.name, room: r, sender: p,
		Moderation: &Moderation{Action: ActionOp, Target: p.displayName()}}, nil)
}

// moderate applies a KindModeration entry from the log: what holds
// changes on every node, and the node that holds the person concerned
// removes it (a kick, a ban), so that its departure is in the log as
// everyone's is.
func (h *Hub) moderate(ev *Event, own bool) {
	mod := ev.Moderation
	if mod == nil {
		return
	}
	if ev.Room != "" {
		ev.room = h.roomFor(ev)
	}
	roomKey := RoomKey(ev.Room) // "" for the server; a room unknown here keeps its own key
	h.mod.record(ev, roomKey)
	if own {
		h.audit(ev)
	}
	q := h.byKey[nameKeyOf(mod.Target)]
	ev.target = q
	switch mod.Action {
	case ActionRemove:
		if ev.room != nil {
			h.forget(ev.room, mod.Message)
		}
	case ActionKick:
		if q != nil && h.holds(q) {
			h.expel(q, ev.room, ReasonKicked, ev.Text)
		}
	case ActionBan:
		h.enforceBan(ev, roomKey)
	}
}

// audit writes what an operator did to the structured log: one line per
// action, on the node where it was done.
func (h *Hub) audit(ev *Event) {
	mod := ev.Moderation
	attrs := []any{"action", mod.Action.String(), "by", ev.Name}
	for _, a := range []struct{ key, value string }{
		{"target", mod.Target}, {"room", ev.Room}, {"address", mod.Address}, {"reason", ev.Text},
	} {
		if a.value != "" {
			attrs = append(attrs, a.key, a.value)
		}
	}
	if mod.Message != 0 {
		attrs = append(attrs, "message", mod.Message)
	}
	if !mod.Until.IsZero() {
		attrs = append(attrs, "until", mod.Until)
	}
	h.log.Info("moderation", attrs...)
}

// holds reports whether p is in the room on this node: this node speaks
// for it in the log.
func (h *Hub) holds(p *person) bool { return !p.remote && !p.gone && h.byToken[p.token] == p }

// expel takes p out of r, or off the server if r is nil, for reason.
// Off the server, its name is freed at once: its token no longer resumes
// it.
func (h *Hub) expel(p *person, r *room, reason Reason, words string) {
	if r == nil || r == h.lobby { // everyone's home: out of it is off the server
		h.removePerson(p, reason, words, false)
		return
	}
	if r.members[p] == nil {
		return
	}
	h.leave(p, r, reason, words)
}

// enforceBan removes whoever the ban in ev keeps out and this node holds.
// A ban on a name adds, from the node that holds the person, a ban on its
// address's block: it cannot come back under another name from there.
func (h *Hub) enforceBan(ev *Event, roomKey string) {
	mod := ev.Moderation
	now := h.opts.Now()
	var out []*person
	for _, p := range h.byToken {
		if p.gone || (ev.room != nil && ev.room.members[p] == nil) {
			continue
		}
		if h.mod.ban(roomKey, nameKey(p.displayName()), p.addr, now) != nil {
			out = append(out, p)
		}
	}
	for _, p := range out {
		if mod.Address == "" && p.addr.IsValid() && nameKey(p.displayName()) == nameKeyOf(mod.Target) {
			h.append(&Event{Kind: KindModeration, Room: ev.Room, room: ev.room, Text: ev.Text, Moderation: &Moderation{
				Action: ActionBan, Target: mod.Target, Address: addressPrefix(p.addr).String(), Until: mod.Until}}, nil)
		}
		h.expel(p, ev.room, ReasonBanned, ev.Text)
	}
}

// forget removes the text of message id from what r and the replays keep.
func (h *Hub) forget(r *room, id uint64) {
	removed := func(ev *Event) *Event {
		return &Event{ID: ev.ID, Kind: ev.Kind, Time: ev.Time, Room: ev.Room, Name: ev.Name, Session: ev.Session,
			Removed: true, sender: ev.sender, room: ev.room}
	}
	r.recent.replace(id, removed)
	h.replay.replace(id, removed)
}

// author returns the name of who said message id in r, if r still holds
// it.
func (r *room) author(id uint64) (string, bool) {
	for ev := range r.recent.all {
		if ev.ID == id {
			return ev.Name, true
		}
	}
	return "", false
}
