package web_test

// End-to-end tests of rooms in the page: a real headless Chromium against
// the real server and hub. Other people are hub members (as the line port
// would be) who join rooms and talk with /join and SayIn.

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
)

// shownTexts are the texts of the messages in the log shown, in order:
// what the reader sees, not what the page keeps for its other rooms.
func shownTexts(tab *browsertest.Tab) []string {
	return browsertest.Run(tab, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#messages [data-testid=message]')].filter(e => e.checkVisibility()).map(e => e.querySelector('.text').textContent)`))
}

// sidebar is what the sidebar lists: each conversation's name, its unread
// count and mentions if it has any, and "*" on the one shown.
func sidebar(tab *browsertest.Tab) []string {
	return browsertest.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid=conv]')].map(e => {
		const unread = e.querySelector('[data-testid=conv-unread]'), mention = e.querySelector('[data-testid=conv-mention]');
		return [e.dataset.name, unread.hidden ? '' : unread.textContent, mention.hidden ? '' : mention.textContent,
			e.querySelector('[aria-current=page]') ? '*' : ''].filter(Boolean).join(' ');
	})`))
}

// waitShowing waits until the page shows the conversation title at path.
func waitShowing(tab *browsertest.Tab, title, path string) {
	tab.WaitJS(fmt.Sprintf(`document.getElementById('room-title').textContent === %q && location.pathname === %q`, title, path))
}

// inRoom joins a hub member to room, as /join typed on the line port does,
// and waits until it is in.
func inRoom(t *testing.T, w *watcher, room string) {
	t.Helper()
	require.NoError(t, w.SayIn(t.Context(), "", "/join "+room, ""))
	w.waitFor("in "+room, func(ev *hub.Event) bool {
		return ev.Kind == hub.KindNotice && ev.Notice != nil && ev.Notice.Kind == hub.NoticeJoinedRoom
	})
}

// clickConv clicks the sidebar's entry of a conversation.
func clickConv(tab *browsertest.Tab, name string) {
	tab.Do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=conv][data-name=%q] a`, name))))
}

