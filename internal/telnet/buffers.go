package telnet

import (
	"bufio"
	"sync"
)

// An idle connection, most of a big room, holds no buffers: a connection
// borrows its write buffer for one batch of output and its read buffer for
// the lines that arrive together, and gives them back between. At 100,000
// idle users that is the difference between a few hundred megabytes and
// none.

// writeBufferSize is the size of a borrowed write buffer: big enough that a
// burst of lines leaves in few system calls.
const writeBufferSize = 4096

var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writeBufferSize) }}

// getWriter borrows a write buffer.
func getWriter() *bufio.Writer { return writers.Get().(*bufio.Writer) }

// putWriter gives a write buffer back, dropping what it holds.
func putWriter(w *bufio.Writer) {
	w.Reset(nil)
	writers.Put(w)
}

// readers lends line readers' buffers, all of one size (a Server's
// MaxLineBytes plus the line end).
type readers struct {
	pool sync.Pool
}

func newReaders(size int) *readers {
	r := &readers{}
	r.pool.New = func() any { return bufio.NewReaderSize(nil, size) }
	return r
}

func (r *readers) get() *bufio.Reader { return r.pool.Get().(*bufio.Reader) }

func (r *readers) put(b *bufio.Reader) {
	b.Reset(nil)
	r.pool.Put(b)
}
