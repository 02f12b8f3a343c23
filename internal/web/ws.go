package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/wording"
)

// handleWebSocket joins the hub with the cookie's name, or resumes the person
// whose token the query presents (see joinWeb), and relays between the
// socket and the member as docs/protocol.md describes. The socket is
// accepted before the name is checked, so that a browser learns why it was
// refused from the close code (a refused HTTP upgrade shows only as 1006).
//
// Each connection has:
//
//  1. A reader goroutine: it decodes client messages and calls Say. When
//     the client goes away (read error or close) it calls Leave, which
//     starts the person's grace period if this was its last connection.
//  2. One writer goroutine, the connection's pump (hub.Conn.Pump), the only
//     one that writes to the socket: the welcome, then every event and
//     every reply the reader posts, until the hub removes the member; then
//     a close frame whose code says why.
//  3. The handler returns once the member has joined, and the two run on
//     their own, owned by the server's sockets (Drain waits for them): an
//     idle connection then keeps neither the handler's stack, grown deep by
//     the middleware and the join, nor the request it served.
func handleWebSocket(log *slog.Logger, h *hub.Hub, cfg Config, ss *sockets) http.Handler {
	accept := &websocket.AcceptOptions{OriginPatterns: originHosts(cfg.AllowedOrigins)}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ss.begin() {
			http.Error(w, reasonShutdown, http.StatusServiceUnavailable)
			return
		}
		// What the connection holds is let go of by end, run by this
		// handler or, once the session has started, by its reader.
		var ends []func()
		end := func() {
			for i := len(ends) - 1; i >= 0; i-- {
				ends[i]()
			}
		}
		ended := false
		defer func() {
			if !ended {
				end()
			}
		}()
		ends = append(ends, ss.end)
		var refused error
		if cfg.Limiter != nil {
			release, err := cfg.Limiter.Acquire(middleware.GetClientIPAddr(r.Context()))
			if err != nil {
				refused = err // accepted and closed below, so that the page learns why
			} else {
				ends = append(ends, release)
			}
		}
		hw := &hijackRecorder{ResponseWriter: w}
		opts := *accept
		var raw net.Conn // the connection, once accepted
		// The pong the library sends for a client's ping may come long
		// after the writer's last frame, its deadline (see send) long past:
		// it gets one of its own, which only ever extends the writer's.
		opts.OnPingReceived = func(context.Context, []byte) bool {
			_ = raw.SetWriteDeadline(time.Now().Add(cfg.WriteTimeout))
			return true
		}
		c, err := websocket.Accept(hw, r, &opts) // same origin, or one of cfg.AllowedOrigins
		if err != nil {
			log.Debug("websocket refused", "remote", middleware.GetClientIP(r.Context()), "err", err)
			return // Accept has written the HTTP error
		}
		ends = append(ends, func() { _ = c.CloseNow() }) // whatever happens, the socket ends with its session
		if cfg.Conns != nil {
			cfg.Conns.Inc()
			ends = append(ends, cfg.Conns.Dec)
		}
		// Not hw itself: it holds the response, and with it the request, which
		// an idle connection has no more use for.
		conn := hw.conn
		raw = conn
		if !ss.add(conn) {
			return
		}
		ends = append(ends, func() { ss.remove(conn) })
		c.SetReadLimit(cfg.ReadLimit)
		if refused != nil {
			code, reason := limitRefusal(refused)
			log.Warn("client refused", "remote", middleware.GetClientIP(r.Context()), "reason", refused)
			_ = c.Close(code, reason)
			return
		}

		name, _ := currentName(r, h)
		if name == "" {
			_ = c.Close(CloseNotLoggedIn, reasonNotLogged)
			return
		}
		m, resumed, err := joinWeb(r.Context(), h, name, sessionOf(r), middleware.GetClientIPAddr(r.Context()), resumeFrom(r))
		if err != nil {
			code, reason := joinRefusal(err)
			log.Debug("websocket join refused", "name", name, "remote", middleware.GetClientIP(r.Context()), "code", code, "err", err)
			_ = c.Close(code, reason)
			return
		}
		s := &session{
			log: log.With("transport", hub.TransportWeb, "name", m.Name(), "remote", middleware.GetClientIP(r.Context())),
			c:   c, out: hw.out, m: m, cfg: cfg,
			welcome: welcome{Resumed: resumed, History: h.Store() != nil, MaxTextBytes: cfg.MaxTextBytes, MaxTextLines: cfg.MaxTextLines},
		}
		s.log.Debug("websocket joined", "resumed", resumed)
		ended = true
		go func() {
			defer end()
			s.run(context.Background())
		}()
	})
}

