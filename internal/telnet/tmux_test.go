package telnet_test

import (
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
// screen is read after each step, waiting on tmux's own wait-for rather
// than on time.
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

	// waitScreen polls tmux's screen until it shows want: tmux has no
	// event for "the screen now shows", so each look is a fresh capture,
	// bounded by a deadline.
	waitScreen := func(want ...string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			screen := run("capture-pane", "-p")
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(screen, w)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("screen:\n%s\nwant %q", screen, want)
			}
			run("wait-for", "-S", "anseo-tick") // a round trip to tmux, not a sleep
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
