package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Log is the room's one ordered, durable record. Every change to the room
// (a join, a message, an action, a private message, a rename, away and
// back, a departure) is an entry the hub appends to it, and the hub changes
// the room only by applying entries as the log gives them back, in the
// log's order, numbered by their place in it. So an entry is shown to
// anyone, its sender included, only once it is kept; every node reading the
// log agrees on what happened; and an entry's ID, its position, is never
// given twice, across restarts and crashes.
//
// A single node's log is its history (the local log over Options.Store,
// which New sets up); internal/cluster implements one over a JetStream
// stream that every node of a cluster shares.
//
// Append is called from the hub goroutine and must never wait; Run is
// called once, by Hub.Run.
type Log interface {
	// Append hands the log an entry made on this node. serial numbers this
	// node's entries and comes back with the entry (Incoming.Serial), so
	// that the hub knows its own. Append reports false if the log cannot
	// take the entry now (it is full, or cannot be reached): the change is
	// not made, and whoever asked for it is told.
	Append(ev *Event, serial uint64) bool
	// Run gives h the log's entries, with Hub.Receive, in the log's order,
	// from the one after Hub.LastID, until ctx is done; then it finishes
	// keeping what Append was given, within a bound of its own, and
	// returns. An error stops the hub.
	Run(ctx context.Context, h *Hub) error
	// Err says why the log cannot keep entries just now (a full or failing
	// disk, a link that is down), nil while it can. Safe from any
	// goroutine.
	Err() error
}

// Incoming is an entry the log gives back to the hub.
type Incoming struct {
	// Event has its ID set: its position in the log.
	Event *Event
	// Serial is the serial this node gave Append, if the entry is this
	// node's own; 0 for another node's.
	Serial uint64
	// CatchUp marks an entry from before the hub started: it is kept in
	// the recent history, not delivered to anyone.
	CatchUp bool
}

// Receive hands the hub entries from its log, in the log's order. Call it
// from one goroutine, the log's. It waits while the hub's inbox is full.
// Another node's messages have the words they could name people by, and
// the key of their room, worked out here, on the log's goroutine, as this
// node's own are in Conn.Say.
func (h *Hub) Receive(ctx context.Context, entries []Incoming) error {
	for _, in := range entries {
		ev := in.Event
		if in.Serial == 0 && !in.CatchUp && (ev.Kind == KindMessage || ev.Kind == KindAction) {
			ev.words = wordKeys(ev.Text)
		}
		if in.Serial == 0 && ev.Room != "" {
			ev.roomKey = RoomKey(ev.Room)
		}
	}
	return h.send(ctx, request{kind: reqReceive, incoming: entries})
}

// LastID returns the ID of the last entry the hub has applied: where its
// log continues. It answers once the hub has loaded its history.
func (h *Hub) LastID(ctx context.Context) (uint64, error) {
	r, err := h.ask(ctx, request{kind: reqLastID})
	return r.id, err
}

// localLog is a single node's log: its history Store, written a batch of
// entries to a transaction (group commit), so that a busy room costs one
// commit per burst rather than one per line. Without a Store, entries are
// numbered and kept nowhere, for tests and for a hub with no history.
type localLog struct {
	failed    func() // called when writing starts to fail: the hub tells who waits
	store     Store
	retention Retention
	now       func() time.Time
	log       *slog.Logger
	inbox     chan appended         // bounded: see localLogQueueLen
	failing   atomic.Pointer[error] // why the last write failed; nil once one succeeds
}

type appended struct {
	ev     *Event
	serial uint64
}

// localLogQueueLen bounds the entries waiting to be written. Beyond it (the
// disk has stopped keeping up) Append refuses, and senders are told that
// their message was not sent: nothing is shown that is not kept.
const localLogQueueLen = 8192

// localLogBatch is the most entries written in one transaction.
const localLogBatch = 512

// localLogFlushTimeout bounds how long a stopping node keeps trying to
// write what it was given.
const localLogFlushTimeout = 5 * time.Second

// pruneEvery is how many written entries pass between two prunes.
const pruneEvery = 1000

func newLocalLog(opts Options) *localLog {
	return &localLog{
		store:     opts.Store,
		retention: opts.Retention,
		now:       opts.Now,
		log:       opts.Logger,
		inbox:     make(chan appended, localLogQueueLen),
	}
}

// Append implements Log. While the store fails, it takes nothing: what
// cannot be kept is refused, and its sender told, rather than shown and
// lost, or kept waiting without a word.
func (l *localLog) Append(ev *Event, serial uint64) bool {
	if l.failing.Load() != nil {
		return false
	}
	select {
	case l.inbox <- appended{ev, serial}:
		return true
	default:
		return false
	}
}

