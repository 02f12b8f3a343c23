package web

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5/middleware"
)

// contentSecurityPolicy allows only anseo's own files: no inline script or
// style, no third parties, no framing. connect-src 'self' covers the
// same-origin WebSocket (ws: and wss:) in current browsers.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY") // for browsers that predate frame-ancestors
		next.ServeHTTP(w, r)
	})
}

// logRequests logs each request once it has been answered: at Info, except
// the probes and static files, which would drown the rest, at Debug. For /ws
// the line comes when the socket closes, so the duration is the session's
// length. Paths and status only: no form values, no message text.
func logRequests(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			level := slog.LevelInfo
			switch p := r.URL.Path; {
			case p == "/healthz", p == "/readyz", p == "/metrics", strings.HasPrefix(p, "/static/"):
				level = slog.LevelDebug
			}
			if !log.Enabled(r.Context(), level) {
				next.ServeHTTP(w, r)
				return
			}
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor) // keeps Hijack for /ws
			next.ServeHTTP(ww, r)
			log.Log(r.Context(), level, "http request", "method", r.Method, "path", r.URL.Path, "status", ww.Status(),
				"bytes", ww.BytesWritten(), "duration", time.Since(start), "remote", middleware.GetClientIP(r.Context()))
		})
	}
}
