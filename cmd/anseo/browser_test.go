package main

import (
	"testing"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/linetest"
)

// TestBrowserAndTelnetTalk runs the real program and puts a headless
// Chromium user and a real telnet client in one room: each sees the other
// join, speak and leave, the telnet user in the seed protocol's own lines.
func TestBrowserAndTelnetTalk(t *testing.T) {
	// A short grace period: a closed tab leaves the room once it is over.
	a := startAnseo(t, "-grace", "300ms")
	browser := browsertest.Shared(t) // skips, or fails under CI=true, without Chromium

	bob := linetest.Dial(t, a.telnetAddr, "bob")
	bob.Login("bob")

	alice := browser.NewTab(t, "http://"+a.httpAddr)
	alice.Login("alice")
	alice.WaitMember("bob", true)
	bob.Expect("alice has joined the channel.")

	alice.Say("hello from the browser")
	alice.WaitDelivered("hello from the browser")
	bob.Expect("<alice> hello from the browser")

	bob.Send("hello from the terminal")
	alice.WaitMessage("bob", "hello from the terminal")

	bob.Close()
	alice.WaitMember("bob", false)

	carol := linetest.Dial(t, a.telnetAddr, "carol")
	carol.Login("carol")
	alice.WaitMember("carol", true)
	alice.Close()
	carol.Expect("alice has left the channel.") // after the grace period
	if p := alice.Problems(); len(p) > 0 {
		t.Errorf("browser problems: %q", p)
	}
}
