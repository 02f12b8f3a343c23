package web_test

// Registered names and moderation in a real browser: the login's password
// step, registering from the page, and an operator removing a message and
// kicking someone from the user list's menu.

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/accounts"
	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/web"
)

// accountsBrowser starts a server that keeps registered names (in an
// SQLite history in memory), with operators as -operators lists them,
// behind a proxy it trusts; newTab opens a tab for a new user at addr (the
// proxy's X-Forwarded-For), so that each may have an address of its own.
func accountsBrowser(t *testing.T, operators ...string) (srv *testServer, store *history.Store, newTab func(addr string) *browsertest.Tab) {
	t.Helper()
	b := browsertest.Shared(t) // skips (or fails in CI) without a browser
	store, err := history.Open(t.Context(), history.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() }) // registered first, so it runs after the hub has stopped
	cfg := web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	srv = startServerWith(t, cfg, hub.Options{Flood: noFlood, Store: store, Accounts: store, Operators: operators, PasswordCost: cheapHash})
	return srv, store, func(addr string) *browsertest.Tab {
		tab := b.NewTab(t, srv.URL)
		_, err := chromedp.Call(tab.Context(), network.Enable, network.EnableParams{})
		require.NoError(t, err)
		_, err = chromedp.Call(tab.Context(), network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"X-Forwarded-For": addr}})
		require.NoError(t, err)
		return tab
	}
}

// createAccount registers name with password in store, as /register would.
func createAccount(t *testing.T, store *history.Store, name, password string) {
	t.Helper()
	hash, err := accounts.Hash(t.Context(), password, cheapHash)
	require.NoError(t, err)
	require.NoError(t, store.CreateAccount(t.Context(), hub.NameKey(name), hub.Account{Name: name, Hash: hash, Created: time.Now()}))
}

// logInWithPassword logs in as name and gives its password at the second
// step, then waits until the chat is connected.
func logInWithPassword(tab *browsertest.Tab, name, password string) {
	tab.TryLogin(name)
	tab.Submit(chromedp.SendKeys(browsertest.TestID("password-input"), password+"\n"))
	tab.WaitConnected()
}

// memberMark is what the user list says of name: "registered", "operator",
// "roomOp", joined by "+", or "" for none.
func memberMark(tab *browsertest.Tab, name string) string {
	return browsertest.Run(tab, chromedp.Evaluate[string](`(() => {
		const e = [...document.querySelectorAll('[data-testid=member]')].find(e => e.dataset.name === `+jsQuote(name)+`);
		if (!e) return 'absent';
		return ['registered', 'operator', 'roomOp'].filter(k => e.dataset[k] === 'true').join('+');
	})()`))
}

func jsQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func TestBrowserLoginAsksForThePassword(t *testing.T) {
	t.Parallel()
	_, store, newTab := accountsBrowser(t)
	createAccount(t, store, "alice", "correct horse")

	guesser := newTab("203.0.113.9")
	guesser.TryLogin("alice")
	assert.Contains(t, guesser.Text("password-prompt"), "alice is a registered name: enter its password")
	assert.Equal(t, "alice", guesser.Text("password-name"))
	guesser.Submit(chromedp.SendKeys(browsertest.TestID("password-input"), "not the one\n"))
	assert.Equal(t, "Wrong password.", guesser.Text("login-error"))
	assert.Empty(t, guesser.Value("password-input"), "the password is not shown again")
	assert.Equal(t, "/login", guesser.Path())

	// The owner, elsewhere, is not slowed by the guesser.
	alice := newTab("198.51.100.7")
	logInWithPassword(alice, "alice", "correct horse")
	alice.WaitJS(`document.querySelector('[data-testid=member][data-name=alice]')?.dataset.registered === 'true'`)
	assert.Equal(t, "registered", memberMark(alice, "alice"))
	assert.Equal(t, 0, alice.Count(`[data-testid=member-menu]:not([hidden])`)-countHiddenMenus(alice), "no operator: no menu shown")

	// The login page says what registering gives.
	other := newTab("192.0.2.1")
	other.Open("/")
	assert.Contains(t, other.Text("about-registering"), "/register")
	assertNoProblems(t, alice, other) // the guesser's page was a 422
}

