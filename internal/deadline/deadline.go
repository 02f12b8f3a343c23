// Package deadline keeps a connection's write deadline ahead of its writes
// without resetting it for every one.
//
// A chat server writes to each connection many times a second when the
// room is busy. Setting a deadline moves a runtime timer; done before every
// write it costs more than the bookkeeping around the write itself. A
// Writer moves the deadline only once it is closer than the timeout less a
// little slack, so a write always has between Timeout-Slack and Timeout to
// finish, and a busy connection moves its timer a few times a second at
// most.
//
// The deadline outlives the writes it was set for, so every write on the
// connection must Arm first: a Writer suits a connection whose one writer
// makes every write (anseo's line port), not one a library also writes to
// behind its back (a WebSocket's pongs and close handshake).
package deadline

import "time"

// Conn is the part of a net.Conn a Writer needs.
type Conn interface {
	SetWriteDeadline(time.Time) error
}

// Writer keeps one connection's write deadline. It is not safe for
// concurrent use: a connection has one writer.
type Writer struct {
	conn    Conn
	timeout time.Duration
	slack   time.Duration
	at      time.Time // the deadline set last; zero: none yet
}

// maxSlack bounds how much earlier than Timeout a write may be cut off.
const maxSlack = time.Second

// NewWriter returns a Writer that gives each write on conn at least
// timeout less a tenth of it (at most a second) to finish.
func NewWriter(conn Conn, timeout time.Duration) *Writer {
	return &Writer{conn: conn, timeout: timeout, slack: min(timeout/10, maxSlack)}
}

// Arm makes sure the deadline is far enough ahead for the next write.
func (w *Writer) Arm() error {
	now := time.Now()
	if !w.at.IsZero() && w.at.Sub(now) >= w.timeout-w.slack {
		return nil
	}
	w.at = now.Add(w.timeout)
	return w.conn.SetWriteDeadline(w.at)
}
