package web_test

// These tests are a client written from docs/protocol.md alone: they log in
// with POST /login, dial /ws with the cookie, and speak the JSON it
// describes. They import nothing from the server's side but what starts it.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/web"
)

// wait bounds every read: a message the server owes arrives in milliseconds.
const wait = 5 * time.Second

// serverMsg is any server message, with every field of docs/protocol.md §3.
type serverMsg struct {
	Type         string `json:"type"`
	You          string `json:"you"`
	Token        string `json:"token"`
	Resumed      bool   `json:"resumed"`
	History      bool   `json:"history"`
	MaxTextBytes int    `json:"maxTextBytes"`
	MaxTextLines int    `json:"maxTextLines"`
	Members      []struct {
		Name       string `json:"name"`
		Transport  string `json:"transport"`
		Since      string `json:"since"`
		Away       bool   `json:"away"`
		AwayReason string `json:"awayReason"`
		LastActive string `json:"lastActive"`
		Registered bool   `json:"registered"`
		Operator   bool   `json:"operator"`
		RoomOp     bool   `json:"roomOp"`
	} `json:"members"`
	MemberCount int      `json:"memberCount"`
	MembersAsOf uint64   `json:"membersAsOf"`
	Room        string   `json:"room"`
	Rooms       []string `json:"rooms"`
	Topic       string   `json:"topic"`
	ID          uint64   `json:"id"`
	Time        string   `json:"time"`
	Name        string   `json:"name"`
	Transport   string   `json:"transport"`
	Reason      string   `json:"reason"`
	From        string   `json:"from"`
	To          string   `json:"to"`
	Text        string   `json:"text"`
	Mentions    []string `json:"mentions"`
	Own         bool     `json:"own"`
	Ref         *string  `json:"ref"`
	NewName     string   `json:"newName"`
	Away        bool     `json:"away"`
	Phase       string   `json:"phase"`
	Kind        string   `json:"kind"`
	Code        string   `json:"code"`
	// Registered names and moderation.
	Registered bool        `json:"registered"`
	Operator   bool        `json:"operator"`
	Removed    bool        `json:"removed"`
	Action     string      `json:"action"`
	Target     string      `json:"target"`
	Message    uint64      `json:"message"`
	Until      string      `json:"until"`
	Says       string      `json:"says"`
	Request    string      `json:"request"`
	People     []serverMsg `json:"people"` // of a joins message
}

type sayMsg struct {
	Type string `json:"type"`
	Text string `json:"text"`
	Ref  string `json:"ref,omitempty"`
}

// rfc3339Millis is the protocol's time format: UTC with milliseconds.
const rfc3339Millis = `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`

// loginClient posts the login form and returns an HTTP client whose cookie
// jar holds the name cookie.
func loginClient(t *testing.T, base, name string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := client.PostForm(base+"/login", url.Values{"name": {name}})
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "login as %q", name)
	return client
}

type wsClient struct {
	t       *testing.T
	conn    *websocket.Conn
	pending []serverMsg // the rest of a batched frame
}

// dial opens /ws with client's cookies (none if client is nil).
func dial(t *testing.T, base string, client *http.Client) *wsClient {
	t.Helper()
	return dialPath(t, base, "/ws", client)
}

// dialPath opens the WebSocket at path, such as "/ws?token=…&after=12".
func dialPath(t *testing.T, base, path string, client *http.Client) *wsClient {
	t.Helper()
	if client == nil {
		client = &http.Client{}
	}
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+path, &websocket.DialOptions{HTTPClient: client})
	require.NoError(t, err)
	if res.Body != nil {
		_ = res.Body.Close()
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	return &wsClient{t: t, conn: conn}
}

// connect logs in as name, dials and reads the welcome.
func connect(t *testing.T, base, name string) (*wsClient, serverMsg) {
	t.Helper()
	c := dial(t, base, loginClient(t, base, name))
	w := c.next()
	require.Equal(t, "welcome", w.Type, "the welcome comes first")
	return c, w
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	data, err := json.Marshal(v)
	require.NoError(c.t, err)
	c.sendRaw(websocket.MessageText, data)
}

func (c *wsClient) sendRaw(typ websocket.MessageType, data []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), wait)
	defer cancel()
	require.NoError(c.t, c.conn.Write(ctx, typ, data))
}

func (c *wsClient) say(text, ref string) { c.send(sayMsg{Type: "say", Text: text, Ref: ref}) }

