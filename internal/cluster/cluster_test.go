package cluster_test

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/anseo/anseo/internal/cluster"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/hub/hubtest"
	"github.com/anseo/anseo/internal/natstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// node is one anseo hub linked to the cluster, as cmd/anseo runs it.
type node struct {
	t       *testing.T
	hub     *hub.Hub
	link    *cluster.Link
	stopHub context.CancelFunc
	done    chan struct{}
}

func startNode(t *testing.T, url, name string, cfg cluster.Config) *node {
	t.Helper()
	return startNodeWith(t, url, name, cfg, hub.Options{})
}

// startNodeWith starts a node whose hub has opts besides what the link
// gives it (its log, names and accounts).
func startNodeWith(t *testing.T, url, name string, cfg cluster.Config, opts hub.Options) *node {
	t.Helper()
	cfg.URL, cfg.Node = url, name
	if os.Getenv("ANSEO_TEST_LOG") != "" { // the links' own account, when a test needs explaining
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	link, err := cluster.Connect(t.Context(), cfg)
	require.NoError(t, err)
	opts.Log, opts.Names, opts.Accounts, opts.Grace = link, link, link.Accounts(), cfg.Grace
	if opts.Flood == (hub.Flood{}) {
		opts.Flood = hub.Flood{Rate: math.Inf(1)}
	}
	h := hub.New(opts)
	hubCtx, stopHub := context.WithCancel(context.Background())
	n := &node{t: t, hub: h, link: link, stopHub: stopHub, done: make(chan struct{})}
	go func() {
		defer close(n.done)
		// The hub runs its log, and stops it after announcing its
		// departures.
		if err := h.Run(hubCtx); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		link.Close()
	}()
	select {
	case <-link.Ready():
	case <-n.done:
		t.Fatalf("%s stopped while starting", name)
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: not linked within 10 s", name)
	}
	t.Cleanup(n.stop)
	return n
}

// stop stops the node as a shutdown does, and waits for it.
func (n *node) stop() {
	n.stopHub()
	<-n.done
}

// crash stops the node without a word to the cluster: its NATS connection
// goes first, so nothing it says on the way out gets through.
func (n *node) crash() {
	n.link.Close()
	n.stop()
}

func (n *node) join(name string) *hubtest.Reader {
	n.t.Helper()
	m, err := n.hub.Join(n.t.Context(), name, hub.JoinOptions{Transport: hub.TransportTelnet})
	require.NoError(n.t, err)
	return hubtest.Read(n.t, m)
}

// await returns m's first event that matches, failing the test if none
// comes within 10 s.
func await(t *testing.T, m *hubtest.Reader, what string, match func(*hub.Event) bool) *hub.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		ev, ok := m.Next(ctx)
		if !ok {
			require.NoError(t, ctx.Err(), "%s: no %s within 10 s", m.Name(), what)
			t.Fatalf("%s: removed (reason %v) waiting for %s", m.Name(), m.Reason(), what)
		}
		if match(ev) {
			return ev
		}
	}
}

// catchUp waits until m's node has seen everything published so far: m says
// something and waits for it to come back in the cluster's order.
func catchUp(t *testing.T, m *hubtest.Reader) {
	t.Helper()
	text := fmt.Sprintf("sync %d", time.Now().UnixNano())
	require.NoError(t, m.Say(t.Context(), text, ""))
	await(t, m, "its own message", said(text))
}

func said(text string) func(*hub.Event) bool {
	return func(ev *hub.Event) bool { return ev.Kind == hub.KindMessage && ev.Text == text }
}

func kind(k hub.Kind, name string) func(*hub.Event) bool {
	return func(ev *hub.Event) bool { return ev.Kind == k && ev.Name == name }
}

func threeNodes(t *testing.T, cfg cluster.Config) (*natstest.Server, [3]*node) {
	srv := natstest.Start(t)
	var nodes [3]*node
	for i := range nodes {
		nodes[i] = startNode(t, srv.URL(), fmt.Sprintf("n%d", i+1), cfg)
	}
	return srv, nodes
}

