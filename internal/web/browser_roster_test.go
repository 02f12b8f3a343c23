package web_test

// The live user list against what a reload shows: whatever someone does, in
// whatever order, the list a page keeps up to date event by event is the
// list a fresh welcome gives.

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/hub"
)

// listView is what a page shows of the room: each user list entry (name,
// transport, away and why, whether it is ours), our name and whether the
// away button is pressed. Idle times are left out: they are the clock's,
// and a slow run crosses a minute.
const listView = `[
	...[...document.querySelectorAll('[data-testid=member]')].map(e => [
		e.dataset.name, e.dataset.transport, e.dataset.away,
		e.querySelector('[data-testid=member-status]').textContent.replace(/( · )?idle \d+[mhd]$/, ''),
		e.querySelector('.you') ? 'you' : '',
	].join('|')),
	'me: ' + document.getElementById('me').textContent,
	'away button: ' + document.getElementById('away-toggle').getAttribute('aria-pressed'),
]`

func viewOf(tab *browsertest.Tab) []string {
	return browsertest.Run(tab, chromedp.Evaluate[[]string](listView))
}

// everyOrder is a script of /nick, /away, /back and a message in which each
// of them follows each other one: an Eulerian circuit of the twelve
// ordered pairs, so that after every step of it the list has come by every
// way there is from the step before.
var everyOrder = []string{"nick", "away", "nick", "back", "nick", "msg", "away", "back", "away", "msg", "back", "msg", "nick"}

// TestBrowserLiveListIsWhatAReloadShows runs bob through /nick, /away,
// /back and a message, each after each other (everyOrder), then /away and
// /quit, and after every step compares what alice's and bob's pages show
// with what they show after a reload.
func TestBrowserLiveListIsWhatAReloadShows(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice, bob := newTab(), newTab()
	alice.Login("alice")
	bob.Login("bob")
	alice.WaitMember("bob", true)

	nicks := 0
	// do has bob type line, then /who, whose answer comes once everything
	// bob did before it is in the room; then alice is waited for until she
	// has had it all too.
	do := func(line string) {
		t.Helper()
		const whos = `[...document.querySelectorAll('[data-kind=notice] pre')].filter(e => e.textContent.includes(' in #lobby:')).length`
		before := browsertest.Run(bob, chromedp.Evaluate[int](whos))
		bob.Say(line)
		bob.Say("/who")
		bob.WaitJS(fmt.Sprintf(`%s > %d`, whos, before))
		last, err := srv.Hub.LastID(t.Context())
		require.NoError(t, err)
		alice.WaitJS(fmt.Sprintf(`document.querySelector('[data-id="%d"]') !== null`, last))
	}
	compare := func(what string, tabs ...*browsertest.Tab) {
		t.Helper()
		for _, tab := range tabs {
			live := viewOf(tab)
			tab.Do(chromedp.Reload())
			tab.WaitConnected()
			assert.Equal(t, viewOf(tab), live, "after %s", what)
		}
	}

	ops := map[string]func() string{
		"away": func() string { return "/away lunch" },
		"back": func() string { return "/back" },
		"nick": func() string { nicks++; return fmt.Sprintf("/nick bob%d", nicks) },
		"msg":  func() string { return "hello" },
	}
	for i, op := range everyOrder {
		do(ops[op]())
		compare(fmt.Sprint(everyOrder[:i+1]), alice, bob)
	}
	do("/away gone for good")
	bob.Submit(chromedp.SendKeys(browsertest.TestID("input"), "/quit bye\n"))
	alice.WaitEvent("left", "left: “bye”")
	compare("/away, /quit", alice)
	assertNoProblems(t, alice)
}

// TestBrowserShowsAStormOfJoinsWhole: people who come within a tenth of a
// second of one another reach the page as one joins message (see
// TestAStormOfJoinsSharesFrames); the page lists each, and says in its log
// that each joined, as it would had they come one by one.
func TestBrowserShowsAStormOfJoinsWhole(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	const storm = 30
	for i := range storm {
		join(t, srv.Hub, fmt.Sprint("p", i), hub.TransportTelnet)
	}
	alice.WaitMember(fmt.Sprint("p", storm-1), true)

	const joinedLines = `[...document.querySelectorAll('[data-kind=joined]')].map(e => e.textContent)`
	lines := browsertest.Run(alice, chromedp.Evaluate[[]string](joinedLines))
	require.Len(t, lines, storm)
	for i, line := range lines {
		assert.Contains(t, line, fmt.Sprintf("p%d joined", i))
	}
	live := viewOf(alice)
	assert.Len(t, live, 1+storm+2, "alice, everyone who came, and the two lines of state")
	alice.Do(chromedp.Reload())
	alice.WaitConnected()
	assert.Equal(t, viewOf(alice), live, "after a reload")
}
