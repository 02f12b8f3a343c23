package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
)

// TestBrowserMultiLineMessages: Shift+Enter starts a new line, Enter sends;
// a pasted block keeps its line breaks; one over the limit in lines is
// refused where the writer sees it, and nothing is sent.
func TestBrowserMultiLineMessages(t *testing.T) {
	t.Parallel()
	_, newTab := browserServer(t)
	alice, bob := newTab(), newTab()
	alice.Login("alice")
	bob.Login("bob")
	alice.WaitMember("bob", true)

	box := browsertest.TestID("input")
	alice.Do(
		chromedp.SendKeys(box, "first line"),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierShift)),
		chromedp.SendKeys(box, "second line"),
	)
	assert.Equal(t, "first line\nsecond line", alice.Value("input"), "Shift+Enter adds a line, and sends nothing")
	alice.Do(chromedp.KeyEvent("\r"))
	alice.WaitDelivered("first line\nsecond line")
	bob.WaitMessage("alice", "first line\nsecond line")
	assert.Empty(t, alice.Value("input"))

	paste := func(tab *browsertest.Tab, text string) {
		t.Helper()
		tab.Do(chromedp.Focus(box))
		_, err := chromedp.Call(tab.Context(), input.InsertText, input.InsertTextParams{Text: text}) // as a paste puts it in
		require.NoError(t, err)
		tab.Do(chromedp.KeyEvent("\r"))
	}
	var lines []string
	for i := 1; i <= 15; i++ {
		lines = append(lines, fmt.Sprintf("%02d: a line of a pasted log", i))
	}
	paste(alice, strings.Join(lines, "\n"))
	bob.WaitMessage("alice", strings.Join(lines, "\n"))
	assert.Equal(t, 15, browsertest.Run(bob, chromedp.Evaluate[int](`(() => {
		const p = [...document.querySelectorAll('[data-testid=message] .text')].pop();
		return Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight));
	})()`)), "bob sees the fifteen lines as fifteen lines")

	t.Run("more lines than the limit are refused, visibly", func(t *testing.T) {
		tall := strings.Repeat("x\n", 50) + "fifty-one"
		paste(alice, tall)
		assert.Equal(t, "That message is too long: 51 lines, and the limit is 50.", alice.Text("composer-hint"))
		assert.Equal(t, tall, alice.Value("input"), "what was typed stays, to be cut down")
		alice.Do(chromedp.Evaluate[chromedp.Void](`document.getElementById('text').value = ''`))
		alice.Say("after the refusal")
		bob.WaitMessage("alice", "after the refusal")
		assert.Equal(t, 3, bob.Count(`[data-testid=message]`), "the tall one was never sent")
	})
	assertNoProblems(t, alice, bob)
}
