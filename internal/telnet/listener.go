package telnet

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/hub"
)

// Config holds the line port's limits. The zero value of a field means its
// default.
type Config struct {
	// MaxLineBytes is the longest input line, without its line end. Longer
	// lines are discarded with a notice. Default 4096.
	MaxLineBytes int
	// NameTimeout is how long a connection may take to give a valid name
	// before it is closed. Default 60 s: time to type, not to idle.
	NameTimeout time.Duration
	// WriteTimeout bounds every write to a client. A client that does not
	// take its data within it is disconnected. Default 10 s.
	WriteTimeout time.Duration
	// QueueLen is the hub's per-member queue length, only to tell a member
	// cut off as too slow how far behind it was. Default hub.DefaultQueueLen.
	QueueLen int
	// Limiter caps connections per address and in all, shared with the
	// other transports. Nil means the connlimit defaults, for this port alone.
	Limiter *connlimit.Limiter
	// Conns, if set, counts open connections: Inc on accept, Dec on close.
	Conns Gauge
	// Grace is the hub's grace period (hub.Options.Grace), to tell a user
	// how long their resume code lasts. Zero or less: no code is shown.
	Grace time.Duration
	// NegotiationTimeout is how long the terminal port waits for a client
	// to take the interactive mode before it settles on line mode. Clients
	// that answer (telnet) do so within a round trip, and any input ends
	// the wait at once. Default 1 s.
	NegotiationTimeout time.Duration
}

// Gauge is a value that goes up and down; a prometheus.Gauge is one.
type Gauge interface {
	Inc()
	Dec()
}

// Defaults for Config.
const (
	DefaultMaxLineBytes = 4096
	DefaultNameTimeout  = 60 * time.Second
	DefaultWriteTimeout = 10 * time.Second
	DefaultNegotiation  = time.Second
)

func (c Config) withDefaults() Config {
	if c.MaxLineBytes <= 0 {
		c.MaxLineBytes = DefaultMaxLineBytes
	}
	if c.NameTimeout <= 0 {
		c.NameTimeout = DefaultNameTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.NegotiationTimeout <= 0 {
		c.NegotiationTimeout = DefaultNegotiation
	}
	if c.QueueLen <= 0 {
		c.QueueLen = hub.DefaultQueueLen
	}
	if c.Limiter == nil {
		c.Limiter = connlimit.New(0, 0)
	}
	return c
}

// Server accepts line-protocol connections and joins their users to a hub.
type Server struct {
	log     *slog.Logger
	hub     *hub.Hub
	cfg     Config
	readers *readers // line buffers, lent to connections while input waits

	mu     sync.Mutex
	inRoom map[*conn]struct{} // connections that have joined, until they end
}

// NewServer returns a server for h. It does nothing until Serve is called.
func NewServer(log *slog.Logger, h *hub.Hub, cfg Config) *Server {
	cfg = cfg.withDefaults()
	return &Server{
		log: log, hub: h, cfg: cfg, readers: newReaders(lineBufferSize(cfg.MaxLineBytes)),
		inRoom: make(map[*conn]struct{}),
	}
}

// Serve accepts line-port connections on ln until ctx is done, then closes
// ln and waits for every connection to end. The line port speaks the seed
// protocol and offers no telnet options, so what a client reads is the
// seed's bytes and nothing else. Users still giving their name are told
// the server is shutting down; users in the room are ended by the hub's own
// shutdown, which tells them the same. Connections still open drainTimeout
// after ctx is done are closed. Serve returns nil after a shutdown, or the
// listener's error.
func (s *Server) Serve(ctx context.Context, ln net.Listener, drainTimeout time.Duration) error {
	return s.serve(ctx, ln, drainTimeout, false)
}

// ServeTerminals is Serve for the terminal port: it offers each client the
// telnet options of character mode, and serves one that takes them with a
// line editor (see interactive.go); one that does not gets the line port's
// protocol, with the offer's few command bytes before it.
func (s *Server) ServeTerminals(ctx context.Context, ln net.Listener, drainTimeout time.Duration) error {
	return s.serve(ctx, ln, drainTimeout, true)
}

func (s *Server) serve(ctx context.Context, ln net.Listener, drainTimeout time.Duration, offer bool) error {
	// force ends every connection at once; it fires drainTimeout after ctx.
	force, forceNow := context.WithCancel(context.WithoutCancel(ctx))
	defer forceNow()
	stopClose := context.AfterFunc(ctx, func() { ln.Close() })
	defer stopClose()

	var wg sync.WaitGroup
	err := s.accept(ctx, force, ln, &wg, offer)

	drained := make(chan struct{})
	go func() {
		wg.Wait()
		close(drained)
	}()
	timer := time.NewTimer(drainTimeout)
	defer timer.Stop()
	select {
	case <-drained:
	case <-timer.C:
		s.log.Warn("telnet: connections still open after drain timeout; closing them", "timeout", drainTimeout)
		forceNow()
		<-drained
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// accept runs the accept loop until ln fails or ctx is done.
func (s *Server) accept(ctx, force context.Context, ln net.Listener, wg *sync.WaitGroup, offer bool) error {
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// Out of file descriptors and the like: wait and retry rather
			// than spin, as net/http does.
			if retryable(err) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("telnet: accept failed; retrying", "err", err, "delay", backoff)
				select {
				case <-time.After(backoff):
				case <-ctx.Done():
					return nil
				}
				continue
			}
			return err
		}
		backoff = 0
		wg.Go(func() { s.serveConn(ctx, force, c, offer) })
	}
}

// retryable reports whether an accept error is worth retrying: the process
// or system is out of file descriptors, or a connection was aborted before it
// could be accepted.
func retryable(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) ||
		errors.Is(err, syscall.ECONNABORTED)
}

// enter and leave keep the set of connections in the room.
func (s *Server) enter(cn *conn) {
	s.mu.Lock()
	s.inRoom[cn] = struct{}{}
	s.mu.Unlock()
}

func (s *Server) leave(cn *conn) {
	s.mu.Lock()
	delete(s.inRoom, cn)
	s.mu.Unlock()
}

// letGoOfHungUp lets go at once of the connections in the room under name
// whose user has hung up although their reader has not yet seen it: a name
// whose owner's connection is gone is free to the next person at once, as
// it was in the 2014 server, which handled a hang-up before the next line.
// The Leave is in the hub's inbox before the caller asks again, so the hub
// sees it first; so is the Leave of a connection that has ended and left
// the set already.
func (s *Server) letGoOfHungUp(name string) {
	display, err := hub.CheckName(name)
	if err != nil {
		return
	}
	key := hub.NameKey(display)
	s.mu.Lock()
	var gone []*conn
	for cn := range s.inRoom {
		if hub.NameKey(cn.m.Name()) == key && hungUp(cn.c) {
			gone = append(gone, cn)
		}
	}
	s.mu.Unlock()
	for _, cn := range gone {
		cn.m.Leave()
	}
}
