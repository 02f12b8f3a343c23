package telnet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/deadline"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/wording"
)

// conn is one line-protocol connection.
type conn struct {
	srv   *Server
	c     net.Conn
	log   *slog.Logger
	lines *lineReader
	// w is a write buffer borrowed for a batch, nil between batches: the
	// handler's before join, the writer's after.
	w      *bufio.Writer
	joined atomic.Bool
	m      *hub.Conn // set with joined
	// events renders the member's events for the writer; what it
	// remembers (a replay under way) spans batches.
	events   renderer
	deadline *deadline.Writer // the writer's (the handler's before join)

	opts   *negotiation // the reader's
	filter *iacFilter   // the reader's
	// term is the interactive mode's: the line editor, the reader's, and
	// the screen, the writer's (the handler's before join). nil in line
	// mode.
	term *terminal
}

// serveConn runs one connection from the prompt to its end. ctx ending means
// the server is shutting down; force ending means close now.
func (s *Server) serveConn(ctx, force context.Context, c net.Conn, offer bool) {
	defer c.Close()
	if s.cfg.Conns != nil {
		s.cfg.Conns.Inc()
		defer s.cfg.Conns.Dec()
	}
	stop := context.AfterFunc(force, func() { c.Close() })
	defer stop()

	cn := &conn{
		srv:      s,
		c:        c,
		log:      s.log.With("transport", "telnet", "remote", c.RemoteAddr().String()),
		deadline: deadline.NewWriter(c, s.cfg.WriteTimeout),
		opts:     newNegotiation(offer),
	}
	cn.filter = &iacFilter{r: c, reply: cn.sendRaw, opts: cn.opts}
	cn.lines = newIdleLineReader(cn.filter, s.cfg.MaxLineBytes, s.readers, readable(c))
	// A user still choosing a name at shutdown is waiting in Read: end the
	// wait so the handler can say goodbye. Users in the room hear it from
	// the hub instead.
	stopPoke := context.AfterFunc(ctx, func() {
		if !cn.joined.Load() {
			c.SetReadDeadline(time.Now())
		}
	})
	defer stopPoke()

	release, err := s.cfg.Limiter.Acquire(remoteIP(c))
	if err != nil {
		cn.log.Warn("telnet: connection refused", "reason", err)
		_ = cn.writeNow(limitNotice(err, s.cfg.Limiter))
		return
	}
	defer release()

	defer s.leave(cn) // once in the room (register), until the end
	m, err := cn.register(ctx)
	if err != nil {
		cn.log.Debug("telnet: left before joining", "err", err)
		return
	}
	cn.log = cn.log.With("name", m.Name())
	cn.log.Debug("telnet: joined")

	var wg sync.WaitGroup
	writerDone := make(chan struct{})
	wg.Go(func() { // the writer: m's pump, ended by force at the latest
		defer close(writerDone)
		if err := m.Pump(force, cn); err != nil {
			cn.log.Debug("telnet: writer ended", "err", err)
		}
	})
	if cn.term != nil {
		cn.term.writerDone = writerDone
	}
	err = cn.readChat(ctx, m)
	if ctx.Err() == nil {
		m.Leave() // the user hung up: free the name now
	}
	// On shutdown the hub ends the member itself, so the writer can say why;
	// force covers a hub that never does.
	wg.Wait()
	cn.log.Debug("telnet: connection ended", "err", err, "reason", m.Reason())
}

