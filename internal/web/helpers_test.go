package web_test

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/hub/hubtest"
	"github.com/anseo/anseo/internal/syncbuf"
	"github.com/anseo/anseo/internal/web"
)

// testServer is anseo's web transport on a real hub behind a real HTTP
// listener on 127.0.0.1.
type testServer struct {
	URL    string
	Hub    *hub.Hub
	Server *web.Server
	// StopHub stops the hub, as shutdown does, and waits for Run to return.
	StopHub func()
	// wsURLs are the URLs /ws was asked for, as a proxy would log them.
	wsURLs *syncbuf.Buffer
}

// noFlood turns the hub's flood control off, so that tests can say things
// as fast as they like; TestWebSocketFlood turns it back on.
var noFlood = hub.Flood{Rate: math.Inf(1)}

// startHub runs a hub until the test ends, with flood control off.
func startHub(t *testing.T) (*hub.Hub, func()) {
	t.Helper()
	return startHubWith(t, hub.Options{Flood: noFlood})
}

func startHubWith(t *testing.T, opts hub.Options) (*hub.Hub, func()) {
	t.Helper()
	opts.Logger = testLogger(t)
	h := hub.New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.Run(ctx)
	}()
	stop := func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return h, stop
}

func startServer(t *testing.T, cfg web.Config) *testServer {
	t.Helper()
	return startServerWith(t, cfg, hub.Options{Flood: noFlood})
}

func startServerWith(t *testing.T, cfg web.Config, opts hub.Options) *testServer {
	t.Helper()
	h, stopHub := startHubWith(t, opts)
	srv := web.NewServer(testLogger(t), h, cfg)
	wsURLs := new(syncbuf.Buffer)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ws" {
			_, _ = wsURLs.Write([]byte(r.URL.String() + "\n"))
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		// As in production: stop the hub (every socket closes with 1001),
		// drain the WebSocket handlers, then close the listener.
		stopHub()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Drain(ctx)
		ts.Close()
	})
	return &testServer{URL: ts.URL, Hub: h, Server: srv, StopHub: stopHub, wsURLs: wsURLs}
}

// join adds a member straight to the hub, as another transport would, and
// reads its events until the test ends so that it is never too slow.
func join(t *testing.T, h *hub.Hub, name string, tr hub.Transport) *hub.Conn {
	t.Helper()
	m, err := h.Join(t.Context(), name, hub.JoinOptions{Transport: tr})
	require.NoError(t, err)
	r := hubtest.Read(t, m)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range r.All(context.Background()) {
		}
	}()
	t.Cleanup(func() {
		m.Leave()
		<-done
	})
	return m
}

// watcher is a member joined straight to the hub, as another transport
// would, that records what it receives so that a test can look for what
// others saw (or did not see) of a browser user.
type watcher struct {
	*hub.Conn
	t      *testing.T
	events chan *hub.Event
	log    []*hub.Event // what waitFor has read, in order
}

// watch joins name to h and records its events until the test ends.
func watch(t *testing.T, h *hub.Hub, name string) *watcher {
	t.Helper()
	m, err := h.Join(t.Context(), name, hub.JoinOptions{Transport: hub.TransportTelnet})
	require.NoError(t, err)
	w := &watcher{Conn: m, t: t, events: make(chan *hub.Event, 4096)}
	r := hubtest.Read(t, m)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(w.events)
		for ev := range r.All(context.Background()) {
			select {
			case w.events <- ev:
			default: // the test is not looking at this many; drop, and never block
			}
		}
	}()
	t.Cleanup(func() {
		m.Leave()
		<-done
	})
	return w
}

// waitFor reads events until one matches, failing the test after 5 s.
func (w *watcher) waitFor(what string, match func(*hub.Event) bool) *hub.Event {
	w.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-w.events:
			if !ok {
				w.t.Fatalf("%s: the member was removed (%v)", what, w.Conn.Reason())
			}
			w.log = append(w.log, ev)
			if match(ev) {
				return ev
			}
		case <-timeout:
			w.t.Fatalf("%s: not within 5 s", what)
		}
	}
}

// waitMessage waits for a message with text.
func (w *watcher) waitMessage(text string) *hub.Event {
	w.t.Helper()
	return w.waitFor("message "+text, func(ev *hub.Event) bool { return ev.Kind == hub.KindMessage && ev.Text == text })
}

// seen counts the events read so far of kind about name.
func (w *watcher) seen(kind hub.Kind, name string) int {
	n := 0
	for _, ev := range w.log {
		if ev.Kind == kind && ev.Name == name {
			n++
		}
	}
	return n
}

func testLogger(t *testing.T) *slog.Logger {
	out := &testOutput{t: t}
	t.Cleanup(out.close)
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// testOutput writes to the test's output until the test's cleanups start.
// The server logs each request when its handler returns, and a WebSocket
// handler returns as the test server shuts down, after the test itself has
// ended; writing to t.Output() then is a race.
type testOutput struct {
	t    *testing.T
	mu   sync.Mutex
	done bool
}

func (o *testOutput) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done = true
}

func (o *testOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return len(p), nil
	}
	return o.t.Output().Write(p)
}

// restartable is one address with a web server and its hub behind it that
// a test can stop and start again, new each time: a restart of anseo, as
// the browsers at that address see one.
type restartable struct {
	t       *testing.T
	URL     string
	current atomic.Pointer[web.Server]
}

// newRestartable listens on a new address; seen, if not nil, is told of
// every request before it is served.
func newRestartable(t *testing.T, seen func(*http.Request)) *restartable {
	t.Helper()
	r := &restartable{t: t}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if seen != nil {
			seen(req)
		}
		r.current.Load().ServeHTTP(w, req)
	}))
	t.Cleanup(front.Close)
	r.URL = front.URL
	return r
}

// start puts a new server on a new hub with opts behind the address. stop
// stops them as a shutdown does: the hub closes every socket with 1001,
// and the server waits for them.
func (r *restartable) start(opts hub.Options) (h *hub.Hub, stop func()) {
	h, stopHub := startHubWith(r.t, opts)
	srv := web.NewServer(testLogger(r.t), h, web.Config{})
	r.current.Store(srv)
	return h, func() {
		stopHub()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Drain(ctx)
	}
}
