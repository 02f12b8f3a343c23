package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/hub"
)

// Config holds the web transport's settings. The zero value is usable: every
// field has a default, applied by NewServer.
type Config struct {
	// SecureCookie marks the name cookie Secure, so browsers send it over
	// HTTPS only. Set it when anseo sits behind a TLS proxy; a request that
	// arrives over TLS gets a Secure cookie regardless.
	SecureCookie bool
	// MaxTextBytes is the longest message text a client may send, in bytes
	// of UTF-8. Longer text gets an error message; the connection stays.
	// Default DefaultMaxTextBytes.
	MaxTextBytes int
	// MaxTextLines is the most lines a message text may have (the hub's
	// Options.MaxTextLines, told to the page). Default DefaultMaxTextLines.
	MaxTextLines int
	// ReadLimit bounds one WebSocket message from a client, in bytes. A
	// bigger one closes the connection with 1009. It must leave room for
	// MaxTextBytes of text inside its JSON. Default DefaultReadLimit.
	ReadLimit int64
	// WriteTimeout bounds each write to a socket. A client that does not take
	// a message within it is cut off. Default DefaultWriteTimeout.
	WriteTimeout time.Duration
	// AllowedOrigins lists other origins, such as "https://chat.example.org",
	// whose pages may open the WebSocket and post the login form. The
	// server's own origin is always allowed and every other one refused: a
	// page elsewhere must not be able to chat in a visitor's name.
	AllowedOrigins []string
	// PingInterval is how often the server pings a connection, so that a
	// client that vanished without closing (a laptop lid, a dropped network)
	// is noticed and its name freed within PingInterval+WriteTimeout.
	// Default DefaultPingInterval; negative turns pings off.
	PingInterval time.Duration
	// Limiter, if set, caps open WebSockets per client address and in all,
	// counting them with the other transports' connections. The address is
	// the TCP peer's. Nil means no cap.
	Limiter *connlimit.Limiter
	// TrustedProxies lists the networks of reverse proxies whose
	// X-Forwarded-For header names the real client and whose
	// X-Forwarded-Proto says whether it used HTTPS. The per-address limits
	// and the logs use that client, and an https proxy's cookies are
	// Secure; from anyone else the headers are ignored, so a client cannot
	// pick its own address. Empty: no proxy is trusted.
	TrustedProxies []netip.Prefix
	// Metrics, if set, is served at /metrics. Nil: no /metrics here (it may
	// be served on a separate admin address instead).
	Metrics http.Handler
	// Conns, if set, counts open WebSockets: Inc on accept, Dec on close.
	Conns Gauge
}

// Gauge is a value that goes up and down; a prometheus.Gauge is one.
type Gauge interface {
	Inc()
	Dec()
}

// Defaults for Config.
const (
	// DefaultWriteTimeout: a healthy client takes a message in milliseconds;
	// ten seconds allows for a congested mobile link, and no more, because a
	// stuck writer holds its member's place in the hub.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultPingInterval: well inside the 60 s idle timeouts of common
	// proxies and load balancers, so idle sockets also stay open through them.
	DefaultPingInterval = 30 * time.Second
)

