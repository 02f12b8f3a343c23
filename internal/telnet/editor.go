package telnet

import (
	"slices"
	"strings"
	"unicode"

	"github.com/rivo/uniseg"
)

// historyLen is how many sent lines Up can bring back.
const historyLen = 100

// editor is the line being typed on a terminal in character mode, and the
// lines sent before it. It moves and deletes by grapheme cluster (what the
// user sees as one character: "é" typed as e and a combining accent, a
// flag), never splitting one. Only the connection's reader touches it.
type editor struct {
	line   string
	cursor int  // byte offset into line, at a cluster boundary
	max    int  // longest line, in bytes
	full   bool // the last text typed did not fit

	// secret: a password is typed: it is not kept in the history, which
	// Up and Down do not browse meanwhile.
	secret bool

	history []string // oldest first
	recall  int      // index into history while Up/Down browse; len(history) when not
	draft   string   // the line being typed when browsing began
}

func newEditor(max int) *editor { return &editor{max: max} }

// edit is what a key did, for the caller to act on.
type edit uint8

const (
	editNothing  edit = iota // nothing changed (a key with no effect here)
	editChanged              // the line or the cursor changed
	editSubmit               // Enter: take the line (submitted)
	editLeave                // Ctrl-D on an empty line
	editComplete             // Tab: complete the word before the cursor
	editFull                 // text refused: the line would be over max
	editRedraw               // Ctrl-L: draw the screen's input again
)

// apply applies k and says what became of it. For editSubmit the line is
// in submitted, and the editor is empty again. A line that is full says so
// once, not for every key that bounces off it.
func (e *editor) apply(k key) (result edit, submitted string) {
	result, submitted = e.do(k)
	switch {
	case result == editFull && e.full:
		result = editNothing
	case result == editFull:
		e.full = true
	case result != editNothing:
		e.full = false
	}
	return result, submitted
}

func (e *editor) do(k key) (result edit, submitted string) {
	switch k.op {
	case opInsert:
		return e.insert(k.text), ""
	case opEnter:
		line := e.line
		if strings.TrimSpace(line) != "" && !e.secret {
			e.remember(line)
		}
		e.set("", 0)
		e.recall, e.draft = len(e.history), ""
		return editSubmit, line
	case opBackspace:
		if e.cursor == 0 {
			return editNothing, ""
		}
		start := e.prevBoundary(e.cursor)
		e.set(e.line[:start]+e.line[e.cursor:], start)
	case opDeleteOrEOF:
		if e.line == "" {
			return editLeave, ""
		}
		fallthrough
	case opDelete:
		if e.cursor == len(e.line) {
			return editNothing, ""
		}
		e.set(e.line[:e.cursor]+e.line[e.nextBoundary(e.cursor):], e.cursor)
	case opLeft:
		e.cursor = e.prevBoundary(e.cursor)
	case opRight:
		e.cursor = e.nextBoundary(e.cursor)
	case opWordLeft:
		e.cursor = e.wordStart(e.cursor)
	case opWordRight:
		e.cursor = e.wordEnd(e.cursor)
	case opHome:
		e.cursor = 0
	case opEnd:
		e.cursor = len(e.line)
	case opKillWord:
		start := e.wordStart(e.cursor)
		e.set(e.line[:start]+e.line[e.cursor:], start)
	case opKillStart:
		e.set(e.line[e.cursor:], 0)
	case opKillEnd:
		e.set(e.line[:e.cursor], e.cursor)
	case opInterrupt:
		e.set("", 0)
		e.recall, e.draft = len(e.history), ""
	case opUp:
		if e.recall == 0 || e.secret {
			return editNothing, ""
		}
		if e.recall == len(e.history) {
			e.draft = e.line
		}
		e.recall--
		e.set(e.history[e.recall], len(e.history[e.recall]))
	case opDown:
		if e.recall >= len(e.history) || e.secret {
			return editNothing, ""
		}
		e.recall++
		line := e.draft
		if e.recall < len(e.history) {
			line = e.history[e.recall]
		}
		e.set(line, len(line))
	case opComplete:
		return editComplete, ""
	case opRedraw:
		return editRedraw, ""
	default:
		return editNothing, ""
	}
	return editChanged, ""
}

// insert puts text at the cursor, unless the line would then be too long.
func (e *editor) insert(text string) edit {
	if len(e.line)+len(text) > e.max {
		return editFull
	}
	e.set(e.line[:e.cursor]+text+e.line[e.cursor:], e.cursor+len(text))
	return editChanged
}

func (e *editor) set(line string, cursor int) { e.line, e.cursor = line, cursor }

// remember adds a sent line to the history, the oldest going once it is
// full, and a line sent twice in a row kept once.
func (e *editor) remember(line string) {
	if n := len(e.history); n > 0 && e.history[n-1] == line {
		return
	}
	if len(e.history) == historyLen {
		e.history = append(e.history[:0], e.history[1:]...)
	}
	e.history = append(e.history, line)
}

// forgetLast drops the line last sent from the history: it held what
// must not be kept.
func (e *editor) forgetLast() {
	if n := len(e.history); n > 0 {
		e.history[n-1] = ""
		e.history = e.history[:n-1]
	}
	e.recall, e.draft = len(e.history), ""
}

// word returns the word before the cursor, for completion, and where it
// begins.
func (e *editor) word() (word string, start int) {
	start = strings.LastIndexByte(e.line[:e.cursor], ' ') + 1
	return e.line[start:e.cursor], start
}

// replaceWord replaces the line from start to the cursor with text.
func (e *editor) replaceWord(start int, text string) edit {
	line := e.line[:start] + text + e.line[e.cursor:]
	if len(line) > e.max {
		return editFull
	}
	e.set(line, start+len(text))
	return editChanged
}

// clusters returns the byte offsets of the cluster boundaries of line,
// 0 and len(line) included. Each edit finds them once: a move or a
// deletion by word is then linear in the line, however long.
func (e *editor) clusters() []int {
	bounds := []int{0}
	rest, state, at := e.line, -1, 0
	for rest != "" {
		var c string
		c, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		at += len(c)
		bounds = append(bounds, at)
	}
	return bounds
}

// boundary returns the index in bounds of the offset at, a boundary.
func boundary(bounds []int, at int) int {
	i, _ := slices.BinarySearch(bounds, at)
	return i
}

func (e *editor) prevBoundary(at int) int {
	b := e.clusters()
	return b[max(boundary(b, at)-1, 0)]
}

func (e *editor) nextBoundary(at int) int {
	b := e.clusters()
	return b[min(boundary(b, at)+1, len(b)-1)]
}

// wordStart is where the word before at begins, spaces before it skipped,
// as Ctrl-W and Alt-b see words.
func (e *editor) wordStart(at int) int {
	b := e.clusters()
	i := boundary(b, at)
	for i > 0 && isSpace(e.line[b[i-1]:b[i]]) {
		i--
	}
	for i > 0 && !isSpace(e.line[b[i-1]:b[i]]) {
		i--
	}
	return b[i]
}

// wordEnd is where the word after at ends.
func (e *editor) wordEnd(at int) int {
	b := e.clusters()
	i, last := boundary(b, at), len(b)-1
	for i < last && isSpace(e.line[b[i]:b[i+1]]) {
		i++
	}
	for i < last && !isSpace(e.line[b[i]:b[i+1]]) {
		i++
	}
	return b[i]
}

func isSpace(cluster string) bool {
	for _, r := range cluster {
		return unicode.IsSpace(r)
	}
	return false
}
