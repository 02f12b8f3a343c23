package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/anseo/anseo/internal/hub"
)

// The history endpoints page back through a room's saved conversation and
// search it, and page back through the caller's own private messages
// (docs/protocol.md §7). They read the hub's Store; a hub without one
// answers 404.

// Limits of the history endpoints.
const (
	// defaultHistoryN is how many events a page of history holds when the
	// request does not say: about a screenful and a half.
	defaultHistoryN = 50
	// maxHistoryN caps n, so that one request cannot make the server read
	// and send the whole history at once.
	maxHistoryN = 200
	// maxQueryBytes bounds a search query: a few words, not a document.
	maxQueryBytes = 200
)

// historyPage is the answer of the endpoints: events oldest first, and
// whether there are more beyond them in the direction asked (older for
// before, search and private, newer for after). Each event is a messageMsg,
// or a privateMsg from /history/private.
type historyPage struct {
	Events []any `json:"events"`
	More   bool  `json:"more"`
}

type errorBody struct {
	Error string `json:"error"`
}

// handleHistory answers GET /history?room=ROOM&before=ID&n=N (the room's n
// newest saved events older than ID; without before, its n newest of all)
// and GET /history?room=ROOM&after=ID&n=N (the n oldest newer than ID).
// Without room, the default room's.
func handleHistory(log *slog.Logger, h *hub.Hub) http.Handler {
	return historyHandler(log, h, func(r *http.Request, st hub.Store, n int) ([]*hub.Event, bool, error) {
		q := r.URL.Query()
		room, err := historyRoom(q.Get("room"))
		if err != nil {
			return nil, false, err
		}
		before, okBefore, err := idParam(q.Get("before"))
		if err != nil {
			return nil, false, badRequest("before must be an event ID")
		}
		after, okAfter, err := idParam(q.Get("after"))
		if err != nil {
			return nil, false, badRequest("after must be an event ID")
		}
		var evs []*hub.Event
		switch {
		case okBefore && okAfter:
			return nil, false, badRequest("ask for before or after, not both")
		case okAfter:
			evs, err = st.After(r.Context(), room, after, n+1)
			if len(evs) > n { // the extra one says there is more
				return evs[:n], true, err
			}
			return evs, false, err
		case okBefore:
			evs, err = st.Before(r.Context(), room, before, n+1)
		default:
			evs, err = st.Recent(r.Context(), room, n+1)
		}
		return newest(evs, n), len(evs) > n, err
	})
}

// handleSearch answers GET /history/search?room=ROOM&q=TEXT&n=N: the
// room's n newest saved events whose text or name contains TEXT, ignoring
// case. Without room, the default room's.
func handleSearch(log *slog.Logger, h *hub.Hub) http.Handler {
	return historyHandler(log, h, func(r *http.Request, st hub.Store, n int) ([]*hub.Event, bool, error) {
		room, err := historyRoom(r.URL.Query().Get("room"))
		if err != nil {
			return nil, false, err
		}
		q := r.URL.Query().Get("q")
		switch {
		case isBlankQuery(q):
			return nil, false, badRequest("q must not be empty")
		case len(q) > maxQueryBytes:
			return nil, false, badRequest("q is longer than " + strconv.Itoa(maxQueryBytes) + " bytes")
		}
		evs, err := st.Search(r.Context(), room, q, n+1)
		return newest(evs, n), len(evs) > n, err
	})
}

// handlePrivate answers GET /history/private?before=ID&n=N: the n newest
// saved private messages that the caller's login (its session cookie) sent
// or was sent, older than ID; without before, the newest. A browser
// without a session (logged in before there were sessions) has none: no
// saved private message can be told to be its own.
func handlePrivate(log *slog.Logger, h *hub.Hub) http.Handler {
	return historyHandler(log, h, func(r *http.Request, st hub.Store, n int) ([]*hub.Event, bool, error) {
		before, _, err := idParam(r.URL.Query().Get("before")) // 0 or none: the newest
		switch {
		case err != nil:
			return nil, false, badRequest("before must be an event ID")
		case r.URL.Query().Has("after"):
			return nil, false, badRequest("private messages are paged with before only")
		}
		evs, err := st.Private(r.Context(), sessionOf(r), before, n+1)
		return newest(evs, n), len(evs) > n, err
	})
}

