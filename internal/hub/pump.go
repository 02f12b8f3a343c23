package hub

import (
	"context"
	"errors"
)

// Writer is what a transport gives a connection's pump (Conn.Pump): how
// to put events into its own words and onto its own socket. The pump calls
// its methods from one goroutine, one at a time, so what only the writer
// touches (a write buffer, a renderer's state) needs no lock.
type Writer interface {
	// WriteEvents renders events, in the order given, and writes or
	// buffers them. The slice is the pump's, valid only during the call.
	// An error ends the pump.
	WriteEvents(ctx context.Context, events []*Event) error
	// Flush writes out what is buffered: nothing more is waiting. A
	// Writer that writes as it goes does nothing.
	Flush(ctx context.Context) error
	// Close ends the connection. The pump calls it once, last, however it
	// ended. reason is why the hub removed the connection, for the client
	// to be told (after what is buffered); ReasonNone when the pump ended
	// for another cause (a write or a job failed, ctx ended) and there is
	// nothing to say, or nobody to say it to.
	Close(reason Reason)
}

// ErrWriterDone is Post's refusal once the connection's pump has ended.
var ErrWriterDone = errors.New("hub: the connection's writer has ended")

// Pump is the connection's writer: it delivers the connection's events, and
// the jobs its transport posted, to w until the hub removes the connection,
// w fails, or ctx ends. Call it once, on the goroutine that alone writes to
// the connection's socket.
//
//  1. It waits on one channel, however many kinds of work there are, so an
//     idle connection, most of a big room, costs one parked goroutine and
//     no timer or select.
//  2. Each time it wakes it takes everything waiting at once: it runs the
//     posted jobs in the order they were posted, then hands every waiting
//     event, in the hub's order, to one WriteEvents. It calls Flush only
//     when nothing more is waiting, so a burst costs one write.
//  3. When the hub has removed the connection, Pump writes the events before
//     the removal, calls w.Close with Conn.Reason and returns nil.
//  4. When a job or w fails, or ctx ends, Pump calls w.Close(ReasonNone),
//     ends the connection as Leave does (the client is gone or stuck) and
//     returns the error (ctx's, when ctx ended).
//  5. Once Pump has returned, Post refuses with ErrWriterDone.
func (c *Conn) Pump(ctx context.Context, w Writer) error {
	q := &c.queue
	stopWaking := context.AfterFunc(ctx, q.wake) // ctx ends: wake to see it
	defer stopWaking()
	removed := false
	defer func() {
		q.stop()
		if removed {
			w.Close(c.Reason())
			return
		}
		w.Close(ReasonNone)
		c.Leave()
	}()
	for {
		<-q.ready
		if err := ctx.Err(); err != nil {
			return err
		}
		b, jobs, closed := q.take()
		err := runJobs(ctx, jobs)
		if err == nil && b != nil {
			err = w.WriteEvents(ctx, b.events)
		}
		b.release()
		switch {
		case err != nil:
			return err
		case closed:
			removed = true
			return nil
		case len(q.ready) > 0:
			continue // more for this burst before the flush
		}
		if err := w.Flush(ctx); err != nil {
			return err
		}
	}
}

// runJobs runs jobs in order, stopping at the first that fails.
func runJobs(ctx context.Context, jobs []func(context.Context) error) error {
	for _, job := range jobs {
		if err := job(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Post hands job to the connection's pump, which runs it on its own
// goroutine, with its ctx, before the events it takes with it (Pump, 2):
// how a reader or a timer has the writer send something of the transport's
// own (a reply, a notice, a ping) without writing to the socket itself. A
// job that returns an error ends the pump, as a failed write does.
//
// Post does not wait for the job to run. It waits only while several jobs
// already wait (a reader posting for a client that floods it is so slowed
// to its writer's pace), until ctx ends. Once the pump has ended it refuses
// with ErrWriterDone. Safe from any goroutine, also before Pump starts: a
// job posted then runs before any event is written.
func (c *Conn) Post(ctx context.Context, job func(context.Context) error) error {
	return c.queue.post(ctx, job)
}
