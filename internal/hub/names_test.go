package hub_test

import (
	"testing"

	"github.com/anseo/anseo/internal/hub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name, in, display, reason string
	}{
		{"ascii", "alice", "alice", ""},
		{"trimmed", "  bob\t", "bob", ""},
		{"any script", "Ελένη", "Ελένη", ""},
		{"Japanese mixes Han, kana and Latin", "山田タロウabc", "山田タロウabc", ""},
		{"Korean with Han", "김철수金", "김철수金", ""},
		{"decomposed accents are composed", "Sea\u0301n", "Seán", ""},
		{"fullwidth is kept as typed", "ａｌｉｃｅ", "ａｌｉｃｅ", ""},
		{"digits and punctuation", "a.b-c_9", "a.b-c_9", ""},
		{"empty", " ", "", "it is empty"},
		{"too long", "abcdefghijklmnopqrstuvwxyzabcdefg", "", "it is longer than 32 characters"},
		{"space inside", "a b", "", "it may only contain letters, digits, '_', '-' and '.'"},
		{"protocol characters", "<bob>", "", "it may only contain letters, digits, '_', '-' and '.'"},
		{"control characters", "bob\x1b[2J", "", "it may only contain letters, digits, '_', '-' and '.'"},
		{"Latin with a Cyrillic a", "p\u0430ypal", "", "it mixes Latin and Cyrillic letters, which can imitate other names"},
		{"Greek with Latin", "αlpha", "", "it mixes Greek and Latin letters, which can imitate other names"},
		{"invalid UTF-8", "bob\xff", "", "it is not valid UTF-8"},
		{"a right-to-left override", "ali\u202ece", "", "it may only contain letters, digits, '_', '-' and '.'"},
		{"a bidi isolate", "\u2066bob\u2069", "", "it may only contain letters, digits, '_', '-' and '.'"},
		{"a zero-width space", "al\u200bice", "", "it may only contain letters, digits, '_', '-' and '.'"},
		{"a zero-width joiner", "al\u200dice", "", "it may only contain letters, digits, '_', '-' and '.'"},
		{"a byte order mark", "\ufeffalice", "", "it may only contain letters, digits, '_', '-' and '.'"},
		{"a line separator", "ali\u2028ce", "", "it may only contain letters, digits, '_', '-' and '.'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			display, err := hub.CheckName(tt.in)
			if tt.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.display, display)
				return
			}
			var nameErr *hub.NameError
			require.ErrorAs(t, err, &nameErr)
			assert.Equal(t, tt.reason, nameErr.Reason)
		})
	}
}

func TestNamesDifferingOnlyInCaseOrWidthAreOne(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{})
		m := join(t, h, "Alice")
		assert.Equal(t, "Alice", m.Name(), "the display form stays as typed")
		for _, other := range []string{"alice", "ALICE", "ａｌｉｃｅ", "Ａｌｉｃｅ"} {
			_, err := h.Join(t.Context(), other, hub.JoinOptions{})
			assert.ErrorIs(t, err, hub.ErrNameTaken, other)
		}
		join(t, h, "alice2")
	})
}

func TestLookAlikeNamesAreOne(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{})
		join(t, h, "alice")
		join(t, h, "paypal")
		for _, other := range []string{
			"аӏісе",  // all Cyrillic, small palochka for l
			"аӀісе",  // all Cyrillic, capital palochka for l
			"a1ice",  // digit one for l
			"aIice",  // capital I for l
			"ρаураl", // Greek rho … refused as a mix of scripts
			"раураӏ", // all Cyrillic
		} {
			_, err := h.Join(t.Context(), other, hub.JoinOptions{})
			assert.Error(t, err, other)
		}
		for _, distinct := range []string{"alicia", "alíce", "al1ce2"} {
			join(t, h, distinct)
		}
	})
}

func TestNameKeyIsTheSkeleton(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"alice", "аӏісе"},
		{"bob", "b0b"},
		{"Alice", "ａｌｉｃｅ"},
		{"mary", "rnary"},
		{"ian", "lan"}, // Ian and lan
	} {
		assert.Equal(t, hub.NameKey(tt.a), hub.NameKey(tt.b), "%q and %q", tt.a, tt.b)
	}
	for _, tt := range []struct{ a, b string }{
		{"alice", "alíce"},
		{"alice", "alicia"},
		{"anna", "аnnа2"},
	} {
		assert.NotEqual(t, hub.NameKey(tt.a), hub.NameKey(tt.b), "%q and %q", tt.a, tt.b)
	}
}
