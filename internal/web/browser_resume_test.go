package web_test

// End-to-end tests of resuming, tabs, commands from the page, presence and
// history: a real headless Chromium against the real server and hub.

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
)

// messageTexts returns the texts of the messages from `from` in the tab's
// log, in the order shown.
func messageTexts(tab *browsertest.Tab, from string) []string {
	return browsertest.Run(tab, chromedp.Evaluate[[]string](fmt.Sprintf(
		`[...document.querySelectorAll('[data-testid=message][data-from=%q]:not([data-kind]) .text')].map(e => e.textContent)`, from)))
}

func numbered(prefix string, first, last int) []string {
	var out []string
	for i := first; i <= last; i++ {
		out = append(out, fmt.Sprintf("%s %d", prefix, i))
	}
	return out
}

// TestBrowserReloadResumes reloads a page in the middle of a conversation,
// and leaves it and comes back: it shows every message once, in order, and
// the others never see it leave or join.
func TestBrowserReloadResumes(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	carol := watch(t, srv.Hub, "carol")
	say := func(text string) {
		require.NoError(t, carol.Say(context.Background(), text, ""))
	}

	for _, text := range numbered("line", 1, 5) {
		say(text)
	}
	alice.Say("mine, before the reload")
	alice.WaitDelivered("mine, before the reload")
	alice.WaitMessage("carol", "line 5")

	// A reload while carol goes on talking: some lines reach the old page,
	// some arrive while there is none, some reach the new one.
	talking := make(chan struct{})
	go func() {
		defer close(talking)
		for _, text := range numbered("line", 6, 10) {
			say(text)
		}
	}()
	alice.Do(chromedp.Reload())
	<-talking
	alice.WaitConnected()
	alice.WaitMessage("carol", "line 10")

	// Away for a moment (a blip, a closed laptop): everything said meanwhile
	// is missed, and replayed when the page comes back.
	alice.Open("/") // another page: the chat's socket closes
	for _, text := range numbered("line", 11, 15) {
		say(text)
	}
	alice.Open("/chat")
	alice.WaitConnected()
	alice.WaitMessage("carol", "line 15")
	alice.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=divider][data-kind=missed]`)))
	say("line 16")
	alice.WaitMessage("carol", "line 16")

	assert.Equal(t, numbered("line", 1, 16), messageTexts(alice, "carol"), "every line once, in order")
	assert.Equal(t, []string{"mine, before the reload"}, messageTexts(alice, "alice"))
	assert.Equal(t, 1, alice.Count(`[data-testid=message].own[data-state=delivered]`), "still her own, delivered")
	assert.Equal(t, []string{"alice/web", "carol/telnet"}, alice.Members())

	// The page resumed twice, and its token never was in a URL, where
	// a proxy would have logged it.
	assert.NotContains(t, srv.wsURLs.String(), "token")
	assert.Contains(t, srv.wsURLs.String(), "after=", "it resumed from where it was")

	// Carol saw none of it: no departure, no arrival.
	alice.Say("did you notice?")
	carol.waitMessage("did you notice?")
	assert.Zero(t, carol.seen(hub.KindLeft, "alice"))
	assert.Zero(t, carol.seen(hub.KindJoined, "alice"))
	assertNoProblems(t, alice)
}

// TestBrowserTwoTabs: two tabs of one browser are one person, who leaves
// when the last tab closes.
func TestBrowserTwoTabs(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServerWith(t, hub.Options{Flood: noFlood, Grace: shortGrace})
	alice := newTab()
	alice.Login("alice")
	bob := watch(t, srv.Hub, "bob")
	require.NoError(t, bob.Say(t.Context(), "hello alice", ""))
	alice.WaitMessage("bob", "hello alice")

	second := alice.Duplicate(t) // same browser: same cookie, same token
	second.Open("/chat")
	second.WaitConnected()
	assert.Equal(t, []string{"alice/web", "bob/telnet"}, second.Members(), "one alice")
	second.WaitMessage("bob", "hello alice") // a new tab starts with the recent history
	second.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=divider][data-kind=history]`)))

	alice.Say("from the first tab")
	alice.WaitDelivered("from the first tab")
	assert.Equal(t, "delivered", second.WaitMessage("alice", "from the first tab"), "the other tab shows it as its own")
	bob.waitMessage("from the first tab")
	roster, err := srv.Hub.Roster(t.Context(), "")
	require.NoError(t, err)
	assert.Len(t, roster.People, 2, "one alice in the room")

	second.Close()
	alice.Say("one tab left")
	bob.waitMessage("one tab left")
	assert.Zero(t, bob.seen(hub.KindJoined, "alice"), "bob saw no second alice join")
	assert.Zero(t, bob.seen(hub.KindLeft, "alice"), "nor leave")

	alice.Close()
	left := bob.waitFor("alice leaves", func(ev *hub.Event) bool { return ev.Kind == hub.KindLeft }) // after the grace period
	assert.Equal(t, "alice", left.Name)
}

