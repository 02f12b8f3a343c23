// Package hubtest lets tests outside the hub read a member's events as a
// transport does, through its pump (hub.Conn.Pump), one event at a time.
// Tests only: no production code imports it.
package hubtest

import (
	"context"
	"iter"
	"testing"

	"github.com/anseo/anseo/internal/hub"
)

// Reader is a member whose events a test reads with Next or All. Its pump
// hands over one event at a time and waits while the test is not reading,
// so a member that a test leaves unread falls behind, and is removed as
// too slow, as a stalled client would be.
type Reader struct {
	*hub.Conn
	events chan *hub.Event // closed when the pump ends
}

// Read starts m's pump on a goroutine of its own. The pump ends when the
// hub removes m or the test ends (then, as any pump does, it ends m too);
// the test's cleanup waits for it. Call it once per member, and read its
// events only through the Reader.
func Read(tb testing.TB, m *hub.Conn) *Reader {
	tb.Helper()
	r := &Reader{Conn: m, events: make(chan *hub.Event)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = m.Pump(ctx, writer(r.events))
	}()
	tb.Cleanup(func() {
		cancel()
		<-done
	})
	return r
}

// Next returns the member's next event, waiting for it until ctx ends. It
// returns false once the member has been removed and every event before
// that has been returned (Reason then says why), or when ctx ends.
func (r *Reader) Next(ctx context.Context) (*hub.Event, bool) {
	select {
	case ev, ok := <-r.events:
		return ev, ok
	case <-ctx.Done():
		return nil, false
	}
}

// All yields the member's events until it is removed or ctx ends.
func (r *Reader) All(ctx context.Context) iter.Seq[*hub.Event] {
	return func(yield func(*hub.Event) bool) {
		for {
			ev, ok := r.Next(ctx)
			if !ok || !yield(ev) {
				return
			}
		}
	}
}

// writer is the Reader's hub.Writer: it hands each event to Next.
type writer chan<- *hub.Event

// A KindJoins is handed over as the joins it stands for, one by one, as a
// transport shows them.
func (w writer) WriteEvents(ctx context.Context, events []*hub.Event) error {
	for _, ev := range events {
		if ev.Kind == hub.KindJoins {
			if err := w.WriteEvents(ctx, ev.Joins); err != nil {
				return err
			}
			continue
		}
		select {
		case w <- ev:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (w writer) Flush(context.Context) error { return nil }

func (w writer) Close(hub.Reason) { close(w) }
