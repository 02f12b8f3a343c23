package web_test

// Commands, resuming and several connections of one person, as a client
// that knows only docs/protocol.md sees them.

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/web"
)

// expect reads the next message and checks its type.
func (c *wsClient) expect(typ string) serverMsg {
	c.t.Helper()
	m := c.next()
	require.Equal(c.t, typ, m.Type, "%+v", m)
	return m
}

// replayed reads a replay of kind ("history" or "missed") from its begin to
// its end and returns what was between.
func (c *wsClient) replayed(kind string) []serverMsg {
	c.t.Helper()
	begin := c.expect("replay")
	require.Equal(c.t, "begin", begin.Phase)
	require.Equal(c.t, kind, begin.Kind)
	var got []serverMsg
	for {
		m := c.next()
		if m.Type == "replay" {
			assert.Equal(c.t, "end", m.Phase)
			assert.Equal(c.t, kind, m.Kind)
			return got
		}
		got = append(got, m)
	}
}

// resumeClient dials /ws again as the holder of token, with the ID of the
// last event it saw, and reads the welcome.
func resumeClient(t *testing.T, base string, client *http.Client, token string, after uint64) (*wsClient, serverMsg) {
	t.Helper()
	q := url.Values{"token": {token}}
	if after > 0 {
		q.Set("after", strconv.FormatUint(after, 10))
	}
	c := dialPath(t, base, "/ws?"+q.Encode(), client)
	return c, c.expect("welcome")
}

func texts(msgs []serverMsg) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

