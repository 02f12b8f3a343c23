package web

import (
	"io"
	"net/http"
)

// handleHealthz answers 200 "ok" while the process serves HTTP: a liveness
// check for load balancers and orchestrators.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, "ok\n")
	})
}
