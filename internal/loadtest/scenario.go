package loadtest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// Scenarios.
const (
	// Fanout: Senders send Rate messages per second in all, open loop, for
	// Duration. Measures cost and latency at a given load.
	Fanout = "fanout"
	// Saturate: Senders send as fast as the server takes them (each at most
	// Window messages ahead of the slowest receiver) for Duration.
	Saturate = "saturate"
	// Idle: the clients join and then only hold their connections; the
	// server's resident memory per connection is measured.
	Idle = "idle"
)

// Config describes one load run. The zero value of a field means its default.
type Config struct {
	Scenario string
	// Target names the server in the results ("anseo", "baseline").
	Target string
	// Store names the server's history store in the results ("memory",
	// "file"); "" for none or unknown. A label only: the tool does not
	// check it.
	Store string
	// Round labels the results with the suite's round (Result.Round).
	Round int
	// TelnetAddr is the line port, host:port. Needed if Telnet > 0. A
	// comma-separated list spreads the clients over several servers (the
	// nodes of a cluster) in turn; CPU and memory are then the first's.
	TelnetAddr string
	// HTTPURL is the web server's base URL, http://host:port. Needed if Web
	// > 0. A comma-separated list spreads the clients as TelnetAddr does.
	HTTPURL string
	// Telnet and Web are how many clients of each transport join. Telnet
	// clients join first; senders are the first Senders clients.
	Telnet, Web int
	// Senders is how many of the clients send (fanout, saturate). Default 10.
	Senders int
	// Rate is the fanout scenario's messages per second, all senders
	// together. Default 100.
	Rate float64
	// Duration is how long senders send, or idle clients are held after
	// joining (memory is read once it stops changing, within Duration).
	// Default 10 s.
	Duration time.Duration
	// Window is how many messages each sender may have in flight (sent, not
	// yet received by every member). Senders × Window must stay below the
	// server's queue length (1024) or members can be cut off as too slow by
	// the load itself. Default 64.
	Window int
	// Size pads message texts to this many bytes. Default 0: about 30 bytes.
	Size int
	// JoinBatch is how many clients connect at once during the join storm;
	// the next batch starts when every member has seen the last one's joins,
	// so that the join notices never overflow a queue. Default 250.
	JoinBatch int
	// Parallel bounds concurrent dials within a batch. Default 64.
	Parallel int
	// PID is the server's process, for CPU and memory figures; 0 finds the
	// process listening on TelnetAddr (or HTTPURL's port), if it can.
	PID int
	// Rooms spreads the members evenly over this many rooms ("#load-1",
	// …), client i in room i mod Rooms, each room with at least two
	// members; senders speak in their own room. 0 or 1: everyone stays in
	// the default room, as before rooms existed (see rooms.go).
	Rooms int
	// MemberRooms is how many more rooms each member joins, rooms where
	// nobody speaks, shared with quietGroup others: what being in many
	// rooms costs. WebSocket clients only (a telnet user is in one room at
	// a time); the server must let a user be in 1+MemberRooms rooms, and
	// have room for them all (-max-rooms-per-user, -max-rooms).
	MemberRooms int
	// Progress receives a progress line each second; nil for none.
	Progress io.Writer
}

