package hub

import (
	"context"
	"errors"
)

// Cluster joins this hub's room with the rooms of other anseo nodes, so that
// the people on every node are in one room. internal/cluster implements it
// over NATS.
//
// With a Cluster, the hub does not deliver what happens on its node (joins,
// messages, departures, …) straight away: it publishes each event, and every
// node, this one included, receives every event back through Receive in the
// one order the cluster gives them, numbered by that order. So an event's ID
// is the same on every node, and a client can resume on any node. What
// changes who is in the room (a join, a departure, a new name) takes effect
// on the node where it happens at once, and on the others when its event
// arrives.
//
// All methods are safe from any goroutine. Claim, Taken and Resume may wait
// on the network and are called from a joining connection's goroutine, never
// the hub's; Publish, Release and Depart never wait.
type Cluster interface {
	// Claim reserves a name across the cluster for a person joining on this
	// node (or renaming itself): nil, ErrNameTaken if someone else holds
	// it, or an error if the cluster cannot be reached.
	Claim(ctx context.Context, c Claim) error
	// Taken reports whether some node holds the name with key.
	Taken(ctx context.Context, key string) (bool, error)
	// Resume finds the person a token belongs to, on any node, and moves
	// its name to this node. ErrNoSession for a token nobody holds.
	Resume(ctx context.Context, token string) (Resumed, error)
	// Publish hands one of this node's events to the cluster; serial
	// numbers this node's events, and comes back with the event (see
	// Incoming). It reports false if the cluster cannot take it now.
	Publish(ev *Event, serial uint64) bool
	// Release frees a name this node holds (after a rename), once the
	// events published before it have been.
	Release(key string)
	// Depart frees the name of a person who left, once its departure has
	// been published, and keeps its token for a while so that its holder
	// may reclaim the name (lastSeen: the last event its connection saw).
	Depart(c Claim, lastSeen uint64)
}

// Claim is a name as a node holds it.
type Claim struct {
	Key       string // NameKey of Name
	Name      string
	Token     string
	Transport Transport
}

// Resumed is what Cluster.Resume found.
type Resumed struct {
	Name      string
	Transport Transport
	// LastSeen is the last event the person's last connection saw, if it
	// had left; 0 if unknown.
	LastSeen uint64
	// Held reports that the person is still in the room, held by another
	// node until now: it moves here, and nobody sees it leave or join.
	Held bool
}

// Incoming is an event the cluster delivers to Receive.
type Incoming struct {
	// Event has its ID set: its place in the cluster's order.
	Event *Event
	// Serial is the serial this node gave Publish, if the event is this
	// node's own; 0 for another node's.
	Serial uint64
	// CatchUp marks an event from before this node started: it is kept
	// in the history, not delivered to anyone.
	CatchUp bool
}

// NameKey returns the key under which a name is unique: two names with the
// same key are the same name.
func NameKey(display string) string { return nameKey(display) }

// Receive hands the hub an event from the cluster. Call it from one
// goroutine, in the cluster's order.
func (h *Hub) Receive(ctx context.Context, in Incoming) error {
	return h.send(ctx, request{kind: reqReceive, incoming: in})
}

// AddRemote tells the hub who is in the room on other nodes when it starts.
func (h *Hub) AddRemote(ctx context.Context, people []Presence) error {
	_, err := h.ask(ctx, request{kind: reqAddRemote, remote: people})
	return err
}

// Evict lets go of the person with name key on this node without a
// departure: it moved to another node (ReasonMoved), or its name was freed
// while this node was out of touch (ReasonLost). Its connections are closed
// with reason; the room sees it as on another node until the cluster says
// otherwise.
func (h *Hub) Evict(ctx context.Context, key string, reason Reason) error {
	return h.send(ctx, request{kind: reqEvict, name: key, reason: reason})
}

// LastID returns the ID of the last event the hub has seen. It answers once
// the hub has loaded its history.
func (h *Hub) LastID(ctx context.Context) (uint64, error) {
	r, err := h.ask(ctx, request{kind: reqLastID})
	return r.id, err
}

// joinCluster is Join for a hub in a cluster: the name is claimed across the
// cluster first, from the caller's goroutine, so the hub never waits for the
// network.
func (h *Hub) joinCluster(ctx context.Context, display string, opts JoinOptions) (*Member, error) {
	c := h.opts.Cluster
	if opts.Token != "" {
		r, err := h.ask(ctx, request{kind: reqJoin, join: opts})
		if !errors.Is(err, ErrNoSession) {
			return r.member, err
		}
		res, err := c.Resume(ctx, opts.Token)
		if err != nil {
			return nil, err
		}
		if opts.After == 0 {
			opts.After = res.LastSeen
		}
		opts.Transport = res.Transport
		r, err = h.ask(ctx, request{kind: reqJoin, name: res.Name, join: opts, claimed: true, held: res.Held})
		if err != nil && !errors.Is(err, ErrClosed) {
			c.Release(nameKey(res.Name))
		}
		return r.member, err
	}
	if _, err := h.ask(ctx, request{kind: reqCheck, name: display}); err != nil {
		return nil, err // taken here: no need to ask the cluster
	}
	opts.Token = newToken()
	cl := Claim{Key: nameKey(display), Name: display, Token: opts.Token, Transport: opts.Transport}
	if err := c.Claim(ctx, cl); err != nil {
		return nil, err
	}
	r, err := h.ask(ctx, request{kind: reqJoin, name: display, join: opts, claimed: true})
	if err != nil && !errors.Is(err, ErrClosed) {
		c.Release(cl.Key)
	}
	return r.member, err
}