// TestBrowserCommands: the commands typed, and the same things done without
// typing them.
func TestBrowserCommands(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice, bob := newTab(), newTab()
	alice.Login("alice")
	bob.Login("bob")
	carol := watch(t, srv.Hub, "carol")
	alice.WaitMember("carol", true)

	t.Run("clicking a name starts a private message", func(t *testing.T) {
		alice.Do(chromedp.Click(chromedp.CSS(`[data-testid=member][data-name=bob] [data-testid=member-name]`)))
		assert.Equal(t, "/msg bob ", alice.Value("input"))
		alice.Say("psst")
		bob.WaitJS(`[...document.querySelectorAll('[data-kind=private][data-from=alice]')].some(e => e.textContent.includes('alice → you') && e.querySelector('.text').textContent === 'psst')`)
		alice.WaitJS(`[...document.querySelectorAll('[data-kind=private].own[data-to=bob]')].some(e => e.textContent.includes('→ bob') && e.querySelector('.text').textContent === 'psst')`)
		alice.Say("in public")
		carol.waitMessage("in public")
		for _, ev := range carol.log {
			assert.NotEqual(t, hub.KindPrivate, ev.Kind, "carol never saw it")
		}
	})

	t.Run("the away toggle", func(t *testing.T) {
		alice.Do(chromedp.Click(browsertest.TestID("away-toggle")))
		bob.WaitJS(`document.querySelector('[data-testid=member][data-name=alice]')?.dataset.away === 'true'`)
		bob.WaitEvent("away", "alice is away")
		alice.WaitJS(`document.getElementById('away-toggle').getAttribute('aria-pressed') === 'true'`)
		alice.Do(chromedp.Click(browsertest.TestID("away-toggle")))
		bob.WaitJS(`document.querySelector('[data-testid=member][data-name=alice]')?.dataset.away === 'false'`)
		bob.WaitEvent("away", "alice is back")
	})

	t.Run("/away with a reason; speaking brings you back", func(t *testing.T) {
		require.NoError(t, carol.Say(t.Context(), "/away lunch", ""))
		alice.WaitJS(`document.querySelector('[data-testid=member][data-name=carol] [data-testid=member-status]')?.textContent === 'away: lunch'`)
		require.NoError(t, carol.Say(t.Context(), "back already", ""))
		alice.WaitMessage("carol", "back already")
		alice.WaitJS(`document.querySelector('[data-testid=member][data-name=carol]')?.dataset.away === 'false'`)
	})

	t.Run("/me", func(t *testing.T) {
		alice.Say("/me waves")
		bob.WaitEvent("action", "** alice waves")
		alice.WaitEvent("action", "** alice waves")
	})

	t.Run("// sends a line that starts with /", func(t *testing.T) {
		alice.Say("//shrug")
		alice.WaitDelivered("/shrug")
		bob.WaitMessage("alice", "/shrug")
	})

	t.Run("/help and an unknown command answer alice alone", func(t *testing.T) {
		alice.Say("/help")
		alice.WaitJS(`[...document.querySelectorAll('[data-kind=notice] pre')].some(e => e.textContent.includes('/msg NAME TEXT'))`)
		alice.Say("/frobnicate")
		alice.WaitEvent("notice", "Unknown command /frobnicate")
		assert.Zero(t, bob.Count(`[data-kind=notice]`))
	})

	t.Run("/nick renames everywhere", func(t *testing.T) {
		alice.Say("/nick alicia")
		bob.WaitEvent("renamed", "alice is now known as alicia")
		bob.WaitMember("alicia", true)
		bob.WaitMember("alice", false)
		alice.WaitJS(`document.querySelector('[data-testid=me]').textContent === 'alicia'`)
		alice.WaitJS(`document.querySelector('[data-testid=member][data-name=alicia] .you') !== null`)
		alice.Say("new name, same me")
		alice.WaitDelivered("new name, same me")
		bob.WaitMessage("alicia", "new name, same me")
	})

	t.Run("/quit with parting words", func(t *testing.T) {
		alice.Submit(chromedp.SendKeys(browsertest.TestID("input"), "/quit see you\n"))
		assert.Equal(t, "/", alice.Path(), "back at the login form")
		bob.WaitEvent("left", "alicia left: “see you”")
		bob.WaitMember("alicia", false)
	})
	assertNoProblems(t, alice, bob)
}

