package loadtest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wsPair connects a wsConn, past the handshake, to a socket that plays the
// server: the test writes frames on it and reads the client's.
func wsPair(t *testing.T) (*wsConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	server, err := ln.Accept()
	require.NoError(t, err)
	// Nothing here may block for long: a broken test fails, it does not hang.
	deadline := time.Now().Add(10 * time.Second)
	require.NoError(t, client.SetDeadline(deadline))
	require.NoError(t, server.SetDeadline(deadline))
	t.Cleanup(func() {
		client.Close()
		server.Close()
	})
	w := &wsConn{conn: client, in: stampedReader{r: client}, bw: bufio.NewWriterSize(client, 4096), limit: 1 << 20}
	w.br = bufio.NewReaderSize(&w.in, wsBufBytes)
	return w, server
}

// serverFrame is an unmasked frame as a server sends it.
func serverFrame(fin bool, op byte, p string) []byte {
	var b []byte
	if fin {
		op |= wsFin
	}
	b = append(b, op)
	switch n := len(p); {
	case n <= 125:
		b = append(b, byte(n))
	case n <= 0xFFFF:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, p...)
}

// readClientFrame reads one frame the client sent, checks that it is a
// masked final frame, and returns it unmasked.
func readClientFrame(t *testing.T, r io.Reader) (op byte, payload []byte) {
	t.Helper()
	var h [2]byte
	_, err := io.ReadFull(r, h[:])
	require.NoError(t, err)
	require.NotZero(t, h[0]&wsFin, "a final frame")
	require.NotZero(t, h[1]&wsMasked, "client frames are masked")
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var ext [2]byte
		_, err = io.ReadFull(r, ext[:])
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		_, err = io.ReadFull(r, ext[:])
		n = binary.BigEndian.Uint64(ext[:])
	}
	require.NoError(t, err)
	var mask [4]byte
	_, err = io.ReadFull(r, mask[:])
	require.NoError(t, err)
	payload = make([]byte, n)
	_, err = io.ReadFull(r, payload)
	require.NoError(t, err)
	for i := range payload {
		payload[i] ^= mask[i&3]
	}
	return h[0] & 0x0F, payload
}

func TestWSReadsMessagesOfEverySize(t *testing.T) {
	w, srv := wsPair(t)
	for _, n := range []int{0, 1, 125, 126, 300, 0xFFFF, 0x10000, wsBufBytes + 1, 3 * wsBufBytes} {
		msg := strings.Repeat("x", n)
		go srv.Write(serverFrame(true, wsText, msg)) // the socket buffer may not hold it all
		got, err := w.next()
		require.NoError(t, err, "%d bytes", n)
		assert.Equal(t, msg, string(got), "%d bytes", n)
	}
}

func TestWSAssemblesFragmentsAndAnswersPingsBetweenThem(t *testing.T) {
	w, srv := wsPair(t)
	var stream []byte
	stream = append(stream, serverFrame(false, wsText, `[{"type":"message",`)...)
	stream = append(stream, serverFrame(true, wsPing, "are you there")...)
	stream = append(stream, serverFrame(false, wsContinuation, `"text":"a \"quoted\" word"},`)...)
	stream = append(stream, serverFrame(false, wsContinuation, ``)...)
	stream = append(stream, serverFrame(true, wsContinuation, `{"type":"joined","name":"bob"}]`)...)
	stream = append(stream, serverFrame(true, wsText, `{"type":"left"}`)...)
	_, err := srv.Write(stream)
	require.NoError(t, err)

	got, err := w.next()
	require.NoError(t, err)
	events, err := scanAll(string(got))
	require.NoError(t, err)
	assert.Equal(t, []scanned{{typ: "message", text: `a \"quoted\" word`}, {typ: "joined", name: "bob"}}, events)
	assert.Equal(t, 1, w.pongs)

	op, p := readClientFrame(t, srv)
	assert.Equal(t, byte(wsPong), op)
	assert.Equal(t, "are you there", string(p), "a pong carries the ping's payload")

	got, err = w.next()
	require.NoError(t, err)
	assert.Equal(t, `{"type":"left"}`, string(got), "the next message starts afresh")
}