// Run implements Log. It numbers entries after the last one kept, writes
// each batch in one transaction and only then gives it back to the hub.
func (l *localLog) Run(ctx context.Context, h *Hub) error {
	last, err := h.LastID(ctx)
	if err != nil {
		return ignoreStop(err)
	}
	l.failed = func() { _ = h.send(ctx, request{kind: reqLogFailing}) }
	if l.store != nil {
		l.prune(ctx)
	}
	// What is under way when ctx ends still gets a bounded time to be kept.
	writeCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(localLogFlushTimeout, cancel) })
	defer stop()

	events := make([]*Event, 0, localLogBatch)
	written := 0 // since the last prune
	for {
		var first appended
		select {
		case first = <-l.inbox:
		case <-ctx.Done():
			l.flush(writeCtx, last)
			return nil
		}
		// A batch is the hub's once received: a new one each time.
		batch := make([]Incoming, 0, min(len(l.inbox)+1, localLogBatch))
		events = events[:0]
		for a, more := first, true; more; {
			last++
			a.ev.ID = last
			batch = append(batch, Incoming{Event: a.ev, Serial: a.serial})
			events = append(events, a.ev)
			if len(batch) == localLogBatch {
				break
			}
			select {
			case a = <-l.inbox:
			default:
				more = false
			}
		}
		if err := l.write(writeCtx, events); err != nil {
			l.log.Error("history: entries could not be kept; they were not shown to anyone", "err", err, "entries", len(events))
			return nil // stopping: writeCtx ended
		}
		if err := h.Receive(ctx, batch); err != nil && !errors.Is(err, ErrClosed) && ctx.Err() == nil {
			return err
		}
		if written += len(events); written >= pruneEvery && l.store != nil {
			written = 0
			l.prune(writeCtx)
		}
	}
}

// Err implements Log.
func (l *localLog) Err() error {
	if err := l.failing.Load(); err != nil {
		return *err
	}
	return nil
}

// write keeps events, retrying while the store fails (a full or failing
// disk) until ctx ends. Meanwhile Append refuses: what was taken before
// the failure (this batch, and at most localLogQueueLen more) is kept, and
// shown, once the store takes it again.
func (l *localLog) write(ctx context.Context, events []*Event) error {
	if l.store == nil {
		return nil
	}
	backoff := 50 * time.Millisecond
	for {
		err := l.store.Append(ctx, events)
		if err == nil {
			if l.failing.Swap(nil) != nil {
				l.log.Info("history: writing again; new messages are taken")
			}
			return nil
		}
		if l.failing.Swap(&err) == nil {
			l.log.Error("history: writing failed; new messages are refused until it works again", "err", err, "entries", len(events))
			l.failed()
		}
		select {
		case <-time.After(backoff):
			backoff = min(2*backoff, 2*time.Second)
		case <-ctx.Done():
			return fmt.Errorf("%w (%w)", err, ctx.Err())
		}
	}
}

// flush keeps what is still in the inbox when the hub stops: nobody is
// left to be shown it, but it was said, and the log keeps it.
func (l *localLog) flush(ctx context.Context, last uint64) {
	var events []*Event
	for {
		select {
		case a := <-l.inbox:
			last++
			a.ev.ID = last
			events = append(events, a.ev)
			continue
		default:
		}
		break
	}
	if err := l.write(ctx, events); err != nil {
		l.log.Error("history: entries could not be kept at shutdown", "err", err, "entries", len(events))
	}
}

// prune applies the retention policy.
func (l *localLog) prune(ctx context.Context) {
	if n, err := l.retention.Prune(ctx, l.store, l.now()); err != nil {
		l.log.Error("history: pruning failed", "err", err)
	} else if n > 0 {
		l.log.Info("history: pruned", "entries", n)
	}
}

// Prune deletes from st what r does not keep, as of now, and returns how
// many entries went. Whoever writes a Store calls it now and then.
func (r Retention) Prune(ctx context.Context, st Store, now time.Time) (int, error) {
	var before time.Time
	if r.MaxAge > 0 {
		before = now.Add(-r.MaxAge)
	}
	return st.Prune(ctx, max(r.Keep, 0), before)
}

// ignoreStop treats the hub's or the caller's stop as the end it is, not
// as an error.
func ignoreStop(err error) error {
	if errors.Is(err, ErrClosed) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Health says why the room cannot keep what is said just now (its log's
// disk is full or failing, or a cluster's link is down): then new messages
// and joins are refused, and the sender told. Nil while it can. Safe from
// any goroutine: /readyz and the metrics ask it.
func (h *Hub) Health() error { return h.opts.Log.Err() }

// tellWaiting tells everyone whose words are on their way to the log, and
// not kept yet, that they wait: the log has just started to fail.
func (h *Hub) tellWaiting() {
	told := make(map[*Conn]bool)
	for _, p := range h.pending {
		if c := p.ev.conn; c != nil && !c.gone() && !told[c] {
			told[c] = true
			h.tell(c, &Notice{Kind: NoticeWaiting})
		}
	}
}
