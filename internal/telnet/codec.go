package telnet

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// lineReader splits input into lines ending in LF or CR LF. It never holds
// more than max bytes of one line: a longer line is discarded up to its end
// and reported as errLineTooLong, and reading goes on after it.
type lineReader struct {
	r   *bufio.Reader
	max int
}

// errLineTooLong reports a discarded over-long line. The reader is positioned
// after its end, ready for the next line.
var errLineTooLong = errors.New("line too long")

func newLineReader(r io.Reader, max int) *lineReader {
	// Room for the longest line plus its CR LF, so the longest allowed line
	// is returned whole from the buffer without a copy.
	return &lineReader{r: bufio.NewReaderSize(r, max+2), max: max}
}

// readLine returns the next line without its line end. The slice is valid
// only until the next call.
func (lr *lineReader) readLine() ([]byte, error) {
	line, err := lr.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, lr.discard()
	}
	if err != nil {
		return nil, err // a final line without LF is not a line: EOF ends it
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte{'\r'})
	if len(line) > lr.max {
		return nil, errLineTooLong
	}
	return line, nil
}

// discard skips the rest of an over-long line, holding at most one buffer of
// it at a time however long it is.
func (lr *lineReader) discard() error {
	for {
		_, err := lr.r.ReadSlice('\n')
		switch {
		case err == nil:
			return errLineTooLong
		case !errors.Is(err, bufio.ErrBufferFull):
			return err
		}
	}
}
