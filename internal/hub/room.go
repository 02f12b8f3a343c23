package hub

import (
	"context"
	"fmt"
	"slices"
	"time"

	"golang.org/x/time/rate"
)

// This file holds the room's state changes. Every function here runs on the
// hub goroutine.

// join asks the log to add a person to the room: req's joiner is answered
// when the entry comes back (see joined). A person held by another node
// until now moves here instead, at once: nobody sees it leave or join.
func (h *Hub) join(req request) {
	name, opts := req.name, req.join
	now := h.opts.Now()
	p := &person{
		token:      opts.Token,
		session:    opts.Session,
		transport:  opts.Transport,
		since:      now,
		lastActive: now,
		keepOnDrop: opts.KeepOnDrop,
		oneRoom:    opts.OneRoom,
		flood:      rate.NewLimiter(rate.Limit(h.opts.Flood.Rate), h.opts.Flood.Burst),
	}
	p.setName(name)
	p.addr = opts.Address
	p.registered.Store(req.login.registered)
	p.operator.Store(req.login.operator)
	if err := h.banned("", nameKey(name), opts.Address); err != nil && !req.held {
		req.reply <- reply{err: err} // banned since it was checked
		return
	}
	if req.held {
		req.reply <- reply{conn: h.moveHere(p, opts)}
		return
	}
	// A person arrives in the default room (a one-room person's /join
	// then moves it).
	ev := &Event{Kind: KindJoined, Room: h.lobby.name, room: h.lobby, Name: name, Transport: opts.Transport, sender: p,
		Registered: req.login.registered, Operator: req.login.operator}
	if !h.append(ev, &req) {
		req.reply <- reply{err: fmt.Errorf("hub: the join cannot be kept: %w", ErrUnavailable)}
	}
}

// joined completes a join whose entry came back from the log: the room has
// heard of it; the joiner gets its connection, and what it missed.
func (h *Hub) joined(ev *Event, req *request) {
	p, opts := ev.sender, req.join
	h.local(p)
	h.opts.Metrics.Joined(opts.Transport)
	m := h.addConn(p, opts)
	if opts.After > 0 { // a reclaimed name: what it missed, up to its own return
		h.replayMissed(m, opts.After, ev.ID-1)
	} else {
		h.replayHistory(m)
	}
	if h.mod.motd != "" {
		h.tell(m, &Notice{Kind: NoticeMotd, Text: h.mod.motd})
	}
	h.log.Debug("member joined", "name", p.displayName(), "transport", opts.Transport, "members", len(h.byKey))
	req.reply <- reply{conn: m}
}

// moveHere makes p, in the room on another node until now, local.
func (h *Hub) moveHere(p *person, opts JoinOptions) *Conn {
	key := nameKey(p.displayName())
	// The person this node knew as remote becomes local, the same person:
	// the events it keeps for replays name it. Its token and flood control
	// are set once, while no connection can read them: a person that was
	// local here before has them.
	if other := h.byKey[key]; other != nil {
		other.remote, other.gone, other.keepOnDrop = false, false, p.keepOnDrop
		if other.token == "" {
			other.token, other.flood = p.token, p.flood
		}
		if other.session == "" {
			other.session = p.session
		}
		p = other
	} else {
		p.listed = p.displayName()
		h.list(key, p)
		h.lobby.add(p)
	}
	h.local(p)
	m := h.addConn(p, opts)
	h.tellRooms(m)
	h.replayMissed(m, opts.After, h.lastID)
	h.log.Debug("member moved here", "name", p.displayName(), "transport", opts.Transport)
	return m
}

// local notes that p is in the room on this node, found by its token and
// its session.
func (h *Hub) local(p *person) {
	h.byToken[p.token] = p
	if p.session != "" {
		h.bySess[p.session] = p
	}
}

// attach adds a connection to a person already in the room.
func (h *Hub) attach(p *person, opts JoinOptions) *Conn {
	p.detachGen++ // voids a pending expiry
	if p.graceTimer != nil {
		p.graceTimer.Stop()
		p.graceTimer = nil
	}
	resuming := len(p.conns) == 0
	m := h.addConn(p, opts)
	switch {
	case opts.After > 0:
		h.tellRooms(m)
		h.replayMissed(m, opts.After, h.lastID)
	case resuming:
		h.tellRooms(m)
		h.replayMissed(m, p.lastSeen, h.lastID)
	default: // another tab: it starts as a newcomer's would
		h.replayHistory(m)
	}
	h.log.Debug("member resumed", "name", p.displayName(), "transport", opts.Transport, "connections", len(p.conns))
	return m
}

