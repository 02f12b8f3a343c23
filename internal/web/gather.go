package web

import (
	"net"
	"sync"
)

// gatherer is what the WebSocket library writes to: the connection,
// through a buffer while the writer sends a frame (gather, then flush), so
// that the frame leaves in one system call whatever its size.
//
// The library writes a frame as its header and then its payload into a
// bufio.Writer, and flushes it: through net/http's 4 KiB writer, a batched
// frame of 10 KiB left in two system calls, a 4 KiB one and the rest, and
// the first cost more than the second (a CPU profile of saturate: 23 % of
// the server in the 4 KiB writes, 14 % in the others). With the library's
// writer a small one over a gatherer, every byte of a frame too big for it
// is in the gatherer's buffer when the library returns, and the writer
// sends them in one write. The buffer is borrowed only while such a frame
// is written: an idle connection holds none (and no longer net/http's 4 KiB
// either). A frame that fits in the library's writer (one event, most of
// the time) is not gathered: it leaves in one write as it is.
//
// What the library writes for itself (a pong, from the reader; the close)
// goes straight to the connection, or, if it comes while a frame is being
// gathered, after it in the buffer: the order of the bytes is the order in
// which the library wrote its frames.
type gatherer struct {
	net.Conn
	mu        sync.Mutex
	gathering bool
	buf       *[]byte // while gathering
}

// Write writes p to the connection, or to the buffer while gathering.
func (g *gatherer) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gathering {
		*g.buf = append(*g.buf, p...)
		return len(p), nil
	}
	return g.Conn.Write(p)
}

// gather starts keeping what is written, until flush.
func (g *gatherer) gather() {
	g.mu.Lock()
	g.gathering, g.buf = true, frames.Get().(*[]byte)
	g.mu.Unlock()
}

// flush writes what was gathered to the connection, in one write, and
// stops gathering.
func (g *gatherer) flush() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	buf := g.buf
	g.gathering, g.buf = false, nil
	var err error
	if len(*buf) > 0 { // nothing when the library refused the frame (the connection closed)
		_, err = g.Conn.Write(*buf)
	}
	if cap(*buf) <= maxBatchBytes+maxFrameHeader { // one grown by a huge event goes to the collector
		*buf = (*buf)[:0]
		frames.Put(buf)
	}
	return err
}

// maxFrameHeader is the longest WebSocket frame header a server writes:
// two bytes, and eight of length.
const maxFrameHeader = 10

// hijackWriteBufferSize is the library's writer's buffer over a gatherer:
// a frame of one event, most of the time (a message of a few lines), fits
// in it, header and all, and leaves in one write without being gathered
// (see fits); a bigger one passes through to the gatherer.
const hijackWriteBufferSize = 512

// fits reports whether a frame of n payload bytes fits in the library's
// writer whole: it leaves in one write as it is.
func fits(n int) bool { return n+maxFrameHeader <= hijackWriteBufferSize }
