package telnet

import "unicode/utf8"

// A key is one thing the user did at the keyboard of a terminal in
// character mode: text typed (or pasted) or an editing key.
type key struct {
	op   editOp
	text string // for opInsert
}

// editOp is what a key asks of the line editor.
type editOp uint8

const (
	opNone editOp = iota
	opInsert
	opEnter
	opBackspace
	opDelete      // the character under the cursor
	opDeleteOrEOF // Ctrl-D: delete under the cursor; on an empty line, leave
	opLeft
	opRight
	opWordLeft
	opWordRight
	opHome
	opEnd
	opUp
	opDown
	opKillWord  // Ctrl-W, Alt-Backspace
	opKillStart // Ctrl-U
	opKillEnd   // Ctrl-K
	opInterrupt // Ctrl-C: clear the line
	opComplete  // Tab
	opRedraw    // Ctrl-L
)

// Control bytes a terminal sends for keys.
const (
	ctrlA     = 0x01
	ctrlB     = 0x02
	ctrlC     = 0x03
	ctrlD     = 0x04
	ctrlE     = 0x05
	ctrlF     = 0x06
	ctrlH     = 0x08
	tab       = 0x09
	ctrlK     = 0x0b
	ctrlL     = 0x0c
	ctrlN     = 0x0e
	ctrlP     = 0x10
	ctrlU     = 0x15
	ctrlW     = 0x17
	esc       = 0x1b
	backspace = 0x7f
)

var controlOps = map[byte]editOp{
	ctrlA: opHome, ctrlB: opLeft, ctrlC: opInterrupt, ctrlD: opDeleteOrEOF,
	ctrlE: opEnd, ctrlF: opRight, ctrlH: opBackspace, tab: opComplete,
	ctrlK: opKillEnd, ctrlL: opRedraw, ctrlN: opDown, ctrlP: opUp,
	ctrlU: opKillStart, ctrlW: opKillWord, backspace: opBackspace,
}

// maxEscape bounds an escape sequence being read: longer is not a key.
const maxEscape = 16

// keyDecoder turns the bytes of a terminal in character mode into keys. It
// keeps what a read cut short (half a character, half an escape sequence)
// for the next. Enter is CR, CR LF, CR NUL (telnet's own) or LF.
type keyDecoder struct {
	pending []byte
	afterCR bool // a CR ended the last Enter: an LF or NUL next is part of it
}

// decode returns the keys in b, with what came before it.
func (d *keyDecoder) decode(b []byte) []key {
	in := append(d.pending, b...)
	d.pending = d.pending[:0]
	var keys []key
	for len(in) > 0 {
		k, n := d.next(in)
		if n == 0 { // incomplete: wait for more
			if len(in) > maxEscape {
				in = in[1:] // not a key after all: drop its first byte
				continue
			}
			d.pending = append(d.pending[:0], in...)
			break
		}
		in = in[n:]
		if k.op == opInsert && len(keys) > 0 && keys[len(keys)-1].op == opInsert {
			keys[len(keys)-1].text += k.text // typed or pasted text, in one piece
			continue
		}
		if k.op != opNone {
			keys = append(keys, k)
		}
	}
	return keys
}

// next decodes the first key of in and how many bytes it took; 0 bytes
// means in holds only its beginning.
func (d *keyDecoder) next(in []byte) (key, int) {
	c := in[0]
	afterCR := d.afterCR
	d.afterCR = false
	switch {
	case c == '\r':
		d.afterCR = true
		return key{op: opEnter}, 1
	case c == '\n' || c == 0:
		if afterCR {
			return key{}, 1
		}
		if c == '\n' {
			return key{op: opEnter}, 1
		}
		return key{}, 1
	case c == esc:
		return escapeKey(in)
	case c < 0x20 || c == backspace:
		return key{op: controlOps[c]}, 1
	case c < utf8.RuneSelf:
		return key{op: opInsert, text: string(in[:1])}, 1
	}
	if !utf8.FullRune(in) {
		return key{}, 0
	}
	r, n := utf8.DecodeRune(in)
	if r == utf8.RuneError || r < 0xa0 { // invalid, or a C1 control
		return key{}, n
	}
	return key{op: opInsert, text: string(in[:n])}, n
}

// escapeKey decodes a key that begins with ESC: the cursor keys and their
// friends as xterm, the Linux console and VT100s send them, and Alt-b,
// Alt-f and Alt-Backspace. Unknown sequences are swallowed whole.
func escapeKey(in []byte) (key, int) {
	if len(in) < 2 {
		return key{}, 0
	}
	switch in[1] {
	case 'b', 'B':
		return key{op: opWordLeft}, 2
	case 'f', 'F':
		return key{op: opWordRight}, 2
	case backspace, ctrlH:
		return key{op: opKillWord}, 2
	case 'O': // SS3: ESC O A
		if len(in) < 3 {
			return key{}, 0
		}
		return key{op: finalOps[in[2]]}, 3
	case '[':
	default:
		return key{}, 1 // a lone ESC: ignore it, keep what follows
	}
	// CSI: ESC [ parameters intermediates final
	i := 2
	for i < len(in) && in[i] >= 0x20 && in[i] <= 0x3f {
		i++
	}
	if i == len(in) {
		return key{}, 0
	}
	final := in[i]
	params := string(in[2:i])
	n := i + 1
	if final < 0x40 || final > 0x7e {
		return key{}, i // malformed: drop what came so far
	}
	if final == '~' {
		return key{op: tildeOps[params]}, n
	}
	op := finalOps[final]
	if params == "1;5" || params == "1;3" { // Ctrl or Alt with an arrow
		switch op {
		case opLeft:
			op = opWordLeft
		case opRight:
			op = opWordRight
		}
	}
	return key{op: op}, n
}

var finalOps = map[byte]editOp{
	'A': opUp, 'B': opDown, 'C': opRight, 'D': opLeft, 'H': opHome, 'F': opEnd,
}

var tildeOps = map[string]editOp{
	"1": opHome, "7": opHome, "4": opEnd, "8": opEnd, "3": opDelete,
}