func (h *Hub) addConn(p *person, opts JoinOptions) *Conn {
	m := &Conn{
		hub:       h,
		person:    p,
		transport: opts.Transport,
		index:     len(h.conns),
		// It has seen what there is to see: the replay that follows
		// brings it up to here. A client resuming from further on than
		// this node has come (it was on a node ahead of this one) has
		// seen more: what it has is not sent again when it arrives here.
		lastQueued: max(h.lastID, opts.After),
	}
	if opts.After > h.lastID {
		m.ahead = opts.After
	}
	m.queue.init(h.valve)
	h.conns = append(h.conns, m)
	p.conns = append(p.conns, m)
	rooms := make([]string, len(p.rooms))
	for i, r := range p.rooms {
		r.addConn(m)
		rooms[i] = r.name
	}
	m.rooms.Store(&rooms)
	if opts.WithRoster {
		head := opts.RosterHead
		if head == 0 {
			head = -1
		}
		r := h.roster(h.home(p), head, p)
		m.roster.Store(&r)
	}
	return m
}

// replayHistory gives a new connection its person's rooms as a newcomer
// finds them: the home room's recent messages (its roster came with the
// connection, Conn.Roster), and each other room as a joiner gets it.
func (h *Hub) replayHistory(m *Conn) {
	home := h.home(m.person)
	for _, r := range m.person.rooms {
		if r == home {
			h.replayRoom(m, r)
		} else {
			h.tellRoom(m, r)
		}
	}
}

// tellRooms gives a resumed connection the rooms its person is in besides
// its home, without their history: what it missed is replayed after.
func (h *Hub) tellRooms(m *Conn) {
	home := h.home(m.person)
	for _, r := range m.person.rooms {
		if r != home {
			h.tellRoomState(m, r)
		}
	}
}

// replayMissed gives a resumed connection the events with IDs in (after,
// until] that it may see. It replays at most half a queue, so that the live events that
// follow still fit; if more were missed, or they are older than the hub
// holds, a notice says so first.
func (h *Hub) replayMissed(m *Conn, after, until uint64) {
	var missed []*Event
	for ev := range h.replay.all {
		if ev.ID > after && ev.ID <= until && ev.visibleTo(m.person) && !ev.comingAndGoingOf(m.person) {
			missed = append(missed, ev)
		}
	}
	limit := h.opts.QueueLen / 2
	// IDs in the replay ring are contiguous, so a gap before its oldest
	// means events the hub no longer holds.
	lost := len(missed) > limit || (h.replay.n > 0 && h.replay.oldestID() > after+1)
	if len(missed) > limit {
		missed = missed[len(missed)-limit:]
	}
	if len(missed) == 0 && !lost {
		return
	}
	h.deliverPrivate(m, &Event{Kind: KindReplayBegin, Replay: ReplayMissed})
	if lost {
		h.tell(m, &Notice{Kind: NoticeReplayGap})
	}
	for _, ev := range missed {
		h.deliver(m, ev)
	}
	h.deliverPrivate(m, &Event{Kind: KindReplayEnd, Replay: ReplayMissed})
}

// list adds p, under key, to the server's names.
func (h *Hub) list(key string, p *person) {
	h.byKey[key] = p
	p.inList = true
}

// unlist takes p, under key, off the server's names.
func (h *Hub) unlist(key string, p *person) {
	delete(h.byKey, key)
	p.inList = false
}

func (p *person) presence() Presence {
	return Presence{
		Name: p.listed, Transport: p.transport, Since: p.since,
		Away: p.away, AwayReason: p.awayReason, LastActive: p.lastActive,
		Registered: p.registered.Load(), Operator: p.operator.Load(),
	}
}

// broadcast asks the log to make ev, a change to the room, happen: it is
// applied and delivered when it comes back (apply). If the log cannot take
// it, its sender is told that it was not sent.
func (h *Hub) broadcast(ev *Event) {
	if !h.append(ev, nil) && ev.conn != nil && !ev.conn.gone() {
		h.tell(ev.conn, &Notice{Kind: NoticeNotSent})
	}
}

