package web

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFramesReadAsTheyWereSent: a WebSocket client reads every frame the
// writer sends whole, at each size its header is written differently
// (seven bits of length, sixteen, sixty-four), and the library's own
// frames (the close) still reach it after them.
func TestFramesReadAsTheyWereSent(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 0xffff, 0x10000, 70000}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hw := &hijackRecorder{ResponseWriter: w}
		c, err := websocket.Accept(hw, r, nil)
		if !assert.NoError(t, err) {
			return
		}
		defer c.CloseNow()
		for _, n := range sizes {
			if !assert.NoError(t, hw.out.send(framed(payloadOf(n)))) {
				return
			}
		}
		_ = c.Close(websocket.StatusNormalClosure, "bye")
	}))
	defer srv.Close()

	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	require.NoError(t, err)
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	for _, n := range sizes {
		typ, data, err := c.Read(ctx)
		require.NoError(t, err, "frame of %d bytes", n)
		assert.Equal(t, websocket.MessageText, typ)
		require.Equal(t, payloadOf(n), data, "frame of %d bytes", n)
	}
	_, _, err = c.Read(ctx)
	assert.Equal(t, websocket.StatusNormalClosure, websocket.CloseStatus(err), "then the library's close: %v", err)
}

// payloadOf returns n bytes of text that differ along their length.
func payloadOf(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = 'a' + byte(i%26)
	}
	return p
}

// TestAFrameIsReadBackAsItsPayload: what a batch takes from a frame is
// the payload the frame was made of, at every length of header.
func TestAFrameIsReadBackAsItsPayload(t *testing.T) {
	for _, n := range []int{0, 125, 126, 0xffff, 0x10000} {
		f := framed(payloadOf(n))
		assert.Equal(t, payloadOf(n), f.payload(), "payload of %d bytes", n)
		assert.Equal(t, byte(0x81), f[0], "a final text frame")
	}
}

// writesConn is a connection that keeps each Write it is given.
type writesConn struct {
	net.Conn
	mu     sync.Mutex
	writes [][]byte
}

func (c *writesConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

// TestTheLibrarysFramesLeaveWhole: the biggest control frame the library
// writes (a close with the longest reason) goes through its writer to the
// wire in one write, as it writes it (header bytes, payload, flush), so no
// data frame can come between its parts.
func TestTheLibrarysFramesLeaveWhole(t *testing.T) {
	conn := &writesConn{}
	bw := bufio.NewWriterSize(&wire{Conn: conn}, hijackWriteBufferSize)
	_ = bw.WriteByte(0x80 | opClose)
	_ = bw.WriteByte(125)
	_, _ = bw.Write(payloadOf(125))
	require.Empty(t, conn.writes, "nothing leaves before the flush")
	require.NoError(t, bw.Flush())
	require.Len(t, conn.writes, 1)
	assert.Len(t, conn.writes[0], 127)
}

// TestNoDataFrameFollowsTheClose: once the library has sent its close,
// the writer's frames are refused, not written (RFC 6455 §5.5.1).
func TestNoDataFrameFollowsTheClose(t *testing.T) {
	conn := &writesConn{}
	w := &wire{Conn: conn}
	require.NoError(t, w.send(framed([]byte("before"))))
	_, err := w.Write([]byte{0x80 | opClose, 2, 0x03, 0xe8})
	require.NoError(t, err)
	assert.ErrorIs(t, w.send(framed([]byte("after"))), net.ErrClosed)
	require.Len(t, conn.writes, 2, "the frame before the close, and the close")
	assert.Equal(t, []byte("before"), frame(conn.writes[0]).payload())
}
