package hub

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
)

// MaxNameLen is the longest name, in characters (not bytes), that anseo
// accepts: long enough for a real name, short enough for a user list column.
const MaxNameLen = 32

// CheckName trims surrounding whitespace from name and checks it against
// anseo's name rules, the same for every transport:
//
//  1. 1–MaxNameLen characters, each a letter (of any script), a digit, '_',
//     '-' or '.'.
//  2. Letters from one script, or from one of the mixes a language writes
//     with (Unicode's "highly restrictive" level, UTS #39): Latin with Han,
//     Hiragana and Katakana; Latin with Han and Bopomofo; Latin with Han and
//     Hangul. Anything else could imitate another name: "pаypal" with a
//     Cyrillic "а" looks exactly like "paypal".
//  3. Acceptable to the PRECIS UsernameCaseMapped profile (RFC 8265), which
//     also defines when two names are the same (see nameKey).
//
// It returns the name as it will be displayed, as typed but in Unicode
// normalisation form C, or a *NameError saying what is wrong.
func CheckName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) {
		return "", &NameError{Reason: "it is not valid UTF-8"}
	}
	name = norm.NFC.String(name)
	switch {
	case name == "":
		return "", &NameError{Reason: "it is empty"}
	case utf8.RuneCountInString(name) > MaxNameLen:
		return "", &NameError{Reason: fmt.Sprintf("it is longer than %d characters", MaxNameLen)}
	}
	for _, r := range name {
		if !nameRune(r) {
			return "", &NameError{Reason: "it may only contain letters, digits, '_', '-' and '.'"}
		}
	}
	if err := checkScripts(name); err != nil {
		return "", err
	}
	if _, err := precis.UsernameCaseMapped.String(name); err != nil {
		return "", &NameError{Reason: "it contains characters that are not allowed in names"}
	}
	return name, nil
}

func nameRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.'
}

// SameName reports whether a and b are one name in the room (see nameKey):
// "Alice" and "alice" are. Names that break the rules are nobody's.
func SameName(a, b string) bool {
	ka, kb := nameKeyOf(a), nameKeyOf(b)
	return ka != "" && ka == kb
}

// nameKey is the form under which a name is unique: two names with one key
// are never in the room together. It is the confusable skeleton (UTS #39,
// section 4) of the name's PRECIS UsernameCaseMapped form, so "Alice",
// "alice" and fullwidth "ａｌｉｃｅ" are one name, and so are "alice" and
// an all-Cyrillic "аӏісе" or "a1ice": nobody can pose as someone by changing
// case, width or script. display must have passed CheckName.
func nameKey(display string) string {
	folded, err := precis.UsernameCaseMapped.String(display)
	if err != nil {
		folded = strings.ToLower(display) // unreachable: CheckName refused it
	}
	return skeleton(folded)
}

// skeleton maps each character of a folded name to the one it is drawn
// like, with Unicode's confusables data (github.com/mtibben/confusables,
// Unicode 13), and makes i and l one letter. Skeletons are compared, never
// shown. The data maps a capital I to l, but folding makes it i: without
// the last step "aIice", which is drawn as "alice" in most fonts, would be
// a name of its own. The price is that "ian" and "lan" are one name too.
func skeleton(folded string) string {
	return iAsL.Replace(strings.ToLower(confusables.Skeleton(folded)))
}

var iAsL = strings.NewReplacer("i", "l")

// scriptSets are the mixes of scripts a name may use besides one script
// alone (UTS #39, "highly restrictive").
var scriptSets = [][]string{
	{"Latin", "Han", "Hiragana", "Katakana"},
	{"Latin", "Han", "Bopomofo"},
	{"Latin", "Han", "Hangul"},
}

