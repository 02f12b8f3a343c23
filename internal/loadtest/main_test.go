package loadtest_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"go.uber.org/goleak"

	"github.com/anseo/anseo/internal/loadtest"
)

// beAnseo in the environment makes this test binary act as `anseo bench …`,
// so that a test can run the suite as a process of its own, and the suite
// can start its servers (os.Executable: this binary again) as `anseo bench
// baseline-server`. The children inherit the variable.
const beAnseo = "ANSEO_LOADTEST_BE_ANSEO"

func TestMain(m *testing.M) {
	if os.Getenv(beAnseo) == "1" {
		os.Exit(actAsAnseo(os.Args[1:]))
	}
	goleak.VerifyTestMain(m)
}

// actAsAnseo is cmd/anseo's main for the bench subcommands only.
func actAsAnseo(args []string) int {
	if len(args) == 0 || args[0] != "bench" {
		fmt.Fprintln(os.Stderr, "test binary as anseo: only bench is here:", args)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := loadtest.Main(ctx, args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "anseo:", err)
		return 1
	}
	return 0
}
