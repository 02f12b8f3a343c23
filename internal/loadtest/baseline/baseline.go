// Package baseline is the yardstick for anseo's telnet port: the bare TCP
// line broadcaster any Go programmer would write in an afternoon, speaking
// the same line protocol shape so the same load drives both.
//
// Per connection it has one reader goroutine and one writer goroutine, a
// bounded queue between the room and the writer, and a buffered writer
// flushed when the queue is empty. Each line is rendered once and shared by
// every recipient. The room is a map under one mutex; a member whose queue
// is full is disconnected ("too slow"). There is no flood control, no name
// rules beyond uniqueness, no control-character filtering, no write
// deadline: what anseo does beyond this is what its figures pay for.
//
// Protocol: "What's your name?" then "Welcome, NAME!"; every line a member
// sends goes to everyone else as "<NAME> text"; joins and departures go to
// everyone as "NAME has joined the channel." and "NAME has left the channel.".
package baseline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"sync"
)

// QueueLen is each member's queue of undelivered lines: the same bound as
// anseo's default, so that both cut off the same slow readers.
const QueueLen = 1024

// Server is the broadcaster. Create it with New; Serve runs it.
type Server struct {
	queueLen int

	mu      sync.Mutex
	members map[string]*member
}

type member struct {
	name string
	out  chan []byte // the room sends, the writer reads; closed by the room
	conn net.Conn
}

// New returns a server whose members queue at most queueLen lines (0: QueueLen).
func New(queueLen int) *Server {
	if queueLen <= 0 {
		queueLen = QueueLen
	}
	return &Server{queueLen: queueLen, members: map[string]*member{}}
}

// Serve accepts connections on ln until ctx is done, then closes them all
// and returns once every connection's goroutines have ended.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer s.closeAll()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		wg.Go(func() { s.serve(c) })
	}
}

func (s *Server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.members {
		m.conn.Close()
	}
}

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	m := &member{out: make(chan []byte, s.queueLen), conn: c}
	w.WriteString("What's your name?\r\n")
	if w.Flush() != nil {
		return
	}
	for m.name == "" {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		name := string(bytes.TrimSpace(line))
		if name == "" || !s.join(m, name, w) {
			w.WriteString("Name taken, please choose another.\r\n")
			if w.Flush() != nil {
				return
			}
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { writeLoop(c, w, m.out) })
	prefix := []byte("<" + m.name + "> ")
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			break
		}
		text := bytes.TrimRight(line, "\r\n")
		if len(text) == 0 {
			continue
		}
		out := make([]byte, 0, len(prefix)+len(text)+2)
		out = append(append(append(out, prefix...), text...), "\r\n"...)
		s.broadcast(out, m)
	}
	s.leave(m)
	c.Close()
	wg.Wait()
}

// join adds m under name and announces it to everyone else. The welcome is
// written before m is in the room, so it is the first line m reads.
func (s *Server) join(m *member, name string, w *bufio.Writer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.members[name] != nil {
		return false
	}
	w.WriteString("Welcome, " + name + "!\r\n")
	if w.Flush() != nil {
		return false
	}
	s.broadcastLocked([]byte(name+" has joined the channel.\r\n"), nil)
	m.name = name
	s.members[name] = m
	return true
}

func (s *Server) leave(m *member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.members[m.name] != m {
		return // already cut off
	}
	s.removeLocked(m)
	s.broadcastLocked([]byte(m.name+" has left the channel.\r\n"), nil)
}

func (s *Server) removeLocked(m *member) {
	delete(s.members, m.name)
	close(m.out)
	m.conn.Close() // ends the reader too
}

func (s *Server) broadcast(line []byte, from *member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broadcastLocked(line, from)
}

// broadcastLocked offers line to every member but from without waiting;
// members whose queue is full are cut off, and their departure announced.
func (s *Server) broadcastLocked(line []byte, from *member) {
	var slow []*member
	for _, m := range s.members {
		if m == from {
			continue
		}
		select {
		case m.out <- line:
		default:
			slow = append(slow, m)
		}
	}
	for _, m := range slow {
		if s.members[m.name] == m {
			s.removeLocked(m)
			s.broadcastLocked([]byte(m.name+" has left the channel.\r\n"), nil)
		}
	}
}

// writeLoop writes queued lines, flushing when the queue is empty, so a
// burst costs one system call.
func writeLoop(c net.Conn, w *bufio.Writer, out <-chan []byte) {
	for line := range out {
		if _, err := w.Write(line); err != nil {
			c.Close()
			break
		}
		if len(out) == 0 && w.Flush() != nil {
			c.Close()
			break
		}
	}
	for range out { // drain until the room closes the queue
	}
}
