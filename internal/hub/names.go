package hub

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the longest name, in characters (not bytes), that anseo
// accepts: long enough for a real name, short enough for a user list column.
const MaxNameLen = 32

// CheckName trims surrounding whitespace from name and checks it against
// anseo's name rules: 1–MaxNameLen characters, each a letter (of any script), a
// digit, '_', '-' or '.'. It returns the name as it will be displayed, or a
// *NameError saying what is wrong.
func CheckName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", &NameError{Reason: "it is empty"}
	case !utf8.ValidString(name):
		return "", &NameError{Reason: "it is not valid UTF-8"}
	case utf8.RuneCountInString(name) > MaxNameLen:
		return "", &NameError{Reason: "it is longer than 32 characters"}
	}
	for _, r := range name {
		if !nameRune(r) {
			return "", &NameError{Reason: "it may only contain letters, digits, '_', '-' and '.'"}
		}
	}
	return name, nil
}

func nameRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.'
}

// nameKey is the form under which a name is unique: "Alice" and "alice" are
// one name, so nobody can pose as someone by changing the case of a letter.
func nameKey(display string) string { return strings.ToLower(display) }

// cleanText makes text safe to show on any transport: invalid UTF-8 becomes
// U+FFFD, ANSI escape sequences are removed, and so are all C0 and C1 control
// characters except tab. Without this, a web user could move, recolour or
// retitle a telnet user's terminal, or end a telnet line early with CR LF and
// forge a line of the seed protocol.
func cleanText(text string) string {
	if isPlain(text) {
		return text
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == 0x1b: // ESC: skip the whole escape sequence
			i += escapeLen(text[i:])
			continue
		case r == 0x9b: // C1 CSI: as ESC [
			i += size + csiLen(text[i+size:])
			continue
		case r == '\t' || !unicode.IsControl(r):
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// isPlain reports whether text is valid UTF-8 without control characters
// other than tab: the common case, which cleanText returns unchanged without
// allocating.
func isPlain(text string) bool {
	for _, r := range text {
		if r == utf8.RuneError || (r != '\t' && unicode.IsControl(r)) {
			return false
		}
	}
	return true
}

// escapeLen returns the length of the escape sequence at the start of s, which
// starts with ESC: CSI (ESC [ … final byte), OSC, DCS, SOS, PM and APC (ESC ]
// … BEL or ESC \), or a two-byte escape.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		return 2 + csiLen(s[2:])
	case ']', 'P', 'X', '^', '_':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	return 2
}

// csiLen returns the length of a CSI sequence's parameters and final byte.
func csiLen(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x40 && s[i] <= 0x7e {
			return i + 1
		}
		if s[i] < 0x20 || s[i] > 0x3f {
			return i // malformed: stop before the unexpected byte
		}
	}
	return len(s)
}
