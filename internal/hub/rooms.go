package hub

import (
	"slices"
	"strings"
	"time"
)

// This file holds the rooms: who is in each, which connections hear it,
// and what a newcomer is shown. Every function here runs on the hub
// goroutine.
//
// A person is in the server once (its name is unique server-wide) and in
// any number of rooms; a one-room person (JoinOptions.OneRoom: the line
// port) in exactly one. An event that happened in a room (Event.Room) goes
// to the connections of the room's members; one about a person wherever
// they are (a rename, away, a departure from the server) to everyone who
// shares a room with them, and to themselves.

// room is one conversation: its members in joining order, the local
// connections that hear it, its topic and its recent history.
type room struct {
	name    string // display name, "#help"
	key     string // RoomKey(name)
	topic   string
	topicBy string
	topicAt time.Time
	created time.Time
	members map[*person]*membership
	// order is the members in joining order, and some who left: it forgets
	// them lazily (see people), so that a departure costs what a join does.
	order    []*membership
	unlisted int
	// conns are the local connections of its members: fan-out walks this.
	conns  []*Conn
	recent *ring // recent messages and actions, for newcomers
	// joins are the joins into the room waiting to be delivered together
	// (see joins.go); nil while none wait.
	joins *joinRun
}

// membership is a person's place in a room's joining order.
type membership struct {
	p  *person
	in bool // still in the room
}

// slot is where a connection is in one room's conns.
type slot struct {
	r *room
	i int
}

// openRoom returns the room with key, making it (called display) if there
// is none: joining a room that does not exist creates it.
func (h *Hub) openRoom(key, display string, at time.Time) *room {
	if r := h.rooms[key]; r != nil {
		return r
	}
	r := &room{name: display, key: key, created: at, members: make(map[*person]*membership), recent: newRing(h.opts.HistoryLen)}
	h.rooms[key] = r
	return r
}

// roomFor returns the room an event happened in: the one the hub resolved
// for its own entries, or the one its key names. nil for an event about a
// person wherever they are.
func (h *Hub) roomFor(ev *Event) *room {
	if ev.room != nil || ev.Room == "" {
		return ev.room
	}
	if ev.roomKey == "" {
		ev.roomKey = RoomKey(ev.Room)
	}
	return h.rooms[ev.roomKey]
}

// add puts p in r, with its connections.
func (r *room) add(p *person) {
	if r.members[p] != nil {
		return
	}
	m := &membership{p: p, in: true}
	r.members[p] = m
	r.order = append(r.order, m)
	p.rooms = append(p.rooms, r)
	for _, c := range p.conns {
		r.addConn(c)
	}
}

// remove takes p out of r, with its connections.
func (r *room) remove(p *person) {
	m := r.members[p]
	if m == nil {
		return
	}
	m.in = false
	delete(r.members, p)
	r.unlisted++
	p.rooms = slices.DeleteFunc(p.rooms, func(x *room) bool { return x == r })
	for _, c := range p.conns {
		r.dropConn(c)
	}
}

func (r *room) addConn(c *Conn) {
	r.cameIn(c)
	c.slots = append(c.slots, slot{r, len(r.conns)})
	r.conns = append(r.conns, c)
}

// dropConn takes c out of r.conns, moving the last connection into its
// place.
func (r *room) dropConn(c *Conn) {
	at := slices.IndexFunc(c.slots, func(s slot) bool { return s.r == r })
	if at < 0 {
		return
	}
	i, last := c.slots[at].i, len(r.conns)-1
	moved := r.conns[last]
	r.conns[i] = moved
	r.conns[last] = nil
	r.conns = r.conns[:last]
	if moved != c {
		for j := range moved.slots {
			if moved.slots[j].r == r {
				moved.slots[j].i = i
			}
		}
	}
	c.slots = slices.Delete(c.slots, at, at+1)
}

// people returns r's members in joining order. The slice is the room's:
// read it before the next change. Departed members are dropped from it
// here, once they are as many as those left, so each costs O(1) amortised.
func (r *room) people() []*membership {
	if r.unlisted > len(r.order)/2 {
		r.order = slices.DeleteFunc(r.order, func(m *membership) bool { return !m.in })
		r.unlisted = 0
	}
	return r.order
}

