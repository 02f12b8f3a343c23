// Package linetest is a test client for anseo's line port: it dials real TCP,
// sends lines and waits for the lines it expects, failing the test with what
// did arrive when they do not come.
package linetest

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// Timeout is how long Expect waits for a line.
const Timeout = 5 * time.Second

// Client is one connection to the line port. It is used from one goroutine.
type Client struct {
	t    testing.TB
	name string
	conn net.Conn
	r    *bufio.Reader
}

// Dial connects to addr; the connection is closed when the test ends. name
// labels the client in failure messages.
func Dial(t testing.TB, addr, name string) *Client {
	t.Helper()
	return DialFrom(t, addr, "", name)
}

// DialFrom is Dial from the local IP address from ("" for any), such as
// 127.0.0.2 to come from another address than other clients on the same
// machine.
func DialFrom(t testing.TB, addr, from, name string) *Client {
	t.Helper()
	d := net.Dialer{Timeout: Timeout}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("%s: dial %s: %v", name, addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &Client{t: t, name: name, conn: conn, r: bufio.NewReader(conn)}
}

// Login reads the prompt, sends name and expects the welcome.
func (c *Client) Login(name string) {
	c.t.Helper()
	c.Expect("What's your name?")
	c.Send(name)
	c.Expect("Welcome, " + name + "!")
}

// Send writes line followed by CR LF.
func (c *Client) Send(line string) {
	c.t.Helper()
	c.SendRaw(line + "\r\n")
}

// SendRaw writes raw bytes as they are.
func (c *Client) SendRaw(raw string) {
	c.t.Helper()
	if err := c.Write(raw); err != nil {
		c.t.Fatalf("%s: write: %v", c.name, err)
	}
}

// Write writes raw bytes and returns the error rather than failing the
// test, for use from goroutines other than the test's.
func (c *Client) Write(raw string) error {
	c.conn.SetWriteDeadline(time.Now().Add(Timeout))
	_, err := io.WriteString(c.conn, raw)
	return err
}

// ReadLine returns the next line with its CR LF, failing the test if none
// arrives within Timeout or the line does not end in CR LF.
func (c *Client) ReadLine() string {
	c.t.Helper()
	line, err := c.readLine()
	if err != nil {
		c.t.Fatalf("%s: read: %v (partial line %q)", c.name, err, line)
	}
	if !strings.HasSuffix(line, "\r\n") {
		c.t.Fatalf("%s: line %q does not end in CR LF", c.name, line)
	}
	return line
}

func (c *Client) readLine() (string, error) {
	c.conn.SetReadDeadline(time.Now().Add(Timeout))
	return c.r.ReadString('\n')
}

// Expect fails the test unless the next line is want (without its CR LF).
// Unless want is itself a notice, notices ("* " lines, which the protocol
// lets a client tell apart and anseo adds to the seed's) are skipped.
func (c *Client) Expect(want string) {
	c.t.Helper()
	for {
		got := c.ReadLine()
		if !strings.HasPrefix(want, "* ") && strings.HasPrefix(got, "* ") {
			continue
		}
		if got != want+"\r\n" {
			c.t.Fatalf("%s: got line %q, want %q", c.name, got, want+"\r\n")
		}
		return
	}
}

// ExpectRaw fails the test unless the next bytes are want.
func (c *Client) ExpectRaw(want string) {
	c.t.Helper()
	got := make([]byte, len(want))
	c.conn.SetReadDeadline(time.Now().Add(Timeout))
	if _, err := io.ReadFull(c.r, got); err != nil || string(got) != want {
		c.t.Fatalf("%s: got %q (%v), want %q", c.name, got, err, want)
	}
}

// ExpectClosed reads until the server closes the connection and returns the
// lines that came first, failing the test if it stays open for Timeout.
func (c *Client) ExpectClosed() []string {
	c.t.Helper()
	var lines []string
	for {
		line, err := c.readLine()
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err):
			if line != "" {
				lines = append(lines, line)
			}
			return lines
		case err != nil:
			c.t.Fatalf("%s: still open (%v) after lines %q", c.name, err, lines)
		}
		lines = append(lines, strings.TrimSuffix(line, "\r\n"))
	}
}

// Close hangs up.
func (c *Client) Close() { c.conn.Close() }

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "reset")
}