func (c Config) withDefaults() Config {
	if c.Senders <= 0 && c.Scenario != Idle {
		c.Senders = 10
	}
	if c.Scenario == Idle {
		c.Senders = 0
	}
	if c.Rate <= 0 {
		c.Rate = 100
	}
	if c.Duration <= 0 {
		c.Duration = 10 * time.Second
	}
	if c.Window <= 0 {
		c.Window = 64
	}
	if c.JoinBatch <= 0 {
		c.JoinBatch = 250
	}
	if c.Parallel <= 0 {
		c.Parallel = 64
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	return c
}

// Result is what one run measured. CPU times are over the measured interval
// only (joins, or sending); rates are per second of wall time.
type Result struct {
	Scenario string
	// Round is which of the suite's rounds of sending runs this was (see
	// -rounds), from 1; 0 outside a suite of several.
	Round     int
	Target    string
	Store     string // Config.Store
	Transport string // "telnet", "ws" or "mixed"
	Members   int
	Senders   int
	// Rooms and MemberRooms are Config's: the layout of the members.
	Rooms, MemberRooms int

	// The join storm: every member joining, every join notice delivered to
	// every member already there.
	JoinTime       time.Duration
	JoinDeliveries uint64
	JoinServerCPU  time.Duration
	JoinToolCPU    time.Duration

	// Sending (fanout, saturate).
	Elapsed    time.Duration // the sending interval
	Sent       uint64        // messages sent
	Deliveries uint64        // messages received within Elapsed
	Expected   uint64        // deliveries due for Sent messages
	Received   uint64        // deliveries once drained
	Lost       uint64        // Expected - Received
	Dupes      uint64
	Strays     uint64 // messages from a room their receiver is not in, or labelled with another: faults, which fail the run
	Dropped    int64  // clients the server disconnected
	DropNotes  []string
	P50, P99   time.Duration
	Max        time.Duration
	ServerCPU  time.Duration // -1 when unknown
	ToolCPU    time.Duration
	// OtherCPU is CPU time used by every other process on the machine
	// during the sending (or JoinOtherCPU: the joining) interval: load
	// that competed with the measurement. -1 when unknown.
	OtherCPU     time.Duration
	JoinOtherCPU time.Duration
	// ServerWrites is how many write system calls the server made while
	// sending; 0 when unknown.
	ServerWrites uint64

	// Memory (idle): the server's RSS before the clients connected, after
	// they had joined and it settled, and at the end of Held, the whole
	// idle time. A Go server idle for two minutes collects its garbage and
	// shrinks its goroutines' stacks (the runtime's periodic collection),
	// so a hold longer than that shows what an idle connection costs for
	// good rather than what the join storm left behind.
	RSSBefore, RSSAfter, RSSHeld int64
	Held                         time.Duration
}

// DeliveriesPerSec is the measured fan-out rate.
func (r Result) DeliveriesPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Deliveries) / r.Elapsed.Seconds()
}

// KiBPerConn is the server's resident memory per connection once it
// settled after the join storm, or 0.
func (r Result) KiBPerConn() float64 { return r.perConn(r.RSSAfter) }

// KiBPerConnHeld is the server's resident memory per connection at the end
// of the hold, or 0.
func (r Result) KiBPerConnHeld() float64 { return r.perConn(r.RSSHeld) }

func (r Result) perConn(rss int64) float64 {
	if rss == 0 || r.Members == 0 {
		return 0
	}
	return float64(rss-r.RSSBefore) / 1024 / float64(r.Members)
}

// run is one load run's shared state.
type run struct {
	cfg    Config
	layout layout
	prefix string // every client's name starts with it
	// joinerNamed is how a joins message names one of our clients.
	joinerNamed []byte
	http        *http.Client
	clients     []*client
	senders     []*sender

	joins    atomic.Uint64 // join notices of our clients received
	confirms atomic.Uint64 // moves to rooms our clients were told of (rooms.go)
	joinTick chan struct{} // a join notice arrived (non-blocking, cap 1)
	closing  atomic.Bool   // the run is closing its clients: endings are no drops
	dropped  atomic.Int64
	notes    dropNotes
	readers  sync.WaitGroup
}

func (r *run) joined(n int) {
	if n > 0 {
		r.joins.Add(uint64(n))
		r.wake()
	}
}

// confirmed notes that one of c's moves to or from a room took effect.
func (r *run) confirmed(c *client) {
	c.confirms.Add(1)
	r.confirms.Add(1)
	r.wake()
}

// wake tells waitJoins to look again.
func (r *run) wake() {
	select {
	case r.joinTick <- struct{}{}:
	default:
	}
}

func (r *run) noteDrop(why string) { r.notes.add(why) }

// sender is one sending client's flow control: credit holds a token per
// message it may still send; a message's last receiver returns its token.
type sender struct {
	idx       int
	c         *client
	credit    chan struct{}
	pending   []atomic.Int32 // receivers that have the message, by seq % window
	expected  int32          // receivers per message
	sent      atomic.Uint64
	completed atomic.Uint64
}

