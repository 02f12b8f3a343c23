package telnet_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/accounts"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/syncbuf"
	"github.com/anseo/anseo/internal/telnet"
)

// cheap hashes passwords fast: the tests are about the line port, not the
// hash's cost.
var cheap = accounts.Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

// startWithAccounts is startWithLogs for a server that keeps registered
// names, in a history file of the test's own; boss, once registered and
// logged in, is its operator.
func startWithAccounts(t *testing.T, cfg telnet.Config) (server, *syncbuf.Buffer) {
	t.Helper()
	return startWithLogs(t, withAccounts(t), cfg)
}

// withAccounts is a hub's options for keeping registered names in a
// history file of the test's own.
func withAccounts(t *testing.T) hub.Options {
	t.Helper()
	store, err := history.Open(context.Background(), t.TempDir()+"/anseo.db")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	return hub.Options{Accounts: store, PasswordCost: cheap, Operators: []string{"boss"}}
}

// register registers c's name with password on the line port, as a client
// that hides what is typed does.
func register(c *linetest.Client, password string) {
	c.Send("/register")
	c.ExpectRaw("* Password: " + willEcho)
	c.SendRaw(doEcho + password + "\r\n")
	c.ExpectRaw("\r\n* Again: ")
	c.SendRaw(password + "\r\n")
	c.ExpectRaw("\r\n" + wontEcho)
	c.SendRaw(dontEcho)
	c.Expect("* Your name is now registered: it needs your password to be taken. /password changes it, /unregister ends it.")
}

// quit leaves with /quit, so that the name is free at once: a client that
// hangs up with a telnet answer still unread by the server does not look
// hung up until the server reads it.
func quit(c *linetest.Client) {
	c.Send("/quit")
	c.ExpectClosed()
}

// logIn gives name and its password at the prompt, as a client that hides
// what is typed does, and expects the welcome.
func logIn(c *linetest.Client, name, password string) {
	c.Expect("What's your name?")
	c.Send(name)
	c.ExpectRaw("* " + name + " is registered; password: " + willEcho)
	c.SendRaw(doEcho + password + "\r\n")
	c.ExpectRaw("\r\n" + wontEcho)
	c.SendRaw(dontEcho)
	c.Expect("Welcome, " + name + "!")
}

