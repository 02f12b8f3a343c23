package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/web"
)

// historyJSON is the answer of GET /history and /history/search, as
// docs/protocol.md §7 describes it.
type historyJSON struct {
	Events []serverMsg `json:"events"`
	More   *bool       `json:"more"`
}

// startWithHistory runs a hub that saves to an in-memory SQLite history.
func startWithHistory(t *testing.T) *testServer {
	t.Helper()
	store, err := history.Open(t.Context(), history.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() }) // registered first, so it runs after the hub has stopped
	return startServerWith(t, web.Config{}, hub.Options{Flood: noFlood, Store: store})
}

func getHistory(t *testing.T, srv http.Handler, path string, status int) historyJSON {
	t.Helper()
	res, body := do(t, srv, withCookie(httptest.NewRequest(http.MethodGet, path, nil), "reader"))
	require.Equal(t, status, res.StatusCode, "%s: %s", path, body)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	var page historyJSON
	require.NoError(t, json.Unmarshal([]byte(body), &page), body)
	return page
}

func ids(evs []serverMsg) []uint64 {
	out := make([]uint64, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

func assertIncreasing(t *testing.T, evs []serverMsg) {
	t.Helper()
	for i := 1; i < len(evs); i++ {
		assert.Less(t, evs[i-1].ID, evs[i].ID, "oldest first")
	}
}

func TestHistory(t *testing.T) {
	srv := startWithHistory(t)

	// The welcome says the server has history.
	watcher, w := connect(t, srv.URL, "watcher")
	assert.True(t, w.History)

	alice := join(t, srv.Hub, "alice", hub.TransportWeb)
	bob := join(t, srv.Hub, "bob", hub.TransportTelnet)
	ctx := t.Context()
	for i := 1; i <= 250; i++ {
		require.NoError(t, alice.Say(ctx, fmt.Sprintf("message %d", i), ""))
	}
	require.NoError(t, bob.Say(ctx, "/me waves at the Penguins", ""))
	require.NoError(t, bob.Say(ctx, "/msg alice a secret penguin", ""))
	require.NoError(t, bob.Say(ctx, "last one", ""))
	for watcher.next().Text != "last one" { // the hub has handled them all
	}
	srv.StopHub() // and saves everything before it stops
	handler := srv.Server

	var all []serverMsg
	t.Run("the newest page by default", func(t *testing.T) {
		page := getHistory(t, handler, "/history", http.StatusOK)
		require.Len(t, page.Events, 50)
		require.NotNil(t, page.More)
		assert.True(t, *page.More)
		assertIncreasing(t, page.Events)
		last := page.Events[49]
		assert.Equal(t, "message", last.Type)
		assert.Equal(t, "bob", last.From)
		assert.Equal(t, "last one", last.Text)
		assert.Regexp(t, rfc3339Millis, last.Time)
		assert.Nil(t, last.Ref)
		assert.False(t, last.Own)
		action := page.Events[48]
		assert.Equal(t, "action", action.Type, "actions are kept; private messages never are")
		assert.Equal(t, "waves at the Penguins", action.Text)
		assert.Equal(t, "message 250", page.Events[47].Text)
		all = page.Events
	})

	t.Run("before an ID, the page before it", func(t *testing.T) {
		first := all[0].ID
		page := getHistory(t, handler, fmt.Sprintf("/history?before=%d&n=10", first), http.StatusOK)
		require.Len(t, page.Events, 10)
		assertIncreasing(t, page.Events)
		assert.Less(t, page.Events[9].ID, first)
		assert.Equal(t, "message 202", page.Events[9].Text)
		assert.True(t, *page.More)

		start := getHistory(t, handler, fmt.Sprintf("/history?before=%d&n=10", page.Events[0].ID-190), http.StatusOK) // before message 3
		assert.Equal(t, []string{"message 1", "message 2"}, texts(start.Events))
		assert.False(t, *start.More, "nothing before the start")
	})

	t.Run("after an ID, the page after it", func(t *testing.T) {
		page := getHistory(t, handler, fmt.Sprintf("/history?after=%d&n=2", all[46].ID), http.StatusOK)
		assert.Equal(t, ids(all[47:49]), ids(page.Events))
		assert.True(t, *page.More)
		page = getHistory(t, handler, fmt.Sprintf("/history?after=%d", all[47].ID), http.StatusOK)
		assert.Equal(t, ids(all[48:]), ids(page.Events))
		assert.False(t, *page.More)
	})

	t.Run("n is capped at 200", func(t *testing.T) {
		page := getHistory(t, handler, "/history?n=100000", http.StatusOK)
		assert.Len(t, page.Events, 200)
	})

	t.Run("search finds text and names, ignoring case", func(t *testing.T) {
		page := getHistory(t, handler, "/history/search?q=penguin", http.StatusOK)
		require.Len(t, page.Events, 1, "the private message is not in the history")
		assert.Equal(t, "action", page.Events[0].Type)
		assert.False(t, *page.More)

		page = getHistory(t, handler, "/history/search?q=MESSAGE+24&n=3", http.StatusOK)
		assert.Equal(t, []string{"message 247", "message 248", "message 249"}, texts(page.Events), "the newest matches, oldest first")
		assert.True(t, *page.More)

		page = getHistory(t, handler, "/history/search?q=nothing+like+it", http.StatusOK)
		assert.Empty(t, page.Events)
		assert.NotNil(t, page.Events, "an empty list, not null")
	})

	bad := []struct{ name, path string }{
		{name: "n not a number", path: "/history?n=many"},
		{name: "n zero", path: "/history?n=0"},
		{name: "before not an ID", path: "/history?before=-1"},
		{name: "before and after", path: "/history?before=5&after=1"},
		{name: "empty query", path: "/history/search?q=+"},
		{name: "no query", path: "/history/search"},
		{name: "query too long", path: "/history/search?q=" + strings.Repeat("x", 201)},
	}
	for _, tc := range bad {
		t.Run("400: "+tc.name, func(t *testing.T) {
			res, body := do(t, handler, withCookie(httptest.NewRequest(http.MethodGet, tc.path, nil), "reader"))
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			assert.Contains(t, body, `"error":`)
		})
	}

	t.Run("401 without the login cookie", func(t *testing.T) {
		for _, path := range []string{"/history", "/history/search?q=x"} {
			res, _ := do(t, handler, httptest.NewRequest(http.MethodGet, path, nil))
			assert.Equal(t, http.StatusUnauthorized, res.StatusCode, path)
		}
	})
}

func TestHistoryWithoutStore(t *testing.T) {
	srv, _ := newHandler(t)
	for _, path := range []string{"/history", "/history/search?q=x"} {
		res, body := do(t, srv, withCookie(httptest.NewRequest(http.MethodGet, path, nil), "reader"))
		assert.Equal(t, http.StatusNotFound, res.StatusCode, path)
		assert.Contains(t, body, "no history")
	}
}
