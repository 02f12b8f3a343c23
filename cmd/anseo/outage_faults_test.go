//go:build faults

package main

import (
	"bufio"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/linetest"
)

// The fault suite (make faults): real processes, real outages, at the
// real timescale, too slow for make test.

// TestANATSOutageShorterThanTheTTLDropsNobody: a real nats-server killed
// with SIGKILL for 14 s under two anseo nodes with the default 15 s name
// TTL, then started again on its store. docs/scaling.md promises that only
// an outage longer than the TTL frees names: nobody is cut off, and the two
// users talk on. (The names expire as NATS starts again, their entries
// being older than the TTL by then; the nodes claim them again.)
func TestANATSOutageShorterThanTheTTLDropsNobody(t *testing.T) {
	natsBin, anseo := buildNATSServer(t), buildAnseo(t)
	nats := startNATS(t, natsBin, t.TempDir())
	started := time.Now()
	n1 := startChild(t, anseo, "-nats-url", nats.url, "-db", ":memory:")
	n2 := startChild(t, anseo, "-nats-url", nats.url, "-db", ":memory:")
	alice := linetest.Dial(t, n1.telnetAddr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, n2.telnetAddr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")

	// The kill comes just before the nodes' first keep-alive (a third of
	// the TTL after they started), when the names were written longest ago:
	// the worst moment for an outage.
	<-time.After(time.Until(started.Add(4500 * time.Millisecond)))
	nats.kill(t)
	<-time.After(12 * time.Second) // the outage itself
	nats.start(t)
	<-time.After(20 * time.Second) // past the TTL: any name not claimed again has expired by now

	alice.Send("still here")
	bob.Expect("<alice> still here")
	bob.Send("me too")
	alice.Expect("<bob> me too")
}

// buildNATSServer builds the nats-server go.mod pins (Debian's is too old).
func buildNATSServer(t *testing.T) string {
	t.Helper()
	bin := t.TempDir() + "/nats-server"
	out, err := exec.Command("go", "build", "-o", bin, "github.com/nats-io/nats-server/v2").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// natsProcess is a nats-server running as a process of its own, on a port
// and a store that outlive it.
type natsProcess struct {
	bin, store, url string
	port            int
	cmd             *exec.Cmd
}

func startNATS(t *testing.T, bin, store string) *natsProcess {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	n := &natsProcess{bin: bin, store: store, port: port, url: "nats://127.0.0.1:" + strconv.Itoa(port)}
	n.start(t)
	t.Cleanup(func() {
		if n.cmd != nil {
			_ = n.cmd.Process.Kill()
			_ = n.cmd.Wait()
		}
	})
	return n
}

// start runs the server and waits until it says it is ready.
func (n *natsProcess) start(t *testing.T) {
	t.Helper()
	n.cmd = exec.Command(n.bin, "-js", "-a", "127.0.0.1", "-p", strconv.Itoa(n.port), "-sd", n.store)
	stderr, err := n.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, n.cmd.Start())
	ready := make(chan struct{})
	go func() { // ends when the process does
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			if strings.Contains(s.Text(), "Server is ready") {
				close(ready)
				break
			}
		}
		for s.Scan() {
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("nats-server did not start within 30 s")
	}
}

// kill stops the server with SIGKILL: no goodbye to anyone.
func (n *natsProcess) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, n.cmd.Process.Signal(syscall.SIGKILL))
	_ = n.cmd.Wait()
	n.cmd = nil
}