// ack records that one receiver has message seq of sender s.
func (r *run) ack(s int, seq uint64) {
	snd := r.senders[s]
	slot := &snd.pending[seq%uint64(len(snd.pending))]
	if slot.Add(1) == snd.expected {
		slot.Store(0) // before the token: the slot's next user waits for it
		snd.completed.Add(1)
		snd.credit <- struct{}{} // never blocks: at most window tokens are out
	}
}

// Run performs one load run against a server that is already listening,
// and always closes every client it opened before returning.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg = cfg.withDefaults()
	switch cfg.Scenario {
	case Fanout, Saturate, Idle:
	default:
		return Result{}, fmt.Errorf("loadtest: unknown scenario %q (want fanout, saturate or idle)", cfg.Scenario)
	}
	n := cfg.Telnet + cfg.Web
	if n < 2 || cfg.Senders > n {
		return Result{}, fmt.Errorf("loadtest: need at least 2 clients and no more senders (%d) than clients (%d)", cfg.Senders, n)
	}
	l := layout{rooms: max(cfg.Rooms, 1), quiet: cfg.MemberRooms, n: n}
	switch {
	case cfg.Rooms < 0 || cfg.MemberRooms < 0:
		return Result{}, fmt.Errorf("loadtest: rooms (%d) and member rooms (%d) cannot be negative", cfg.Rooms, cfg.MemberRooms)
	case l.rooms > 1 && l.size(l.rooms-1) < 2:
		return Result{}, fmt.Errorf("loadtest: %d clients in %d rooms: every room needs at least 2 members", n, l.rooms)
	case l.quiet > 0 && cfg.Telnet > 0:
		return Result{}, errors.New("loadtest: member rooms need WebSocket clients only: a telnet user is in one room at a time")
	}
	res := Result{Scenario: cfg.Scenario, Round: cfg.Round, Target: cfg.Target, Store: cfg.Store, Members: n, Senders: cfg.Senders,
		Rooms: l.rooms, MemberRooms: l.quiet, ServerCPU: -1, OtherCPU: -1, JoinOtherCPU: -1}
	switch {
	case cfg.Web == 0:
		res.Transport = Telnet.String()
	case cfg.Telnet == 0:
		res.Transport = WebSocket.String()
	default:
		res.Transport = "mixed"
	}
	if cfg.PID == 0 {
		addr := nth(cfg.TelnetAddr, 0)
		if cfg.Telnet == 0 {
			addr = strings.TrimPrefix(strings.TrimPrefix(nth(cfg.HTTPURL, 0), "http://"), "https://")
		}
		cfg.PID, _ = pidListening(addr) // unknown: CPU and memory are reported as such
	}

	tr := &http.Transport{MaxIdleConnsPerHost: cfg.Parallel}
	defer tr.CloseIdleConnections()
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r := &run{
		cfg:      cfg,
		layout:   l,
		prefix:   "lt" + randomLetters(4),
		http:     &http.Client{Transport: tr, CheckRedirect: noRedirect},
		joinTick: make(chan struct{}, 1),
	}
	r.joinerNamed = []byte(`"name":"` + r.prefix)
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		r.closing.Store(true)
		cancel()
		for _, c := range r.clients {
			c.close()
		}
		r.readers.Wait()
	}()

	if cfg.PID > 0 {
		res.RSSBefore, _ = procRSS(cfg.PID)
	}
	prog := newProgress(cfg.Progress, fmt.Sprintf("%s %s %s %d", res.label(), res.server(), res.Transport, n))
	defer prog.stop()

	// The join storm.
	srv0, _ := serverCPU(cfg.PID)
	sys0, _ := systemBusy()
	tool0, t0 := selfCPU(), time.Now()
	prog.set(func() string {
		return fmt.Sprintf("joining: %d/%d members, %d join notices", len(r.clients), n, r.joins.Load())
	})
	if err := r.joinAll(ctx); err != nil {
		return res, err
	}
	res.JoinTime = time.Since(t0)
	res.JoinToolCPU = selfCPU() - tool0
	res.JoinDeliveries = r.joins.Load()
	if srv1, ok := serverCPU(cfg.PID); ok {
		res.JoinServerCPU = srv1 - srv0
	}
	res.JoinOtherCPU = otherCPU(sys0, res.JoinServerCPU, res.JoinToolCPU)

	if cfg.Scenario == Idle {
		prog.set(func() string { return "idle: letting the server settle" })
		held := time.Now()
		res.RSSAfter = r.settle(ctx, cfg.PID, cfg.Duration)
		prog.set(func() string { return fmt.Sprintf("idle: holding %d connections", len(r.clients)) })
		// Hold the connections for the rest of Duration, so that a
		// profiler can look at an idle server for a known time.
		hold := time.NewTimer(cfg.Duration - time.Since(held))
		select {
		case <-hold.C:
			res.RSSHeld, _ = procRSS(cfg.PID)
			res.Held = time.Since(held)
		case <-ctx.Done():
			hold.Stop()
		}
		res.Dropped = r.dropped.Load()
		res.DropNotes = r.notes.list()
		return res, nil
	}
	err := r.send(ctx, &res, prog)
	return res, err
}