func TestChatAcrossNodes(t *testing.T) {
	_, n := threeNodes(t, cluster.Config{})
	alice := n[0].join("alice")
	bob := n[1].join("bob")
	await(t, alice, "bob's join", kind(hub.KindJoined, "bob"))
	carol := n[2].join("carol")
	await(t, alice, "carol's join", kind(hub.KindJoined, "carol"))
	await(t, bob, "carol's join", kind(hub.KindJoined, "carol"))

	require.NoError(t, alice.Say(t.Context(), "hello from n1", "r1"))
	own := await(t, alice, "her own message back", said("hello from n1"))
	assert.True(t, own.From(alice.Conn))
	assert.Equal(t, "r1", own.Ref(alice.Conn), "the sender's own copy confirms its ref")
	atBob := await(t, bob, "alice's message", said("hello from n1"))
	atCarol := await(t, carol, "alice's message", said("hello from n1"))
	assert.Equal(t, "alice", atBob.Name)
	assert.False(t, atBob.From(bob.Conn))
	assert.Equal(t, own.ID, atBob.ID, "an event has one ID on every node")
	assert.Equal(t, own.ID, atCarol.ID)

	// A message of several lines crosses nodes as it was said.
	require.NoError(t, bob.Say(t.Context(), "two lines\n\tand a tab", ""))
	assert.Equal(t, "two lines\n\tand a tab", await(t, carol, "bob's two lines", said("two lines\n\tand a tab")).Text)
	// Whom it names is worked out on every node alike, for people on any node.
	require.NoError(t, bob.Say(t.Context(), "thanks ALICE and carol", ""))
	for _, m := range []*hubtest.Reader{alice, bob, carol} {
		assert.Equal(t, []string{"alice", "carol"}, await(t, m, "bob's thanks", said("thanks ALICE and carol")).Mentions)
	}

	// The user list spans the cluster, on every node.
	for _, nd := range n {
		roster, err := nd.hub.Roster(t.Context(), "")
		require.NoError(t, err)
		var names []string
		for _, p := range roster.People {
			names = append(names, p.Name)
		}
		assert.ElementsMatch(t, []string{"alice", "bob", "carol"}, names)
	}

	// A private message reaches its one recipient on another node.
	require.NoError(t, carol.Say(t.Context(), "/msg alice psst", ""))
	pm := await(t, alice, "carol's whisper", func(ev *hub.Event) bool { return ev.Kind == hub.KindPrivate })
	assert.Equal(t, "carol", pm.Name)
	assert.Equal(t, "psst", pm.Text)
	require.NoError(t, carol.Say(t.Context(), "after the whisper", ""))
	await(t, bob, "carol's next message", func(ev *hub.Event) bool {
		require.NotEqual(t, hub.KindPrivate, ev.Kind, "bob must not see a whisper to alice")
		return said("after the whisper")(ev)
	})
}

func TestOneSendersMessagesKeepTheirOrderEverywhere(t *testing.T) {
	_, n := threeNodes(t, cluster.Config{})
	alice := n[0].join("alice")
	bob := n[1].join("bob")
	carol := n[2].join("carol")
	await(t, alice, "carol's join", kind(hub.KindJoined, "carol"))
	await(t, bob, "carol's join", kind(hub.KindJoined, "carol"))
	const count = 200
	go func() {
		for i := range count {
			if alice.Say(context.Background(), fmt.Sprintf("a%d", i), "") != nil {
				return
			}
		}
	}()
	for i := range count {
		if i%20 == 0 {
			require.NoError(t, carol.Say(t.Context(), fmt.Sprintf("c%d", i), ""))
		}
	}
	for _, m := range []*hubtest.Reader{alice, bob, carol} {
		nextA := 0
		for nextA < count {
			ev := await(t, m, "alice's messages", func(ev *hub.Event) bool {
				return ev.Kind == hub.KindMessage && ev.Name == "alice"
			})
			require.Equal(t, fmt.Sprintf("a%d", nextA), ev.Text, "%s got alice's messages out of order", m.Name())
			nextA++
		}
	}
}