// append hands ev to the log, and reports whether the log took it. join is
// the request to answer when ev, a join, comes back.
func (h *Hub) append(ev *Event, join *request) bool {
	ev.Time = h.opts.Now()
	if ev.sender != nil {
		ev.Session = ev.sender.session
	}
	h.serial++
	if !h.opts.Log.Append(ev, h.serial) {
		h.log.Warn("the room's log cannot take an entry", "kind", ev.Kind)
		return false
	}
	h.pending[h.serial] = pending{ev: ev, join: join}
	if ev.sender != nil {
		ev.sender.inFlight++
	}
	return true
}

// maxHeld bounds what a person may ask for while a command of theirs waits
// for their entries to come back from the log (see landed): a log that is
// slow or down must not let one person's requests pile up without end.
// Beyond it, what they say is refused, and they are told.
const maxHeld = 64

// hold keeps req until p's entries in flight have come back, or refuses it
// if p already has maxHeld waiting.
func (h *Hub) hold(p *person, req request) {
	if len(p.held) < maxHeld {
		p.held = append(p.held, req)
		return
	}
	if req.claimed {
		h.opts.Names.Release(nameKeyOf(req.text))
	}
	h.tell(req.conn, &Notice{Kind: NoticeNotSent})
}

// landed notes that one of p's entries came back from the log; once none
// is on its way, what p asked for meanwhile is handled, in order.
func (h *Hub) landed(p *person) {
	if p.inFlight--; p.inFlight > 0 {
		return
	}
	held := p.held
	p.held = nil
	for i, req := range held {
		h.handle(req)
		if p.inFlight > 0 || len(p.held) > 0 { // it waits again: the rest with it
			p.held = append(p.held, held[i+1:]...)
			return
		}
	}
}

// notice gives a notice from the server to every member on this node. It
// has no ID: it is not part of the room's log.
func (h *Hub) notice(ev *Event) {
	h.deliverJoins()
	ev.Time = h.opts.Now()
	for _, m := range h.conns {
		h.deliver(m, ev)
	}
}

// apply applies an entry from the log: the one way the room changes. An
// entry of this node's own is matched to what it appended, which knows the
// sender's connection; another node's is matched to people by name.
func (h *Hub) apply(in Incoming) {
	ev := in.Event
	if ev.ID <= h.lastID {
		return // given again after a reconnection: applied already
	}
	var own *pending
	if in.Serial != 0 {
		if mine, ok := h.pending[in.Serial]; ok {
			delete(h.pending, in.Serial)
			mine.ev.ID = ev.ID
			ev, own = mine.ev, &mine
		}
	}
	h.lastID = ev.ID
	if in.CatchUp {
		h.catchUp(ev)
		return
	}
	if h.change(ev, own != nil) {
		h.fanOut(ev)
		h.settle(ev)
		if own != nil && own.join != nil {
			h.joined(ev, own.join)
		}
	}
	if own != nil && ev.sender != nil {
		h.landed(ev.sender)
	}
}

