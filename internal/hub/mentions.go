package hub

import (
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/secure/precis"
)

// mentions returns the people in the room whom an event's text names, by
// the name the room lists them under, each once, in the order the text
// first names them; keys are the text's wordKeys. Hub goroutine only: it
// reads the room, and does no more than a map lookup a word.
//
// It is worked out once per message, where the room's names are, so that
// every transport and every reader agree on who was named, and no page
// needs its own copy of the name rules.
func (h *Hub) mentions(keys []string) []string {
	var named []string
	for _, key := range keys {
		if p := h.byKey[key]; p != nil && p.listed != "" && !slices.Contains(named, p.listed) {
			named = append(named, p.listed)
		}
	}
	return named
}

// wordKeys returns the keys (nameKey) that the words of text would have as
// names, each once, in order: the words a message could name someone by.
// A word names someone when it is their name as names compare (case, width
// and look-alike letters do not matter, so "ALICE", "ａｌｉｃｅ" and "a1ice"
// name alice), with a sentence's dots or dashes after it ("thanks,
// alice.") and an "@" before it allowed. Folding and the confusable
// skeleton cost microseconds a word, so this runs beside the hub, on the
// sender's goroutine (Conn.Say) or the log's (Hub.Receive), never in it.
func wordKeys(text string) []string {
	var keys []string
	words, found := map[string]bool{}, map[string]bool{} // met so far
	add := func(word string) {
		if word == "" || words[word] {
			return
		}
		words[word] = true
		if key := wordKey(word); key != "" && !found[key] {
			found[key] = true
			keys = append(keys, key)
		}
	}
	for word := range nameWords(text) {
		add(word)
		add(strings.TrimRight(word, ".-_"))
	}
	return keys
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
