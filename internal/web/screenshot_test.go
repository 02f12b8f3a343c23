package web_test

import (
	"os"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/hub"
)

// TestScreenshot renders the chat page, with a short conversation between
// browser and telnet users, to the PNG file $ANSEO_SCREENSHOT names. It is
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
	srv, newTab := browserServer(t)

	carol := join(t, srv.Hub, "carol", hub.TransportTelnet)
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
	alice.Login("alice")
	bob.Login("bob")
	alice.WaitMember("bob", true)

	say := func(m *hub.Member, text string) {
		t.Helper()
		require.NoError(t, m.Say(t.Context(), text, ""))
		alice.WaitMessage(m.Name(), text)
	}
	bobSays := func(text string) {
		t.Helper()
		bob.Say(text)
		alice.WaitMessage("bob", text)
	}

	bobSays("Morning! Is the deploy still on for today?")
	say(carol, "yes, I'm tailing the logs on the box now")
	alice.Say("Great. I'll keep an eye on the dashboards.")
	alice.WaitDelivered("Great. I'll keep an eye on the dashboards.")
	dave := join(t, srv.Hub, "dave", hub.TransportWeb)
	alice.WaitEvent("joined", "dave joined")
	bobSays("Hi dave! We're about to ship 2.4.")
	dave.Leave()
	alice.WaitEvent("left", "dave left")
	say(carol, "rollout at 25%, error rate flat")
	alice.Say("Nice. Ping me if anything looks off.")
	alice.WaitDelivered("Nice. Ping me if anything looks off.")
	alice.Do(chromedp.SendKeys(browsertest.TestID("input"), "Shall we do 50%"))
	if mode == "phone" {
		alice.Do(chromedp.Click(browsertest.TestID("people-toggle")))
		alice.Do(chromedp.WaitVisible(browsertest.TestID("members")))
	}

	png := browsertest.Run(alice, chromedp.CaptureScreenshot())
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("wrote %s (%d bytes)", path, len(png))
}
