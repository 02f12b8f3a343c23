package cluster

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// roundTrip sends ev across as a node does: to JSON and back.
func roundTrip(t *testing.T, ev *hub.Event) *hub.Event {
	t.Helper()
	data, err := json.Marshal(envelopeOf(ev, "n1-0000", 7))
	require.NoError(t, err)
	var env envelope
	require.NoError(t, json.Unmarshal(data, &env))
	return env.event(ev.ID)
}

// TestModerationCrossesNodes: every moderation action, with all it says,
// reaches the other nodes as it was made, so that each applies the same.
func TestModerationCrossesNodes(t *testing.T) {
	until := time.Date(2026, 12, 2, 21, 0, 0, 0, time.UTC)
	n := 0
	for a := hub.Action(1); !strings.HasPrefix(a.String(), "action("); a++ {
		n++
		ev := &hub.Event{
			ID: 42, Kind: hub.KindModeration, Time: until.Add(-time.Hour), Room: "#help", Name: "bob", Text: "spam",
			Moderation: &hub.Moderation{Action: a, Target: "alice", Address: "2001:db8:1:2::/64", Message: 41, Until: until},
		}
		assert.Equal(t, ev, roundTrip(t, ev), a.String())
	}
	assert.GreaterOrEqual(t, n, 9, "kick to motd")

	// A server-wide ban for ever: no room, no end.
	ev := &hub.Event{ID: 43, Kind: hub.KindModeration, Time: until, Name: "",
		Moderation: &hub.Moderation{Action: hub.ActionBan, Address: "203.0.113.7/32"}}
	got := roundTrip(t, ev)
	assert.Equal(t, ev, got)
	assert.True(t, got.Moderation.Until.IsZero())
	data, _ := json.Marshal(envelopeOf(ev, "n1", 0))
	assert.NotContains(t, string(data), "until", "a ban for ever says no end")
}

// TestTheMarksOfAPersonCrossNodes: whether a person is registered and an
// operator travels with its join, registration and departure.
func TestTheMarksOfAPersonCrossNodes(t *testing.T) {
	now := time.Now().UTC()
	for _, ev := range []*hub.Event{
		{ID: 1, Kind: hub.KindJoined, Time: now, Name: "alice", Transport: hub.TransportWeb, Registered: true, Operator: true, Session: "s"},
		{ID: 2, Kind: hub.KindJoined, Time: now, Name: "carol", Transport: hub.TransportTelnet, Registered: true},
		{ID: 3, Kind: hub.KindAccount, Time: now, Name: "alice", Registered: true},
		{ID: 4, Kind: hub.KindAccount, Time: now, Name: "alice"},
		{ID: 5, Kind: hub.KindLeft, Time: now, Name: "alice", Reason: hub.ReasonKicked},
		{ID: 6, Kind: hub.KindLeft, Time: now, Room: "#help", Name: "alice", Reason: hub.ReasonBanned},
	} {
		assert.Equal(t, ev, roundTrip(t, ev), "%v %v", ev.Kind, ev.Reason)
	}
}

// TestEveryKindAndReasonTravels: an entry of the room's log, of whatever
// kind, and a departure, for whatever reason, reach the other nodes; only
// what is for one connection stays (notices, replay markers). A kind or a
// reason added to the hub must be added here.
func TestEveryKindAndReasonTravels(t *testing.T) {
	local := map[hub.Kind]bool{hub.KindNotice: true, hub.KindReplayBegin: true, hub.KindReplayEnd: true, hub.KindJoins: true}
	for k := hub.Kind(1); k.String() != "unknown"; k++ {
		_, ok := kinds[k.String()]
		assert.Equal(t, !local[k], ok, "kind %v", k)
	}
	for r := hub.ReasonNone + 1; r.String() != "unknown"; r++ {
		assert.Contains(t, reasons, r.String())
	}
}

// TestAnActionFromANewerNodeIsNotApplied: a node does not apply half of a
// moderation entry it does not understand.
func TestAnActionFromANewerNodeIsNotApplied(t *testing.T) {
	var env envelope
	require.NoError(t, json.Unmarshal([]byte(`{"node":"n9","kind":"moderation","name":"bob",`+
		`"moderation":{"action":"shadowban","target":"alice"}}`), &env))
	assert.Nil(t, env.event(9))
	require.NoError(t, json.Unmarshal([]byte(`{"node":"n9","kind":"moderation","name":"bob"}`), &env))
	assert.Nil(t, env.event(9), "a moderation entry that says nothing")
}
