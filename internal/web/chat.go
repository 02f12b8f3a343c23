package web

import (
	"log/slog"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/templates"
)

// handleChatPage serves the chat (/chat, the default room), one room of it
// (/r/help for #help) or a private conversation (/p/bob) to a browser that
// has logged in; one that has not goes to the login form. Which
// conversation the page shows is its script's business: the server checks
// only that the URL's name can be one. It does not check that the name is free:
// a reloaded page would find its own, closing socket still holding it. The
// WebSocket join decides, and the page returns to the login form if the name
// is taken by then.
//
// The name is the one the browser's login goes by now (currentName): after
// a /nick and a restart, the new one.
func handleChatPage(log *slog.Logger, h *hub.Hub, cfg Config, a *assets) http.Handler {
	pageAssets := a.page(true)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, _ := currentName(r, h)
		if name == "" {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		display, err := hub.CheckName(name)
		if err != nil {
			q := url.Values{"name": {name}, "error": {loginErrInvalid}}
			http.Redirect(w, r, "/?"+q.Encode(), http.StatusSeeOther)
			return
		}
		title, ok := pageTitle(r)
		if !ok {
			http.Error(w, "There can be no room or person of that name.", http.StatusNotFound)
			return
		}
		render(w, r, log, http.StatusOK, templates.ChatPage(templates.Chat{
			Assets: pageAssets, Me: display, Login: loginKey(r, display), MaxTextBytes: cfg.MaxTextBytes, Title: title,
		}))
	})
}

// pageTitle is the conversation a chat page's URL names: the room of
// /r/{room}, the person of /p/{name}, or else the default room. ok is
// false for a name that breaks the name rules.
func pageTitle(r *http.Request) (title string, ok bool) {
	if room := chi.URLParam(r, "room"); room != "" {
		display, err := hub.CheckRoomName(room)
		return display, err == nil
	}
	if name := chi.URLParam(r, "name"); name != "" {
		display, err := hub.CheckName(name)
		return display, err == nil
	}
	return hub.DefaultRoom, true
}
