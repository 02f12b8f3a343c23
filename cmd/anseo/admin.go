package main

import (
	"net/http"
	"net/http/pprof"
)

// adminHandler is what the metrics listener (-metrics-addr) serves: the
// metrics at /metrics and, with -pprof, Go's profiles under /debug/pprof/
// (index, cmdline, profile, symbol, trace, and the named profiles: heap,
// goroutine, allocs, block, mutex, threadcreate). That listener is for
// operators; none of this is ever on the public web port.
//
// Importing net/http/pprof also registers its handlers on
// http.DefaultServeMux, which anseo never serves.
func adminHandler(metrics http.Handler, withPprof bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol) // GET and POST
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}
