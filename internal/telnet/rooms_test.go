package telnet_test

import (
	"testing"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/telnet"
	"github.com/stretchr/testify/assert"
)

// TestRoomsOnTheLinePort: a telnet user is in one room at a time, and the
// 2014 protocol's lines are about the room they are in.
func TestRoomsOnTheLinePort(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")

	alice.Send("/join #help")
	bob.Expect("alice has left the channel.") // the lobby saw her go
	alice.Expect("* You are now in #help (1 person).")

	carol := linetest.Dial(t, srv.addr, "carol")
	carol.Login("carol")
	carol.Send("/join #Help") // one room, whatever the letter case
	alice.Expect("carol has joined the channel.")
	carol.Expect("* You are now in #help (2 people).")
	bob.Expect("carol has joined the channel.") // everyone arrives in the lobby
	bob.Expect("carol has left the channel.")

	bob.Send("in the lobby")
	bob.Send("/who") // answered once the line before it is in the lobby's history
	bob.Expect("* 1 in #lobby:")
	alice.Send("/topic questions welcome")
	carol.Expect("* alice set the topic: questions welcome")
	alice.Expect("* alice set the topic: questions welcome")
	alice.Send("anyone?")
	carol.Expect("<alice> anyone?") // and nothing of the lobby's before it

	alice.Send("/who")
	alice.Expect("* 2 in #help:")
	alice.Expect("* alice (telnet)")
	alice.Expect("* carol (telnet)")

	alice.Send("/rooms")
	alice.Expect("* 2 rooms:")
	assert.Equal(t, "* #help                    2  questions welcome\r\n", alice.ReadLine())
	assert.Equal(t, "* #lobby                   1\r\n", alice.ReadLine())

	alice.Send("/part see you")
	carol.Expect("alice has left the channel.")
	carol.Expect("* alice said on leaving: see you")
	alice.Expect("* You are now in #lobby (2 people).")
	alice.Expect("* Recent messages:")
	assert.Regexp(t, `^\* \[\d\d:\d\d\] <bob> in the lobby\r\n$`, alice.ReadLine(), "what the lobby said while she was away")
	alice.Expect("* End of recent messages.")
	bob.Expect("alice has joined the channel.")
	bob.Send("welcome back")
	alice.Expect("<bob> welcome back")

	alice.Send("/part")
	alice.Expect("* Everyone starts in #lobby: /join another room to leave it.")
}