func TestWebSocketCommands(t *testing.T) {
	srv := startServer(t, web.Config{})
	alice, _ := connect(t, srv.URL, "alice")
	bob, _ := connect(t, srv.URL, "bob")
	carol, _ := connect(t, srv.URL, "carol")
	alice.expect("joined")
	alice.expect("joined")
	bob.expect("joined")

	t.Run("/me is an action everyone sees", func(t *testing.T) {
		alice.say("/me waves", "a1")
		echo := alice.expect("action")
		assert.Equal(t, "alice", echo.From)
		assert.Equal(t, "waves", echo.Text)
		assert.True(t, echo.Own)
		require.NotNil(t, echo.Ref)
		assert.Equal(t, "a1", *echo.Ref)
		for _, c := range []*wsClient{bob, carol} {
			m := c.expect("action")
			assert.Equal(t, echo.ID, m.ID)
			assert.Equal(t, "waves", m.Text)
			assert.False(t, m.Own)
			assert.Nil(t, m.Ref)
		}
	})

	t.Run("/msg reaches the two of them and nobody else", func(t *testing.T) {
		alice.say("/msg BOB psst, bob", "p1")
		mine := alice.expect("private")
		assert.Equal(t, "alice", mine.From)
		assert.Equal(t, "bob", mine.To, "the name as the room shows it")
		assert.Equal(t, "psst, bob", mine.Text)
		assert.True(t, mine.Own, "alice's side: she sent it")
		assert.Equal(t, "p1", *mine.Ref)

		theirs := bob.expect("private")
		assert.Equal(t, mine.ID, theirs.ID)
		assert.Equal(t, "alice", theirs.From)
		assert.Equal(t, "bob", theirs.To)
		assert.False(t, theirs.Own, "bob's side: he received it")
		assert.Nil(t, theirs.Ref)

		alice.say("in public", "")
		alice.expect("message")
		bob.expect("message")
		assert.Equal(t, "in public", carol.expect("message").Text, "carol's next event is the public one")
	})

	t.Run("/msg to nobody gets a notice for the sender alone", func(t *testing.T) {
		alice.say("/msg zed hello?", "")
		n := alice.expect("notice")
		assert.Zero(t, n.ID, "notices for one connection have no ID")
		assert.Contains(t, n.Text, "Nobody called zed is here.")
	})

	t.Run("/help and an unknown command answer with notices", func(t *testing.T) {
		alice.say("/help", "")
		help := alice.expect("notice")
		assert.Zero(t, help.ID)
		assert.Contains(t, help.Text, "\n/msg NAME TEXT", "one command per line")
		assert.Contains(t, help.Text, "//text")

		alice.say("/frobnicate now", "")
		hint := alice.expect("notice")
		assert.Contains(t, hint.Text, "Unknown command /frobnicate")
		assert.Contains(t, hint.Text, "/help")
	})

	t.Run("/who lists everyone with transport", func(t *testing.T) {
		alice.say("/who", "")
		who := alice.expect("notice")
		assert.Contains(t, who.Text, "3 in #lobby:")
		assert.Contains(t, who.Text, "bob (web")
	})

	t.Run("// sends a line that starts with /", func(t *testing.T) {
		alice.say("//usr/bin is a directory", "s1")
		assert.Equal(t, "/usr/bin is a directory", alice.expect("message").Text)
		assert.Equal(t, "/usr/bin is a directory", bob.expect("message").Text)
		assert.Equal(t, "/usr/bin is a directory", carol.expect("message").Text)
	})

	t.Run("/away shows in the user list; speaking brings you back", func(t *testing.T) {
		bob.say("/away lunch", "")
		for _, c := range []*wsClient{alice, bob, carol} {
			m := c.expect("away")
			assert.Equal(t, "bob", m.Name)
			assert.True(t, m.Away)
			assert.Equal(t, "lunch", m.Reason)
		}
		dora, w := connect(t, srv.URL, "dora")
		var bobs []bool
		for _, m := range w.Members {
			if m.Name == "bob" {
				bobs = append(bobs, m.Away)
				assert.Equal(t, "lunch", m.AwayReason)
			}
		}
		assert.Equal(t, []bool{true}, bobs, "a newcomer's list shows bob away")
		dora.replayed("history")

		bob.say("back from lunch", "")
		for _, c := range []*wsClient{alice, carol, dora} {
			back := c.nextOf("away")
			assert.Equal(t, "bob", back.Name)
			assert.False(t, back.Away)
			assert.Equal(t, "back from lunch", c.expect("message").Text)
		}
		bob.nextOf("away")
		bob.expect("message")
	})

	t.Run("/back when not away is a notice", func(t *testing.T) {
		carol.say("/back", "")
		assert.Contains(t, carol.expect("notice").Text, "You are not away.")
	})

	t.Run("/nick renames, and everyone is told", func(t *testing.T) {
		carol.say("/nick caroline", "")
		for _, c := range []*wsClient{alice, bob, carol} {
			m := c.nextOf("renamed")
			assert.Equal(t, "carol", m.Name)
			assert.Equal(t, "caroline", m.NewName)
			assert.NotZero(t, m.ID)
		}
		carol.say("/nick bob", "")
		assert.Contains(t, carol.expect("notice").Text, "Name taken")
		carol.say("hi as caroline", "")
		assert.Equal(t, "caroline", alice.expect("message").From)
	})
}

func TestWebSocketResume(t *testing.T) {
	srv := startServer(t, web.Config{})
	aliceHTTP := loginClient(t, srv.URL, "alice")
	alice := dial(t, srv.URL, aliceHTTP)
	welcome := alice.expect("welcome")
	token := welcome.Token
	bob, _ := connect(t, srv.URL, "bob")
	alice.expect("joined")

	bob.say("one", "")
	seen := alice.expect("message")
	bob.expect("message")

	// The network drops: no close frame. Meanwhile bob carries on.
	require.NoError(t, alice.conn.CloseNow())
	bob.say("two", "")
	bob.say("three", "")
	bob.expect("message")
	last := bob.expect("message")

	again, w := resumeClient(t, srv.URL, aliceHTTP, token, seen.ID)
	assert.True(t, w.Resumed, "the same person, resumed")
	assert.Equal(t, "alice", w.You)
	assert.Equal(t, token, w.Token)
	assert.Len(t, w.Members, 2)
	missed := again.replayed("missed")
	assert.Equal(t, []string{"two", "three"}, texts(missed), "exactly what was missed: no gap, no repeat of one")
	assert.Equal(t, last.ID, missed[1].ID)

	again.say("I'm back", "r")
	assert.Equal(t, "I'm back", again.expect("message").Text)
	m := bob.next()
	assert.Equal(t, "message", m.Type, "bob saw alice neither leave nor join: %+v", m)
	assert.Equal(t, "I'm back", m.Text)

	t.Run("nothing missed: no replay at all", func(t *testing.T) {
		require.NoError(t, again.conn.Close(websocket.StatusNormalClosure, ""))
		third, w := resumeClient(t, srv.URL, aliceHTTP, token, m.ID)
		assert.True(t, w.Resumed)
		bob.say("live", "")
		assert.Equal(t, "live", third.expect("message").Text)
		bob.expect("message")
	})

	t.Run("an unknown token joins afresh under the cookie's name", func(t *testing.T) {
		carol, w := resumeClient(t, srv.URL, loginClient(t, srv.URL, "carol"), "nosuchtoken0000", 3)
		assert.False(t, w.Resumed, "tells the page to start a new view")
		assert.Equal(t, "carol", w.You)
		assert.NotEqual(t, "nosuchtoken0000", w.Token)
		assert.Equal(t, "carol", bob.expect("joined").Name, "a new person: everyone sees the join")
		carol.replayed("history")
	})
}