// roster lists the first n members to have joined r (n < 0: everyone) and
// how many there are in all, as of now. With me, it lists me too, wherever
// me is in the order: a joiner sees itself in its list.
func (h *Hub) roster(r *room, n int, me *person) Roster {
	out := Roster{Count: len(r.members), AsOf: h.lastID}
	if n < 0 || n > out.Count {
		n = out.Count
	}
	out.People = make([]Presence, 0, n+1)
	found := me == nil || r.members[me] == nil
	for _, m := range r.people() {
		if len(out.People) >= n && found {
			break
		}
		switch {
		case !m.in:
		case m.p == me:
			found = true
			out.People = append(out.People, h.presenceIn(m.p, r))
		case len(out.People) < n:
			out.People = append(out.People, h.presenceIn(m.p, r))
		}
	}
	return out
}

// presenceIn is p as r's user list shows it: with whether it is one of
// r's operators.
func (h *Hub) presenceIn(p *person, r *room) Presence {
	pr := p.presence()
	pr.RoomOp = h.listedOp(p, r)
	return pr
}

// listedOp reports whether p, as the room lists it, is one of r's
// operators.
func (h *Hub) listedOp(p *person, r *room) bool {
	return p.registered.Load() && h.mod.ops[scoped{r.key, nameKeyOf(p.listed)}]
}

// info describes r as /rooms lists it.
func (r *room) info() RoomInfo {
	return RoomInfo{Name: r.name, Topic: r.topic, TopicBy: r.topicBy, TopicAt: r.topicAt, Created: r.created, Members: len(r.members)}
}

// roomList is every room, the busiest first, then by name.
func (h *Hub) roomList() []RoomInfo {
	list := make([]RoomInfo, 0, len(h.rooms))
	for _, r := range h.rooms {
		list = append(list, r.info())
	}
	slices.SortFunc(list, func(a, b RoomInfo) int {
		if a.Members != b.Members {
			return b.Members - a.Members
		}
		return strings.Compare(a.Name, b.Name)
	})
	return list
}

// home is the room p's words go to when they name none: a one-room
// person's room, or the default room.
func (h *Hub) home(p *person) *room {
	if p.oneRoom && len(p.rooms) == 1 {
		return p.rooms[0]
	}
	return h.lobby
}

// roomAsked is the room a request was typed in: the one it names, or p's
// home; nil if it names one that does not exist.
func (h *Hub) roomAsked(req request) *room {
	if req.roomKey == "" {
		return h.home(req.conn.person)
	}
	return h.rooms[req.roomKey]
}

// welcomeToRoom tells every connection of p that it is now in r, with the
// first of r's members, and shows each r's recent history.
func (h *Hub) welcomeToRoom(p *person, r *room) {
	for _, m := range p.conns {
		h.tellRoom(m, r)
	}
}

// tellRoom gives m the room r as it is now: its topic and first members,
// then its recent history.
func (h *Hub) tellRoom(m *Conn, r *room) {
	h.tellRoomState(m, r)
	h.replayRoom(m, r)
}

// tellRoomState gives m the room r as it is now, without its history.
func (h *Hub) tellRoomState(m *Conn, r *room) {
	info, roster := r.info(), h.roster(r, rosterHead, m.person)
	h.tell(m, &Notice{Kind: NoticeJoinedRoom, Room: &info, Roster: &roster})
}

// rosterHead is how many members a room's roster lists to a joiner: a
// screenful, at the same cost for a room's 10th member and its 10,000th.
const rosterHead = 100

// replayRoom gives m r's recent messages.
func (h *Hub) replayRoom(m *Conn, r *room) {
	if r.recent.n == 0 {
		return
	}
	h.deliverPrivate(m, &Event{Kind: KindReplayBegin, Replay: ReplayHistory, Room: r.name})
	for ev := range r.recent.all {
		h.deliver(m, ev)
	}
	h.deliverPrivate(m, &Event{Kind: KindReplayEnd, Replay: ReplayHistory, Room: r.name})
}

// shares reports whether p and q are in a room together.
func (p *person) shares(q *person) bool {
	for _, r := range p.rooms {
		if r.members[q] != nil {
			return true
		}
	}
	return false
}