// TestBrowserPresence: the user list shows how long someone has been idle,
// and brings it up to date when they speak.
func TestBrowserPresence(t *testing.T) {
	t.Parallel()
	var offset atomic.Int64 // the hub's clock runs this far behind
	srv, newTab := browserServerWith(t, hub.Options{Flood: noFlood, Now: func() time.Time {
		return time.Now().Add(-time.Duration(offset.Load()))
	}})
	offset.Store(int64(12 * time.Minute))
	dave := join(t, srv.Hub, "dave", hub.TransportTelnet) // last active 12 minutes ago
	offset.Store(0)

	alice := newTab()
	alice.Login("alice")
	alice.WaitJS(`document.querySelector('[data-testid=member][data-name=dave]')?.dataset.idle === 'idle 12m'`)
	assert.Equal(t, "idle 12m", alice.Text("member-status"))
	assert.Equal(t, []string{"dave/telnet", "alice/web"}, alice.Members())

	require.NoError(t, dave.Say(t.Context(), "not idle any more", ""))
	alice.WaitJS(`document.querySelector('[data-testid=member][data-name=dave]')?.dataset.idle === ''`)
	assertNoProblems(t, alice)
}

// TestBrowserHistory: a newcomer sees the recent history, loads older
// messages by scrolling to the top, and searches.
func TestBrowserHistory(t *testing.T) {
	t.Parallel()
	store, err := history.Open(t.Context(), history.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	srv, newTab := browserServerWith(t, hub.Options{Flood: noFlood, Store: store})
	carol := join(t, srv.Hub, "carol", hub.TransportTelnet)
	for i := 1; i <= 120; i++ {
		text := fmt.Sprintf("old %d", i)
		if i == 7 {
			text = "the needle is here"
		}
		require.NoError(t, carol.Say(t.Context(), text, ""))
	}

	alice := newTab()
	alice.Login("alice")
	alice.WaitMessage("carol", "old 120")
	alice.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=divider][data-kind=history]`)))
	assert.Equal(t, numbered("old", 71, 120), messageTexts(alice, "carol"), "the last 50, after the welcome")

	// Scrolling to the top loads the page before, and keeps in view what
	// the reader was looking at.
	// Where old 71 will be on the screen when the log is scrolled to the top,
	// once the page has found that there are older messages and offers them
	// above it.
	alice.WaitJS(`!document.getElementById('load-older').hidden`)
	before := browsertest.Run(alice, chromedp.Evaluate[float64](
		`document.querySelector('[data-testid=message]').getBoundingClientRect().top + document.getElementById('messages').scrollTop`))
	alice.Do(chromedp.Evaluate[chromedp.Void](`document.getElementById('messages').scrollTop = 0`))
	alice.WaitJS(`document.querySelectorAll('[data-testid=message]').length === 100`)
	assert.Equal(t, numbered("old", 21, 120), messageTexts(alice, "carol"))
	after := browsertest.Run(alice, chromedp.Evaluate[float64](
		`[...document.querySelectorAll('[data-testid=message]')].find(e => e.textContent.includes('old 71')).getBoundingClientRect().top`))
	assert.InDelta(t, before, after, 2, "old 71 stays where it was on the screen")

	t.Run("search", func(t *testing.T) {
		alice.Do(chromedp.SendKeys(browsertest.TestID("search-input"), "NEEDLE\n"))
		alice.Do(chromedp.WaitVisible(browsertest.TestID("search-panel")))
		alice.WaitJS(`document.querySelectorAll('[data-testid=search-result]').length === 1`)
		assert.Contains(t, alice.Text("search-results"), "the needle is here")
		assert.Contains(t, alice.Text("search-heading"), "1 found")
		alice.Do(chromedp.Click(browsertest.TestID("search-close")))
		alice.Do(chromedp.WaitNotVisible(browsertest.TestID("search-panel")))
	})
	assertNoProblems(t, alice)
}

// TestBrowserTokenIsInTheCookieBeforeAReload: the resume cookie holds the
// person's token from the welcome on. Written only as the page connects, it
// could reach the browser's cookie jar after the reload's connection had
// gone without it: the page then came back as a new connection of its
// login, not resumed, and showed nothing of what it had.
func TestBrowserTokenIsInTheCookieBeforeAReload(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	token := browsertest.Run(alice, chromedp.Evaluate[string](`Object.entries(localStorage).find(([k]) => k.startsWith('anseo.token.'))?.[1] || ''`))
	require.NotEmpty(t, token, "the welcome's token is kept")

	assert.Equal(t, token, waitCookie(t, alice, srv.URL+"/ws", "anseo_resume", token), "in the cookie before any reload")
	assertNoProblems(t, alice)
}

// waitCookie waits until the browser's cookie jar gives url the cookie
// name with value (a page's own cookie reaches the jar on the browser's
// time, not at once), for at most 5 s, and returns the value it last had.
func waitCookie(t *testing.T, tab *browsertest.Tab, url, name, value string) string {
	t.Helper()
	get := func() string {
		res, err := chromedp.Call(tab.Context(), network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
		require.NoError(t, err)
		for _, c := range res.Cookies {
			if c.Name == name {
				return c.Value
			}
		}
		return ""
	}
	deadline := time.Now().Add(5 * time.Second)
	got := get()
	for got != value && time.Now().Before(deadline) {
		got = get()
	}
	return got
}
