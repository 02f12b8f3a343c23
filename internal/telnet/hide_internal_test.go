package telnet

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHidingInput: the server's ECHO, offered so that a password does not
// show, on each port in line mode, and what each kind of client answers.
func TestHidingInput(t *testing.T) {
	for _, offered := range []bool{false, true} { // the line port; the terminal port, in line mode
		n := newNegotiation(offered)
		if offered {
			n.decideLine()
		}
		shown := 0
		n.onShown = func() { shown++ }

		// A client that hides: WILL ECHO, DO ECHO; WONT ECHO, DONT ECHO.
		assert.Equal(t, []byte{iac, will, optEcho}, n.hideInput())
		assert.True(t, n.inputHidden())
		assert.Nil(t, n.answer(do, optEcho), "an agreement is not answered")
		assert.True(t, n.inputHidden())
		assert.Equal(t, []byte{iac, wont, optEcho}, n.showInput())
		assert.Nil(t, n.answer(dont, optEcho), "nor is its withdrawal's")
		assert.False(t, n.inputHidden())
		assert.Zero(t, shown)

		// A client that will not: told once; nothing to withdraw.
		n.hideInput()
		assert.Nil(t, n.answer(dont, optEcho))
		assert.False(t, n.inputHidden())
		assert.Equal(t, 1, shown)
		assert.Nil(t, n.showInput())

		// A client that takes it back while the password is typed.
		n.hideInput()
		n.answer(do, optEcho)
		assert.Equal(t, []byte{iac, wont, optEcho}, n.answer(dont, optEcho), "acknowledged")
		assert.Equal(t, 2, shown)
		assert.Nil(t, n.showInput())

		// A client that agrees after the offer was withdrawn (it read them
		// one after the other): its DONT follows, and nothing loops.
		n.hideInput()
		n.showInput()
		assert.Nil(t, n.answer(do, optEcho))
		assert.Nil(t, n.answer(dont, optEcho))
		assert.False(t, n.inputHidden())

		// Once it is over, ECHO is the port's as before: the line port
		// refuses it.
		if !offered {
			assert.Equal(t, []byte{iac, wont, optEcho}, n.answer(do, optEcho))
		}
	}
}

// TestInteractiveModeHidesWithoutAsking: a client in the interactive mode
// shows only what the server draws; the editor draws nothing of a password.
func TestInteractiveModeHidesWithoutAsking(t *testing.T) {
	n := newNegotiation(true)
	n.offer()
	n.answer(do, optEcho)
	n.answer(do, optSGA)
	assert.Equal(t, modeInteractive, n.mode)
	assert.Nil(t, n.hideInput())
	assert.Nil(t, n.showInput())

	e := newEditor(100)
	e.apply(key{op: opInsert, text: "hello"})
	e.apply(key{op: opEnter})
	e.secret = true
	e.apply(key{op: opUp})
	assert.Empty(t, e.line, "Up brings back no line while a password is typed")
	e.apply(key{op: opInsert, text: "hunter2hunter2"})
	_, got := e.apply(key{op: opEnter})
	assert.Equal(t, "hunter2hunter2", got)
	assert.Equal(t, []string{"hello"}, e.history, "the password is not kept")
}
