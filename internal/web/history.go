package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/anseo/anseo/internal/hub"
)

// The history endpoints page back through the saved conversation and search
// it (docs/protocol.md §7). They read the hub's Store; a hub without one
// answers 404. Only messages and actions are saved, never private messages.

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

// historyPage is the answer of both endpoints: events oldest first, and
// whether there are more beyond them in the direction asked (older for
// before and search, newer for after).
type historyPage struct {
	Events []messageMsg `json:"events"`
	More   bool         `json:"more"`
}

type errorBody struct {
	Error string `json:"error"`
}

// handleHistory answers GET /history?before=ID&n=N (the n newest saved
// events older than ID; without before, the n newest of all) and GET
// /history?after=ID&n=N (the n oldest newer than ID).
func handleHistory(log *slog.Logger, h *hub.Hub) http.Handler {
	return historyHandler(log, h, func(r *http.Request, st hub.Store, n int) ([]*hub.Event, bool, error) {
		q := r.URL.Query()
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
			evs, err = st.After(r.Context(), after, n+1)
			if len(evs) > n { // the extra one says there is more
				return evs[:n], true, err
			}
			return evs, false, err
		case okBefore:
			evs, err = st.Before(r.Context(), before, n+1)
		default:
			evs, err = st.Recent(r.Context(), n+1)
		}
		return newest(evs, n), len(evs) > n, err
	})
}

// handleSearch answers GET /history/search?q=TEXT&n=N: the n newest saved
// events whose text or name contains TEXT, ignoring case.
func handleSearch(log *slog.Logger, h *hub.Hub) http.Handler {
	return historyHandler(log, h, func(r *http.Request, st hub.Store, n int) ([]*hub.Event, bool, error) {
		q := r.URL.Query().Get("q")
		switch {
		case isBlankQuery(q):
			return nil, false, badRequest("q must not be empty")
		case len(q) > maxQueryBytes:
			return nil, false, badRequest("q is longer than " + strconv.Itoa(maxQueryBytes) + " bytes")
		}
		evs, err := st.Search(r.Context(), q, n+1)
		return newest(evs, n), len(evs) > n, err
	})
}

// historyRead reads one page from the store: at most n events, oldest
// first, and whether more lie beyond. A *historyError is the client's fault.
type historyRead func(r *http.Request, st hub.Store, n int) ([]*hub.Event, bool, error)

// historyHandler does what both endpoints share: the login check, the
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
		page := historyPage{Events: make([]messageMsg, 0, len(evs)), More: more}
		session := sessionOf(r)
		for _, ev := range evs {
			page.Events = append(page.Events, storedJSON(ev, session))
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