func TestNameTakenAcrossNodes(t *testing.T) {
	_, n := threeNodes(t, cluster.Config{})
	alice := n[0].join("Alice")
	_, err := n[1].hub.Join(t.Context(), "alice", hub.JoinOptions{Transport: hub.TransportWeb})
	assert.ErrorIs(t, err, hub.ErrNameTaken, "a name differing only in case is the same name")
	assert.ErrorIs(t, n[2].hub.Check(t.Context(), "ALICE"), hub.ErrNameTaken)

	// Renaming onto a name held on another node is refused too.
	bob := n[1].join("bob")
	require.NoError(t, bob.Say(t.Context(), "/nick alice", ""))
	ev := await(t, bob, "the refusal", func(ev *hub.Event) bool { return ev.Kind == hub.KindNotice })
	assert.Equal(t, &hub.Notice{Kind: hub.NoticeNameTaken, Name: "alice"}, ev.Notice)
	// And a rename frees the old name everywhere.
	require.NoError(t, bob.Say(t.Context(), "/nick robert", ""))
	await(t, bob, "his rename", kind(hub.KindRenamed, "bob"))
	// His old name is freed before anything he says next is published.
	require.NoError(t, bob.Say(t.Context(), "renamed", ""))
	await(t, bob, "his next message", said("renamed"))
	_, err = n[2].hub.Join(t.Context(), "robert", hub.JoinOptions{})
	assert.ErrorIs(t, err, hub.ErrNameTaken)
	catchUp(t, alice) // n1 has seen the rename
	_, err = n[0].hub.Join(t.Context(), "bob", hub.JoinOptions{})
	assert.NoError(t, err)
}

func TestStoppingANodeAnnouncesItsPeopleLeaving(t *testing.T) {
	_, n := threeNodes(t, cluster.Config{})
	catchUp(t, n[0].join("alice"))
	bob := n[1].join("bob")
	carol := n[2].join("carol")
	n[0].stop()
	await(t, bob, "alice's departure", kind(hub.KindLeft, "alice"))
	await(t, carol, "alice's departure", kind(hub.KindLeft, "alice"))
	_, err := n[2].hub.Join(t.Context(), "alice", hub.JoinOptions{})
	assert.NoError(t, err, "a stopped node frees its names")
}

func TestACrashedNodesNamesFreeThemselves(t *testing.T) {
	// A crashed node cannot publish: it gives up at once.
	_, n := threeNodes(t, cluster.Config{NameTTL: time.Second, FlushTimeout: time.Millisecond})
	catchUp(t, n[0].join("alice"))
	bob := n[1].join("bob")
	catchUp(t, bob)
	roster, err := n[1].hub.Roster(t.Context(), "")
	require.NoError(t, err)
	require.Len(t, roster.People, 2)
	n[0].crash()
	ev := await(t, bob, "alice's departure", kind(hub.KindLeft, "alice"))
	assert.Equal(t, hub.ReasonLost, ev.Reason)
	// Announced once, although two nodes saw the name expire.
	require.NoError(t, bob.Say(t.Context(), "marker", ""))
	await(t, bob, "his marker", func(ev *hub.Event) bool {
		require.False(t, ev.Kind == hub.KindLeft, "a second departure for alice")
		return said("marker")(ev)
	})
	_, err = n[1].hub.Join(t.Context(), "alice", hub.JoinOptions{})
	assert.NoError(t, err)
}

