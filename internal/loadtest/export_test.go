package loadtest

import (
	"context"
	"net/http"
)

// This file lends the external tests, which run a real anseo, the load
// tool's own WebSocket client.

// WSClient is a load client on /ws, logged in and past its welcome.
type WSClient struct{ c *client }

// WSEvent is one server message as the load tool reads it: raw, still
// JSON-escaped string fields.
type WSEvent struct{ Type, From, Name, Text string }

// DialWeb logs in as name and opens /ws at base exactly as a load client does.
func DialWeb(ctx context.Context, base, name string) (*WSClient, error) {
	r := &run{http: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	c, err := r.dialWeb(ctx, base, name)
	if err != nil {
		return nil, err
	}
	return &WSClient{c: c}, nil
}

// Next reads one frame and returns its messages in order.
func (w *WSClient) Next() ([]WSEvent, error) {
	b, err := w.c.ws.next()
	if err != nil {
		return nil, err
	}
	var evs []WSEvent
	sc := eventScanner{b: b}
	for sc.next() {
		evs = append(evs, WSEvent{string(sc.ev.typ), string(sc.ev.from), string(sc.ev.name), string(sc.ev.text)})
	}
	return evs, sc.err
}

// Pongs is how many pings the client has answered.
func (w *WSClient) Pongs() int { return w.c.ws.pongs }

// Close drops the connection.
func (w *WSClient) Close() { w.c.close() }
