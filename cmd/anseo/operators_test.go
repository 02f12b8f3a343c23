package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/syncbuf"
)

// Telnet commands about ECHO, as the line port sends them around a
// password and a client answers.
const (
	willEcho = "\xff\xfb\x01"
	wontEcho = "\xff\xfc\x01"
	doEcho   = "\xff\xfd\x01"
	dontEcho = "\xff\xfe\x01"
)

// registerOnLine logs in to the line port at addr as name, the only one
// there, registers the name with password, and leaves.
func registerOnLine(t *testing.T, addr, name, password string) {
	t.Helper()
	c := linetest.Dial(t, addr, name)
	c.Login(name)
	c.Send("/motd") // everything before its answer has arrived
	until(t, c, "* There is no message of the day.")
	c.Send("/register")
	c.ExpectRaw("* Password: " + willEcho)
	c.SendRaw(doEcho + password + "\r\n")
	c.ExpectRaw("\r\n* Again: ")
	c.SendRaw(password + "\r\n")
	c.ExpectRaw("\r\n" + wontEcho)
	c.SendRaw(dontEcho)
	c.Expect("* Your name is now registered: it needs your password to be taken. /password changes it, /unregister ends it.")
	c.Send("/quit")
	c.ExpectClosed()
}

// logInOnLine joins the line port at addr as name, a registered name,
// with its password.
func logInOnLine(t *testing.T, addr, name, password string) *linetest.Client {
	t.Helper()
	c := linetest.Dial(t, addr, name)
	c.Expect("What's your name?")
	c.Send(name)
	c.ExpectRaw("* " + name + " is registered; password: " + willEcho)
	c.SendRaw(doEcho + password + "\r\n")
	c.ExpectRaw("\r\n" + wontEcho)
	c.SendRaw(dontEcho)
	c.Expect("Welcome, " + name + "!")
	return c
}

// untilContains reads c's lines until one contains want, and returns it.
func untilContains(t *testing.T, c *linetest.Client, want string) string {
	t.Helper()
	for range 100 {
		if line := c.ReadLine(); strings.Contains(line, want) {
			return line
		}
	}
	t.Fatalf("no line with %q", want)
	return ""
}

// TestTheServersOperators: the admin names a single server's operators
// with -operators and with anseo admin op while it runs; once logged in
// with their passwords they moderate, and what they did is in the
// moderation log after a restart. Registered names that are neither are
// not operators; with -rooms-need-account, a name that is not registered
// makes no room. No password is in the debug log or the history file.
func TestTheServersOperators(t *testing.T) {
	db := filepath.Join(t.TempDir(), "anseo.db")
	telnetAddr := freeAddr(t)
	args := []string{"-db", db, "-telnet-addr", telnetAddr, "-operators", "alice", "-rooms-need-account"}
	logs := &syncbuf.Buffer{}
	a := startAnseoWith(t, logs, args...)
	for _, name := range []string{"alice", "carol", "dave"} {
		registerOnLine(t, telnetAddr, name, name+"-secret-pw")
	}
	out, _, err := runAdmin(t, nil, "op", "carol", "-db", db)
	require.NoError(t, err)
	assert.Equal(t, "carol is now a server operator, from their next login.\n", out)

	bob := linetest.Dial(t, telnetAddr, "bob")
	bob.Login("bob")
	bob.Send("/join #new")
	until(t, bob, "* Only registered names make new rooms here: /register protects yours.")

	dave := logInOnLine(t, telnetAddr, "dave", "dave-secret-pw")
	dave.Send("/kick bob")
	until(t, dave, "* /kick is for operators.")
	dave.Send("/join #daves")
	until(t, dave, "* You are now in #daves (1 person).")

	alice := logInOnLine(t, telnetAddr, "alice", "alice-secret-pw")
	alice.Send("/kick bob spam")
	untilContains(t, alice, "bob was kicked by alice: spam")
	bob.ExpectClosed()

	carol := logInOnLine(t, telnetAddr, "carol", "carol-secret-pw")
	carol.Send("/modlog")
	until(t, carol, "* Moderation log, oldest first:")
	untilContains(t, carol, "bob was kicked by alice: spam")

	require.NoError(t, a.stop())
	a = startAnseoWith(t, logs, args...)
	carol = logInOnLine(t, telnetAddr, "carol", "carol-secret-pw")
	carol.Send("/modlog")
	until(t, carol, "* Moderation log, oldest first:")
	untilContains(t, carol, "bob was kicked by alice: spam")

	require.NoError(t, a.stop())
	assert.Contains(t, logs.String(), "carol", "the log is read")
	assert.NotContains(t, logs.String(), "secret-pw", "no password in the debug log")
	saved, err := os.ReadFile(db) // the server's last close checkpointed the WAL into it
	require.NoError(t, err)
	assert.Contains(t, string(saved), "$argon2id$", "the hashes are in the file")
	assert.NotContains(t, string(saved), "secret-pw", "no password in the history file")
}