// nth returns the i-th of a comma-separated list of addresses, counting
// round: client i connects to it.
func nth(list string, i int) string {
	addrs := strings.Split(list, ",")
	return strings.TrimSpace(addrs[i%len(addrs)])
}

// joinAll connects every client in batches, each batch waiting until every
// member has seen every join so far and, in a layout of rooms, until the
// batch has moved to its rooms and every member has seen those joins too.
func (r *run) joinAll(ctx context.Context) error {
	cfg, l := r.cfg, r.layout
	n := cfg.Telnet + cfg.Web
	kind := func(i int) Transport {
		if i < cfg.Telnet {
			return Telnet
		}
		return WebSocket
	}
	plan := newJoinPlan(l)
	r.senders = make([]*sender, cfg.Senders)
	for start := 0; start < n; start += cfg.JoinBatch {
		end := min(start+cfg.JoinBatch, n)
		batch := make([]*client, end-start)
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(cfg.Parallel)
		for i := start; i < end; i++ {
			g.Go(func() error {
				var c *client
				var err error
				if kind(i) == Telnet {
					c, err = r.dialTelnet(gctx, nth(cfg.TelnetAddr, i), fmt.Sprintf("%st%d", r.prefix, i))
				} else {
					c, err = r.dialWeb(gctx, nth(cfg.HTTPURL, i), fmt.Sprintf("%sw%d", r.prefix, i))
				}
				if err != nil {
					return fmt.Errorf("client %d: %w", i, err)
				}
				c.id = i
				c.room = l.roomOf(i)
				c.roomName = l.roomName(c.room)
				if !l.plain() && c.kind == WebSocket {
					c.sayRoom = l.roomName(c.room)
				}
				c.next = make([]uint64, cfg.Senders)
				if cfg.Senders > 0 {
					c.lat = new(hist)
				}
				batch[i-start] = c
				return nil
			})
		}
		err := g.Wait()
		for _, c := range batch {
			if c == nil {
				continue
			}
			r.clients = append(r.clients, c)
			r.readers.Go(c.receive)
		}
		if err != nil {
			return err
		}
		plan.arrive(start, end)
		if err := r.waitJoins(ctx, plan.notices, 0); err != nil {
			return err
		}
		if l.plain() {
			continue
		}
		for _, c := range batch {
			for _, cmd := range l.commands(c.id, c.kind) {
				if err := c.command(cmd); err != nil {
					return fmt.Errorf("client %d: %s: %w", c.id, cmd, err)
				}
			}
		}
		plan.move(start, end, kind)
		if err := r.waitJoins(ctx, plan.notices, plan.confirms); err != nil {
			return err
		}
	}
	for i := range r.senders {
		c := r.clients[i]
		c.sender = i
		r.senders[i] = &sender{idx: i, c: c, credit: make(chan struct{}, cfg.Window),
			pending: make([]atomic.Int32, cfg.Window), expected: int32(l.size(c.room) - 1)}
		for range cfg.Window {
			r.senders[i].credit <- struct{}{}
		}
	}
	return nil
}

// joinWait bounds the wait for one batch's join notices, or its moves.
const joinWait = 60 * time.Second