// TestARegisteredNameNeedsItsPassword: once alice registers her name, it
// is hers: the line port asks for its password after the name, with the
// echo off, refuses a wrong one and asks for a name again, slows guessing
// down, and lets her in with the right one. The room sees none of it, and
// no password reaches the log.
func TestARegisteredNameNeedsItsPassword(t *testing.T) {
	srv, logs := startWithAccounts(t, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")

	register(alice, "correct-horse")
	alice.Send("hi")
	assert.Equal(t, "<alice> hi\r\n", bob.ReadLine(), "bob is told nothing of it")
	alice.Close()
	bob.Expect("alice has left the channel.")

	bob.Send("/nick alice")
	bob.Expect("* alice is registered to someone else: only its password takes it.")

	mallory := linetest.DialFrom(t, srv.addr, "127.0.0.2", "mallory") // guesses slow down its address(t, srv.addr, "mallory")
	mallory.Expect("What's your name?")
	mallory.Send("alice")
	mallory.ExpectRaw("* alice is registered; password: " + willEcho)
	mallory.SendRaw(doEcho + "wrong-horse-1\r\n")
	mallory.ExpectRaw("\r\n" + wontEcho)
	mallory.SendRaw(dontEcho)
	mallory.ExpectRaw("* Wrong password.\r\nWhat's your name?\r\n")
	// Try again at once, and again: soon the wait is longer than a try.
	slowed := false
	for try := 2; try <= 6 && !slowed; try++ {
		mallory.Send("alice")
		mallory.ExpectRaw("* alice is registered; password: " + willEcho)
		mallory.SendRaw(doEcho + "wrong-horse-" + string(rune('0'+try)) + "\r\n")
		mallory.ExpectRaw("\r\n" + wontEcho)
		mallory.SendRaw(dontEcho)
		line := mallory.ReadLine()
		slowed = strings.HasPrefix(line, "* Too many wrong passwords: try again in ")
		if !slowed {
			assert.Equal(t, "* Wrong password.\r\n", line)
		}
		mallory.Expect("What's your name?")
	}
	assert.True(t, slowed, "guessing is slowed down")
	mallory.Send("mallory") // a name of its own is free
	mallory.Expect("Welcome, mallory!")
	assert.Equal(t, "mallory has joined the channel.\r\n", bob.ReadLine(), "bob saw nothing of the guesses")

	alice = linetest.Dial(t, srv.addr, "alice again") // from her own address
	logIn(alice, "alice", "correct-horse")
	bob.Expect("alice has joined the channel.")

	srv.stop()
	assert.NotContains(t, logs.String(), "-horse")
}

// TestAClientThatShowsThePasswordStillLogsIn: a client that will not hide
// what is typed (DONT ECHO) is told so, and logs in all the same.
func TestAClientThatShowsThePasswordStillLogsIn(t *testing.T) {
	srv, _ := startWithAccounts(t, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	register(alice, "correct-horse")
	quit(alice)

	c := linetest.Dial(t, srv.addr, "telnetlib")
	c.Expect("What's your name?")
	c.Send("alice")
	c.ExpectRaw("* alice is registered; password: " + willEcho)
	c.SendRaw(dontEcho)
	c.ExpectRaw("\r\n* Your client shows what you type: the password will show as you type it.\r\n* alice is registered; password: ")
	c.SendRaw("correct-horse\r\n")
	c.ExpectRaw("Welcome, alice!\r\n") // no line end of the server's: the client's own echo ended the line
}

// TestPasswordAndUnregister: /password changes the password; /unregister
// asks for the name to be typed first, and ends the account.
func TestPasswordAndUnregister(t *testing.T) {
	srv, logs := startWithAccounts(t, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	alice.Send("/register")
	alice.ExpectRaw("* Password: " + willEcho)
	alice.SendRaw(doEcho + "short\r\n")
	alice.ExpectRaw("\r\n* Again: ")
	alice.SendRaw("short\r\n")
	alice.ExpectRaw("\r\n" + wontEcho)
	alice.SendRaw(dontEcho)
	alice.Expect("* Password too short: at least 8 characters. Nothing changed.")
	register(alice, "correct-horse")
	alice.Send("/register")
	alice.Expect("* Your name is registered already: /password changes its password.")

	alice.Send("/password")
	alice.ExpectRaw("* Password: " + willEcho)
	alice.SendRaw(doEcho + "battery-staple\r\n")
	alice.ExpectRaw("\r\n* Again: ")
	alice.SendRaw("battery-staple\r\n")
	alice.ExpectRaw("\r\n" + wontEcho)
	alice.SendRaw(dontEcho)
	alice.Expect("* Password changed.")

	alice.Send("/unregister")
	alice.ExpectRaw("* Type your name, alice, to end its registration (anything else keeps it): ")
	alice.Send("no")
	alice.Expect("* Your name stays registered.")
	quit(alice)

	alice = linetest.Dial(t, srv.addr, "alice again")
	logIn(alice, "alice", "battery-staple")
	alice.Send("/unregister")
	alice.ExpectRaw("* Type your name, alice, to end its registration (anything else keeps it): ")
	alice.Send("alice")
	alice.Expect("* Your name is no longer registered: anyone may take it once you leave.")
	quit(alice)

	anyone := linetest.Dial(t, srv.addr, "anyone")
	anyone.Login("alice")
	srv.stop()
	assert.NotContains(t, logs.String(), "horse")
	assert.NotContains(t, logs.String(), "staple")
}

// TestLogInOnTheTerminal: in the interactive mode the password is asked
// in the input area, and nothing of it is drawn.
func TestLogInOnTheTerminal(t *testing.T) {
	srv, _ := startWithAccounts(t, termConfig)
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	register(alice, "correct-horse")
	quit(alice)

	tm := dialTerm(t, srv.termAddr, 60, 12, "xterm-256color")
	tm.WaitRows(0, "What's your name?", "> ")
	tm.Type("alice\r\x00")
	tm.WaitRows(0, "* alice is registered; password: ")
	tm.Type("correct-horse\r\x00")
	tm.WaitRow("Welcome, alice!")
	tm.WaitRows(0, "[alice] ")
	assert.NotContains(t, tm.sent(), "-horse")
}

// A server that keeps no accounts says so at once, without asking for a
// password it would throw away.
func TestRegisterWhereNamesAreNotKept(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	alice.Send("/register")
	alice.Expect("* This server does not register names.")
	alice.Send("still here")
	alice.Send("/quit")
	alice.ExpectClosed()
}
