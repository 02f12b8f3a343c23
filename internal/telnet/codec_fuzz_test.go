package telnet

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzDecoder feeds arbitrary bytes through the telnet command filter and the
// line reader. It must never panic, never return a line with a line end or
// over the limit, answer only with well-formed refusals, and, for input free
// of commands and over-long lines, return exactly the lines that were sent.
func FuzzDecoder(f *testing.F) {
	for _, seed := range []string{
		"alice\r\nhello\r\n",
		"lf only\nnext\n",
		"bare\rcr\r\n",
		"\xff\xfd\x01\xff\xfb\x1fname\r\n",
		"\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0after\r\n",
		"\xff\xffliteral\r\n",
		"\xff",
		"\xff\xfa\xff",
		"0123456789012345678901234567890123456789\r\nshort\n",
	} {
		f.Add([]byte(seed))
	}
	const max = 32
	f.Fuzz(func(t *testing.T, in []byte) {
		var replies bytes.Buffer
		filter := &iacFilter{r: &oneByteReader{in: in}, reply: func(b []byte) error {
			if len(b) != 3 || b[0] != iac || (b[1] != wont && b[1] != dont) {
				t.Fatalf("malformed answer %q", b)
			}
			replies.Write(b)
			return nil
		}}
		lr := newLineReader(filter, max)
		var lines []string
		for {
			line, err := lr.readLine()
			if errors.Is(err, errLineTooLong) {
				lines = append(lines, "\x00too long")
				continue
			}
			if err != nil {
				if err != io.EOF {
					t.Fatalf("unexpected error %v", err)
				}
				break
			}
			if len(line) > max || bytes.ContainsAny(line, "\n") {
				t.Fatalf("bad line %q", line)
			}
			lines = append(lines, string(line))
		}
		if bytes.IndexByte(in, iac) >= 0 {
			return
		}
		// Without commands, the lines are the input split at LF, each
		// without one trailing CR, the unterminated tail dropped.
		want := bytes.Split(in, []byte("\n"))
		want = want[:len(want)-1]
		if len(want) != len(lines) {
			t.Fatalf("got %d lines, want %d", len(lines), len(want))
		}
		for i, w := range want {
			w = bytes.TrimSuffix(w, []byte("\r"))
			if len(w) > max {
				w = []byte("\x00too long")
			}
			if string(w) != lines[i] {
				t.Fatalf("line %d: got %q, want %q", i, lines[i], w)
			}
		}
	})
}

// oneByteReader returns its input a byte at a time, so every command and
// line end is split across reads.
type oneByteReader struct{ in []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.in) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0], r.in = r.in[0], r.in[1:]
	return 1, nil
}
