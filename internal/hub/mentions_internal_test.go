package hub

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkMentions measures what finding the people a message names costs,
// in a room of 1,000, for a short line and for the longest message of
// plain words: the words' keys on the sender's goroutine (wordKeys), then
// the lookups in the hub's (mentions), which must stay cheap.
func BenchmarkMentions(b *testing.B) {
	h := &Hub{byKey: map[string]*person{}}
	for i := range 1000 {
		name := fmt.Sprint("member", i)
		h.byKey[nameKey(name)] = &person{listed: name}
	}
	for _, tc := range []struct{ name, text string }{
		{"short", "thanks member42, see you at the standup"},
		{"4KiB", strings.Repeat("lorem ipsum dolor sit amet member7 ", 4096/35)},
		{"4KiB non-ASCII", strings.Repeat("ταχεία καφέ αλεπού πηδά πάνω member7 ", 4096/60)},
	} {
		b.Run("words/"+tc.name, func(b *testing.B) {
			for b.Loop() {
				wordKeys(tc.text)
			}
		})
		keys := wordKeys(tc.text)
		b.Run("hub/"+tc.name, func(b *testing.B) {
			for b.Loop() {
				if len(h.mentions(keys)) != 1 {
					b.Fatal("member not found")
				}
			}
		})
	}
}
