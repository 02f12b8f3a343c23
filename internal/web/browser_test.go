package web_test

// End-to-end tests: a real headless Chromium (internal/browsertest) against
// the real server and hub. Each test has its own server; the browser is
// shared, and each user is a tab with its own cookies.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/web"
)

// browserServer starts a server and returns a function that opens a tab on
// it for a new user.
func browserServer(t *testing.T) (*testServer, func() *browsertest.Tab) {
	t.Helper()
	return browserServerWith(t, hub.Options{Flood: noFlood})
}

// browserServerWith is browserServer on a hub with opts: a short grace
// period, say, for tests that wait for a closed tab's person to leave.
func browserServerWith(t *testing.T, opts hub.Options) (*testServer, func() *browsertest.Tab) {
	t.Helper()
	b := browsertest.Shared(t) // skips (or fails in CI) without a browser
	srv := startServerWith(t, web.Config{}, opts)
	return srv, func() *browsertest.Tab { return b.NewTab(t, srv.URL) }
}

// shortGrace is the grace period of tests that close tabs: long enough for
// nothing, short enough that waiting for the departure is quick.
const shortGrace = 500 * time.Millisecond

func assertNoProblems(t *testing.T, tabs ...*browsertest.Tab) {
	t.Helper()
	for _, tab := range tabs {
		assert.Empty(t, tab.Problems(), "script errors, CSP violations or failed loads")
		assert.Empty(t, tab.Dialogs())
	}
}

func TestBrowserChat(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice, bob := newTab(), newTab()
	alice.Login("alice")
	bob.Login("bob")
	alice.WaitMember("bob", true)

	alice.Say("hello bob")
	alice.WaitDelivered("hello bob") // the echo marks it delivered
	assert.Equal(t, "", bob.WaitMessage("alice", "hello bob"))
	assert.Equal(t, 1, alice.Count(`[data-testid=message].own`), "alice's own message is hers")
	assert.Equal(t, 0, bob.Count(`[data-testid=message].own`), "for bob it is someone else's")
	assert.Equal(t, "✓", browsertest.Run(alice, chromedp.TextContent(chromedp.CSS(`[data-testid=message][data-state=delivered] .tick`))))

	// Bob types and clicks Send rather than pressing Enter.
	bob.Do(
		chromedp.SendKeys(browsertest.TestID("input"), "hi alice"),
		chromedp.Click(browsertest.TestID("send")),
	)
	bob.WaitDelivered("hi alice")
	alice.WaitMessage("bob", "hi alice")
	assert.Empty(t, bob.Value("input"), "the input is cleared once sent")

	// A telnet user is in the same room, with a marker saying how.
	carol := join(t, srv.Hub, "carol", hub.TransportTelnet)
	alice.WaitEvent("joined", "carol joined over telnet")
	alice.WaitMember("carol", true)
	assert.Equal(t, []string{"alice/web", "bob/web", "carol/telnet"}, alice.Members())
	require.NoError(t, carol.Say(t.Context(), "hello from a terminal", ""))
	bob.WaitMessage("carol", "hello from a terminal")
	assert.Equal(t, "3", bob.Text("member-count"))

	assertNoProblems(t, alice, bob)
}

func TestBrowserEnterSendsAndBlankDoesNot(t *testing.T) {
	t.Parallel()
	_, newTab := browserServer(t)
	alice, bob := newTab(), newTab()
	alice.Login("alice")
	bob.Login("bob")

	alice.Say("")    // Enter in an empty box
	alice.Say("   ") // Enter with only spaces
	assert.Empty(t, alice.Value("input"), "spaces alone are cleared, not sent")
	alice.Say("first real message")
	alice.WaitDelivered("first real message")
	bob.WaitMessage("alice", "first real message")

	// The server handles messages in order, so had a blank one been sent it
	// would have arrived before this one.
	assert.Equal(t, 1, alice.Count(`[data-testid=message]`))
	assert.Equal(t, 1, bob.Count(`[data-testid=message]`))
	assertNoProblems(t, alice, bob)
}

func TestBrowserRefusedNames(t *testing.T) {
	t.Parallel()
	_, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")

	t.Run("a taken name shows the reason and keeps the typed name", func(t *testing.T) {
		other := newTab()
		other.TryLogin("ALICE")
		assert.Contains(t, other.Text("login-error"), "That name is taken")
		assert.Equal(t, "ALICE", other.Value("name-input"))
		assert.Equal(t, "/login", other.Path())
	})

	t.Run("an invalid name shows the rule it breaks", func(t *testing.T) {
		other := newTab()
		other.TryLogin("<b>bold</b>")
		assert.Contains(t, other.Text("login-error"), "may only contain letters")
		assert.Equal(t, "<b>bold</b>", other.Value("name-input"))
	})

	t.Run("a name taken by the time the socket joins sends the page back to the form", func(t *testing.T) {
		// Another browser claims alice's name in its cookie (as if it had
		// logged in just before her): it has no token of hers, so the join is
		// refused with 4001.
		other := newTab()
		other.Open("/")
		other.Do(chromedp.Evaluate[chromedp.Void](`document.cookie = 'anseo_name=alice; path=/'`))
		// The request for the chat must carry it: the jar takes it on its own time.
		require.Equal(t, "alice", waitCookie(t, other, other.Base+"/chat", "anseo_name", "alice"))
		other.Submit(chromedp.Evaluate[chromedp.Void](`location.assign('/chat')`))
		other.Do(chromedp.WaitVisible(browsertest.TestID("login-error")))
		assert.Contains(t, other.Text("login-error"), "That name is taken")
		assert.Equal(t, "alice", other.Value("name-input"))
		assert.Equal(t, "/?name=alice&error=taken", other.Path())
	})
	assertNoProblems(t, alice)
}

