package hub

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"time"

	"golang.org/x/time/rate"
)

// Options configure a Hub. The zero value is usable: every field has a default.
type Options struct {
	// QueueLen bounds each member's queue of undelivered events. A member
	// that falls further behind is removed with ReasonTooSlow. Default 1024:
	// about a minute of a busy room, so a reader stalled by a slow network for
	// a moment survives and one that stopped reading is soon cut off.
	QueueLen int
	// MaxTextBytes is the longest message text in bytes, after cleaning.
	// Default 4096: a long paragraph; anything longer belongs in a paste
	// site.
	MaxTextBytes int
	// Flood sets each member's flood control; see Flood.
	Flood Flood
	// Now is the clock; default time.Now. Tests inject their own.
	Now func() time.Time
	// Log receives the hub's lifecycle messages; default discards them.
	Log *slog.Logger
	// Metrics receives counts for monitoring; default counts nothing.
	Metrics Metrics
}

// Defaults for Options.
const (
	DefaultQueueLen     = 1024
	DefaultMaxTextBytes = 4096
)

// Flood is the flood control each member's messages pass, in the manner of
// IRC servers' "fakelag": a burst goes through at once, a sustained flood is
// slowed to Rate, and a flood that goes on for MaxDelayed slowed lines in a
// row is refused, line by line, until the member pauses.
type Flood struct {
	// Rate is the sustained rate in messages per second. Default 2;
	// math.Inf(1) turns flood control off (for load tests).
	Rate float64
	// Burst is how many messages may go at once after a pause. Default 10:
	// a pasted paragraph goes through whole.
	Burst int
	// MaxDelayed is how many slowed messages in a row are accepted before
	// further ones are refused with ErrFlood. Default 20: ten seconds of
	// being slowed at the default rate.
	MaxDelayed int
}

// Defaults for Flood.
const (
	DefaultFloodRate       = 2
	DefaultFloodBurst      = 10
	DefaultFloodMaxDelayed = 20
)

// requestQueueLen bounds the hub's inbox. A small buffer lets readers hand
// over several requests per hub wake-up; beyond it senders wait, which is
// the back-pressure that keeps a flood from outrunning fan-out.
const requestQueueLen = 256

// Hub is the room. Create one with New and start it with Run; all other
// methods are safe from any goroutine and return ErrClosed once Run has ended.
type Hub struct {
	opts     Options
	log      *slog.Logger
	requests chan request
	done     chan struct{} // closed when Run returns

	// Owned by the Run goroutine.
	members []*Member          // in joining order; fan-out walks this
	byKey   map[string]*Member // nameKey → member
	lastID  uint64
	slow    []*Member // members whose queue overflowed during a fan-out
}

