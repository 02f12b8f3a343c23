package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/anseo/anseo/internal/cluster"
	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/metrics"
	"github.com/anseo/anseo/internal/telnet"
	"github.com/anseo/anseo/internal/web"
	"golang.org/x/sync/errgroup"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

// run is the whole program: it parses args, starts the hub and the
// listeners, and stops them all when ctx is done, within the shutdown
// timeout. It returns when every goroutine it started has ended.
//
// Once every listener is bound and served, run calls each ready function
// with their addresses, from its own goroutine, before it waits for the end.
// main passes none; a test passes one to learn the ports chosen for
// "127.0.0.1:0". A ready function must not block.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready ...func(listening)) error {
	var command string
	if len(args) > 1 && (args[1] == "version" || args[1] == "healthcheck") {
		command, args = args[1], append([]string{args[0] + " " + args[1]}, args[2:]...)
	}
	if len(args) > 1 && args[1] == "admin" {
		err := admin(ctx, args[2:], getenv, stdout, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if command == "version" {
		fmt.Fprintln(stdout, "anseo", version)
		return nil
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if command == "healthcheck" {
		return healthcheck(ctx, cfg, stdout)
	}
	log := newLogger(cfg, stderr)

	// Keepalive probes find peers that vanished without a word: see listen.
	telnetLn, err := listen(ctx, cfg.telnetAddr, cfg.keepAlive)
	if err != nil {
		return fmt.Errorf("telnet: %w", err)
	}
	defer telnetLn.Close()
	var terminalLn net.Listener
	if cfg.terminalAddr != "" {
		if terminalLn, err = listen(ctx, cfg.terminalAddr, cfg.keepAlive); err != nil {
			return fmt.Errorf("terminal: %w", err)
		}
		defer terminalLn.Close()
	}
	httpLn, err := listen(ctx, cfg.httpAddr, cfg.keepAlive)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	defer httpLn.Close()
	// Every HTTP connection counts from the moment it opens, so idle or slow
	// requests from one address cannot hold the web port.
	httpLn = connlimit.Listen(httpLn, connlimit.New(cfg.maxHTTPPerIP, cfg.maxConns), cfg.trustedProxies)
	var adminLn net.Listener
	if cfg.metricsAddr != "" {
		if adminLn, err = listen(ctx, cfg.metricsAddr, cfg.keepAlive); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		defer adminLn.Close()
	}

	store, err := history.Open(ctx, cfg.db)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	defer store.Close() // after the hub has stopped and saved what it had

	// A single node keeps the room's log and the registered names in its
	// history file, and the names in use in memory; in a cluster, the link
	// to the other nodes is the log, the names in use and the registered
	// names.
	hubOpts := hub.Options{
		Logger:            log,
		QueueLen:          cfg.queueLen,
		MaxTextBytes:      cfg.maxMessageBytes,
		MaxTextLines:      cfg.maxMessageLines,
		Flood:             cfg.flood,
		HistoryLen:        cfg.historyLen,
		Grace:             cfg.hubGrace(),
		LeaveGrace:        cfg.leaveGrace,
		Store:             store,
		Retention:         cfg.hubRetention(),
		MaxRooms:          cfg.maxRooms,
		MaxRoomsPerPerson: cfg.maxRoomsPerUser,
		Operators:         cfg.operators,
		RoomsNeedAccount:  cfg.roomsNeedAccount,
	}
	var caughtUp <-chan struct{} // closed when the node may take users
	var link *cluster.Link
	if cfg.natsURL != "" {
		link, err = cluster.Connect(ctx, cluster.Config{
			URL: cfg.natsURL, Node: cfg.nodeName, NameTTL: cfg.nameTTL, Grace: cfg.grace,
			Keep: int64(max(cfg.retention.Keep, 0)), Log: log,
			History: store, Retention: cfg.hubRetention(),
		})
		if err != nil {
			return err
		}
		defer link.Close() // after the hub has stopped, and its log with it
		// The registered names too are the cluster's, so that one is
		// protected on every node.
		hubOpts.Log, hubOpts.Names, hubOpts.Accounts = link, link, link.Accounts()
		caughtUp = link.Ready() // caught up with the cluster
	} else {
		hubOpts.Accounts = store // the registered names, in the history file
		caughtUp = closed
	}

	stats := metrics.New()
	if link != nil {
		stats.WatchCluster(func() metrics.ClusterStats { return metrics.ClusterStats(link.Stats()) })
	}
	hubOpts.Metrics = stats
	h := hub.New(hubOpts)
	stats.WatchHub(h.InboxLen) // now that there is a hub to read
	stats.WatchLog(h.Health)
	limiter := connlimit.New(cfg.maxConnsPerIP, cfg.maxConns)
	lines := telnet.NewServer(log, h, telnet.Config{
		MaxLineBytes: cfg.maxMessageBytes,
		NameTimeout:  cfg.nameTimeout,
		WriteTimeout: cfg.writeTimeout,
		QueueLen:     cfg.queueLen,
		Limiter:      limiter,
		Conns:        stats.Connections(hub.TransportTelnet),
		Grace:        cfg.grace,
	})
	webCfg := web.Config{
		MaxTextBytes:   cfg.maxMessageBytes,
		MaxTextLines:   cfg.maxMessageLines,
		WriteTimeout:   cfg.writeTimeout,
		PingInterval:   cfg.pingInterval,
		Limiter:        limiter,
		AllowedOrigins: cfg.allowedOrigins,
		TrustedProxies: cfg.trustedProxies,
		SecureCookie:   cfg.tlsCert != "",
		Conns:          stats.Connections(hub.TransportWeb),
	}
	if adminLn == nil {
		webCfg.Metrics = stats.Handler()
	}
	site := web.NewServer(log, h, webCfg)
	httpSrv := newHTTPServer(log, site, cfg.readTimeout)

	// The first part to fail stops the others; a shutdown stops them all.
	// The hub runs its log, and stops it after the departures it announces
	// as it stops are kept.
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return h.Run(ctx) })
	g.Go(func() error { return lines.Serve(ctx, telnetLn, cfg.shutdownTimeout) })
	if terminalLn != nil {
		g.Go(func() error { return lines.ServeTerminals(ctx, terminalLn, cfg.shutdownTimeout) })
	}
	g.Go(func() error {
		var err error
		if cfg.tlsCert != "" {
			err = httpSrv.ServeTLS(httpLn, cfg.tlsCert, cfg.tlsKey)
		} else {
			err = httpSrv.Serve(httpLn)
		}
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	var adminSrv *http.Server
	if adminLn != nil {
		adminSrv = newHTTPServer(log, adminHandler(stats.Handler(), cfg.pprof), cfg.readTimeout)
		// A profile being taken (/debug/pprof/profile?seconds=N) ends
		// when shutdown begins, rather than holding the shutdown up.
		adminSrv.BaseContext = func(net.Listener) context.Context { return ctx }
		g.Go(func() error {
			if err := adminSrv.Serve(adminLn); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("metrics: %w", err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-ctx.Done()
		log.Info("shutting down", "timeout", cfg.shutdownTimeout)
		site.SetReady(false)
		// Shutdown stops new requests and waits for plain ones; WebSocket
		// connections end as the hub, stopped by the same ctx, closes each
		// member with 1001, and Drain waits for them.
		drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdownTimeout)
		defer cancel()
		err := httpSrv.Shutdown(drainCtx)
		site.Drain(drainCtx)
		if adminSrv != nil {
			err = errors.Join(err, adminSrv.Shutdown(drainCtx))
		}
		return err
	})
	g.Go(func() error {
		select {
		case <-caughtUp:
			site.SetReady(true)
		case <-ctx.Done():
		}
		return nil
	})
	log.Info("listening", "transport", "telnet", "addr", telnetLn.Addr().String(), "version", version)
	log.Info("listening", "transport", "http", "addr", httpLn.Addr().String(), "tls", cfg.tlsCert != "")
	bound := listening{telnet: telnetLn.Addr().String(), http: httpLn.Addr().String()}
	if terminalLn != nil {
		bound.terminal = terminalLn.Addr().String()
		log.Info("listening", "transport", "terminal", "addr", bound.terminal)
	}
	if adminLn != nil {
		bound.metrics = adminLn.Addr().String()
		log.Info("listening", "transport", "metrics", "addr", bound.metrics)
	}
	for _, f := range ready {
		f(bound)
	}
	err = g.Wait()
	log.Info("stopped")
	return err
}

// closed is a channel that is closed.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// listening is where run's listeners are bound, as "host:port".
type listening struct {
	telnet   string
	terminal string // "" with -terminal-addr ""
	http     string
	metrics  string // "" without -metrics-addr
}

// newHTTPServer returns a server with the timeouts every public server
// needs: a client slow to send its headers, or its whole request within
// readTimeout, is cut off, and idle keep-alives are closed.
func newHTTPServer(log *slog.Logger, h http.Handler, readTimeout time.Duration) *http.Server {
	var unasked unaskedConns
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(10*time.Second, readTimeout),
		ReadTimeout:       readTimeout,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ConnState:         unasked.track,
	}
	srv.RegisterOnShutdown(unasked.closeAll)
	return srv
}

// unaskedConns are a server's connections that have not sent a request
// yet. Browsers open such connections ahead of need; Shutdown waits 5 s
// before it counts one as idle, so a shutdown would wait that long for
// nothing: they are closed as soon as it begins (RegisterOnShutdown runs
// after the listeners are closed, so no more come).
type unaskedConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (u *unaskedConns) track(c net.Conn, state http.ConnState) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if state == http.StateNew {
		if u.conns == nil {
			u.conns = make(map[net.Conn]struct{})
		}
		u.conns[c] = struct{}{}
		return
	}
	delete(u.conns, c)
}

func (u *unaskedConns) closeAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for c := range u.conns {
		_ = c.Close()
	}
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