func TestBrowserJoinAndLeaveNotices(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServerWith(t, hub.Options{Flood: noFlood, Grace: shortGrace})
	alice, bob := newTab(), newTab()
	alice.Login("alice")
	bob.Login("bob")

	alice.WaitEvent("joined", "bob joined")
	alice.WaitMember("bob", true)

	bob.Close() // closing the tab closes its socket; after the grace period bob leaves
	alice.WaitEvent("left", "bob left")
	alice.WaitMember("bob", false)
	require.NoError(t, srv.Hub.Check(t.Context(), "bob"), "the name is free")
	assert.Equal(t, "1", alice.Text("member-count"))
	assertNoProblems(t, alice)
}

func TestBrowserQuit(t *testing.T) {
	t.Parallel()
	_, newTab := browserServer(t)
	alice, bob := newTab(), newTab()
	alice.Login("alice")
	bob.Login("bob")

	alice.Submit(chromedp.Click(browsertest.TestID("quit")))
	assert.Equal(t, "/", alice.Path(), "back at the login form")
	alice.Do(chromedp.WaitVisible(browsertest.TestID("login-form")))
	bob.WaitEvent("left", "alice left")
	bob.WaitMember("alice", false)

	// The cookie is gone: the chat sends alice back to the form.
	alice.Open("/chat")
	assert.Equal(t, "/", alice.Path())

	// And the name is free: someone else can take it.
	someone := newTab()
	someone.Login("alice")
	bob.WaitEvent("joined", "alice joined")
	assertNoProblems(t, alice, bob, someone)
}

func TestBrowserMessagesAreText(t *testing.T) {
	t.Parallel()
	_, newTab := browserServer(t)
	alice, bob := newTab(), newTab()
	alice.Login("alice")
	bob.Login("bob")

	attacks := []string{
		`<img src=x onerror=alert(1)>`,
		`<script>alert(2)</script>`,
		`<svg onload=alert(3)>`,
		`"><iframe src=javascript:alert(4)>`,
	}
	for _, a := range attacks {
		alice.Say(a)
		alice.WaitDelivered(a)
		assert.Equal(t, "", bob.WaitMessage("alice", a), "bob sees it as text")
	}
	// One more round trip after the attacks, so that any handler they had
	// managed to install (an image's onerror, say) has had its turn.
	alice.Say("done")
	bob.WaitMessage("alice", "done")

	for _, tab := range []*browsertest.Tab{alice, bob} {
		assert.Zero(t, tab.Count(`[data-testid=messages] :is(img, script, svg, iframe)`), "no element came from a message")
		assert.Empty(t, tab.Dialogs(), "no script ran")
	}
	assertNoProblems(t, alice, bob)
}

func TestBrowserScrollAndUnread(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	carol := join(t, srv.Hub, "carol", hub.TransportTelnet)
	say := func(text string) {
		t.Helper()
		require.NoError(t, carol.Say(t.Context(), text, ""))
	}

	for i := range 40 {
		say("line " + string(rune('A'+i%26)) + strings.Repeat(" more words", 3))
	}
	say("last of the first batch")
	alice.WaitMessage("carol", "last of the first batch")
	alice.WaitJS(`(() => { const l = document.getElementById('messages'); return l.scrollHeight - l.scrollTop - l.clientHeight < 48 })()`)

	t.Run("scrolled up: a marker instead of a jump", func(t *testing.T) {
		alice.Do(chromedp.Evaluate[chromedp.Void](`document.getElementById('messages').scrollTop = 0`))
		say("while you were reading")
		alice.WaitMessage("carol", "while you were reading")
		alice.Do(chromedp.WaitVisible(browsertest.TestID("new-messages")))
		assert.Zero(t, browsertest.Run(alice, chromedp.Evaluate[int](`document.getElementById('messages').scrollTop`)), "the reader stays where they were")

		alice.Do(chromedp.Click(browsertest.TestID("new-messages")))
		alice.Do(chromedp.WaitNotVisible(browsertest.TestID("new-messages")))
		alice.WaitJS(`(() => { const l = document.getElementById('messages'); return l.scrollHeight - l.scrollTop - l.clientHeight < 48 })()`)
	})

	t.Run("a hidden tab counts unread messages in its title", func(t *testing.T) {
		setHidden := func(hidden bool) {
			alice.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`Object.defineProperty(document, 'hidden', {configurable: true, get: () => %t});
				document.dispatchEvent(new Event('visibilitychange'))`, hidden)))
		}
		setHidden(true)
		say("one")
		say("two")
		say("three")
		alice.WaitMessage("carol", "three")
		assert.Equal(t, "(3) anseo", browsertest.Run(alice, chromedp.Title()))
		setHidden(false)
		assert.Equal(t, "anseo", browsertest.Run(alice, chromedp.Title()))
	})
	assertNoProblems(t, alice)
}