// change applies ev's effect on the server and reports whether it is news
// to deliver: a departure of someone this node never saw arrive is not.
// What must wait until it is delivered (a member's joining or leaving a
// room: a joiner does not hear of its own joining, a leaver hears of its
// own leaving) settle does.
func (h *Hub) change(ev *Event, own bool) bool {
	p := ev.sender
	var key string // the name's key, worked out only where it is needed: not for this node's own messages
	if !own || ev.Kind == KindJoined || ev.Kind == KindLeft || ev.Kind == KindRenamed {
		key = nameKeyOf(ev.Name)
	}
	if !own {
		p = h.byKey[key]
		switch {
		case p == nil || p.remote || ev.Kind == KindPrivate:
		case len(p.conns) == 0:
			// Its connection here dropped and it resumed on the node that
			// wrote this, before the registry told this node the name had
			// moved: it is that node's now.
			h.evict(key, ReasonMoved)
		default:
			h.log.Warn("an entry for a person on this node came from elsewhere", "kind", ev.Kind, "name", ev.Name)
			return false
		}
	}
	if ev.Room == "" && (ev.Kind == KindJoined || ev.Kind == KindMessage || ev.Kind == KindAction) {
		ev.Room, ev.room = h.lobby.name, h.lobby // an entry from before rooms
	}
	if ev.Room != "" && h.roomFor(ev) == nil && ev.roomKey == "" { // roomFor keys every valid name
		h.log.Warn("an entry for a room whose name breaks the rules", "kind", ev.Kind, "room", ev.Room)
		return false
	}
	switch ev.Kind {
	case KindJoined:
		if arriving := (own && !p.inList) || (!own && p == nil); arriving {
			if p == nil {
				p = newRemote(Presence{Name: ev.Name, Transport: ev.Transport, Since: ev.Time, LastActive: ev.Time,
					Registered: ev.Registered, Operator: ev.Operator})
			}
			if other := h.byKey[key]; other != nil && other != p {
				other.gone = true // a remote person whose departure never came
				h.leaveRooms(other)
				h.unlist(key, other)
			}
			p.listed = ev.Name
			p.joinID = ev.ID
			h.list(key, p)
		}
		if ev.room = h.roomFor(ev); ev.room == nil {
			ev.room = h.openRoom(RoomKey(ev.Room), ev.Room, ev.Time) // joining a new room makes it
			if own && p.registered.Load() {
				h.founded(p, ev.room)
			}
		}
		ev.sender = p
		ev.RoomOp = h.listedOp(p, ev.room)
	case KindLeft:
		if p == nil {
			return false
		}
		ev.sender = p
		if ev.Room != "" { // a /part: settle takes it out of the room
			ev.room = h.roomFor(ev)
			return ev.room != nil && ev.room.members[p] != nil
		}
		if h.byKey[key] == p {
			h.unlist(key, p)
		}
		p.gone = true
		if own && h.byToken[p.token] == p {
			h.dismiss(p, ev.Reason)
		}
	case KindRenamed:
		newKey := nameKeyOf(ev.NewName)
		if p == nil || (h.byKey[newKey] != nil && h.byKey[newKey] != p) {
			return !own // the log gave the name to someone else first
		}
		ev.sender = p
		delete(h.byKey, key)
		h.byKey[newKey] = p
		p.listed = ev.NewName
		p.registered.Store(false) // the account is the old name's
		p.operator.Store(false)
		if !own {
			p.setName(ev.NewName)
		} else if key != nameKey(p.displayName()) { // not renamed back meanwhile
			h.opts.Names.Release(key)
		}
	case KindAway:
		if p != nil {
			p.away, p.awayReason = ev.Away, ev.Text
			ev.sender = p
		}
	case KindTopic:
		if ev.room = h.roomFor(ev); ev.room == nil {
			return false
		}
		ev.room.topic, ev.room.topicBy, ev.room.topicAt = ev.Text, ev.Name, ev.Time
		ev.sender = p
	case KindMessage, KindAction:
		if ev.room = h.roomFor(ev); ev.room == nil {
			return false // a room this node never heard of: its entries went astray
		}
		if p != nil {
			p.lastActive = ev.Time
		}
		ev.sender = p
		ev.Mentions = h.mentions(ev.words)
	case KindPrivate:
		if !own {
			ev.sender, ev.target = p, h.byKey[nameKeyOf(ev.To)]
		}
	case KindAccount:
		if p == nil {
			return false
		}
		ev.sender = p
		p.registered.Store(ev.Registered)
		if !ev.Registered {
			p.operator.Store(false)
		}
	case KindModeration:
		ev.sender = p
		h.moderate(ev, own)
		// What a node adds to a ban (its address) is for operators only.
		return ev.Name != "" || ev.Moderation == nil || ev.Moderation.Action != ActionBan
	}
	return true
}

// settle finishes what ev changes once everyone concerned has it: a
// joiner is in the room only after the others heard of it (its own
// connections are told the room instead, NoticeJoinedRoom), and a leaver
// leaves after it heard of it.
func (h *Hub) settle(ev *Event) {
	p := ev.sender
	if p == nil {
		return
	}
	switch {
	case ev.Kind == KindJoined:
		ev.room.add(p)
		if len(p.conns) > 0 { // a /join, not an arrival: the joiner's connections come after
			h.welcomeToRoom(p, ev.room)
		}
	case ev.Kind == KindLeft && ev.room != nil:
		ev.room.remove(p)
	case ev.Kind == KindLeft:
		h.leaveRooms(p)
	}
}

