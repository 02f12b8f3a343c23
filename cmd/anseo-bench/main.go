// Command anseo-bench is anseo's load tool: it drives a running anseo (or
// the bare broadcaster it carries as a yardstick) with many telnet and
// WebSocket clients and reports throughput, latency, loss, CPU and memory.
// It is a program of its own so that the server binary carries none of it.
// docs/performance.md tells how to run it; `make bench` runs its suite.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "anseo-bench:", err)
		os.Exit(1)
	}
}