// waitJoins waits until our clients have seen want join notices and
// confirms moves to rooms.
func (r *run) waitJoins(ctx context.Context, want, confirms uint64) error {
	timer := time.NewTimer(joinWait)
	defer timer.Stop()
	for r.joins.Load() < want || r.confirms.Load() < confirms {
		if r.dropped.Load() > 0 {
			return fmt.Errorf("loadtest: %d clients dropped during the join storm: %v", r.dropped.Load(), r.notes.list())
		}
		select {
		case <-r.joinTick:
		case <-timer.C:
			if got := r.confirms.Load(); got < confirms {
				return fmt.Errorf("loadtest: moves to rooms: %d of %d confirmed after %s%s", got, confirms, joinWait, r.lastWords())
			}
			return fmt.Errorf("loadtest: join notices: %d of %d after %s", r.joins.Load(), want, joinWait)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// lastWords is what the server last told a client whose moves are not all
// confirmed, if it told it anything: most likely why (a limit on rooms).
func (r *run) lastWords() string {
	for _, c := range r.clients {
		if int(c.confirms.Load()) < len(r.layout.commands(c.id, c.kind)) {
			if w := c.notice.Load(); w != nil {
				return fmt.Sprintf("; %s was last told %q", c.name, *w)
			}
		}
	}
	return ""
}

// settle waits until the server's RSS stops changing (under 0.5 % in a
// second) or maxWait passes, and returns it.
func (r *run) settle(ctx context.Context, pid int, maxWait time.Duration) int64 {
	if pid <= 0 {
		return 0
	}
	last, _ := procRSS(pid)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	deadline := time.After(maxWait)
	for {
		select {
		case <-tick.C:
		case <-deadline:
			rss, _ := procRSS(pid)
			return rss
		case <-ctx.Done():
			return last
		}
		rss, _ := procRSS(pid)
		if d := rss - last; d < last/200 && -d < last/200 {
			return rss
		}
		last = rss
	}
}

// drainWait bounds the wait, after sending stops, for messages in flight.
const drainWait = 15 * time.Second

// send runs the senders for cfg.Duration, then waits for every message
// to be delivered (or drainWait), and fills in res.
func (r *run) send(ctx context.Context, res *Result, prog *progress) error {
	cfg := r.cfg
	var interval time.Duration
	if cfg.Scenario == Fanout {
		interval = time.Duration(float64(time.Second) * float64(cfg.Senders) / cfg.Rate)
	}
	delivered := func() uint64 {
		var sum uint64
		for _, c := range r.clients {
			sum += c.got.Load()
		}
		return sum
	}
	start := time.Now()
	var lastN uint64
	lastT := start
	prog.set(func() string {
		now, d := time.Now(), delivered()
		rate := float64(d-lastN) / now.Sub(lastT).Seconds()
		lastN, lastT = d, now
		return fmt.Sprintf("%5.1fs  %s deliveries/s  dropped %d", now.Sub(start).Seconds(), si(rate), r.dropped.Load())
	})

	stop := make(chan struct{})
	srv0, _ := serverCPU(cfg.PID)
	sys0, _ := systemBusy()
	w0, _ := procWrites(cfg.PID)
	tool0 := selfCPU()
	d0 := delivered()
	var g errgroup.Group
	for _, s := range r.senders {
		g.Go(func() error { return s.run(stop, cfg.Size, interval) })
	}
	timer := time.NewTimer(cfg.Duration)
	select {
	case <-timer.C:
	case <-ctx.Done():
		timer.Stop()
	}
	close(stop)
	senderErr := g.Wait()
	res.Elapsed = time.Since(start)
	res.Deliveries = delivered() - d0
	res.ToolCPU = selfCPU() - tool0
	if srv1, ok := serverCPU(cfg.PID); ok {
		res.ServerCPU = srv1 - srv0
	}
	res.OtherCPU = otherCPU(sys0, res.ServerCPU, res.ToolCPU)
	if w1, ok := procWrites(cfg.PID); ok {
		res.ServerWrites = w1 - w0
	}

	// Drain: every message sent reaches every receiver, or is lost.
	prog.set(func() string { return "draining" })
	drainTimer := time.NewTimer(drainWait)
	defer drainTimer.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !r.drained() {
		select {
		case <-tick.C:
			continue
		case <-drainTimer.C:
		case <-ctx.Done():
		}
		break
	}
	for _, s := range r.senders {
		res.Sent += s.sent.Load()
		res.Expected += s.sent.Load() * uint64(s.expected)
	}
	// Stop the readers before reading their state.
	r.closing.Store(true)
	for _, c := range r.clients {
		c.close()
	}
	r.readers.Wait()
	var lat hist
	for _, c := range r.clients {
		res.Received += c.got.Load()
		res.Dupes += c.dupes
		res.Strays += c.strays
		if c.lat != nil {
			lat.merge(c.lat)
		}
	}
	res.Lost = res.Expected - min(res.Expected, res.Received)
	res.P50, res.P99, res.Max = lat.quantile(0.50), lat.quantile(0.99), time.Duration(lat.max)
	res.Dropped = r.dropped.Load()
	res.DropNotes = r.notes.list()
	if res.Strays > 0 && senderErr == nil {
		senderErr = fmt.Errorf("loadtest: %d messages reached members outside their sender's room", res.Strays)
	}
	return senderErr
}

func (r *run) drained() bool {
	for _, s := range r.senders {
		if s.completed.Load() < s.sent.Load() {
			return false
		}
	}
	return true
}

// run sends until stop is closed: every interval, or as fast as credit
// allows when interval is 0.
func (s *sender) run(stop <-chan struct{}, size int, interval time.Duration) error {
	var tick <-chan time.Time
	if interval > 0 {
		// Stagger the senders across the interval, so that the total rate
		// is smooth rather than bursts of one message from each sender.
		phase := time.NewTimer(interval * time.Duration(s.idx) / time.Duration(s.c.r.cfg.Senders))
		select {
		case <-phase.C:
		case <-stop:
			phase.Stop()
			return nil
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	defer s.c.flush()
	buf := make([]byte, 0, max(64, size))
	for seq := uint64(0); ; seq++ {
		if tick != nil {
			select {
			case <-tick:
			case <-stop:
				return nil
			}
		}
		select {
		case <-s.credit:
		default:
			if err := s.c.flush(); err != nil {
				return err
			}
			select {
			case <-s.credit:
			case <-stop:
				return nil
			}
		}
		select {
		case <-stop:
			s.credit <- struct{}{}
			return nil
		default:
		}
		buf = appendText(buf[:0], s.idx, seq, size)
		if err := s.c.say(buf); err != nil {
			return fmt.Errorf("sender %d: %w", s.idx, err)
		}
		s.sent.Store(seq + 1)
		if tick != nil || len(s.credit) == 0 {
			if err := s.c.flush(); err != nil {
				return fmt.Errorf("sender %d: %w", s.idx, err)
			}
		}
	}
}

// otherCPU is the CPU time used since sys0 by processes other than the
// server and this tool, or -1 if unknown. Tick rounding makes it ±2 ticks.
func otherCPU(sys0, server, tool time.Duration) time.Duration {
	sys1, ok := systemBusy()
	if !ok || server < 0 {
		return -1
	}
	return max(0, sys1-sys0-server-tool)
}

func serverCPU(pid int) (time.Duration, bool) {
	if pid <= 0 {
		return 0, false
	}
	d, err := procCPU(pid)
	return d, err == nil
}

func (d *dropNotes) list() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var l []string
	for k, v := range d.m {
		l = append(l, fmt.Sprintf("%d× %s", v, k))
	}
	sort.Strings(l)
	return l
}

func randomLetters(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return string(b)
}

// si formats a rate with a k/M suffix.
func si(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// progress rewrites one status line on w every second until stopped.
type progress struct {
	w     io.Writer
	label string
	mu    sync.Mutex
	line  func() string
	done  chan struct{}
	wg    sync.WaitGroup
}

func newProgress(w io.Writer, label string) *progress {
	p := &progress{w: w, label: label, done: make(chan struct{})}
	if w == io.Discard {
		return p
	}
	p.wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.mu.Lock()
				f := p.line
				p.mu.Unlock()
				if f != nil {
					fmt.Fprintf(p.w, "\r\033[K[%s] %s", p.label, f())
				}
			case <-p.done:
				fmt.Fprint(p.w, "\r\033[K")
				return
			}
		}
	})
	return p
}

func (p *progress) set(f func() string) {
	p.mu.Lock()
	p.line = f
	p.mu.Unlock()
}

func (p *progress) stop() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	p.wg.Wait()
}
