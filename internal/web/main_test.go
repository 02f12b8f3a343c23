package web_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/anseo/anseo/internal/browsertest"
)

// TestMain checks for leaked goroutines after every test has run, once the
// shared browser of the end-to-end tests has been closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(browsertest.Main(m))
}
