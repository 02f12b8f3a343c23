package loadtest

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	randv2 "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The load tool speaks WebSocket (RFC 6455) itself rather than through a
// library: a thousand clients reading a saturated room cost the tool more
// than they cost the server when each message goes through a general
// client's locks, contexts and readers, and then the tool, not anseo, is
// what gets measured. This client does only what docs/protocol.md needs:
// no extensions, no subprotocol, text messages, pings answered.

// WebSocket opcodes and frame bits (RFC 6455 §5.2).
const (
	wsContinuation = 0x0
	wsText         = 0x1
	wsBinary       = 0x2
	wsClose        = 0x8
	wsPing         = 0x9
	wsPong         = 0xA

	wsFin    = 0x80
	wsRSV    = 0x70 // extension bits: none negotiated, so never set
	wsMasked = 0x80

	// wsMaxControl is the longest control frame payload the RFC allows.
	wsMaxControl = 125
	// wsAcceptGUID is RFC 6455's fixed string for Sec-WebSocket-Accept.
	wsAcceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
)

// Close codes the tool sends or recognises (RFC 6455 §7.4.1).
const (
	wsCloseNormal   = 1000
	wsCloseNoStatus = 1005 // the close frame had no code: never sent
)

// wsBufBytes is each WebSocket client's read buffer. A frame that fits is
// handed to the parser where it lies, without a copy; the server's batches
// pass 64 KiB only by their last message, so nearly every frame fits.
const wsBufBytes = 64 << 10

// wsConn is one client WebSocket connection.
//
// One goroutine reads (next); any goroutine may write (writeText, flush),
// serialised by wmu. Pongs and the close reply are written by the reader,
// under the same lock, so that frames never interleave on the wire.
// close may be called from any goroutine and makes a blocked next return.
type wsConn struct {
	conn  net.Conn
	in    stampedReader // conn, timed: in.at is when the last message arrived
	br    *bufio.Reader // over in
	msg   []byte        // a message assembled from fragments or too big for br, reused
	limit int           // longest message accepted, in bytes
	pongs int           // pings answered; the reader's

	wmu sync.Mutex
	bw  *bufio.Writer
	out []byte // frame being built, under wmu
}

// wsCloseError is how the server ended the connection: the code and reason
// of its close frame.
type wsCloseError struct {
	Code   int
	Reason string
}

func (e *wsCloseError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("closed %d", e.Code)
	}
	return fmt.Sprintf("closed %d (%s)", e.Code, e.Reason)
}

// errWSProtocol marks a frame the RFC forbids a server to send.
var errWSProtocol = errors.New("ws: protocol error")

// dialWS opens a WebSocket to rawURL (http:// or ws://, with the path) with
// the extra request headers h, and returns once the server has accepted the
// upgrade. ctx bounds the dial and the handshake only.
func dialWS(ctx context.Context, rawURL string, h http.Header, limit int) (*wsConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	// No keepalive: on loopback it only adds probes to the server's own.
	d := net.Dialer{KeepAlive: -1}
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, fmt.Errorf("ws dial: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	w, err := handshake(conn, u, h)
	if !stop() && err == nil { // the deadline fired: the connection is unusable
		err = fmt.Errorf("ws handshake: %w", ctx.Err())
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	w.limit = limit
	return w, nil
}

func handshake(conn net.Conn, u *url.URL, h http.Header) (*wsConn, error) {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	var req strings.Builder
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n", u.RequestURI(), u.Host, key)
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(&req, "%s: %s\r\n", k, v)
		}
	}
	req.WriteString("\r\n")
	if _, err := io.WriteString(conn, req.String()); err != nil {
		return nil, fmt.Errorf("ws handshake: %w", err)
	}
	w := &wsConn{conn: conn, in: stampedReader{r: conn}, bw: bufio.NewWriterSize(conn, 4096)}
	w.br = bufio.NewReaderSize(&w.in, wsBufBytes)
	// A 101 response has no body: what br holds after it is frames.
	resp, err := http.ReadResponse(w.br, nil)
	if err != nil {
		return nil, fmt.Errorf("ws handshake: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, fmt.Errorf("ws handshake: %s", resp.Status)
	}
	sum := sha1.Sum([]byte(key + wsAcceptGUID))
	if !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") ||
		resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		return nil, errors.New("ws handshake: the server did not accept the upgrade")
	}
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		return nil, fmt.Errorf("ws handshake: extension %q was not asked for", ext)
	}
	return w, nil
}

