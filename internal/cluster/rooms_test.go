package cluster_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/cluster"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/natstest"
)

// TestRoomsAcrossNodes: rooms, their members and topics are the same on
// every node, and what is said in one reaches its members wherever they
// are connected, and nobody else.
func TestRoomsAcrossNodes(t *testing.T) {
	_, n := threeNodes(t, cluster.Config{})
	alice, bob, carol := n[0].join("alice"), n[1].join("bob"), n[2].join("carol")
	await(t, alice, "carol's join", kind(hub.KindJoined, "carol"))

	require.NoError(t, alice.Say(t.Context(), "/join #help", ""))
	joined := await(t, alice, "her room", noticeOf(hub.NoticeJoinedRoom))
	assert.Equal(t, "#help", joined.Notice.Room.Name)
	require.NoError(t, bob.Say(t.Context(), "/join #help", ""))
	await(t, bob, "his room", noticeOf(hub.NoticeJoinedRoom))
	ev := await(t, alice, "bob coming into #help from another node", kind(hub.KindJoined, "bob"))
	for ev.Room != "#help" {
		ev = await(t, alice, "bob coming into #help from another node", kind(hub.KindJoined, "bob"))
	}

	require.NoError(t, bob.SayIn(t.Context(), "#help", "/topic node talk", ""))
	await(t, alice, "bob's topic", func(ev *hub.Event) bool { return ev.Kind == hub.KindTopic && ev.Text == "node talk" })
	require.NoError(t, alice.SayIn(t.Context(), "#help", "help me", ""))
	atBob := await(t, bob, "alice's question", said("help me"))
	assert.Equal(t, "#help", atBob.Room)
	require.NoError(t, carol.Say(t.Context(), "in the lobby", ""))
	await(t, carol, "her own lobby line", func(ev *hub.Event) bool {
		require.False(t, ev.Kind == hub.KindMessage && ev.Room == "#help", "carol is not in #help: %q reached her", ev.Text)
		return said("in the lobby")(ev)
	})

	// Every node knows the room, its topic and its members.
	for i, nd := range n {
		rooms, err := nd.hub.Rooms(t.Context())
		require.NoError(t, err)
		var help hub.RoomInfo
		for _, r := range rooms {
			if r.Name == "#help" {
				help = r
			}
		}
		assert.Equal(t, hub.RoomInfo{Name: "#help", Topic: "node talk", TopicBy: "bob", TopicAt: help.TopicAt, Created: help.Created, Members: 2}, help, "node %d", i+1)
		roster, err := nd.hub.Roster(t.Context(), "#help")
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"alice", "bob"}, namesOf(roster.People))
	}

	// A part on one node is seen on the others.
	require.NoError(t, alice.Say(t.Context(), "/part #help", ""))
	await(t, bob, "alice leaving #help", func(ev *hub.Event) bool { return ev.Kind == hub.KindLeft && ev.Room == "#help" })
	catchUp(t, carol)
	roster, err := n[2].hub.Roster(t.Context(), "#help")
	require.NoError(t, err)
	assert.Equal(t, []string{"bob"}, namesOf(roster.People))
}

// TestANodeJoiningLateKnowsWhoIsInWhichRoom: a node that starts after
// people went into rooms learns their rooms from the stream it catches up.
func TestANodeJoiningLateKnowsWhoIsInWhichRoom(t *testing.T) {
	srv := natstest.Start(t)
	n1 := startNode(t, srv.URL(), "n1", cluster.Config{})
	alice, bob := n1.join("alice"), n1.join("bob")
	require.NoError(t, alice.Say(t.Context(), "/join #help", ""))
	await(t, alice, "her room", noticeOf(hub.NoticeJoinedRoom))
	require.NoError(t, bob.Say(t.Context(), "/join #art", ""))
	await(t, bob, "his room", noticeOf(hub.NoticeJoinedRoom))
	require.NoError(t, bob.Say(t.Context(), "/part #lobby", ""))
	await(t, bob, "leaving the lobby", func(ev *hub.Event) bool { return ev.Kind == hub.KindLeft && ev.Room == "#lobby" })

	n2 := startNode(t, srv.URL(), "n2", cluster.Config{})
	for room, want := range map[string][]string{"#lobby": {"alice"}, "#help": {"alice"}, "#art": {"bob"}} {
		roster, err := n2.hub.Roster(t.Context(), room)
		require.NoError(t, err)
		assert.ElementsMatch(t, want, namesOf(roster.People), room)
	}
}

func noticeOf(k hub.NoticeKind) func(*hub.Event) bool {
	return func(ev *hub.Event) bool { return ev.Kind == hub.KindNotice && ev.Notice.Kind == k }
}

func namesOf(people []hub.Presence) []string {
	var out []string
	for _, p := range people {
		out = append(out, p.Name)
	}
	return out
}
