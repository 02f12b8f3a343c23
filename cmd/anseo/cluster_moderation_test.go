package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/natstest"
	"github.com/anseo/anseo/internal/syncbuf"
	"github.com/anseo/anseo/internal/web"
)

// awaitReady waits until node n has caught up with the cluster.
func awaitReady(t *testing.T, n *anseo) {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + n.httpAddr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 10*time.Millisecond, "a node is ready once it has caught up with the cluster")
}

// awaitNameFree waits until node n no longer says name is taken: a
// cluster frees a name behind its holder's departure, a moment after it.
// It asks the login form, which joins nobody.
func awaitNameFree(t *testing.T, n *anseo, name string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	require.Eventually(t, func() bool {
		res, err := client.PostForm("http://"+n.httpAddr+"/login", url.Values{"name": {name}})
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode != http.StatusUnprocessableEntity
	}, 10*time.Second, 10*time.Millisecond, "%s's name is free again", name)
}

// wsLoginFrom is wsLogin from a browser at from, as a trusted reverse
// proxy tells the node (X-Forwarded-For).
func wsLoginFrom(t *testing.T, base, name, from string) *wsUser {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/login", strings.NewReader(url.Values{"name": {name}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", from)
	res, err := client.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.NotEmpty(t, res.Cookies())
	return &wsUser{t: t, cookie: res.Cookies()[0]}
}

// dialFrom opens u's WebSocket at base from from, and returns it without
// reading anything.
func (u *wsUser) dialFrom(base, from string) *websocket.Conn {
	u.t.Helper()
	h := http.Header{}
	h.Add("Cookie", u.cookie.String())
	h.Set("X-Forwarded-For", from)
	c, _, err := websocket.Dial(u.t.Context(), "ws"+strings.TrimPrefix(base, "http")+"/ws", &websocket.DialOptions{HTTPHeader: h})
	require.NoError(u.t, err)
	u.t.Cleanup(func() { c.CloseNow() })
	return c
}

// closedWith reads c until the server closes it, and returns how.
func closedWith(t *testing.T, c *websocket.Conn) (websocket.StatusCode, string) {
	t.Helper()
	for {
		if _, _, err := c.Read(t.Context()); err != nil {
			var ce websocket.CloseError
			require.ErrorAs(t, err, &ce, "the server closes the connection with a reason")
			return ce.Code, ce.Reason
		}
	}
}

// TestAClusterProtectsNamesAndEnforcesBans: two real nodes linked by a
// real NATS. A name registered on the line port of one is asked its
// password on the other, and taken there with it. An operator on one node
// bans a browser user connected to the other: within a second it is
// closed out, told why, and cannot come back on either node, while the
// rest chat on. No password reaches any node's debug log.
func TestAClusterProtectsNamesAndEnforcesBans(t *testing.T) {
	nats := natstest.Start(t)
	logs := &syncbuf.Buffer{}
	args := func(node string) []string {
		return []string{"-nats-url", nats.URL(), "-node-name", node, "-operators", "root", "-trusted-proxies", "127.0.0.1/32"}
	}
	n1 := startAnseoWith(t, logs, args("n1")...)
	n2 := startAnseoWith(t, logs, args("n2")...)
	awaitReady(t, n1)
	awaitReady(t, n2)
	registerOnLine(t, n1.telnetAddr, "root", "root-secret-pw")
	registerOnLine(t, n1.telnetAddr, "alice", "alice-secret-pw")
	awaitNameFree(t, n2, "alice")
	awaitNameFree(t, n1, "root")

	// Registered on n1; n2 takes the name with its password, and asks a
	// newcomer for it, and refuses a wrong one. (A wrong password slows
	// the next try from the same address on that node: everyone here
	// comes from 127.0.0.1.)
	alice := logInOnLine(t, n2.telnetAddr, "alice", "alice-secret-pw")
	alice.Send("/quit")
	alice.ExpectClosed()
	thief := linetest.Dial(t, n2.telnetAddr, "thief")
	thief.Expect("What's your name?")
	thief.Send("Alice")
	thief.ExpectRaw("* Alice is registered; password: " + willEcho)
	thief.SendRaw(doEcho + "guessing-pw\r\n")
	thief.ExpectRaw("\r\n" + wontEcho)
	thief.SendRaw(dontEcho)
	thief.Expect("* Wrong password.")
	thief.Expect("What's your name?")
	bob := linetest.Dial(t, n1.telnetAddr, "bob")
	bob.Login("bob")

	mallory := wsLoginFrom(t, "http://"+n2.httpAddr, "mallory", "198.51.100.7")
	malloryWS := mallory.dialFrom("http://"+n2.httpAddr, "198.51.100.7")
	bob.Expect("mallory has joined the channel.")
	root := logInOnLine(t, n1.telnetAddr, "root", "root-secret-pw")
	bob.Expect("root has joined the channel.")
	watcher := wsLogin(t, "http://"+n1.httpAddr, "watcher") // a page on n1, for its user list
	watcher.connect("http://"+n1.httpAddr, "")
	bob.Expect("watcher has joined the channel.")
	root.Expect("watcher has joined the channel.")

	start := time.Now()
	root.Send("/ban mallory 1h spamming")
	code, reason := closedWith(t, malloryWS) // on n2, where nobody else is
	closed := time.Since(start)
	assert.Equal(t, web.CloseBanned, code)
	t.Logf("banned on n1; closed on n2 after %v: %d %q", closed, code, reason)
	announced := untilContains(t, bob, "mallory was banned by root")
	assert.Contains(t, announced, "spamming")
	assert.NotContains(t, announced, "198.51.100", "an address is for operators' eyes")
	assert.Less(t, closed, time.Second, "the ban took effect on the other node within a second")
	left := watcher.next(func(m map[string]any) bool { return m["type"] == "left" && m["name"] == "mallory" })
	assert.Equal(t, "banned", left["reason"])

	// Not back, on either node, by the name or from the address.
	code, reason = closedWith(t, mallory.dialFrom("http://"+n1.httpAddr, "198.51.100.7"))
	assert.Equal(t, web.CloseBanned, code)
	assert.Contains(t, reason, "spamming")
	code, _ = closedWith(t, mallory.dialFrom("http://"+n2.httpAddr, "192.0.2.99"))
	assert.Equal(t, web.CloseBanned, code, "the name is banned, from anywhere")
	again := linetest.Dial(t, n1.telnetAddr, "mallory again")
	again.Expect("What's your name?")
	again.Send("mallory")
	line := again.ReadLine()
	assert.True(t, strings.HasPrefix(line, "* You are banned from this server until "), "%q", line)
	assert.Contains(t, line, "spamming")

	bob.Send("still here")
	root.Expect("<bob> still here")
	assert.Contains(t, logs.String(), `"node"`, "the logs are read")
	assert.NotContains(t, logs.String(), "secret-pw", "no password in either node's debug log")
	assert.NotContains(t, logs.String(), "guessing-pw", "nor a wrong one")
}
