package telnet_test

import (
	"log/slog"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/syncbuf"
	"github.com/anseo/anseo/internal/telnet"
)

// Telnet commands about ECHO, as the server sends them and a client
// answers.
const (
	willEcho = "\xff\xfb\x01"
	wontEcho = "\xff\xfc\x01"
	doEcho   = "\xff\xfd\x01"
	dontEcho = "\xff\xfe\x01"
)

// startWithLogs is start with the line port's and the hub's logs, at debug
// level, kept for the test to read.
func startWithLogs(t *testing.T, hubOpts hub.Options, cfg telnet.Config) (server, *syncbuf.Buffer) {
	t.Helper()
	logs := &syncbuf.Buffer{}
	hubOpts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return startLogging(t, ln, logs, hubOpts, cfg), logs
}

// TestAPasswordOnTheCommandLineGoesNowhere: /register and /password ask
// for the password themselves; one typed after them is never said,
// logged or sent to the hub, and the user is told how to do it.
func TestAPasswordOnTheCommandLineGoesNowhere(t *testing.T) {
	srv, logs := startWithLogs(t, withAccounts(t), telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")

	for _, tt := range []struct{ line, want string }{
		{"/register hunter2-secret", "* /register asks for the password itself, where it does not show: type /register alone."},
		{"  /REGISTER   hunter2-secret  ", "* /register asks for the password itself, where it does not show: type /register alone."},
		{"/password hunter2-secret", "* /password asks for the password itself, where it does not show: type /password alone."},
		{"/unregister hunter2-secret", "* Your name is not registered: /register protects it with a password."},
		{"/password", "* Your name is not registered: /register protects it with a password."},
	} {
		alice.Send(tt.line)
		alice.Expect(tt.want)
	}
	alice.Send("hello")
	assert.Equal(t, "<alice> hello\r\n", bob.ReadLine(), "bob saw nothing before it")
	srv.stop()
	assert.NotContains(t, logs.String(), "hunter2")
}

// TestRegisterAsksTwiceWhereItDoesNotShow: /register on the line port
// asks for the password twice with the client's echo off (the server
// offers to echo, and echoes nothing), ends each hidden line for the
// client, and turns the echo back on; two passwords that differ change
// nothing.
func TestRegisterAsksTwiceWhereItDoesNotShow(t *testing.T) {
	srv, logs := startWithLogs(t, withAccounts(t), telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")

	alice.Send("/register")
	alice.ExpectRaw("* Password: " + willEcho)
	alice.SendRaw(doEcho + "first-secret\r\n")
	alice.ExpectRaw("\r\n* Again: ")
	alice.SendRaw("second-secret\r\n")
	alice.ExpectRaw("\r\n" + wontEcho)
	alice.SendRaw(dontEcho)
	alice.ExpectRaw("* The two passwords differ. Nothing changed.\r\n")

	alice.Send("hello")
	assert.Equal(t, "<alice> hello\r\n", bob.ReadLine(), "bob saw nothing before it")
	srv.stop()
	assert.NotContains(t, logs.String(), "-secret")
}

// TestRegisterWithAClientThatShowsWhatIsTyped: a client that will not let
// the server hide what is typed (it answers DONT ECHO) is told the password
// will show, and is asked for it all the same.
func TestRegisterWithAClientThatShowsWhatIsTyped(t *testing.T) {
	srv := start(t, withAccounts(t), telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")

	alice.Send("/register")
	alice.ExpectRaw("* Password: " + willEcho)
	alice.SendRaw(dontEcho)
	alice.ExpectRaw("\r\n* Your client shows what you type: the password will show as you type it.\r\n* Password: ")
	alice.SendRaw("first-secret\r\n")
	alice.ExpectRaw("* Again: ") // its own echo ended the line
	alice.SendRaw("second-secret\r\n")
	alice.ExpectRaw("* The two passwords differ. Nothing changed.\r\n") // and nothing to turn back on
}

// TestRegisterOnTheTerminal: in the interactive mode the input area asks,
// draws nothing of what is typed, and keeps none of it to bring back.
func TestRegisterOnTheTerminal(t *testing.T) {
	cfg := termConfig
	cfg.MaxLineBytes = 20
	srv := start(t, withAccounts(t), cfg)
	alice := dialTerm(t, srv.termAddr, 60, 12, "xterm-256color")
	alice.Login("alice")

	alice.Type("/register\r\x00")
	alice.WaitRows(0, "* Password: ")
	// Then too much for a line: the notice that says so comes after the
	// keys before it were shown, if they were.
	alice.Type("first-secret" + "\x1b[C" + "-that-is-too-long")
	alice.WaitRow("* The line is full (max 20 bytes); send it or shorten it.")
	alice.Type("\r\x00")
	alice.WaitRows(0, "* Again: ")
	alice.Type("second-secret\r\x00")
	alice.WaitRows(0, "* The two passwords differ. Nothing changed.", "[alice] ")
	alice.Type("\x1b[A") // Up: the last line sent that was not a password
	alice.WaitRows(0, "* The two passwords differ. Nothing changed.", "[alice] /register")
	assert.NotContains(t, alice.sent(), "-secret", "never drawn, not even for a moment")
}