// next reads the next message, failing the test if none comes in time. A
// joins message is read as the page reads it: a joined for each person.
func (c *wsClient) next() serverMsg {
	c.t.Helper()
	m := c.nextMessage()
	if m.Type != "joins" {
		return m
	}
	require.NotEmpty(c.t, m.People, "joins of nobody")
	people := make([]serverMsg, len(m.People))
	for i, p := range m.People {
		p.Type, p.Time, p.Room = "joined", m.Time, m.Room
		people[i] = p
	}
	c.pending = append(people[1:], c.pending...)
	return people[0]
}

// nextMessage reads the next message as the server sent it.
func (c *wsClient) nextMessage() serverMsg {
	c.t.Helper()
	if len(c.pending) > 0 {
		m := c.pending[0]
		c.pending = c.pending[1:]
		return m
	}
	ctx, cancel := context.WithTimeout(c.t.Context(), wait)
	defer cancel()
	typ, data, err := c.conn.Read(ctx)
	require.NoError(c.t, err)
	require.Equal(c.t, websocket.MessageText, typ)
	if len(data) > 0 && data[0] == '[' { // a batch: its messages in order
		require.NoError(c.t, json.Unmarshal(data, &c.pending), "%s", data)
		require.NotEmpty(c.t, c.pending, "an empty batch")
		return c.nextMessage()
	}
	var m serverMsg
	require.NoError(c.t, json.Unmarshal(data, &m), "%s", data)
	return m
}

// nextOf reads until a message of type typ, skipping joins and departures
// other tests' timing may interleave.
func (c *wsClient) nextOf(typ string) serverMsg {
	c.t.Helper()
	for {
		m := c.next()
		if m.Type == typ {
			return m
		}
		if m.Type != "joined" && m.Type != "left" {
			c.t.Fatalf("want %s, got %+v", typ, m)
		}
	}
}

// expectClose reads until the server closes the connection and checks the code.
func (c *wsClient) expectClose(code websocket.StatusCode) websocket.CloseError {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), wait)
	defer cancel()
	for {
		_, data, err := c.conn.Read(ctx)
		if err == nil {
			c.t.Logf("before the close: %s", data)
			continue
		}
		var ce websocket.CloseError
		require.True(c.t, errors.As(err, &ce), "want close %d, got %v", code, err)
		assert.Equal(c.t, code, ce.Code, "close reason %q", ce.Reason)
		return ce
	}
}

