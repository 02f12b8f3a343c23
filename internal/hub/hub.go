package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/anseo/anseo/internal/accounts"
)

// Options configure a Hub. The zero value is usable: every field has a default.
type Options struct {
	// QueueLen bounds each connection's queue of undelivered events. A
	// connection that falls further behind is removed with ReasonTooSlow. Default 1024:
	// about a minute of a busy room, so a reader stalled by a slow network for
	// a moment survives and one that stopped reading is soon cut off.
	QueueLen int
	// MaxTextBytes is the longest message text in bytes, after cleaning.
	// Default 4096: a long paragraph; anything longer belongs in a paste
	// site.
	MaxTextBytes int
	// MaxTextLines is the most lines a message text may have. Default 50:
	// a screenful, so that a paste of a short log or a poem goes through
	// whole and nobody can push the conversation off everyone's screen
	// with one message.
	MaxTextLines int
	// Flood sets each member's flood control; see Flood.
	Flood Flood
	// Now is the clock; default time.Now. Tests inject their own.
	Now func() time.Time
	// Logger receives the hub's lifecycle messages; default discards them.
	Logger *slog.Logger
	// Metrics receives counts for monitoring; default counts nothing.
	Metrics Metrics

	// HistoryLen is how many recent messages a newcomer is shown. Default 50.
	HistoryLen int
	// ReplayLen is how many recent events the hub keeps to replay to a member
	// who reconnects (see JoinOptions.Token). Default 1024.
	ReplayLen int
	// Grace is how long a member whose last connection dropped keeps its
	// name: a member that joined with KeepOnDrop stays in the room that long,
	// waiting to be resumed; one that did not leaves at once but may reclaim
	// its name with its token for that long. Default 30 s; negative: none.
	Grace time.Duration
	// LeaveGrace replaces Grace for a person whose last connection said
	// it was leaving (Conn.Leaving: its page is closing) before it closed.
	// Default 5 s: time for a reloading page to come back unnoticed, and
	// still a departure that others see in seconds when a tab was closed.
	// It is never longer than Grace.
	LeaveGrace time.Duration
	// Store, if set, is the room's history: the hub reads its recent
	// history and the last entry's ID from it at start, transports read
	// older history and search through it, and the local log (see Log)
	// writes every entry to it, so the room survives a restart.
	Store Store
	// Retention bounds what the local log keeps in Store; see Retention.
	Retention Retention
	// Log is the room's ordered, durable record; see Log. Default: the
	// local log, over Store (numbering only, without one). internal/cluster
	// gives the log that the nodes of a cluster share, which then also
	// writes each node's Store.
	Log Log
	// Names decides who holds which name; see Names. Default: a registry
	// in this node's memory.
	Names Names

	// MaxRooms bounds the rooms on the server: joining a new one beyond it
	// is refused. Default 1,000.
	MaxRooms int
	// MaxRoomsPerPerson bounds the rooms one person is in at once.
	// Default 50.
	MaxRoomsPerPerson int

	// Accounts keeps the registered names (see Accounts). Nil: names
	// cannot be registered, and every name is free for whoever comes.
	Accounts Accounts
	// Operators are the names, registered ones, that are server operators
	// besides those whose account says so (anseo admin op): the
	// -operators flag, so that a new server can have its first.
	Operators []string
	// PasswordCost is the argon2id costs new password hashes are made
	// with. Zero: accounts.DefaultParams. Tests make it cheap.
	PasswordCost accounts.Params
	// RoomsNeedAccount: only a person logged in to a registered name may
	// make a new room.
	RoomsNeedAccount bool
}

// Retention bounds the saved history. Whoever writes the Store prunes it
// when it starts and then every thousand or so entries.
type Retention struct {
	// Keep is how many entries to keep at most in each room (the entries
	// about no room, such as private messages and renames, count as one
	// more room). Default 100,000; negative: no limit by count.
	Keep int
	// MaxAge is how old a message may grow before it is deleted. Default 0:
	// no limit by age.
	MaxAge time.Duration
}