// countHiddenMenus counts the name menus the style sheet keeps out of
// sight: all of them, on the page of someone who is no operator.
func countHiddenMenus(tab *browsertest.Tab) int {
	return browsertest.Run(tab, chromedp.Evaluate[int](`[...document.querySelectorAll('[data-testid=member-menu]:not([hidden])')].filter(e => getComputedStyle(e).display === 'none').length`))
}

func TestBrowserRegisterFromThePage(t *testing.T) {
	t.Parallel()
	srv, _, newTab := accountsBrowser(t)
	w := watch(t, srv.Hub, "watcher")
	bob, carol := newTab("192.0.2.1"), newTab("192.0.2.2")
	bob.Login("bob")
	carol.Login("carol")
	carol.WaitMember("bob", true)
	assert.Equal(t, "", memberMark(carol, "bob"))

	// Whatever follows /register is not sent: it may be a password.
	bob.Say("/register hunter2hunter2")
	bob.WaitJS(`document.getElementById('account-dialog').open`)
	assert.Empty(t, bob.Value("input"))
	assert.Contains(t, bob.Text("account-about"), "Protect bob with a password")
	assert.Empty(t, bob.Text("account-status"), "the Enter that sent /register does not submit the form it opened")

	bob.Do(
		chromedp.SendKeys(browsertest.TestID("account-password"), "bobs secret"),
		chromedp.SendKeys(browsertest.TestID("account-again"), "bobs secreT"),
		chromedp.Click(browsertest.TestID("account-submit")),
	)
	bob.WaitJS(`document.querySelector('[data-testid=account-status]').textContent === 'The two passwords differ.'`)
	browsertest.Run(bob, chromedp.Evaluate[bool](`(document.getElementById('account-again').value = '') === ''`))
	bob.Do(
		chromedp.SendKeys(browsertest.TestID("account-again"), "bobs secret"),
		chromedp.Click(browsertest.TestID("account-submit")),
	)
	bob.WaitJS(`!document.getElementById('account-dialog').open || !['The two passwords differ.', 'Just a moment…'].includes(document.querySelector('[data-testid=account-status]').textContent)`)
	require.False(t, browsertest.Run(bob, chromedp.Evaluate[bool](`document.getElementById('account-dialog').open`)),
		"done, the dialog closed: not %q", bob.Text("account-status"))
	bob.WaitEvent("account", "Your name is now registered")
	carol.WaitJS(`document.querySelector('[data-testid=member][data-name=bob]')?.dataset.registered === 'true'`)
	bob.WaitJS(`document.querySelector('[data-testid=member][data-name=bob]')?.dataset.registered === 'true'`)

	// (In headless Chromium, keys typed after this form with its password
	// fields closed reach the box only once the page is clicked, though the
	// box has the focus; after the moderation dialog, which has none, they
	// reach it at once.)
	bob.Do(chromedp.Click(browsertest.TestID("input")))
	bob.Say("after registering")
	bob.WaitDelivered("after registering")
	w.waitMessage("after registering")
	for _, ev := range w.log {
		assert.NotContains(t, ev.Text, "hunter2", "nothing typed after /register reached the room")
		assert.NotContains(t, ev.Text, "bobs secret")
	}
	assertNoProblems(t, bob, carol)
}