func TestWebSocketChat(t *testing.T) {
	srv := startServer(t, web.Config{})
	bob := join(t, srv.Hub, "bob", hub.TransportTelnet)

	alice, welcome := connect(t, srv.URL, "alice")
	assert.Equal(t, "alice", welcome.You)
	assert.Equal(t, 4096, welcome.MaxTextBytes)
	assert.Equal(t, 50, welcome.MaxTextLines)
	assert.Len(t, welcome.Token, 16, "the person's secret, for resuming")
	assert.False(t, welcome.Resumed, "a fresh join")
	assert.False(t, welcome.History, "this hub keeps no history")
	assert.Regexp(t, rfc3339Millis, welcome.Time)
	require.Len(t, welcome.Members, 2, "everyone, in joining order, alice included")
	assert.Equal(t, "bob", welcome.Members[0].Name)
	assert.Equal(t, "telnet", welcome.Members[0].Transport)
	assert.Equal(t, "alice", welcome.Members[1].Name)
	assert.Equal(t, "web", welcome.Members[1].Transport)
	assert.Regexp(t, rfc3339Millis, welcome.Members[1].Since)
	assert.Regexp(t, rfc3339Millis, welcome.Members[1].LastActive)
	assert.False(t, welcome.Members[1].Away)

	carol, welcome := connect(t, srv.URL, "carol")
	require.Len(t, welcome.Members, 3)

	joined := alice.next()
	assert.Equal(t, "joined", joined.Type)
	assert.Equal(t, "carol", joined.Name)
	assert.Equal(t, "web", joined.Transport)
	assert.Regexp(t, rfc3339Millis, joined.Time)

	t.Run("a message reaches everyone, and its echo acknowledges it by ref", func(t *testing.T) {
		alice.say("hi carol <b>&</b>", "r1")

		echo := alice.next()
		assert.Equal(t, "message", echo.Type)
		assert.Equal(t, "alice", echo.From)
		assert.Equal(t, "hi carol <b>&</b>", echo.Text)
		require.NotNil(t, echo.Ref, "the sender's own copy carries its ref")
		assert.Equal(t, "r1", *echo.Ref)
		assert.True(t, echo.Own, "alice's own")
		assert.Regexp(t, rfc3339Millis, echo.Time)
		assert.Greater(t, echo.ID, joined.ID, "ids increase")

		got := carol.next()
		assert.Equal(t, "message", got.Type)
		assert.Equal(t, echo.ID, got.ID, "one event, one id for everyone")
		assert.Equal(t, "alice", got.From)
		assert.Equal(t, "hi carol <b>&</b>", got.Text)
		assert.Nil(t, got.Ref, "nobody else sees the ref")
		assert.False(t, got.Own, "for carol it is alice's")
	})

	t.Run("a telnet user's line arrives as a message", func(t *testing.T) {
		require.NoError(t, bob.Say(t.Context(), "hello from telnet", ""))
		for _, c := range []*wsClient{alice, carol} {
			m := c.next()
			assert.Equal(t, "message", m.Type)
			assert.Equal(t, "bob", m.From)
			assert.Equal(t, "hello from telnet", m.Text)
			assert.Nil(t, m.Ref)
		}
	})

	t.Run("a message says whom it names", func(t *testing.T) {
		require.NoError(t, bob.Say(t.Context(), "thanks ALICE, and @Carol.", ""))
		for _, c := range []*wsClient{alice, carol} {
			m := c.next()
			assert.Equal(t, []string{"alice", "carol"}, m.Mentions, "as names compare, by the names the room lists")
		}
		require.NoError(t, bob.Say(t.Context(), "nobody named", ""))
		assert.Nil(t, alice.next().Mentions)
		carol.next()
	})

	t.Run("control characters are removed before anyone sees them", func(t *testing.T) {
		alice.say("red\x1b[31m alert\r\n", "r2")
		echo := alice.next()
		assert.Equal(t, "red alert", echo.Text)
		assert.Equal(t, "r2", *echo.Ref)
		assert.Equal(t, "red alert", carol.next().Text)
	})

	t.Run("blank text is dropped without an answer", func(t *testing.T) {
		alice.say("", "e1")
		alice.say(" \t ", "e2")
		alice.say("after the blanks", "e3")
		echo := alice.next()
		assert.Equal(t, "after the blanks", echo.Text, "nothing came of the blank ones")
		assert.Equal(t, "e3", *echo.Ref)
		assert.Equal(t, "after the blanks", carol.next().Text)
	})

	t.Run("/quit leaves the room at once, with parting words", func(t *testing.T) {
		carol.say("/quit see you tomorrow", "")
		ce := carol.expectClose(websocket.StatusNormalClosure)
		assert.Equal(t, "bye", ce.Reason)
		left := alice.next()
		assert.Equal(t, "left", left.Type)
		assert.Equal(t, "carol", left.Name)
		assert.Equal(t, "quit", left.Reason)
		assert.Equal(t, "see you tomorrow", left.Text)
		assert.Regexp(t, rfc3339Millis, left.Time)

		// The name is free again.
		_, welcome := connect(t, srv.URL, "carol")
		assert.Equal(t, "carol", welcome.You)
	})
}

