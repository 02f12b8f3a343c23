package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
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
	var cookies []string
	for _, c := range client.Jar.Cookies(base) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	cookie := strings.Join(cookies, "; ")
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

// TestSilentClientIsCutOff: a client that stops answering pings (a laptop
// lid closed, a network gone) is cut off within PingInterval+WriteTimeout,
// and its name freed.
func TestSilentClientIsCutOff(t *testing.T) {
	srv := startServerWith(t, web.Config{PingInterval: 50 * time.Millisecond, WriteTimeout: 300 * time.Millisecond},
		hub.Options{Flood: noFlood, Grace: -1})
	bob := watch(t, srv.Hub, "bob")
	// A WebSocket client answers pings only while it reads; this one never does.
	_ = dial(t, srv.URL, loginClient(t, srv.URL, "alice"))
	bob.waitFor("alice joins", func(ev *hub.Event) bool { return ev.Kind == hub.KindJoined && ev.Name == "alice" })
	bob.waitFor("alice leaves", func(ev *hub.Event) bool { return ev.Kind == hub.KindLeft && ev.Name == "alice" })
	require.NoError(t, srv.Hub.Check(t.Context(), "alice"), "the name is free again")
}

// TestIdleClientOutlivesItsPings: a client that answers pings keeps its
// connection however long it is quiet, well past the write timeout, and
// can still chat after many pings.
func TestIdleClientOutlivesItsPings(t *testing.T) {
	srv := startServer(t, web.Config{PingInterval: 100 * time.Millisecond, WriteTimeout: 50 * time.Millisecond})
	client := loginClient(t, srv.URL, "alice")
	pings := make(chan struct{}, 16)
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", &websocket.DialOptions{
		HTTPClient: client,
		OnPingReceived: func(context.Context, []byte) bool {
			select {
			case pings <- struct{}{}:
			default:
			}
			return true
		},
	})
	require.NoError(t, err)
	if res.Body != nil {
		_ = res.Body.Close()
	}
	defer conn.CloseNow()

	// Read (and so answer pings) until our own message comes back.
	echoed := make(chan error, 1)
	go func() {
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				echoed <- err
				return
			}
			if strings.Contains(string(data), `"still here"`) {
				echoed <- nil
				return
			}
		}
	}()
	for i := range 3 {
		select {
		case <-pings:
		case err := <-echoed:
			t.Fatalf("the connection ended after %d pings: %v", i, err)
		case <-ctx.Done():
			t.Fatalf("only %d pings", i)
		}
	}
	data, err := json.Marshal(sayMsg{Type: "say", Text: "still here", Ref: "r1"})
	require.NoError(t, err)
	require.NoError(t, conn.Write(ctx, websocket.MessageText, data))
	require.NoError(t, <-echoed)
}

// TestAStuckReaderIsCutOffByTheWriteTimeout: a client that stops reading
// while the room talks (its socket fills) is cut off once a write has
// waited WriteTimeout, and its name freed; the room goes on.
func TestAStuckReaderIsCutOffByTheWriteTimeout(t *testing.T) {
	srv := startServerWith(t, web.Config{PingInterval: -1, WriteTimeout: 200 * time.Millisecond},
		hub.Options{Flood: noFlood, Grace: -1, QueueLen: 1 << 20}) // the write, not the queue, is what gives out
	bob := watch(t, srv.Hub, "bob")
	_ = dial(t, srv.URL, loginClient(t, srv.URL, "alice")) // never read
	bob.waitFor("alice joins", func(ev *hub.Event) bool { return ev.Kind == hub.KindJoined && ev.Name == "alice" })
	text := strings.Repeat("x", 4000)
	for i, left := 0, false; !left; i++ {
		require.Less(t, i, 100_000, "alice was never cut off")
		require.NoError(t, bob.Say(t.Context(), text, ""))
		for drained := false; !drained && !left; {
			select {
			case ev := <-bob.events:
				left = ev.Kind == hub.KindLeft && ev.Name == "alice"
			default:
				drained = true
			}
		}
	}
	require.NoError(t, srv.Hub.Check(t.Context(), "alice"), "the name is free again")
}

// TestAClientThatPingsAfterAQuietSpellStays: a client (a bot, say) that
// pings the server long after the server last wrote to it gets its pong
// and stays: the write deadline of the last burst, long past, does not cut
// off the library's answer.
func TestAClientThatPingsAfterAQuietSpellStays(t *testing.T) {
	srv := startServer(t, web.Config{PingInterval: -1, WriteTimeout: 50 * time.Millisecond})
	alice, _ := connect(t, srv.URL, "alice")
	alice.say("before the quiet spell", "r1")
	require.Equal(t, "before the quiet spell", alice.nextOf("message").Text)
	reads := make(chan error, 1)
	go func() { // the client reads on, as it must for its pong to arrive
		ctx, cancel := context.WithTimeout(t.Context(), wait)
		defer cancel()
		_, _, err := alice.conn.Read(ctx)
		reads <- err
	}()
	// The quiet spell is what is under test: four write timeouts without a
	// frame from the server.
	<-time.After(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	require.NoError(t, alice.conn.Ping(ctx), "the pong came")
	alice.say("after it", "r2")
	require.NoError(t, <-reads, "the connection stays")
}
