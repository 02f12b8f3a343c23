package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/linetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// anseo is the real program running in-process on loopback ports.
type anseo struct {
	telnetAddr  string
	termAddr    string
	httpAddr    string
	metricsAddr string       // "" without -metrics-addr
	stop        func() error // shuts it down and returns run's error
}

// startAnseo runs the program with args (after the defaults that put it on
// free loopback ports) until the test ends, and waits for it to listen.
func startAnseo(t *testing.T, args ...string) *anseo {
	t.Helper()
	return startAnseoWith(t, io.Discard, args...)
}

// startAnseoWith is startAnseo that also copies the JSON log to logs.
func startAnseoWith(t *testing.T, logs io.Writer, args ...string) *anseo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	argv := []string{"anseo", "-telnet-addr", "127.0.0.1:0", "-terminal-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0", "-log-format", "json", "-log-level", "debug"}
	if !slices.Contains(args, "-db") {
		argv = append(argv, "-db", filepath.Join(t.TempDir(), "anseo.db"))
	}
	argv = append(argv, args...)
	bound := make(chan listening, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, argv, func(string) string { return "" }, io.Discard, newLogWriter(t, logs),
			func(l listening) { bound <- l })
	}()

	a := &anseo{}
	var once sync.Once
	var runErr error
	a.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("anseo did not stop within 10s")
			}
		})
		return runErr
	}
	t.Cleanup(func() { assert.NoError(t, a.stop()) })

	select {
	case l := <-bound:
		a.telnetAddr, a.termAddr, a.httpAddr, a.metricsAddr = l.telnet, l.terminal, l.http, l.metrics
	case err := <-done:
		t.Fatalf("anseo stopped before listening: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("anseo did not listen within 10s")
	}
	return a
}

// logWriter passes the program's log to the test output and to a copy, a
// whole line at a time.
type logWriter struct {
	t    *testing.T
	copy io.Writer
	mu   sync.Mutex
	buf  bytes.Buffer
}

func newLogWriter(t *testing.T, copy io.Writer) *logWriter {
	return &logWriter{t: t, copy: copy}
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadBytes('\n')
		if err != nil {
			w.buf.Write(line) // an incomplete line: keep it for later
			return len(p), nil
		}
		w.t.Output().Write(line)
		w.copy.Write(line)
	}
}

// TestSeedTranscript replays the 2014 server's recorded session
// (testdata/seed_transcript.txt, copied from the seed) against anseo and
// requires every byte each client reads to be the recorded byte, with only
// anseo's own "* " lines allowed between them: on the line port as the
// bytes come, and on the terminal port as the 2014 client's telnetlib read
// them, which refused every option offered and removed the commands.
func TestSeedTranscript(t *testing.T) {
	// A server each: the first replay's departures, which the hub announces
	// after its connections close, must not reach the second.
	t.Run("line port", func(t *testing.T) {
		replaySeed(t, startAnseo(t).telnetAddr, func(c net.Conn) io.Reader { return c })
	})
	t.Run("terminal port, as telnetlib", func(t *testing.T) {
		replaySeed(t, startAnseo(t).termAddr, func(c net.Conn) io.Reader { return &telnetlib{conn: c} })
	})
}

// telnetlib reads a connection as Python's telnetlib did for a client that
// set no option callback: "DO x" and "DONT x" are answered "WONT x", "WILL
// x" and "WONT x" "DONT x", subnegotiations are dropped, and the commands
// never reach the text.
type telnetlib struct {
	conn  net.Conn
	state int // 0 data, 1 after IAC, 2 after a verb, 3 in SB, 4 IAC in SB
	verb  byte
}

