package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/hub"
)

// notificationSpy records, in the page, every desktop notification it
// shows and every time it asks for permission, passing both on to the
// browser's own Notification.
const notificationSpy = `(() => {
	const Real = window.Notification;
	window.__shown = [];
	window.__asked = 0;
	class Spy extends Real {
		constructor(title, options) { super(title, options); window.__shown.push(title + ' | ' + options.body); }
		static requestPermission() { window.__asked++; return Real.requestPermission(); }
		static get permission() { return Real.permission; }
	}
	window.Notification = Spy;
})()`

func setHidden(tab *browsertest.Tab, hidden bool) {
	tab.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`Object.defineProperty(document, 'hidden', {configurable: true, get: () => %t});
		document.dispatchEvent(new Event('visibilitychange'))`, hidden)))
}

// TestBrowserMentions: a message that names the reader, as names compare,
// stands out; the tab's title counts mentions apart from unread messages;
// and desktop notifications come only once the reader asked for them with
// the bell, for mentions and private messages, while the tab is hidden.
func TestBrowserMentions(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	alice := newTab()
	_, err := chromedp.Call(alice.Context(), page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: notificationSpy})
	require.NoError(t, err)
	alice.Login("alice")
	carol := join(t, srv.Hub, "carol", hub.TransportTelnet)
	alice.WaitMember("carol", true)
	say := func(text string) {
		t.Helper()
		require.NoError(t, carol.Say(t.Context(), text, ""))
	}

	say("ALICE, the build is green")
	say("ｈｅｌｌｏ ａｌｉｃｅ") // fullwidth: the same name
	say("malice is not a name of hers")
	say("/me hands @alice the keys")
	say("nothing for anyone")
	alice.WaitMessage("carol", "nothing for anyone")
	mentioned := browsertest.Run(alice, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#messages .mention')].map(e => e.textContent)`))
	require.Len(t, mentioned, 3)
	assert.Contains(t, mentioned[0], "ALICE, the build is green")
	assert.Contains(t, mentioned[1], "ｈｅｌｌｏ ａｌｉｃｅ")
	assert.Contains(t, mentioned[2], "hands @alice the keys")

	assert.Zero(t, browsertest.Run(alice, chromedp.Evaluate[int](`window.__asked`)), "permission is never asked on load")
	alice.Do(chromedp.WaitVisible(browsertest.TestID("notify-toggle")))
	assert.Equal(t, "false", browsertest.Run(alice, chromedp.Evaluate[string](`document.getElementById('notify-toggle').getAttribute('aria-pressed')`)))

	t.Run("the title counts mentions apart, and nothing pops up unasked", func(t *testing.T) {
		setHidden(alice, true)
		say("one for everyone")
		say("alice: one for you")
		say("/msg alice and a secret")
		alice.WaitJS(`document.querySelectorAll('[data-kind=private]').length === 1`)
		assert.Equal(t, "@2 (3) anseo", browsertest.Run(alice, chromedp.Title()))
		assert.Empty(t, browsertest.Run(alice, chromedp.Evaluate[[]string](`window.__shown`)))
		setHidden(alice, false)
		assert.Equal(t, "anseo", browsertest.Run(alice, chromedp.Title()))
	})

	t.Run("once asked for, mentions and private messages notify while hidden", func(t *testing.T) {
		alice.Do(chromedp.Click(browsertest.TestID("notify-toggle")))
		alice.WaitJS(`window.__asked === 1`) // the browser asks the reader now, and only now
		// The reader answers "Allow" (headless, the browser cannot ask):
		_, err := chromedp.CallBrowser(alice.Context(), browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: browser.PermissionSettingGranted,
			Origin: srv.URL, BrowserContextID: chromedp.FromContext(alice.Context()).BrowserContextID,
		})
		require.NoError(t, err)
		alice.Open("/chat")
		alice.WaitConnected()
		alice.Do(chromedp.Click(browsertest.TestID("notify-toggle")))
		alice.WaitJS(`document.getElementById('notify-toggle').getAttribute('aria-pressed') === 'true'`)

		say("alice, visible tab: no notification")
		alice.WaitMessage("carol", "alice, visible tab: no notification")
		setHidden(alice, true)
		say("not for her")
		say("Alice, are you there?")
		say("/msg alice psst")
		alice.WaitJS(`window.__shown.length === 2`)
		say("last")
		alice.WaitMessage("carol", "last")
		assert.Equal(t, []string{"carol mentioned you | Alice, are you there?", "carol (private) | psst"},
			browsertest.Run(alice, chromedp.Evaluate[[]string](`window.__shown`)))
		setHidden(alice, false)
	})
	assertNoProblems(t, alice)
}
