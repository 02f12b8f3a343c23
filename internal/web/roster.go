package web

import (
	"context"
	"encoding/json"
	"errors"
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

// rosterCache holds the last encoding of each room's whole list, shared by
// every request within rosterMaxAge of it. mu is held while a new one is
// made, so that a storm of requests asks the hub once per room.
type rosterCache struct {
	mu    sync.Mutex
	rooms map[string]cachedRoster // by hub.RoomKey
}

// cachedRoster is one encoding of a list and when it was made.
type cachedRoster struct {
	at   time.Time
	body []byte
}

// rosterCacheSweep is how many rooms' lists the cache holds before it
// drops those past their age: the rooms people look at now, not every room
// anyone ever asked for.
const rosterCacheSweep = 64

// handleRoster answers GET /roster?room=#help: everyone in the room (the
// default room without room=), in joining order, as of an event; nobody,
// for a room that does not exist. Like the history, it is for those who
// have logged in.
func handleRoster(log *slog.Logger, h *hub.Hub) http.Handler {
	c := rosterCache{rooms: make(map[string]cachedRoster)}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := nameFromCookie(r); !ok || !validName(name) {
			writeJSON(w, http.StatusUnauthorized, errorBody{"not logged in"})
			return
		}
		room := hub.DefaultRoom
		if q := r.URL.Query().Get("room"); q != "" {
			display, err := hub.CheckRoomName(q)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, errorBody{"room name invalid: " + reasonOf(err)})
				return
			}
			room = display
		}
		body, err := c.get(r.Context(), h, room)
		if err != nil {
			log.Debug("roster", "room", room, "err", err)
			http.Error(w, "The chat is not available just now.", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body)
	})
}

func (c *rosterCache) get(ctx context.Context, h *hub.Hub, room string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := hub.RoomKey(room)
	if e, ok := c.rooms[key]; ok && time.Since(e.at) < rosterMaxAge {
		return e.body, nil
	}
	roster, err := h.Roster(ctx, room)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(rosterPage{AsOf: roster.AsOf, Count: roster.Count, Members: membersJSON(roster.People)})
	if err != nil {
		return nil, err
	}
	if len(c.rooms) >= rosterCacheSweep {
		for k, e := range c.rooms {
			if time.Since(e.at) >= rosterMaxAge {
				delete(c.rooms, k)
			}
		}
	}
	c.rooms[key] = cachedRoster{at: time.Now(), body: body}
	return body, nil
}

// roomJSON is a room as GET /rooms lists it.
type roomJSON struct {
	Name        string `json:"name"`
	Topic       string `json:"topic"`
	MemberCount int    `json:"memberCount"`
}

// handleRooms answers GET /rooms: every room on the server, with its
// topic and how many are in it, for the page's room browser. A page asks
// when it opens the browser and when it loads, not when it reconnects: a
// restart's storm of reconnections does not ask.
func handleRooms(log *slog.Logger, h *hub.Hub) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := nameFromCookie(r); !ok || !validName(name) {
			writeJSON(w, http.StatusUnauthorized, errorBody{"not logged in"})
			return
		}
		rooms, err := h.Rooms(r.Context())
		if err != nil {
			log.Debug("rooms", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, errorBody{"the chat is not available just now"})
			return
		}
		list := make([]roomJSON, len(rooms))
		for i, room := range rooms {
			list[i] = roomJSON{Name: room.Name, Topic: room.Topic, MemberCount: room.Members}
		}
		writeJSON(w, http.StatusOK, struct {
			Rooms []roomJSON `json:"rooms"`
		}{list})
	})
}

// reasonOf is why a name was refused, in words for people.
func reasonOf(err error) string {
	if nameErr, ok := errors.AsType[*hub.NameError](err); ok {
		return nameErr.Reason
	}
	return err.Error()
}