// TestBrowserRoomsJoinAndSwitch: a room joined from the input has its own
// URL and shows its own conversation; the sidebar, the URL (typed, back and
// forward) and the keyboard go from room to room.
func TestBrowserRoomsJoinAndSwitch(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	carol := watch(t, srv.Hub, "carol")
	inRoom(t, carol, "#help")

	alice.Say("/join #help")
	waitShowing(alice, "#help", "/r/help")
	alice.WaitMember("carol", true)
	assert.Equal(t, []string{"carol/telnet", "alice/web"}, alice.Members(), "the room's own list, in joining order")
	assert.Equal(t, []string{"#lobby", "#help *"}, sidebar(alice))

	require.NoError(t, carol.SayIn(t.Context(), "#help", "help talk", ""))
	require.NoError(t, carol.SayIn(t.Context(), "#lobby", "lobby talk", ""))
	alice.WaitMessage("carol", "lobby talk")
	alice.WaitMessage("carol", "help talk")
	assert.Equal(t, []string{"help talk"}, shownTexts(alice), "only the room shown")
	assert.Equal(t, []string{"#lobby 1", "#help *"}, sidebar(alice))

	// Said in the room shown, it goes to that room alone.
	alice.Say("a question")
	alice.WaitDelivered("a question")
	said := carol.waitMessage("a question")
	assert.Equal(t, "#help", said.Room)

	t.Run("by the sidebar", func(t *testing.T) {
		clickConv(alice, "#lobby")
		waitShowing(alice, "#lobby", "/chat")
		assert.Equal(t, []string{"lobby talk"}, shownTexts(alice))
		assert.Equal(t, []string{"#lobby *", "#help"}, sidebar(alice), "read now")
	})

	t.Run("back and forward", func(t *testing.T) {
		alice.Do(chromedp.Evaluate[chromedp.Void](`history.back()`))
		waitShowing(alice, "#help", "/r/help")
		assert.Equal(t, []string{"help talk", "a question"}, shownTexts(alice))
		alice.Do(chromedp.Evaluate[chromedp.Void](`history.forward()`))
		waitShowing(alice, "#lobby", "/chat")
	})

	t.Run("by the keyboard", func(t *testing.T) {
		alice.Do(chromedp.Focus(browsertest.TestID("input")), chromedp.KeyEvent(kb.ArrowDown, chromedp.KeyModifiers(chromedp.ModifierAlt)))
		waitShowing(alice, "#help", "/r/help")
		alice.Do(chromedp.KeyEvent(kb.ArrowDown, chromedp.KeyModifiers(chromedp.ModifierAlt))) // round the end
		waitShowing(alice, "#lobby", "/chat")
		alice.Do(chromedp.KeyEvent(kb.ArrowUp, chromedp.KeyModifiers(chromedp.ModifierAlt)))
		waitShowing(alice, "#help", "/r/help")

		// Ctrl+K, a few letters, Enter.
		alice.Do(chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
		alice.Do(chromedp.WaitVisible(browsertest.TestID("switcher-input")))
		alice.Do(chromedp.SendKeys(browsertest.TestID("switcher-input"), "lob"))
		alice.WaitJS(`[...document.querySelectorAll('[data-testid=switcher-option]')].map(e => e.textContent).join() === '#lobby,Join #lob'`)
		alice.Do(chromedp.KeyEvent(kb.Enter))
		waitShowing(alice, "#lobby", "/chat")
		alice.Do(chromedp.WaitNotVisible(browsertest.TestID("switcher")))

		// A name the page is in no room of: Enter joins it.
		alice.Do(chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
		alice.Do(chromedp.SendKeys(browsertest.TestID("switcher-input"), "dev\n"))
		waitShowing(alice, "#dev", "/r/dev")
	})

	t.Run("by a URL typed or bookmarked, joining the room if need be", func(t *testing.T) {
		alice.Open("/r/random")
		alice.WaitConnected()
		waitShowing(alice, "#random", "/r/random")
		assert.Equal(t, []string{"#lobby", "#dev", "#help", "#random *"}, sidebar(alice))
		alice.Open("/r/help")
		alice.WaitConnected()
		waitShowing(alice, "#help", "/r/help")
		alice.WaitMessage("carol", "help talk")
		assert.Equal(t, []string{"help talk", "a question"}, shownTexts(alice), "what the tab showed, once")
	})

	t.Run("leaving", func(t *testing.T) {
		alice.Do(chromedp.Click(browsertest.TestID("part")))
		waitShowing(alice, "#lobby", "/chat")
		assert.Equal(t, []string{"#lobby *", "#dev", "#random"}, sidebar(alice))
		left := carol.waitFor("alice leaves #help", func(ev *hub.Event) bool { return ev.Kind == hub.KindLeft && ev.Name == "alice" })
		assert.Equal(t, "#help", left.Room)
		assert.Equal(t, hub.ReasonPart, left.Reason)
	})
	assertNoProblems(t, alice)
}

// TestBrowserRoomsUnreadAndMentions: what comes to a room not shown is
// counted in the sidebar, what names the reader apart, until it is shown.
func TestBrowserRoomsUnreadAndMentions(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	carol := watch(t, srv.Hub, "carol")
	inRoom(t, carol, "#help")
	alice.Say("/join #help")
	waitShowing(alice, "#help", "/r/help")
	clickConv(alice, "#lobby")
	waitShowing(alice, "#lobby", "/chat")

	for _, text := range []string{"one", "two", "alice, a word?", "/me waves at alice"} {
		require.NoError(t, carol.SayIn(t.Context(), "#help", text, ""))
	}
	require.NoError(t, carol.SayIn(t.Context(), "#lobby", "here too", ""))
	alice.WaitJS(`[...document.querySelectorAll('[data-kind=action]')].some(e => e.textContent.includes('waves at alice'))`)
	alice.WaitMessage("carol", "here too")
	assert.Equal(t, []string{"#lobby *", "#help 4 @2"}, sidebar(alice), "the room shown counts nothing")
	assert.Equal(t, "#help: 4 unread, 2 for you",
		browsertest.Run(alice, chromedp.Evaluate[string](`document.querySelector('[data-testid=conv][data-name="#help"] a').getAttribute('aria-label')`)),
		"a screen reader hears the counts")

	clickConv(alice, "#help")
	waitShowing(alice, "#help", "/r/help")
	assert.Equal(t, []string{"#lobby", "#help *"}, sidebar(alice))
	assert.Equal(t, 1, alice.Count(`#messages [data-testid=message].mention`), "the message that names her stands out")
	assertNoProblems(t, alice)
}

// TestBrowserRoomBrowser: the room browser lists every room with its topic
// and people, joins one, and creates one by a new name.
func TestBrowserRoomBrowser(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	carol := watch(t, srv.Hub, "carol")
	inRoom(t, carol, "#help")
	require.NoError(t, carol.SayIn(t.Context(), "#help", "/topic Ask anything", ""))
	carol.waitFor("the topic", func(ev *hub.Event) bool { return ev.Kind == hub.KindTopic })

	entries := func() []string {
		return browsertest.Run(alice, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid=room-entry]')].map(e =>
			[...e.querySelectorAll('.room-entry-name, .room-entry-count, .room-entry-topic, button')].map(p => p.textContent).join('|'))`))
	}
	alice.Do(chromedp.Click(browsertest.TestID("browse-rooms")))
	alice.Do(chromedp.WaitVisible(browsertest.TestID("room-browser")))
	alice.WaitJS(`document.querySelectorAll('[data-testid=room-entry]').length === 2`)
	assert.Equal(t, []string{"#lobby|2 people|Open", "#help|1 person|Ask anything|Join"}, entries())

	alice.Do(chromedp.SendKeys(browsertest.TestID("room-filter"), "ask"))
	alice.WaitJS(`document.querySelectorAll('[data-testid=room-entry]').length === 1`) // by its topic
	alice.Do(chromedp.Click(chromedp.CSS(`[data-testid=room-entry][data-name="#help"] [data-testid=room-join]`)))
	waitShowing(alice, "#help", "/r/help")
	alice.WaitJS(`document.getElementById('room-topic').textContent === 'Ask anything'`)
	alice.Do(chromedp.WaitNotVisible(browsertest.TestID("room-browser")))

	// A new name: the browser offers to create it, and Enter does.
	alice.Do(chromedp.Click(browsertest.TestID("browse-rooms")))
	alice.WaitJS(`document.querySelectorAll('[data-testid=room-entry]').length === 2`)
	alice.Do(chromedp.SendKeys(browsertest.TestID("room-filter"), "Café"))
	alice.WaitJS(`!document.querySelector('[data-testid=room-create]').hidden`)
	assert.Equal(t, "Create #Café", alice.Text("room-create"))
	alice.Do(chromedp.SendKeys(browsertest.TestID("room-filter"), "\n"))
	waitShowing(alice, "#Café", "/r/Caf%C3%A9")
	assert.Equal(t, []string{"#lobby", "#Café *", "#help"}, sidebar(alice))
	rooms, err := srv.Hub.Rooms(t.Context())
	require.NoError(t, err)
	var names []string
	for _, r := range rooms {
		names = append(names, r.Name)
	}
	assert.Contains(t, names, "#Café", "made on the server")

	// A name that cannot be a room's is not offered, and says why.
	alice.Do(chromedp.Click(browsertest.TestID("browse-rooms")))
	alice.Do(chromedp.SendKeys(browsertest.TestID("room-filter"), "no spaces"))
	alice.WaitJS(`document.querySelector('[data-testid=room-browser-status]').textContent.includes('letters, digits')`)
	assert.Equal(t, 0, alice.Count(`[data-testid=room-create]:not([hidden])`))
	assertNoProblems(t, alice)
}

// TestBrowserReloadKeepsEveryRoom: a reload while people talk in every
// room comes back to every room, each line once, in order; a new login,
// and a server that forgot us, join the rooms again.
func TestBrowserReloadKeepsEveryRoom(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	carol := watch(t, srv.Hub, "carol")
	rooms := []string{"#lobby", "#help", "#dev"}
	for _, room := range rooms[1:] {
		inRoom(t, carol, room)
		alice.Say("/join " + room)
		alice.WaitJS(fmt.Sprintf(`document.getElementById('room-title').textContent === %q`, room))
	}
	say := func(first, last int) {
		for i := first; i <= last; i++ {
			for _, room := range rooms {
				require.NoError(t, carol.SayIn(context.Background(), room, fmt.Sprintf("%s %d", room, i), ""))
			}
		}
	}
	say(1, 3)
	alice.WaitMessage("carol", "#dev 3")

	talking := make(chan struct{})
	go func() {
		defer close(talking)
		say(4, 8)
	}()
	alice.Do(chromedp.Reload())
	<-talking
	alice.WaitConnected()
	alice.WaitMessage("carol", "#dev 8")
	assert.Equal(t, []string{"#lobby 8", "#dev *", "#help 8"}, sidebar(alice), "back in every room, on the one it showed")
	for _, room := range rooms {
		clickConv(alice, room)
		alice.WaitMessage("carol", room+" 8")
		assert.Equal(t, numbered(room, 1, 8), shownTexts(alice), "every line of %s once, in order", room)
	}

	t.Run("a new login joins the rooms again", func(t *testing.T) {
		alice.Submit(chromedp.Click(browsertest.TestID("quit")))
		carol.waitFor("alice leaves", func(ev *hub.Event) bool { return ev.Kind == hub.KindLeft && ev.Name == "alice" && ev.Room == "" })
		alice.Login("alice")
		alice.WaitJS(`document.querySelectorAll('[data-testid=conv]').length === 3`)
		assert.ElementsMatch(t, []string{"#lobby", "#help", "#dev"}, convNames(alice))
		alice.WaitMember("carol", true)
	})
	assertNoProblems(t, alice)
}

func convNames(tab *browsertest.Tab) []string {
	return browsertest.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid=conv]')].map(e => e.dataset.name)`))
}

