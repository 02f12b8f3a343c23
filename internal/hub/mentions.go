package hub

import (
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/secure/precis"
)

// mentions returns the people in the room whom text names, by the name the
// room lists them under, each once, in the order text first names them. A
// word names someone when it is their name as names compare (nameKey: case,
// width and look-alike letters do not matter, so "ALICE", "ａｌｉｃｅ" and
// "a1ice" name alice), with a
// sentence's dots or dashes after it ("thanks, alice.") and an "@" before
// it allowed. Hub goroutine only: it reads the room.
//
// It is worked out once per message, where the room's names are, so that
// every transport and every reader agree on who was named, and no page
// needs its own copy of the name rules.
func (h *Hub) mentions(text string) []string {
	var named []string
	for word := range nameWords(text) {
		p := h.byKey[wordKey(word)]
		if p == nil {
			p = h.byKey[wordKey(strings.TrimRight(word, ".-_"))]
		}
		if p != nil && p.listed != "" && !slices.Contains(named, p.listed) {
			named = append(named, p.listed)
		}
	}
	return named
}

// nameWords yields the runs of name characters (nameRune) in text that
// could be a name: at most MaxNameLen characters.
func nameWords(text string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		start, n := -1, 0
		for i, r := range text + " " {
			if nameRune(r) {
				if start < 0 {
					start, n = i, 0
				}
				n++
				continue
			}
			if start >= 0 && n <= MaxNameLen && !yield(text[start:i]) {
				return
			}
			start = -1
		}
	}
}

// wordKey is nameKey for any word: "" if it could be nobody's name. ASCII
// words, nearly all of them, take the short way to the folded form: for
// them the PRECIS profile is lower case.
func wordKey(word string) string {
	folded := strings.ToLower(word)
	if !ascii(word) {
		var err error
		if folded, err = precis.UsernameCaseMapped.String(word); err != nil {
			return ""
		}
	}
	return skeleton(folded)
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
