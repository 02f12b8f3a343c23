package loadtest_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/syncbuf"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/loadtest"
)

// startSuite runs `anseo-bench suite` as a process of its own with its
// stderr on a pipe the test alone reads, and returns once the suite's
// server is listening. The suite hands its stderr on to the servers it
// starts, so the pipe reaches end of file only when the suite and every
// server are gone.
func startSuite(t *testing.T) (*exec.Cmd, *os.File) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	// idle holds its connections for the whole -duration: the suite is
	// mid-run, with a server up, when the test stops it.
	cmd := exec.Command(exe, "suite", "-scenarios", "idle", "-transports", "baseline",
		"-idle", "2", "-server-cpu", "")
	cmd.Env = append(os.Environ(), beBench+"=1")
	cmd.Stderr = w
	require.NoError(t, cmd.Start())
	w.Close() // the suite and its servers hold the only write ends
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// Nothing here may wait forever: a server left running fails the test.
	require.NoError(t, r.SetReadDeadline(time.Now().Add(60*time.Second)))
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err, "waiting for the suite's server")
		if strings.Contains(line, "baseline broadcaster listening on") {
			return cmd, r
		}
	}
}

// requireAllGone reads the suite's stderr to its end: every process that
// held it has exited.
func requireAllGone(t *testing.T, stderr *os.File) {
	t.Helper()
	rest, err := io.ReadAll(stderr)
	require.NoError(t, err, "a process still holds the suite's stderr: %s", rest)
}

func TestSuiteStopsItsServerWhenStopped(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM")
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, stderr := startSuite(t)
			require.NoError(t, cmd.Process.Signal(sig))
			requireAllGone(t, stderr)
			err := cmd.Wait()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "a stopped suite reports that it did not finish")
			assert.Equal(t, 1, exit.ExitCode())
		})
	}
}

func TestSuiteServerDiesWithTheSuite(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux's")
	}
	cmd, stderr := startSuite(t)
	require.NoError(t, cmd.Process.Kill()) // no chance to stop its server
	requireAllGone(t, stderr)
}

func TestSuiteNeedsTheServerBinary(t *testing.T) {
	for _, args := range [][]string{
		{"suite", "-transports", "telnet", "-server", filepath.Join(t.TempDir(), "anseo")},
		{"suite", "-transports", "baseline,ws"}, // nothing named anseo beside the test binary
	} {
		var stderr strings.Builder
		err := loadtest.Main(t.Context(), args, io.Discard, &stderr)
		require.Error(t, err, "%v", args)
		assert.Contains(t, err.Error(), "-server", "the error names the flag")
		assert.Empty(t, stderr.String(), "refused before anything started")
	}
}

func TestSuiteRunsEachAnseoTransportWithEachStore(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in server stops on SIGTERM")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	tmp := filepath.Join(t.TempDir(), "tmp")
	require.NoError(t, os.Mkdir(tmp, 0o700))
	t.Setenv("TMPDIR", tmp) // where the suite makes file stores
	t.Setenv(beAnseo, "1")  // the servers it starts: this binary, as anseo

	var stdout strings.Builder
	stderr := &syncbuf.Buffer{}
	err = loadtest.Main(t.Context(), []string{"suite", "-server", exe, "-server-cpu", "",
		"-transports", "telnet", "-scenarios", "saturate", "-members", "3", "-senders", "1", "-duration", "200ms", "-rounds", "2"},
		&stdout, stderr)
	require.NoError(t, err, stderr.String())

	out := stdout.String()
	var rows []string // the sending runs, in the order they ran: store and round
	for line := range strings.SplitSeq(out, "\n") {
		if cells := strings.Split(line, " | "); strings.HasPrefix(line, "| saturate | anseo |") && len(cells) == 21 {
			rows = append(rows, cells[2]+" "+cells[20])
		}
	}
	assert.Equal(t, []string{
		"memory 1 |", "file 1 |", // memory, then file, side by side
		"memory 2 |", "file 2 |", // then again, in the second round
	}, rows, out)
	assert.Contains(t, out, "Medians of 2 rounds:")
	assert.Contains(t, out, "| saturate | anseo | file | telnet | 3 | 2 |", "the medians of the two file runs")
	assert.Contains(t, out, "| saturate | anseo | file | telnet | 3 | 3 |", "the join storm's row")

	var dbs []string
	for line := range strings.SplitSeq(stderr.String(), "\n") {
		if _, db, ok := strings.Cut(line, fakeAnseoDB); ok { // maybe after a progress line's erasure
			dbs = append(dbs, db)
		}
	}
	require.Len(t, dbs, 4, "a server per store and round: %s", stderr)
	assert.Equal(t, ":memory:", dbs[0])
	assert.Equal(t, tmp, filepath.Dir(filepath.Dir(dbs[1])), "a fresh directory under TMPDIR")
	assert.Equal(t, "anseo.db", filepath.Base(dbs[1]))
	assert.NotEqual(t, dbs[1], dbs[3], "a fresh one each round")
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "the file store is removed after its run")
}

func TestSuiteRefusesUnknownStores(t *testing.T) {
	for _, stores := range []string{"disk", "memory,sqlite", ",", ""} {
		var stderr strings.Builder
		err := loadtest.Main(t.Context(), []string{"suite", "-transports", "telnet", "-stores", stores}, io.Discard, &stderr)
		require.Error(t, err, "%q", stores)
		assert.Contains(t, err.Error(), "-stores", "the error names the flag")
		assert.Empty(t, stderr.String(), "refused before anything started")
	}
}

func TestSuiteRefusesLayoutsItCannotRun(t *testing.T) {
	for _, rooms := range []string{"0", "1+x", "", "1,3"} { // 3 rooms of 5 members: one would have one
		var stderr strings.Builder
		err := loadtest.Main(t.Context(), []string{"suite", "-transports", "baseline", "-members", "5", "-rooms", rooms}, io.Discard, &stderr)
		require.Error(t, err, "%q", rooms)
		assert.Contains(t, err.Error(), "-rooms", "the error names the flag")
		assert.Empty(t, stderr.String(), "refused before anything started")
	}
}