func (r *telnetlib) Read(p []byte) (int, error) {
	for {
		n, err := r.conn.Read(p)
		out := 0
		for _, c := range p[:n] {
			switch r.state {
			case 0:
				if c == 255 {
					r.state = 1
					continue
				}
				p[out] = c
				out++
			case 1:
				switch {
				case c == 255:
					p[out] = c
					out++
					r.state = 0
				case c >= 251 && c <= 254:
					r.verb, r.state = c, 2
				case c == 250:
					r.state = 3
				default:
					r.state = 0
				}
			case 2:
				answer := byte(254) // DONT
				if r.verb == 253 || r.verb == 254 {
					answer = 252 // WONT
				}
				if _, werr := r.conn.Write([]byte{255, answer, c}); werr != nil {
					return out, werr
				}
				r.state = 0
			case 3:
				if c == 255 {
					r.state = 4
				}
			case 4:
				r.state = 3
				if c == 240 {
					r.state = 0
				}
			}
		}
		if out > 0 || err != nil {
			return out, err
		}
	}
}

func replaySeed(t *testing.T, addr string, wrap func(net.Conn) io.Reader) {
	f, err := os.Open("testdata/seed_transcript.txt")
	require.NoError(t, err)
	defer f.Close()

	clients := map[string]net.Conn{}
	readers := map[string]*bufio.Reader{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := transcriptRow.FindStringSubmatch(sc.Text())
		require.NotNil(t, fields, "line %d: %q", n, sc.Text())
		action, who, data := fields[1], fields[2], pyBytes(t, fields[3])
		conn := clients[who]
		if conn == nil {
			conn, err = net.Dial("tcp", addr)
			require.NoError(t, err)
			defer conn.Close()
			clients[who], readers[who] = conn, bufio.NewReader(wrap(conn))
		}
		switch action {
		case "send":
			_, err := conn.Write(data)
			require.NoError(t, err, "line %d", n)
		case "recv":
			// anseo's own lines, which begin with "* " so that a client can
			// tell them apart (history, the resume code), may come between;
			// every byte the seed sent must come exactly, in order.
			var got strings.Builder
			for got.Len() < len(data) {
				conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				line, err := readers[who].ReadString('\n')
				require.NoError(t, err, "line %d: %s read %q", n, who, got.String()+line)
				if !strings.HasPrefix(line, "* ") {
					got.WriteString(line)
				}
			}
			require.Equal(t, string(data), got.String(), "line %d: %s", n, who)
		case "close":
			require.NoError(t, conn.Close())
		default:
			t.Fatalf("line %d: unknown action %q", n, action)
		}
	}
	require.NoError(t, sc.Err())
}

// transcriptRow is one row of the transcript: action, client, bytes.
var transcriptRow = regexp.MustCompile(`^(\w+)\s+(\S+)\s+(b.*)$`)

// pyBytes decodes a Python bytes literal such as b'hi\r\n' or b"it's".
func pyBytes(t *testing.T, lit string) []byte {
	t.Helper()
	lit = strings.TrimSpace(lit)
	require.True(t, strings.HasPrefix(lit, "b") && len(lit) >= 3, "not a bytes literal: %s", lit)
	body := strings.ReplaceAll(lit[2:len(lit)-1], `\'`, `'`) // Go has no \'
	if lit[1] == '\'' {
		body = strings.ReplaceAll(body, `"`, `\"`)
	}
	// The remaining escapes (\r, \n, \\, \") mean the same in Go.
	s, err := strconv.Unquote(`"` + body + `"`)
	require.NoError(t, err, lit)
	return []byte(s)
}

func TestShutdownTellsEveryone(t *testing.T) {
	a := startAnseo(t)
	alice := linetest.Dial(t, a.telnetAddr, "alice")
	alice.Login("alice")
	require.NoError(t, a.stop())
	lines := alice.ExpectClosed()
	require.NotEmpty(t, lines)
	assert.Equal(t, "* Server is shutting down.", lines[len(lines)-1])
}

// TestAnOpenedConnectionWithoutARequestDoesNotHoldUpShutdown: a browser
// opens connections before it needs them; one that has sent nothing when
// the server stops is closed at once, not waited for.
func TestAnOpenedConnectionWithoutARequestDoesNotHoldUpShutdown(t *testing.T) {
	a := startAnseo(t, "-metrics-addr", "127.0.0.1:0")
	for _, addr := range []string{a.httpAddr, a.metricsAddr} {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
	}
	// Wait until the server has accepted them: a request on a fresh
	// connection is answered once the ones before it were accepted.
	get(t, nil, "http://"+a.httpAddr+"/healthz")
	get(t, nil, "http://"+a.metricsAddr+"/metrics")
	require.NoError(t, a.stop(), "the shutdown waited for connections that asked nothing, past its timeout")
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"anseo", "version"}, os.Getenv, &out, io.Discard))
	assert.Equal(t, "anseo dev\n", out.String())
}