// DefaultRetentionKeep is the default for Retention.Keep.
const DefaultRetentionKeep = 100_000

// Defaults for Options.
const (
	DefaultQueueLen     = 1024
	DefaultMaxTextBytes = 4096
	DefaultMaxTextLines = 50
	DefaultHistoryLen   = 50
	DefaultReplayLen    = 1024
	DefaultGrace        = 30 * time.Second
	DefaultLeaveGrace   = 5 * time.Second
	DefaultMaxRooms     = 1000
	// DefaultMaxRoomsPerPerson: more than anyone follows at once.
	DefaultMaxRoomsPerPerson = 50
	// MaxTopicLen is the longest topic, in characters: a line.
	MaxTopicLen = 300
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

// presenceDelay is how long a change to the user list may wait for others
// before it is written out with them: a tenth of a second late, nobody
// notices that someone arrived.
const presenceDelay = 100 * time.Millisecond

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
	valve    *valve        // holds senders back while readers catch up
	loaded   chan struct{} // closed when Run has loaded the history and serves requests
	done     chan struct{} // closed when Run returns

	// Owned by the Run goroutine.
	conns        []*Conn            // every connection of every person on this node
	byKey        map[string]*person // nameKey → person on the server, as the log has it
	rooms        map[string]*room   // RoomKey → room
	lobby        *room              // DefaultRoom
	stamp        uint64             // marks the connections offered an event about a person (fanOut)
	byToken      map[string]*person // token → person on this node
	bySess       map[string]*person // JoinOptions.Session → person on this node, if it has one
	lastID       uint64             // the last entry applied
	slow         []*Conn            // connections whose queue overflowed during a fan-out
	lazy         []*Conn            // connections with changes to the user list waiting, their writers not yet woken
	joinsWaiting []*room            // rooms with joins waiting to be delivered (joins.go)
	replay       *ring              // recent events, for connections that resume
	serial       uint64             // the last serial appended to the log
	busy         bool               // as much on its way as the valve allows: see valve
	stopping     bool               // Run is ending: nothing more comes back from the log
	pending      map[uint64]pending // serial → entry appended, not yet back from the log
	mod          moderation         // bans, mutes, room operators, the message of the day

	attempts *accounts.Limiter // wrong passwords, by name and address: safe from any goroutine
}

// pending is an entry this node appended to the log, waiting to come back.
type pending struct {
	ev   *Event
	join *request // a join waiting for its entry: the joiner is answered then
}

