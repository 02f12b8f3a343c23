// Command profserve runs anseo's hub, line port and web server in one
// process, wired as cmd/anseo wires them, with flood control and connection
// caps off, and writes CPU and heap profiles at set times. It exists so that
// the server can be profiled under anseo-bench load without adding a
// profiling endpoint to anseo itself:
//
//	taskset -c 0 go run ./internal/loadtest/profserve -cpu-start 5s -cpu-for 10s -cpuprofile cpu.pprof &
//	taskset -c 1 bin/anseo-bench -scenario saturate -telnet 1000 -telnet-addr 127.0.0.1:2323 -duration 20s
//	go tool pprof -top cpu.pprof
//
// It stops after -run, or on SIGINT/SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/telnet"
	"github.com/anseo/anseo/internal/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "profserve:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	telnetAddr := flag.String("telnet-addr", "127.0.0.1:2323", "line port `address`")
	httpAddr := flag.String("http-addr", "127.0.0.1:8080", "web `address`")
	cpuFile := flag.String("cpuprofile", "", "write a CPU profile to `file`")
	cpuStart := flag.Duration("cpu-start", 0, "start the CPU profile this long after starting")
	cpuFor := flag.Duration("cpu-for", 10*time.Second, "profile CPU for this long")
	heapFile := flag.String("memprofile", "", "write a heap profile (after a GC) to `file`")
	heapAt := flag.Duration("heap-at", 20*time.Second, "write the heap profile this long after starting")
	runFor := flag.Duration("run", 2*time.Minute, "stop after this long")
	flag.Parse()

	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, *runFor)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	h := hub.New(hub.Options{Log: log, Flood: hub.Flood{Rate: math.Inf(1)}})
	limiter := connlimit.New(1_000_000, 1_000_000)
	lines := telnet.NewServer(log, h, telnet.Config{Limiter: limiter})
	site := web.NewServer(log, h, web.Config{Limiter: limiter})
	tln, err := net.Listen("tcp", *telnetAddr)
	if err != nil {
		return err
	}
	hln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}

	hubDone, telnetDone, httpDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() { defer close(hubDone); _ = h.Run(ctx) }()
	go func() { defer close(telnetDone); _ = lines.Serve(ctx, tln, 5*time.Second) }()
	go func() { defer close(httpDone); _ = srv.Serve(hln) }()
	fmt.Fprintf(os.Stderr, "profserve: pid %d, telnet %s, http %s\n", os.Getpid(), tln.Addr(), hln.Addr())

	var profErr error
	if *cpuFile != "" {
		profErr = errors.Join(profErr, at(ctx, *cpuStart, func() error {
			f, err := os.Create(*cpuFile)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			fmt.Fprintln(os.Stderr, "profserve: CPU profile started")
			t := time.NewTimer(*cpuFor)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
			pprof.StopCPUProfile()
			fmt.Fprintln(os.Stderr, "profserve: CPU profile written to", *cpuFile)
			return nil
		}))
	}
	if *heapFile != "" {
		profErr = errors.Join(profErr, at(ctx, *heapAt-time.Since(start), func() error {
			f, err := os.Create(*heapFile)
			if err != nil {
				return err
			}
			defer f.Close()
			runtime.GC()
			fmt.Fprintln(os.Stderr, "profserve: heap profile written to", *heapFile)
			return pprof.Lookup("heap").WriteTo(f, 0)
		}))
	}
	<-ctx.Done()
	<-hubDone
	<-telnetDone
	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer dcancel()
	_ = srv.Shutdown(dctx)
	site.Drain(dctx)
	<-httpDone
	return profErr
}

// at runs f after d, unless ctx ends first.
func at(ctx context.Context, d time.Duration, f func() error) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return f()
	case <-ctx.Done():
		return nil
	}
}