// historyRoom is the room a history request names: its display name, the
// default room if it names none, or a *historyError if the name breaks the
// rules.
func historyRoom(room string) (string, error) {
	if room == "" {
		return hub.DefaultRoom, nil
	}
	display, err := hub.CheckRoomName(room)
	var nameErr *hub.NameError
	switch {
	case errors.As(err, &nameErr):
		return "", badRequest("room is not a room name: " + nameErr.Reason)
	case err != nil:
		return "", badRequest("room is not a room name")
	}
	return display, nil
}

// historyRead reads one page from the store: at most n events, oldest
// first, and whether more lie beyond. A *historyError is the client's fault.
type historyRead func(r *http.Request, st hub.Store, n int) ([]*hub.Event, bool, error)

// historyHandler does what the endpoints share: the login check, the
// store, n, and the JSON answer.
func historyHandler(log *slog.Logger, h *hub.Hub, read historyRead) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := nameFromCookie(r); !ok || !validName(name) {
			writeJSON(w, http.StatusUnauthorized, errorBody{"not logged in"})
			return
		}
		st := h.Store()
		if st == nil {
			writeJSON(w, http.StatusNotFound, errorBody{"this server keeps no history"})
			return
		}
		n, err := countParam(r.URL.Query().Get("n"))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{err.Error()})
			return
		}
		evs, more, err := read(r, st, n)
		var herr *historyError
		switch {
		case errors.As(err, &herr):
			writeJSON(w, http.StatusBadRequest, errorBody{herr.text})
			return
		case r.Context().Err() != nil:
			return // the client has gone
		case err != nil:
			log.Error("history: read failed", "path", r.URL.Path, "err", err)
			writeJSON(w, http.StatusInternalServerError, errorBody{"the history could not be read"})
			return
		}
		page := historyPage{Events: make([]any, 0, len(evs)), More: more}
		session := sessionOf(r)
		for _, ev := range evs {
			if ev.Kind == hub.KindPrivate {
				page.Events = append(page.Events, privateMsg{Type: "private", ID: ev.ID, Time: formatTime(ev.Time),
					From: ev.Name, To: ev.To, Text: ev.Text, Own: session != "" && ev.Session == session})
				continue
			}
			msg := storedJSON(ev, session)
			msg.Room = ev.Room
			page.Events = append(page.Events, msg)
		}
		writeJSON(w, http.StatusOK, page)
	})
}

type historyError struct{ text string }

func (e *historyError) Error() string { return "bad request: " + e.text }

func badRequest(text string) error { return &historyError{text} }

// newest keeps the n newest of evs, which are oldest first.
func newest(evs []*hub.Event, n int) []*hub.Event {
	if len(evs) > n {
		return evs[len(evs)-n:]
	}
	return evs
}

// idParam parses an event ID; ok is false when there is none.
func idParam(s string) (id uint64, ok bool, err error) {
	if s == "" {
		return 0, false, nil
	}
	id, err = strconv.ParseUint(s, 10, 64)
	return id, err == nil, err
}

// countParam parses n: default defaultHistoryN, at most maxHistoryN.
func countParam(s string) (int, error) {
	if s == "" {
		return defaultHistoryN, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errors.New("n must be a whole number from 1 to " + strconv.Itoa(maxHistoryN))
	}
	return min(n, maxHistoryN), nil
}

func validName(name string) bool {
	_, err := hub.CheckName(name)
	return err == nil
}

func isBlankQuery(q string) bool {
	for _, r := range q {
		if r != ' ' && r != '\t' {
			return false
		}
	}
	return true
}

// writeJSON answers with v as JSON: the one encoder of the JSON endpoints.
// The answers show the room's conversation, so nothing may cache them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