// New returns a hub configured by opts. It does nothing until Run is called.
func New(opts Options) *Hub {
	if opts.QueueLen <= 0 {
		opts.QueueLen = DefaultQueueLen
	}
	if opts.MaxTextBytes <= 0 {
		opts.MaxTextBytes = DefaultMaxTextBytes
	}
	if opts.MaxTextLines <= 0 {
		opts.MaxTextLines = DefaultMaxTextLines
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
	if opts.HistoryLen <= 0 {
		opts.HistoryLen = DefaultHistoryLen
	}
	if opts.ReplayLen <= 0 {
		opts.ReplayLen = DefaultReplayLen
	}
	if opts.Grace == 0 {
		opts.Grace = DefaultGrace
	}
	if opts.LeaveGrace <= 0 {
		opts.LeaveGrace = DefaultLeaveGrace
	}
	opts.LeaveGrace = min(opts.LeaveGrace, max(opts.Grace, 0))
	if opts.Retention.Keep == 0 {
		opts.Retention.Keep = DefaultRetentionKeep
	}
	if opts.MaxRooms <= 0 {
		opts.MaxRooms = DefaultMaxRooms
	}
	if opts.MaxRoomsPerPerson <= 0 {
		opts.MaxRoomsPerPerson = DefaultMaxRoomsPerPerson
	}
	if opts.Metrics == nil {
		opts.Metrics = noMetrics{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// A single node is a cluster of one: its own log and registry.
	if opts.Log == nil {
		opts.Log = newLocalLog(opts)
	}
	if opts.Names == nil {
		opts.Names = newLocalNames(opts)
	}
	h := &Hub{
		opts:     opts,
		log:      opts.Logger,
		requests: make(chan request, requestQueueLen),
		valve:    newValve(opts.QueueLen/4, opts.Metrics.Held),
		loaded:   make(chan struct{}),
		done:     make(chan struct{}),
		byKey:    make(map[string]*person),
		byToken:  make(map[string]*person),
		bySess:   make(map[string]*person),
		rooms:    make(map[string]*room),
		replay:   newRing(opts.ReplayLen),
		pending:  make(map[uint64]pending),
		mod:      newModeration(),
		attempts: accounts.NewLimiter(),
	}
	h.attempts.Now = opts.Now
	h.lobby = h.openRoom(RoomKey(DefaultRoom), DefaultRoom, opts.Now())
	return h
}

type requestKind uint8

const (
	reqJoin requestKind = iota + 1
	reqAttach
	reqCheck
	reqSay
	reqCommand
	reqLeave
	reqRoster
	reqNotice
	reqExpire
	reqReceive
	reqAddRemote
	reqEvict
	reqLastID
	reqLogFailing
	reqSession
	reqQuit
	reqRooms
	reqAccount
)

// request is everything the hub can be asked. One struct rather than an
// interface per kind keeps a Say, the hot path, free of allocations.
type request struct {
	kind   requestKind
	conn   *Conn
	person *person // reqExpire
	gen    uint64  // reqExpire: the person's detach generation
	name   string  // reqJoin, reqCheck; reqCommand: the command
	text   string
	ref    string
	words  []string // reqSay, reqCommand (me): wordKeys of text, for mentions
	// roomKey is the room a say or a command was typed in (Conn.SayIn),
	// or asked about (reqRoster); "" for the person's home (Hub.home).
	roomKey  string
	roomName string // as typed, for a notice that it does not exist
	join     JoinOptions
	reply    chan reply

	claimed    bool       // reqCommand (nick): the new name is claimed; reqAccount: registered (else unregistered)
	login      login      // reqJoin: what the joiner proved
	registered bool       // reqCommand (op): the name is registered
	held       bool       // reqJoin: the person was held by another node until now
	err        error      // reqCommand (nick): the claim failed
	reason     Reason     // reqEvict
	incoming   []Incoming // reqReceive
	remote     []Presence // reqAddRemote
}

type reply struct {
	name   string // reqSession
	rooms  []RoomInfo
	conn   *Conn
	roster Roster
	id     uint64
	err    error
}

// Run owns the room until ctx is done, then removes everyone with
// ReasonShutdown and returns. It first loads the recent history and the
// last entry's ID from the Store, if there is one, and returns the error if
// it cannot; it runs the Log beside it, and returns the Log's error if the
// Log fails. Run must be called exactly once.
func (h *Hub) Run(ctx context.Context) error {
	if err := h.load(ctx); err != nil {
		close(h.done)
		if ctx.Err() != nil {
			return nil // stopped while starting: not a failure
		}
		return err
	}
	// The log outlives the loop, so that the departures the hub appends as
	// it stops are kept, and published to the other nodes of a cluster.
	logCtx, stopLog := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLog()
	logDone := make(chan error, 1)
	go func() { logDone <- h.opts.Log.Run(logCtx, h) }()
	close(h.loaded)

	// Changes to the user list (joins, departures, away) wait up to
	// presenceDelay for one another before their writers are woken: in a
	// storm of joins (a restart of a busy server, every page back at once)
	// each member would otherwise be woken, and written to, once per
	// newcomer. Anything else wakes a writer at once, for all that waits.
	presence := time.NewTimer(presenceDelay)
	presence.Stop()
	defer presence.Stop()
	presenceDue := false // the timer runs
	var err error
loop:
	for {
		if (len(h.lazy) > 0 || len(h.joinsWaiting) > 0) && !presenceDue {
			presenceDue = true
			presence.Reset(presenceDelay)
		}
		select {
		case <-presence.C:
			presenceDue = false
			h.deliverJoins()
			for _, m := range h.lazy {
				m.lazy = false
				m.queue.wake()
			}
			clear(h.lazy)
			h.lazy = h.lazy[:0]
		case <-ctx.Done():
			break loop
		case err = <-logDone:
			logDone = nil
			if err != nil {
				err = fmt.Errorf("hub: the room's log: %w", err)
			}
			break loop
		case req := <-h.requests:
			if req.kind == reqSay || req.kind == reqCommand {
				h.valve.received()
			}
			h.handle(req)
			h.checkBusy()
		}
	}
	h.stopping = true
	h.removeAll(ReasonShutdown)
	close(h.done) // from here, every request fails with ErrClosed
	stopLog()
	if logDone != nil {
		if lerr := <-logDone; lerr != nil {
			h.log.Error("the room's log stopped with an error", "err", lerr)
		}
	}
	return err
}

// load fills the rooms, their topics and their recent history from the
// Store, and continues after its last entry.
func (h *Hub) load(ctx context.Context) error {
	st := h.opts.Store
	if st == nil {
		return nil
	}
	last, err := st.LastID(ctx)
	if err != nil {
		return fmt.Errorf("hub: history: %w", err)
	}
	h.lastID = last
	rooms, err := st.Rooms(ctx)
	if err != nil {
		return fmt.Errorf("hub: history: %w", err)
	}
	mods, err := st.Moderation(ctx, 0)
	if err != nil {
		return fmt.Errorf("hub: history: %w", err)
	}
	for _, ev := range mods {
		h.mod.record(ev, RoomKey(ev.Room))
	}
	for _, info := range rooms {
		key := RoomKey(info.Name)
		if key == "" {
			continue // kept by a version with other rules: unreachable now
		}
		r := h.openRoom(key, info.Name, info.Created)
		r.topic, r.topicBy, r.topicAt = info.Topic, info.TopicBy, info.TopicAt
		if !info.Created.IsZero() {
			r.created = info.Created // the default room was made anew by New
		}
		recent, err := st.Recent(ctx, r.name, h.opts.HistoryLen)
		if err != nil {
			return fmt.Errorf("hub: history: %w", err)
		}
		for _, ev := range recent {
			ev.Room, ev.room = r.name, r
			r.recent.push(ev)
		}
	}
	return nil
}

// JoinOptions describe a joining connection.
type JoinOptions struct {
	// Transport is how the member is connected; others see it.
	Transport Transport
	// WithRoster asks for Conn.Roster to be filled in. It costs a copy of
	// the user list per join, so transports that show no list leave it off.
	WithRoster bool
	// RosterHead, with WithRoster, lists only the first RosterHead people
	// to have joined (and the member itself) in Conn.Roster: what a page
	// shows at first, at the same cost for the room's 10th member and its
	// 10,000th. 0 lists everyone.
	RosterHead int
	// Token, if it is a live person's (Conn.Token), attaches this
	// connection to that person instead of joining anew: a second tab, a
	// reloaded page, a reconnection after a network blip. The name is then
	// ignored. If it is the token of a member that left within the grace
	// period and whose name is free, the member rejoins under that name.
	// Unknown or expired tokens give ErrNoSession.
	Token string
	// After is the ID of the last event the connection's client has seen,
	// when it resumes with Token: the events after it that the hub still
	// holds are replayed. Zero: the hub's own record of what it last sent.
	After uint64
	// KeepOnDrop keeps the member in the room for Options.Grace after its
	// last connection drops (Conn.Leave), so that a reload or a blip goes
	// unnoticed by others. Without it, a drop is a departure (as the seed
	// protocol has it) and only the name may be reclaimed.
	KeepOnDrop bool
	// OneRoom puts the person in one room at a time: /join moves it, and
	// what it says without naming a room goes to the room it is in. The
	// line port's people are so: its lines are about the room they are in.
	OneRoom bool
	// Session, if set, says who is behind the person, whatever its name:
	// on the web, the browser's login. A join with the Session of a person
	// in the room on this node attaches to that person, as a Token does
	// (another tab, whose page had no token). Every entry about the person
	// carries it (Event.Session), so that its messages stay its own across
	// renames and restarts. It is kept in the history: it must not be a
	// secret (the web gives a digest of its session cookie).
	Session string
	// Password is the password of a registered name (see
	// ErrPasswordRequired). It is hashed and forgotten.
	Password string
	// Address is where the connection comes from: bans and the limits on
	// password attempts go by it. The zero Addr matches no address ban.
	Address netip.Addr
}

// Join adds a person called name to the room and announces it to everyone
// else, or attaches a connection to a person already here (see
// JoinOptions.Token). It returns the new connection. The name
// is claimed (Options.Names) from the caller's goroutine, so the hub never
// waits for it, and Join returns once the join is in the room's log. It
// returns a *NameError if the name breaks the rules, ErrNameTaken if someone
// holds it, ErrNoSession for a token that is not (or no longer) valid, an
// error wrapping ErrUnavailable if the name cannot be claimed or the join
// not kept just now, and ErrClosed if the hub has stopped.
func (h *Hub) Join(ctx context.Context, name string, opts JoinOptions) (*Conn, error) {
	if opts.Token != "" {
		return h.resume(ctx, opts)
	}
	if opts.Session != "" {
		r, err := h.ask(ctx, request{kind: reqAttach, join: opts})
		if !errors.Is(err, ErrNoSession) {
			return r.conn, err
		}
	}
	display, err := CheckName(name)
	if err != nil {
		return nil, err
	}
	if _, err := h.ask(ctx, request{kind: reqCheck, name: display, join: opts}); err != nil {
		return nil, err // someone in the room has it, or a ban: no need to ask the registry
	}
	lg, err := h.authenticate(ctx, display, opts)
	if err != nil {
		return nil, err
	}
	opts.Password = "" // proved: nobody needs it any more
	opts.Token = newToken()
	c := Claim{Key: nameKey(display), Name: display, Token: opts.Token, Transport: opts.Transport}
	if err := h.opts.Names.Claim(ctx, c); err != nil {
		return nil, err
	}
	r, err := h.ask(ctx, request{kind: reqJoin, name: display, join: opts, login: lg})
	if err != nil && !errors.Is(err, ErrClosed) {
		h.opts.Names.Release(c.Key)
	}
	return r.conn, err
}

// resume is Join with a token: another connection of a person here, or a
// person coming back for its name.
func (h *Hub) resume(ctx context.Context, opts JoinOptions) (*Conn, error) {
	r, err := h.ask(ctx, request{kind: reqAttach, join: opts})
	if !errors.Is(err, ErrNoSession) {
		return r.conn, err
	}
	res, err := h.opts.Names.Resume(ctx, opts.Token)
	if err != nil {
		return nil, err
	}
	if opts.After == 0 {
		opts.After = res.LastSeen
	}
	opts.Transport = res.Transport
	// The token proves the person; a browser logged in to the name proves
	// the account as well.
	lg, _ := h.authenticate(ctx, res.Name, JoinOptions{Session: opts.Session})
	lg.registered = lg.registered || res.Registered
	lg.operator = lg.operator || res.Operator
	r, err = h.ask(ctx, request{kind: reqJoin, name: res.Name, join: opts, held: res.Held, login: lg})
	if err != nil && !errors.Is(err, ErrClosed) {
		h.opts.Names.Release(nameKey(res.Name))
	}
	return r.conn, err
}

// Check reports whether name could join now: nil, a *NameError,
// ErrNameTaken, a *BannedError, or an error wrapping ErrUnavailable. It does not ask for a registered name's password: LogIn
// does. The answer can be
// stale by the time the caller acts on it; Join decides.
func (h *Hub) Check(ctx context.Context, name string) error {
	return h.check(ctx, name, netip.Addr{})
}

// check is Check of a join from the address from.
func (h *Hub) check(ctx context.Context, name string, from netip.Addr) error {
	display, err := CheckName(name)
	if err != nil {
		return err
	}
	if _, err := h.ask(ctx, request{kind: reqCheck, name: display, join: JoinOptions{Address: from}}); err != nil {
		return err
	}
	if err := h.Health(); err != nil {
		return fmt.Errorf("hub: a join cannot be kept: %w (%w)", ErrUnavailable, err)
	}
	taken, err := h.opts.Names.Taken(ctx, nameKey(display))
	if err == nil && taken {
		err = ErrNameTaken
	}
	return err
}

// Loaded reports whether Run has loaded the room's recent history and
// serves requests. Until then a newcomer would wait, and would not be shown
// what was said before: /readyz sends nobody. Safe from any goroutine.
func (h *Hub) Loaded() bool {
	select {
	case <-h.loaded:
		return true
	default:
		return false
	}
}

// SessionName returns the name of the person in the room on this node
// whose JoinOptions.Session is session, and whether there is one; if there
// is none, the name that session was last known by in the history (a
// rename is kept there as it happens), and false; "" if neither knows it.
// A web login follows its person's name this way, across /nick and
// restarts.
func (h *Hub) SessionName(ctx context.Context, session string) (name string, live bool, err error) {
	if session == "" {
		return "", false, nil
	}
	r, err := h.ask(ctx, request{kind: reqSession, join: JoinOptions{Session: session}})
	if err != nil || r.name != "" {
		return r.name, r.name != "", err
	}
	if st := h.opts.Store; st != nil {
		name, err = st.LastName(ctx, session)
	}
	return name, false, err
}

// Quit takes the person whose JoinOptions.Session is session out of the
// room at once, as /quit does: every connection it has closes with
// ReasonQuit. It does nothing if there is none on this node.
func (h *Hub) Quit(ctx context.Context, session string) error {
	if session == "" {
		return nil
	}
	_, err := h.ask(ctx, request{kind: reqQuit, join: JoinOptions{Session: session}})
	return err
}

// bySession is the person on this node, in the room, whose session it is.
func (h *Hub) bySession(session string) *person {
	if p := h.bySess[session]; session != "" && p != nil && !p.gone {
		return p
	}
	return nil
}

// InboxLen returns how many requests wait for the hub: a gauge of how far
// the hub is behind its members. Safe from any goroutine.
func (h *Hub) InboxLen() int { return len(h.requests) }

// Roster returns who is in room now ("": DefaultRoom), everyone, in
// joining order. A room that does not exist has nobody in it.
func (h *Hub) Roster(ctx context.Context, room string) (Roster, error) {
	req := request{kind: reqRoster, roomKey: RoomKey(DefaultRoom)}
	if room != "" {
		req.roomKey = RoomKey(room)
	}
	r, err := h.ask(ctx, req)
	return r.roster, err
}

// Rooms lists every room on the server, the busiest first, with how many
// are in each now.
func (h *Hub) Rooms(ctx context.Context) ([]RoomInfo, error) {
	r, err := h.ask(ctx, request{kind: reqRooms})
	return r.rooms, err
}

// Notice sends text to every member on this node as a notice from the
// operator (NoticeOperator), to be shown as it is. It is not part of the
// room's log: it has no ID, and is not replayed.
func (h *Hub) Notice(ctx context.Context, text string) error {
	return h.send(ctx, request{kind: reqNotice, text: cleanText(text)})
}

// Store returns the hub's Store, nil if it has none: transports read older
// history and search through it.
func (h *Hub) Store() Store { return h.opts.Store }

// AddRemote tells the hub who is in the room on other nodes when it starts.
// Names implementations shared by several nodes call it.
func (h *Hub) AddRemote(ctx context.Context, people []Presence) error {
	_, err := h.ask(ctx, request{kind: reqAddRemote, remote: people})
	return err
}

// Evict lets go of the person with name key on this node without a
// departure: it moved to another node (ReasonMoved), or its name was freed
// while this node was out of touch (ReasonLost). Its connections are closed
// with reason; the room sees it as on another node until the log says
// otherwise. Names implementations shared by several nodes call it.
func (h *Hub) Evict(ctx context.Context, key string, reason Reason) error {
	return h.send(ctx, request{kind: reqEvict, name: key, reason: reason})
}

// checkBusy tells the valve whether the hub has as many entries on their
// way through the log as it should.
func (h *Hub) checkBusy() {
	if busy := len(h.pending) >= h.opts.QueueLen/4; busy != h.busy {
		h.busy = busy
		h.valve.setBusy(busy)
	}
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
		h.join(req)
	case reqAttach:
		p := h.byToken[req.join.Token]
		if req.join.Token == "" {
			p = h.bySession(req.join.Session)
		}
		if p == nil || p.gone {
			req.reply <- reply{err: ErrNoSession}
			break
		}
		req.reply <- reply{conn: h.attach(p, req.join)}
	case reqCheck:
		key := nameKey(req.name)
		err := h.banned("", key, req.join.Address)
		if p := h.byKey[key]; p != nil && !p.gone {
			err = ErrNameTaken
		}
		req.reply <- reply{err: err}
	case reqRoster:
		var roster Roster
		if r := h.rooms[req.roomKey]; r != nil {
			roster = h.roster(r, -1, nil)
		}
		req.reply <- reply{roster: roster}
	case reqRooms:
		req.reply <- reply{rooms: h.roomList()}
	case reqSay:
		if req.conn.gone() {
			return // it spoke as it was being removed; nobody is listening
		}
		p := req.conn.person
		if len(p.held) > 0 {
			h.hold(p, req) // after the command held before it
			return
		}
		r := h.speakingIn(req)
		if r == nil || h.silenced(req, r) {
			return
		}
		h.opts.Metrics.Said(req.conn.transport)
		h.active(p)
		h.broadcast(&Event{Kind: KindMessage, Room: r.name, room: r, Name: p.displayName(), Text: req.text, sender: p, conn: req.conn, ref: req.ref, words: req.words})
	case reqCommand:
		switch p := req.conn.person; {
		case req.conn.gone():
			if req.claimed {
				h.opts.Names.Release(nameKeyOf(req.text))
			}
		case p.inFlight > 0 || len(p.held) > 0:
			// A command answers from the room as its person's earlier
			// entries left it: /nick then /who lists the new name.
			h.hold(p, req)
		default:
			h.command(req)
		}
	case reqNotice:
		h.notice(&Event{Kind: KindNotice, Text: req.text, Notice: &Notice{Kind: NoticeOperator}})
	case reqLeave:
		h.detach(req.conn, ReasonQuit)
	case reqExpire:
		h.expire(req.person, req.gen)
	case reqReceive:
		for _, in := range req.incoming {
			h.apply(in)
		}
	case reqAddRemote:
		h.addRemote(req.remote)
		req.reply <- reply{}
	case reqEvict:
		h.evict(req.name, req.reason)
	case reqLastID:
		req.reply <- reply{id: h.lastID}
	case reqLogFailing:
		h.tellWaiting()
	case reqSession:
		var name string
		if p := h.bySession(req.join.Session); p != nil {
			name = p.displayName()
		}
		req.reply <- reply{name: name}
	case reqAccount:
		h.account(req)
		req.reply <- reply{}
	case reqQuit:
		if p := h.bySession(req.join.Session); p != nil {
			h.removePerson(p, ReasonQuit, "", false)
		}
		req.reply <- reply{}
	}
	h.removeSlow()
}
