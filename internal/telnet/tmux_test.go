package telnet_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/linetest"
	"github.com/stretchr/testify/require"
)

// need returns the path of a program the test needs. Without it the test
// is skipped, except when $CI is "true": in CI a missing tool is a failure,
// never a silent skip.
func need(t *testing.T, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found (CI=true, so this fails instead of skipping): %v", program, err)
	}
	t.Skipf("%s not found; apt-get install %s to run this test", program, program)
	return ""
}

// TestRealTelnetUnderTmux is a new user with Debian's telnet: type half a
// line, let two messages arrive, finish it. tmux is the terminal; its
// screen is read again whenever tmux reports output to it.
func TestRealTelnetUnderTmux(t *testing.T) {
	telnetPath := need(t, "telnet")
	tmux := need(t, "tmux")
	srv := start(t, hub.Options{}, termConfig)
	host, port, _ := strings.Cut(srv.termAddr, ":")

	socket := t.TempDir() + "/tmux.sock" // a server of the test's own
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, tmux, append([]string{"-S", socket}, args...)...).CombinedOutput()
		require.NoError(t, err, "tmux %v: %s", args, out)
		return string(out)
	}
	run("new-session", "-d", "-x", "60", "-y", "15", "-e", "TERM=xterm-256color", telnetPath, host, port)
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", socket, "kill-server").Run() })

	// A control-mode client reports every output to the pane (%output):
	// the screen is read again after each, not on a timer.
	control := exec.Command(tmux, "-S", socket, "-C", "attach")
	stdin, err := control.StdinPipe() // open until the test ends: closing it detaches
	require.NoError(t, err)
	stdout, err := control.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, control.Start())
	output := make(chan struct{}, 1)
	attached := make(chan struct{}) // the client's first line: from here on, output is reported
	go func() {
		sc := bufio.NewScanner(stdout)
		for first := true; sc.Scan(); first = false {
			if first {
				close(attached)
			}
			if strings.HasPrefix(sc.Text(), "%output") {
				select {
				case output <- struct{}{}:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		stdin.Close()
		_ = control.Wait()
	})

	// Output before the client attached was never reported: the screen is
	// read first once it has, so nothing shown before is missed.
	select {
	case <-attached:
	case <-time.After(10 * time.Second):
		t.Fatal("tmux's control client did not attach")
	}
	waitScreen := func(want ...string) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			screen := run("capture-pane", "-p")
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(screen, w)
			}
			if ok {
				return
			}
			select {
			case <-output:
			case <-timeout:
				t.Fatalf("screen:\n%s\nwant %q", screen, want)
			}
		}
	}
	waitScreen("What's your name?\n>")
	run("send-keys", "alice", "Enter")
	waitScreen("Welcome, alice!", "[alice]")

	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	waitScreen("bob has joined the channel.")
	run("send-keys", "-l", "this is a long sen")
	waitScreen("[alice] this is a long sen")
	bob.Send("an interruption")
	bob.Send("and another")
	waitScreen("<bob> an interruption\n<bob> and another\n[alice] this is a long sen")
	run("send-keys", "-l", "tence")
	waitScreen("<bob> and another\n[alice] this is a long sentence")
	run("send-keys", "Enter")
	bob.Expect("<alice> this is a long sentence")
	waitScreen("<bob> and another\n<alice> this is a long sentence\n[alice]")
}
