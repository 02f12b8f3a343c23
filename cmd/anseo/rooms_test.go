package main

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/linetest"
)

// TestRoomsAsNewUsersTryThem: three people in browsers and two on the line
// port, across three rooms. Each sees exactly the conversations of the
// rooms they are in, private messages stay between their two people, and
// a reload and a restart of the server lose nothing.
func TestRoomsAsNewUsersTryThem(t *testing.T) {
	db := filepath.Join(t.TempDir(), "anseo.db")
	httpAddr, telnetAddr := freeAddr(t), freeAddr(t)
	args := []string{"-db", db, "-http-addr", httpAddr, "-telnet-addr", telnetAddr}
	a := startAnseo(t, args...)
	browser := browsertest.Shared(t) // skips, or fails under CI=true, without Chromium

	alice, bob, carol := browser.NewTab(t, "http://"+httpAddr), browser.NewTab(t, "http://"+httpAddr), browser.NewTab(t, "http://"+httpAddr)
	alice.Login("alice")
	bob.Login("bob")
	carol.Login("carol")
	dave := linetest.Dial(t, a.telnetAddr, "dave")
	dave.Login("dave")
	erin := linetest.Dial(t, a.telnetAddr, "erin")
	erin.Login("erin")

	// alice, bob and dave go into #help; carol and erin into #art.
	for _, tab := range []*browsertest.Tab{alice, bob} {
		tab.Say("/join #help")
		showing(tab, "#help")
	}
	carol.Say("/join #art")
	showing(carol, "#art")
	dave.Send("/join #help")
	until(t, dave, "* You are now in #help (3 people).")
	erin.Send("/join #art")
	until(t, erin, "* You are now in #art (2 people).")

	alice.Say("how do I start?")
	alice.WaitDelivered("how do I start?")
	dave.Expect("<alice> how do I start?")
	dave.Send("type /help")
	carol.Say("a sketch")
	carol.WaitDelivered("a sketch")
	erin.Expect("<carol> a sketch")
	erin.Send("nice lines")
	bob.WaitMessage("dave", "type /help")
	carol.WaitMessage("erin", "nice lines")

	assert.Equal(t, []string{"how do I start?", "type /help"}, shown(bob), "bob, in #help")
	assert.Equal(t, []string{"a sketch", "nice lines"}, shown(carol), "carol, in #art")
	dave.Send("/topic questions welcome")
	alice.WaitJS(`document.getElementById('room-topic').textContent === 'questions welcome'`)
	assert.NotEqual(t, "questions welcome", carol.Text("room-topic"), "#art's topic is its own")

	// A private message reaches its one reader, on the other transport.
	alice.Say("/msg erin welcome to anseo")
	erin.Expect("* alice whispers: welcome to anseo")
	erin.Send("/msg alice thanks")
	alice.WaitJS(`[...document.querySelectorAll('[data-kind=private]')].some(e => e.textContent.includes('thanks'))`)
	dave.Send("after the whispers")
	bob.WaitMessage("dave", "after the whispers")
	assert.Zero(t, bob.Count("[data-kind=private]"), "bob saw no whisper")
	assert.Zero(t, carol.Count("[data-kind=private]"), "nor carol")

	// A reload keeps the room and shows its conversation once.
	bob.Open("/r/help")
	bob.WaitConnected()
	showing(bob, "#help")
	bob.WaitMessage("dave", "after the whispers")
	assert.Equal(t, []string{"how do I start?", "type /help", "after the whispers"}, shown(bob), "after a reload")

	// A restart: the pages come back in their rooms, with their history;
	// the line port's people come back by name and /join.
	require.NoError(t, a.stop())
	a = startAnseo(t, args...)
	for _, tab := range []*browsertest.Tab{alice, bob, carol} {
		tab.WaitEvent("reconnected", "Reconnected")
		tab.WaitConnected()
	}
	showing(bob, "#help")
	showing(carol, "#art")
	assert.Equal(t, []string{"how do I start?", "type /help", "after the whispers"}, shown(bob), "after a restart")
	assert.Equal(t, []string{"a sketch", "nice lines"}, shown(carol), "after a restart")
	dave = linetest.Dial(t, a.telnetAddr, "dave")
	dave.Login("dave")
	dave.Send("/join #help")
	until(t, dave, "* You are now in #help (3 people).")
	dave.Expect("* Topic: questions welcome")
	dave.Expect("* Recent messages:")
	for _, line := range []string{"<alice> how do I start?", "<dave> type /help", "<dave> after the whispers"} {
		assert.Regexp(t, `^\* \[\d\d:\d\d\] `+regexp.QuoteMeta(line)+"\r\n$", dave.ReadLine())
	}
	dave.Expect("* End of recent messages.")
	for _, tab := range []*browsertest.Tab{alice, bob, carol} {
		if p := tab.Problems(); len(p) > 0 {
			t.Errorf("browser problems: %q", p)
		}
	}
}

// until reads c's lines up to want, a notice, past the notices before it
// (the resume code, the room's history).
func until(t *testing.T, c *linetest.Client, want string) {
	t.Helper()
	for range 100 {
		if c.ReadLine() == want+"\r\n" {
			return
		}
	}
	t.Fatalf("no line %q", want)
}

// showing waits until tab shows room.
func showing(tab *browsertest.Tab, room string) {
	tab.WaitJS(fmt.Sprintf(`document.getElementById('room-title').textContent === %q`, room))
}

// shown are the texts of the messages tab shows now, in order.
func shown(tab *browsertest.Tab) []string {
	return browsertest.Run(tab, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#messages [data-testid=message]')].filter(e => e.checkVisibility()).map(e => e.querySelector('.text').textContent)`))
}

// freeAddr is a loopback address with a port free now, for a server that
// must come back on the same one.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}
