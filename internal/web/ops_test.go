package web_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/web"
)

func TestReadyz(t *testing.T) {
	srv := startServer(t, web.Config{})
	status := func() int {
		res, err := http.Get(srv.URL + "/readyz")
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, http.StatusServiceUnavailable, status(), "not ready before the listeners are up")
	srv.Server.SetReady(true)
	assert.Equal(t, http.StatusOK, status())

	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	srv.Server.Drain(ctx)
	assert.Equal(t, http.StatusServiceUnavailable, status(), "not ready while draining")
}

// slowStore is a real history whose first LastID, the hub's first step in
// loading it, waits until release is closed: a big history file on a slow
// disk.
type slowStore struct {
	*history.Store
	release chan struct{}
}

func (s slowStore) LastID(ctx context.Context) (uint64, error) {
	<-s.release
	return s.Store.LastID(ctx)
}

// TestNotReadyBeforeTheHistoryIsLoaded: a load balancer sends nobody to a
// server whose hub is still loading the history, where a newcomer would
// wait and miss what was said before.
func TestNotReadyBeforeTheHistoryIsLoaded(t *testing.T) {
	store, err := history.Open(t.Context(), history.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	slow := slowStore{Store: store, release: make(chan struct{})}
	srv := startServerWith(t, web.Config{}, hub.Options{Store: slow})
	srv.Server.SetReady(true) // the listeners are up
	status := func() int {
		res, err := http.Get(srv.URL + "/readyz")
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, http.StatusServiceUnavailable, status(), "loading the history")

	close(slow.release)
	_, err = srv.Hub.Roster(t.Context(), "") // answered once the hub serves requests
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status(), "loaded")
}

// brokenLog is a room's log that cannot keep anything: a full disk.
type brokenLog struct{}

var errFull = errors.New("database or disk is full")

func (brokenLog) Append(*hub.Event, uint64) bool { return false }
func (brokenLog) Err() error                     { return errFull }
func (brokenLog) Run(ctx context.Context, _ *hub.Hub) error {
	<-ctx.Done()
	return nil
}

// TestNotReadyWhileTheRoomCannotKeepAnything: a load balancer sends nobody
// to a server whose disk is full, and a newcomer who arrives anyway is told
// to try again in a moment.
func TestNotReadyWhileTheRoomCannotKeepAnything(t *testing.T) {
	srv := startServerWith(t, web.Config{}, hub.Options{Log: brokenLog{}})
	srv.Server.SetReady(true)
	res, err := http.Get(srv.URL + "/readyz")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)

	res, err = http.PostForm(srv.URL+"/login", url.Values{"name": {"alice"}})
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	assert.Contains(t, string(body), "cannot let anyone in just now")
}

// TestTrustedProxies: X-Forwarded-For names the client only when the peer is
// a trusted proxy, and the per-address limit follows it.
func TestTrustedProxies(t *testing.T) {
	dialAs := func(t *testing.T, srv *testServer, name, forwardedFor string) websocket.StatusCode {
		ctx, cancel := context.WithTimeout(t.Context(), wait)
		defer cancel()
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", &websocket.DialOptions{
			HTTPClient: loginClient(t, srv.URL, name),
			HTTPHeader: http.Header{"X-Forwarded-For": {forwardedFor}},
		})
		require.NoError(t, err)
		t.Cleanup(func() { c.CloseNow() })
		_, data, err := c.Read(ctx)
		if err != nil {
			return websocket.CloseStatus(err)
		}
		require.Contains(t, string(data), `"welcome"`)
		return -1 // joined
	}

	t.Run("behind a trusted proxy, each forwarded client has its own limit", func(t *testing.T) {
		srv := startServer(t, web.Config{
			Limiter:        connlimit.New(1, 100),
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		})
		assert.Equal(t, websocket.StatusCode(-1), dialAs(t, srv, "a", "198.51.100.1"))
		assert.Equal(t, websocket.StatusCode(-1), dialAs(t, srv, "b", "198.51.100.2"))
		assert.Equal(t, web.CloseTooMany, dialAs(t, srv, "c", "198.51.100.1"))
	})
	t.Run("from anyone else the header is ignored", func(t *testing.T) {
		srv := startServer(t, web.Config{Limiter: connlimit.New(1, 100)})
		assert.Equal(t, websocket.StatusCode(-1), dialAs(t, srv, "a", "198.51.100.1"))
		assert.Equal(t, web.CloseTooMany, dialAs(t, srv, "b", "198.51.100.2"), "a client cannot choose its address")
	})
}
