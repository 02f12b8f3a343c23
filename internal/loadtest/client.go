package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Transport is how a load client connects.
type Transport uint8

// The transports a load client can use.
const (
	Telnet Transport = iota + 1
	WebSocket
)

func (t Transport) String() string {
	switch t {
	case Telnet:
		return "telnet"
	case WebSocket:
		return "ws"
	}
	return "?"
}

// Seed protocol lines the client recognises (see internal/telnet/seed.go;
// repeated here because a client must not import the server).
const (
	seedPrompt    = "What's your name?"
	seedJoinedEnd = " has joined the channel."
	seedLeftEnd   = " has left the channel."
	noticePrefix  = "* "
)

// Client I/O limits.
const (
	// dialTimeout bounds connecting and logging in, per client.
	dialTimeout = 30 * time.Second
	// telnetBufBytes is each telnet client's read buffer: large, so a fast
	// server's batched writes are taken in few system calls.
	telnetBufBytes = 64 << 10
	// wsReadLimit admits the welcome of a very large room (about 80 bytes a
	// member).
	wsReadLimit = 64 << 20
)

// client is one load connection: a member of the room. Its reader goroutine
// alone touches the receive state; counters others read are atomic.
type client struct {
	r      *run
	id     int
	name   string
	kind   Transport
	sender int // index into run.senders, or -1

	conn net.Conn      // telnet
	br   *bufio.Reader // telnet
	bw   *bufio.Writer // telnet; the sender goroutine's once joined

	ws  *websocket.Conn
	buf []byte // ws read buffer, reused

	// Receive state, the reader goroutine's.
	next  []uint64 // next expected sequence number, per sender
	lost  uint64   // sequence numbers skipped
	dupes uint64   // sequence numbers seen again or out of order
	lat   *hist

	got   atomic.Uint64 // messages received from other senders, in order
	ended atomic.Pointer[string]
}

// dialTelnet connects, gives the name and waits for the welcome.
func (r *run) dialTelnet(ctx context.Context, addr, name string) (*client, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("telnet dial: %w", err)
	}
	c := &client{r: r, name: name, kind: Telnet, sender: -1, conn: conn,
		br: bufio.NewReaderSize(conn, telnetBufBytes), bw: bufio.NewWriterSize(conn, 4096)}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if err := c.expectLine(seedPrompt); err != nil {
		conn.Close()
		return nil, err
	}
	if _, err := io.WriteString(conn, name+"\r\n"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("telnet: send name: %w", err)
	}
	if err := c.expectLine("Welcome, " + name + "!"); err != nil {
		conn.Close()
		return nil, err
	}
	if !stop() { // the deadline fired: the connection is unusable
		conn.Close()
		return nil, fmt.Errorf("telnet login: %w", ctx.Err())
	}
	return c, nil
}

func (c *client) expectLine(want string) error {
	line, err := c.br.ReadString('\n')
	if err != nil {
		return fmt.Errorf("telnet: waiting for %q: %w", want, err)
	}
	if got := strings.TrimRight(line, "\r\n"); got != want {
		return fmt.Errorf("telnet: got %q, want %q", got, want)
	}
	return nil
}

// dialWeb logs in with POST /login, as the browser does, then opens /ws
// with the cookie and reads the welcome.
func (r *run) dialWeb(ctx context.Context, base, name string) (*client, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login",
		strings.NewReader(url.Values{"name": {name}}.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("web login: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "anseo_name" {
			cookie = ck
		}
	}
	if resp.StatusCode != http.StatusSeeOther || cookie == nil {
		return nil, fmt.Errorf("web login: %s", resp.Status)
	}
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/ws"
	ws, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{
		HTTPClient: r.wsHTTP,
		HTTPHeader: http.Header{"Cookie": {cookie.String()}},
	})
	if err != nil {
		return nil, fmt.Errorf("web dial: %w", err)
	}
	ws.SetReadLimit(wsReadLimit)
	c := &client{r: r, name: name, kind: WebSocket, sender: -1, ws: ws}
	b, err := c.readWS(ctx)
	if err != nil {
		ws.CloseNow()
		return nil, fmt.Errorf("web: waiting for welcome: %w", err)
	}
	if !bytes.Contains(b, []byte(`"type":"welcome"`)) {
		ws.CloseNow()
		return nil, fmt.Errorf("web: first message is not a welcome: %.80s", b)
	}
	return c, nil
}

// readWS reads one message into c.buf, reusing it.
func (c *client) readWS(ctx context.Context) ([]byte, error) {
	_, rd, err := c.ws.Reader(ctx)
	if err != nil {
		return nil, err
	}
	b := c.buf[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			c.buf = b
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// receive reads until the connection ends. It returns when the connection
// fails or is closed; an ending the run did not ask for is a drop.
func (c *client) receive(ctx context.Context) {
	var why string
	switch c.kind {
	case Telnet:
		why = c.receiveTelnet()
	case WebSocket:
		why = c.receiveWS(ctx)
	}
	if !c.r.closing.Load() {
		c.ended.Store(&why)
		c.r.noteDrop(why)
		c.r.dropped.Add(1)
		c.r.wake() // a join storm waiting for this member's notices must not wait
	}
}

func (c *client) receiveTelnet() string {
	var why string
	for {
		line, err := c.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // an absurdly long line: not ours; skip it piecewise
		}
		if err != nil {
			if why == "" {
				why = "telnet: " + err.Error()
			}
			return why
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) > 0 && line[0] == '<':
			if i := bytes.Index(line, []byte("> ")); i > 0 {
				c.message(line[i+2:])
			}
		case bytes.HasSuffix(line, []byte(seedJoinedEnd)):
			if bytes.HasPrefix(line, []byte(c.r.prefix)) {
				c.r.joined()
			}
		case bytes.HasSuffix(line, []byte(seedLeftEnd)):
		case bytes.HasPrefix(line, []byte(noticePrefix)):
			why = string(line) // e.g. "* Disconnected: too slow, …"
		}
	}
}