func TestResumeOnAnotherNodeMissesNothing(t *testing.T) {
	_, n := threeNodes(t, cluster.Config{Grace: time.Minute})
	m, err := n[0].hub.Join(t.Context(), "alice", hub.JoinOptions{Transport: hub.TransportWeb, KeepOnDrop: true})
	require.NoError(t, err)
	alice := hubtest.Read(t, m)
	catchUp(t, alice)
	bob := n[1].join("bob")
	catchUp(t, bob) // whatever bob hears of alice's arrival is behind him
	await(t, alice, "bob's join", kind(hub.KindJoined, "bob"))
	require.NoError(t, bob.Say(t.Context(), "seen", ""))
	seen := await(t, alice, "bob's first message", said("seen"))
	alice.Leave() // her connection drops; the grace period starts
	require.NoError(t, bob.Say(t.Context(), "missed 0", ""))
	require.NoError(t, bob.Say(t.Context(), "/msg alice missed 1", "")) // a whisper for her alone
	require.NoError(t, bob.Say(t.Context(), "missed 2", ""))
	await(t, bob, "his last message", said("missed 2"))

	m, err = n[2].hub.Join(t.Context(), "", hub.JoinOptions{Transport: hub.TransportWeb, Token: alice.Token(), After: seen.ID, KeepOnDrop: true})
	require.NoError(t, err)
	again := hubtest.Read(t, m)
	assert.Equal(t, "alice", again.Name())
	assert.Equal(t, alice.Token(), again.Token())
	// What n3 had seen is replayed; what it had not yet comes live.
	var texts []string
	for len(texts) < 3 {
		ev := await(t, again, "what she missed", func(ev *hub.Event) bool {
			return ev.Kind == hub.KindMessage || ev.Kind == hub.KindPrivate
		})
		texts = append(texts, ev.Text)
	}
	assert.Equal(t, []string{"missed 0", "missed 1", "missed 2"}, texts)

	// Nobody saw her leave or join, and she chats on from her new node.
	require.NoError(t, again.Say(t.Context(), "back, elsewhere", ""))
	await(t, bob, "her message", func(ev *hub.Event) bool {
		require.NotContains(t, []hub.Kind{hub.KindLeft, hub.KindJoined}, ev.Kind, "a move is not a departure")
		return said("back, elsewhere")(ev)
	})
	// Her name moved with her: n1 let go of it, and it stays taken.
	_, err = n[0].hub.Join(t.Context(), "alice", hub.JoinOptions{})
	assert.ErrorIs(t, err, hub.ErrNameTaken)
	roster, err := n[0].hub.Roster(t.Context(), "")
	require.NoError(t, err)
	assert.Len(t, roster.People, 2)
}

func TestTheClusterSurvivesANATSRestart(t *testing.T) {
	srv, n := threeNodes(t, cluster.Config{})
	alice := n[0].join("alice")
	bob := n[1].join("bob")
	await(t, alice, "bob's join", kind(hub.KindJoined, "bob"))
	srv.Restart()
	// What is said while NATS comes back is published once it is back.
	require.NoError(t, alice.Say(t.Context(), "after the restart", ""))
	await(t, bob, "her message", said("after the restart"))
	require.NoError(t, bob.Say(t.Context(), "and back", ""))
	await(t, alice, "his answer", said("and back"))
	_, err := n[2].hub.Join(t.Context(), "alice", hub.JoinOptions{})
	assert.ErrorIs(t, err, hub.ErrNameTaken, "names survive the restart")
}

func TestANodeJoiningLateSeesTheRoomAndItsHistory(t *testing.T) {
	srv := natstest.Start(t)
	n1 := startNode(t, srv.URL(), "n1", cluster.Config{})
	alice := n1.join("alice")
	for i := range 3 {
		require.NoError(t, alice.Say(t.Context(), fmt.Sprintf("early %d", i), ""))
	}
	last := await(t, alice, "her last message", said("early 2"))
	n2 := startNode(t, srv.URL(), "n2", cluster.Config{})
	bob := n2.join("bob")
	var history []*hub.Event
	for ev := await(t, bob, "the history", kind(hub.KindReplayBegin, "")); ev.Kind != hub.KindReplayEnd; ev = await(t, bob, "more", func(*hub.Event) bool { return true }) {
		if ev.Kind == hub.KindMessage {
			history = append(history, ev)
		}
	}
	require.Len(t, history, 3)
	assert.Equal(t, last.ID, history[2].ID, "history has the same IDs on every node")
	roster, err := n2.hub.Roster(t.Context(), "")
	require.NoError(t, err)
	var names []string
	for _, p := range roster.People {
		names = append(names, p.Name)
	}
	assert.ElementsMatch(t, []string{"alice", "bob"}, names)
	assert.True(t, strings.HasPrefix(n2.link.Node(), "n2-"))
}

func TestWhileNATSIsDownJoinsAreRefusedAndMessagesWait(t *testing.T) {
	srv, n := threeNodes(t, cluster.Config{})
	alice := n[0].join("alice")
	bob := n[1].join("bob")
	carol := n[2].join("carol")
	await(t, alice, "carol's join", kind(hub.KindJoined, "carol"))
	srv.Stop()

	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	_, err := n[2].hub.Join(ctx, "dave", hub.JoinOptions{})
	assert.ErrorIs(t, err, hub.ErrUnavailable, "a name cannot be agreed on without NATS")
	require.NoError(t, alice.Say(t.Context(), "said while NATS was down", ""))

	srv.Restart()
	await(t, bob, "what alice said meanwhile", said("said while NATS was down"))
	catchUp(t, carol) // n3 is back in touch
	_, err = n[2].hub.Join(t.Context(), "dave", hub.JoinOptions{})
	assert.NoError(t, err, "the refused name was not claimed behind the user's back")
}

