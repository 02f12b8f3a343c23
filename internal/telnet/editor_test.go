package telnet

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHistoryKeepsTheLast100: Up brings back at most the last 100 lines
// sent, and stops at the oldest of them.
func TestHistoryKeepsTheLast100(t *testing.T) {
	e := newEditor(64)
	for i := range 150 {
		e.apply(key{op: opInsert, text: fmt.Sprint("line ", i)})
		e.apply(key{op: opEnter})
	}
	for range historyLen {
		result, _ := e.apply(key{op: opUp})
		assert.Equal(t, editChanged, result)
	}
	assert.Equal(t, "line 50", e.line)
	result, _ := e.apply(key{op: opUp})
	assert.Equal(t, editNothing, result, "nothing older")
	assert.Equal(t, "line 50", e.line)
}

// TestKeysSplitAcrossReads: a character or an escape sequence cut in two by
// the network is one key once the rest comes; telnet's Enter (CR NUL) and
// a terminal's (CR LF) are one Enter each.
func TestKeysSplitAcrossReads(t *testing.T) {
	var d keyDecoder
	assert.Equal(t, []key{{op: opInsert, text: "a"}}, d.decode([]byte("a\xe6\xbc")))
	assert.Equal(t, []key{{op: opInsert, text: "漢b"}, {op: opLeft}}, d.decode([]byte("\xa2b\x1b[D\x1b")))
	assert.Equal(t, []key{{op: opDelete}, {op: opEnter}}, d.decode([]byte("[3~\r")))
	assert.Nil(t, d.decode([]byte("\x00")), "the NUL of CR NUL")
	assert.Equal(t, []key{{op: opEnter}, {op: opEnter}}, d.decode([]byte("\r\n\n")))
	assert.Equal(t, []key{{op: opWordLeft}, {op: opWordRight}, {op: opHome}, {op: opEnd}}, d.decode([]byte("\x1b[1;5D\x1bf\x1bOH\x1b[4~")))
	assert.Equal(t, []key{{op: opInsert, text: "x"}}, d.decode([]byte("\x1b[99;99;99;99;99;99;99zx")), "an unknown sequence is swallowed whole")
}

// TestEditorMovesByCharacters: a character made of several code points
// (e and a combining accent, a flag) is one step and one deletion.
func TestEditorMovesByCharacters(t *testing.T) {
	e := newEditor(64)
	e.apply(key{op: opInsert, text: "ae\u0301🇮🇪z"})
	e.apply(key{op: opLeft})
	e.apply(key{op: opBackspace}) // the flag, whole
	assert.Equal(t, "ae\u0301z", e.line)
	e.apply(key{op: opBackspace}) // é, whole
	assert.Equal(t, "az", e.line)
	assert.Equal(t, 1, e.cursor)
}

// TestWindowWidthIsBounded: a window too narrow to type in is taken as
// ten columns; one absurdly wide as a thousand.
func TestWindowWidthIsBounded(t *testing.T) {
	s := newScreen()
	s.resize(1)
	assert.Equal(t, minWidth, s.width)
	s.resize(65535)
	assert.Equal(t, maxWidth, s.width)
}

// FuzzEditor types arbitrary bytes: the editor never panics, never holds
// more than its limit, its cursor is always inside the line, and the
// screen draws whatever it holds, at any width.
func FuzzEditor(f *testing.F) {
	for _, seed := range []string{"hello\r\x00", "\x1b[D\x1b[Dx\x17\x15", "é\u0301\x7f\x7f\x1b[3~", "a\tb\x1b[A\x1b[B\x0b\x03\x04", "\xe6\xbc", "\x1b[1;5C\x1bb"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var d keyDecoder
		e := newEditor(16)
		s := newScreen()
		s.me = "alice"
		s.resize(len(in) % 30)
		for i := 0; i < len(in); i += 3 { // as the network might cut it
			for _, k := range d.decode(in[i:min(i+3, len(in))]) {
				e.apply(k)
				if len(e.line) > e.max || e.cursor < 0 || e.cursor > len(e.line) {
					t.Fatalf("line %q, cursor %d", e.line, e.cursor)
				}
				s.setInput(e.line, e.cursor)
				s.refresh()
				s.print([]line{{parts: says(seedMessage, name("alice"), text(e.line))}})
			}
		}
	})
}

// TestWrapBetweenWords: a line wraps after a space, also the one after
// the sender's name, and a word longer than the window is cut.
func TestWrapBetweenWords(t *testing.T) {
	s := newScreen()
	s.resize(12)
	rows := func(l line) []string {
		var out []string
		for _, row := range wrap(s.cells(l), s.width) {
			var b []byte
			for _, c := range row {
				b = append(b, c.text...)
			}
			out = append(out, string(b))
		}
		return out
	}
	assert.Equal(t, []string{"<bob>", "averyverylon", "gword"},
		rows(line{parts: says(seedMessage, name("bob"), text("averyverylongword"))}))
	assert.Equal(t, []string{"<bob> one", "two three"},
		rows(line{parts: says(seedMessage, name("bob"), text("one two three"))}))
}

// TestWordMovesOnALongLine: moving by word over the longest line costs
// one pass over it, so keys cannot be made to cost a server much.
func TestWordMovesOnALongLine(t *testing.T) {
	e := newEditor(4096)
	e.apply(key{op: opInsert, text: strings.Repeat("x", 4096)})
	allocs := testing.AllocsPerRun(10, func() {
		e.apply(key{op: opWordLeft})
		e.apply(key{op: opWordRight})
	})
	assert.Equal(t, len(e.line), e.cursor)
	assert.Less(t, allocs, 60.0, "one list of boundaries per move, not one per character")
}

func TestWordMoves(t *testing.T) {
	e := newEditor(64)
	e.apply(key{op: opInsert, text: "one  two é\u0301x"})
	e.apply(key{op: opWordLeft})
	assert.Equal(t, len("one  two "), e.cursor)
	e.apply(key{op: opWordLeft})
	assert.Equal(t, len("one  "), e.cursor)
	e.apply(key{op: opWordRight})
	assert.Equal(t, len("one  two"), e.cursor)
	e.apply(key{op: opKillWord})
	assert.Equal(t, "one   é\u0301x", e.line)
}

// TestCursorMovesAlone: moving the cursor over a drawn line moves it, and
// sends nothing of the line again.
func TestCursorMovesAlone(t *testing.T) {
	s := newScreen()
	s.resize(20)
	line := strings.Repeat("abcdefghij", 5) // three rows, with the prompt
	s.setInput(line, len(line))
	assert.Contains(t, string(s.refresh()), "abcdefghij")
	assert.Equal(t, "\x1b[2A\r\x1b[2C", string(s.setInput(line, 0)), "to the start: two rows up, past the prompt")
	assert.Equal(t, "\x1b[1B\r\x1b[8C", string(s.setInput(line, 26)))
	assert.Nil(t, s.refresh(), "nothing to draw")
	assert.Equal(t, "\r\x1b[1A\x1b[J", string(s.setInput(line+"x", 51)), "a changed line is taken away, to be drawn again")
}
