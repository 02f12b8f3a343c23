package hub

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzCheckName: never panics; an accepted name is valid UTF-8, within the
// length limit, free of spaces and controls, accepted again unchanged, and
// has a stable key.
func FuzzCheckName(f *testing.F) {
	for _, seed := range []string{"alice", " Bob ", "ａｌｉｃｅ", "Sea\u0301n", "p\u0430ypal", "山田タロウ", "<bob>", "\xff", "a b", "", strings.Repeat("x", 40)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		name, err := CheckName(in)
		if err != nil {
			if _, ok := err.(*NameError); !ok {
				t.Fatalf("error %v is not a *NameError", err)
			}
			return
		}
		if !utf8.ValidString(name) || name == "" || utf8.RuneCountInString(name) > MaxNameLen {
			t.Fatalf("accepted %q", name)
		}
		if strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			t.Fatalf("accepted %q with a space or control", name)
		}
		again, err := CheckName(name)
		if err != nil || again != name {
			t.Fatalf("%q accepted as %q but then %q, %v", in, name, again, err)
		}
		if nameKey(name) != nameKey(again) || nameKey(name) == "" {
			t.Fatalf("unstable key for %q", name)
		}
	})
}

// FuzzCleanText: the output is valid UTF-8 with no control character but
// tab and line feed (no CR, which could end a telnet line early), and
// cleaning it again changes nothing.
func FuzzCleanText(f *testing.F) {
	for _, seed := range []string{"hello", "a\r\nb", "a\rb\n\nc", "\x1b[2J\x1b[H", "\x1b]0;t\x07x", "\x1b", "\x1b[", "\u009b31m", "\xff\xfe", "tab\there", "\x00", "\u202etxt.exe", "\u2028", "\ufeff\u200b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := cleanText(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 %q", out)
		}
		for _, r := range out {
			if r != '\t' && r != '\n' && unicode.IsControl(r) || unseen(r) || r == '\u2028' || r == '\u2029' {
				t.Fatalf("control or invisible %U in %q", r, out)
			}
		}
		if again := cleanText(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, again)
		}
	})
}