func (c Config) withDefaults() Config {
	if c.MaxTextBytes <= 0 {
		c.MaxTextBytes = DefaultMaxTextBytes
	}
	if c.MaxTextLines <= 0 {
		c.MaxTextLines = DefaultMaxTextLines
	}
	if c.ReadLimit <= 0 {
		c.ReadLimit = DefaultReadLimit
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.PingInterval == 0 {
		c.PingInterval = DefaultPingInterval
	}
	return c
}

// Server is anseo's browser face: the pages, the static files and the
// WebSocket endpoint. It is an http.Handler, safe for concurrent use; serve
// it with an http.Server that sets ReadHeaderTimeout and IdleTimeout.
//
// http.Server.Shutdown does not wait for WebSocket connections (they are
// hijacked), so shutting down takes three steps: Shutdown the http.Server,
// stop the hub (which closes every member with hub.ReasonShutdown, and so
// every socket with 1001), then Drain with a deadline.
type Server struct {
	handler http.Handler
	sockets *sockets
	ready   atomic.Bool
}

// NewServer returns the web transport for h. log receives one Debug line per
// request and the lifecycle of each WebSocket; cfg's zero fields get defaults.
func NewServer(log *slog.Logger, h *hub.Hub, cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{sockets: newSockets()}
	r := chi.NewRouter()
	csrf := http.NewCrossOriginProtection()
	for _, origin := range cfg.AllowedOrigins {
		if err := csrf.AddTrustedOrigin(origin); err != nil {
			log.Error("allowed origin ignored", "origin", origin, "err", err)
		}
	}
	clientIP := middleware.ClientIPFromRemoteAddr
	if len(cfg.TrustedProxies) > 0 {
		prefixes := make([]string, len(cfg.TrustedProxies))
		for i, p := range cfg.TrustedProxies {
			prefixes[i] = p.String()
		}
		clientIP = middleware.ClientIPFromXFF(prefixes...)
	}
	r.Use(
		securityHeaders,
		clientIP,
		logRequests(log),
		csrf.Handler,
	)
	// Ready to take users: set ready, not draining, the room has loaded
	// its history, and it can keep what they say (hub.Health: its disk, or
	// its link to the cluster).
	ready := func() bool { return s.isReady() && h.Loaded() && h.Health() == nil }
	addRoutes(r, log, h, cfg, mustLoadAssets(), s.sockets, ready)
	s.handler = r
	return s
}

// SetReady says whether the server should take traffic: the caller sets it
// once every listener is up. /readyz answers 503 until then, while the hub
// loads the room's history, again from the moment Drain is called, and
// whenever the hub cannot keep what is said (hub.Health).
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

func (s *Server) isReady() bool { return s.ready.Load() && !s.sockets.isDraining() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Drain waits until every WebSocket handler has returned. From the moment
// it is called, new WebSocket requests are refused with 503. Drain does not
// end connections itself: stopping the hub does, each with close code 1001.
// If ctx ends first, Drain closes the remaining connections at once, without
// a close handshake, and returns when their handlers have (promptly: every
// read and write on a closed connection fails at once).
func (s *Server) Drain(ctx context.Context) { s.sockets.drain(ctx) }

// sockets keeps count of the WebSocket handlers so that Drain can wait for
// them, and of their connections so that it can cut them off.
type sockets struct {
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	draining bool // no new handlers may start
	cut      bool // Drain gave up waiting; close every new conn at once
	active   sync.WaitGroup
}

func newSockets() *sockets { return &sockets{conns: make(map[net.Conn]struct{})} }

// begin registers a handler; it returns false once draining has started. A
// true return must be paired with end.
func (s *sockets) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining {
		return false
	}
	s.active.Add(1) // never concurrent with Wait: Wait starts after draining is set
	return true
}

func (s *sockets) end() { s.active.Done() }

// add records a hijacked connection so that drain can close it. It returns
// false when drain has already given up, and the caller must close it at once.
func (s *sockets) add(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cut {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *sockets) remove(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

func (s *sockets) isDraining() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.draining
}

func (s *sockets) drain(ctx context.Context) {
	s.mu.Lock()
	s.draining = true
	s.mu.Unlock()

	idle := make(chan struct{})
	go func() {
		s.active.Wait()
		close(idle)
	}()
	select {
	case <-idle:
		return
	case <-ctx.Done():
	}

	// Close the TCP connections themselves: websocket.Conn.CloseNow would wait
	// for a close handshake already in progress (up to 10 s) to finish.
	s.mu.Lock()
	s.cut = true
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	<-idle
}

// hijackRecorder keeps the connection that websocket.Accept hijacks, so that
// Drain can close it without waiting for the WebSocket library, and the
// wire over it, to which the library and the writer write their frames.
type hijackRecorder struct {
	http.ResponseWriter
	conn net.Conn
	out  *wire
}

// Hijack records the connection. It also swaps net/http's 4 KiB read
// buffer, which the WebSocket library would keep for the connection's life,
// for a small one: a chat client sends a few short messages, and the
// library reads longer payloads straight into its own buffer past a small
// one, so the 4 KiB would cost every idle connection for nothing. The 4 KiB
// write buffer goes too, for one that holds a control frame: the library
// writes nothing else (see wire).
func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return c, rw, err
	}
	h.conn = c
	if err := rw.Writer.Flush(); err != nil { // nothing waits there, but if it did
		return c, rw, err
	}
	h.out = &wire{Conn: c}
	rw.Writer = bufio.NewWriterSize(h.out, hijackWriteBufferSize)
	// A client may send its first frame with the upgrade request; net/http
	// has read it already. The library replaces the reader's source, so
	// the connection itself hands those bytes over first.
	if n := rw.Reader.Buffered(); n > 0 {
		early, _ := rw.Reader.Peek(n)
		c = &earlyConn{Conn: c, early: bytes.Clone(early)}
	}
	rw.Reader = bufio.NewReaderSize(c, hijackReadBufferSize)
	return c, rw, nil
}

// hijackReadBufferSize is bufio's smallest: a frame header's worth.
const hijackReadBufferSize = 16

// earlyConn is a connection some of whose input was read before it was
// hijacked: Read returns that first.
type earlyConn struct {
	net.Conn
	early []byte
}

func (c *earlyConn) Read(p []byte) (int, error) {
	if len(c.early) > 0 {
		n := copy(p, c.early)
		c.early = c.early[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

func (h *hijackRecorder) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// originHosts turns allowed origins into the host patterns
// websocket.AcceptOptions.OriginPatterns matches against.
func originHosts(origins []string) []string {
	var hosts []string
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	return hosts
}

// ValidateOrigin reports whether origin can be an entry of
// Config.AllowedOrigins: a scheme, http or https, and a host, nothing else.
func ValidateOrigin(origin string) error {
	u, err := url.Parse(origin)
	switch {
	case err != nil:
		return err
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("origin %q: scheme must be http or https", origin)
	case u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("origin %q: want scheme://host[:port] and nothing more", origin)
	}
	return nil
}
