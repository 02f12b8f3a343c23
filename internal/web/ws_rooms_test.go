package web_test

// Rooms over the WebSocket and HTTP, as docs/protocol.md describes them: a
// client written from the document alone.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/web"
)

// roomRequest is a join or a part.
type roomRequest struct {
	Type   string `json:"type"`
	Room   string `json:"room"`
	Reason string `json:"reason,omitempty"`
	Ref    string `json:"ref,omitempty"`
}

// sayInMsg is a say with a room.
type sayInMsg struct {
	Type string `json:"type"`
	Text string `json:"text"`
	Room string `json:"room"`
	Ref  string `json:"ref,omitempty"`
}

// getJSON gets path with client and decodes the answer into v, returning
// the status.
func getJSON(t *testing.T, client *http.Client, base, path string, v any) int {
	t.Helper()
	res, err := client.Get(base + path)
	require.NoError(t, err)
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK {
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		require.NoError(t, json.NewDecoder(res.Body).Decode(v))
	}
	return res.StatusCode
}

type roomsPage struct {
	Rooms []struct {
		Name        string `json:"name"`
		Topic       string `json:"topic"`
		MemberCount int    `json:"memberCount"`
	} `json:"rooms"`
}

type rosterJSON struct {
	AsOf    uint64 `json:"asOf"`
	Count   int    `json:"count"`
	Members []struct {
		Name string `json:"name"`
	} `json:"members"`
}

func (p rosterJSON) names() []string {
	var out []string
	for _, m := range p.Members {
		out = append(out, m.Name)
	}
	return out
}

