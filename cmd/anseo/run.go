package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/telnet"
	"golang.org/x/sync/errgroup"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

// config is every setting of the server, parsed from flags whose defaults
// come from ANSEO_* environment variables: flag beats environment beats the
// built-in default.
type config struct {
	telnetAddr      string
	httpAddr        string
	logFormat       string
	logLevel        slog.Level
	shutdownTimeout time.Duration
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s [flags]\n       %s version\n\nEvery flag can also be set with the environment variable named in brackets.\n\n", args[0], args[0])
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.telnetAddr, "telnet-addr", envOr(getenv, "ANSEO_TELNET_ADDR", ":2323"), "`address` of the telnet line port [ANSEO_TELNET_ADDR]")
	fs.StringVar(&cfg.httpAddr, "http-addr", envOr(getenv, "ANSEO_HTTP_ADDR", ":8080"), "`address` of the web server [ANSEO_HTTP_ADDR]")
	fs.StringVar(&cfg.logFormat, "log-format", envOr(getenv, "ANSEO_LOG_FORMAT", "text"), "log `format`: text or json [ANSEO_LOG_FORMAT]")
	level := fs.String("log-level", envOr(getenv, "ANSEO_LOG_LEVEL", "info"), "log `level`: debug, info, warn or error [ANSEO_LOG_LEVEL]")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", envDuration(getenv, "ANSEO_SHUTDOWN_TIMEOUT", 5*time.Second), "how long to let connections drain on shutdown before closing them [ANSEO_SHUTDOWN_TIMEOUT]")
	if err := fs.Parse(args[1:]); err != nil {
		return cfg, err
	}
	if err := cfg.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return cfg, fmt.Errorf("-log-level: %w", err)
	}
	if cfg.logFormat != "text" && cfg.logFormat != "json" {
		return cfg, fmt.Errorf("-log-format: %q is neither text nor json", cfg.logFormat)
	}
	if cfg.shutdownTimeout <= 0 {
		return cfg, errors.New("-shutdown-timeout: must be positive")
	}
	return cfg, nil
}

func envOr(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}

// envDuration is envOr for durations; an unparsable value is left to the
// flag package to report by passing it through as the default's text.
func envDuration(getenv func(string) string, key string, fallback time.Duration) time.Duration {
	if d, err := time.ParseDuration(getenv(key)); err == nil {
		return d
	}
	return fallback
}

// run is the whole program: it parses args, starts the hub and the
// listeners, and stops them all when ctx is done, within the shutdown
// timeout. It returns when every goroutine it started has ended.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 && args[1] == "version" {
		fmt.Fprintln(stdout, "anseo", version)
		return nil
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)

	var lc net.ListenConfig
	telnetLn, err := lc.Listen(ctx, "tcp", cfg.telnetAddr)
	if err != nil {
		return fmt.Errorf("telnet: %w", err)
	}

	h := hub.New(hub.Options{Log: log})
	lines := telnet.NewServer(log, h, telnet.Config{})

	// The first part to fail stops the others; a shutdown stops them all.
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return h.Run(ctx) })
	g.Go(func() error { return lines.Serve(ctx, telnetLn, cfg.shutdownTimeout) })
	log.Info("listening", "transport", "telnet", "addr", telnetLn.Addr().String(), "version", version)
	g.Go(func() error {
		<-ctx.Done()
		log.Info("shutting down", "timeout", cfg.shutdownTimeout)
		return nil
	})
	err = g.Wait()
	log.Info("stopped")
	return err
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