// maxTokenBytes bounds the token a client may present. The hub's tokens are
// 16 characters; anything much longer is not one, and is not worth a lookup.
const maxTokenBytes = 64

// resume is what a page that was here before presents: the token of the
// person it was (docs/protocol.md §2) and the ID of the last event it saw.
type resume struct {
	token string
	after uint64
}

// resumeCookie carries the token from the page to /ws: a cookie, not the
// query string, because proxies and servers log URLs, and a token in a log
// lets whoever reads it take over the person.
const resumeCookie = "anseo_resume"

// resumeFrom reads the token from the resumeCookie (or, for clients that
// are not the page, ?token=…) and ?after=… from the upgrade request. A
// malformed after counts as none: the hub then uses its own record.
func resumeFrom(r *http.Request) resume {
	q := r.URL.Query()
	token := q.Get("token")
	if c, err := r.Cookie(resumeCookie); err == nil && c.Value != "" {
		token = c.Value
	}
	if len(token) > maxTokenBytes {
		token = ""
	}
	after, err := strconv.ParseUint(q.Get("after"), 10, 64)
	if err != nil {
		after = 0
	}
	return resume{token: token, after: after}
}

// joinWeb joins the hub as a browser: a person who stays for the hub's grace
// period after its last connection drops, so that a reload or a network blip
// goes unnoticed. With a token it first tries to attach to that person
// (another tab, a reload, a reconnection) and reports resumed; a token the
// hub no longer knows (ErrNoSession: the grace period ran out, the server
// restarted) falls back to a fresh join under the login's name, or to another
// tab of the same login (session) if its page had no token.
func joinWeb(ctx context.Context, h *hub.Hub, name, session string, addr netip.Addr, res resume) (m *hub.Conn, resumed bool, err error) {
	opts := hub.JoinOptions{
		Transport: hub.TransportWeb, WithRoster: true, RosterHead: welcomeMembers, KeepOnDrop: true,
		Session: session, Address: addr.Unmap(),
	}
	if res.token != "" {
		opts.Token, opts.After = res.token, res.after
		m, err = h.Join(ctx, name, opts)
		if !errors.Is(err, hub.ErrNoSession) {
			return m, err == nil, err
		}
		opts.Token, opts.After = "", 0
	}
	m, err = h.Join(ctx, name, opts)
	return m, false, err
}

// joinRefusal turns a Join error into the close code and reason the client
// sees: the one place where hub errors become WebSocket words.
func joinRefusal(err error) (websocket.StatusCode, string) {
	var nameErr *hub.NameError
	if banned, ok := errors.AsType[*hub.BannedError](err); ok {
		return CloseBanned, closeReason(wording.JoinError(banned))
	}
	switch {
	case errors.Is(err, hub.ErrNameTaken):
		return CloseNameTaken, reasonNameTaken
	case errors.Is(err, hub.ErrPasswordRequired), errors.Is(err, hub.ErrWrongPassword):
		return ClosePasswordRequired, reasonPassword
	case errors.As(err, &nameErr):
		return CloseNameInvalid, closeReason(nameErr.Reason)
	case errors.Is(err, hub.ErrClosed):
		return websocket.StatusGoingAway, reasonShutdown
	case errors.Is(err, hub.ErrUnavailable):
		return CloseUnavailable, reasonUnavailable
	}
	return websocket.StatusInternalError, reasonInternal
}

// limitRefusal is the close code and reason for a connection over a limit.
func limitRefusal(err error) (websocket.StatusCode, string) {
	if errors.Is(err, connlimit.ErrPerIP) {
		return CloseTooMany, reasonTooMany
	}
	return websocket.StatusTryAgainLater, reasonFull
}

