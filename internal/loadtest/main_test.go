package loadtest_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/anseo/anseo/internal/loadtest"
	"github.com/anseo/anseo/internal/loadtest/baseline"
)

// beBench in the environment makes this test binary act as anseo-bench, so
// that a test can run the suite as a process of its own, and the suite can
// start its baseline servers (os.Executable: this binary again) as
// `anseo-bench baseline-server`. The children inherit the variable.
const beBench = "ANSEO_LOADTEST_BE_BENCH"

// beAnseo makes this test binary act as a stand-in for the anseo server
// (actAsAnseo), so that a suite given it as -server runs without building
// cmd/anseo.
const beAnseo = "ANSEO_LOADTEST_BE_ANSEO"

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(beAnseo) == "1":
		os.Exit(actAsAnseo(os.Args[1:]))
	case os.Getenv(beBench) == "1":
		os.Exit(actAsBench(os.Args[1:]))
	}
	goleak.VerifyTestMain(m)
}

// actAsBench is cmd/anseo-bench's main.
func actAsBench(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := loadtest.Main(ctx, args, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "anseo-bench:", err)
		return 1
	}
	return 0
}

// fakeAnseoDB is how the stand-in server reports the -db it was given, on
// stderr, which the suite passes on.
const fakeAnseoDB = "fake anseo: -db "

// actAsAnseo takes the flags the suite starts anseo with and serves what
// the suite checks and drives: the bare broadcaster on -telnet-addr and
// /healthz on -http-addr, until SIGTERM. A -db other than :memory: is
// created, as SQLite would, so its directory must exist and be writable.
func actAsAnseo(args []string) int {
	fs := flag.NewFlagSet("fake anseo", flag.ContinueOnError)
	telnetAddr := fs.String("telnet-addr", "", "")
	httpAddr := fs.String("http-addr", "", "")
	db := fs.String("db", "./anseo.db", "")
	for _, name := range []string{"terminal-addr", "flood-rate", "max-conns", "max-conns-per-ip", "max-http-conns-per-ip", "log-level", "max-rooms", "max-rooms-per-user"} {
		fs.String(name, "", "")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "fake anseo:", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, fakeAnseoDB+*db)
	if *db != ":memory:" {
		if err := os.WriteFile(*db, []byte("fake"), 0o600); err != nil {
			return fail(err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	tln, err := net.Listen("tcp", *telnetAddr)
	if err != nil {
		return fail(err)
	}
	hln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fail(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(hln) }()
	defer srv.Close()
	if err := baseline.New(0).Serve(ctx, tln); err != nil && !errors.Is(err, context.Canceled) {
		return fail(err)
	}
	return 0
}
