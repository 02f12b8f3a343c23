package web_test

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/web"
)

// TestFrameWithTheUpgrade sends a message in the same packet as the
// upgrade request, as a client may without waiting for the 101: the
// server reads it from what it had already buffered.
func TestFrameWithTheUpgrade(t *testing.T) {
	srv := startServer(t, web.Config{})
	bob := watch(t, srv.Hub, "bob")
	client := loginClient(t, srv.URL, "alice")
	base, err := url.Parse(srv.URL)
	require.NoError(t, err)
	var cookie string
	for _, c := range client.Jar.Cookies(base) {
		cookie += c.Name + "=" + c.Value
	}
	require.NotEmpty(t, cookie)

	conn, err := net.Dial("tcp", base.Host)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(wait)))
	out := "GET /ws HTTP/1.1\r\nHost: " + base.Host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: " + cookie + "\r\n\r\n"
	_, err = conn.Write(append([]byte(out), maskedText(`{"type":"say","text":"early bird","ref":"r1"}`)...))
	require.NoError(t, err)

	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, res.StatusCode)
	bob.waitMessage("early bird")
}

// maskedText is a client's text frame (RFC 6455 §5.2) for a payload of
// at most 125 bytes.
func maskedText(payload string) []byte {
	key := [4]byte{1, 2, 3, 4}
	f := []byte{0x81, 0x80 | byte(len(payload))}
	f = append(f, key[:]...)
	for i := range len(payload) {
		f = append(f, payload[i]^key[i%4])
	}
	return f
}