// closeFor is the close code and reason for a member the hub removed.
func closeFor(r hub.Reason) (websocket.StatusCode, string) {
	switch r {
	case hub.ReasonShutdown:
		return websocket.StatusGoingAway, reasonShutdown
	case hub.ReasonTooSlow:
		return CloseTooSlow, reasonTooSlow
	case hub.ReasonMoved:
		return CloseMoved, reasonMoved
	case hub.ReasonLost:
		return CloseLost, reasonLost
	case hub.ReasonKicked:
		return CloseKicked, reasonKicked
	case hub.ReasonBanned:
		return CloseBanned, reasonBanned
	}
	return websocket.StatusNormalClosure, reasonQuit
}

// closeReason cuts s to the 123 bytes a close frame has room for.
func closeReason(s string) string {
	const maxLen = 123
	if len(s) <= maxLen {
		return s
	}
	s = s[:maxLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// session is one joined WebSocket connection.
type session struct {
	log *slog.Logger
	c   *websocket.Conn
	out *wire // c's connection, to which the writer sends its frames (see send)
	// deadline is the write deadline set on out, zero while none is: the
	// writer's.
	deadline time.Time
	m        *hub.Conn
	cfg      Config
	welcome  welcome
	// pinger posts a ping to the writer every PingInterval; pings are the
	// writer's goroutines, each waiting for its pong.
	pinger *time.Timer
	pings  sync.WaitGroup
}

// errCutOff ends the writer after it has closed the socket with a code of
// its own.
var errCutOff = errors.New("web: client cut off")

func (s *session) run(ctx context.Context) {
	// The writer's end cancels ctx, so that a reader waiting in Say (flood
	// control, or a busy hub) stops waiting for a socket that is gone.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Posted before the reader can post anything, the welcome is the
	// first message the client gets.
	_ = s.m.Post(ctx, s.sendWelcome)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer cancel()
		s.write(ctx)
	})
	s.read(ctx)
	wg.Wait()
	s.log.Debug("websocket ended", "reason", s.m.Reason())
}

// read decodes client messages until the connection ends, then leaves the
// room. It never writes to the socket: answers are posted to the writer,
// and a client that floods it with bad requests is so slowed to the
// writer's pace (hub.Conn.Post).
func (s *session) read(ctx context.Context) {
	defer s.m.Leave()
	for {
		typ, data, err := s.c.Read(ctx)
		if err != nil {
			s.readEnded(err)
			return
		}
		if typ != websocket.MessageText {
			s.cutOff(ctx, websocket.StatusUnsupportedData, reasonBinary)
			continue // read on until the close handshake ends the connection
		}
		msg, err := decodeClient(data, s.cfg.MaxTextBytes)
		if perr, ok := errors.AsType[*protocolError](err); ok {
			s.log.Debug("bad client message", "code", perr.code)
			s.reply(ctx, framed(encodeError(perr)))
			continue
		}
		if msg.Leaving { // its page is closing: a reload comes back within the short grace
			s.m.Leaving()
			continue
		}
		if msg.Account != "" {
			if !s.account(ctx, msg) {
				return
			}
			continue
		}
		// Say may wait: flood control slows a fast sender, and so its reading.
		err = s.m.SayIn(ctx, msg.Room, msg.Text, msg.Ref)
		if perr := sayRefusal(err, s.cfg.MaxTextBytes, s.cfg.MaxTextLines, msg.Ref); perr != nil {
			s.log.Debug("say refused", "code", perr.code)
			s.reply(ctx, framed(encodeError(perr)))
			continue
		}
		switch {
		case err == nil, errors.Is(err, hub.ErrEmptyText): // blank text is dropped silently
		default: // the hub has stopped or the writer has ended: the socket is closing
			s.log.Debug("say failed", "err", err)
			return
		}
	}
}

// account does what a register, password or unregister request asks, on
// the reader: hashing a password takes a tenth of a second, which slows
// this connection's reading alone. It reports false when the connection
// is ending. Neither the password nor the request is logged.
func (s *session) account(ctx context.Context, msg request) bool {
	var err error
	switch msg.Account {
	case "register":
		err = s.m.Register(ctx, msg.Password)
	case "password":
		err = s.m.ChangePassword(ctx, msg.Password)
	case "unregister":
		err = s.m.Unregister(ctx)
	}
	if err == nil {
		s.reply(ctx, framed(encodeDone(msg.Account, msg.Ref)))
		return true
	}
	if perr := accountRefusal(err, msg.Ref); perr != nil {
		s.log.Debug("account request refused", "request", msg.Account, "code", perr.code)
		s.reply(ctx, framed(encodeError(perr)))
		return true
	}
	if ctx.Err() != nil || errors.Is(err, hub.ErrClosed) {
		return false
	}
	s.log.Warn("account request failed", "request", msg.Account, "err", err)
	s.reply(ctx, framed(encodeError(&protocolError{code: errCodeUnavailable, text: wording.AccountError(err), ref: msg.Ref})))
	return true
}