func TestBrowserOperatorRemovesAndKicks(t *testing.T) {
	t.Parallel()
	_, store, newTab := accountsBrowser(t, "boss")
	createAccount(t, store, "boss", "boss password")
	boss, eve, carol := newTab("198.51.100.7"), newTab("203.0.113.66"), newTab("192.0.2.2")
	logInWithPassword(boss, "boss", "boss password")
	eve.Login("eve")
	carol.Login("carol")
	boss.WaitMember("carol", true)
	assert.Equal(t, "registered+operator", memberMark(boss, "boss"), "a server operator, marked so")
	assert.Equal(t, "registered+operator", memberMark(carol, "boss"))

	eve.Say("cheap watches at example.com")
	boss.WaitMessage("eve", "cheap watches at example.com")
	carol.WaitMessage("eve", "cheap watches at example.com")
	assert.Equal(t, 0, carol.Count(`[data-testid=remove-message]`)-hiddenCount(carol, "remove-message"), "carol is no operator: no remove buttons")

	// Remove: the message shows as removed on every page.
	boss.Do(chromedp.Click(chromedp.CSS(`[data-testid=message][data-from=eve] [data-testid=remove-message]`)))
	removed := `[...document.querySelectorAll('[data-testid=message][data-from=eve]')].some(m => m.dataset.removed === 'true' && m.querySelector('.text').textContent === 'message removed')`
	for _, tab := range []*browsertest.Tab{boss, eve, carol} {
		tab.WaitJS(removed)
		assert.NotContains(t, browsertest.Run(tab, chromedp.Evaluate[string](`document.getElementById('messages').textContent`)), "cheap watches")
	}

	// A search result shows it removed too, when it goes.
	eve.Say("second spam here")
	boss.WaitMessage("eve", "second spam here")
	msgID := browsertest.Run(boss, chromedp.Evaluate[string](`[...document.querySelectorAll('[data-testid=message][data-from=eve]')].find(m => m.querySelector('.text').textContent === 'second spam here').dataset.id`))
	boss.Do(chromedp.SendKeys(browsertest.TestID("search-input"), "second spam\n"))
	boss.WaitJS(`[...document.querySelectorAll('[data-testid=search-result] .text')].some(e => e.textContent === 'second spam here')`)
	boss.Say("/remove " + msgID)
	boss.WaitJS(`[...document.querySelectorAll('[data-testid=search-result]')].some(e => e.dataset.removed === 'true' && e.querySelector('.text').textContent === 'message removed')`)
	boss.Do(chromedp.Click(browsertest.TestID("search-close")))

	// A reload shows it removed, not as it kept it before.
	carol.Open("/chat")
	carol.WaitConnected()
	carol.WaitJS(removed)
	assert.NotContains(t, browsertest.Run(carol, chromedp.Evaluate[string](`document.getElementById('messages').textContent`)), "cheap watches")

	// A newcomer's history shows it removed too.
	dave := newTab("192.0.2.3")
	dave.Login("dave")
	dave.WaitJS(removed)

	// Mute, for ten minutes, from the menu on carol's name: what she says
	// is marked not sent.
	boss.Do(chromedp.Click(chromedp.CSS(`[data-testid=member][data-name=carol] [data-testid=member-menu]`)))
	boss.WaitJS(`document.getElementById('moderate-dialog').open`)
	boss.Do(
		chromedp.SetValue(browsertest.TestID("moderate-duration"), "10m"),
		chromedp.Click(browsertest.TestID("moderate-mute")),
	)
	carol.WaitEvent("moderation", "carol was muted by boss for 10 minutes")
	carol.Say("can anyone hear me")
	carol.WaitJS(`[...document.querySelectorAll('[data-testid=message][data-state=failed] .text')].some(e => e.textContent === 'can anyone hear me')`)

	// Kick, from the menu on eve's name.
	boss.Do(chromedp.Click(chromedp.CSS(`[data-testid=member][data-name=eve] [data-testid=member-menu]`)))
	boss.WaitJS(`document.getElementById('moderate-dialog').open`)
	assert.Equal(t, "Moderate eve in #lobby", boss.Text("moderate-heading"))
	assert.True(t, browsertest.Run(boss, chromedp.Evaluate[bool](`document.querySelector('[data-testid=moderate-op]').hidden`)), "eve's name is not registered: she cannot be made an operator")
	boss.Do(
		chromedp.SendKeys(browsertest.TestID("moderate-reason"), "spam"),
		chromedp.Click(browsertest.TestID("moderate-kick")),
	)
	boss.WaitEvent("moderation", "eve was kicked by boss: spam")
	boss.Say("typed after the dialog")
	boss.WaitDelivered("typed after the dialog")
	carol.WaitEvent("moderation", "eve was kicked by boss: spam")
	carol.WaitMember("eve", false)
	boss.WaitMember("eve", false)
	eve.WaitJS(`document.querySelector('[data-testid=banner-text]').textContent.includes('eve was kicked by boss: spam')`)
	assert.Equal(t, "offline", browsertest.Run(eve, chromedp.Evaluate[string](`document.getElementById('status-dot').dataset.state`)))
	assert.Equal(t, 0, carol.Count(`[data-testid=event][data-kind=left]`), "the departure is said once, by the kick")

	// Ban, for a day: carol's page says so, and stays out.
	boss.Do(chromedp.Click(chromedp.CSS(`[data-testid=member][data-name=carol] [data-testid=member-menu]`)))
	boss.WaitJS(`document.getElementById('moderate-dialog').open`)
	boss.Do(
		chromedp.SetValue(browsertest.TestID("moderate-duration"), "1d"),
		chromedp.SendKeys(browsertest.TestID("moderate-reason"), "still spamming"),
		chromedp.Click(browsertest.TestID("moderate-ban")),
	)
	boss.WaitMember("carol", false)
	carol.WaitJS(`/banned by boss until .*: still spamming/.test(document.querySelector('[data-testid=banner-text]').textContent)`)
	assert.Equal(t, "offline", browsertest.Run(carol, chromedp.Evaluate[string](`document.getElementById('status-dot').dataset.state`)))
	assertNoProblems(t, boss, eve, carol, dave)
}