// register asks for a name until the hub accepts one. It writes directly:
// no writer goroutine exists yet.
func (cn *conn) register(ctx context.Context) (*hub.Conn, error) {
	cfg := cn.srv.cfg
	deadline := time.Now().Add(cfg.NameTimeout)
	if err := cn.c.SetReadDeadline(deadline); err != nil {
		return nil, err
	}
	if cn.opts.mode == modeUndecided {
		if err := cn.writeRaw(string(cn.opts.offer())); err != nil {
			return nil, err
		}
	}
	if err := cn.writeNow(seedPrompt); err != nil {
		return nil, err
	}
	err := cn.settle(deadline)
	for {
		var line []byte
		if err == nil {
			line, err = cn.readLine(ctx)
		}
		var again bool
		if again, err = cn.readFailed(ctx, err); err != nil {
			return nil, err
		} else if again {
			continue
		}

		// A telnet user is in one room at a time: its lines are about it.
		opts := hub.JoinOptions{Transport: hub.TransportTelnet, WithRoster: cn.term != nil, OneRoom: true,
			Address: remoteIP(cn.c).Unmap()}
		name := string(line)
		if code, ok := strings.CutPrefix(strings.TrimSpace(name), resumeCommand); ok {
			opts.Token, name = strings.TrimSpace(code), ""
		}
		m, err := cn.join(ctx, name, opts)
		if errors.Is(err, hub.ErrPasswordRequired) && opts.Token == "" {
			var password string
			password, err = cn.askPassword(ctx, noticePrefix+wording.PasswordFor(strings.TrimSpace(name)))
			if errors.Is(err, errLineTooLong) {
				err = errPasswordTooLong // said as a refusal, below
			} else if _, err := cn.readFailed(ctx, err); err != nil {
				return nil, err
			}
			if err == nil {
				// The password goes no further than the hub.
				opts.Password = password
				m, err = cn.join(ctx, name, opts)
				opts.Password, password = "", ""
			}
		}
		var nameErr *hub.NameError
		switch {
		case err == nil:
			cn.m, cn.events = m, renderer{m: m, ownLines: cn.term != nil}
			m.HideOwnMessages(cn.term == nil)
			if cn.term != nil {
				cn.term.joined(m)
			}
			cn.joined.Store(true)
			// In the room's set before the user can see the welcome, and so
			// hang up: see letGoOfHungUp.
			cn.srv.enter(cn)
			if err := cn.c.SetReadDeadline(time.Time{}); err != nil {
				m.Leave()
				return nil, err
			}
			// The welcome goes out before the writer starts, so it is the
			// first line the user reads after the prompt.
			if err := cn.writeNow(fmt.Sprintf(seedWelcome, m.Name())); err != nil {
				m.Leave()
				return nil, err
			}
			if cn.srv.cfg.Grace > 0 {
				hint := fmt.Sprintf(noticeResumeHint, resumeCommand, m.Token(), cn.srv.cfg.Grace)
				if err := cn.writeNow(hint); err != nil {
					m.Leave()
					return nil, err
				}
			}
			return m, nil
		case errors.Is(err, hub.ErrNameTaken):
			err = cn.writeNow(seedNameTaken)
		case errors.Is(err, hub.ErrNoSession):
			err = cn.writeNow(noticeNoSession)
		case errors.Is(err, hub.ErrUnavailable):
			err = cn.writeNow(noticeUnavailable)
		case errors.As(err, &nameErr):
			err = cn.writeNow(fmt.Sprintf(seedNameInvalid, nameErr.Reason))
		case errors.Is(err, errPasswordTooLong):
			err = cn.askAgain(fmt.Sprintf(noticeTooLong, cfg.MaxLineBytes))
		case wording.JoinError(err) != "":
			// A wrong password, too many, a ban: say why, and ask again,
			// as the name that was refused may not be the one to try.
			err = cn.askAgain(noticePrefix + wording.JoinError(err))
		default: // hub closed, or ctx done: the server is shutting down
			return nil, errors.Join(cn.writeNow(noticeShutdown), err)
		}
		if err != nil {
			return nil, err
		}
	}
}

// readFailed handles a failed read of a name or a password: it says what
// went wrong and reports whether to read again, or returns the error that
// ends the connection. A nil err is no failure.
func (cn *conn) readFailed(ctx context.Context, err error) (again bool, _ error) {
	switch {
	case err == nil:
		return false, nil
	case ctx.Err() != nil:
		return false, errors.Join(cn.writeNow(noticeShutdown), ctx.Err())
	case errors.Is(err, errLineTooLong):
		return true, cn.writeNow(fmt.Sprintf(seedNameInvalid, "it is longer than 32 characters"))
	case errors.Is(err, os.ErrDeadlineExceeded):
		return false, errors.Join(cn.writeNow(fmt.Sprintf(noticeTimeout, cn.srv.cfg.NameTimeout)), err)
	}
	return false, err
}

