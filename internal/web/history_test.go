package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
		{name: "a room name that breaks the rules", path: "/history?room=%23no+room"},
		{name: "a search in a room name that breaks the rules", path: "/history/search?room=%23%24%24&q=x"},
		{name: "private messages, before not an ID", path: "/history/private?before=x"},
		{name: "private messages, after", path: "/history/private?after=1"},
	}
	for _, tc := range bad {
		t.Run("400: "+tc.name, func(t *testing.T) {
			res, body := do(t, handler, withCookie(httptest.NewRequest(http.MethodGet, tc.path, nil), "reader"))
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			assert.Contains(t, body, `"error":`)
		})
	}

	t.Run("401 without the login cookie", func(t *testing.T) {
		for _, path := range []string{"/history", "/history/search?q=x", "/history/private"} {
			res, _ := do(t, handler, httptest.NewRequest(http.MethodGet, path, nil))
			assert.Equal(t, http.StatusUnauthorized, res.StatusCode, path)
		}
	})
}

func TestHistoryWithoutStore(t *testing.T) {
	srv, _ := newHandler(t)
	for _, path := range []string{"/history", "/history/search?q=x", "/history/private"} {
		res, body := do(t, srv, withCookie(httptest.NewRequest(http.MethodGet, path, nil), "reader"))
		assert.Equal(t, http.StatusNotFound, res.StatusCode, path)
		assert.Contains(t, body, "no history")
	}
}

// TestHistoryOfARoom: room picks the room whose history is read or
// searched, by any spelling of its name, with or without its "#"; without
// it, the default room's.
func TestHistoryOfARoom(t *testing.T) {
	store, err := history.Open(t.Context(), history.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	at := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
	said := func(id uint64, room, text string) *hub.Event {
		return &hub.Event{ID: id, Kind: hub.KindMessage, Time: at, Room: room, Name: "alice", Text: text}
	}
	require.NoError(t, store.Append(t.Context(), []*hub.Event{
		said(1, "#lobby", "hello lobby"),
		said(2, "#Help", "hello help"),
		said(3, "#lobby", "lobby again"),
		said(4, "#help", "help again"),
	}))
	srv := startServerWith(t, web.Config{}, hub.Options{Flood: noFlood, Store: store})

	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/history", []string{"hello lobby", "lobby again"}},
		{"/history?room=%23lobby", []string{"hello lobby", "lobby again"}},
		{"/history?room=%23help", []string{"hello help", "help again"}},
		{"/history?room=%23HELP", []string{"hello help", "help again"}},
		{"/history?room=help", []string{"hello help", "help again"}},
		{"/history?room=%23help&before=4", []string{"hello help"}},
		{"/history?room=%23help&after=2", []string{"help again"}},
		{"/history?room=%23lobby&after=2", []string{"lobby again"}},
		{"/history?room=%23nobody-here", nil},
		{"/history/search?q=HELLO", []string{"hello lobby"}},
		{"/history/search?room=%23help&q=HELLO", []string{"hello help"}},
		{"/history/search?room=%23help&q=again", []string{"help again"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			page := getHistory(t, srv.Server, tc.path, http.StatusOK)
			assert.Equal(t, tc.want, texts(page.Events))
		})
	}

	t.Run("each event says its room", func(t *testing.T) {
		page := getHistory(t, srv.Server, "/history?room=help", http.StatusOK)
		require.Len(t, page.Events, 2)
		assert.Equal(t, "#Help", page.Events[0].Room, "as it was said")
		assert.Equal(t, "#help", page.Events[1].Room)
	})

	t.Run("a bad room name is told why", func(t *testing.T) {
		res, body := do(t, srv.Server, withCookie(httptest.NewRequest(http.MethodGet, "/history?room=%23a+b", nil), "reader"))
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
		assert.Contains(t, body, "room is not a room name: it may only contain")
	})
}

// TestPrivateHistory: GET /history/private gives the private messages the
// caller's own login sent or was sent, and nobody else's.
func TestPrivateHistory(t *testing.T) {
	srv := startWithHistory(t)
	aliceLogin := loginClient(t, srv.URL, "alice")
	alice := dial(t, srv.URL, aliceLogin)
	require.Equal(t, "welcome", alice.next().Type)
	bobLogin := loginClient(t, srv.URL, "bob")
	bob := dial(t, srv.URL, bobLogin)
	require.Equal(t, "welcome", bob.next().Type)
	carolLogin := loginClient(t, srv.URL, "carol")

	alice.say("/msg bob psst, bob", "p1")
	alice.say("in public", "m1")
	alice.say("/msg bob and again", "p2")
	for bob.next().Text != "in public" { // kept, then sent
	}
	for bob.next().Text != "and again" {
	}

	get := func(client *http.Client, path string) historyJSON {
		t.Helper()
		res, err := client.Get(srv.URL + path)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		var page historyJSON
		require.NoError(t, json.NewDecoder(res.Body).Decode(&page))
		return page
	}
	page := get(aliceLogin, "/history/private")
	require.Len(t, page.Events, 2)
	first := page.Events[0]
	assert.Equal(t, "private", first.Type)
	assert.Equal(t, "alice", first.From)
	assert.Equal(t, "bob", first.To)
	assert.Equal(t, "psst, bob", first.Text)
	assert.True(t, first.Own, "alice sent it")
	assert.Regexp(t, rfc3339Millis, first.Time)
	assert.False(t, *page.More)

	page = get(aliceLogin, fmt.Sprintf("/history/private?before=%d", page.Events[1].ID))
	assert.Equal(t, []string{"psst, bob"}, texts(page.Events), "paged back")
	page = get(aliceLogin, "/history/private?n=1")
	assert.Equal(t, []string{"and again"}, texts(page.Events), "the newest")
	assert.True(t, *page.More)

	page = get(bobLogin, "/history/private")
	assert.Equal(t, []string{"psst, bob", "and again"}, texts(page.Events), "bob's too: sent to him")
	assert.False(t, page.Events[0].Own, "bob did not send it")
	assert.Equal(t, "alice", page.Events[0].From)

	assert.Empty(t, get(carolLogin, "/history/private").Events, "carol's login sent and received none")
	res, body := do(t, srv.Server, withCookie(httptest.NewRequest(http.MethodGet, "/history/private", nil), "alice"))
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, `"events":[]`, "the name alone is not alice's login")
}
