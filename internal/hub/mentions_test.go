package hub_test

import (
	"testing"

	"github.com/anseo/anseo/internal/hub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMentions: a message says whom it names, as names compare, worked out
// once by the hub for everyone.
func TestMentions(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{Flood: noFlood})
		alice := join(t, h, "alice")
		for _, name := range []string{"Bob", "Seán", "dr.who", "山田"} {
			join(t, h, name)
			next(t, alice)
		}
		tests := []struct {
			text string
			want []string
		}{
			{"hi bob", []string{"Bob"}},
			{"BOB, are you there?", []string{"Bob"}},
			{"ｂｏｂ in full width", []string{"Bob"}},
			{"b0b, a look-alike", []string{"Bob"}},
			{"@bob: look", []string{"Bob"}},
			{"thanks, bob.", []string{"Bob"}},
			{"bob and seán and bob again", []string{"Bob", "Seán"}},
			{"SEÁN", []string{"Seán"}},
			{"ask dr.who.", []string{"dr.who"}},
			{"山田さん", nil}, // a word that only begins with a name is another word
			{"こんにちは 山田", []string{"山田"}},
			{"bobby is not bob's brother", []string{"Bob"}},
			{"bobby is not here", nil},
			{"nobody at all", nil},
			{"line one\nbob on line two", []string{"Bob"}},
		}
		for _, tt := range tests {
			require.NoError(t, alice.Say(t.Context(), tt.text, ""))
			ev := next(t, alice)
			require.Equal(t, tt.text, ev.Text)
			assert.Equal(t, tt.want, ev.Mentions, "%q", tt.text)
		}
		require.NoError(t, alice.Say(t.Context(), "/me waves at bob", ""))
		assert.Equal(t, []string{"Bob"}, next(t, alice).Mentions, "an action names people too")
	})
}
