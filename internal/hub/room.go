package hub

import (
	"cmp"
	"context"
	"slices"
	"time"

	"golang.org/x/time/rate"
)

// This file holds the room's state changes. Every function here runs on the
// hub goroutine.

func (h *Hub) join(req request) (*Member, error) {
	name, opts := req.name, req.join
	if opts.Token != "" && !req.claimed {
		if p := h.byToken[opts.Token]; p != nil {
			return h.attach(p, opts), nil
		}
		if h.opts.Cluster != nil {
			return nil, ErrNoSession // the caller asks the cluster
		}
		d, ok := h.departed[opts.Token]
		if !ok || h.opts.Now().After(d.expires) {
			delete(h.departed, opts.Token)
			return nil, ErrNoSession
		}
		if h.byKey[nameKey(d.name)] != nil {
			return nil, ErrNameTaken // someone took the name meanwhile
		}
		delete(h.departed, opts.Token)
		name = d.name
		if opts.After == 0 {
			opts.After = d.lastSeen
		}
	}
	other := h.byKey[nameKey(name)]
	if other != nil && !(req.held && other.remote) {
		return nil, ErrNameTaken
	}

	token := opts.Token
	if token == "" {
		token = newToken()
	}
	now := h.opts.Now()
	p := &person{
		token:      token,
		transport:  opts.Transport,
		since:      now,
		lastActive: now,
		keepOnDrop: opts.KeepOnDrop,
		flood:      rate.NewLimiter(rate.Limit(h.opts.Flood.Rate), h.opts.Flood.Burst),
	}
	p.setName(name)
	if req.held {
		// It moved here from another node: nobody saw it leave, so nobody
		// sees it join.
		// The person this node knew as remote becomes local, the same
		// person: the events it keeps for replays name it.
		// Its token and flood control are set once, while no connection
		// can read them: a person that was local here before has them.
		if other != nil {
			other.remote, other.gone, other.keepOnDrop = false, false, p.keepOnDrop
			if other.token == "" {
				other.token, other.flood = p.token, p.flood
			}
			p = other
		}
		h.byKey[nameKey(name)] = p
		h.byToken[token] = p
		m := h.addSession(p, opts)
		h.replayMissed(m, opts.After, h.lastID)
		h.log.Debug("member moved here", "name", name, "transport", opts.Transport)
		return m, nil
	}
	// Announce first, so the newcomer's queue starts after its own join.
	missedUntil := h.lastID
	joined := &Event{Kind: KindJoined, Name: name, Transport: opts.Transport, sender: p}
	h.arrivals++
	p.arrival = h.arrivals
	h.broadcast(joined)
	p.joinID = joined.ID // in a cluster: 0 until the event comes back
	h.byKey[nameKey(name)] = p
	h.byToken[token] = p
	h.opts.Metrics.Joined(opts.Transport)
	m := h.addSession(p, opts)
	if opts.After > 0 { // a reclaimed name: what it missed, up to its own return
		h.replayMissed(m, opts.After, missedUntil)
	} else {
		h.replayHistory(m)
	}
	h.log.Debug("member joined", "name", name, "transport", opts.Transport, "members", len(h.byKey))
	return m, nil
}

// attach adds a connection to a person already in the room.
func (h *Hub) attach(p *person, opts JoinOptions) *Member {
	p.detachGen++ // voids a pending expiry
	if p.graceTimer != nil {
		p.graceTimer.Stop()
		p.graceTimer = nil
	}
	resuming := len(p.sessions) == 0
	m := h.addSession(p, opts)
	switch {
	case opts.After > 0:
		h.replayMissed(m, opts.After, h.lastID)
	case resuming:
		h.replayMissed(m, p.lastSeen, h.lastID)
	default: // another tab: it starts as a newcomer's would
		h.replayHistory(m)
	}
	h.log.Debug("member resumed", "name", p.displayName(), "transport", opts.Transport, "connections", len(p.sessions))
	return m
}

func (h *Hub) addSession(p *person, opts JoinOptions) *Member {
	h.arrivals++
	m := &Member{
		hub:       h,
		person:    p,
		transport: opts.Transport,
		queue:     newQueue(),
		index:     len(h.members),
		arrival:   h.arrivals,
		// It has seen what there is to see: the replay that follows
		// brings it up to here.
		lastQueued: h.lastID,
	}
	h.members = append(h.members, m)
	p.sessions = append(p.sessions, m)
	if opts.WithRoster {
		r := h.roster()
		m.roster.Store(&r)
	}
	return m
}

