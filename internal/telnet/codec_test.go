package telnet

import (
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tcpPair returns both ends of a real loopback TCP connection.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	server, err = ln.Accept()
	require.NoError(t, err)
	t.Cleanup(func() {
		client.Close()
		server.Close()
	})
	return client, server
}

// TestIdleLineReader reads lines with buffers borrowed only while input
// waits, over a real socket: input that arrived before the reader waited is
// not missed, lines that came together are all read from one buffer, and
// between lines the buffer is given back.
func TestIdleLineReader(t *testing.T) {
	client, server := tcpPair(t)
	wait := readable(server)
	require.NotNil(t, wait, "a TCP connection can wait for input without reading")
	pool := newReaders(lineBufferSize(64))
	lr := newIdleLineReader(server, 64, pool, wait)
	// Nothing could hang for ever: a missed wake-up fails the test.
	require.NoError(t, server.SetReadDeadline(time.Now().Add(5*time.Second)))

	_, err := client.Write([]byte("one\r\ntwo\nthr"))
	require.NoError(t, err)
	for _, want := range []string{"one", "two"} {
		line, err := lr.readLine()
		require.NoError(t, err)
		assert.Equal(t, want, string(line))
	}
	assert.NotNil(t, lr.r, "a part line waits in the buffer")

	go func() { _, _ = client.Write([]byte("ee\r\n")) }()
	line, err := lr.readLine()
	require.NoError(t, err)
	assert.Equal(t, "three", string(line))

	// The input already waits when the reader asks for it.
	_, err = client.Write([]byte("four\r\n"))
	require.NoError(t, err)
	line, err = lr.readLine()
	require.NoError(t, err)
	assert.Equal(t, "four", string(line))

	// Waiting with nothing to read, the reader holds no buffer; the
	// deadline ends the wait.
	require.NoError(t, server.SetReadDeadline(time.Now().Add(50*time.Millisecond)))
	_, err = lr.readLine()
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	assert.Nil(t, lr.r)

	require.NoError(t, server.SetReadDeadline(time.Now().Add(5*time.Second)))
	require.NoError(t, client.Close())
	_, err = lr.readLine()
	assert.Error(t, err, "the end of the stream ends the wait")
}