// next returns the payload of the next text message, answering pings on
// the way. The payload is valid until the next call. When the server closes
// the connection the error is a *wsCloseError, after the close is answered.
func (w *wsConn) next() ([]byte, error) {
	w.msg = w.msg[:0]
	inMessage := false // fragments of a message have been read
	for {
		fin, op, n, err := w.header()
		if err != nil {
			return nil, err
		}
		switch op {
		case wsPing, wsPong, wsClose:
			// Control frames may come between a message's fragments.
			if !fin || n > wsMaxControl {
				return nil, fmt.Errorf("%w: control frame of %d bytes or fragmented", errWSProtocol, n)
			}
			p, err := w.payload(int(n))
			if err != nil {
				return nil, err
			}
			switch op {
			case wsPing:
				if err := w.writeFrame(wsPong, p, true); err != nil {
					return nil, err
				}
				w.pongs++
			case wsClose:
				return nil, w.closed(p)
			}
		case wsText, wsBinary:
			if inMessage {
				return nil, fmt.Errorf("%w: a new message inside a fragmented one", errWSProtocol)
			}
			if op == wsBinary {
				return nil, fmt.Errorf("%w: binary message", errWSProtocol)
			}
			if n > uint64(w.limit) {
				return nil, fmt.Errorf("ws: message of %d bytes is over the limit of %d", n, w.limit)
			}
			if fin && n <= uint64(w.br.Size()) {
				return w.payload(int(n)) // the common case: no copy
			}
			if err := w.appendPayload(n); err != nil {
				return nil, err
			}
			if fin {
				return w.msg, nil
			}
			inMessage = true
		case wsContinuation:
			if !inMessage {
				return nil, fmt.Errorf("%w: continuation without a message", errWSProtocol)
			}
			if uint64(len(w.msg))+n > uint64(w.limit) {
				return nil, fmt.Errorf("ws: message over the limit of %d bytes", w.limit)
			}
			if err := w.appendPayload(n); err != nil {
				return nil, err
			}
			if fin {
				return w.msg, nil
			}
		default:
			return nil, fmt.Errorf("%w: opcode %#x", errWSProtocol, op)
		}
	}
}

// header reads one frame header.
func (w *wsConn) header() (fin bool, op byte, n uint64, err error) {
	b, err := w.br.Peek(2)
	if err != nil {
		return false, 0, 0, err
	}
	b0, b1 := b[0], b[1]
	if b0&wsRSV != 0 || b1&wsMasked != 0 {
		return false, 0, 0, fmt.Errorf("%w: reserved bits %#x or a masked server frame", errWSProtocol, b0&wsRSV)
	}
	size := 2
	switch b1 & 0x7F {
	case 126:
		size = 4
	case 127:
		size = 10
	}
	if b, err = w.br.Peek(size); err != nil {
		return false, 0, 0, err
	}
	switch size {
	case 2:
		n = uint64(b1 & 0x7F)
	case 4:
		n = uint64(binary.BigEndian.Uint16(b[2:]))
	default:
		n = binary.BigEndian.Uint64(b[2:])
	}
	_, _ = w.br.Discard(size)
	return b0&wsFin != 0, b0 & 0x0F, n, nil
}

// payload returns the next n bytes, n at most the buffer's size, in place.
func (w *wsConn) payload(n int) ([]byte, error) {
	p, err := w.br.Peek(n)
	if err != nil {
		return nil, err
	}
	_, _ = w.br.Discard(n) // the bytes stay put until the next read
	return p, nil
}

// appendPayload reads the next n bytes onto w.msg.
func (w *wsConn) appendPayload(n uint64) error {
	start := len(w.msg)
	w.msg = append(w.msg, make([]byte, n)...)
	_, err := io.ReadFull(w.br, w.msg[start:])
	return err
}

// closed answers the server's close frame p and returns its error.
func (w *wsConn) closed(p []byte) error {
	ce := &wsCloseError{Code: wsCloseNoStatus}
	if len(p) >= 2 {
		ce.Code = int(binary.BigEndian.Uint16(p))
		ce.Reason = string(p[2:])
	}
	var reply [2]byte
	binary.BigEndian.PutUint16(reply[:], wsCloseNormal)
	_ = w.writeFrame(wsClose, reply[:], true) // best effort: we are leaving anyway
	return ce
}

// writeText queues a text message; flush sends what is queued.
func (w *wsConn) writeText(p []byte) error { return w.writeFrame(wsText, p, false) }

func (w *wsConn) flush() error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	return w.bw.Flush()
}

// writeFrame writes one masked frame (a client must mask every frame,
// RFC 6455 §5.3), and flushes if flush is set.
func (w *wsConn) writeFrame(op byte, p []byte, flush bool) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	w.out = appendClientFrame(w.out[:0], op, p, randv2.Uint32())
	if _, err := w.bw.Write(w.out); err != nil {
		return err
	}
	if flush {
		return w.bw.Flush()
	}
	return nil
}

// appendClientFrame appends a final frame of opcode op carrying p, masked
// with key.
func appendClientFrame(b []byte, op byte, p []byte, key uint32) []byte {
	b = append(b, wsFin|op)
	switch n := len(p); {
	case n <= 125:
		b = append(b, wsMasked|byte(n))
	case n <= 0xFFFF:
		b = append(b, wsMasked|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, wsMasked|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	var mask [4]byte
	binary.BigEndian.PutUint32(mask[:], key)
	b = append(b, mask[:]...)
	start := len(b)
	b = append(b, p...)
	for i := range b[start:] {
		b[start+i] ^= mask[i&3]
	}
	return b
}

// close ends the connection at once, without a closing handshake.
func (w *wsConn) close() error { return w.conn.Close() }