// replayHistory gives a newcomer the room's recent messages.
func (h *Hub) replayHistory(m *Member) {
	if h.recent.n == 0 {
		return
	}
	h.deliverPrivate(m, &Event{Kind: KindReplayBegin, Replay: ReplayHistory})
	for ev := range h.recent.all {
		h.deliver(m, ev)
	}
	h.deliverPrivate(m, &Event{Kind: KindReplayEnd, Replay: ReplayHistory})
}

// replayMissed gives a resumed connection the events with IDs in (after,
// until] that it may see. It replays at most half a queue, so that the live events that
// follow still fit; if more were missed, or they are older than the hub
// holds, a notice says so first.
func (h *Hub) replayMissed(m *Member, after, until uint64) {
	var missed []*Event
	for ev := range h.replay.all {
		if ev.ID > after && ev.ID <= until && ev.visibleTo(m.person) {
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

// roster lists the people in joining order.
func (h *Hub) roster() []Presence {
	ps := make([]*person, 0, len(h.byKey))
	for _, p := range h.byKey {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *person) int { return cmp.Compare(a.joinID, b.joinID) })
	r := make([]Presence, len(ps))
	for i, p := range ps {
		r[i] = p.presence()
	}
	return r
}

func (p *person) presence() Presence {
	return Presence{
		Name: p.displayName(), Transport: p.transport, Since: p.since,
		Away: p.away, AwayReason: p.awayReason, LastActive: p.lastActive,
	}
}

// stamp gives ev the next ID and the time.
func (h *Hub) stamp(ev *Event) {
	h.lastID++
	ev.ID = h.lastID
	ev.Time = h.opts.Now()
}

// broadcast stamps ev and fans it out. In a cluster, it publishes ev
// instead, to be fanned out when it comes back in the cluster's order; a
// notice stays on this node.
func (h *Hub) broadcast(ev *Event) {
	switch {
	case h.opts.Cluster == nil:
		h.stamp(ev)
		h.fanOut(ev)
	case ev.Kind == KindNotice:
		h.noticeLocal(ev)
	default:
		h.publish(ev)
	}
}

// remember keeps ev for replays and, if it is a message, in the history.
func (h *Hub) remember(ev *Event) {
	h.replay.push(ev)
	if ev.Kind == KindMessage || ev.Kind == KindAction {
		h.recent.push(ev)
		h.save(ev)
	}
}

// fanOut offers ev to every connection without ever waiting: a connection
// whose queue is full is marked slow and removed by removeSlow. Private
// events go to their two people only; a person does not hear of its own
// joining.
func (h *Hub) fanOut(ev *Event) {
	h.remember(ev)
	delivered := 0
	if ev.Kind == KindPrivate {
		delivered += h.deliverAll(ev.sender, ev)
		if ev.target != ev.sender {
			delivered += h.deliverAll(ev.target, ev)
		}
	} else {
		// A person does not hear of its own joining, nor does a connection
		// that arrived after it (in a cluster, where the event comes back
		// later): its roster had the person already.
		joiner := ev.sender != nil && ev.Kind == KindJoined
		for _, m := range h.members {
			if joiner && (m.person == ev.sender || m.arrival > ev.sender.arrival) {
				continue
			}
			if h.deliver(m, ev) {
				delivered++
			}
		}
	}
	h.opts.Metrics.FannedOut(delivered, h.opts.Now().Sub(ev.Time))
}

// deliverAll offers ev to each connection of p.
func (h *Hub) deliverAll(p *person, ev *Event) int {
	n := 0
	for _, m := range p.sessions {
		if h.deliver(m, ev) {
			n++
		}
	}
	return n
}

// deliverPrivate offers ev to one connection only: a notice for it, or a
// replay marker. Such events have no ID (it is 0): IDs number what the
// room saw, so that a client resuming after ID n misses nothing.
func (h *Hub) deliverPrivate(m *Member, ev *Event) {
	ev.Time = h.opts.Now()
	h.deliver(m, ev)
}

// deliver offers ev to m's queue and reports whether it took it.
func (h *Hub) deliver(m *Member, ev *Event) bool {
	if m.overflowed {
		return false // its queue is full; removeSlow will remove it
	}
	if !m.queue.put(ev, h.opts.QueueLen) {
		m.overflowed = true
		h.slow = append(h.slow, m)
		return false
	}
	if ev.ID != 0 {
		m.lastQueued = ev.ID
	}
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
		h.closeSession(m, ReasonTooSlow)
		if p := m.person; len(p.sessions) == 0 && !p.gone {
			h.removePerson(p, ReasonTooSlow, "")
		}
	}
	h.slow = h.slow[:0]
}

// closeSession takes one connection out of the room and closes its queue
// with reason. Closing one twice does nothing.
func (h *Hub) closeSession(m *Member, reason Reason) {
	if m.index < 0 {
		return
	}
	last := len(h.members) - 1
	h.members[m.index] = h.members[last]
	h.members[m.index].index = m.index
	h.members[last] = nil
	h.members = h.members[:last]
	m.index = -1
	p := m.person
	if i := slices.Index(p.sessions, m); i >= 0 {
		p.sessions = slices.Delete(p.sessions, i, i+1)
	}
	if len(p.sessions) == 0 {
		p.lastSeen = m.lastQueued
	}
	m.reason.Store(uint32(reason))
	m.queue.close()
}

// detach ends a connection that dropped or hung up. If it was its person's
// last, the person leaves, or, with KeepOnDrop, waits out the grace period.
func (h *Hub) detach(m *Member, reason Reason) {
	if m.index < 0 {
		return
	}
	p := m.person
	h.closeSession(m, reason)
	if len(p.sessions) > 0 || p.gone {
		return
	}
	if !p.keepOnDrop || h.opts.Grace < 0 {
		if h.opts.Cluster == nil {
			h.rememberDeparture(p) // in a cluster, Cluster.Depart does
		}
		h.removePerson(p, ReasonQuit, "")
		return
	}
	gen := p.detachGen
	p.graceTimer = time.AfterFunc(h.opts.Grace, func() {
		// Sent from the timer's goroutine; if the hub has stopped, nobody
		// needs to expire anything.
		_ = h.send(context.Background(), request{kind: reqExpire, person: p, gen: gen})
	})
}

// expire removes a person whose grace period ran out without a resume.
func (h *Hub) expire(p *person, gen uint64) {
	if p.gone || len(p.sessions) > 0 || p.detachGen != gen {
		return // resumed meanwhile
	}
	h.removePerson(p, ReasonQuit, "")
}

// removePerson takes p out of the room: closes every connection it has,
// frees its name, and tells everyone else, with its parting words if any.
func (h *Hub) removePerson(p *person, reason Reason, words string) {
	if p.gone {
		return
	}
	h.dismiss(p, reason)
	name := p.displayName()
	delete(h.byKey, nameKey(name))
	if h.opts.Cluster == nil {
		if reason != ReasonShutdown { // at shutdown nobody is left to tell
			h.broadcast(&Event{Kind: KindLeft, Name: name, Reason: reason, Text: words})
		}
		return
	}
	// The other nodes' people stay: they are told even at shutdown.
	h.broadcast(&Event{Kind: KindLeft, Name: name, Reason: reason, Text: words})
	h.opts.Cluster.Depart(p.claimOf(), p.lastSeen)
}

// dismiss closes every connection p has and forgets its token: p is gone
// from this node.
func (h *Hub) dismiss(p *person, reason Reason) {
	for len(p.sessions) > 0 {
		h.closeSession(p.sessions[len(p.sessions)-1], reason)
	}
	p.gone = true
	if p.graceTimer != nil {
		p.graceTimer.Stop()
	}
	delete(h.byToken, p.token)
	h.opts.Metrics.Left(p.transport, reason)
}

// rememberDeparture lets the holder of p's token reclaim its name for the
// grace period after p dropped.
func (h *Hub) rememberDeparture(p *person) {
	if h.opts.Grace <= 0 {
		return
	}
	h.forgetExpired()
	h.departed[p.token] = departure{
		name: p.displayName(), lastSeen: p.lastSeen,
		expires: h.opts.Now().Add(h.opts.Grace),
	}
}

// forgetExpired drops departures whose grace has run out, so that the map
// stays as small as the number of people who left in the last grace period.
func (h *Hub) forgetExpired() {
	now := h.opts.Now()
	for token, d := range h.departed {
		if now.After(d.expires) {
			delete(h.departed, token)
		}
	}
}

func (h *Hub) removeAll(reason Reason) {
	for _, p := range h.byKey {
		if !p.remote {
			h.removePerson(p, reason, "")
		}
	}
	h.slow = nil
}

// active notes that p did something: it is no longer idle, and no longer
// away if it was.
func (h *Hub) active(p *person) {
	p.lastActive = h.opts.Now()
	if p.away {
		p.away, p.awayReason = false, ""
		h.broadcast(&Event{Kind: KindAway, Name: p.displayName(), Away: false})
	}
}