func TestANodeKeepsItsNamesAlive(t *testing.T) {
	server, n := threeNodes(t, cluster.Config{NameTTL: time.Second})
	n[0].join("alice")
	nc, err := nats.Connect(server.URL())
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	names, err := js.KeyValue(t.Context(), "ANSEO_NAMES")
	require.NoError(t, err)
	w, err := names.WatchAll(t.Context(), jetstream.UpdatesOnly())
	require.NoError(t, err)
	defer func() { _ = w.Stop() }()

	// Three rewrites span more than the TTL: without them the name would
	// have expired.
	deadline := time.After(10 * time.Second)
	for rewrites := 0; rewrites < 4; {
		select {
		case e := <-w.Updates():
			require.Equal(t, jetstream.KeyValuePut, e.Operation(), "alice's name must not expire")
			rewrites++
		case <-deadline:
			t.Fatal("alice's name was not kept alive")
		}
	}
	_, err = n[1].hub.Join(t.Context(), "alice", hub.JoinOptions{})
	assert.ErrorIs(t, err, hub.ErrNameTaken)
}

// TestNATSBackWithAnEmptyStoreHeals: a NATS that comes back having lost
// everything (its stream and buckets) is set up again by the nodes, which
// claim their people's names again; the room goes on, and names stay taken.
func TestNATSBackWithAnEmptyStoreHeals(t *testing.T) {
	srv, n := threeNodes(t, cluster.Config{})
	alice := n[0].join("alice")
	bob := n[1].join("bob")
	before := await(t, alice, "bob's join", kind(hub.KindJoined, "bob"))

	srv.Wipe()
	require.NoError(t, bob.Say(t.Context(), "after the wipe", ""))
	after := await(t, alice, "bob's line", said("after the wipe"))
	assert.Greater(t, after.ID, before.ID, "the new stream numbers on past the old one: no ID twice")
	require.NoError(t, alice.Say(t.Context(), "and back", ""))
	await(t, bob, "alice's line", said("and back"))
	_, err := n[2].hub.Join(t.Context(), "alice", hub.JoinOptions{})
	assert.ErrorIs(t, err, hub.ErrNameTaken, "her name is claimed again")
	n[2].join("carol")
	await(t, alice, "carol's join", kind(hub.KindJoined, "carol"))

	// A node that starts now learns who is here from the names again.
	late := startNode(t, srv.URL(), "n4", cluster.Config{})
	roster, err := late.hub.Roster(t.Context(), "")
	require.NoError(t, err)
	var names []string
	for _, p := range roster.People {
		names = append(names, p.Name)
	}
	assert.ElementsMatch(t, []string{"alice", "bob", "carol"}, names)
}

// TestANodeStartingBeforeAnythingIsSaidAfterAWipeIsReady: NATS lost its
// store and the nodes made the stream anew, numbering on from far past
// the old one; a node that starts before anyone says anything has nothing
// to catch up on, and is ready at once.
func TestANodeStartingBeforeAnythingIsSaidAfterAWipeIsReady(t *testing.T) {
	srv := natstest.Start(t)
	n1 := startNode(t, srv.URL(), "n1", cluster.Config{})
	catchUp(t, n1.join("alice"))
	srv.Wipe()
	nc, err := nats.Connect(srv.URL())
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		s, err := js.Stream(t.Context(), "ANSEO_ROOM")
		return err == nil && s.CachedInfo().Config.FirstSeq > 0
	}, 10*time.Second, 10*time.Millisecond, "n1 makes the stream anew")

	n2 := startNode(t, srv.URL(), "n2", cluster.Config{}) // fails the test if not ready within 10 s
	bob := n2.join("bob")
	catchUp(t, bob)
}

