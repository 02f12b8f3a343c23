package hub_test

import (
	"strings"
	"testing"

	"github.com/anseo/anseo/internal/hub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A message may have several lines: a pasted block keeps its shape, within
// a limit in lines as well as in bytes.
func TestMultiLineMessages(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		t.Run("line breaks stay, as line feeds", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice := join(t, h, "alice")
			tests := map[string]string{
				"one\ntwo\nthree":                "one\ntwo\nthree",
				"windows\r\npaste\r\n":           "windows\npaste",
				"a lone\rCR":                     "a loneCR",           // no line end, as on the line port
				"\n\n  \n  indented\n\tcode\n\n": "  indented\n\tcode", // blank lines around go, indentation stays
				"para one\n\npara two":           "para one\n\npara two",
				"spaces after \nstay ":           "spaces after \nstay ", // only blank lines go
			}
			for in, want := range tests {
				require.NoError(t, alice.Say(t.Context(), in, ""))
				assert.Equal(t, want, next(t, alice).Text, "%q", in)
			}
			assert.ErrorIs(t, alice.Say(t.Context(), "\n \n\r\n", ""), hub.ErrEmptyText)
		})
		t.Run("more lines than the limit are refused", func(t *testing.T) {
			h := k.startHub(t, hub.Options{MaxTextLines: 3})
			alice := join(t, h, "alice")
			err := alice.Say(t.Context(), "1\n2\n3\n4", "")
			assert.ErrorIs(t, err, hub.ErrTooManyLines)
			assert.ErrorIs(t, err, hub.ErrTooLong, "a transport that knows only ErrTooLong still refuses it")
			require.NoError(t, alice.Say(t.Context(), "1\n2\n3\n\n\n", ""), "trailing blank lines do not count")
			assert.Equal(t, "1\n2\n3", next(t, alice).Text)
		})
		t.Run("the default limit lets a long paste through", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice := join(t, h, "alice")
			paste := strings.TrimSuffix(strings.Repeat("a line of a pasted log\n", hub.DefaultMaxTextLines), "\n")
			require.NoError(t, alice.Say(t.Context(), paste, ""))
			assert.Equal(t, paste, next(t, alice).Text)
			assert.ErrorIs(t, alice.Say(t.Context(), paste+"\none more", ""), hub.ErrTooManyLines)
		})
		t.Run("/me and /msg keep their lines; other commands take one line", func(t *testing.T) {
			h := k.startHub(t, hub.Options{})
			alice, bob := join(t, h, "alice"), join(t, h, "bob")
			next(t, alice) // bob joined
			require.NoError(t, alice.Say(t.Context(), "/me\nwaves\nand smiles", ""))
			ev := next(t, bob)
			assert.Equal(t, hub.KindAction, ev.Kind)
			assert.Equal(t, "waves\nand smiles", ev.Text)
			require.NoError(t, alice.Say(t.Context(), "/msg bob\nline one\nline two", ""))
			ev = next(t, bob)
			assert.Equal(t, hub.KindPrivate, ev.Kind)
			assert.Equal(t, "line one\nline two", ev.Text)
			require.NoError(t, alice.Say(t.Context(), "/away lunch\nthen a walk", ""))
			ev = next(t, bob)
			assert.Equal(t, hub.KindAway, ev.Kind)
			assert.Equal(t, "lunch then a walk", ev.Text)
		})
	})
}
