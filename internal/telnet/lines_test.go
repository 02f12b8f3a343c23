package telnet_test

import (
	"context"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/hub/hubtest"
	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/telnet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A message of several lines, from the web, reaches a terminal as the seed
// shows lines said one after another: each with its sender in front, so
// that no line of it can pass for the server's or someone else's.
func TestMultiLineMessagesOnTheLinePort(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	web, err := srv.hub.Join(t.Context(), "webby", hub.JoinOptions{Transport: hub.TransportWeb})
	require.NoError(t, err)
	webEvents := hubtest.Read(t, web)
	alice.Expect("webby has joined the channel.")

	say := func(text string) {
		t.Helper()
		require.NoError(t, web.Say(t.Context(), text, ""))
	}
	say("first line\nbob has left the channel.\n\n* Server is shutting down.")
	alice.Expect("<webby> first line")
	alice.Expect("<webby> bob has left the channel.")
	alice.Expect("<webby> ")
	alice.Expect("<webby> * Server is shutting down.")

	say("/me waves\nand smiles")
	alice.Expect("** webby waves")
	alice.Expect("** webby and smiles")

	say("/msg alice psst\nover here")
	alice.Expect("* webby whispers: psst")
	alice.Expect("* webby whispers: over here")

	t.Run("a newcomer's history shows each line with its time", func(t *testing.T) {
		carol := linetest.Dial(t, srv.addr, "carol")
		carol.Login("carol")
		carol.Expect("* Recent messages:")
		assert.Regexp(t, `^\* \[\d\d:\d\d\] <webby> first line\r\n$`, carol.ReadLine())
		assert.Regexp(t, `^\* \[\d\d:\d\d\] <webby> bob has left the channel\.\r\n$`, carol.ReadLine())
	})

	t.Run("a telnet paste of several lines stays several messages", func(t *testing.T) {
		alice.SendRaw("pasted one\r\npasted two\r\npasted three\r\n")
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		var got []string
		for ev := range webEvents.All(ctx) {
			if ev.Kind == hub.KindMessage && ev.Name == "alice" {
				got = append(got, ev.Text)
				if len(got) == 3 {
					break
				}
			}
		}
		assert.Equal(t, []string{"pasted one", "pasted two", "pasted three"}, got)
	})
}
