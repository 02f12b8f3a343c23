package main

import (
	"path/filepath"
	"testing"

	"github.com/anseo/anseo/internal/linetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHistorySurvivesARestart: what was said before a restart is what a
// newcomer is shown after it, and event IDs carry on where they stopped.
func TestHistorySurvivesARestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "anseo.db")
	first := startAnseo(t, "-db", db)
	alice := linetest.Dial(t, first.telnetAddr, "alice")
	alice.Login("alice")
	assert.Contains(t, alice.ReadLine(), "/resume") // the resume code
	alice.Send("remember me")
	alice.Send("/me waves goodbye")
	alice.Expect("** alice waves goodbye") // both are in the hub's history
	require.NoError(t, first.stop())

	second := startAnseo(t, "-db", db)
	bob := linetest.Dial(t, second.telnetAddr, "bob")
	bob.Expect("What's your name?")
	bob.Send("bob")
	bob.Expect("Welcome, bob!")
	assert.Contains(t, bob.ReadLine(), "* If your connection drops, type /resume ")
	bob.Expect("* Recent messages:")
	assert.Regexp(t, `^\* \[\d\d:\d\d\] <alice> remember me\r\n$`, bob.ReadLine())
	assert.Regexp(t, `^\* \[\d\d:\d\d\] \*\* alice waves goodbye\r\n$`, bob.ReadLine())
	bob.Expect("* End of recent messages.")
}

// TestRoomsSurviveARestart: a room, its topic and its history are there
// after a restart, though nobody is in it.
func TestRoomsSurviveARestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "anseo.db")
	first := startAnseo(t, "-db", db)
	alice := linetest.Dial(t, first.telnetAddr, "alice")
	alice.Login("alice")
	assert.Contains(t, alice.ReadLine(), "/resume") // the resume code
	alice.Send("/join #help")
	alice.Expect("* You are now in #help (1 person).")
	alice.Send("/topic ask anything")
	alice.Expect("* alice set the topic: ask anything")
	alice.Send("in help")
	alice.Send("/me waves") // shown back: everything before it is kept
	alice.Expect("** alice waves")
	require.NoError(t, first.stop())

	second := startAnseo(t, "-db", db)
	bob := linetest.Dial(t, second.telnetAddr, "bob")
	bob.Login("bob")
	assert.Contains(t, bob.ReadLine(), "/resume")
	bob.Send("/rooms")
	bob.Expect("* 2 rooms:")
	assert.Equal(t, "* #lobby                   1\r\n", bob.ReadLine())
	assert.Equal(t, "* #help                    0  ask anything\r\n", bob.ReadLine())
	bob.Send("/join #help")
	bob.Expect("* You are now in #help (1 person).")
	bob.Expect("* Topic: ask anything")
	bob.Expect("* Recent messages:")
	assert.Regexp(t, `^\* \[\d\d:\d\d\] <alice> in help\r\n$`, bob.ReadLine())
	assert.Regexp(t, `^\* \[\d\d:\d\d\] \*\* alice waves\r\n$`, bob.ReadLine())
	bob.Expect("* End of recent messages.")
}