func TestUnknownCommandStartsNothing(t *testing.T) {
	err := run(t.Context(), []string{"anseo", "bench", "suite"}, func(string) string { return "" }, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"bench"`)
	assert.Contains(t, err.Error(), "anseo-bench")
}

// TestServerCarriesNoLoadTool: the load tool is cmd/anseo-bench, and none of
// it (its clients, its /proc and taskset code, the gorilla/websocket chat it
// compares with) is built into the server.
func TestServerCarriesNoLoadTool(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, string(out))
	for _, dep := range strings.Fields(string(out)) {
		assert.NotContains(t, dep, "internal/loadtest")
		assert.NotContains(t, dep, "gorilla/websocket")
	}
}

func TestConfig(t *testing.T) {
	env := map[string]string{"ANSEO_TELNET_ADDR": ":9999", "ANSEO_LOG_FORMAT": "json"}
	getenv := func(k string) string { return env[k] }

	cfg, err := parseConfig([]string{"anseo"}, getenv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, ":9999", cfg.telnetAddr, "environment beats default")
	assert.Equal(t, ":8080", cfg.httpAddr, "default")
	assert.Equal(t, "json", cfg.logFormat)

	assert.Equal(t, "./anseo.db", cfg.db, "a single node keeps its history in a file")

	cfg, err = parseConfig([]string{"anseo", "-telnet-addr", ":7777"}, getenv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, ":7777", cfg.telnetAddr, "flag beats environment")

	cfg, err = parseConfig([]string{"anseo", "-nats-url", "nats://127.0.0.1:4222"}, getenv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, ":memory:", cfg.db, "a node of a cluster reads its history from the cluster")
	cfg, err = parseConfig([]string{"anseo", "-nats-url", "nats://127.0.0.1:4222", "-db", "node.db"}, getenv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "node.db", cfg.db)

	_, err = parseConfig([]string{"anseo", "-log-format", "xml"}, getenv, io.Discard)
	assert.ErrorContains(t, err, "-log-format")
	_, err = parseConfig([]string{"anseo", "-flood-rate", "0", "-queue-len", "1"}, getenv, io.Discard)
	assert.ErrorContains(t, err, "-flood-rate")
	assert.ErrorContains(t, err, "-queue-len")
	_, err = parseConfig([]string{"anseo"}, func(k string) string {
		return map[string]string{"ANSEO_MAX_CONNS": "lots"}[k]
	}, io.Discard)
	assert.ErrorContains(t, err, "ANSEO_MAX_CONNS")
	cfg, err = parseConfig([]string{"anseo", "-allowed-origins", "https://a.example, https://b.example:8443"}, getenv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []string{"https://a.example", "https://b.example:8443"}, cfg.allowedOrigins)
	_, err = parseConfig([]string{"anseo", "-allowed-origins", "a.example"}, getenv, io.Discard)
	assert.ErrorContains(t, err, "-allowed-origins")

	var help bytes.Buffer
	_, err = parseConfig([]string{"anseo", "-h"}, func(string) string { return "" }, &help)
	assert.Error(t, err)
	for _, flag := range []string{"-telnet-addr", "ANSEO_TELNET_ADDR", "-http-addr", "ANSEO_HTTP_ADDR", ":2323", ":8080"} {
		assert.Contains(t, help.String(), flag)
	}
	flags := regexp.MustCompile(`(?m)^  -`).FindAllString(help.String(), -1)
	assert.Len(t, regexp.MustCompile(`\[ANSEO_[A-Z_]+\]`).FindAllString(help.String(), -1), len(flags), "every flag names its environment variable")
}

func TestListenFailureIsReported(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	err = run(t.Context(), []string{"anseo", "-telnet-addr", ln.Addr().String()}, func(string) string { return "" }, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "telnet")
}
