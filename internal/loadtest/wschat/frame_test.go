package wschat

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	"github.com/gorilla/websocket"
)

// BenchmarkFrameWrite is what each WebSocket library costs to write one
// text frame of a chat message's size, as a server writes it, without the
// kernel: the connection under both discards what it is given. It is the
// part of a WebSocket delivery that anseo cannot shed while it writes
// through coder/websocket (docs/performance.md), beside the same write
// through gorilla/websocket as the yardstick issues it.
//
// With conns=1 one connection is written to again and again, its state hot
// in the processor's caches; with conns=1000 the writes go round a room of
// a thousand, as a fan-out does, so each finds its connection's state
// cold: what the library touches per frame then counts, not only what it
// computes.
func BenchmarkFrameWrite(b *testing.B) {
	frame := []byte(`{"type":"message","id":123456,"time":"2026-12-01T18:00:00.123Z","from":"bench-0001","text":"L bench-0001 123 1764612000123456789"}`)
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("coder/conns=%d", n), func(b *testing.B) {
			conns := make([]*coder.Conn, n)
			for i := range conns {
				w, r := upgradeRequest()
				c, err := coder.Accept(w, r, nil)
				if err != nil {
					b.Fatal(err)
				}
				defer c.CloseNow()
				conns[i] = c
			}
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := conns[i%n].Write(ctx, coder.MessageText, frame); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(fmt.Sprintf("gorilla/conns=%d", n), func(b *testing.B) {
			conns := make([]*websocket.Conn, n)
			for i := range conns {
				w, r := upgradeRequest()
				c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				conns[i] = c
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() { // as writePump does: a deadline, a writer, a close
				c := conns[i%n]
				i++
				_ = c.SetWriteDeadline(time.Now().Add(writeWait))
				w, err := c.NextWriter(websocket.TextMessage)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = w.Write(frame)
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// upgradeRequest is a WebSocket handshake whose connection, once
// hijacked, takes every write and never has anything to read.
func upgradeRequest() (http.ResponseWriter, *http.Request) {
	r := httptest.NewRequest(http.MethodGet, "/ws", nil)
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Upgrade", "websocket")
	r.Header.Set("Sec-WebSocket-Version", "13")
	r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	return &hijackable{httptest.NewRecorder()}, r
}

type hijackable struct{ *httptest.ResponseRecorder }

func (h *hijackable) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c := discardConn{}
	return c, bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c)), nil
}

// discardConn is a connection that takes every write and blocks no read:
// it has nothing to read, ever.
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error)      { return len(p), nil }
func (discardConn) Read([]byte) (int, error)         { select {} }
func (discardConn) Close() error                     { return nil }
func (discardConn) SetDeadline(time.Time) error      { return nil }
func (discardConn) SetReadDeadline(time.Time) error  { return nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }
func (discardConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (discardConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