// leaveRooms takes p out of every room: it left the server.
func (h *Hub) leaveRooms(p *person) {
	for len(p.rooms) > 0 {
		p.rooms[len(p.rooms)-1].remove(p)
	}
}

// catchUp keeps an entry from before the hub started: in the recent
// history, and what it says of rooms: that one exists, its topic, and
// which rooms the people on other nodes (Hub.AddRemote, before any entry)
// went into and out of. Of someone who joined a room before the oldest
// entry the log still holds, this node knows only that they are here: in
// the default room.
func (h *Hub) catchUp(ev *Event) {
	if ev.Room != "" {
		r := h.roomFor(ev)
		if r == nil && ev.roomKey != "" {
			r = h.openRoom(ev.roomKey, ev.Room, ev.Time)
		}
		if r != nil && ev.Kind == KindTopic {
			r.topic, r.topicBy, r.topicAt = ev.Text, ev.Name, ev.Time
		}
		ev.room = r
	}
	if ev.Kind == KindModeration {
		h.mod.record(ev, RoomKey(ev.Room))
		if mod := ev.Moderation; mod != nil && mod.Action == ActionRemove && ev.room != nil {
			h.forget(ev.room, mod.Message)
		}
	}
	if ev.Kind == KindJoined || ev.Kind == KindLeft {
		if p := h.byKey[nameKeyOf(ev.Name)]; p != nil && p.remote {
			switch {
			case ev.room != nil && ev.Kind == KindJoined:
				ev.room.add(p)
			case ev.room != nil:
				ev.room.remove(p)
			case ev.Kind == KindLeft: // an earlier visit ended; its return follows
				h.leaveRooms(p)
			}
		}
	}
	h.remember(ev)
}

// remember keeps ev for replays and, if it is a message, in its room's
// recent history.
func (h *Hub) remember(ev *Event) {
	h.replay.push(ev)
	if (ev.Kind == KindMessage || ev.Kind == KindAction) && ev.room != nil {
		ev.room.recent.push(ev)
	}
}

// fanOut offers ev to everyone it concerns without ever waiting: a
// connection whose queue is full is marked slow and removed by removeSlow.
// What happened in a room goes to its members' connections; a private
// message to its two people; what is about a person wherever they are (a
// rename, away, leaving the server) to everyone who shares a room with
// them, and to them.
func (h *Hub) fanOut(ev *Event) {
	h.remember(ev)
	if ev.Kind == KindJoined && ev.room != nil && ev.ID != 0 {
		h.holdJoin(ev) // see joins.go
		return
	}
	h.deliverJoins() // what came before ev first
	start := h.opts.Now()
	delivered := 0
	switch p := ev.sender; {
	case ev.Kind == KindPrivate:
		delivered += h.deliverAll(ev.sender, ev)
		if ev.target != ev.sender {
			delivered += h.deliverAll(ev.target, ev)
		}
	case ev.Kind == KindModeration && ev.room == nil:
		// About a person wherever they are: to everyone who shares a room
		// with them, to them, and to the operator.
		h.stamp++
		if q := ev.target; q != nil {
			for _, r := range q.rooms {
				delivered += h.offerOnce(r.conns, ev)
			}
			delivered += h.offerOnce(q.conns, ev)
		}
		if p != nil {
			delivered += h.offerOnce(p.conns, ev)
		}
	case ev.room != nil:
		// A joiner is not among the room's connections yet: it does not
		// hear of its own joining.
		for _, m := range ev.room.conns {
			if h.offer(m, ev) {
				delivered++
			}
		}
	case p == nil:
		for _, m := range h.conns {
			if h.offer(m, ev) {
				delivered++
			}
		}
	default:
		h.stamp++
		for _, r := range p.rooms {
			delivered += h.offerOnce(r.conns, ev)
		}
		delivered += h.offerOnce(p.conns, ev)
	}
	h.opts.Metrics.FannedOut(delivered, h.opts.Now().Sub(start))
}

