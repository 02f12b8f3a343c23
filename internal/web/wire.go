package web

import (
	"encoding/binary"
	"net"
	"sync"
)

// anseo writes its WebSocket data frames itself, and leaves everything
// else to the library: the handshake, reading, pings and pongs, the close.
//
// A server's data frame is a header of two to ten bytes in front of the
// payload, the same for every connection. So an event everyone receives
// alike is framed once, with its shared encoding, and the writer hands
// the same bytes to each socket in one write, with nothing to do per
// connection but take a lock. Through the library's Conn.Write the same
// frame cost about 1.2 µs more per delivery, a seventh of the whole on a
// fan-out to 1,000 browsers: two locks made of channels taken through
// select, the close checks, the header written through a bufio.Writer and
// its flush, on state that a fan-out touches once per connection and so
// finds out of the cache every time (docs/performance.md).

// A frame is a whole WebSocket text frame as a server sends it: final,
// unmasked, header then payload.
type frame []byte

// maxFrameHeader is the longest header of a server's frame: two bytes,
// and eight of length.
const maxFrameHeader = 10

// framed returns a frame of payload, which it copies.
func framed(payload []byte) frame {
	buf := make([]byte, maxFrameHeader+len(payload))
	copy(buf[maxFrameHeader:], payload)
	return frameAt(buf, maxFrameHeader)
}

// frameAt frames the payload buf[start:] in place: its header goes right
// in front of it, in the room that buf[:start] keeps for it (at least
// maxFrameHeader bytes).
func frameAt(buf []byte, start int) frame {
	n := len(buf) - start
	var h []byte
	switch {
	case n <= 125:
		h = buf[start-2 : start]
		h[1] = byte(n)
	case n <= 0xffff:
		h = buf[start-4 : start]
		h[1] = 126
		binary.BigEndian.PutUint16(h[2:], uint16(n))
	default:
		h = buf[start-10 : start]
		h[1] = 127
		binary.BigEndian.PutUint64(h[2:], uint64(n))
	}
	h[0] = 0x80 | opText // FIN, and no extension bits: anseo does not compress
	return frame(buf[start-len(h):])
}

// payload is what f carries, after its header.
func (f frame) payload() []byte {
	switch f[1] & 0x7f {
	case 126:
		return f[4:]
	case 127:
		return f[10:]
	}
	return f[2:]
}

// The opcodes anseo looks at (RFC 6455 §5.2).
const (
	opText  = 0x1
	opClose = 0x8
)

// wire is the connection under a WebSocket: the library writes its
// control frames to it (a pong from the reader, a ping, the close), and
// the writer its data frames. A lock keeps every frame whole: each of the
// library's writes is one frame, because it writes a frame into a buffer
// a control frame always fits in and flushes it at its end (see
// hijackWriteBufferSize). Once the library has sent its close, no data
// frame follows it (RFC 6455 §5.5.1).
type wire struct {
	net.Conn
	mu     sync.Mutex
	closed bool // the library has written its close frame
}

// Write writes one of the library's frames.
func (w *wire) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(p) > 0 && p[0]&0x0f == opClose {
		w.closed = true
	}
	return w.Conn.Write(p)
}

// send writes f in one write, unless the close has gone before it.
func (w *wire) send(f frame) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return net.ErrClosed
	}
	_, err := w.Conn.Write(f)
	return err
}

// hijackWriteBufferSize is the library's writer's buffer: a control frame,
// at most 2 bytes of header and 125 of payload from a server, fits in it
// whole, and so reaches the wire in one write.
const hijackWriteBufferSize = 128
