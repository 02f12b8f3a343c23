package hub

import (
	"context"
	"iter"
	"slices"
	"sync"
)

// The hub's own tests read a member's queue directly, without a pump's
// goroutine in between, so that they can say exactly what is waiting
// (Queued) and read a member that falls behind as slowly as they like.
// Other packages' tests read through the pump: see package hubtest.

// MaxJobs is how many posted jobs may wait for a pump before Post waits.
const MaxJobs = maxJobs

// Queued returns how many events are waiting to be taken.
func (c *Conn) Queued() int {
	q := &c.queue
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.waiting == nil {
		return 0
	}
	return len(q.waiting.events)
}

// unread holds, per member, the events Next took and has not returned yet.
var unread sync.Map // *Member → *[]*Event

// Next returns the member's next event, waiting for it until ctx ends. It
// returns false once the member has been removed and every event before
// that has been returned, or when ctx ends. A member read with Next has no
// pump, and one goroutine at a time reads it. A KindJoins is returned as
// the joins it stands for, one by one, as a transport shows them (see
// NextQueued).
func (c *Conn) Next(ctx context.Context) (*Event, bool) {
	ev, ok := c.NextQueued(ctx)
	if ok && ev.Kind == KindJoins {
		v, _ := unread.Load(c)
		evs := v.(*[]*Event)
		*evs = append(slices.Clone(ev.Joins[1:]), *evs...)
		return ev.Joins[0], true
	}
	return ev, ok
}

// NextQueued is Next, but returns a KindJoins as it was queued.
func (c *Conn) NextQueued(ctx context.Context) (*Event, bool) {
	v, ok := unread.Load(c)
	if !ok {
		v, _ = unread.LoadOrStore(c, new([]*Event))
	}
	evs := v.(*[]*Event)
	for len(*evs) == 0 {
		b, _, removed := c.queue.take()
		if b != nil {
			*evs = append(*evs, b.events...)
			b.release()
			break
		}
		if removed {
			return nil, false
		}
		select {
		case <-c.queue.ready:
		case <-ctx.Done():
			return nil, false
		}
	}
	ev := (*evs)[0]
	(*evs)[0] = nil
	*evs = (*evs)[1:]
	if len(*evs) == 0 {
		*evs = nil
	}
	return ev, true
}

// All yields the member's events with Next until the member is removed or
// ctx ends.
func (c *Conn) All(ctx context.Context) iter.Seq[*Event] {
	return func(yield func(*Event) bool) {
		for {
			ev, ok := c.Next(ctx)
			if !ok || !yield(ev) {
				return
			}
		}
	}
}