func (c *client) receiveWS(ctx context.Context) string {
	for {
		b, err := c.readWS(ctx)
		if err != nil {
			if code := websocket.CloseStatus(err); code != -1 {
				return fmt.Sprintf("ws: closed %d", code)
			}
			return "ws: " + err.Error()
		}
		for msg := range jsonObjects(b) {
			switch string(jsonString(msg, "type")) {
			case "message":
				if c.sender >= 0 && string(jsonString(msg, "from")) == c.name {
					continue // our own echo: the acknowledgement, not a delivery
				}
				c.message(jsonString(msg, "text"))
			case "joined":
				if bytes.HasPrefix(jsonString(msg, "name"), []byte(c.r.prefix)) {
					c.r.joined()
				}
			}
		}
	}
}

// jsonObjects yields the messages of a frame: the frame itself if it is one
// JSON object, each element if it is an array of them (a batch).
func jsonObjects(b []byte) func(yield func([]byte) bool) {
	return func(yield func([]byte) bool) {
		if len(b) == 0 || b[0] != '[' {
			yield(b)
			return
		}
		depth, start, inString, escaped := 0, -1, false, false
		for i, ch := range b {
			switch {
			case inString:
				switch {
				case escaped:
					escaped = false
				case ch == '\\':
					escaped = true
				case ch == '"':
					inString = false
				}
			case ch == '"':
				inString = true
			case ch == '{':
				if depth == 0 {
					start = i
				}
				depth++
			case ch == '}':
				depth--
				if depth == 0 && start >= 0 {
					if !yield(b[start : i+1]) {
						return
					}
					start = -1
				}
			}
		}
	}
}

// jsonString returns the value of the first string field key in the JSON
// object b, without unescaping: enough for the values the load tool looks
// at, which it wrote itself or which are plain names.
func jsonString(b []byte, key string) []byte {
	var pat [40]byte
	p := append(append(append(pat[:0], '"'), key...), `":"`...)
	i := bytes.Index(b, p)
	if i < 0 {
		return nil
	}
	v := b[i+len(p):]
	for j := 0; j < len(v); j++ {
		switch v[j] {
		case '\\':
			j++
		case '"':
			return v[:j]
		}
	}
	return nil
}

// message handles one chat text: "L sender seq unixnano [padding]".
// Texts not in that form (someone else chatting) are ignored.
func (c *client) message(text []byte) {
	rest, ok := bytes.CutPrefix(text, []byte("L "))
	if !ok {
		return
	}
	s, rest := parseUint(rest)
	seq, rest := parseUint(rest)
	ts, _ := parseUint(rest)
	if s >= uint64(len(c.next)) || int(s) == c.sender || int(s) >= len(c.r.senders) {
		return // not a message of this run's senders (history, another run's)
	}
	switch exp := c.next[s]; {
	case seq < exp:
		c.dupes++
		return
	case seq > exp:
		c.lost += seq - exp
	}
	c.next[s] = seq + 1
	c.got.Add(1)
	c.lat.record(time.Now().UnixNano() - int64(ts))
	c.r.ack(int(s), seq)
}

// parseUint parses a decimal number and skips one following space.
func parseUint(b []byte) (uint64, []byte) {
	var n uint64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + uint64(b[i]-'0')
	}
	if i < len(b) && b[i] == ' ' {
		i++
	}
	return n, b[i:]
}

// say sends one chat text. The telnet form is buffered: call flush.
func (c *client) say(ctx context.Context, text []byte) error {
	switch c.kind {
	case Telnet:
		c.bw.Write(text)
		_, err := c.bw.WriteString("\r\n")
		return err
	default:
		var msg []byte
		msg = append(msg, `{"type":"say","text":"`...)
		msg = append(msg, text...)
		msg = append(msg, `"}`...)
		return c.ws.Write(ctx, websocket.MessageText, msg)
	}
}

func (c *client) flush() error {
	if c.kind == Telnet {
		return c.bw.Flush()
	}
	return nil
}

// close ends the connection at once, without a goodbye: the server must
// notice by itself, as with a dropped connection.
func (c *client) close() {
	switch c.kind {
	case Telnet:
		c.conn.Close()
	case WebSocket:
		c.ws.CloseNow()
	}
}

// appendText formats a load message: sender, sequence, send time, padding
// to size bytes.
func appendText(b []byte, sender int, seq uint64, size int) []byte {
	b = append(b, "L "...)
	b = strconv.AppendInt(b, int64(sender), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, time.Now().UnixNano(), 10)
	if len(b) < size {
		b = append(b, ' ')
		for len(b) < size {
			b = append(b, 'x')
		}
	}
	return b
}

// dropNotes counts the reasons clients were dropped.
type dropNotes struct {
	mu sync.Mutex
	m  map[string]int
}

func (d *dropNotes) add(why string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]int{}
	}
	if len(d.m) < 20 {
		d.m[why]++
	}
}
