package hub

import (
	"context"
	"sync"
	"time"
)

// valve holds senders back while the room produces faster than the server
// can write it out, so that a reader who keeps up with their socket is
// never cut off for it: the answer to overload is to read less from senders
// (a waiting sender's reader stops reading its socket, and TCP slows the
// client), not to drop readers.
//
// It is shut while either holds:
//
//   - a reader is behind: its queue holds a quarter of Options.QueueLen and
//     its pump is taking from it. It counts until its pump next takes. A
//     pump that has taken nothing for stuckAfter is stuck in a write (its
//     client stopped reading): it is not waited for, and its queue fills and
//     it is cut off as too slow, as before. So one stalled client holds the
//     room up for stuckAfter at most.
//   - the hub has enough on its way: a quarter of Options.QueueLen of
//     what members said waits in the hub's inbox, or as many entries are on
//     their way through the log (busy). What is in flight when the valve
//     shuts still reaches every queue; bounding it keeps a reader that is
//     behind within its queue.
//
// Say waits while it is shut; the hub goroutine never waits here.
type valve struct {
	mu     sync.Mutex
	behind map[*queue]struct{}
	busy   bool
	inbox  int             // what members said that the hub has yet to take
	most   int             // of inbox; and of what busy counts
	open   chan struct{}   // closed while the valve is open
	held   func(Transport) // counts a sender held back (Metrics.Held)
}

// stuckAfter is how long a pump may take nothing, while its queue fills,
// before the valve stops waiting for it.
const stuckAfter = time.Second

func newValve(most int, held func(Transport)) *valve {
	open := make(chan struct{})
	close(open)
	return &valve{behind: make(map[*queue]struct{}), open: open, most: most, held: held}
}

// isOpen reports whether senders may go on. v.mu held.
func (v *valve) isOpen() bool { return len(v.behind) == 0 && !v.busy && v.inbox < v.most }

// sending records that a member's request is on its way to the hub's
// inbox, and received that the hub took it (or that it never came).
func (v *valve) sending()  { v.change(func() { v.inbox++ }) }
func (v *valve) received() { v.change(func() { v.inbox-- }) }

// change runs f, which changes why the valve is shut, with v.mu held, and
// shuts or opens the valve to match. v.mu not held.
func (v *valve) change(f func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	wasOpen := v.isOpen()
	f()
	switch open := v.isOpen(); {
	case wasOpen && !open:
		v.open = make(chan struct{})
	case !wasOpen && open:
		close(v.open)
	}
}

// lag records that q, whose pump is taking, has fallen behind.
func (v *valve) lag(q *queue) { v.change(func() { v.behind[q] = struct{}{} }) }

// caughtUp records that q is no longer behind: its pump took what waited,
// or it was closed.
func (v *valve) caughtUp(q *queue) { v.change(func() { delete(v.behind, q) }) }

// setBusy records whether the hub has as much on its way as it should.
func (v *valve) setBusy(busy bool) { v.change(func() { v.busy = busy }) }

// wait returns once the valve is open, with ctx's error, or with ErrClosed
// once done is closed (the hub has stopped, and will open it no more). t
// is the waiting sender's transport, for Metrics.Held.
func (v *valve) wait(ctx context.Context, done <-chan struct{}, t Transport) error {
	v.mu.Lock()
	open := v.open
	v.mu.Unlock()
	select {
	case <-open:
		return nil
	default:
	}
	v.held(t)
	tick := time.NewTicker(stuckAfter / 4)
	defer tick.Stop()
	for {
		select {
		case <-open:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			return ErrClosed
		case <-tick.C:
			open = v.dropStuck()
		}
	}
}

// dropStuck stops waiting for the queues whose pumps are stuck, and returns
// the channel that says when the valve is open.
func (v *valve) dropStuck() chan struct{} {
	v.change(func() {
		for q := range v.behind {
			if q.stuck() {
				delete(v.behind, q)
			}
		}
	})
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.open
}
