package web_test

import (
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
)

// TestScreenshot renders the chat page, with a short conversation between
// browser and telnet users (a message of several lines, one that names the
// reader, a link), to the PNG file $ANSEO_SCREENSHOT names. It is
// how docs/screenshot.png is made:
//
//	ANSEO_SCREENSHOT=$PWD/docs/screenshot.png go test -run TestScreenshot ./internal/web/
//
// $ANSEO_SCREENSHOT_MODE picks the look: "light" (the default), "dark",
// "phone", or "login" for the login form refusing a taken name.
func TestScreenshot(t *testing.T) {
	path := os.Getenv("ANSEO_SCREENSHOT")
	if path == "" {
		t.Skip("set ANSEO_SCREENSHOT=file.png to render the chat page")
	}
	mode := os.Getenv("ANSEO_SCREENSHOT_MODE")
	var behind atomic.Int64 // the hub's clock runs this far behind, so that dave looks idle
	store, err := history.Open(t.Context(), history.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	srv, newTab := browserServerWith(t, hub.Options{Flood: noFlood, Store: store, Now: func() time.Time {
		return time.Now().Add(-time.Duration(behind.Load()))
	}})

	behind.Store(int64(25 * time.Minute))
	dave := join(t, srv.Hub, "dave", hub.TransportTelnet) // idle since he joined
	behind.Store(0)
	require.NoError(t, dave.Say(t.Context(), "/away", ""))
	carol := join(t, srv.Hub, "carol", hub.TransportTelnet)
	require.NoError(t, carol.Say(t.Context(), "deploy window opens at 10:00", "")) // history for those who come later
	if mode == "login" {
		tab := newTab()
		tab.Do(chromedp.EmulateViewport(900, 620))
		tab.TryLogin("Carol")
		png := browsertest.Run(tab, chromedp.CaptureScreenshot())
		require.NoError(t, os.WriteFile(path, png, 0o644))
		return
	}
	alice, bob := newTab(), newTab()
	switch mode {
	case "phone":
		alice.Do(chromedp.EmulateViewport(390, 760, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	default:
		alice.Do(chromedp.EmulateViewport(1120, 680))
	}
	if mode == "dark" {
		_, err := chromedp.Call(alice.Context(), emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		})
		require.NoError(t, err)
	}
	require.NoError(t, carol.Say(t.Context(), "/topic Deploy day: questions here, incidents in #ops", ""))
	require.NoError(t, carol.Say(t.Context(), "/join #ops", ""))
	alice.Login("alice")
	bob.Login("bob")
	alice.WaitMember("bob", true)
	alice.Say("/join #ops") // a second room, which talks while alice reads the lobby
	alice.WaitJS(`document.getElementById('room-title').textContent === '#ops'`)
	alice.Do(chromedp.Click(chromedp.CSS(`[data-testid=conv][data-name="#lobby"] a`)))
	alice.WaitJS(`document.getElementById('room-title').textContent === '#lobby'`)

	bobSays := func(text string) {
		t.Helper()
		bob.Say(text)
		alice.WaitMessage("bob", text)
	}

	bobSays("Morning! Is the deploy still on for today?")
	plan := "Yes, in three steps:\n1. canary at 10:00\n2. half the fleet at 10:30\n3. everyone by noon"
	require.NoError(t, carol.Say(t.Context(), plan, "")) // several lines, as pasted
	alice.WaitMessage("carol", plan)
	bobSays("@alice the runbook is at https://wiki.example.com/runbooks/deploy if you need it")
	alice.Say("Great. I'll keep an eye on the dashboards.")
	alice.WaitDelivered("Great. I'll keep an eye on the dashboards.")
	require.NoError(t, carol.Say(t.Context(), "/me starts the rollout, tailing the logs", ""))
	alice.WaitEvent("action", "carol starts the rollout")
	for _, text := range []string{"canary is up, error rate flat", "alice: the 10:30 step is yours"} {
		require.NoError(t, carol.SayIn(t.Context(), "#ops", text, ""))
	}
	alice.WaitMessage("carol", "alice: the 10:30 step is yours")
	bob.Say("/msg alice can you look at my PR after the deploy?")
	alice.WaitJS(`document.querySelector('[data-kind=private]') !== null`)
	bob.Say("/away lunch")
	alice.WaitEvent("away", "bob is away")
	alice.Do(chromedp.SendKeys(browsertest.TestID("input"), "Shall we do 50%"))
	if mode == "phone" {
		alice.Do(chromedp.Click(browsertest.TestID("people-toggle")))
		alice.Do(chromedp.WaitVisible(browsertest.TestID("members")))
	}

	png := browsertest.Run(alice, chromedp.CaptureScreenshot())
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("wrote %s (%d bytes)", path, len(png))
}