func (s *session) readEnded(err error) {
	switch code := websocket.CloseStatus(err); {
	case code == websocket.StatusNormalClosure || code == websocket.StatusGoingAway:
		s.log.Debug("websocket closed by client", "code", code)
	case errors.Is(err, websocket.ErrMessageTooBig):
		s.log.Warn("client cut off", "reason", "message too big")
	default: // a dropped connection, or our own close: an ending, not an error
		s.log.Debug("websocket read ended", "err", err)
	}
}

// reply has the writer send f to the client.
func (s *session) reply(ctx context.Context, f frame) {
	_ = s.m.Post(ctx, func(context.Context) error { return s.send(f) })
}

// cutOff has the writer close the connection with code and reason.
func (s *session) cutOff(ctx context.Context, code websocket.StatusCode, reason string) {
	_ = s.m.Post(ctx, func(context.Context) error {
		s.log.Warn("client cut off", "reason", reason)
		_ = s.c.Close(code, reason)
		return errCutOff
	})
}

// write is the writer: the member's pump, with the session as its
// hub.Writer, and the pings it starts. It is the only goroutine that writes
// to the socket but for those pings (and the library's own pongs and close
// handshake).
func (s *session) write(ctx context.Context) {
	// The pump waits on one channel alone, the cheapest wait there is: the
	// ping timer posts to it, as the reader does, when a ping is due.
	if s.cfg.PingInterval > 0 {
		ping := s.startPing
		s.pinger = time.AfterFunc(s.cfg.PingInterval, func() { _ = s.m.Post(ctx, ping) })
		defer func() {
			_ = s.c.CloseNow() // a ping waiting for its pong ends at once
			s.pings.Wait()
			s.pinger.Stop() // after the last ping, which restarts it
		}()
	}
	if err := s.m.Pump(ctx, s); err != nil {
		s.log.Debug("websocket writer ended", "err", err)
	}
}

// sendWelcome is the writer's first job: the welcome, with the time it is
// sent.
func (s *session) sendWelcome(ctx context.Context) error {
	w := s.welcome
	w.Now = time.Now()
	welcome, err := encodeWelcome(s.m, w)
	if err != nil {
		s.log.Error("encode welcome", "err", err)
		_ = s.c.Close(websocket.StatusInternalError, reasonInternal)
		return err
	}
	return s.send(framed(welcome))
}

// startPing pings the client. The pong is awaited beside the writer, not
// by it, so that events keep flowing meanwhile.
func (s *session) startPing(ctx context.Context) error {
	s.extendDeadline()
	s.pings.Go(func() { s.ping(ctx) })
	return nil
}

// ping pings the client and waits for its pong within the write timeout;
// a client that does not answer is cut off (its reader then ends, and the
// member with it). The next ping is due PingInterval after this one ends.
func (s *session) ping(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	if err := s.c.Ping(pctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			s.log.Warn("client cut off", "reason", "no pong", "err", err)
		}
		_ = s.c.CloseNow()
		return
	}
	s.pinger.Reset(s.cfg.PingInterval)
}

// WriteEvents sends events in frames of at most maxBatchBytes (unless one
// event alone is bigger), each a JSON array when it holds more than one
// (see docs/protocol.md): a burst costs one write, not one per event.
func (s *session) WriteEvents(ctx context.Context, events []*hub.Event) error {
	if len(events) == 1 { // most wake-ups: the frame is the event's own
		f, err := s.encode(events[0])
		if err != nil {
			s.log.Error("encode event", "id", events[0].ID, "err", err)
			return nil
		}
		return s.send(f)
	}
	buf := batches.Get().(*[]byte)
	batch, n := (*buf)[:0], 0
	defer func() {
		if cap(batch) <= maxFrameHeader+maxBatchBytes { // one grown by a huge event goes to the collector
			*buf = batch[:0]
			batches.Put(buf)
		}
	}()
	for _, ev := range events {
		f, err := s.encode(ev)
		if err != nil {
			s.log.Error("encode event", "id", ev.ID, "err", err)
			continue
		}
		data := f.payload()
		if n > 0 && len(batch)-maxFrameHeader+1+len(data) > maxBatchBytes {
			if err := s.send(closeBatch(batch, n)); err != nil {
				return err
			}
			batch, n = batch[:0], 0
		}
		batch = appendBatch(batch, data, n)
		n++
	}
	if n == 0 {
		return nil
	}
	return s.send(closeBatch(batch, n))
}

