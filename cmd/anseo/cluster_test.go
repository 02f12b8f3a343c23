package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/natstest"
)

// TestTwoNodesAreOneChat runs two real anseo nodes linked by a real NATS
// server, as docs/scaling.md has a new user try it: a telnet user on one and
// a browser user on the other chat as if on one server, a name held on one is
// refused on the other, and a node that stops takes its users with it,
// announced.
func TestTwoNodesAreOneChat(t *testing.T) {
	nats := natstest.Start(t)
	n1 := startAnseo(t, "-nats-url", nats.URL(), "-node-name", "n1")
	n2 := startAnseo(t, "-nats-url", nats.URL(), "-node-name", "n2", "-grace", "300ms")
	browser := browsertest.Shared(t) // skips, or fails under CI=true, without Chromium

	for _, n := range []*anseo{n1, n2} {
		require.Eventually(t, func() bool {
			resp, err := http.Get("http://" + n.httpAddr + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}, 10*time.Second, 10*time.Millisecond, "a node is ready once it has caught up with the cluster")
	}

	bob := linetest.Dial(t, n1.telnetAddr, "bob")
	bob.Login("bob")
	alice := browser.NewTab(t, "http://"+n2.httpAddr)
	alice.Login("alice")
	alice.WaitMember("bob", true)
	bob.Expect("alice has joined the channel.")

	alice.Say("hello from node two")
	alice.WaitDelivered("hello from node two")
	bob.Expect("<alice> hello from node two")
	bob.Send("hello from node one")
	alice.WaitMessage("bob", "hello from node one")

	// A name held on one node is taken on the other, in any letter case.
	impostor := linetest.Dial(t, n1.telnetAddr, "impostor")
	impostor.Expect("What's your name?")
	impostor.Send("ALICE")
	impostor.Expect("Name taken, please choose another.")
	impostor.Send("carol")
	impostor.Expect("Welcome, carol!")
	alice.WaitMember("carol", true)

	// Each node counts what it published and received.
	_, body := get(t, http.DefaultClient, "http://"+n2.httpAddr+"/metrics")
	assert.GreaterOrEqual(t, metric(body, "anseo_cluster_published_total"), 1.0, "alice's join, at least")
	assert.GreaterOrEqual(t, metric(body, "anseo_cluster_received_total"), 4.0, "three joins and two messages, all but the last counted for sure")
	assert.Equal(t, 1.0, metric(body, "anseo_cluster_names"), "alice")

	// A node that stops announces its users' departure everywhere.
	require.NoError(t, n1.stop())
	alice.WaitMember("bob", false)
	alice.WaitMember("carol", false)
	if p := alice.Problems(); len(p) > 0 {
		t.Errorf("browser problems: %q", p)
	}
}
