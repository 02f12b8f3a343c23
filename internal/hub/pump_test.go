package hub_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

func TestPump(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		t.Run("a burst is one WriteEvents and one Flush, after the jobs posted with it", func(t *testing.T) {
			h := k.startHub(t, hub.Options{Flood: noFlood})
			reader := join(t, h, "reader")
			sender := join(t, h, "sender")
			for i := range 3 {
				require.NoError(t, sender.Say(t.Context(), fmt.Sprint(i), ""))
			}
			catchUp(t, sender, "2")
			w := newRecorder()
			require.NoError(t, reader.Post(t.Context(), w.job("job")))
			p := startPump(t, reader, w)
			<-w.flushed
			reader.Leave()
			require.NoError(t, p.wait(t))
			assert.Equal(t, []string{"job", "write joined,0,1,2", "flush", "close quit"}, w.log())
		})
		t.Run("removal comes after the last event, with its reason", func(t *testing.T) {
			h := hub.New(hub.Options{})
			ctx, stopHub := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- h.Run(ctx) }()
			reader := join(t, h, "reader")
			sender := join(t, h, "sender")
			require.NoError(t, sender.Say(t.Context(), "bye", ""))
			catchUp(t, sender, "bye")
			stopHub()
			require.NoError(t, <-done)
			w := newRecorder()
			require.NoError(t, startPump(t, reader, w).wait(t))
			assert.Equal(t, []string{"write joined,bye", "close shutdown"}, w.log())
		})
		t.Run("a failing job ends the connection", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			reader := join(t, h, "reader")
			other := join(t, h, "other")
			boom := errors.New("boom")
			require.NoError(t, reader.Post(t.Context(), func(context.Context) error { return boom }))
			w := newRecorder()
			assert.ErrorIs(t, startPump(t, reader, w).wait(t), boom)
			assert.Equal(t, []string{"close none"}, w.log(), "the events after it are not written")
			left := next(t, other)
			assert.Equal(t, hub.KindLeft, left.Kind, "the connection is ended")
			assert.ErrorIs(t, reader.Post(t.Context(), w.job("late")), hub.ErrWriterDone)
		})
		t.Run("a failing write ends the connection", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			reader := join(t, h, "reader")
			other := join(t, h, "other")
			w := newRecorder()
			w.failWrite = errors.New("broken pipe")
			assert.ErrorIs(t, startPump(t, reader, w).wait(t), w.failWrite)
			assert.Equal(t, []string{"write joined", "close none"}, w.log())
			assert.Equal(t, hub.KindLeft, next(t, other).Kind)
		})
		t.Run("ctx ending ends the pump", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			reader := join(t, h, "reader")
			w := newRecorder()
			ctx, cancel := context.WithCancel(t.Context())
			p := startPumpCtx(ctx, reader, w)
			cancel()
			assert.ErrorIs(t, p.wait(t), context.Canceled)
			assert.Equal(t, []string{"close none"}, w.log())
		})
		t.Run("a poster waits while the jobs are full", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			reader := join(t, h, "reader")
			w := newRecorder()
			for i := range hub.MaxJobs {
				require.NoError(t, reader.Post(t.Context(), w.job(fmt.Sprint("job ", i))))
			}
			gaveUp, cancel := context.WithCancel(t.Context())
			cancel()
			assert.ErrorIs(t, reader.Post(gaveUp, w.job("never")), context.Canceled)
			ran := make(chan struct{})
			posted := make(chan error, 1)
			go func() {
				posted <- reader.Post(context.Background(), func(context.Context) error {
					close(ran)
					return nil
				})
			}()
			p := startPump(t, reader, w)
			<-ran // the waiting poster got in once the pump took the others
			require.NoError(t, <-posted)
			reader.Leave()
			require.NoError(t, p.wait(t))
			assert.NotContains(t, w.log(), "never")
		})
	})
}

// recorder is a Writer that logs what the pump asks of it.
type recorder struct {
	mu        sync.Mutex
	calls     []string
	flushed   chan struct{} // a token for every Flush
	failWrite error
}

func newRecorder() *recorder { return &recorder{flushed: make(chan struct{}, 16)} }

func (r *recorder) record(call string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call)
}

func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// job returns a job that logs name.
func (r *recorder) job(name string) func(context.Context) error {
	return func(context.Context) error {
		r.record(name)
		return nil
	}
}

func (r *recorder) WriteEvents(_ context.Context, events []*hub.Event) error {
	call := "write "
	for i, ev := range events {
		if i > 0 {
			call += ","
		}
		if ev.Kind == hub.KindMessage {
			call += ev.Text
		} else {
			call += ev.Kind.String()
		}
	}
	r.record(call)
	return r.failWrite
}

func (r *recorder) Flush(context.Context) error {
	r.record("flush")
	r.flushed <- struct{}{}
	return nil
}

func (r *recorder) Close(reason hub.Reason) { r.record("close " + reason.String()) }

// pumping is a pump running on a goroutine of its own.
type pumping struct{ done chan error }

func startPump(t *testing.T, m *hub.Conn, w hub.Writer) *pumping {
	return startPumpCtx(t.Context(), m, w)
}

func startPumpCtx(ctx context.Context, m *hub.Conn, w hub.Writer) *pumping {
	p := &pumping{done: make(chan error, 1)}
	go func() { p.done <- m.Pump(ctx, w) }()
	return p
}

// wait returns what Pump returned.
func (p *pumping) wait(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		t.Fatal("the pump did not end within 5 s")
		return nil
	}
}

// catchUp waits for m's own copy of its message text: the hub has fanned it
// out to everyone by then.
func catchUp(t *testing.T, m *hub.Conn, text string) {
	t.Helper()
	for ev := next(t, m); !(ev.From(m) && ev.Text == text); ev = next(t, m) {
	}
}
