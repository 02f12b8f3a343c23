// Package wschat is the yardstick for anseo's WebSocket path: the chat room
// any Go programmer would build from gorilla/websocket's chat example
// (github.com/gorilla/websocket, examples/chat), speaking just enough of
// anseo's protocol (docs/protocol.md) for the same load to drive both.
//
// As in the example: one hub goroutine owns the room (register, unregister,
// broadcast over channels); each connection has a reader and a writer
// goroutine and a bounded queue between the hub and the writer; a member
// whose queue is full is dropped; the writer puts everything queued into
// one frame (here a JSON array, as anseo batches) and pings every 54 s,
// and the reader drops a peer silent for 60 s. Each event is encoded once
// and shared by every recipient. The queue is 1,024 events, anseo's
// default, where the example has 256, so both cut off the same readers.
// There is no history, flood control, name rule or resume: what anseo does
// beyond this is what its figures pay for.
//
// Protocol: POST /login with a form field name sets the anseo_name cookie
// and redirects to /; /ws with that cookie upgrades, sends
// {"type":"welcome","name":…} and then, to everyone, {"type":"joined",…};
// {"type":"say","text":…} from a client reaches everyone, the sender too,
// as {"type":"message","from":…,"text":…}; a departure as {"type":"left"}.
package wschat

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The example's timings, and anseo's queue length.
const (
	writeWait      = 10 * time.Second
	pongWait       = 60 * time.Second
	pingPeriod     = pongWait * 9 / 10
	maxMessageSize = 64 << 10
	queueLen       = 1024
)

type event struct {
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
	From string `json:"from,omitempty"`
	Text string `json:"text,omitempty"`
}

type client struct {
	name string
	conn *websocket.Conn
	send chan []byte // encoded events; closed by the hub
}

// Server is the chat room. Create it with New; Serve runs it.
type Server struct {
	register   chan *client
	unregister chan *client
	broadcast  chan []byte
	upgrader   websocket.Upgrader
}

// New returns a room ready to Serve.
func New() *Server {
	return &Server{
		register:   make(chan *client),
		unregister: make(chan *client),
		broadcast:  make(chan []byte, 256),
		upgrader:   websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024},
	}
}

// Serve answers HTTP on ln until ctx is done, then closes every connection
// and returns once the room's goroutines have ended.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Go(func() { s.run(ctx) })
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", login)
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) { s.serveWS(ctx, &wg, w, r) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	stop := context.AfterFunc(ctx, func() { _ = srv.Close() })
	defer stop()
	err := srv.Serve(ln)
	cancel()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func login(w http.ResponseWriter, r *http.Request) {
	name := r.PostFormValue("name")
	if name == "" {
		http.Error(w, "a name, please", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "anseo_name", Value: name, Path: "/", HttpOnly: true})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// run is the hub: the example's, with joins and departures announced.
func (s *Server) run(ctx context.Context) {
	clients := make(map[*client]bool)
	drop := func(c *client) {
		if clients[c] {
			delete(clients, c)
			close(c.send)
		}
	}
	fanout := func(msg []byte) {
		for c := range clients {
			select {
			case c.send <- msg:
			default: // too slow
				drop(c)
			}
		}
	}
	for {
		select {
		case c := <-s.register:
			clients[c] = true
			fanout(encode(event{Type: "joined", Name: c.name}))
		case c := <-s.unregister:
			if clients[c] {
				drop(c)
				fanout(encode(event{Type: "left", Name: c.name}))
			}
		case msg := <-s.broadcast:
			fanout(msg)
		case <-ctx.Done():
			for c := range clients {
				drop(c)
			}
			return
		}
	}
}

func encode(ev event) []byte {
	b, _ := json.Marshal(ev)
	return b
}

func (s *Server) serveWS(ctx context.Context, wg *sync.WaitGroup, w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie("anseo_name")
	if err != nil || ck.Value == "" {
		http.Error(w, "log in first", http.StatusUnauthorized)
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &client{name: ck.Value, conn: conn, send: make(chan []byte, queueLen)}
	_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
	if err := conn.WriteMessage(websocket.TextMessage, encode(event{Type: "welcome", Name: c.name})); err != nil {
		conn.Close()
		return
	}
	select {
	case s.register <- c:
	case <-ctx.Done():
		conn.Close()
		return
	}
	wg.Go(func() { s.writePump(c) })
	wg.Go(func() { s.readPump(ctx, c) })
}

// readPump is the example's: it hands what the client says to the hub.
func (s *Server) readPump(ctx context.Context, c *client) {
	defer func() {
		select {
		case s.unregister <- c:
		case <-ctx.Done():
		}
		c.conn.Close()
	}()
	stop := context.AfterFunc(ctx, func() { c.conn.Close() })
	defer stop()
	c.conn.SetReadLimit(maxMessageSize)
	_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		_, p, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		var in event
		if json.Unmarshal(p, &in) != nil || in.Type != "say" {
			continue
		}
		select {
		case s.broadcast <- encode(event{Type: "message", From: c.name, Text: in.Text}):
		case <-ctx.Done():
			return
		}
	}
}

// writePump is the example's, with what is queued sent as one JSON array.
func (s *Server) writePump(c *client) {
	ticker := time.NewTicker(pingPeriod)
	defer func() {
		ticker.Stop()
		c.conn.Close()
	}()
	for {
		select {
		case msg, ok := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if !ok {
				_ = c.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4008, "too slow"))
				return
			}
			w, err := c.conn.NextWriter(websocket.TextMessage)
			if err != nil {
				return
			}
			if n := len(c.send); n == 0 {
				_, _ = w.Write(msg)
			} else {
				_, _ = w.Write([]byte{'['})
				_, _ = w.Write(msg)
				for range n {
					next, ok := <-c.send
					if !ok {
						break // dropped meanwhile: the close comes next time
					}
					_, _ = w.Write([]byte{','})
					_, _ = w.Write(next)
				}
				_, _ = w.Write([]byte{']'})
			}
			if err := w.Close(); err != nil {
				return
			}
		case <-ticker.C:
			_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}
