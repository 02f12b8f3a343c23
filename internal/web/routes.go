package web

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/anseo/anseo/internal/hub"
)

// addRoutes is the whole HTTP surface of anseo's web transport.
func addRoutes(r chi.Router, log *slog.Logger, h *hub.Hub, cfg Config, a *assets, ws *sockets, ready func() bool) {
	r.Method(http.MethodGet, "/", handleLoginPage(log, h, a))
	r.Method(http.MethodPost, "/login", handleLogin(log, h, cfg, a))
	r.Method(http.MethodPost, "/logout", handleLogout(log, h, cfg))
	chat := handleChatPage(log, h, cfg, a)
	r.Method(http.MethodGet, "/chat", chat)
	r.Method(http.MethodGet, "/r/{room}", chat) // a room, bookmarkable: the page shows it
	r.Method(http.MethodGet, "/p/{name}", chat) // a private conversation
	r.Method(http.MethodGet, "/ws", handleWebSocket(log, h, cfg, ws))
	r.Method(http.MethodGet, "/history", handleHistory(log, h))
	r.Method(http.MethodGet, "/history/search", handleSearch(log, h))
	r.Method(http.MethodGet, "/history/private", handlePrivate(log, h))
	r.Method(http.MethodGet, "/roster", handleRoster(log, h))
	r.Method(http.MethodGet, "/rooms", handleRooms(log, h))
	r.Method(http.MethodGet, "/healthz", handleHealthz())
	r.Method(http.MethodGet, "/readyz", handleReadyz(ready))
	if cfg.Metrics != nil {
		r.Method(http.MethodGet, "/metrics", cfg.Metrics)
	}
	r.Method(http.MethodGet, "/static/{version}/{file}", handleStatic(a))
}
