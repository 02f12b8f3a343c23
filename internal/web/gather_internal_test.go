package web

import (
	"bufio"
	"bytes"
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

// TestAFrameLeavesInOneWrite: what the library writes through its small
// writer while a frame is gathered reaches the connection in one write,
// however big; what it writes otherwise goes straight through.
func TestAFrameLeavesInOneWrite(t *testing.T) {
	conn := &writesConn{}
	g := &gatherer{Conn: conn}
	bw := bufio.NewWriterSize(g, hijackWriteBufferSize)
	header, payload := []byte{0x81, 126, 0x28, 0x00}, bytes.Repeat([]byte("x"), 10240)

	g.gather()
	_, _ = bw.Write(header) // as the library writes a frame: header, payload, flush
	_, _ = bw.Write(payload)
	require.NoError(t, bw.Flush())
	assert.Empty(t, conn.writes, "nothing leaves before the flush")
	require.NoError(t, g.flush())
	require.Len(t, conn.writes, 1)
	assert.Equal(t, append(header, payload...), conn.writes[0])

	small := append([]byte{0x81, 100}, bytes.Repeat([]byte("y"), 100)...)
	require.True(t, fits(100))
	_, _ = bw.Write(small[:2]) // a frame that fits is not gathered
	_, _ = bw.Write(small[2:])
	require.NoError(t, bw.Flush())
	require.Len(t, conn.writes, 2, "outside a frame, straight through")
	assert.Equal(t, small, conn.writes[1])
}

// TestWhatComesDuringAFrameFollowsIt: a pong the library writes while the
// writer gathers a frame goes after what came before it, in one write.
func TestWhatComesDuringAFrameFollowsIt(t *testing.T) {
	conn := &writesConn{}
	g := &gatherer{Conn: conn}
	g.gather()
	_, _ = g.Write([]byte("frame"))
	done := make(chan struct{})
	go func() { // the reader answering a ping
		defer close(done)
		_, _ = g.Write([]byte("pong"))
	}()
	<-done
	require.NoError(t, g.flush())
	assert.Equal(t, [][]byte{[]byte("framepong")}, conn.writes)
}
