package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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
	// movedPrefix starts the notice of a telnet user's move to a room
	// ("* You are now in #help (3 people).", internal/wording).
	movedPrefix = "* You are now in "
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
	room   int // the room it speaks and listens in (layout.roomOf)
	// roomName is that room's name, as the web labels its messages.
	roomName string
	// sayRoom names the room in a web user's says; "" for the default
	// room, which the server assumes when a say names none.
	sayRoom string

	conn net.Conn      // telnet
	in   stampedReader // telnet: conn, timed
	br   *bufio.Reader // telnet: over in
	bw   *bufio.Writer // telnet; the sender goroutine's once joined

	ws  *wsConn
	out []byte // ws: the say being sent; the sender goroutine's

	// Receive state, the reader goroutine's.
	next      []uint64 // next expected sequence number, per sender
	lost      uint64   // sequence numbers skipped
	dupes     uint64   // sequence numbers seen again or out of order
	strays    uint64   // messages from a room it is not in
	replaying bool     // ws: inside a replay of history, which is not live
	lat       *hist

	got      atomic.Uint64 // messages received from other senders, in order
	confirms atomic.Uint64 // moves to and from rooms confirmed (rooms.go)
	notice   atomic.Pointer[string]
	ended    atomic.Pointer[string]
}

// dialTelnet connects, gives the name and waits for the welcome.
func (r *run) dialTelnet(ctx context.Context, addr, name string) (*client, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	// No keepalive: on loopback it only adds probes to the server's own.
	d := net.Dialer{KeepAlive: -1}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("telnet dial: %w", err)
	}
	c := &client{r: r, name: name, kind: Telnet, sender: -1, conn: conn, bw: bufio.NewWriterSize(conn, 4096)}
	c.in.r = conn
	c.br = bufio.NewReaderSize(&c.in, telnetBufBytes)
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
	ws, err := dialWS(ctx, base+"/ws", http.Header{"Cookie": {cookie.String()}}, wsReadLimit)
	if err != nil {
		return nil, fmt.Errorf("web dial: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { ws.conn.SetDeadline(time.Now()) })
	b, err := ws.next()
	if !stop() && err == nil { // the deadline fired: the connection is unusable
		err = ctx.Err()
	}
	if err != nil {
		ws.close()
		return nil, fmt.Errorf("web: waiting for welcome: %w", err)
	}
	sc := eventScanner{b: b}
	if !sc.next() || string(sc.ev.typ) != "welcome" {
		ws.close()
		return nil, fmt.Errorf("web: first message is not a welcome: %.80s", b)
	}
	ws.msg = nil // a large room's welcome outgrows the read buffer; keep no copy of it per client
	return &client{r: r, name: name, kind: WebSocket, sender: -1, ws: ws}, nil
}

// receive reads until the connection ends. It returns when the connection
// fails or is closed; an ending the run did not ask for is a drop.
func (c *client) receive() {
	var why string
	switch c.kind {
	case Telnet:
		why = c.receiveTelnet()
	case WebSocket:
		why = c.receiveWS()
	}
	if !c.r.closing.Load() {
		c.ended.Store(&why)
		c.r.noteDrop(why)
		c.r.dropped.Add(1)
		c.r.wake() // a join storm waiting for this member's notices must not wait
	}
}

// resumeCode matches the code in the line that offers it, so that drops
// after it are counted together.
var resumeCode = regexp.MustCompile(`/resume \S+`)

func (c *client) receiveTelnet() string {
	var notice string // the last "* " line: the server's reason, if it gave one
	for {
		line, err := c.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // an absurdly long line: not ours; skip it piecewise
		}
		if err != nil {
			if notice == "" {
				return "telnet: " + err.Error()
			}
			return "telnet: " + err.Error() + " after " + notice
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) > 0 && line[0] == '<':
			if i := bytes.Index(line, []byte("> ")); i > 0 {
				c.message(line[i+2:], nil, c.in.at)
			}
		case bytes.HasSuffix(line, []byte(seedJoinedEnd)):
			if bytes.HasPrefix(line, []byte(c.r.prefix)) {
				c.r.joined(1)
			}
		case bytes.HasSuffix(line, []byte(seedLeftEnd)):
		case bytes.HasPrefix(line, []byte(noticePrefix)):
			if bytes.HasPrefix(line, []byte(movedPrefix)) {
				c.r.confirmed(c)
			}
			notice = resumeCode.ReplaceAllString(string(line), "/resume CODE") // e.g. "* Disconnected: too slow, …"
			// A copy: notice changes, and the run may read the last meanwhile.
			last := notice
			c.notice.Store(&last)
		}
	}
}

