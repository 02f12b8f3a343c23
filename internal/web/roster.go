package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/anseo/anseo/internal/hub"
)

// welcomeMembers is how many people a welcome lists: the first to have
// joined (and you), about two screenfuls of the user list. A welcome that
// listed everyone would cost the room's 10,000th joiner ten thousand times
// what it cost the first, and a storm of joins (a restart of a busy server)
// the square of the room. The page fetches the rest from GET /roster.
const welcomeMembers = 100

// rosterMaxAge is how long one encoding of the whole list serves GET
// /roster. During a storm of joins every page asks for it; each is answered
// with a list at most this old and the ID it is as of (asOf), and the page
// applies the live events after that ID on top, so the list it shows is
// exact all the same.
const rosterMaxAge = time.Second

// rosterPage is GET /roster's answer (docs/protocol.md §7).
type rosterPage struct {
	AsOf    uint64       `json:"asOf"`
	Count   int          `json:"count"`
	Members []memberJSON `json:"members"`
}

// rosterCache holds the last encoding of the whole list, shared by every
// request within rosterMaxAge of it. mu is held while a new one is made,
// so that a storm of requests asks the hub once.
type rosterCache struct {
	mu   sync.Mutex
	at   time.Time
	body []byte
}

// handleRoster answers GET /roster: everyone in the room, in joining order,
// as of an event. Like the history, it is for those who have logged in.
func handleRoster(log *slog.Logger, h *hub.Hub) http.Handler {
	var c rosterCache
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := nameFromCookie(r); !ok || !validName(name) {
			writeJSON(w, http.StatusUnauthorized, errorBody{"not logged in"})
			return
		}
		body, err := c.get(r.Context(), h)
		if err != nil {
			log.Debug("roster", "err", err)
			http.Error(w, "The chat is not available just now.", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body)
	})
}

func (c *rosterCache) get(ctx context.Context, h *hub.Hub) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.body != nil && time.Since(c.at) < rosterMaxAge {
		return c.body, nil
	}
	roster, err := h.Roster(ctx, hub.DefaultRoom)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(rosterPage{AsOf: roster.AsOf, Count: roster.Count, Members: membersJSON(roster.People)})
	if err != nil {
		return nil, err
	}
	c.at, c.body = time.Now(), body
	return body, nil
}
