package telnet_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/telnet"
)

// operator logs boss in as the server's operator: registered, then back
// with the password (operators are known at login).
func operator(t *testing.T, srv server) *linetest.Client {
	t.Helper()
	boss := linetest.Dial(t, srv.addr, "boss")
	boss.Login("boss")
	register(boss, "boss-password")
	quit(boss)
	boss = linetest.Dial(t, srv.addr, "boss again")
	logIn(boss, "boss", "boss-password")
	return boss
}

// TestKickOnTheLinePort: everyone reads who kicked whom and why, and no
// departure line; the one kicked is told, and its connection ends.
func TestKickOnTheLinePort(t *testing.T) {
	srv, _ := startWithAccounts(t, telnet.Config{})
	boss := operator(t, srv)
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")

	boss.Send("/kick alice spam")
	assert.Equal(t, "* alice was kicked by boss: spam\r\n", bob.ReadLine())
	assert.Equal(t, []string{"* alice was kicked by boss: spam", "* You were kicked off the server."}, alice.ExpectClosed())
	boss.Send("still here")
	assert.Equal(t, "<boss> still here\r\n", bob.ReadLine(), "no departure line")

	bob.Send("/kick boss")
	bob.Expect("* /kick is for operators.")
}

// TestMuteOnTheLinePort: a muted person's lines reach nobody, and it is
// told so; everyone reads the mute and its end.
func TestMuteOnTheLinePort(t *testing.T) {
	srv, _ := startWithAccounts(t, telnet.Config{})
	boss := operator(t, srv)
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")

	boss.Send("/mute alice 10m shouting")
	assert.Equal(t, "* alice was muted by boss for 10 minutes: shouting\r\n", bob.ReadLine())
	alice.Expect("* alice was muted by boss for 10 minutes: shouting")
	alice.Send("HELLO")
	line := alice.ReadLine()
	assert.True(t, strings.HasPrefix(line, "* You are muted until ") && strings.HasSuffix(line, " UTC: nobody saw what you said.\r\n"), line)
	boss.Send("/unmute alice")
	assert.Equal(t, "* alice was unmuted by boss\r\n", bob.ReadLine(), "HELLO reached nobody")
	alice.Expect("* alice was unmuted by boss")
	alice.Send("sorry")
	assert.Equal(t, "<alice> sorry\r\n", bob.ReadLine())
}

// TestBanOnTheLinePort: a banned person is told, removed, and refused when
// it comes back, under its name or another from its address; operators
// see which address /bans holds.
func TestBanOnTheLinePort(t *testing.T) {
	srv, _ := startWithAccounts(t, telnet.Config{})
	boss := operator(t, srv)
	alice := linetest.DialFrom(t, srv.addr, "127.0.0.2", "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	boss.Expect("alice has joined the channel.")
	boss.Expect("bob has joined the channel.")

	boss.Send("/ban alice spam")
	assert.Equal(t, "* alice was banned by boss: spam\r\n", bob.ReadLine())
	closed := alice.ExpectClosed()
	assert.Contains(t, closed, "* alice was banned by boss: spam")
	assert.Equal(t, "* You are banned from this server.", closed[len(closed)-1])
	boss.Expect("* alice was banned by boss: spam")

	boss.Send("/bans") // with the address, for operators
	boss.Expect("* 2 bans:")
	assert.True(t, strings.HasPrefix(boss.ReadLine(), "* alice by boss since "))
	assert.True(t, strings.HasPrefix(boss.ReadLine(), "* alice (127.0.0.2/32) by the server since "))

	for _, name := range []string{"alice", "alice2"} {
		again := linetest.DialFrom(t, srv.addr, "127.0.0.2", "alice again")
		again.Expect("What's your name?")
		again.Send(name)
		again.ExpectRaw("* You are banned from this server: spam.\r\nWhat's your name?\r\n")
	}
	boss.Send("hi")
	assert.Equal(t, "<boss> hi\r\n", bob.ReadLine(), "no departure line")
}

// TestMotdOnTheLinePort: the message of the day follows the welcome.
func TestMotdOnTheLinePort(t *testing.T) {
	srv, _ := startWithAccounts(t, telnet.Config{})
	boss := operator(t, srv)
	boss.Send("/motd Be kind.")
	boss.Expect("* boss set the message of the day")
	carol := linetest.Dial(t, srv.addr, "carol")
	carol.Expect("What's your name?")
	carol.Send("carol")
	carol.ExpectRaw("Welcome, carol!\r\n")
	carol.Expect("* Message of the day: Be kind.")
	carol.Send("/motd")
	carol.Expect("* Message of the day: Be kind.")
}

// TestRoomKickOnTheLinePort: whoever makes a room is its operator; one it
// kicks out is told where from, and is back in the lobby, on the server.
func TestRoomKickOnTheLinePort(t *testing.T) {
	srv, _ := startWithAccounts(t, telnet.Config{})
	carol := linetest.Dial(t, srv.addr, "carol")
	carol.Login("carol")
	register(carol, "carol-password")
	quit(carol)
	carol = linetest.Dial(t, srv.addr, "carol again")
	logIn(carol, "carol", "carol-password")
	carol.Send("/join #new")
	carol.Expect("* You are now in #new (1 person).")
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	alice.Send("/join #new")
	alice.Expect("* You are now in #new (2 people).")
	carol.Expect("alice has joined the channel.")

	carol.Send("/kick alice go away")
	carol.Expect("* alice was kicked out of #new by carol: go away")
	alice.Expect("* alice was kicked out of #new by carol: go away")
	alice.Expect("* You were kicked out of #new.")
	alice.Expect("* You are now in #lobby (1 person).")
	carol.Send("/who")
	assert.Equal(t, "* 1 in #new:\r\n", carol.ReadLine(), "no departure line")
}
