package hub

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// queue is one member's undelivered events, and the jobs its transport
// posted for the writer. The hub goroutine puts events, the member's pump
// takes everything waiting at once, so a burst costs the writer one lock
// and one wake-up rather than one per event.
//
// An empty queue holds no storage: a burst borrows a batch from a pool and
// the writer gives it back once it has written it; jobs are held in a
// slice only while some wait. An idle connection, most of a big room, so
// costs a mutex and a one-slot channel here, where a channel sized for the
// worst burst would cost QueueLen pointers each.
type queue struct {
	mu      sync.Mutex
	waiting *batch // nil while empty
	closed  bool   // by the hub: no more events will come
	stopped bool   // by the pump: it has ended, and runs no more jobs
	// jobs are what the transport posted for the pump to run (see
	// Conn.Post), at most maxJobs; nil while none wait.
	jobs []func(context.Context) error
	// room is made by a poster that found jobs full, and closed when the
	// pump takes them or stops; nil while nobody waits.
	room chan struct{}
	// ready holds a token while there is something to take: events, jobs,
	// or the news that the queue is closed. put and post add one when
	// there was none; close closes the channel, which the hub alone may do.
	ready chan struct{}
	// valve is told when this queue falls behind while its pump takes
	// (lagging), and when it no longer is; see valve.
	valve   *valve
	lagging bool
	// woken: the writer has been woken for what waits (see put).
	woken bool
	// lastTake is when the pump last took from the queue (since epoch).
	lastTake atomic.Int64
}

// epoch is the origin of queue.lastTake: a monotonic clock in an int64.
var epoch = time.Now()

// maxJobs bounds the jobs waiting for a pump. A poster waits while this
// many wait, which slows a reader whose client makes it post (errors, or
// notices, for bad requests) to the pace its writer can answer.
const maxJobs = 8

// init makes a new queue ready for use, reporting to v.
func (q *queue) init(v *valve) {
	q.ready = make(chan struct{}, 1)
	q.valve = v
	q.lastTake.Store(int64(time.Since(epoch)))
}

// stuck reports whether the pump has taken nothing for stuckAfter.
func (q *queue) stuck() bool {
	return time.Since(epoch)-time.Duration(q.lastTake.Load()) > stuckAfter
}

// put appends ev unless limit events are already waiting or the queue is
// closed, and reports whether it did. It never waits for the writer. With
// wake it wakes the writer for what waits; without, the event waits for
// the next put that does, or for wake.
func (q *queue) put(ev *Event, limit int, wake bool) bool {
	q.mu.Lock()
	if q.closed || q.waiting != nil && len(q.waiting.events) >= limit {
		q.mu.Unlock()
		return false
	}
	if q.waiting == nil {
		q.waiting = batchPool.Get().(*batch)
	}
	q.waiting.events = append(q.waiting.events, ev)
	lag := !q.lagging && len(q.waiting.events) >= limit/4 && !q.stuck()
	q.lagging = q.lagging || lag
	signal := wake && !q.woken
	q.woken = q.woken || signal
	q.mu.Unlock()
	if lag {
		q.valve.lag(q)
	}
	if signal {
		select {
		case q.ready <- struct{}{}:
		default: // a token is already there; the writer will take this too
		}
	}
	return true
}

// close marks the queue closed after what is waiting. Hub goroutine only,
// once. It closes ready under the lock, so that wake never sends on it
// closed.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	close(q.ready)
	lagging := q.lagging
	q.mu.Unlock()
	if lagging {
		q.valve.caughtUp(q)
	}
}

// wake puts a token in ready unless the queue is closed (then ready is
// closed, and as good as a token).
func (q *queue) wake() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.signal()
}

// signal is wake with q.mu held.
func (q *queue) signal() {
	if !q.closed {
		q.woken = true
		select {
		case q.ready <- struct{}{}:
		default:
		}
	}
}

// post adds job for the pump, waiting while maxJobs wait, until ctx ends.
// Once the pump has stopped it refuses with ErrWriterDone.
func (q *queue) post(ctx context.Context, job func(context.Context) error) error {
	for {
		q.mu.Lock()
		if q.stopped {
			q.mu.Unlock()
			return ErrWriterDone
		}
		if len(q.jobs) < maxJobs {
			q.jobs = append(q.jobs, job)
			q.signal()
			q.mu.Unlock()
			return nil
		}
		if q.room == nil {
			q.room = make(chan struct{})
		}
		room := q.room
		q.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// take returns the events waiting (nil if none), the jobs waiting, and
// whether the queue is closed behind them.
func (q *queue) take() (b *batch, jobs []func(context.Context) error, closed bool) {
	q.lastTake.Store(int64(time.Since(epoch)))
	q.mu.Lock()
	b, jobs, closed = q.waiting, q.jobs, q.closed
	q.waiting, q.jobs, q.woken = nil, nil, false
	q.makeRoom()
	lagging := q.lagging
	q.lagging = false
	q.mu.Unlock()
	if lagging {
		q.valve.caughtUp(q)
	}
	return b, jobs, closed
}

// stop records that the pump has ended: post refuses from now on, and
// posters waiting for room stop waiting. Jobs not yet run are dropped.
func (q *queue) stop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stopped = true
	q.jobs = nil
	q.makeRoom()
}

// makeRoom wakes the posters waiting for room. q.mu held.
func (q *queue) makeRoom() {
	if q.room != nil {
		close(q.room)
		q.room = nil
	}
}

// batch is the events a member's pump took from its queue at once, in the
// order the hub produced them. The pump gives it back with release when
// they are written; it must not be used after that.
type batch struct {
	events []*Event
}

// maxPooledBatch is the largest batch kept for reuse. Bigger ones, a
// writer that fell far behind, go to the collector rather than stay pinned
// in the pool.
const maxPooledBatch = 256

var batchPool = sync.Pool{New: func() any { return &batch{events: make([]*Event, 0, 16)} }}

// release gives the batch's storage back for another burst. A nil batch
// may be released.
func (b *batch) release() {
	if b == nil || cap(b.events) > maxPooledBatch {
		return
	}
	clear(b.events)
	b.events = b.events[:0]
	batchPool.Put(b)
}
