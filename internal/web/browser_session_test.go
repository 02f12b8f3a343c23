package web_test

// A browser's login: one presence however many tabs it opens, and the
// same person, under the name it goes by now, after a restart.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/web"
)

// TestBrowserLoginPageOfAPersonInTheChat: a browser that is in the chat
// and opens the login page again is not asked for a name its own presence
// holds ("That name is taken"): it may continue as itself, one presence, or
// log out, which takes it out of the room, other tabs and all.
func TestBrowserLoginPageOfAPersonInTheChat(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	bob := watch(t, srv.Hub, "bob")
	alice.WaitMember("bob", true)

	second := alice.Duplicate(t) // the same browser
	second.Open("/")
	assert.Zero(t, second.Count(`[data-testid=login-form]`), "no form asking for a name")
	assert.Equal(t, "You are in the chat as alice.", second.Text("chatting"))
	second.Submit(chromedp.Click(browsertest.TestID("continue")))
	second.WaitConnected()
	assert.Equal(t, []string{"alice/web", "bob/telnet"}, second.Members(), "one alice")
	roster, err := srv.Hub.Roster(t.Context(), "")
	require.NoError(t, err)
	assert.Len(t, roster.People, 2, "one alice in the room")

	third := alice.Duplicate(t)
	third.Open("/")
	third.Submit(chromedp.Click(browsertest.TestID("logout")))
	assert.Equal(t, "/", third.Path())
	assert.Equal(t, 1, third.Count(`[data-testid=login-form]`), "logged out: the form")
	left := bob.waitFor("alice leaves", func(ev *hub.Event) bool { return ev.Kind == hub.KindLeft })
	assert.Equal(t, "alice", left.Name)
	assert.Equal(t, hub.ReasonQuit, left.Reason, "at once, not after the grace period")
	for _, tab := range []*browsertest.Tab{alice, second} {
		waitThroughNavigation(t, tab, `location.pathname === '/' && document.querySelector('[data-testid=login-form]') !== null`)
	}
	assert.Zero(t, bob.seen(hub.KindJoined, "alice"), "bob saw no second alice")
}

// waitThroughNavigation waits until expr is truthy in tab, which is on its
// way through pages: a poll begun in a page that navigates away ends with
// an error ("Cannot find context"), and is begun again in the next page.
func waitThroughNavigation(t *testing.T, tab *browsertest.Tab, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.Context(), tab.Timeout)
	defer cancel()
	for {
		err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingMutation()))
		if err == nil {
			return
		}
		if ctx.Err() != nil || !(strings.Contains(err.Error(), "Cannot find context") || strings.Contains(err.Error(), "navigated or closed")) {
			t.Fatalf("waiting for %s: %v (page problems: %q)", expr, err, tab.Problems())
		}
	}
}

// TestBrowserARenameOutlivesARestart: alice renames herself, the server
// restarts, and her page comes back as alicia, with her messages from
// before and after the rename still her own; after a reload too.
func TestBrowserARenameOutlivesARestart(t *testing.T) {
	t.Parallel()
	b := browsertest.Shared(t)
	store, err := history.Open(t.Context(), history.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })

	front := newRestartable(t, nil)
	start := func() (*hub.Hub, func()) { return front.start(hub.Options{Flood: noFlood, Store: store}) }
	_, stopFirst := start()

	alice := b.NewTab(t, front.URL)
	alice.Login("alice")
	alice.Say("before the rename")
	alice.WaitDelivered("before the rename")
	alice.Say("/nick alicia")
	alice.WaitJS(`document.getElementById('me').textContent === 'alicia'`)
	alice.Say("after the rename")
	alice.WaitDelivered("after the rename")

	stopFirst()
	h, stopSecond := start()
	t.Cleanup(stopSecond)
	alice.WaitEvent("reconnected", "Reconnected")
	alice.WaitConnected()
	ownTexts := `[...document.querySelectorAll('[data-testid=message].own .text')].map(e => e.textContent)`
	check := func(when string) {
		t.Helper()
		assert.Equal(t, "alicia", alice.Text("me"), "%s: the page is alicia", when)
		roster, err := h.Roster(t.Context(), "")
		require.NoError(t, err)
		require.Len(t, roster.People, 1)
		assert.Equal(t, "alicia", roster.People[0].Name, "%s: the room has alicia", when)
		alice.WaitJS(ownTexts + `.length === 2`)
		assert.Equal(t, []string{"before the rename", "after the rename"}, browsertest.Run(alice, chromedp.Evaluate[[]string](ownTexts)), when)
	}
	check("after the restart")
	alice.Do(chromedp.Reload())
	alice.WaitConnected()
	check("after a reload")

	// Someone else sees them as alice's and alicia's, not as their own.
	carol := b.NewTab(t, front.URL)
	carol.Login("carol")
	assert.Empty(t, carol.WaitMessage("alice", "before the rename"))
	assert.Empty(t, carol.WaitMessage("alicia", "after the rename"))
	assert.Zero(t, carol.Count(`[data-testid=message].own`))
	assertNoProblems(t, carol)
}

// TestHistoryMarksOwnAcrossARename: GET /history marks as own what the
// reader's login said, under any name it had, and nothing of anyone else's.
func TestHistoryMarksOwnAcrossARename(t *testing.T) {
	srv := startWithHistory(t)
	aliceHTTP := loginClient(t, srv.URL, "alice")
	alice := dial(t, srv.URL, aliceHTTP)
	alice.nextOf("welcome")
	alice.say("before", "r1")
	alice.nextOf("message")
	alice.say("/nick alicia", "")
	alice.nextOf("renamed")
	alice.say("after", "r2")
	alice.nextOf("message")
	bobHTTP := loginClient(t, srv.URL, "bob")

	own := func(client *http.Client) map[string]bool {
		t.Helper()
		res, err := client.Get(srv.URL + "/history")
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		var page historyJSON
		require.NoError(t, json.NewDecoder(res.Body).Decode(&page))
		out := map[string]bool{}
		for _, ev := range page.Events {
			out[ev.From+": "+ev.Text] = ev.Own
		}
		return out
	}
	assert.Equal(t, map[string]bool{"alice: before": true, "alicia: after": true}, own(aliceHTTP))
	assert.Equal(t, map[string]bool{"alice: before": false, "alicia: after": false}, own(bobHTTP))
}

// TestLoginAsWhoYouAre: posting the login form with the name the
// browser's login is in the room as goes to the chat (any case of it);
// from another browser the name is taken.
func TestLoginAsWhoYouAre(t *testing.T) {
	srv := startServer(t, web.Config{})
	aliceHTTP := loginClient(t, srv.URL, "alice")
	alice := dial(t, srv.URL, aliceHTTP)
	alice.nextOf("welcome")

	res, err := aliceHTTP.PostForm(srv.URL+"/login", url.Values{"name": {"ALICE"}})
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/chat", res.Header.Get("Location"))

	res, err = http.PostForm(srv.URL+"/login", url.Values{"name": {"alice"}})
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "someone else")
}