// Flush does nothing: every frame is written as it is made.
func (s *session) Flush(context.Context) error { return nil }

// extendDeadline gives the next write the whole write timeout, whenever
// the last frame was written: for the frames the library writes for the
// writer (a ping, the close).
func (s *session) extendDeadline() {
	s.deadline = time.Now().Add(s.cfg.WriteTimeout)
	_ = s.out.SetWriteDeadline(s.deadline)
}

// Close closes the socket with the code and reason that say why the hub
// removed the member; at once, without a word, when the pump ended
// otherwise (ReasonNone: the socket failed, or the writer cut it off).
func (s *session) Close(reason hub.Reason) {
	if reason == hub.ReasonNone {
		_ = s.c.CloseNow()
		return
	}
	s.extendDeadline()
	code, text := closeFor(reason)
	if code == CloseTooSlow {
		s.log.Warn("client cut off", "reason", text)
	}
	_ = s.c.Close(code, text)
}

// batches lends the buffers in which batches are built: an idle
// connection, most of a big room, holds none.
var batches = sync.Pool{New: func() any { return new([]byte) }}

// maxBatchBytes bounds one batched frame, well inside a client's read
// limit (browsers take far more; the protocol promises at most this).
const maxBatchBytes = 64 << 10

// sharedFrame is an event as everyone who did not send it receives it,
// encoded and framed once per event.
var sharedFrame = hub.NewSharedEncoding(frameShared)

// encode returns the frame of ev as s's client sees it. What does not
// depend on the reader, everything but one's own messages, is encoded once
// per event and shared by every connection.
func (s *session) encode(ev *hub.Event) (frame, error) {
	if ev.From(s.m) {
		b, err := encodeEvent(ev, s.m)
		if err != nil {
			return nil, err
		}
		return framed(b), nil
	}
	if f := sharedFrame.Of(ev); f != nil {
		return f, nil
	}
	return nil, errors.New("web: unknown event kind " + ev.Kind.String())
}

// frameShared encodes and frames ev for anyone who did not send it; nil
// if it cannot.
func frameShared(ev *hub.Event) []byte {
	b, err := encodeEventAs(ev, false, "")
	if err != nil {
		return nil
	}
	return framed(b)
}

// appendBatch adds the n-th message of a batch to batch, empty for the
// first: it leaves room in front for the frame's header and for the "["
// that closeBatch puts there when there is more than one.
func appendBatch(batch, data []byte, n int) []byte {
	if n == 0 {
		return append(append(batch, make([]byte, maxFrameHeader+1)...), data...)
	}
	return append(append(batch, ','), data...)
}

// closeBatch returns the frame for a batch of n messages: of the message
// itself for one, of a JSON array for more.
func closeBatch(batch []byte, n int) frame {
	if n == 1 {
		return frameAt(batch, maxFrameHeader+1)
	}
	batch[maxFrameHeader] = '['
	return frameAt(append(batch, ']'), maxFrameHeader)
}

// send writes f within the write timeout, in one write to the socket. A
// failure ends the writer, which closes the socket, so the reader ends too.
//
// The timeout is a deadline on the connection, moved on only once less
// than half of it is left, as gorilla/websocket's writers do: setting and
// clearing a deadline around each burst cost a timer added and removed,
// with the thread wake-ups that brings, about a seventh of a delivery.
// Frames written after a quiet spell, when the deadline has passed, get
// one of their own first: pings and the close (the writer's, see
// extendDeadline) and pongs (see handleWebSocket).
func (s *session) send(f frame) error {
	if now := time.Now(); s.deadline.Sub(now) < s.cfg.WriteTimeout/2 {
		s.deadline = now.Add(s.cfg.WriteTimeout)
		_ = s.out.SetWriteDeadline(s.deadline)
	}
	err := s.out.send(f)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		s.log.Warn("client cut off", "reason", "write timeout")
	}
	return err
}
