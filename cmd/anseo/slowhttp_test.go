package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/linetest"
)

// TestSlowRequestsAreCutOff: a request body that never finishes is cut off
// after -read-timeout, so slow clients cannot hold connections for good.
func TestSlowRequestsAreCutOff(t *testing.T) {
	a := startAnseo(t, "-read-timeout", "500ms")
	c, err := net.Dial("tcp", a.httpAddr)
	require.NoError(t, err)
	defer c.Close()
	_, err = fmt.Fprintf(c, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=al", a.httpAddr)
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	start := time.Now()
	_, err = io.ReadAll(c) // whatever the server says, then its close
	require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "still open after 10 s")
	assert.Less(t, time.Since(start), 5*time.Second)
}

// TestOneAddressCannotHoldTheWebPort: connections that never send a byte
// count against their address's limit from the moment they open; the one
// over it is told why, and everyone else (another address, and telnet) is
// served as usual.
func TestOneAddressCannotHoldTheWebPort(t *testing.T) {
	a := startAnseo(t, "-max-http-conns-per-ip", "5")
	from := func(ip string) *net.Dialer {
		return &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	}
	for range 5 {
		c, err := from("127.0.0.2").Dial("tcp", a.httpAddr)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
	}
	over, err := from("127.0.0.2").Dial("tcp", a.httpAddr)
	require.NoError(t, err)
	defer over.Close()
	require.NoError(t, over.SetReadDeadline(time.Now().Add(5*time.Second)))
	res, err := http.ReadResponse(bufio.NewReader(over), nil)
	if errors.Is(err, syscall.ECONNRESET) {
		t.Fatal("refused without a word")
	}
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	body, _ := io.ReadAll(res.Body)
	assert.Equal(t, "too many connections from your address\n", string(body))

	status, _ := get(t, nil, "http://"+a.httpAddr+"/healthz")
	assert.Equal(t, http.StatusOK, status, "another address is served")
	u := wsLogin(t, "http://"+a.httpAddr, "alice")
	welcome := u.connect("http://"+a.httpAddr, "")
	assert.Equal(t, "welcome", welcome["type"])
	bob := linetest.Dial(t, a.telnetAddr, "bob")
	bob.Login("bob")
}