func TestWebSocketLimits(t *testing.T) {
	srv := startServer(t, web.Config{})
	alice, _ := connect(t, srv.URL, "alice")

	t.Run("text of exactly the limit is sent", func(t *testing.T) {
		text := strings.Repeat("é", 2048) // 4096 bytes
		alice.say(text, "max")
		echo := alice.next()
		assert.Equal(t, "message", echo.Type)
		assert.Equal(t, text, echo.Text)
	})

	t.Run("too long text gets an error and the connection stays", func(t *testing.T) {
		alice.say(strings.Repeat("x", 4097), "long")
		e := alice.next()
		assert.Equal(t, "error", e.Type)
		assert.Equal(t, "too_long", e.Code)
		assert.Contains(t, e.Text, "4096")
		require.NotNil(t, e.Ref)
		assert.Equal(t, "long", *e.Ref)

		alice.say("still here", "r")
		assert.Equal(t, "still here", alice.next().Text)
	})

	t.Run("a message keeps its lines", func(t *testing.T) {
		text := "line one\n  indented two\n\nfour"
		alice.say(text, "lines")
		assert.Equal(t, text, alice.next().Text)
	})

	t.Run("more lines than the limit get an error and the connection stays", func(t *testing.T) {
		alice.say(strings.Repeat("x\n", 50)+"fifty-one", "tall")
		e := alice.next()
		assert.Equal(t, "error", e.Type)
		assert.Equal(t, "too_long", e.Code)
		assert.Contains(t, e.Text, "50 lines")
		require.NotNil(t, e.Ref)
		assert.Equal(t, "tall", *e.Ref)

		alice.say(strings.Repeat("x\n", 49)+"fifty", "r")
		assert.Equal(t, 50, strings.Count(alice.next().Text, "x")+1)
	})

	errs := []struct {
		name, send, code string
	}{
		{name: "not JSON", send: `hello`, code: "bad_request"},
		{name: "no type", send: `{"text":"hi"}`, code: "bad_request"},
		{name: "type not a string", send: `{"type":1}`, code: "bad_request"},
		{name: "say without text", send: `{"type":"say"}`, code: "bad_request"},
		{name: "ref over 64 bytes", send: `{"type":"say","text":"hi","ref":"` + strings.Repeat("r", 65) + `"}`, code: "bad_request"},
		{name: "unknown type", send: `{"type":"shout","text":"HI"}`, code: "unknown_type"},
	}
	for _, tc := range errs {
		t.Run("error "+tc.code+": "+tc.name, func(t *testing.T) {
			alice.sendRaw(websocket.MessageText, []byte(tc.send))
			e := alice.next()
			assert.Equal(t, "error", e.Type)
			assert.Equal(t, tc.code, e.Code)
			assert.NotEmpty(t, e.Text)
		})
	}

	t.Run("unknown fields are ignored", func(t *testing.T) {
		alice.sendRaw(websocket.MessageText, []byte(`{"type":"say","text":"extra","ref":"x","colour":"red"}`))
		assert.Equal(t, "extra", alice.next().Text)
	})

	t.Run("a binary message closes with 1003", func(t *testing.T) {
		c, _ := connect(t, srv.URL, "binary")
		c.sendRaw(websocket.MessageBinary, []byte("hi"))
		c.expectClose(websocket.StatusUnsupportedData)
	})

	t.Run("a message over 16 KiB closes with 1009", func(t *testing.T) {
		c, _ := connect(t, srv.URL, "big")
		c.say(strings.Repeat("x", 16<<10), "big")
		c.expectClose(websocket.StatusMessageTooBig)
	})
}

func TestWebSocketFlood(t *testing.T) {
	// A burst of one, then one message per half second; the second slowed
	// message in a row is refused.
	srv := startServerWith(t, web.Config{}, hub.Options{Flood: hub.Flood{Rate: 2, Burst: 1, MaxDelayed: 1}})
	alice, _ := connect(t, srv.URL, "alice")

	alice.say("one", "1")   // the burst
	alice.say("two", "2")   // slowed
	alice.say("three", "3") // refused: still flooding
	assert.Equal(t, "one", alice.next().Text)
	got := map[string]serverMsg{}
	for range 2 {
		m := alice.next()
		got[m.Type] = m
	}
	assert.Equal(t, "two", got["message"].Text, "a slowed message is sent, late")
	e := got["error"]
	assert.Equal(t, "too_fast", e.Code)
	require.NotNil(t, e.Ref)
	assert.Equal(t, "3", *e.Ref)
}

func TestWebSocketConnectionCaps(t *testing.T) {
	t.Run("per address: 4029", func(t *testing.T) {
		srv := startServer(t, web.Config{Limiter: connlimit.New(1, 10)})
		connect(t, srv.URL, "alice")
		ce := dial(t, srv.URL, loginClient(t, srv.URL, "bob")).expectClose(4029)
		assert.Equal(t, "too many connections from your address", ce.Reason)
	})
	t.Run("in all: 1013", func(t *testing.T) {
		srv := startServer(t, web.Config{Limiter: connlimit.New(10, 1)})
		connect(t, srv.URL, "alice")
		ce := dial(t, srv.URL, loginClient(t, srv.URL, "bob")).expectClose(websocket.StatusTryAgainLater)
		assert.Equal(t, "server full", ce.Reason)
	})
}

