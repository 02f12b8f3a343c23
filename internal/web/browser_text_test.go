package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/hub"
)

type link struct {
	Text   string `json:"text"`
	Href   string `json:"href"`
	Rel    string `json:"rel"`
	Target string `json:"target"`
}

// links returns the links in the message log, in order.
func links(tab *browsertest.Tab) []link {
	return browsertest.Run(tab, chromedp.Evaluate[[]link](`[...document.querySelectorAll('#messages a')].map(a =>
		({text: a.textContent, href: a.getAttribute('href'), rel: a.rel, target: a.target}))`))
}

// TestBrowserLinks: web addresses (http, https) in what users write become
// links that open safely elsewhere; no other scheme, and nothing that only
// looks like an address, ever does, and the text stays text.
func TestBrowserLinks(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	carol := join(t, srv.Hub, "carol", hub.TransportTelnet)
	alice.WaitMember("carol", true)
	say := func(text string) {
		t.Helper()
		require.NoError(t, carol.Say(t.Context(), text, ""))
		alice.WaitMessage("carol", text)
	}

	say("the notes are at https://example.com/notes?week=48#top. See you")
	say("(also http://example.org/wiki/Go_(game)), and HTTPS://EXAMPLE.NET")
	never := []string{
		"javascript:alert(1)",
		"JavaScript:alert(document.cookie)",
		"javascript:http://example.com/%0Aalert(1)",
		"javascript://example.com/%0Aalert(1)",
		"data:text/html,<script>alert(1)</script>",
		"vbscript:msgbox(1)",
		"file:///etc/passwd",
		"ftp://example.com/file",
		"hxxp://example.com",
		"https:/example.com",
		"https://",
		"https://javascript:alert(1)",
		"xhttps://example.com",
		"mailto:alice@example.com",
		`<a href="javascript:alert(1)">click</a>`,
	}
	for _, text := range never {
		say(text)
	}
	require.NoError(t, carol.Say(t.Context(), "/me shares https://example.com/a, too", ""))
	alice.WaitEvent("action", "carol shares")

	assert.Equal(t, []link{
		{Text: "https://example.com/notes?week=48#top", Href: "https://example.com/notes?week=48#top", Rel: "noopener noreferrer nofollow", Target: "_blank"},
		{Text: "http://example.org/wiki/Go_(game)", Href: "http://example.org/wiki/Go_(game)", Rel: "noopener noreferrer nofollow", Target: "_blank"},
		{Text: "HTTPS://EXAMPLE.NET", Href: "https://example.net/", Rel: "noopener noreferrer nofollow", Target: "_blank"},
		{Text: "https://example.com/a", Href: "https://example.com/a", Rel: "noopener noreferrer nofollow", Target: "_blank"},
	}, links(alice), "exactly the web addresses are links, and nothing else")
	assert.Zero(t, alice.Count(`#messages :is(script, iframe, img, svg)`), "no element came from a message")

	t.Run("one's own message gets its links once delivered", func(t *testing.T) {
		alice.Say("mine: https://example.com/mine")
		alice.WaitDelivered("mine: https://example.com/mine")
		assert.Equal(t, "https://example.com/mine", links(alice)[4].Href)
	})
	assertNoProblems(t, alice)
}

// TestBrowserRightToLeft: names and what users write take their direction
// from their own letters (dir=auto) everywhere the page shows them.
func TestBrowserRightToLeft(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	alice.Login("alice")
	sara := join(t, srv.Hub, "שרה", hub.TransportTelnet)
	alice.WaitMember("שרה", true)
	require.NoError(t, sara.Say(t.Context(), "שלום לכולם, מה שלומכם?", ""))
	require.NoError(t, sara.Say(t.Context(), "/me מנופפת לשלום", ""))
	require.NoError(t, sara.Say(t.Context(), "/away בהפסקה", ""))
	alice.WaitEvent("away", "בהפסקה")
	alice.Say("hello, written left to right")
	alice.WaitDelivered("hello, written left to right")

	everywhere := `[...document.querySelectorAll('#messages .text, #messages .who, #messages bdi, #members .member-name, #members bdi, #me')]`
	assert.Greater(t, browsertest.Run(alice, chromedp.Evaluate[int](everywhere+`.length`)), 8)
	assert.Equal(t, []string{}, browsertest.Run(alice, chromedp.Evaluate[[]string](everywhere+`.filter(e => e.dir !== 'auto').map(e => e.outerHTML)`)),
		"every name and every text a user wrote has dir=auto")

	direction := func(selector string) string {
		return browsertest.Run(alice, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(`+"`"+selector+"`"+`)).direction`))
	}
	assert.Equal(t, "rtl", direction(`[data-testid=message][data-from="שרה"] .text`), "a Hebrew message runs right to left")
	assert.Equal(t, "rtl", direction(`[data-testid=message][data-from="שרה"] .who`), "and so does a Hebrew name")
	assert.Equal(t, "rtl", direction(`[data-kind=action] bdi`))
	assert.Equal(t, "ltr", direction(`[data-testid=message][data-from=alice] .text`), "an English one left to right")
	assertNoProblems(t, alice)
}