// hiddenCount counts the elements with testID that the style sheet keeps
// out of sight.
func hiddenCount(tab *browsertest.Tab, testID string) int {
	return browsertest.Run(tab, chromedp.Evaluate[int](`[...document.querySelectorAll('[data-testid=`+testID+`]')].filter(e => getComputedStyle(e).display === 'none').length`))
}

// TestBrowserRoomOperatorKicksOutOfTheRoom: whoever makes a room, logged
// in to a registered name, is its operator (its own entry in the room's
// list says so), and its menu kicks out of that room alone: the kicked
// page drops the room and says why where it is.
func TestBrowserRoomOperatorKicksOutOfTheRoom(t *testing.T) {
	t.Parallel()
	_, store, newTab := accountsBrowser(t)
	createAccount(t, store, "alice", "alice password")
	alice, bob := newTab("198.51.100.7"), newTab("192.0.2.1")
	logInWithPassword(alice, "alice", "alice password")
	bob.Login("bob")
	assert.Equal(t, 0, alice.Count(`#members.can-moderate`), "no operator of #lobby")

	alice.Say("/join #help")
	waitShowing(alice, "#help", "/r/help")
	alice.WaitJS(`document.querySelector('#members.can-moderate [data-testid=member][data-name=alice]')?.dataset.roomOp === 'true'`)
	bob.Say("/join #help")
	waitShowing(bob, "#help", "/r/help")
	alice.WaitMember("bob", true)
	assert.Equal(t, "registered+roomOp", memberMark(bob, "alice"), "bob's page marks alice too")

	alice.Do(chromedp.Click(chromedp.CSS(`[data-testid=member][data-name=bob] [data-testid=member-menu]`)))
	alice.WaitJS(`document.getElementById('moderate-dialog').open`)
	assert.Equal(t, "Moderate bob in #help", alice.Text("moderate-heading"))
	alice.Do(
		chromedp.SendKeys(browsertest.TestID("moderate-reason"), "off topic"),
		chromedp.Click(browsertest.TestID("moderate-kick")),
	)
	alice.WaitEvent("moderation", "bob was kicked out of #help by alice: off topic")
	alice.WaitMember("bob", false)
	bob.WaitJS(`!document.querySelector('[data-testid=conv][data-name="#help"]')`)
	bob.WaitEvent("moderation", "bob was kicked out of #help by alice: off topic")
	assert.Equal(t, "online", browsertest.Run(bob, chromedp.Evaluate[string](`document.getElementById('status-dot').dataset.state`)), "still on the server")
	assertNoProblems(t, alice, bob)
}
