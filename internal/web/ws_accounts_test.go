package web_test

// Registered names and moderation over the WebSocket and the login form,
// as docs/protocol.md says them: a real hub with its accounts in an
// SQLite history, real HTTP and WebSocket clients.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/accounts"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/syncbuf"
	"github.com/anseo/anseo/internal/web"
)

// cheapHash makes password hashes fast: the tests are about who may do
// what, not about argon2id's costs.
var cheapHash = accounts.Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

// accountsServer is a server whose hub keeps registered names in an
// SQLite history in memory, with operators (registered names) listed as
// by -operators. logs holds everything the hub and the server log, at
// Debug.
type accountsServer struct {
	*testServer
	store *history.Store
	logs  *syncbuf.Buffer
}

func startAccounts(t *testing.T, operators ...string) *accountsServer {
	t.Helper()
	store, err := history.Open(t.Context(), history.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() }) // registered first, so it runs after the hub has stopped
	logs := new(syncbuf.Buffer)
	logger := slog.New(slog.NewTextHandler(io.MultiWriter(logs, &testOutput{t: t}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := hub.Options{Flood: noFlood, Store: store, Accounts: store, Operators: operators, PasswordCost: cheapHash, Logger: logger}
	h := hub.New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.Run(ctx)
	}()
	stopHub := func() {
		cancel()
		<-done
	}
	// Behind a proxy it trusts, so that each client may come from an
	// address of its own (X-Forwarded-For): limits and bans go by it.
	srv := web.NewServer(logger, h, web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		stopHub()
		dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer dcancel()
		srv.Drain(dctx)
		ts.Close()
	})
	return &accountsServer{testServer: &testServer{URL: ts.URL, Hub: h, Server: srv, StopHub: stopHub}, store: store, logs: logs}
}

// register gives name an account with password, as /register would.
func (s *accountsServer) register(t *testing.T, name, password string) {
	t.Helper()
	hash, err := accounts.Hash(t.Context(), password, cheapHash)
	require.NoError(t, err)
	require.NoError(t, s.store.CreateAccount(t.Context(), hub.NameKey(name), hub.Account{Name: name, Hash: hash, Created: time.Now()}))
}

// newJar is an HTTP client with cookies that does not follow redirects,
// coming from 192.0.2.1.
func newJar(t *testing.T) *http.Client {
	t.Helper()
	return jarFrom(t, "192.0.2.1")
}

// jarFrom is newJar for a client at addr, as the trusted proxy in front
// of the server says (X-Forwarded-For).
func jarFrom(t *testing.T, addr string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{
		Jar:           jar,
		Transport:     forwardedFor{addr},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type forwardedFor struct{ addr string }

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.addr)
	return http.DefaultTransport.RoundTrip(r)
}