// TestBrowserServerRestartRejoinsRooms: the page joins its rooms again
// when it comes back to a server that restarted and forgot who was where.
func TestBrowserServerRestartRejoinsRooms(t *testing.T) {
	t.Parallel()
	b := browsertest.Shared(t)
	// One address, and behind it a server that can be replaced by a new
	// one, with a new hub: a restart.
	front := newRestartable(t, nil)
	_, stopFirst := front.start(hub.Options{Flood: noFlood})

	alice := b.NewTab(t, front.URL)
	alice.Login("alice")
	alice.Say("/join #help")
	waitShowing(alice, "#help", "/r/help")

	stopFirst()
	h, stopSecond := front.start(hub.Options{Flood: noFlood})
	t.Cleanup(stopSecond)
	alice.WaitEvent("reconnected", "Reconnected")
	alice.WaitJS(`document.getElementById('status-dot').dataset.state === 'online' && document.querySelectorAll('[data-testid=conv]').length === 2`)
	waitShowing(alice, "#help", "/r/help")
	roster, err := h.Roster(t.Context(), "#help")
	require.NoError(t, err)
	require.Len(t, roster.People, 1)
	assert.Equal(t, "alice", roster.People[0].Name, "in #help again")
	assertNoProblems(t, alice)
}

// TestBrowserTabsShowTheirOwnRooms: two tabs of one person are one presence,
// each showing the room it likes; what one joins, the other has too.
func TestBrowserTabsShowTheirOwnRooms(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	bob := watch(t, srv.Hub, "bob")
	second := alice.Duplicate(t)
	second.Open("/chat")
	second.WaitConnected()

	alice.Say("/join #help")
	waitShowing(alice, "#help", "/r/help")
	second.WaitJS(`document.querySelectorAll('[data-testid=conv]').length === 2`)
	waitShowing(second, "#lobby", "/chat") // it stays where it was
	assert.Equal(t, []string{"#lobby *", "#help"}, sidebar(second))

	second.Say("from the lobby")
	second.WaitDelivered("from the lobby")
	alice.Say("from help")
	alice.WaitDelivered("from help")
	assert.Equal(t, "#lobby", bob.waitMessage("from the lobby").Room)
	roster, err := srv.Hub.Roster(t.Context(), "")
	require.NoError(t, err)
	assert.Len(t, roster.People, 2, "one alice, one bob")

	// Leaving in one tab leaves in both.
	alice.Do(chromedp.Click(browsertest.TestID("part")))
	second.WaitJS(`document.querySelectorAll('[data-testid=conv]').length === 1`)
	assertNoProblems(t, alice, second)
}