func (c *client) receiveWS() string {
	for {
		b, err := c.ws.next()
		if err != nil {
			return "ws: " + strings.TrimPrefix(err.Error(), "ws: ")
		}
		sc := eventScanner{b: b}
		for sc.next() {
			ev := &sc.ev
			switch string(ev.typ) {
			case "message":
				if c.replaying || c.sender >= 0 && string(ev.from) == c.name {
					continue // history, or our own echo (the acknowledgement): not a delivery
				}
				c.message(ev.text, ev.room, c.ws.in.at)
			case "joined":
				if bytes.HasPrefix(ev.name, []byte(c.r.prefix)) {
					c.r.joined(1)
				}
			case "joins": // several joined: each is a join notice
				c.r.joined(bytes.Count(ev.people, c.r.joinerNamed))
			case "room": // we are in a room we joined (never the default room: we arrive there)
				if string(ev.room) != defaultRoom {
					c.r.confirmed(c)
				}
			case "left":
				if ev.room != nil && string(ev.name) == c.name { // we parted a room
					c.r.confirmed(c)
				}
			case "replay":
				c.replaying = string(ev.phase) == "begin"
			case "notice":
				text := string(ev.text)
				c.notice.Store(&text)
			}
		}
		if sc.err != nil {
			return fmt.Sprintf("ws: %v: %.80s", sc.err, b)
		}
	}
}

// message handles one chat text: "L sender seq unixnano [padding]",
// received at Unix time now (ns), said in room (the web's label; nil when
// the server gives none, as on the line port). Texts not in that form
// (someone else chatting) are ignored.
func (c *client) message(text, room []byte, now int64) {
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
	// Sender s is client s (the senders are the first clients).
	if c.r.layout.roomOf(int(s)) != c.room || room != nil && string(room) != c.roomName {
		c.strays++
		return
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
	c.lat.record(now - int64(ts))
	c.r.ack(int(s), seq)
}

// parseUint parses a decimal number and skips one following space. Every
// message the tool receives carries a send time of 19 digits: it takes
// eight digits at a time where it can (the receive path's costliest loop
// otherwise, under a perf profile of WebSocket saturate).
func parseUint(b []byte) (uint64, []byte) {
	var n uint64
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if ((x+0x4646464646464646)|(x-0x3030303030303030))&0x8080808080808080 != 0 {
			break // not eight digits
		}
		n = n*100_000_000 + eightDigits(x-0x3030303030303030)
	}
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + uint64(b[i]-'0')
	}
	if i < len(b) && b[i] == ' ' {
		i++
	}
	return n, b[i:]
}

// eightDigits is the number whose eight decimal digits, first digit in
// the lowest byte, are x's bytes (each 0-9): pairs, then fours, then the
// eight combined, each step within lanes that cannot overflow.
func eightDigits(x uint64) uint64 {
	x = (x*10 + x>>8) & 0x00ff00ff00ff00ff
	x = (x*100 + x>>16) & 0x0000ffff0000ffff
	return (x*10000 + x>>32) & 0xffffffff
}

// stampedReader notes when its last Read returned: when the bytes a client
// is parsing came off the socket, the receive time of every message in
// them. Reading the clock once per read system call rather than once per
// message matters: on a virtual machine it can cost as much as parsing the
// message, and a read brings in hundreds of messages from a busy server.
// It also leaves out the time the tool took to get to a message in its
// buffer, which is the tool's delay, not the server's.
type stampedReader struct {
	r  io.Reader
	at int64 // Unix ns when the last Read returned; the reader goroutine's
}

func (s *stampedReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.at = time.Now().UnixNano()
	return n, err
}

// say sends one chat text. The telnet form is buffered: call flush.
func (c *client) say(text []byte) error {
	switch c.kind {
	case Telnet:
		c.bw.Write(text)
		_, err := c.bw.WriteString("\r\n")
		return err
	default:
		// The texts are the tool's own (appendText), the rooms' names too:
		// nothing to escape.
		c.out = append(c.out[:0], `{"type":"say",`...)
		if c.sayRoom != "" {
			c.out = append(append(append(c.out, `"room":"`...), c.sayRoom...), `",`...)
		}
		c.out = append(append(append(c.out, `"text":"`...), text...), `"}`...)
		return c.ws.writeText(c.out)
	}
}

// command types a command ("/join #load-1") and sends it at once. Like say,
// it is the sender goroutine's; before sending starts, the join storm's.
func (c *client) command(text string) error {
	if c.kind == Telnet {
		c.bw.WriteString(text)
		c.bw.WriteString("\r\n")
	} else {
		// A command names its room itself: none for the say.
		c.out = append(append(append(c.out[:0], `{"type":"say","text":"`...), text...), `"}`...)
		if err := c.ws.writeText(c.out); err != nil {
			return err
		}
	}
	return c.flush()
}

func (c *client) flush() error {
	if c.kind == Telnet {
		return c.bw.Flush()
	}
	return c.ws.flush()
}

// close ends the connection at once, without a goodbye: the server must
// notice by itself, as with a dropped connection.
func (c *client) close() {
	switch c.kind {
	case Telnet:
		c.conn.Close()
	case WebSocket:
		c.ws.close()
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