// offerOnce offers ev to each of conns not offered it already (marked with
// the current stamp): someone in two rooms with a person hears of it once.
func (h *Hub) offerOnce(conns []*Conn, ev *Event) int {
	n := 0
	for _, m := range conns {
		if m.stamp != h.stamp {
			m.stamp = h.stamp
			if h.offer(m, ev) {
				n++
			}
		}
	}
	return n
}

// deliverAll offers live ev to each connection of p, if p is known here.
func (h *Hub) deliverAll(p *person, ev *Event) int {
	if p == nil {
		return 0
	}
	n := 0
	for _, m := range p.conns {
		if h.offer(m, ev) {
			n++
		}
	}
	return n
}

// deliverPrivate offers ev to one connection only: a notice for it, or a
// replay marker. Such events have no ID (it is 0): IDs number what the
// room saw, so that a client resuming after ID n misses nothing.
func (h *Hub) deliverPrivate(m *Conn, ev *Event) {
	ev.Time = h.opts.Now()
	h.deliver(m, ev)
}

// offer delivers a live event to m, unless m's client has it already: it
// resumed here from further on than this node had come.
func (h *Hub) offer(m *Conn, ev *Event) bool {
	return ev.ID > m.lastQueued && h.deliver(m, ev)
}

// deliver offers ev to m's queue and reports whether it took it.
func (h *Hub) deliver(m *Conn, ev *Event) bool {
	if m.overflowed {
		return false // its queue is full; removeSlow will remove it
	}
	if ev.Kind == KindMessage && ev.ID != 0 && m.hideOwn.Load() && ev.From(m) {
		m.lastQueued = max(m.lastQueued, ev.ID) // seen, as far as a resume goes
		return false
	}
	lazy := ev.ID != 0 && ev.Kind.presence()
	if !m.queue.put(ev, h.opts.QueueLen, !lazy) {
		m.overflowed = true
		h.slow = append(h.slow, m)
		return false
	}
	if lazy && !m.lazy {
		m.lazy = true
		h.lazy = append(h.lazy, m)
	}
	m.lastQueued = max(m.lastQueued, ev.ID) // a replay does not take it back
	return true
}

// removeSlow removes the connections that overflowed. A person left with
// none leaves at once, without a grace period: a client that cannot keep up
// would only fall behind again. Each departure is announced, which can
// overflow others in turn, so it runs until none is left.
func (h *Hub) removeSlow() {
	for len(h.slow) > 0 {
		m := h.slow[0]
		h.slow = h.slow[1:]
		h.log.Warn("member cut off", "name", m.person.displayName(), "transport", m.transport, "reason", ReasonTooSlow)
		h.closeConn(m, ReasonTooSlow)
		if p := m.person; len(p.conns) == 0 && !p.gone {
			h.removePerson(p, ReasonTooSlow, "", false)
		}
	}
	h.slow = h.slow[:0]
}

// closeConn takes one connection out of the room and closes its queue
// with reason. Closing one twice does nothing.
func (h *Hub) closeConn(m *Conn, reason Reason) {
	if m.index < 0 {
		return
	}
	last := len(h.conns) - 1
	h.conns[m.index] = h.conns[last]
	h.conns[m.index].index = m.index
	h.conns[last] = nil
	h.conns = h.conns[:last]
	m.index = -1
	for len(m.slots) > 0 {
		m.slots[len(m.slots)-1].r.dropConn(m)
	}
	p := m.person
	if i := slices.Index(p.conns, m); i >= 0 {
		p.conns = slices.Delete(p.conns, i, i+1)
	}
	if len(p.conns) == 0 {
		p.lastSeen = m.lastQueued
	}
	m.reason.Store(uint32(reason))
	m.queue.close()
}

// detach ends a connection that dropped or hung up. If it was its person's
// last, the person leaves, or, with KeepOnDrop, waits out the grace period:
// the short one if the connection said it was leaving.
func (h *Hub) detach(m *Conn, reason Reason) {
	if m.index < 0 {
		return
	}
	p := m.person
	h.closeConn(m, reason)
	if len(p.conns) > 0 || p.gone {
		return
	}
	if !p.keepOnDrop || h.opts.Grace < 0 {
		h.removePerson(p, ReasonQuit, "", true)
		return
	}
	grace := h.opts.Grace
	if m.leaving.Load() { // its page is closing: a reload comes back within seconds
		grace = h.opts.LeaveGrace
	}
	gen := p.detachGen
	p.graceTimer = time.AfterFunc(grace, func() {
		// Sent from the timer's goroutine; if the hub has stopped, nobody
		// needs to expire anything.
		_ = h.send(context.Background(), request{kind: reqExpire, person: p, gen: gen})
	})
}

