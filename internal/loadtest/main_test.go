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

// beBench in the environment makes this test binary act as anseo-bench, so
// that a test can run the suite as a process of its own, and the suite can
// start its baseline servers (os.Executable: this binary again) as
// `anseo-bench baseline-server`. The children inherit the variable.
const beBench = "ANSEO_LOADTEST_BE_BENCH"

func TestMain(m *testing.M) {
	if os.Getenv(beBench) == "1" {
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
