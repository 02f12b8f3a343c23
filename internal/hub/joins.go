package hub

// This file holds the joins that wait to be delivered together. Every
// function here runs on the hub goroutine.
//
// When a busy server restarts, or a link to it is posted, thousands join
// within seconds, and each join is news to everyone already in the room:
// delivered one by one, a storm of n joins costs n²/2 queue puts, and as
// many encodings written. So a join into a room is not put in its
// members' queues at once: it waits, with the others that come within
// presenceDelay, in the room's joinRun, and then each member is given all
// of them as one KindJoins event, encoded once for everyone who hears of
// them all. A member hears of no more joins, and no sooner, than before.
// Anything else fanned out first delivers the joins waiting, so that
// nothing overtakes a join it follows (a message from the newcomer, its
// departure).

// joinRun is the joins into one room waiting to be delivered.
type joinRun struct {
	events []*Event
	// from is, for each connection that came into the room while the joins
	// waited, where what it is to hear of begins: it does not hear of its
	// own joining, nor of the joins its welcome's roster holds already.
	from map[*Conn]int
}

// holdJoin keeps ev, a join into a room, to be delivered with the joins that
// follow it within presenceDelay.
func (h *Hub) holdJoin(ev *Event) {
	r := ev.room
	if r.joins == nil {
		r.joins = &joinRun{}
		h.joinsWaiting = append(h.joinsWaiting, r)
	}
	r.joins.events = append(r.joins.events, ev)
}

// cameIn notes that c came into r while joins were waiting there: it hears
// only of those after it.
func (r *room) cameIn(c *Conn) {
	if run := r.joins; run != nil {
		if run.from == nil {
			run.from = make(map[*Conn]int)
		}
		run.from[c] = len(run.events)
	}
}

// deliverJoins gives every room's waiting joins to its connections: each
// gets them as one event, or the join itself if it is to hear of one.
func (h *Hub) deliverJoins() {
	for _, r := range h.joinsWaiting {
		h.deliverRun(r)
	}
	clear(h.joinsWaiting)
	h.joinsWaiting = h.joinsWaiting[:0]
}

// deliverRun gives r's waiting joins to r's connections.
func (h *Hub) deliverRun(r *room) {
	start := h.opts.Now()
	run := r.joins
	r.joins = nil
	var all *Event // every join of the run, shared by all who hear of them all
	delivered := 0
	for _, m := range r.conns {
		i := run.from[m]
		for i < len(run.events) && run.events[i].ID <= m.ahead {
			i++ // its client has them already: it resumed from further on
		}
		var ev *Event
		switch {
		case i == len(run.events):
			continue
		case i == len(run.events)-1:
			ev = run.events[i]
		case i == 0:
			if all == nil {
				all = joinsOf(run.events)
			}
			ev = all
		default:
			ev = joinsOf(run.events[i:])
		}
		if h.deliver(m, ev) {
			delivered++
		}
	}
	h.opts.Metrics.FannedOut(delivered, h.opts.Now().Sub(start))
}

// joinsOf makes the KindJoins event of joins, two or more into one room.
func joinsOf(joins []*Event) *Event {
	last := joins[len(joins)-1]
	return &Event{Kind: KindJoins, ID: last.ID, Time: last.Time, Room: last.Room, room: last.room, Joins: joins}
}