func TestBrowserPhoneWidth(t *testing.T) {
	t.Parallel()
	_, newTab := browserServer(t)
	alice := newTab()
	alice.Do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
	alice.Login("alice")

	alice.Do(chromedp.WaitNotVisible(chromedp.CSS("#people")))
	alice.Do(chromedp.Click(browsertest.TestID("people-toggle")))
	alice.Do(chromedp.WaitVisible(browsertest.TestID("members")))
	assert.Equal(t, "true", browsertest.Run(alice, chromedp.Evaluate[string](`document.getElementById('people-toggle').getAttribute('aria-expanded')`)))

	alice.Say("small screens work too")
	alice.WaitDelivered("small screens work too")
	assertNoProblems(t, alice)
}

// TestBrowserReconnects restarts anseo behind the same address: the page
// shows that it is reconnecting, then recovers by itself.
func TestBrowserReconnects(t *testing.T) {
	t.Parallel()
	b := browsertest.Shared(t)

	front := newRestartable(t, nil)
	start := func(telnetUser string) func() {
		h, stop := front.start(hub.Options{Flood: noFlood})
		join(t, h, telnetUser, hub.TransportTelnet)
		return stop
	}
	stopFirst := start("bob")

	alice := b.NewTab(t, front.URL)
	alice.Login("alice")
	alice.WaitMember("bob", true)

	stopFirst() // every socket closes with 1001; reconnects find the hub gone
	alice.Do(chromedp.WaitVisible(browsertest.TestID("banner")))
	assert.Equal(t, "The server is restarting; reconnecting…", alice.Text("banner-text"))

	t.Cleanup(start("zed")) // the server is back, with other people in it
	alice.Do(chromedp.WaitNotVisible(browsertest.TestID("banner")))
	alice.WaitConnected()
	alice.WaitMember("zed", true)
	assert.Equal(t, []string{"zed/telnet", "alice/web"}, alice.Members(), "the list is the new welcome's")
	alice.WaitEvent("reconnected", "Reconnected")

	alice.Say("back again")
	alice.WaitDelivered("back again")
	assert.Empty(t, alice.Dialogs())
}

// TestBrowserSaysWhyItReconnects: the banner's words come from the close code
// alone (docs/protocol.md §5), and the page keeps trying.
func TestBrowserSaysWhyItReconnects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		limiter *connlimit.Limiter
		words   string
	}{
		{name: "server full: 1013", limiter: connlimit.New(10, 1), words: "The server is full."},
		{name: "too many from the address: 4029", limiter: connlimit.New(1, 10), words: "Too many connections from your address."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := browsertest.Shared(t)
			srv := startServerWith(t, web.Config{Limiter: tc.limiter}, hub.Options{Flood: noFlood})
			connect(t, srv.URL, "alice") // the one connection there is room for

			bob := b.NewTab(t, srv.URL)
			bob.TryLogin("bob")
			bob.Do(chromedp.WaitVisible(browsertest.TestID("banner")))
			assert.Regexp(t, `^`+regexp.QuoteMeta(tc.words)+` Reconnecting… \(attempt \d+\)$`, bob.Text("banner-text"))
			assertNoProblems(t, bob)
		})
	}
}

// TestBrowserIsolatesWhatUsersWrite: text a user wrote keeps its own
// direction and cannot turn the page's words around it: a message takes its
// direction from its own letters, and an action's or an away reason's text
// sits in a <bdi>. (The server has already removed the explicit bidi
// overrides: see internal/hub's cleanText.)
func TestBrowserIsolatesWhatUsersWrite(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	carol := join(t, srv.Hub, "carol", hub.TransportTelnet)
	alice.WaitMember("carol", true)
	require.NoError(t, carol.Say(t.Context(), "/me says שלום, friends", ""))
	require.NoError(t, carol.Say(t.Context(), "photo_\u202egnp.exe", ""))
	alice.WaitMessage("carol", "photo_gnp.exe")
	alice.WaitJS(`document.querySelector('[data-kind=action] bdi')?.textContent === 'says שלום, friends'`)
	alice.WaitJS(`[...document.querySelectorAll('[data-testid=message] .text')].every(p => p.dir === 'auto')`)
	require.NoError(t, carol.Say(t.Context(), "/away בחוץ", ""))
	alice.WaitJS(`[...document.querySelectorAll('[data-kind=away] bdi')].some(b => b.textContent === 'בחוץ')`)
	assertNoProblems(t, alice)
}