// TestBrowserPrivateConversations: private messages have a conversation
// each in the sidebar, with its counts; writing in it sends a private
// message; a new login finds them again in the history.
func TestBrowserPrivateConversations(t *testing.T) {
	t.Parallel()
	store, err := history.Open(t.Context(), history.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	srv, newTab := browserServerWith(t, hub.Options{Flood: noFlood, Store: store})
	alice := newTab()
	alice.Login("alice")
	carol := watch(t, srv.Hub, "carol")

	require.NoError(t, carol.SayIn(t.Context(), "", "/msg alice psst", ""))
	alice.WaitJS(`document.querySelector('[data-testid=conv][data-name=carol]') !== null`)
	assert.Equal(t, []string{"#lobby *", "carol 1 @1"}, sidebar(alice))
	assert.Empty(t, shownTexts(alice), "not in the room")

	clickConv(alice, "carol")
	waitShowing(alice, "carol", "/p/carol")
	assert.Equal(t, []string{"psst"}, shownTexts(alice))
	assert.True(t, browsertest.Run(alice, chromedp.Evaluate[bool](`document.getElementById('search-form').hidden`)), "no room to search")
	alice.Say("hello carol")
	got := carol.waitFor("alice's answer", func(ev *hub.Event) bool { return ev.Kind == hub.KindPrivate && ev.Text == "hello carol" })
	assert.Equal(t, "carol", got.To)
	alice.WaitJS(`[...document.querySelectorAll('[data-kind=private].own')].some(e => e.checkVisibility() && e.querySelector('.text').textContent === 'hello carol')`)

	// A new tab of the same login: it showed nothing yet, and the history
	// gives it the conversation.
	second := alice.Duplicate(t)
	second.Open("/chat")
	second.WaitConnected()
	second.WaitJS(`document.querySelector('[data-testid=conv][data-name=carol]') !== null`)
	assert.Equal(t, []string{"#lobby *", "carol"}, sidebar(second), "read before: nothing new")
	clickConv(second, "carol")
	waitShowing(second, "carol", "/p/carol")
	second.WaitJS(`document.querySelectorAll('#messages [data-kind=private]').length === 2`)
	assert.Equal(t, []string{"psst", "hello carol"}, shownTexts(second))
	assertNoProblems(t, alice, second)
}

// TestBrowserRoomSearch: the history search is the room's shown.
func TestBrowserRoomSearch(t *testing.T) {
	t.Parallel()
	store, err := history.Open(t.Context(), history.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	srv, newTab := browserServerWith(t, hub.Options{Flood: noFlood, Store: store})
	carol := watch(t, srv.Hub, "carol")
	inRoom(t, carol, "#help")
	require.NoError(t, carol.SayIn(t.Context(), "#help", "a needle in help", ""))
	require.NoError(t, carol.SayIn(t.Context(), "#lobby", "a needle in the lobby", ""))
	carol.waitMessage("a needle in the lobby")

	alice := newTab()
	alice.Login("alice")
	alice.Say("/join #help")
	waitShowing(alice, "#help", "/r/help")
	results := func() []string {
		alice.Do(chromedp.Evaluate[chromedp.Void](`document.getElementById('search').value = ''`), chromedp.SendKeys(browsertest.TestID("search-input"), "needle\n"))
		alice.WaitJS(`document.querySelector('[data-testid=search-heading]').textContent.includes('found')`)
		return browsertest.Run(alice, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid=search-result] .text')].map(e => e.textContent)`))
	}
	assert.Equal(t, "Search #help…", browsertest.Run(alice, chromedp.Evaluate[string](`document.getElementById('search').placeholder`)))
	assert.Equal(t, []string{"a needle in help"}, results())
	assert.Contains(t, alice.Text("search-heading"), "1 found in #help")
	assert.NotContains(t, alice.Text("search-heading"), "newest")

	// Too short for the index: the heading says what was searched.
	alice.Do(chromedp.Evaluate[chromedp.Void](`document.getElementById('search').value = ''`), chromedp.SendKeys(browsertest.TestID("search-input"), "ne\n"))
	alice.WaitJS(`document.querySelector('[data-testid=search-heading]').textContent.includes('found in #help for “ne”')`) // answered
	assert.Contains(t, alice.Text("search-heading"), "among its newest 10,000 messages (type three letters or more to search them all)")

	clickConv(alice, "#lobby")
	waitShowing(alice, "#lobby", "/chat")
	alice.Do(chromedp.WaitNotVisible(browsertest.TestID("search-panel"))) // another room: its own search
	assert.Equal(t, []string{"a needle in the lobby"}, results())
	assertNoProblems(t, alice)
}

// TestBrowserPhoneRooms: at a phone's width the sidebar is a menu the
// room's header opens, with the unread count on its button, and choosing a
// room closes it.
func TestBrowserPhoneRooms(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Do(chromedp.EmulateViewport(390, 760, chromedp.EmulateMobile, chromedp.EmulateScale(3)))
	alice.Login("alice")
	carol := watch(t, srv.Hub, "carol")
	inRoom(t, carol, "#help")
	alice.Say("/join #help")
	waitShowing(alice, "#help", "/r/help")
	alice.Do(chromedp.WaitNotVisible(browsertest.TestID("sidebar")))
	require.NoError(t, carol.SayIn(t.Context(), "#lobby", "over here", ""))
	alice.WaitMessage("carol", "over here")
	assert.Equal(t, "1", alice.Text("rooms-unread"), "the menu's button counts what is unread elsewhere")

	alice.Do(chromedp.Click(browsertest.TestID("rooms-toggle")))
	alice.Do(chromedp.WaitVisible(browsertest.TestID("sidebar")))
	assert.Equal(t, "true", browsertest.Run(alice, chromedp.Evaluate[string](`document.getElementById('rooms-toggle').getAttribute('aria-expanded')`)))
	clickConv(alice, "#lobby")
	waitShowing(alice, "#lobby", "/chat")
	alice.Do(chromedp.WaitNotVisible(browsertest.TestID("sidebar")))
	assert.Equal(t, []string{"over here"}, shownTexts(alice))
	assert.LessOrEqual(t, browsertest.Run(alice, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)), 390, "nothing makes the page wider than the phone")
	assertNoProblems(t, alice)
}

// TestBrowserLeavingEveryRoom: a page that has left every room says so,
// shows what the server answers, and goes into the room it joins next.
func TestBrowserLeavingEveryRoom(t *testing.T) {
	t.Parallel()
	_, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	alice.Do(chromedp.Click(browsertest.TestID("part")))
	alice.WaitJS(`document.getElementById('room-title').textContent === 'No room'`)
	assert.Empty(t, sidebar(alice))
	assert.True(t, browsertest.Run(alice, chromedp.Evaluate[bool](`document.getElementById('part').hidden`)))

	alice.Say("anyone?")
	alice.WaitJS(`document.querySelector('[data-testid=composer-hint]').textContent !== ''`)
	assert.Contains(t, alice.Text("composer-hint"), "#lobby", "the server's answer: not in #lobby")

	alice.Say("/join #lobby")
	waitShowing(alice, "#lobby", "/chat")
	assert.Equal(t, []string{"#lobby *"}, sidebar(alice))
	assertNoProblems(t, alice)
}
