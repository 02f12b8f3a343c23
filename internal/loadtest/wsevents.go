package loadtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
)

// wsEvent is what the load tool reads of one server message: the raw
// values of six top-level string fields and one array, still JSON-escaped, nil when
// absent. Raw is enough: the tool compares them only with texts and names
// it made itself, which JSON escapes to themselves.
type wsEvent struct {
	typ, from, name, text, room, phase []byte
	// people is the raw array of a joins message, unparsed.
	people []byte
}

// eventScanner walks the messages of one server frame: the frame itself if
// it is one JSON object, each element in order if it is an array of them (a
// batch, docs/protocol.md §2). It reads the top-level string fields of
// wsEvent and skips every other value, nested ones included, without
// decoding anything: one pass over the bytes, at a cost per message close
// to a telnet line's. It does not validate JSON beyond what it needs to find
// the fields; the server is trusted to send JSON.
//
//	sc := eventScanner{b: frame}
//	for sc.next() {
//		use(&sc.ev)
//	}
//	if sc.err != nil { … }
type eventScanner struct {
	b     []byte
	i     int // where the next message, or the end, begins
	state uint8
	ev    wsEvent // the current message, valid until next
	err   error
}

const (
	scanStart uint8 = iota
	scanArray       // inside a batch, after an element
	scanLast        // after the frame's only message
	scanDone
)

var errScan = errors.New("ws: malformed message")

// next moves to the next message; false at the end of the frame or on an
// error (then err is set).
func (s *eventScanner) next() bool {
	if s.state == scanDone {
		return false
	}
	b := s.b
	i := skipSpace(b, s.i)
	switch s.state {
	case scanStart:
		s.state = scanLast
		if i < len(b) && b[i] == '[' {
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == ']' {
				return s.end(i + 1)
			}
			s.state = scanArray
		}
	case scanArray:
		switch {
		case i < len(b) && b[i] == ']':
			return s.end(i + 1)
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		default:
			return s.fail()
		}
	case scanLast:
		return s.end(i)
	}
	if i = s.object(i); i < 0 {
		return s.fail()
	}
	s.i = i
	return true
}

// end checks that nothing but space follows the frame's JSON value at i.
func (s *eventScanner) end(i int) bool {
	s.state = scanDone
	if skipSpace(s.b, i) != len(s.b) {
		s.err = errScan
	}
	return false
}

func (s *eventScanner) fail() bool {
	s.state = scanDone
	s.err = errScan
	return false
}

// object reads the message at b[i] into s.ev and returns the index after
// it, or -1 if it is malformed. The scanning functions work on a local
// slice and index, which the compiler keeps in registers.
func (s *eventScanner) object(i int) int {
	b := s.b
	s.ev = wsEvent{}
	if i >= len(b) || b[i] != '{' {
		return -1
	}
	if bytes.HasPrefix(b[i:], messageStart) { // most of what the tool reads
		s.ev.typ = b[i+len(`{"type":"`) : i+len(messageStart)-2]
		i += len(messageStart)
	} else if i = skipSpace(b, i+1); i < len(b) && b[i] == '}' {
		return i + 1
	}
	for {
		i = skipSpace(b, i)
		if v, field, ok := s.compactKey(i); ok { // "key":"value", as anseo writes the fields it reads
			end := stringEnd(b, v)
			if end < 0 {
				return -1
			}
			if field != nil {
				*field = b[v+1 : end]
			}
			if i = end + 1; i < len(b) && b[i] == ',' {
				i++
				continue
			}
		} else {
			keyEnd := shortStringEnd(b, i)
			if keyEnd < 0 {
				return -1
			}
			key := b[i+1 : keyEnd]
			i = skipSpace(b, keyEnd+1)
			if i >= len(b) || b[i] != ':' {
				return -1
			}
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == '"' {
				end := stringEnd(b, i)
				if end < 0 {
					return -1
				}
				if field := s.field(key); field != nil {
					*field = b[i+1 : end]
				}
				i = end + 1
			} else {
				start := i
				if i = skipValue(b, i); i < 0 {
					return -1
				}
				if string(key) == "people" {
					s.ev.people = b[start:i]
				}
			}
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return i + 1
		default:
			return -1
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// stringEnd returns the index of the quote that ends the JSON string
// starting at b[i], or -1. Most of a message is strings, so this is the
// scanner's inner loop: it looks at eight bytes at a time for a quote or a
// backslash (the "has a zero byte" bit trick, whose lowest set bit is
// exact), which for the short strings of a message beats both a byte loop
// and bytes.IndexByte's setup.
func stringEnd(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i++; i < len(b); i++ {
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			q, bs := x^(ones*'"'), x^(ones*'\\')
			if m := ((q-ones)&^q | (bs-ones)&^bs) & highs; m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		if i >= len(b) {
			break
		}
		switch b[i] {
		case '"':
			return i
		case '\\':
			i++ // the escaped byte cannot end the string
		}
	}
	return -1
}

// shortStringEnd is stringEnd for a string of a few plain bytes, as every
// key the server sends is: a byte loop, where stringEnd's eight at a time
// cost more to set up than a key has bytes; anything else it leaves to
// stringEnd. It takes the keys compactKey does not. (Before compactKey,
// the load tool parsed a message in 84-86 ns with it for keys, in 95-96
// with stringEnd alone, BenchmarkEventScanner on one core; for values,
// most of them longer, it was slower.)
func shortStringEnd(b []byte, i int) int {
	if i < len(b) && b[i] == '"' {
		for j := i + 1; j < len(b) && j <= i+12; j++ {
			switch b[j] {
			case '"':
				return j
			case '\\':
				return stringEnd(b, i)
			}
		}
	}
	return stringEnd(b, i)
}

// compactKey reads, at b[i], a key of four bytes followed by a string
// value and no space, as anseo writes most keys (time, room, from, text,
// name): it returns the index of the value's opening quote and the field
// the value goes to (nil for one the tool does not read). The key, its
// closing quote, the colon and the value's quote are eight bytes then,
// checked as one word, where the scan would find the key's end byte by
// byte and look for space around the colon.
func (s *eventScanner) compactKey(i int) (value int, field *[]byte, ok bool) {
	b := s.b
	if i+9 > len(b) || b[i] != '"' ||
		binary.LittleEndian.Uint64(b[i+1:])>>32&0xffffff != '"'|':'<<8|'"'<<16 {
		return 0, nil, false
	}
	return i + 7, s.field(b[i+1 : i+5]), true
}

// field returns where the value of key goes, nil for a key the tool does
// not read.
func (s *eventScanner) field(key []byte) *[]byte {
	switch string(key) { // compiled to comparisons, no allocation
	case "type":
		return &s.ev.typ
	case "from":
		return &s.ev.from
	case "name":
		return &s.ev.name
	case "text":
		return &s.ev.text
	case "room":
		return &s.ev.room
	case "phase":
		return &s.ev.phase
	}
	return nil
}

// messageStart is how a chat message begins as anseo encodes it (its type
// first, and no space): one comparison reads its type, where the scan
// would take a key, its dispatch and a string.
var messageStart = []byte(`{"type":"message",`)

// skipValue skips the number, literal, object or array at b[i] and returns
// the index of the ',' or '}' after it, or -1.
func skipValue(b []byte, i int) int {
	for i < len(b) && b[i]-'0' <= 9 { // a number's digits (an ID), without the switch below
		i++
	}
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			if i = stringEnd(b, i); i < 0 {
				return -1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
