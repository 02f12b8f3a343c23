package web_test

// What the page says about its connection: where its status lines go, and
// that they go away once they are no longer true.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/hub"
)

// recordBanner has the page note every text its banner shows, in
// window.bannerTexts.
const recordBanner = `(() => {
	window.bannerTexts = [];
	const banner = document.getElementById('banner');
	new MutationObserver(() => {
		if (!banner.hidden) window.bannerTexts.push(document.getElementById('banner-text').textContent);
	}).observe(banner, { subtree: true, childList: true, characterData: true, attributes: true });
	return true;
})()`

// TestBrowserARestartIsCalm stops anseo cleanly and starts it again behind
// the same address. The page writes the line the line port writes, says
// the server is restarting and nothing else while it is down (however many
// attempts find it so), and once back puts "Reconnected" below what the
// server replayed, at the end of the log, and takes back its "Not
// connected" hint.
func TestBrowserARestartIsCalm(t *testing.T) {
	t.Parallel()
	b := browsertest.Shared(t)

	attempts := make(chan struct{}, 100) // one per /ws request
	front := newRestartable(t, func(r *http.Request) {
		if r.URL.Path == "/ws" {
			select {
			case attempts <- struct{}{}:
			default:
			}
		}
	})
	start := func() (*hub.Hub, func()) { return front.start(hub.Options{Flood: noFlood}) }
	waitAttempt := func() {
		t.Helper()
		select {
		case <-attempts:
		case <-time.After(10 * time.Second):
			t.Fatal("the page did not try to connect")
		}
	}
	_, stopFirst := start()

	alice := b.NewTab(t, front.URL)
	alice.Login("alice")
	waitAttempt()
	require.True(t, browsertest.Run(alice, chromedp.Evaluate[bool](recordBanner)))

	stopFirst() // a clean stop: every socket closes with 1001
	alice.Do(chromedp.WaitVisible(browsertest.TestID("banner")))
	alice.WaitEvent("notice", "Server is shutting down.")
	waitAttempt()
	waitAttempt() // two attempts that found it still down
	alice.Say("said while it was down")
	assert.Contains(t, alice.Text("composer-hint"), "Not connected")

	h, stopSecond := start()
	t.Cleanup(stopSecond)
	zed := join(t, h, "zed", hub.TransportTelnet)
	require.NoError(t, zed.Say(t.Context(), "hello from the new server", ""))
	alice.Do(chromedp.WaitNotVisible(browsertest.TestID("banner")))
	alice.WaitConnected()
	alice.WaitMessage("zed", "hello from the new server") // replayed, as recent history
	alice.WaitEvent("reconnected", "Reconnected")

	texts := browsertest.Run(alice, chromedp.Evaluate[[]string](`window.bannerTexts`))
	require.NotEmpty(t, texts)
	for _, text := range texts {
		assert.Equal(t, "The server is restarting; reconnecting…", text, "every banner while it was down")
	}
	assert.Equal(t, "reconnected", browsertest.Run(alice, chromedp.Evaluate[string](
		`(e => e.dataset.kind || e.dataset.testid)([...document.querySelectorAll('#messages .conv-log')].find(l => !l.hidden).lastElementChild)`)), "the status line is last in the room shown, below the replay")
	assert.Empty(t, alice.Text("composer-hint"), "connected again: the hint is no longer true")
	assert.Equal(t, "said while it was down", alice.Value("input"), "what was typed is still there")
	assert.Empty(t, alice.Dialogs()) // the console has the refused attempts: not problems here
}

// TestBrowserLongNamesAndReasonsFit: a long name and a long away reason
// are cut short with an ellipsis in the user list, which keeps its width
// and its badges in the window, and are shown whole on hover and focus.
func TestBrowserLongNamesAndReasonsFit(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	long := "abcdefghijklmnopqrstuvwxyzABCDEF" // 32: as long as a name may be
	carol := join(t, srv.Hub, long, hub.TransportTelnet)
	reason := strings.Repeat("gone to the far side of the moon and back ", 6) + strings.Repeat("x", 120)
	require.NoError(t, carol.Say(t.Context(), "/away "+reason, ""))
	entry := fmt.Sprintf(`document.querySelector('[data-testid=member][data-name=%q]')`, long)
	alice.WaitJS(entry + `?.dataset.away === 'true'`)

	fits := browsertest.Run(alice, chromedp.Evaluate[[]string](`(() => {
		const out = [];
		const people = document.getElementById('people').getBoundingClientRect();
		if (people.right > window.innerWidth + 0.5) out.push('the list leaves the window');
		for (const m of document.querySelectorAll('[data-testid=member]')) {
			const badge = m.querySelector('.badge').getBoundingClientRect();
			if (badge.right > people.right + 0.5) out.push(m.dataset.name + ': the badge leaves the list');
		}
		return out;
	})()`))
	assert.Empty(t, fits)
	assert.Equal(t, 16*16.0, browsertest.Run(alice, chromedp.Evaluate[float64](`document.getElementById('people').getBoundingClientRect().width`)), "the list keeps its width")

	truncated := func(sel string) bool {
		return browsertest.Run(alice, chromedp.Evaluate[bool](fmt.Sprintf(`(e => e.scrollWidth > e.clientWidth && getComputedStyle(e).textOverflow === 'ellipsis')(%s.querySelector(%q))`, entry, sel)))
	}
	assert.True(t, truncated(".member-status"), "the reason is cut short")
	assert.True(t, truncated(".member-name"), "so is the name")
	assert.Equal(t, "Away: "+strings.TrimSpace(reason), browsertest.Run(alice, chromedp.Evaluate[string](entry+`.querySelector('.member-status').title`)))

	// Focus (the keyboard's hover) shows both whole.
	require.True(t, browsertest.Run(alice, chromedp.Evaluate[bool](entry+`.querySelector('[data-testid=member-name]').focus() ?? true`)))
	assert.False(t, truncated(".member-status"), "focused: the reason is whole")
	assert.False(t, truncated(".member-name"), "and the name")
	assert.Empty(t, browsertest.Run(alice, chromedp.Evaluate[[]string](`(() => {
		const people = document.getElementById('people').getBoundingClientRect();
		return [...document.querySelectorAll('[data-testid=member] .badge')].filter(b => b.getBoundingClientRect().right > people.right + 0.5).map(b => 'badge out');
	})()`)), "still in the list")
	assertNoProblems(t, alice)
}
