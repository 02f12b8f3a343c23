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
	"github.com/anseo/anseo/internal/telnet"
	"github.com/stretchr/testify/assert"
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
	srv := start(t, hub.Options{}, termConfig)
	tx := tmuxTelnet(t, srv.termAddr)
	tx.waitScreen("What's your name?\n>")
	tx.run("send-keys", "alice", "Enter")
	tx.waitScreen("Welcome, alice!", "[alice]")

	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	tx.waitScreen("bob has joined the channel.")
	tx.run("send-keys", "-l", "this is a long sen")
	tx.waitScreen("[alice] this is a long sen")
	bob.Send("an interruption")
	bob.Send("and another")
	tx.waitScreen("<bob> an interruption\n<bob> and another\n[alice] this is a long sen")
	tx.run("send-keys", "-l", "tence")
	tx.waitScreen("<bob> and another\n[alice] this is a long sentence")
	tx.run("send-keys", "Enter")
	bob.Expect("<alice> this is a long sentence")
	tx.waitScreen("<bob> and another\n<alice> this is a long sentence\n[alice]")
}

// tmuxSession is Debian's telnet running in a tmux window of the test's
// own, connected to a port.
type tmuxSession struct {
	t      *testing.T
	tmux   string
	socket string
	output chan struct{} // a token after tmux reports output to the window
}

// tmuxTelnet starts telnet to addr in a 60×15 tmux window, until the test
// ends.
func tmuxTelnet(t *testing.T, addr string) *tmuxSession {
	t.Helper()
	telnetPath := need(t, "telnet")
	tmux := need(t, "tmux")
	host, port, _ := strings.Cut(addr, ":")
	tx := &tmuxSession{t: t, tmux: tmux, socket: t.TempDir() + "/tmux.sock", output: make(chan struct{}, 1)}
	tx.run("new-session", "-d", "-x", "60", "-y", "15", "-e", "TERM=xterm-256color", telnetPath, host, port)
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", tx.socket, "kill-server").Run() })

	// A control-mode client reports every output to the pane (%output):
	// the screen is read again after each, not on a timer.
	control := exec.Command(tmux, "-S", tx.socket, "-C", "attach")
	stdin, err := control.StdinPipe() // open until the test ends: closing it detaches
	require.NoError(t, err)
	stdout, err := control.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, control.Start())
	attached := make(chan struct{}) // the client's first line: from here on, output is reported
	go func() {
		sc := bufio.NewScanner(stdout)
		for first := true; sc.Scan(); first = false {
			if first {
				close(attached)
			}
			if strings.HasPrefix(sc.Text(), "%output") {
				select {
				case tx.output <- struct{}{}:
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
	return tx
}

// run runs a tmux command on the session's server and returns its output.
func (tx *tmuxSession) run(args ...string) string {
	tx.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, tx.tmux, append([]string{"-S", tx.socket}, args...)...).CombinedOutput()
	require.NoError(tx.t, err, "tmux %v: %s", args, out)
	return string(out)
}

// screen is what the window shows now.
func (tx *tmuxSession) screen() string { return tx.run("capture-pane", "-p") }

// waitScreen waits until the window shows each of want, and returns it.
func (tx *tmuxSession) waitScreen(want ...string) string {
	tx.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		screen := tx.screen()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(screen, w)
		}
		if ok {
			return screen
		}
		select {
		case <-tx.output:
		case <-timeout:
			tx.t.Fatalf("screen:\n%s\nwant %q", screen, want)
		}
	}
}

// TestRealTelnetHidesThePassword: Debian's telnet on the line port, where it
// shows what is typed itself, shows nothing of a password typed for
// /register, and shows what is typed again after.
func TestRealTelnetHidesThePassword(t *testing.T) {
	srv := start(t, withAccounts(t), telnet.Config{})
	tx := tmuxTelnet(t, srv.addr)
	tx.waitScreen("What's your name?")
	tx.run("send-keys", "alice", "Enter")
	tx.waitScreen("Welcome, alice!")

	tx.run("send-keys", "/register", "Enter")
	tx.waitScreen("* Password:")
	tx.run("send-keys", "-l", "first-secret")
	tx.run("send-keys", "Enter")
	tx.waitScreen("* Again:")
	tx.run("send-keys", "-l", "second-secret")
	tx.run("send-keys", "Enter")
	tx.waitScreen("* The two passwords differ. Nothing changed.")
	tx.run("send-keys", "-l", "shown again")
	screen := tx.waitScreen("shown again")
	assert.NotContains(t, screen, "-secret")
}

// TestRealTelnetLogsInWithAHiddenPassword: Debian's telnet on the line port
// gives a registered name and its password, which does not show, and is
// welcomed.
func TestRealTelnetLogsInWithAHiddenPassword(t *testing.T) {
	srv, _ := startWithAccounts(t, telnet.Config{})
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")
	register(alice, "correct-horse")
	quit(alice)

	tx := tmuxTelnet(t, srv.addr)
	tx.waitScreen("What's your name?")
	tx.run("send-keys", "alice", "Enter")
	tx.waitScreen("* alice is registered; password:")
	tx.run("send-keys", "-l", "correct-horse")
	tx.run("send-keys", "Enter")
	tx.waitScreen("Welcome, alice!")
	tx.run("send-keys", "-l", "shown again")
	screen := tx.waitScreen("shown again")
	assert.NotContains(t, screen, "horse")
}
