package connlimit_test

import (
	"bufio"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/connlimit"
)

// listenLimited accepts on a loopback port through connlimit.Listen and
// hands every connection it lets through to the test.
func listenLimited(t *testing.T, perIP int, exempt ...netip.Prefix) (string, <-chan net.Conn) {
	t.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := connlimit.Listen(raw, connlimit.New(perIP, 100), exempt)
	accepted := make(chan net.Conn, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		close(accepted)
		for c := range accepted {
			c.Close()
		}
	})
	return raw.Addr().String(), accepted
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// TestListenCountsConnectionsFromTheirFirstMoment: connections that send
// nothing count; one over the limit is told why in HTTP and closed; a
// place frees when a connection closes.
func TestListenCountsConnectionsFromTheirFirstMoment(t *testing.T) {
	addr, accepted := listenLimited(t, 2)
	dial(t, addr)
	dial(t, addr)
	first, second := <-accepted, <-accepted

	over := dial(t, addr)
	require.NoError(t, over.SetReadDeadline(time.Now().Add(5*time.Second)))
	res, err := http.ReadResponse(bufio.NewReader(over), nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	assert.Equal(t, "10", res.Header.Get("Retry-After"))
	body := make([]byte, 100)
	n, _ := res.Body.Read(body)
	assert.Equal(t, "too many connections from your address\n", string(body[:n]))

	require.NoError(t, first.Close())
	dial(t, addr)
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("a closed connection's place was not freed")
	}
	second.Close()
}

// TestListenDoesNotCountTrustedProxies: a proxy carries many clients; the
// web transport limits them by their forwarded address instead.
func TestListenDoesNotCountTrustedProxies(t *testing.T) {
	addr, accepted := listenLimited(t, 1, netip.MustParsePrefix("127.0.0.0/8"))
	for range 3 {
		dial(t, addr)
		select {
		case c := <-accepted:
			defer c.Close()
		case <-time.After(5 * time.Second):
			t.Fatal("a trusted proxy's connection was refused")
		}
	}
}
