package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/natstest"
)

// TestThreeNodesAreOneChat runs three real anseo nodes linked by a real
// NATS server, as docs/scaling.md has a new user try it: telnet users on two
// and a browser user on the third chat as if on one server, a name held on
// one is refused on another, the chat goes on across a NATS restart, and a
// node that stops takes its users with it, announced.
func TestThreeNodesAreOneChat(t *testing.T) {
	nats := natstest.Start(t)
	n1 := startAnseo(t, "-nats-url", nats.URL(), "-node-name", "n1")
	n2 := startAnseo(t, "-nats-url", nats.URL(), "-node-name", "n2", "-grace", "300ms")
	n3 := startAnseo(t, "-nats-url", nats.URL(), "-node-name", "n3")
	browser := browsertest.Shared(t) // skips, or fails under CI=true, without Chromium

	for _, n := range []*anseo{n1, n2, n3} {
		require.Eventually(t, func() bool {
			resp, err := http.Get("http://" + n.httpAddr + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}, 10*time.Second, 10*time.Millisecond, "a node is ready once it has caught up with the cluster")
	}

	bob := linetest.Dial(t, n1.telnetAddr, "bob")
	bob.Login("bob")
	alice := browser.NewTab(t, "http://"+n2.httpAddr)
	alice.Login("alice")
	alice.WaitMember("bob", true)
	bob.Expect("alice has joined the channel.")

	alice.Say("hello from node two")
	alice.WaitDelivered("hello from node two")
	bob.Expect("<alice> hello from node two")
	bob.Send("hello from node one")
	alice.WaitMessage("bob", "hello from node one")

	// A name held on one node is taken on another, in any letter case.
	carol := linetest.Dial(t, n3.telnetAddr, "carol")
	carol.Expect("What's your name?")
	carol.Send("ALICE")
	carol.Expect("Name taken, please choose another.")
	carol.Send("carol")
	carol.Expect("Welcome, carol!")
	alice.WaitMember("carol", true)
	bob.Expect("carol has joined the channel.")
	carol.Send("hello from node three")
	alice.WaitMessage("carol", "hello from node three")
	bob.Expect("<carol> hello from node three")

	// NATS restarts; the nodes reconnect and the chat goes on.
	nats.Restart()
	bob.Send("still here")
	alice.WaitMessage("bob", "still here")
	carol.Expect("<bob> still here")

	// Each node counts what it published and received.
	_, body := get(t, http.DefaultClient, "http://"+n2.httpAddr+"/metrics")
	assert.GreaterOrEqual(t, metric(body, "anseo_cluster_published_total"), 1.0, "alice's join, at least")
	assert.GreaterOrEqual(t, metric(body, "anseo_cluster_received_total"), 6.0, "three joins and four messages, all but the last counted for sure")
	assert.Equal(t, 1.0, metric(body, "anseo_cluster_names"), "alice")

	// A node that stops announces its users' departure everywhere.
	require.NoError(t, n1.stop())
	alice.WaitMember("bob", false)
	carol.Expect("bob has left the channel.")
	if p := alice.Problems(); len(p) > 0 {
		t.Errorf("browser problems: %q", p)
	}
}

// wsUser is a WebSocket client speaking docs/protocol.md, as a browser page
// does, without the browser.
type wsUser struct {
	t      *testing.T
	cookie *http.Cookie
	conn   *websocket.Conn
	token  string
	unread []map[string]any // the rest of a batched frame
}

// wsLogin posts the login form to base and keeps the name cookie.
func wsLogin(t *testing.T, base, name string) *wsUser {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(base+"/login", url.Values{"name": {name}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.NotEmpty(t, res.Cookies())
	return &wsUser{t: t, cookie: res.Cookies()[0]}
}

// connect opens the WebSocket at base (with query, to resume) and returns
// the welcome message.
func (u *wsUser) connect(base, query string) map[string]any {
	u.t.Helper()
	h := http.Header{}
	h.Add("Cookie", u.cookie.String())
	c, _, err := websocket.Dial(u.t.Context(), "ws"+strings.TrimPrefix(base, "http")+"/ws"+query, &websocket.DialOptions{HTTPHeader: h})
	require.NoError(u.t, err)
	c.SetReadLimit(128 << 10) // frames are at most 64 KiB (docs/protocol.md); the library's default is half that
	u.conn, u.unread = c, nil
	welcome := u.next(func(m map[string]any) bool { return m["type"] == "welcome" })
	u.token = welcome["token"].(string)
	return welcome
}

// next returns the first message that matches, reading batched frames
// (JSON arrays) one message at a time.
func (u *wsUser) next(match func(map[string]any) bool) map[string]any {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.t.Context(), 10*time.Second)
	defer cancel()
	for {
		for len(u.unread) > 0 {
			m := u.unread[0]
			u.unread = u.unread[1:]
			if match(m) {
				return m
			}
		}
		_, data, err := u.conn.Read(ctx)
		require.NoError(u.t, err)
		if json.Unmarshal(data, &u.unread) != nil {
			var one map[string]any
			require.NoError(u.t, json.Unmarshal(data, &one))
			u.unread = []map[string]any{one}
		}
	}
}

func wsMessage(text string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["type"] == "message" && m["text"] == text }
}

// TestAWebUserResumesOnAnotherNode: a page whose connection drops and comes
// back through another node (the load balancer chose differently) keeps its
// name and gets exactly what it missed; the room sees nothing.
func TestAWebUserResumesOnAnotherNode(t *testing.T) {
	nats := natstest.Start(t)
	n1 := startAnseo(t, "-nats-url", nats.URL(), "-node-name", "n1")
	n2 := startAnseo(t, "-nats-url", nats.URL(), "-node-name", "n2")
	bob := linetest.Dial(t, n1.telnetAddr, "bob")
	bob.Login("bob")

	alice := wsLogin(t, "http://"+n1.httpAddr, "alice")
	alice.connect("http://"+n1.httpAddr, "")
	bob.Expect("alice has joined the channel.")
	bob.Send("one")
	seen := alice.next(wsMessage("one"))
	alice.conn.CloseNow() // the network drops
	bob.Send("two")
	bob.Send("three")

	query := fmt.Sprintf("?token=%s&after=%.0f", alice.token, seen["id"].(float64))
	welcome := alice.connect("http://"+n2.httpAddr, query)
	assert.Equal(t, true, welcome["resumed"], "the same person, on another node")
	assert.Equal(t, "alice", welcome["you"])
	alice.next(wsMessage("two"))
	alice.next(wsMessage("three"))

	require.NoError(t, alice.conn.Write(t.Context(), websocket.MessageText, []byte(`{"type":"say","text":"back"}`)))
	bob.Expect("<alice> back") // and no departure or arrival before it
	alice.conn.Close(websocket.StatusNormalClosure, "")
}