func TestWSCloseFromServerIsAnsweredAndReported(t *testing.T) {
	w, srv := wsPair(t)
	payload := binary.BigEndian.AppendUint16(nil, 4008)
	_, err := srv.Write(serverFrame(true, wsClose, string(payload)+"too slow"))
	require.NoError(t, err)

	_, err = w.next()
	var ce *wsCloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 4008, ce.Code)
	assert.Equal(t, "too slow", ce.Reason)
	assert.Equal(t, "closed 4008 (too slow)", err.Error())

	op, p := readClientFrame(t, srv)
	assert.Equal(t, byte(wsClose), op)
	assert.Equal(t, uint16(wsCloseNormal), binary.BigEndian.Uint16(p))
}

func TestWSRefusesWhatAServerMustNotSend(t *testing.T) {
	masked := serverFrame(true, wsText, "hi")
	masked[1] |= wsMasked
	tests := []struct {
		name  string
		frame []byte
	}{
		{name: "a masked frame", frame: masked},
		{name: "a binary message", frame: serverFrame(true, wsBinary, "hi")},
		{name: "a continuation without a message", frame: serverFrame(true, wsContinuation, "hi")},
		{name: "a fragmented ping", frame: serverFrame(false, wsPing, "hi")},
		{name: "a long ping", frame: serverFrame(true, wsPing, strings.Repeat("x", 126))},
		{name: "an extension bit", frame: append([]byte{wsFin | 0x40 | wsText}, serverFrame(true, wsText, "hi")[1:]...)},
		{name: "an unknown opcode", frame: serverFrame(true, 0x3, "hi")},
		{name: "a new message inside a fragmented one",
			frame: append(serverFrame(false, wsText, "a"), serverFrame(true, wsText, "b")...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, srv := wsPair(t)
			_, err := srv.Write(tc.frame)
			require.NoError(t, err)
			_, err = w.next()
			assert.ErrorIs(t, err, errWSProtocol)
		})
	}
}

func TestWSRefusesMessagesOverTheLimit(t *testing.T) {
	w, srv := wsPair(t)
	w.limit = 10
	_, err := srv.Write(append(serverFrame(false, wsText, "12345"), serverFrame(true, wsContinuation, "678901")...))
	require.NoError(t, err)
	_, err = w.next()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "over the limit")
}

func TestWSClientFramesAreMasked(t *testing.T) {
	w, srv := wsPair(t)
	long := strings.Repeat("y", 70000)
	require.NoError(t, w.writeText([]byte(`{"type":"say","text":"hi"}`)))
	require.NoError(t, w.writeText([]byte(long)))
	require.NoError(t, w.flush())
	op, p := readClientFrame(t, srv)
	assert.Equal(t, byte(wsText), op)
	assert.Equal(t, `{"type":"say","text":"hi"}`, string(p))
	op, p = readClientFrame(t, srv)
	assert.Equal(t, byte(wsText), op)
	assert.Equal(t, long, string(p))

	frame := appendClientFrame(nil, wsText, []byte("abcd"), 0x01020304)
	assert.Equal(t, []byte{wsFin | wsText, wsMasked | 4, 1, 2, 3, 4, 'a' ^ 1, 'b' ^ 2, 'c' ^ 3, 'd' ^ 4}, frame)
}

func TestWSEndsWhenTheConnectionDoes(t *testing.T) {
	w, srv := wsPair(t)
	_, err := srv.Write(serverFrame(true, wsText, "whole")[:4]) // a frame cut short
	require.NoError(t, err)
	require.NoError(t, srv.Close())
	_, err = w.next()
	assert.True(t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF), "%v", err)
	assert.NotErrorIs(t, err, errWSProtocol)
}

func TestWSDialNeedsAnAcceptedUpgrade(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{name: "a refusal is reported", want: "503 Service Unavailable",
			handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }},
		{name: "a wrong accept key is refused", want: "did not accept",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Upgrade", "websocket")
				w.Header().Set("Connection", "Upgrade")
				w.Header().Set("Sec-WebSocket-Accept", "bm90IHRoZSBrZXk=")
				w.WriteHeader(http.StatusSwitchingProtocols)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			_, err := dialWS(t.Context(), srv.URL+"/ws", nil, 1<<20)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
