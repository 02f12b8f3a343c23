package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/anseo/anseo/internal/syncbuf"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSuiteStartsTheServerBinary builds cmd/anseo, as make bench does, and
// runs a short suite against it: the load tool starts the server binary it
// is given, not itself, once with each history store (by default both) and
// each layout of rooms, and leaves no file store behind.
func TestSuiteStartsTheServerBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server")
	}
	bin := filepath.Join(t.TempDir(), "anseo")
	out, err := exec.Command("go", "build", "-o", bin, "../anseo").CombinedOutput()
	require.NoError(t, err, string(out))
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the suite makes file stores

	var stdout bytes.Buffer
	stderr := &syncbuf.Buffer{}
	err = run(t.Context(), []string{"anseo-bench", "suite", "-server", bin, "-server-cpu", "",
		"-transports", "telnet,ws", "-scenarios", "saturate", "-members", "5", "-rooms", "1,2", "-senders", "2", "-duration", "300ms"},
		&stdout, stderr)
	require.NoError(t, err, stderr.String())
	assert.Contains(t, stderr.String(), "bench: anseo server: "+bin)
	for _, row := range []string{
		"| saturate | anseo | memory | telnet | 5 | 2 |",
		"| saturate | anseo | file | telnet | 5 | 2 |",
		"| saturate | anseo | memory | ws | 5 | 2 |",
		"| saturate | anseo | file | ws | 5 | 2 |",
		"| saturate | 2 × 2–3 | anseo | memory | telnet | 5 | 2 |",
		"| saturate | 2 × 2–3 | anseo | file | ws | 5 | 2 |",
	} {
		assert.Contains(t, stdout.String(), row)
	}
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "every file store is removed after its run")
}
