package main

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/anseo/anseo/internal/browsertest"
)

// TestMain checks for leaked goroutines once every test has run and the
// shared browser of the end-to-end tests has been closed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(browsertest.Main(m)) }
