package web

import (
	"log/slog"
	"net/http"
	"net/url"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/templates"
)

// handleChatPage serves the chat to a browser that has logged in; one that
// has not goes to the login form. It does not check that the name is free:
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
		render(w, r, log, http.StatusOK, templates.ChatPage(templates.Chat{
			Assets: pageAssets, Me: display, Login: loginKey(r, display), MaxTextBytes: cfg.MaxTextBytes,
		}))
	})
}