// join joins name to the hub with opts.
func (cn *conn) join(ctx context.Context, name string, opts hub.JoinOptions) (*hub.Conn, error) {
	m, err := cn.srv.hub.Join(ctx, name, opts)
	if errors.Is(err, hub.ErrNameTaken) && opts.Token == "" {
		// Its owner may have hung up: let go of them, or, if their
		// connection has ended already, ask again behind their Leave.
		cn.srv.letGoOfHungUp(name)
		m, err = cn.srv.hub.Join(ctx, name, opts)
	}
	return m, err
}

// askAgain says why a name was refused and asks for one again.
func (cn *conn) askAgain(why string) error {
	if err := cn.write(why); err != nil {
		return err
	}
	return cn.writeNow(seedPrompt)
}

// readLine returns the next line the user sent: as it came, in line mode;
// as the line editor made it, in the interactive mode.
func (cn *conn) readLine(ctx context.Context) ([]byte, error) {
	if cn.term != nil && !cn.term.lineMode {
		line, err := cn.term.readLine(ctx, cn)
		if !errors.Is(err, errLineMode) {
			return line, err
		}
		cn.toLineMode()
	}
	return cn.lines.readLine()
}

// drawing reports whether the connection's output goes through its
// screen. Writer only (the handler before join).
func (cn *conn) drawing() bool { return cn.term != nil && !cn.term.screen.off }

// readChat reads chat lines until the connection ends or the user's member
// is gone, and hands them to the hub.
func (cn *conn) readChat(ctx context.Context, m *hub.Conn) error {
	for {
		line, err := cn.readLine(ctx)
		switch {
		case errors.Is(err, errLineTooLong):
			cn.notify(fmt.Sprintf(noticeTooLong, cn.srv.cfg.MaxLineBytes))
			continue
		case errors.Is(err, errLeave):
			line = []byte("/quit") // Ctrl-D on an empty line
		case err != nil:
			return err
		}
		if cmd, more, ok := accountCommand(string(line)); ok {
			if err := cn.account(ctx, m, cmd, more); err != nil {
				return err
			}
			continue
		}
		switch err := m.Say(ctx, string(line), ""); {
		case err == nil, errors.Is(err, hub.ErrEmptyText):
		case errors.Is(err, hub.ErrTooLong):
			cn.notify(fmt.Sprintf(noticeTooLong, cn.srv.cfg.MaxLineBytes))
		case errors.Is(err, hub.ErrFlood):
			cn.notify(noticeFlood)
		default:
			return err // hub closed or shutting down
		}
	}
}

// notify hands a notice line for this user to the writer.
func (cn *conn) notify(line string) {
	_ = cn.m.Post(context.Background(), func(context.Context) error { return cn.write(line) })
}

// queueRaw hands raw output to the writer, which alone writes once the
// user has joined. It waits only while the writer is several behind, which
// happens only if the writer is stuck, and then the write deadline ends the
// connection soon anyway.
func (cn *conn) queueRaw(raw string) {
	_ = cn.m.Post(context.Background(), func(context.Context) error { return cn.writeRaw(raw) })
}

// sendRaw sends bytes that are not a line, such as a telnet option answer:
// directly while the user is choosing a name (the reader is then the only
// writer), through the writer once they have joined.
func (cn *conn) sendRaw(b []byte) error {
	if cn.joined.Load() {
		cn.queueRaw(string(b))
		return nil
	}
	if err := cn.writeBytes(b); err != nil {
		return err
	}
	return cn.flush()
}

// The connection is its member's hub.Writer once the user has joined: the
// pump calls WriteEvents, Flush and Close from the writer goroutine, and
// runs the reader's queueRaw there. Output is buffered until the pump
// flushes, when nothing more is waiting, so a burst costs one system call
// rather than one per line.

// WriteEvents renders events into the write buffer.
func (cn *conn) WriteEvents(_ context.Context, events []*hub.Event) error {
	if cn.drawing() {
		return cn.term.writeEvents(cn, events)
	}
	for _, ev := range events {
		if err := cn.writeBytes(cn.events.render(ev)); err != nil {
			return err
		}
	}
	return nil
}