// claimNewName claims the name a member asked for with /nick before the
// hub renames it; see Hub.rename for the rest.
func (m *Member) claimNewName(ctx context.Context, req *request) {
	display, err := CheckName(req.text)
	if err != nil || nameKey(display) == nameKey(m.Name()) {
		return // the hub says what is wrong, or needs no new claim
	}
	err = m.hub.opts.Cluster.Claim(ctx, Claim{Key: nameKey(display), Name: display, Token: m.person.token, Transport: m.transport})
	req.claimed = err == nil
	req.err = err
}

// publish hands a local event to the cluster; it is delivered when it comes
// back (receive). If the cluster cannot take it, the sender is told.
func (h *Hub) publish(ev *Event) {
	if ev.Time.IsZero() {
		ev.Time = h.opts.Now()
	}
	h.serial++
	if !h.opts.Cluster.Publish(ev, h.serial) {
		h.log.Warn("cluster: an event could not be published", "kind", ev.Kind)
		if ev.session != nil && !ev.session.gone() {
			h.tell(ev.session, &Notice{Kind: NoticeNotSent})
		}
		return
	}
	h.pending[h.serial] = ev
}

// noticeLocal gives a notice to this node's members only. It has no ID: it
// is not part of the cluster's order.
func (h *Hub) noticeLocal(ev *Event) {
	ev.Time = h.opts.Now()
	for _, m := range h.members {
		h.deliver(m, ev)
	}
}

// receive takes an event from the cluster: its own, now numbered, or another
// node's, whose effect on the room it applies first.
func (h *Hub) receive(in Incoming) {
	ev := in.Event
	if ev.ID <= h.lastID {
		return // delivered again after a reconnection: seen already
	}
	own := false
	if in.Serial != 0 {
		if mine := h.pending[in.Serial]; mine != nil {
			delete(h.pending, in.Serial)
			mine.ID = ev.ID
			ev, own = mine, true
		}
	}
	h.lastID = ev.ID
	if in.CatchUp {
		h.remember(ev)
		return
	}
	if own {
		if ev.Kind == KindJoined {
			ev.sender.joinID = ev.ID
		}
	} else if !h.applyRemote(ev) {
		return
	}
	h.fanOut(ev)
}

// applyRemote applies another node's event to the room and reports whether
// it is news to deliver: a departure of someone this node never saw arrive
// is not.
func (h *Hub) applyRemote(ev *Event) bool {
	key := nameKeyOf(ev.Name)
	p := h.byKey[key]
	if p != nil && !p.remote && ev.Kind != KindPrivate {
		h.log.Warn("cluster: an event for a person held here came from elsewhere", "kind", ev.Kind, "name", ev.Name)
		return false
	}
	switch ev.Kind {
	case KindJoined:
		if p == nil {
			p = newRemote(Presence{Name: ev.Name, Transport: ev.Transport, Since: ev.Time, LastActive: ev.Time})
			h.byKey[key] = p
		}
		p.joinID = ev.ID
	case KindLeft:
		if p == nil {
			return false
		}
		delete(h.byKey, key)
		p.gone = true
	case KindRenamed:
		newKey := nameKeyOf(ev.NewName)
		if p != nil && h.byKey[newKey] == nil {
			delete(h.byKey, key)
			h.byKey[newKey] = p
			p.setName(ev.NewName)
		}
	case KindAway:
		if p != nil {
			p.away, p.awayReason = ev.Away, ev.Text
		}
	case KindMessage, KindAction:
		if p != nil {
			p.lastActive = ev.Time
		}
		ev.sender = p
	case KindPrivate:
		ev.sender, ev.target = p, h.byKey[nameKeyOf(ev.To)]
	}
	return true
}

// addRemote adds the people on other nodes that the hub does not know yet.
func (h *Hub) addRemote(people []Presence) {
	for _, pr := range people {
		key := nameKeyOf(pr.Name)
		if key == "" || h.byKey[key] != nil {
			continue
		}
		h.byKey[key] = newRemote(pr)
	}
}

// newRemote is a person on another node, as pr describes it.
func newRemote(pr Presence) *person {
	p := &person{
		remote: true, transport: pr.Transport, since: pr.Since, lastActive: pr.LastActive,
		away: pr.Away, awayReason: pr.AwayReason,
	}
	p.setName(pr.Name)
	return p
}

// evict lets a local person go without a departure; it stays in the room as
// a remote person until the cluster says otherwise.
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
	h.log.Info("cluster: person let go", "name", p.displayName(), "reason", reason)
}

// claimOf is p's name as the cluster knows it.
func (p *person) claimOf() Claim {
	name := p.displayName()
	return Claim{Key: nameKey(name), Name: name, Token: p.token, Transport: p.transport}
}
