package telnet_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/telnet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommands(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")

	t.Run("/help lists every command", func(t *testing.T) {
		alice.Send("/help")
		alice.Expect("* Commands:")
		var help []string
		for line := alice.ReadLine(); !strings.Contains(line, "//text"); line = alice.ReadLine() {
			help = append(help, line)
		}
		for _, cmd := range []string{"/help", "/who", "/me", "/msg", "/nick", "/away", "/back", "/quit"} {
			assert.Contains(t, strings.Join(help, ""), "* "+cmd)
		}

		// Its example of /me is what /me does.
		var example []string
		for _, line := range help {
			if m := regexpMeExample.FindStringSubmatch(line); m != nil {
				example = m
			}
		}
		require.NotNil(t, example, "/help shows how /me looks: %q", help)
		alice.Send("/me " + example[1])
		assert.Equal(t, example[2]+"\r\n", alice.ReadLine())
		bob.Expect(example[2])
	})
	t.Run("/who lists who is here", func(t *testing.T) {
		bob.Send("/who")
		bob.Expect("* 2 in #lobby:")
		bob.Expect("* alice (telnet)")
		bob.Expect("* bob (telnet)")
	})
	t.Run("/me is an action, shown to its author too", func(t *testing.T) {
		alice.Send("/me waves")
		bob.Expect("** alice waves")
		alice.Expect("** alice waves")
	})
	t.Run("an action cannot pass for a line of the server's", func(t *testing.T) {
		alice.Send("/me is away: lunch")
		bob.Expect("** alice is away: lunch") // not "* alice is away: lunch"
		alice.Expect("** alice is away: lunch")
	})
	t.Run("/msg is private and shown distinctly", func(t *testing.T) {
		carol := linetest.Dial(t, srv.addr, "carol")
		carol.Login("carol")
		alice.Expect("carol has joined the channel.")
		bob.Expect("carol has joined the channel.")

		alice.Send("/msg bob the cake is a lie")
		bob.Expect("* alice whispers: the cake is a lie")
		alice.Expect("* you whisper to bob: the cake is a lie")
		alice.Send("/msg nobody hello")
		alice.Expect("* Nobody called nobody is here.")
		bob.Send("public again")
		alice.Expect("<bob> public again")
		carol.Expect("<bob> public again") // and not the whisper before it
		carol.Close()
		alice.Expect("carol has left the channel.")
		bob.Expect("carol has left the channel.")
	})
	t.Run("/away and /back, and talking brings you back", func(t *testing.T) {
		bob.Send("/away lunch")
		alice.Expect("* bob is away: lunch")
		bob.Expect("* bob is away: lunch")
		alice.Send("/who")
		alice.Expect("* 2 in #lobby:")
		alice.Expect("* alice (telnet)")
		alice.Expect("* bob (telnet, away: lunch)")
		bob.Send("back already")
		alice.Expect("* bob is back")
		alice.Expect("<bob> back already")
		bob.Send("/back")
		bob.Expect("* bob is back") // the one from talking
		bob.Expect("* You are not away.")
	})
	t.Run("/nick is announced", func(t *testing.T) {
		bob.Send("/nick robert")
		alice.Expect("* bob is now known as robert")
		bob.Expect("* bob is now known as robert")
		bob.Send("hi")
		alice.Expect("<robert> hi")
		alice.Send("/nick Robert")
		alice.Expect("* Name taken, or one that looks just like it: Robert.")
		alice.Send("/nick no way")
		alice.Expect("* Name invalid: it may only contain letters, digits, '_', '-' and '.'.")
	})
	t.Run("// sends a line that starts with /", func(t *testing.T) {
		alice.Send("//shrug")
		bob.Expect("<alice> /shrug")
	})
	t.Run("an unknown command gets a hint", func(t *testing.T) {
		alice.Send("/dance")
		alice.Expect("* Unknown command /dance. Type /help for the list, or // to start a message with /.")
	})
	t.Run("/quit leaves with parting words", func(t *testing.T) {
		bob.Send("/quit see you")
		alice.Expect("robert has left the channel.")
		alice.Expect("* robert said on leaving: see you")
		bob.Expect("* Goodbye, robert.")
		bob.ExpectClosed()
		require.NoError(t, checkFree(srv, "robert"))
	})
}

func TestHistoryForNewcomers(t *testing.T) {
	srv := start(t, hub.Options{HistoryLen: 2}, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	alice.Send("one")
	alice.Send("two")
	alice.Send("/me three")
	alice.Expect("** alice three") // all three are in the room's history now

	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Expect("What's your name?")
	bob.Send("bob")
	bob.Expect("Welcome, bob!")
	bob.Expect("* Recent messages:")
	assert.Regexp(t, `^\* \[\d\d:\d\d\] <alice> two\r\n$`, bob.ReadLine())
	assert.Regexp(t, `^\* \[\d\d:\d\d\] \*\* alice three\r\n$`, bob.ReadLine())
	bob.Expect("* End of recent messages.")
}

func TestResume(t *testing.T) {
	srv := start(t, hub.Options{Grace: time.Minute}, telnet.Config{Grace: time.Minute})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Expect("What's your name?")
	bob.Send("bob")
	bob.Expect("Welcome, bob!")
	hint := bob.ReadLine()
	m := regexpResumeHint.FindStringSubmatch(hint)
	require.NotNil(t, m, "no resume code in %q", hint)
	code := m[1]
	alice.Expect("bob has joined the channel.")

	witness := linetest.Dial(t, srv.addr, "witness")
	witness.Login("witness")
	alice.Expect("witness has joined the channel.")

	bob.Close() // the connection drops: the seed's departure, at once
	alice.Expect("bob has left the channel.")
	alice.Send("you missed this")
	witness.Expect("bob has left the channel.")
	witness.Expect("<alice> you missed this") // in the room before bob comes back

	back := linetest.Dial(t, srv.addr, "bob again")
	back.Expect("What's your name?")
	back.Send("/resume nonsense")
	back.Expect("* That code is unknown or has expired, please choose a name.")
	back.Send("/resume " + code)
	back.Expect("Welcome, bob!")
	back.Expect("* If your connection drops, type /resume " + code + " at the name prompt within 1m0s to get your name back.")
	back.Expect("* While you were gone:")
	assert.Equal(t, "<alice> you missed this\r\n", back.ReadLine(), "what others did, not their own leaving")
	back.Expect("* You are up to date.")
	alice.Expect("bob has joined the channel.")
}

func TestResumeNeedsTheNameFree(t *testing.T) {
	srv := start(t, hub.Options{Grace: time.Minute}, telnet.Config{Grace: time.Minute})
	witness := linetest.Dial(t, srv.addr, "witness")
	witness.Login("witness")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Expect("What's your name?")
	bob.Send("bob")
	bob.Expect("Welcome, bob!")
	code := regexpResumeHint.FindStringSubmatch(bob.ReadLine())[1]
	witness.Expect("bob has joined the channel.")
	bob.Close()
	witness.Expect("bob has left the channel.")
	impostor := linetest.Dial(t, srv.addr, "impostor")
	impostor.Login("bob") // the name was free at once

	back := linetest.Dial(t, srv.addr, "bob again")
	back.Expect("What's your name?")
	back.Send("/resume " + code)
	back.Expect("Name taken, please choose another.")
}

// regexpMeExample finds /help's example of /me: what is typed after
// "/me", and the line it shows.
var regexpMeExample = regexp.MustCompile(`/me (\w+) shows as "([^"]+)"`)

var regexpResumeHint = regexp.MustCompile(`^\* If your connection drops, type /resume (\S+) at the name prompt`)
