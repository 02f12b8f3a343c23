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
//
// With a pool and a way to wait for input, it holds a buffer only while
// input is waiting: between lines, with nothing left over, it gives the
// buffer back and waits for input before it borrows one again.
type lineReader struct {
	src io.Reader
	r   *bufio.Reader // nil while idle
	max int

	pool *readers     // lends buffers; nil: keep one for good
	wait func() error // waits for input without reading it
}

// errLineTooLong reports a discarded over-long line. The reader is positioned
// after its end, ready for the next line.
var errLineTooLong = errors.New("line too long")

// newLineReader reads lines from r, which should already be free of telnet
// commands (see iacFilter), with a buffer of its own.
func newLineReader(r io.Reader, max int) *lineReader {
	// Room for the longest line plus its CR LF, so the longest allowed line
	// is returned whole from the buffer without a copy.
	return &lineReader{src: r, r: bufio.NewReaderSize(r, lineBufferSize(max)), max: max}
}

// newIdleLineReader is newLineReader with buffers borrowed from pool (of
// lineBufferSize(max)) while input waits; wait waits for input.
func newIdleLineReader(r io.Reader, max int, pool *readers, wait func() error) *lineReader {
	if wait == nil {
		return newLineReader(r, max)
	}
	return &lineReader{src: r, max: max, pool: pool, wait: wait}
}

func lineBufferSize(max int) int { return max + 2 }

// readLine returns the next line without its line end. The slice is valid
// only until the next call.
func (lr *lineReader) readLine() ([]byte, error) {
	if err := lr.borrow(); err != nil {
		return nil, err
	}
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

// borrow makes sure lr has a buffer for the next line. One with nothing
// left in it goes back to the pool first (the line last returned, which
// lived in it, is no longer needed), and a new one is borrowed once input
// has arrived.
func (lr *lineReader) borrow() error {
	if lr.pool == nil {
		return nil
	}
	if lr.r != nil && lr.r.Buffered() == 0 {
		lr.pool.put(lr.r)
		lr.r = nil
	}
	if lr.r != nil {
		return nil
	}
	if err := lr.wait(); err != nil {
		return err
	}
	lr.r = lr.pool.get()
	lr.r.Reset(lr.src)
	return nil
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

// Telnet command bytes (RFC 854).
const (
	iac  = 255 // interpret as command
	dont = 254
	do   = 253
	wont = 252
	will = 251
	sb   = 250 // subnegotiation begins
	se   = 240 // subnegotiation ends
)

// iacFilter removes telnet commands from a byte stream, so they never show
// up as text, and hands option requests and answers to the connection's
// negotiation, which says what to answer: on the line port every option is
// refused (a client that asks "DO x" hears "WONT x", one that offers "WILL
// x" hears "DONT x"), on the terminal port the interactive options are
// taken. IAC IAC is a literal 255 byte.
type iacFilter struct {
	r     io.Reader
	reply func([]byte) error // sends an answer to the client
	opts  *negotiation       // nil: refuse everything (newNegotiation(false))
	state iacState
	verb  byte
	sub   []byte // a subnegotiation's data so far, at most maxSub bytes
}

type iacState uint8

const (
	stData   iacState = iota
	stIAC             // after IAC
	stOption          // after IAC and WILL, WONT, DO or DONT
	stSub             // inside IAC SB … IAC SE
	stSubIAC          // after IAC inside a subnegotiation
)

// Read returns data, never only commands, except that it returns early,
// maybe with nothing, when the negotiation has just settled the mode: the
// caller then reads keys rather than lines.
func (f *iacFilter) Read(p []byte) (int, error) {
	if f.opts == nil {
		f.opts = newNegotiation(false)
	}
	for {
		before := f.opts.mode
		n, err := f.r.Read(p)
		n, rerr := f.filter(p[:n])
		if rerr != nil {
			return n, rerr
		}
		if n > 0 || err != nil || f.opts.mode != before {
			return n, err
		}
		// Only commands arrived: read again rather than return 0, nil.
	}
}

// filter removes commands from b in place and returns how much data is left.
func (f *iacFilter) filter(b []byte) (int, error) {
	out := 0
	data := func(c byte) error {
		b[out] = c
		out++
		return f.send(f.opts.dataArrived())
	}
	for _, c := range b {
		var err error
		switch f.state {
		case stData:
			if c == iac {
				f.state = stIAC
				continue
			}
			err = data(c)
		case stIAC:
			f.state = stData
			switch c {
			case iac: // escaped 255: data
				err = data(c)
			case will, wont, do, dont:
				f.verb, f.state = c, stOption
			case sb:
				f.state, f.sub = stSub, f.sub[:0]
			case cmdIP, cmdEC, cmdEL: // keys, to a client in character mode
				if f.opts.mode == modeInteractive {
					err = data(commandKey(c))
				}
			default: // another two-byte command (NOP, AYT, GA, …): ignore
			}
		case stOption:
			f.state = stData
			err = f.send(f.opts.answer(f.verb, c))
		case stSub:
			if c == iac {
				f.state = stSubIAC
			} else if len(f.sub) < maxSub {
				f.sub = append(f.sub, c)
			}
		case stSubIAC:
			switch c {
			case se:
				f.state = stData
				f.opts.subnegotiated(f.sub)
			case iac: // an escaped 255 inside
				f.state = stSub
				if len(f.sub) < maxSub {
					f.sub = append(f.sub, c)
				}
			default: // malformed: stay inside
				f.state = stSub
			}
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// send sends an answer, if there is one.
func (f *iacFilter) send(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return f.reply(b)
}

// commandKey is the key a telnet command in character mode stands for.
func commandKey(c byte) byte {
	switch c {
	case cmdIP:
		return ctrlC
	case cmdEC:
		return backspace
	}
	return ctrlU // cmdEL
}