// Flush writes out the batch.
func (cn *conn) Flush(context.Context) error { return cn.flush() }

// Close tells a user the hub removed why, if it was not their doing, and
// closes the connection so that the reader ends too. When the pump ended
// otherwise (ReasonNone: a write failed, or the server stopped waiting)
// there is nobody to tell.
func (cn *conn) Close(reason hub.Reason) {
	if reason != hub.ReasonNone {
		cn.farewell(reason)
	} else if cn.w != nil {
		putWriter(cn.w)
		cn.w = nil
	}
	_ = cn.c.Close()
}

// farewell tells a user removed by the hub why, or, if they left (/quit),
// says goodbye, so that the connection does not just go dead.
func (cn *conn) farewell(reason hub.Reason) {
	var line string
	switch reason {
	case hub.ReasonQuit: // a user who hung up is not there to read it
		line = fmt.Sprintf(noticeGoodbye, cn.m.Name())
	case hub.ReasonShutdown:
		line = noticeShutdown
	case hub.ReasonTooSlow:
		line = fmt.Sprintf(noticeTooSlow, cn.srv.cfg.QueueLen)
		cn.log.Warn("telnet: cut off", "reason", hub.ReasonTooSlow)
	case hub.ReasonMoved:
		line = noticeMoved
	case hub.ReasonLost:
		line = noticeLost
	case hub.ReasonKicked:
		line = noticeKicked
	case hub.ReasonBanned:
		line = noticeBanned
	}
	if line != "" {
		_ = cn.write(line)
	}
	if cn.term != nil {
		cn.term.screen.off = true // no prompt after the last word
	}
	_ = cn.flush()
}

// write buffers one line and its CR LF; on a terminal, above the input.
func (cn *conn) write(text string) error {
	if cn.drawing() {
		return cn.writeBytes(cn.term.screen.print([]line{{parts: []part{{text: text}}}}))
	}
	return cn.writeRaw(text + crlf)
}

// writeRaw buffers raw output. The write deadline is set when a batch
// starts and covers every write until the batch is flushed.
func (cn *conn) writeRaw(raw string) error {
	if err := cn.startBatch(); err != nil {
		return err
	}
	_, err := cn.w.WriteString(raw)
	return err
}

// writeBytes is writeRaw for bytes.
func (cn *conn) writeBytes(raw []byte) error {
	if len(raw) == 0 {
		return nil
	}
	if err := cn.startBatch(); err != nil {
		return err
	}
	_, err := cn.w.Write(raw)
	return err
}

// startBatch borrows a write buffer if there is none, and arms the write
// deadline when the buffer is empty: each buffer's worth of output has
// (nearly) WriteTimeout to leave.
func (cn *conn) startBatch() error {
	if cn.w == nil {
		cn.w = getWriter()
		cn.w.Reset(cn.c)
	} else if cn.w.Buffered() > 0 {
		return nil
	}
	return cn.deadline.Arm()
}

// flush writes out the batch and gives the buffer back. On a terminal the
// input area, if what came before took it off, comes back first.
func (cn *conn) flush() error {
	if cn.term != nil {
		if err := cn.writeBytes(cn.term.screen.refresh()); err != nil {
			return err
		}
	}
	if cn.w == nil {
		return nil
	}
	err := cn.w.Flush()
	putWriter(cn.w)
	cn.w = nil
	return err
}

// writeNow writes one line and flushes it.
func (cn *conn) writeNow(line string) error {
	if err := cn.write(line); err != nil {
		return err
	}
	return cn.flush()
}

// limitNotice tells a refused client which limit it met.
func limitNotice(err error, l *connlimit.Limiter) string {
	if errors.Is(err, connlimit.ErrPerIP) {
		return fmt.Sprintf(noticeLimitPerIP, l.PerIP())
	}
	return fmt.Sprintf(noticeLimitTotal, l.Total())
}

// remoteIP returns the client's address; an unknown one counts as one
// shared address, so it is limited rather than let through.
func remoteIP(c net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		return ap.Addr()
	}
	return netip.Addr{}
}