func TestWebSocketGrace(t *testing.T) {
	srv := startServerWith(t, web.Config{}, hub.Options{Flood: noFlood, Grace: 200 * time.Millisecond})
	aliceHTTP := loginClient(t, srv.URL, "alice")
	alice := dial(t, srv.URL, aliceHTTP)
	token := alice.expect("welcome").Token
	bob, _ := connect(t, srv.URL, "bob")
	alice.expect("joined")

	t.Run("two connections are one person", func(t *testing.T) {
		bob.say("before the second tab", "")
		alice.expect("message")
		bob.expect("message")

		tab2, w := resumeClient(t, srv.URL, aliceHTTP, token, 0)
		assert.True(t, w.Resumed)
		require.Len(t, w.Members, 2, "alice is in the list once")
		assert.Equal(t, "alice", w.Members[0].Name)
		assert.Equal(t, []string{"before the second tab"}, texts(tab2.replayed("history")), "a new tab starts with the recent history")

		alice.say("from tab one", "t1")
		one := alice.expect("message")
		assert.True(t, one.Own)
		assert.Equal(t, "t1", *one.Ref)
		two := tab2.expect("message")
		assert.Equal(t, one.ID, two.ID)
		assert.True(t, two.Own, "the other tab shows it as its own")
		assert.Nil(t, two.Ref, "the ref is the sending tab's business")
		theirs := bob.expect("message")
		assert.False(t, theirs.Own)
		assert.Equal(t, "from tab one", theirs.Text, "bob saw no join for the second tab")

		// The first tab closes; the person stays.
		require.NoError(t, alice.conn.Close(websocket.StatusNormalClosure, ""))
		tab2.say("still here", "")
		tab2.expect("message")
		m := bob.expect("message")
		assert.Equal(t, "still here", m.Text, "and no departure either")

		// The last tab closes: after the grace period, alice leaves.
		require.NoError(t, tab2.conn.Close(websocket.StatusNormalClosure, ""))
		left := bob.expect("left")
		assert.Equal(t, "alice", left.Name)
		assert.Equal(t, "quit", left.Reason)
	})

	t.Run("after the grace period the token is spent", func(t *testing.T) {
		again, w := resumeClient(t, srv.URL, aliceHTTP, token, 1)
		assert.False(t, w.Resumed)
		assert.Equal(t, "alice", w.You, "joined afresh by the cookie's name")
		assert.NotEqual(t, token, w.Token)
		assert.Equal(t, "alice", bob.expect("joined").Name)
		again.replayed("history")
	})

	t.Run("/quit ends every connection of the person", func(t *testing.T) {
		dora := loginClient(t, srv.URL, "dora")
		one := dial(t, srv.URL, dora)
		tok := one.expect("welcome").Token
		one.replayed("history")
		two, _ := resumeClient(t, srv.URL, dora, tok, 0)
		two.replayed("history")
		bob.expect("joined")

		two.say("/quit", "")
		one.expectClose(websocket.StatusNormalClosure)
		two.expectClose(websocket.StatusNormalClosure)
		assert.Equal(t, "dora", bob.expect("left").Name, "at once, not after the grace period")
	})
}
