package cluster_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/accounts"
	"github.com/anseo/anseo/internal/cluster"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/hub/hubtest"
	"github.com/anseo/anseo/internal/natstest"
)

// cheap are password costs for tests: the hash is still argon2id, in a
// fraction of a millisecond.
var cheap = accounts.Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

// accountNodes starts three nodes that register names.
func accountNodes(t *testing.T) (*natstest.Server, [3]*node) {
	srv := natstest.Start(t)
	var nodes [3]*node
	for i := range nodes {
		nodes[i] = startNodeWith(t, srv.URL(), fmt.Sprintf("n%d", i+1), cluster.Config{}, hub.Options{PasswordCost: cheap})
	}
	return srv, nodes
}

// enter joins name to nd's hub with opts, from a telnet connection unless
// opts says otherwise.
func (n *node) enter(name string, opts hub.JoinOptions) *hubtest.Reader {
	n.t.Helper()
	if opts.Transport == "" {
		opts.Transport = hub.TransportTelnet
	}
	m, err := n.hub.Join(n.t.Context(), name, opts)
	require.NoError(n.t, err, "%s joining %s", name, n.link.Node())
	return hubtest.Read(n.t, m)
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// TestARegisteredNameIsProtectedOnEveryNode: a name registered on one node
// is taken on no other without its password, whatever the name is drawn
// like; with it, or from a browser logged in to it on any node, it is.
func TestARegisteredNameIsProtectedOnEveryNode(t *testing.T) {
	_, n := accountNodes(t)
	ctx := t.Context()
	const password = "correct horse"
	bob := n[2].join("bob")
	catchUp(t, bob)
	alice := n[0].enter("alice", hub.JoinOptions{})
	await(t, bob, "alice's join", kind(hub.KindJoined, "alice"))

	require.NoError(t, alice.Register(ctx, password))
	reg := await(t, bob, "alice registering", kind(hub.KindAccount, "alice"))
	assert.True(t, reg.Registered, "the mark crosses nodes")
	assert.True(t, alice.Registered())
	require.NoError(t, alice.Say(ctx, "/quit", ""))
	await(t, bob, "alice leaving", kind(hub.KindLeft, "alice"))
	awaitFree(t, n[1], "alice")

	for _, nd := range n {
		for _, name := range []string{"alice", "ALICE", "аӏісе"} { // the last in Cyrillic letters
			_, err := nd.hub.Join(ctx, name, hub.JoinOptions{Transport: hub.TransportTelnet})
			assert.ErrorIs(t, err, hub.ErrPasswordRequired, "%s on %s", name, nd.link.Node())
		}
		_, err := nd.hub.Join(ctx, "alice", hub.JoinOptions{Transport: hub.TransportTelnet, Password: "horse correct", Address: addr("192.0.2.66")})
		assert.ErrorIs(t, err, hub.ErrWrongPassword, "on %s", nd.link.Node())
	}
	require.NoError(t, bob.Say(ctx, "/nick Alice", ""))
	await(t, bob, "the refusal of his /nick", func(ev *hub.Event) bool {
		return ev.Kind == hub.KindNotice && ev.Notice.Kind == hub.NoticeNameRegistered
	})

	// With the password, on another node than the one it was registered on.
	back := n[1].enter("alice", hub.JoinOptions{Password: password})
	assert.True(t, back.Registered())
	joined := await(t, bob, "alice's return", kind(hub.KindJoined, "alice"))
	assert.True(t, joined.Registered, "the room sees her registered")
	require.NoError(t, back.Say(ctx, "/quit", ""))
	await(t, bob, "alice leaving again", kind(hub.KindLeft, "alice"))
	awaitFree(t, n[1], "alice")

	// A browser logs in on one node, and is let in without the password on
	// another; once logged out on a third, it needs the password again.
	const session = "c2Vzc2lvbiBvZiBhbGljZSdzIGJyb3dzZXI"
	assert.ErrorIs(t, n[0].hub.LogIn(ctx, "alice", hub.JoinOptions{Session: "another browser", Password: "wrong password",
		Address: addr("192.0.2.66")}), hub.ErrWrongPassword)
	require.NoError(t, n[0].hub.LogIn(ctx, "alice", hub.JoinOptions{Session: session, Password: password, Address: addr("192.0.2.1")}))
	web := n[2].enter("alice", hub.JoinOptions{Transport: hub.TransportWeb, Session: session})
	assert.True(t, web.Registered())
	require.NoError(t, web.Say(ctx, "/quit", ""))
	await(t, bob, "alice's browser leaving", kind(hub.KindLeft, "alice"))
	awaitFree(t, n[1], "alice")
	require.NoError(t, n[1].hub.LogOut(ctx, session))
	_, err := n[2].hub.Join(ctx, "alice", hub.JoinOptions{Transport: hub.TransportWeb, Session: session})
	assert.ErrorIs(t, err, hub.ErrPasswordRequired)
}

// awaitRemoved waits until m is removed from the room and returns why.
func awaitRemoved(t *testing.T, m *hubtest.Reader) hub.Reason {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for range m.All(ctx) {
	}
	require.NoError(t, ctx.Err(), "%s: not removed within 10 s", m.Name())
	return m.Reason()
}

// TestABanHoldsOnEveryNodeAtOnce: an operator on one node bans a person
// connected to another: within a second that node has removed it, and no
// node lets it back in, under its name or, from its address, under any;
// a node started later knows the ban too. The operator is one because
// anseo admin op said so in the cluster's accounts.
func TestABanHoldsOnEveryNodeAtOnce(t *testing.T) {
	srv, n := accountNodes(t)
	ctx := t.Context()
	hash, err := accounts.Hash(ctx, "root password", cheap)
	require.NoError(t, err)
	admin := openAccounts(t, srv.URL())
	require.NoError(t, admin.CreateAccount(ctx, hub.NameKey("root"), hub.Account{Name: "root", Hash: hash, Created: time.Now()}))
	acc, _, err := admin.Account(ctx, hub.NameKey("root"))
	require.NoError(t, err)
	acc.Operator = true
	require.NoError(t, admin.UpdateAccount(ctx, hub.NameKey("root"), acc))

	bob := n[2].enter("bob", hub.JoinOptions{Address: addr("192.0.2.20")})
	catchUp(t, bob)
	mallory := n[1].enter("mallory", hub.JoinOptions{Address: addr("198.51.100.7"), KeepOnDrop: true})
	await(t, bob, "mallory's join", kind(hub.KindJoined, "mallory"))
	root := n[0].enter("root", hub.JoinOptions{Password: "root password", Address: addr("192.0.2.10")})
	require.True(t, root.Operator())
	await(t, bob, "root's join", kind(hub.KindJoined, "root"))
	catchUp(t, root) // root's node has seen everyone

	start := time.Now()
	require.NoError(t, root.Say(ctx, "/ban mallory 1h spamming", ""))
	assert.Equal(t, hub.ReasonBanned, awaitRemoved(t, mallory))
	removed := time.Since(start)
	left := await(t, bob, "mallory's departure", kind(hub.KindLeft, "mallory"))
	seen := time.Since(start)
	assert.Equal(t, hub.ReasonBanned, left.Reason)
	assert.Less(t, removed, time.Second, "removed on her node within a second")
	assert.Less(t, seen, time.Second, "and the room everywhere told so")
	t.Logf("banned on n1; removed on n2 after %v; departure seen on n3 after %v", removed, seen)

	banned := func(nd *node, name string, from netip.Addr) {
		t.Helper()
		_, err := nd.hub.Join(ctx, name, hub.JoinOptions{Transport: hub.TransportTelnet, Address: from})
		var be *hub.BannedError
		if assert.True(t, errors.As(err, &be), "%s from %v on %s: %v", name, from, nd.link.Node(), err) {
			assert.Equal(t, "spamming", be.Reason)
			assert.WithinDuration(t, start.Add(time.Hour), be.Until, time.Minute)
		}
	}
	// The address ban, which mallory's node adds, is in the log before her
	// departure, which bob has seen: every node has applied both.
	for _, nd := range append(n[:], startNodeWith(t, srv.URL(), "n4", cluster.Config{}, hub.Options{PasswordCost: cheap})) {
		banned(nd, "mallory", addr("198.51.100.7"))
		banned(nd, "Mallory", addr("203.0.113.50"))
		banned(nd, "eve", addr("198.51.100.7"))
		_, err := nd.hub.Join(ctx, "", hub.JoinOptions{Transport: hub.TransportTelnet, Token: mallory.Token()})
		assert.Error(t, err, "her token lets her back in on %s", nd.link.Node())
	}
	// Nobody else is kept out.
	dave := n[1].enter("dave", hub.JoinOptions{Address: addr("198.51.100.8")})
	await(t, bob, "dave's join", kind(hub.KindJoined, "dave"))
	require.NoError(t, dave.Say(ctx, "hello", ""))
	await(t, bob, "dave's hello", said("hello"))
}

// TestABanOutlivesTheStream: the room's stream keeps only its newest
// entries (-history-keep), but a ban holds until it ends: a node that
// starts with no history after the stream has let the ban go still knows
// it, and so do the operators' appointments and the message of the day.
func TestABanOutlivesTheStream(t *testing.T) {
	srv := natstest.Start(t)
	cfg := cluster.Config{Keep: 20}
	opts := hub.Options{PasswordCost: cheap, Operators: []string{"root"}}
	n1 := startNodeWith(t, srv.URL(), "n1", cfg, opts)
	ctx := t.Context()
	root := n1.enter("root", hub.JoinOptions{})
	require.NoError(t, root.Register(ctx, "root password"))
	await(t, root, "root's registration", kind(hub.KindAccount, "root"))
	require.NoError(t, root.Say(ctx, "/quit", ""))
	awaitFree(t, n1, "root")
	root = n1.enter("root", hub.JoinOptions{Password: "root password"})
	require.True(t, root.Operator())

	require.NoError(t, root.Say(ctx, "/ban 198.51.100.0/24 spam from there", ""))
	require.NoError(t, root.Say(ctx, "/ban mallory", ""))
	require.NoError(t, root.Say(ctx, "/motd be kind", ""))
	for i := range 30 { // the stream lets the entries above go
		require.NoError(t, root.Say(ctx, fmt.Sprintf("filler %d", i), ""))
	}
	catchUp(t, root)

	n2 := startNodeWith(t, srv.URL(), "n2", cfg, opts)
	for name, from := range map[string]string{"mallory": "192.0.2.7", "eve": "198.51.100.9"} {
		_, err := n2.hub.Join(ctx, name, hub.JoinOptions{Transport: hub.TransportTelnet, Address: addr(from)})
		var be *hub.BannedError
		assert.True(t, errors.As(err, &be), "%s from %s on a node started after the stream let the ban go: %v", name, from, err)
	}
	dave := n2.enter("dave", hub.JoinOptions{Address: addr("192.0.2.8")})
	require.NoError(t, dave.Say(ctx, "/motd", ""))
	motd := await(t, dave, "the message of the day", func(ev *hub.Event) bool {
		return ev.Kind == hub.KindNotice && ev.Notice.Kind == hub.NoticeMotd
	})
	assert.Equal(t, "be kind", motd.Notice.Text)
}

// TestANodeThatStartsListsWhoIsRegistered: a node that starts after people
// logged in to their registered names on another lists them as registered,
// and operators as operators, as the nodes that saw them arrive do.
func TestANodeThatStartsListsWhoIsRegistered(t *testing.T) {
	srv := natstest.Start(t)
	cfg := cluster.Config{NameTTL: 1500 * time.Millisecond} // kept alive every half second
	opts := hub.Options{PasswordCost: cheap, Operators: []string{"root"}}
	n1 := startNodeWith(t, srv.URL(), "n1", cfg, opts)
	ctx := t.Context()
	for _, name := range []string{"root", "carol"} {
		m := n1.enter(name, hub.JoinOptions{})
		require.NoError(t, m.Register(ctx, name+" password"))
		await(t, m, "the registration", kind(hub.KindAccount, name))
		require.NoError(t, m.Say(ctx, "/quit", ""))
		awaitFree(t, n1, name)
	}
	n1.enter("root", hub.JoinOptions{Password: "root password"})
	carol := n1.enter("carol", hub.JoinOptions{Password: "carol password"})
	n1.enter("dave", hub.JoinOptions{})
	catchUp(t, carol)

	// The marks are in the names' entries once n1 has kept them alive.
	nc, err := nats.Connect(srv.URL())
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	names, err := js.KeyValue(ctx, "ANSEO_NAMES")
	require.NoError(t, err)
	w, err := names.Watch(ctx, base64.RawURLEncoding.EncodeToString([]byte(hub.NameKey("root"))))
	require.NoError(t, err)
	defer func() { _ = w.Stop() }()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for marked := false; !marked; {
		select {
		case e := <-w.Updates():
			marked = e != nil && strings.Contains(string(e.Value()), `"operator":true`)
		case <-wctx.Done():
			t.Fatal("root's entry is not marked within 10 s")
		}
	}

	n2 := startNodeWith(t, srv.URL(), "n2", cfg, opts)
	roster, err := n2.hub.Roster(ctx, "")
	require.NoError(t, err)
	marks := map[string][2]bool{}
	for _, p := range roster.People {
		marks[p.Name] = [2]bool{p.Registered, p.Operator}
	}
	assert.Equal(t, map[string][2]bool{"root": {true, true}, "carol": {true, false}, "dave": {false, false}}, marks)
}

// TestAMuteAndAKickFromAnotherNode: an operator on one node mutes a person
// on another, whose words then reach nobody on any node, and then kicks
// it: its node removes it, and its token resumes it nowhere.
func TestAMuteAndAKickFromAnotherNode(t *testing.T) {
	srv := natstest.Start(t)
	opts := hub.Options{PasswordCost: cheap, Operators: []string{"root"}}
	cfg := cluster.Config{Grace: time.Minute}
	var n [3]*node
	for i := range n {
		n[i] = startNodeWith(t, srv.URL(), fmt.Sprintf("n%d", i+1), cfg, opts)
	}
	ctx := t.Context()
	first := n[0].enter("root", hub.JoinOptions{})
	require.NoError(t, first.Register(ctx, "root password"))
	await(t, first, "root's registration", kind(hub.KindAccount, "root"))
	require.NoError(t, first.Say(ctx, "/quit", ""))
	awaitFree(t, n[0], "root")
	root := n[0].enter("root", hub.JoinOptions{Password: "root password"})
	require.True(t, root.Operator())
	bob := n[2].enter("bob", hub.JoinOptions{})
	carol := n[1].enter("carol", hub.JoinOptions{Transport: hub.TransportWeb, KeepOnDrop: true})
	await(t, bob, "carol's join", kind(hub.KindJoined, "carol"))
	catchUp(t, root)

	require.NoError(t, root.Say(ctx, "/mute carol 10m flooding", ""))
	mute := await(t, carol, "her mute", kind(hub.KindModeration, "root"))
	assert.Equal(t, hub.ActionMute, mute.Moderation.Action)
	require.NoError(t, carol.Say(ctx, "can anyone hear me", ""))
	muted := await(t, carol, "the refusal", func(ev *hub.Event) bool {
		return ev.Kind == hub.KindNotice && ev.Notice.Kind == hub.NoticeMuted
	})
	assert.WithinDuration(t, time.Now().Add(10*time.Minute), muted.Notice.Until, time.Minute)
	require.NoError(t, bob.Say(ctx, "after carol's try", ""))
	for _, m := range []*hubtest.Reader{bob, root} {
		await(t, m, "bob's line", func(ev *hub.Event) bool {
			require.False(t, said("can anyone hear me")(ev), "%s heard a muted person", m.Name())
			return said("after carol's try")(ev)
		})
	}

	require.NoError(t, root.Say(ctx, "/kick carol enough", ""))
	assert.Equal(t, hub.ReasonKicked, awaitRemoved(t, carol))
	left := await(t, bob, "carol's departure", kind(hub.KindLeft, "carol"))
	assert.Equal(t, hub.ReasonKicked, left.Reason)
	awaitFree(t, n[2], "carol")
	for _, nd := range n {
		_, err := nd.hub.Join(ctx, "", hub.JoinOptions{Transport: hub.TransportWeb, Token: carol.Token()})
		assert.ErrorIs(t, err, hub.ErrNoSession, "a kicked person's token on %s", nd.link.Node())
	}
	// A kick is not a ban: she may come back, still muted.
	again := n[2].enter("carol", hub.JoinOptions{})
	require.NoError(t, again.Say(ctx, "back", ""))
	await(t, again, "the refusal", func(ev *hub.Event) bool {
		return ev.Kind == hub.KindNotice && ev.Notice.Kind == hub.NoticeMuted
	})
}

// TestABanOutlivesNATSLosingItsStore: NATS comes back with an empty store;
// the nodes that kept a copy of the moderation log write it again, so a
// node that starts after that still keeps the banned out.
func TestABanOutlivesNATSLosingItsStore(t *testing.T) {
	srv := natstest.Start(t)
	ctx := t.Context()
	st, err := history.Open(ctx, history.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	n1 := startNodeWith(t, srv.URL(), "n1", cluster.Config{History: st},
		hub.Options{PasswordCost: cheap, Operators: []string{"root"}, Store: st})
	first := n1.enter("root", hub.JoinOptions{})
	require.NoError(t, first.Register(ctx, "root password"))
	await(t, first, "root's registration", kind(hub.KindAccount, "root"))
	require.NoError(t, first.Say(ctx, "/quit", ""))
	awaitFree(t, n1, "root")
	root := n1.enter("root", hub.JoinOptions{Password: "root password"})
	require.NoError(t, root.Say(ctx, "/ban mallory for good", ""))
	await(t, root, "the ban", kind(hub.KindModeration, "root"))
	require.Eventually(t, func() bool {
		mods, err := st.Moderation(ctx, 0)
		return err == nil && len(mods) > 0
	}, 10*time.Second, 10*time.Millisecond, "the node's history keeps the ban")

	srv.Wipe()
	nc, err := nats.Connect(srv.URL())
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	var moderation jetstream.KeyValue
	require.Eventually(t, func() bool {
		moderation, err = js.KeyValue(ctx, "ANSEO_MODERATION")
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "the node makes the bucket again")
	w, err := moderation.WatchAll(ctx)
	require.NoError(t, err)
	defer func() { _ = w.Stop() }()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for written := false; !written; {
		select {
		case e := <-w.Updates():
			written = e != nil && strings.Contains(string(e.Value()), `"for good"`)
		case <-wctx.Done():
			t.Fatal("the ban is not written again within 10 s")
		}
	}

	n2 := startNode(t, srv.URL(), "n2", cluster.Config{})
	_, err = n2.hub.Join(ctx, "mallory", hub.JoinOptions{Transport: hub.TransportTelnet})
	var be *hub.BannedError
	assert.True(t, errors.As(err, &be), "%v", err)
}

// TestAResumeOnAnotherNodeKeepsTheLogin: a person logged in to its
// registered name, an operator, whose connection dropped, resumes with its
// token on another node still logged in, and still an operator, without
// its password.
func TestAResumeOnAnotherNodeKeepsTheLogin(t *testing.T) {
	srv := natstest.Start(t)
	opts := hub.Options{PasswordCost: cheap, Operators: []string{"root"}}
	cfg := cluster.Config{Grace: time.Minute}
	n1 := startNodeWith(t, srv.URL(), "n1", cfg, opts)
	n2 := startNodeWith(t, srv.URL(), "n2", cfg, opts)
	ctx := t.Context()
	first := n1.enter("root", hub.JoinOptions{})
	require.NoError(t, first.Register(ctx, "root password"))
	await(t, first, "root's registration", kind(hub.KindAccount, "root"))
	require.NoError(t, first.Say(ctx, "/quit", ""))
	awaitFree(t, n1, "root")
	bob := n2.join("bob")
	catchUp(t, bob)
	root := n1.enter("root", hub.JoinOptions{Password: "root password"})
	await(t, bob, "root's join", kind(hub.KindJoined, "root"))
	require.True(t, root.Operator())

	root.Leave() // the connection drops: its departure is announced, its token may bring it back
	await(t, bob, "root's departure", kind(hub.KindLeft, "root"))
	awaitFree(t, n2, "root")
	m, err := n2.hub.Join(ctx, "", hub.JoinOptions{Transport: hub.TransportTelnet, Token: root.Token()})
	require.NoError(t, err)
	back := hubtest.Read(t, m)
	assert.Equal(t, "root", back.Name())
	assert.True(t, back.Registered(), "logged in still")
	assert.True(t, back.Operator(), "an operator still")
	joined := await(t, bob, "root's return", kind(hub.KindJoined, "root"))
	assert.True(t, joined.Registered)
	assert.True(t, joined.Operator)
}