// expire removes a person whose grace period ran out without a resume.
func (h *Hub) expire(p *person, gen uint64) {
	if p.gone || len(p.conns) > 0 || p.detachGen != gen {
		return // resumed meanwhile
	}
	h.removePerson(p, ReasonQuit, "", false)
}

// removePerson takes p out of the room: tells everyone, with its parting
// words if any, closes its connections once they have seen what came before
// (at once if the hub is stopping), and frees its name behind that. If reclaim is set (it dropped, or the server stopped), its
// token may reclaim the name for the grace period.
func (h *Hub) removePerson(p *person, reason Reason, words string, reclaim bool) {
	if p.gone {
		return
	}
	p.gone = true // what it says from now on goes nowhere
	kept := h.append(&Event{Kind: KindLeft, Name: p.displayName(), Reason: reason, Text: words, sender: p}, nil)
	if !kept || len(p.conns) == 0 || h.stopping {
		h.dismiss(p, reason)
	} // else its connections see everything before their departure first: see change
	if reclaim && h.opts.Grace > 0 {
		h.opts.Names.Depart(p.claimOf(), p.lastSeen)
	} else {
		h.opts.Names.Release(nameKey(p.displayName()))
	}
}

// dismiss closes every connection p has and forgets its token: p is gone
// from this node.
func (h *Hub) dismiss(p *person, reason Reason) {
	for len(p.conns) > 0 {
		h.closeConn(p.conns[len(p.conns)-1], reason)
	}
	p.gone = true
	if p.graceTimer != nil {
		p.graceTimer.Stop()
	}
	delete(h.byToken, p.token)
	if h.bySess[p.session] == p {
		delete(h.bySess, p.session)
	}
	h.opts.Metrics.Left(p.transport, reason)
}

// removeAll removes everyone on this node; their names may be reclaimed,
// on another node of a cluster or here once the server is back.
func (h *Hub) removeAll(reason Reason) {
	for _, p := range h.byToken {
		h.removePerson(p, reason, "", true)
	}
	h.slow = nil
}

// active notes that p did something: it is no longer idle, and no longer
// away if it was.
func (h *Hub) active(p *person) {
	p.lastActive = h.opts.Now()
	if p.wantAway {
		p.wantAway = false
		h.broadcast(&Event{Kind: KindAway, Name: p.displayName(), Away: false, sender: p})
	}
}

// addRemote adds the people on other nodes that the hub does not know yet.
func (h *Hub) addRemote(people []Presence) {
	for _, pr := range people {
		key := nameKeyOf(pr.Name)
		if key == "" || h.byKey[key] != nil {
			continue
		}
		p := newRemote(pr)
		h.list(key, p)
		h.lobby.add(p)
	}
}

// newRemote is a person on another node, as pr describes it.
func newRemote(pr Presence) *person {
	p := &person{
		remote: true, transport: pr.Transport, since: pr.Since, lastActive: pr.LastActive,
		away: pr.Away, awayReason: pr.AwayReason, listed: pr.Name,
	}
	p.setName(pr.Name)
	p.registered.Store(pr.Registered)
	p.operator.Store(pr.Operator)
	return p
}

// evict lets a local person go without a departure; it stays in the room as
// a remote person until the log says otherwise.
func (h *Hub) evict(key string, reason Reason) {
	p := h.byKey[key]
	if p == nil || p.remote {
		return
	}
	h.dismiss(p, reason)
	// It stays, as a remote person: the same one, so that the events kept
	// for replays still name it if it comes back here.
	p.gone, p.remote = false, true
	p.detachGen++ // voids an expiry already on its way
	h.log.Info("person let go: held elsewhere now", "name", p.displayName(), "reason", reason)
}

// claimOf is p's name as the registry knows it.
func (p *person) claimOf() Claim {
	name := p.displayName()
	return Claim{Key: nameKey(name), Name: name, Token: p.token, Transport: p.transport,
		Registered: p.registered.Load(), Operator: p.operator.Load()}
}