func TestWebSocketRooms(t *testing.T) {
	srv := startServer(t, web.Config{})
	aliceHTTP := loginClient(t, srv.URL, "alice")
	alice := dial(t, srv.URL, aliceHTTP)
	w := alice.expect("welcome")
	assert.Equal(t, "#lobby", w.Room, "the default room")
	assert.Equal(t, []string{"#lobby"}, w.Rooms, "a fresh join is in the default room")
	bob, _ := connect(t, srv.URL, "bob")
	joined := alice.expect("joined")
	assert.Equal(t, "#lobby", joined.Room, "arriving is joining the default room")

	// join: the joiner's room message; everyone in the room sees the join.
	alice.send(roomRequest{Type: "join", Room: "help"})
	room := alice.expect("room")
	assert.Equal(t, "#help", room.Room, "given its #")
	assert.Equal(t, 1, room.MemberCount)
	require.Len(t, room.Members, 1)
	assert.Equal(t, "alice", room.Members[0].Name)
	assert.Positive(t, room.MembersAsOf)

	bob.send(roomRequest{Type: "join", Room: "#HELP"})
	room = bob.expect("room")
	assert.Equal(t, "#help", room.Room, "one room by any case of its name")
	assert.Equal(t, 2, room.MemberCount)
	joined = alice.expect("joined")
	assert.Equal(t, "#help", joined.Room)
	assert.Equal(t, "bob", joined.Name)

	// say: in the room named, or without one in the default room.
	bob.send(sayInMsg{Type: "say", Text: "hi help", Room: "#help", Ref: "r1"})
	m := bob.expect("message")
	assert.Equal(t, "#help", m.Room)
	require.NotNil(t, m.Ref)
	assert.Equal(t, "r1", *m.Ref)
	m = alice.expect("message")
	assert.Equal(t, "#help", m.Room)
	assert.Equal(t, "hi help", m.Text)
	bob.say("hi lobby", "")
	bob.expect("message")
	m = alice.expect("message")
	assert.Equal(t, "#lobby", m.Room)

	// A room that cannot be one is refused, and nothing is said.
	alice.send(sayInMsg{Type: "say", Text: "lost?", Room: "#a b", Ref: "r9"})
	e := alice.expect("error")
	assert.Equal(t, "bad_room", e.Code)
	require.NotNil(t, e.Ref)
	assert.Equal(t, "r9", *e.Ref)
	alice.send(roomRequest{Type: "join", Room: "<b>"})
	assert.Equal(t, "bad_room", alice.expect("error").Code)
	alice.send(map[string]string{"type": "part"})
	assert.Equal(t, "bad_request", alice.expect("error").Code, "part names its room")

	// topic: to everyone in the room, the setter too.
	bob.send(sayInMsg{Type: "say", Text: "/topic Ask anything", Room: "#help"})
	for _, c := range []*wsClient{alice, bob} {
		topic := c.expect("topic")
		assert.Equal(t, "#help", topic.Room)
		assert.Equal(t, "bob", topic.Name)
		assert.Equal(t, "Ask anything", topic.Text)
		assert.Positive(t, topic.ID)
	}

	t.Run("GET /rooms lists them", func(t *testing.T) {
		var page roomsPage
		require.Equal(t, http.StatusOK, getJSON(t, aliceHTTP, srv.URL, "/rooms", &page))
		got := map[string]string{}
		for _, r := range page.Rooms {
			got[r.Name] = fmt.Sprintf("%s|%d", r.Topic, r.MemberCount)
		}
		assert.Equal(t, map[string]string{"#lobby": "|2", "#help": "Ask anything|2"}, got)
		assert.Equal(t, http.StatusUnauthorized, getJSON(t, http.DefaultClient, srv.URL, "/rooms", &page))
	})

	t.Run("GET /roster?room= lists a room", func(t *testing.T) {
		var page rosterJSON
		require.Equal(t, http.StatusOK, getJSON(t, aliceHTTP, srv.URL, "/roster?"+url.Values{"room": {"#help"}}.Encode(), &page))
		assert.Equal(t, 2, page.Count)
		assert.Equal(t, []string{"alice", "bob"}, page.names())
		require.Equal(t, http.StatusOK, getJSON(t, aliceHTTP, srv.URL, "/roster?room=%23nowhere", &page))
		assert.Zero(t, page.Count, "nobody is in a room that does not exist")
		assert.Empty(t, page.Members)
		assert.Equal(t, http.StatusBadRequest, getJSON(t, aliceHTTP, srv.URL, "/roster?room=%3Cb%3E", &page))
	})

	t.Run("another tab is in every room", func(t *testing.T) {
		tab, w := resumeClient(t, srv.URL, aliceHTTP, w.Token, 0)
		assert.True(t, w.Resumed)
		assert.ElementsMatch(t, []string{"#lobby", "#help"}, w.Rooms)
		_ = tab
	})

	// part: everyone in the room, the leaver too, gets left with the room.
	bob.send(roomRequest{Type: "part", Room: "#help", Reason: "see you\nlater"})
	for _, c := range []*wsClient{bob, alice} {
		left := c.expect("left")
		assert.Equal(t, "#help", left.Room)
		assert.Equal(t, "bob", left.Name)
		assert.Equal(t, "part", left.Reason)
		assert.Equal(t, "see you later", left.Text, "one line")
	}
}

// TestChatPageOfARoom: a room's URL and a private conversation's serve the
// chat, named for its first paint; a name that cannot be one is not found.
func TestChatPageOfARoom(t *testing.T) {
	srv, _ := newHandler(t)
	for path, want := range map[string]string{
		"/chat":        `data-testid="room-title">#lobby<`,
		"/r/help":      `data-testid="room-title">#help<`,
		"/r/%23help":   `data-testid="room-title">#help<`,
		"/r/Caf%C3%A9": `data-testid="room-title">#Café<`,
		"/p/bob":       `data-testid="room-title">bob<`,
	} {
		res, body := do(t, srv, withCookie(httptest.NewRequest(http.MethodGet, path, nil), "alice"))
		assert.Equal(t, http.StatusOK, res.StatusCode, path)
		assert.Contains(t, body, want, path)
	}
	res, _ := do(t, srv, withCookie(httptest.NewRequest(http.MethodGet, "/r/a%20b", nil), "alice"))
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	res, _ = do(t, srv, httptest.NewRequest(http.MethodGet, "/r/help", nil))
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "the login form first")
}