// New returns a hub configured by opts. It does nothing until Run is called.
func New(opts Options) *Hub {
	if opts.QueueLen <= 0 {
		opts.QueueLen = DefaultQueueLen
	}
	if opts.MaxTextBytes <= 0 {
		opts.MaxTextBytes = DefaultMaxTextBytes
	}
	if opts.Flood.Rate <= 0 {
		opts.Flood.Rate = DefaultFloodRate
	}
	if opts.Flood.Burst <= 0 {
		opts.Flood.Burst = DefaultFloodBurst
	}
	if opts.Flood.MaxDelayed <= 0 {
		opts.Flood.MaxDelayed = DefaultFloodMaxDelayed
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Metrics == nil {
		opts.Metrics = noMetrics{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Hub{
		opts:     opts,
		log:      opts.Log,
		requests: make(chan request, requestQueueLen),
		done:     make(chan struct{}),
		byKey:    make(map[string]*Member),
	}
}

type requestKind uint8

const (
	reqJoin requestKind = iota + 1
	reqSay
	reqLeave
	reqCheck
	reqRoster
	reqNotice
)

// request is everything the hub can be asked. One struct rather than an
// interface per kind keeps a Say, the hot path, free of allocations.
type request struct {
	kind       requestKind
	member     *Member
	name       string
	transport  Transport
	text       string
	ref        string
	withRoster bool
	reply      chan reply
}

type reply struct {
	member *Member
	roster []Presence
	err    error
}

// Run owns the room until ctx is done, then removes every member with
// ReasonShutdown and returns. Run must be called exactly once.
func (h *Hub) Run(ctx context.Context) error {
	defer close(h.done)
	defer h.removeAll(ReasonShutdown)
	for {
		select {
		case <-ctx.Done():
			return nil
		case req := <-h.requests:
			h.handle(req)
		}
	}
}

// JoinOptions describe a joining member.
type JoinOptions struct {
	// Transport is how the member is connected; others see it.
	Transport Transport
	// WithRoster asks for Member.Roster to be filled in. It costs a copy of
	// the user list per join, so transports that show no list leave it off.
	WithRoster bool
}

// Join adds a member called name to the room and announces it to everyone
// else. It returns a *NameError if the name breaks the rules, ErrNameTaken if
// someone holds it, and ErrClosed if the hub has stopped.
func (h *Hub) Join(ctx context.Context, name string, opts JoinOptions) (*Member, error) {
	display, err := CheckName(name)
	if err != nil {
		return nil, err
	}
	r, err := h.ask(ctx, request{kind: reqJoin, name: display, transport: opts.Transport, withRoster: opts.WithRoster})
	return r.member, err
}

// Check reports whether name could join now: nil, a *NameError or
// ErrNameTaken. The answer can be stale by the time the caller acts on it;
// Join decides.
func (h *Hub) Check(ctx context.Context, name string) error {
	display, err := CheckName(name)
	if err != nil {
		return err
	}
	_, err = h.ask(ctx, request{kind: reqCheck, name: display})
	return err
}

// InboxLen returns how many requests wait for the hub: a gauge of how far
// the hub is behind its members. Safe from any goroutine.
func (h *Hub) InboxLen() int { return len(h.requests) }

// Roster returns who is in the room now, in joining order.
func (h *Hub) Roster(ctx context.Context) ([]Presence, error) {
	r, err := h.ask(ctx, request{kind: reqRoster})
	return r.roster, err
}

// Notice sends a system notice to every member.
func (h *Hub) Notice(ctx context.Context, text string) error {
	return h.send(ctx, request{kind: reqNotice, text: cleanText(text)})
}

// send hands req to the hub without waiting for it to be handled.
func (h *Hub) send(ctx context.Context, req request) error {
	select {
	case <-h.done: // checked first: the inbox may still have room
		return ErrClosed
	default:
	}
	select {
	case h.requests <- req:
		return nil
	case <-h.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ask hands req to the hub and waits for its reply. Once the request is in
// the hub's inbox, ask waits for the answer even if ctx ends: the hub answers
// promptly, and a join abandoned half-way would leave a member that nobody
// reads, holding its name.
func (h *Hub) ask(ctx context.Context, req request) (reply, error) {
	req.reply = make(chan reply, 1) // buffered: the hub never waits for us
	if err := h.send(ctx, req); err != nil {
		return reply{}, err
	}
	select {
	case r := <-req.reply:
		return r, r.err
	case <-h.done:
		return reply{}, ErrClosed
	}
}

func (h *Hub) handle(req request) {
	switch req.kind {
	case reqJoin:
		m, err := h.join(req.name, req.transport, req.withRoster)
		req.reply <- reply{member: m, err: err}
	case reqCheck:
		var err error
		if h.byKey[nameKey(req.name)] != nil {
			err = ErrNameTaken
		}
		req.reply <- reply{err: err}
	case reqRoster:
		req.reply <- reply{roster: h.roster()}
	case reqSay:
		if req.member.gone() {
			return // it spoke as it was being removed; nobody is listening
		}
		h.broadcast(&Event{Kind: KindMessage, Name: req.member.name, Text: req.text, sender: req.member, ref: req.ref})
	case reqNotice:
		h.broadcast(&Event{Kind: KindNotice, Text: req.text})
	case reqLeave:
		h.remove(req.member, ReasonQuit)
	}
	h.removeSlow()
}

func (h *Hub) join(name string, transport Transport, withRoster bool) (*Member, error) {
	key := nameKey(name)
	if h.byKey[key] != nil {
		return nil, ErrNameTaken
	}
	m := &Member{
		hub:       h,
		flood:     rate.NewLimiter(rate.Limit(h.opts.Flood.Rate), h.opts.Flood.Burst),
		name:      name,
		transport: transport,
		since:     h.opts.Now(),
		events:    make(chan *Event, h.opts.QueueLen),
		index:     len(h.members),
	}
	// Announce first, so the newcomer's queue starts after its own join.
	joined := &Event{Kind: KindJoined, Name: name, Transport: transport}
	h.broadcast(joined)
	m.joinID = joined.ID
	h.members = append(h.members, m)
	h.byKey[key] = m
	h.opts.Metrics.Joined(transport)
	if withRoster {
		m.roster = h.roster()
	}
	h.log.Debug("member joined", "name", name, "transport", transport, "members", len(h.members))
	return m, nil
}

// roster lists the members in joining order. h.members loses that order to
// swap-removal, so the list is sorted by the ID of each member's join.
func (h *Hub) roster() []Presence {
	ms := slices.Clone(h.members)
	slices.SortFunc(ms, func(a, b *Member) int { return cmp.Compare(a.joinID, b.joinID) })
	r := make([]Presence, len(ms))
	for i, m := range ms {
		r[i] = Presence{Name: m.name, Transport: m.transport, Since: m.since}
	}
	return r
}

// broadcast stamps ev and offers it to every member without ever waiting: a
// member whose queue is full is marked slow and removed by removeSlow.
func (h *Hub) broadcast(ev *Event) {
	h.lastID++
	ev.ID = h.lastID
	ev.Time = h.opts.Now()
	delivered := 0
	for _, m := range h.members {
		if m.overflowed {
			continue // its queue is full; removeSlow will remove it
		}
		select {
		case m.events <- ev:
			delivered++
		default:
			m.overflowed = true
			h.slow = append(h.slow, m)
		}
	}
	h.opts.Metrics.FannedOut(delivered, h.opts.Now().Sub(ev.Time))
}

// removeSlow removes the members that overflowed. Each removal announces a
// departure, which can overflow others in turn, so it runs until none is left.
func (h *Hub) removeSlow() {
	for len(h.slow) > 0 {
		m := h.slow[0]
		h.slow = h.slow[1:]
		h.log.Warn("member cut off", "name", m.name, "transport", m.transport, "reason", ReasonTooSlow)
		h.remove(m, ReasonTooSlow)
	}
	h.slow = h.slow[:0]
}

// remove takes m out of the room, closes its queue with reason and tells
// everyone else. Removing a member twice does nothing.
func (h *Hub) remove(m *Member, reason Reason) {
	if m.index < 0 {
		return
	}
	last := len(h.members) - 1
	h.members[m.index] = h.members[last]
	h.members[m.index].index = m.index
	h.members[last] = nil
	h.members = h.members[:last]
	m.index = -1
	delete(h.byKey, nameKey(m.name))
	m.reason.Store(uint32(reason))
	close(m.events)
	h.opts.Metrics.Left(m.transport, reason)
	if reason != ReasonShutdown {
		h.broadcast(&Event{Kind: KindLeft, Name: m.name, Reason: reason})
	}
}

func (h *Hub) removeAll(reason Reason) {
	for len(h.members) > 0 {
		h.remove(h.members[len(h.members)-1], reason)
	}
	h.slow = nil
}
