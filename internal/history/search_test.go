package history_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
)

func TestSearch(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	said := []struct{ name, text string }{
		1:  {"alice", "Hello there"},
		2:  {"bob", "hello again"},
		3:  {"Séan", "ag dul ar scoil"},
		4:  {"carol", "the École is closed"},
		5:  {"dave", "Straße or street?"},
		6:  {"erin", "cafe\u0301 au lait"}, // é as e and a combining accent
		7:  {"frank", "I am 100% sure"},
		8:  {"grace", "call it snake_case"},
		9:  {"heidi", `a back\slash`},
		10: {"ivan", "ΟΔΥΣΣΕΑΣ wrote this"},
		11: {"judy", "it is 20 \u212A outside"}, // a Kelvin sign
		12: {"alice", "the end"},
		13: {"kim", "a pasted block:\n  first line\n  Second line"}, // kept with its line breaks
		14: {"lena", `she said "NEAR(x y)" AND left* ^`},            // the search index's syntax
		15: {"mo", "a banana"},
	}
	var evs []*hub.Event
	for id := 1; id < len(said); id++ {
		ev := msg(uint64(id))
		ev.Name, ev.Text = said[id].name, said[id].text
		evs = append(evs, ev)
	}
	require.NoError(t, s.Append(ctx, evs))

	tests := []struct {
		name  string
		query string
		n     int
		want  []uint64
	}{
		{"ASCII, ignoring case", "HELLO", 10, []uint64{1, 2}},
		{"the name too", "ALIC", 10, []uint64{1, 12}},
		{"a non-ASCII name", "SÉAN", 10, []uint64{3}},
		{"non-ASCII capitals", "école", 10, []uint64{4}},
		{"non-ASCII capitals, the other way", "ÉCOLE", 10, []uint64{4}},
		{"full case folding", "STRASSE", 10, []uint64{5}},
		{"canonical equivalence", "café", 10, []uint64{6}},
		{"Greek, with a final sigma", "οδυσσεας", 10, []uint64{10}},
		{"% is not a wildcard", "%", 10, []uint64{7}},
		{"_ is not a wildcard", "_", 10, []uint64{8}},
		{"nor is the escape character", `\`, 10, []uint64{9}},
		{"a substring across words", "0% s", 10, []uint64{7}},
		{"a compatibility character folds too", "20 k", 10, []uint64{11}},
		{"an accent is not ignored", "Ä", 10, []uint64{}},
		{"the newest n, oldest first", "E", 3, []uint64{12, 13, 14}},
		{"the empty query matches everything", "", 2, []uint64{14, 15}},
		{"a line of a multi-line message", "second LINE", 10, []uint64{13}},
		{"across a line break", "line\n  second", 10, []uint64{13}},
		{"double quotes are text", `said "near(`, 10, []uint64{14}},
		{"a double quote alone", `"`, 10, []uint64{14}},
		{"operators are text", "y)\" and LEFT*", 10, []uint64{14}},
		{"an operator alone is text", "AND", 10, []uint64{14}},
		{"a caret is text", "* ^", 10, []uint64{14}},
		{"a query of three characters", "pas", 10, []uint64{13}},
		{"a query of two characters", "SÉ", 10, []uint64{3}},
		{"ß is ss, a short query once folded", "ß", 10, []uint64{5}},
		{"every three characters of it, but not it", "nanan", 10, []uint64{}},
		{"a repeated three", "nana", 10, []uint64{15}},
		{"no match", "goodbye", 10, []uint64{}},
		{"none for n 0", "hello", 0, []uint64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Search(ctx, lobby, tt.query, tt.n)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ids(got))
			for _, ev := range got {
				assert.Equal(t, said[ev.ID].text, ev.Text)
				assert.Equal(t, hub.KindMessage, ev.Kind)
			}
		})
	}
}

// TestAShortSearchLooksThroughTheNewestOnly: a query the index cannot help
// (fewer than three characters) reads the room's newest ShortSearchScan
// messages, not all of them.
func TestAShortSearchLooksThroughTheNewestOnly(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	var evs []*hub.Event
	for id := uint64(1); id <= history.ShortSearchScan+1; id++ {
		ev := msg(id)
		ev.Text = "x"
		if id == 1 {
			ev.Text = "qz, said first"
		}
		evs = append(evs, ev)
	}
	require.NoError(t, s.Append(ctx, evs))
	got, err := s.Search(ctx, lobby, "qz", 10)
	require.NoError(t, err)
	assert.Empty(t, got, "older than the newest %d: not looked at", history.ShortSearchScan)
	got, err = s.Search(ctx, lobby, "qz,", 10)
	require.NoError(t, err)
	assert.Equal(t, []uint64{1}, ids(got), "three characters: the index finds it however old")
}
