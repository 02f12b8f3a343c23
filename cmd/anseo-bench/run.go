package main

import (
	"context"
	"io"

	"github.com/anseo/anseo/internal/loadtest"
)

// run is the whole program: args[0] is its name, the rest are the load
// tool's subcommand and flags (loadtest.Main). A suite it runs stops its
// servers when ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return loadtest.Main(ctx, args[1:], stdout, stderr)
}