func TestWebSocketRefusals(t *testing.T) {
	srv := startServer(t, web.Config{})

	t.Run("name taken between login and join: 4001", func(t *testing.T) {
		late := loginClient(t, srv.URL, "dora")
		connect(t, srv.URL, "dora") // someone else logs in and joins first
		ce := dial(t, srv.URL, late).expectClose(4001)
		assert.Equal(t, "name taken", ce.Reason)
	})

	t.Run("a name taken in another letter case: 4001", func(t *testing.T) {
		late := loginClient(t, srv.URL, "EVE")
		connect(t, srv.URL, "eve")
		dial(t, srv.URL, late).expectClose(4001)
	})

	t.Run("an invalid name in the cookie: 4002 with the reason", func(t *testing.T) {
		jar, err := cookiejar.New(nil)
		require.NoError(t, err)
		u, err := url.Parse(srv.URL)
		require.NoError(t, err)
		jar.SetCookies(u, []*http.Cookie{{Name: "anseo_name", Value: url.QueryEscape("no spaces please"), Path: "/"}})
		ce := dial(t, srv.URL, &http.Client{Jar: jar}).expectClose(4002)
		assert.Contains(t, ce.Reason, "may only contain")
	})

	t.Run("no cookie: 4003", func(t *testing.T) {
		ce := dial(t, srv.URL, nil).expectClose(4003)
		assert.Equal(t, "not logged in", ce.Reason)
	})

	t.Run("another origin is refused", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), wait)
		defer cancel()
		_, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", &websocket.DialOptions{
			HTTPClient: loginClient(t, srv.URL, "mallory"),
			HTTPHeader: http.Header{"Origin": {"https://evil.example"}},
		})
		require.Error(t, err)
		require.NotNil(t, res)
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
	})
}

func TestWebSocketAllowedOrigins(t *testing.T) {
	srv := startServer(t, web.Config{AllowedOrigins: []string{"https://chat.example.org"}})
	dialFrom := func(origin, name string) (*websocket.Conn, *http.Response, error) {
		ctx, cancel := context.WithTimeout(t.Context(), wait)
		defer cancel()
		return websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", &websocket.DialOptions{
			HTTPClient: loginClient(t, srv.URL, name),
			HTTPHeader: http.Header{"Origin": {origin}},
		})
	}
	c, _, err := dialFrom("https://chat.example.org", "alice")
	require.NoError(t, err, "an allowed origin may connect")
	c.CloseNow()
	_, res, err := dialFrom("https://evil.example", "mallory")
	require.Error(t, err)
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "others still may not")

	assert.NoError(t, web.ValidateOrigin("https://chat.example.org:8443"))
	for _, bad := range []string{"chat.example.org", "ftp://x", "https://x/path", "https://"} {
		assert.Error(t, web.ValidateOrigin(bad), bad)
	}
}

func TestWebSocketShutdown(t *testing.T) {
	t.Run("stopping the hub closes every socket with 1001", func(t *testing.T) {
		srv := startServer(t, web.Config{})
		alice, _ := connect(t, srv.URL, "alice")
		bob, _ := connect(t, srv.URL, "bob")
		alice.nextOf("joined")

		srv.StopHub()
		for _, c := range []*wsClient{alice, bob} {
			ce := c.expectClose(websocket.StatusGoingAway)
			assert.Equal(t, "server shutting down", ce.Reason)
		}

		ctx, cancel := context.WithTimeout(t.Context(), wait)
		defer cancel()
		srv.Server.Drain(ctx)
		assert.NoError(t, ctx.Err(), "every handler returned before the deadline")
	})

	t.Run("Drain cuts off clients that do not answer the close by its deadline", func(t *testing.T) {
		srv := startServer(t, web.Config{})
		mute, _ := connect(t, srv.URL, "mute") // never reads, so never answers the close frame
		srv.StopHub()

		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		srv.Server.Drain(ctx)
		assert.Less(t, time.Since(start), 3*time.Second, "Drain returns soon after its deadline, not after the 5 s close handshake")

		_, _, err := mute.conn.Read(t.Context())
		assert.Error(t, err, "the socket is gone")
	})

	t.Run("after Drain, new sockets are refused with 503", func(t *testing.T) {
		srv := startServer(t, web.Config{})
		srv.Server.Drain(t.Context())
		ctx, cancel := context.WithTimeout(t.Context(), wait)
		defer cancel()
		_, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws",
			&websocket.DialOptions{HTTPClient: loginClient(t, srv.URL, "late")})
		require.Error(t, err)
		require.NotNil(t, res)
		assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	})
}