// After NATS lost its store, a node that dies is still announced as gone by
// the others: they watch the names bucket made anew, not the lost one.
func TestANodeThatDiesAfterNATSLostItsStoreIsAnnounced(t *testing.T) {
	srv, n := threeNodes(t, cluster.Config{NameTTL: time.Second, FlushTimeout: time.Millisecond})
	catchUp(t, n[0].join("alice"))
	bob := n[1].join("bob")
	catchUp(t, bob)
	carol := n[2].join("carol")
	catchUp(t, carol)

	srv.Wipe()
	require.NoError(t, bob.Say(t.Context(), "after the wipe", ""))
	await(t, bob, "his line, once the room is set up again", said("after the wipe"))
	n[0].crash()
	ev := await(t, bob, "alice's departure", kind(hub.KindLeft, "alice"))
	assert.Equal(t, hub.ReasonLost, ev.Reason)
	await(t, carol, "alice's departure", kind(hub.KindLeft, "alice"))
	_, err := n[2].hub.Join(t.Context(), "alice", hub.JoinOptions{})
	assert.NoError(t, err, "her name is free")
}

// A node that died as NATS lost its store cannot claim its names again:
// the others announce its people as gone, once.
func TestANodeThatDiedAsNATSLostItsStoreIsAnnounced(t *testing.T) {
	srv, n := threeNodes(t, cluster.Config{NameTTL: time.Minute, FlushTimeout: time.Millisecond})
	catchUp(t, n[0].join("alice"))
	bob := n[1].join("bob")
	catchUp(t, bob)

	n[0].crash()
	srv.Wipe()
	ev := await(t, bob, "alice's departure", kind(hub.KindLeft, "alice"))
	assert.Equal(t, hub.ReasonLost, ev.Reason)
	require.NoError(t, bob.Say(t.Context(), "marker", ""))
	await(t, bob, "his marker", func(ev *hub.Event) bool {
		require.False(t, ev.Kind == hub.KindLeft, "a second departure for alice")
		return said("marker")(ev)
	})
}

// TestAPersonWhoLeftForGoodCannotBeResumed: a person who quit (or was
// removed by an operator) is gone for good: its token resumes it on no
// node, as on a single server, while one whose connection dropped may
// come back within the grace period.
func TestAPersonWhoLeftForGoodCannotBeResumed(t *testing.T) {
	_, n := threeNodes(t, cluster.Config{Grace: time.Minute})
	bob := n[1].join("bob")
	catchUp(t, bob)
	m, err := n[0].hub.Join(t.Context(), "alice", hub.JoinOptions{Transport: hub.TransportWeb, KeepOnDrop: true})
	require.NoError(t, err)
	alice := hubtest.Read(t, m)
	await(t, bob, "alice's join", kind(hub.KindJoined, "alice"))
	require.NoError(t, alice.Say(t.Context(), "/quit bye", ""))
	await(t, bob, "alice's departure", kind(hub.KindLeft, "alice"))
	awaitFree(t, n[1], "alice")

	for _, nd := range n {
		_, err = nd.hub.Join(t.Context(), "", hub.JoinOptions{Transport: hub.TransportWeb, Token: alice.Token()})
		assert.ErrorIs(t, err, hub.ErrNoSession, "on %s", nd.link.Node())
	}

	// A renamed person keeps its token, under its new name.
	m, err = n[0].hub.Join(t.Context(), "carol", hub.JoinOptions{Transport: hub.TransportWeb, KeepOnDrop: true})
	require.NoError(t, err)
	carol := hubtest.Read(t, m)
	require.NoError(t, carol.Say(t.Context(), "/nick dora", ""))
	await(t, bob, "carol's new name", kind(hub.KindRenamed, "carol"))
	awaitFree(t, n[1], "carol")
	carol.Leave() // her connection drops; the grace period starts
	m, err = n[2].hub.Join(t.Context(), "", hub.JoinOptions{Transport: hub.TransportWeb, Token: carol.Token()})
	require.NoError(t, err)
	assert.Equal(t, "dora", hubtest.Read(t, m).Name())
}

// awaitFree waits until nd's registry finds name free.
func awaitFree(t *testing.T, nd *node, name string) {
	t.Helper()
	require.Eventually(t, func() bool {
		taken, err := nd.link.Taken(t.Context(), hub.NameKey(name))
		return err == nil && !taken
	}, 10*time.Second, 10*time.Millisecond, "%s is still taken", name)
}