// connectFrom logs in as name from addr, dials and reads the welcome.
func connectFrom(t *testing.T, base, name, addr string) *wsClient {
	t.Helper()
	client := jarFrom(t, addr)
	res, body := postLoginForm(t, client, base, url.Values{"name": {name}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "%s", body)
	c := dial(t, base, client)
	require.Equal(t, "welcome", c.next().Type)
	return c
}

// postLoginForm posts the login form and returns the status and the page.
func postLoginForm(t *testing.T, client *http.Client, base string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := client.PostForm(base+"/login", form)
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res, string(body)
}

// logInWith logs in as name with its password, and dials.
func logInWith(t *testing.T, base, name, password string) (*wsClient, serverMsg, *http.Client) {
	t.Helper()
	client := jarFrom(t, "198.51.100.7")
	res, body := postLoginForm(t, client, base, url.Values{"name": {name}, "password": {password}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "%s", body)
	c := dial(t, base, client)
	w := c.next()
	require.Equal(t, "welcome", w.Type)
	return c, w, client
}

// accountMsg is a request about one's registered name.
type accountMsg struct {
	Type     string  `json:"type"`
	Password *string `json:"password,omitempty"`
	Ref      string  `json:"ref,omitempty"`
}

func pw(s string) *string { return &s }

// nextFor reads until a message of type typ, skipping what other people's
// timing may interleave.
func (c *wsClient) nextFor(typ string) serverMsg {
	c.t.Helper()
	for {
		m := c.next()
		if m.Type == typ {
			return m
		}
		switch m.Type {
		case "joined", "left", "replay", "notice", "message", "account", "moderation":
		default:
			c.t.Fatalf("want %s, got %+v", typ, m)
		}
	}
}

// both reads until a message of each type has come, in either order, and
// returns them in the order asked.
func (c *wsClient) both(a, b string) [2]serverMsg {
	c.t.Helper()
	var got [2]serverMsg
	for got[0].Type == "" || got[1].Type == "" {
		m := c.next()
		switch m.Type {
		case a:
			got[0] = m
		case b:
			got[1] = m
		case "joined", "left", "replay", "notice", "message", "account", "moderation":
		default:
			c.t.Fatalf("want %s and %s, got %+v", a, b, m)
		}
	}
	return got
}

func TestWebSocketRegisterAndLogIn(t *testing.T) {
	srv := startAccounts(t)
	const first, second = "correct horse battery", "staple tuning fork"
	bob, _ := connect(t, srv.URL, "bob")
	alice, _ := connect(t, srv.URL, "alice")

	t.Run("a short password is refused, by ref, and nothing changes", func(t *testing.T) {
		alice.send(accountMsg{Type: "register", Password: pw("abc12"), Ref: "a1"})
		e := alice.nextFor("error")
		assert.Equal(t, "weak_password", e.Code)
		require.NotNil(t, e.Ref)
		assert.Equal(t, "a1", *e.Ref)
		assert.NotContains(t, e.Text, "abc12")
	})

	t.Run("register: done, and the room sees the name registered", func(t *testing.T) {
		alice.send(accountMsg{Type: "register", Password: pw(first), Ref: "a2"})
		got := alice.both("done", "account") // the answer and the event, in either order
		done, mine := got[0], got[1]
		assert.Equal(t, "register", done.Request)
		require.NotNil(t, done.Ref)
		assert.Equal(t, "a2", *done.Ref)
		assert.Equal(t, "alice", mine.Name)
		assert.True(t, mine.Registered)
		assert.Contains(t, mine.Says, "Your name is now registered")
		theirs := bob.nextFor("account")
		assert.Equal(t, "alice", theirs.Name)
		assert.True(t, theirs.Registered)
	})

	t.Run("registering again is refused", func(t *testing.T) {
		alice.send(accountMsg{Type: "register", Password: pw(first), Ref: "a3"})
		assert.Equal(t, "already_registered", alice.nextFor("error").Code)
	})

	t.Run("a password change is done", func(t *testing.T) {
		alice.send(accountMsg{Type: "password", Password: pw(second), Ref: "a4"})
		assert.Equal(t, "password", alice.nextFor("done").Request)
	})

	t.Run("bob cannot change a password he has not", func(t *testing.T) {
		bob.send(accountMsg{Type: "password", Password: pw(second), Ref: "b1"})
		assert.Equal(t, "not_registered", bob.nextFor("error").Code)
	})

	alice.say("/quit", "")
	alice.expectClose(websocket.StatusNormalClosure)
	bob.nextFor("left")

	t.Run("the login form asks for the password of a registered name", func(t *testing.T) {
		client := jarFrom(t, "203.0.113.9")
		res, body := postLoginForm(t, client, srv.URL, url.Values{"name": {"ALICE"}})
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Contains(t, body, `data-testid="password-form"`)
		assert.Contains(t, body, `name="name" value="ALICE"`, "the name as typed, for the second step")
		assert.Empty(t, res.Cookies(), "no login yet")

		res, body = postLoginForm(t, client, srv.URL, url.Values{"name": {"alice"}, "password": {first}})
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "the old password no longer works")
		assert.Contains(t, body, "Wrong password.")
		assert.Contains(t, body, `data-testid="password-form"`, "asked again")
		assert.NotContains(t, body, first, "never shown again")
		assert.Empty(t, res.Cookies())
	})

	t.Run("a socket without the login is refused with 4004", func(t *testing.T) {
		client := newJar(t)
		u, err := url.Parse(srv.URL)
		require.NoError(t, err)
		client.Jar.SetCookies(u, []*http.Cookie{{Name: "anseo_name", Value: "alice"}})
		dial(t, srv.URL, client).expectClose(web.ClosePasswordRequired)
	})

	// The right password logs in, for 30 days, and the socket joins.
	alice, welcome, client := logInWith(t, srv.URL, "alice", second)
	assert.Equal(t, "alice", welcome.You)
	for _, m := range welcome.Members {
		if m.Name == "alice" {
			assert.True(t, m.Registered, "marked registered in the list")
		}
	}
	assert.True(t, bob.nextFor("joined").Registered)

	// A login logged in to the name needs no password again.
	alice.say("/quit", "")
	alice.expectClose(websocket.StatusNormalClosure)
	res, body := postLoginForm(t, client, srv.URL, url.Values{"name": {"alice"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "%s", body)
	var remembered int
	for _, c := range res.Cookies() {
		if c.MaxAge > 0 {
			assert.Equal(t, int(hub.SessionLoginFor/time.Second), c.MaxAge)
			remembered++
		}
	}
	assert.Equal(t, 2, remembered, "name and session outlive the browser's session")
	alice = dial(t, srv.URL, client)
	assert.Equal(t, "alice", alice.nextFor("welcome").You)

	// Logging out ends the login: even a browser that kept its old
	// session cookie is asked for the password again.
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	kept := client.Jar.Cookies(u)
	alice.say("/quit", "")
	alice.expectClose(websocket.StatusNormalClosure)
	res, err = client.PostForm(srv.URL+"/logout", nil)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	client.Jar.SetCookies(u, kept)
	res, body = postLoginForm(t, client, srv.URL, url.Values{"name": {"alice"}})
	assert.Equal(t, http.StatusOK, res.StatusCode, "the password is asked for")
	assert.Contains(t, body, `data-testid="password-form"`)
	alice, _, _ = logInWith(t, srv.URL, "alice", second)

	// Unregister: done, and the mark goes.
	alice.send(accountMsg{Type: "unregister", Ref: "a5"})
	assert.Equal(t, "unregister", alice.both("done", "account")[0].Request)
	for {
		m := bob.nextFor("account")
		if m.Name == "alice" {
			assert.False(t, m.Registered)
			break
		}
	}

	t.Run("no password is ever logged", func(t *testing.T) {
		logs := srv.logs.String()
		require.NotEmpty(t, logs)
		for _, p := range []string{first, second, "abc12"} {
			assert.NotContains(t, logs, p)
		}
	})
}

func TestLoginAttemptsAreLimited(t *testing.T) {
	srv := startAccounts(t)
	srv.register(t, "alice", "the right one")
	client := jarFrom(t, "203.0.113.9")
	var res *http.Response
	var body string
	for range 5 {
		res, body = postLoginForm(t, client, srv.URL, url.Values{"name": {"alice"}, "password": {"a wrong guess"}})
		if res.StatusCode == http.StatusTooManyRequests {
			break
		}
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	}
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode, "wrong guesses are slowed")
	wait, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.Positive(t, wait)
	assert.Contains(t, body, "Too many wrong passwords: try again in")
	assert.NotContains(t, srv.logs.String(), "a wrong guess")

	// The owner, elsewhere, is not slowed by the guesser.
	res, body = postLoginForm(t, jarFrom(t, "198.51.100.7"), srv.URL, url.Values{"name": {"alice"}, "password": {"the right one"}})
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "%s", body)
}

func TestWebSocketModeration(t *testing.T) {
	srv := startAccounts(t, "boss")
	srv.register(t, "boss", "boss password")
	boss, welcome, _ := logInWith(t, srv.URL, "boss", "boss password")
	require.Len(t, welcome.Members, 1)
	assert.True(t, welcome.Members[0].Operator, "a server operator, by -operators")
	assert.True(t, welcome.Members[0].Registered)

	bob := connectFrom(t, srv.URL, "bob", "192.0.2.1")
	eve := connectFrom(t, srv.URL, "eve", "203.0.113.66")
	assert.Equal(t, "eve", bob.nextFor("joined").Name)

	eve.say("buy cheap watches", "e1")
	spam := eve.nextFor("message")

	t.Run("a removed message is removed for everyone, and in the history", func(t *testing.T) {
		boss.say("/remove "+strconv.FormatUint(spam.ID, 10), "")
		for _, c := range []*wsClient{boss, bob, eve} {
			m := c.nextFor("moderation")
			assert.Equal(t, "remove", m.Action)
			assert.Equal(t, spam.ID, m.Message)
			assert.Equal(t, "boss", m.Name)
		}
		var page historyJSON
		require.Equal(t, http.StatusOK, getJSON(t, loginClient(t, srv.URL, "reader"), srv.URL, "/history", &page))
		var found bool
		for _, ev := range page.Events {
			if ev.ID == spam.ID {
				found = true
				assert.True(t, ev.Removed)
				assert.Empty(t, ev.Text)
			}
		}
		assert.True(t, found, "the removed message is still in the history, as removed")
	})

	t.Run("someone who is no operator is told so", func(t *testing.T) {
		bob.say("/kick eve", "")
		assert.Contains(t, bob.nextFor("notice").Text, "is for operators")
	})

	t.Run("a muted person is told, by a notice with a code, and is heard by nobody", func(t *testing.T) {
		boss.say("/mute bob 10m", "")
		m := bob.nextFor("moderation")
		assert.Equal(t, "mute", m.Action)
		assert.Equal(t, "bob was muted by boss for 10 minutes", m.Says)
		eve.nextFor("moderation")
		bob.say("can anyone hear me", "b1")
		n := bob.nextFor("notice")
		assert.Equal(t, "muted", n.Code)
		assert.Contains(t, n.Text, "You are muted")
		boss.say("/unmute bob", "")
		bob.nextFor("moderation")
		eve.nextFor("moderation")
		bob.say("and now", "b2")
		assert.Equal(t, "and now", eve.nextFor("message").Text, "the muted line reached nobody: the next is the first eve gets")
	})

	t.Run("the message of the day comes after the welcome", func(t *testing.T) {
		boss.say("/motd Be kind.", "")
		m := boss.nextFor("moderation")
		for m.Action != "motd" {
			m = boss.nextFor("moderation") // the operator hears of every action of its own
		}
		assert.Equal(t, "boss set the message of the day", m.Says)
		carol := connectFrom(t, srv.URL, "carol", "192.0.2.9")
		n := carol.nextFor("notice")
		assert.Equal(t, "Message of the day: Be kind.", n.Text)
	})

	t.Run("a kick: announced, a departure without words, and the kicked socket closes 4010", func(t *testing.T) {
		boss.say("/kick eve spam", "")
		m := bob.nextFor("moderation")
		assert.Equal(t, "kick", m.Action)
		assert.Equal(t, "eve", m.Target)
		assert.Equal(t, "spam", m.Text)
		assert.Equal(t, "eve was kicked by boss: spam", m.Says)
		left := bob.nextFor("left")
		assert.Equal(t, "eve", left.Name)
		assert.Equal(t, "kicked", left.Reason)
		assert.Equal(t, "eve was kicked by boss: spam", eve.nextFor("moderation").Says, "eve is told why")
		eve.expectClose(web.CloseKicked)
	})

	t.Run("a ban: announced, and the banned cannot come back", func(t *testing.T) {
		eve = connectFrom(t, srv.URL, "eve", "203.0.113.66")
		bob.nextFor("joined")
		boss.say("/ban eve 1h spam", "")
		m := bob.nextFor("moderation")
		assert.Equal(t, "ban", m.Action)
		assert.NotEmpty(t, m.Until)
		assert.NotContains(t, m.Says, "203.0.113", "no address in what everyone reads")
		eve.expectClose(web.CloseBanned)

		client := jarFrom(t, "203.0.113.66")
		res, body := postLoginForm(t, client, srv.URL, url.Values{"name": {"eve"}})
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
		assert.Contains(t, body, "You are banned from this server until")
		res, _ = postLoginForm(t, client, srv.URL, url.Values{"name": {"mallory"}})
		assert.Equal(t, http.StatusForbidden, res.StatusCode, "nor under another name from that address")
	})
}