// checkScripts refuses names whose letters mix scripts outside scriptSets.
func checkScripts(name string) error {
	var scripts []string
	for _, r := range name {
		if !unicode.IsLetter(r) {
			continue
		}
		if s := scriptOf(r); s != "" && !slices.Contains(scripts, s) {
			scripts = append(scripts, s)
		}
	}
	if len(scripts) <= 1 {
		return nil
	}
	for _, set := range scriptSets {
		if !slices.ContainsFunc(scripts, func(s string) bool { return !slices.Contains(set, s) }) {
			return nil
		}
	}
	return &NameError{Reason: fmt.Sprintf("it mixes %s and %s letters, which can imitate other names", scripts[0], scripts[1])}
}

// commonScripts are checked first: nearly every name is written in them.
var commonScripts = []string{"Latin", "Cyrillic", "Greek", "Han", "Hiragana", "Katakana", "Hangul", "Arabic", "Hebrew", "Devanagari"}

// scriptOf names the script of letter r, or "" for Common and Inherited.
func scriptOf(r rune) string {
	for _, name := range commonScripts {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	for name, table := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// cleanText makes text safe to show on any transport: invalid UTF-8 becomes
// U+FFFD, ANSI escape sequences are removed, and so are all C0 and C1 control
// characters except tab and line feed. Without this, a web user could move,
// recolour or retitle a telnet user's terminal, or end a telnet line early
// with a bare CR and forge a line of the seed protocol.
//
// Line breaks stay, as line feeds: a message may have several lines (each
// transport shows every line as its own, telnet with the sender's name in
// front of each). CR goes, as any control character (CR LF is a line
// feed, and a lone CR is no line end on the line port either); the line
// and paragraph separators U+2028 and U+2029 become line feeds, as they
// would end a line on some screens anyway.
//
// Invisible characters that reorder or break what surrounds the text go
// too (see unseen): the bidirectional embeddings, overrides and isolates
// (U+202E "RIGHT-TO-LEFT OVERRIDE" turns "exe.txt" around), and invisible
// spaces and the byte order mark. The joiners U+200C and U+200D stay:
// scripts and emoji need them.
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
		case r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
		case unseen(r):
		case r == '\t' || r == '\n' || !unicode.IsControl(r):
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// isPlain reports whether text is valid UTF-8 without control characters
// other than tab and line feed: the common case, which cleanText returns unchanged without
// allocating.
func isPlain(text string) bool {
	for _, r := range text {
		if r == utf8.RuneError || (r != '\t' && r != '\n' && unicode.IsControl(r)) || r == '\u2028' || r == '\u2029' || unseen(r) {
			return false
		}
	}
	return true
}

// unseen reports whether r is an invisible character that cleanText
// removes: the bidirectional formatting characters (embeddings, overrides,
// isolates and their terminators), the zero-width space, word joiner,
// Mongolian vowel separator and byte order mark. The implicit marks (LRM,
// RLM, ALM) stay: they change no more than the character beside them, and
// right-to-left writers use them.
func unseen(r rune) bool {
	switch {
	case r >= '\u202a' && r <= '\u202e', // LRE, RLE, PDF, LRO, RLO
		r >= '\u2066' && r <= '\u2069', // LRI, RLI, FSI, PDI
		r == '\u200b', r == '\u2060', r == '\u180e', r == '\ufeff':
		return true
	}
	return false
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

// trimBlankLines removes the blank lines before a message's first line of
// text and after its last: a paste often brings them, and they would show
// as empty lines under the sender's name. The lines themselves stay as
// they are, spaces and all (a pasted block of code keeps its shape).
func trimBlankLines(text string) string {
	for {
		line, rest, found := strings.Cut(text, "\n")
		if !found || !isBlank(line) {
			break
		}
		text = rest
	}
	for {
		i := strings.LastIndexByte(text, '\n')
		if i < 0 || !isBlank(text[i+1:]) {
			return text
		}
		text = text[:i]
	}
}

// lineCount is how many lines text shows as.
func lineCount(text string) int { return strings.Count(text, "\n") + 1 }

// oneLine joins the lines of text with spaces, for what is shown on one
// line: an away reason, parting words.
func oneLine(text string) string { return strings.ReplaceAll(text, "\n", " ") }
