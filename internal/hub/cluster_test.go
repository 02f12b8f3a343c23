package hub_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// loopback is a cluster of one node whose events come back only when the
// test says so, as they would from a slow link.
type loopback struct {
	published chan published
}

type published struct {
	ev     *hub.Event
	serial uint64
}

func (l *loopback) Claim(context.Context, hub.Claim) error      { return nil }
func (l *loopback) Taken(context.Context, string) (bool, error) { return false, nil }
func (l *loopback) Resume(context.Context, string) (hub.Resumed, error) {
	return hub.Resumed{}, hub.ErrNoSession
}
func (l *loopback) Release(string)           {}
func (l *loopback) Depart(hub.Claim, uint64) {}
func (l *loopback) Publish(ev *hub.Event, serial uint64) bool {
	l.published <- published{ev, serial} // the hub goroutine: the buffer is ample for a test
	return true
}

// comeBack delivers the next published event back to h, numbered id.
func (l *loopback) comeBack(t *testing.T, h *hub.Hub, id uint64) {
	t.Helper()
	p := <-l.published
	ev := &hub.Event{ID: id, Kind: p.ev.Kind, Name: p.ev.Name, Transport: p.ev.Transport, Time: p.ev.Time}
	require.NoError(t, h.Receive(t.Context(), hub.Incoming{Event: ev, Serial: p.serial}))
}

// TestClusterJoinIsNewsOnce: in a cluster a join takes effect on its node
// at once and is delivered when it comes back. Whoever connected in
// between had the newcomer in its roster already, and is not told again.
func TestClusterJoinIsNewsOnce(t *testing.T) {
	link := &loopback{published: make(chan published, 16)}
	h := startHub(t, hub.Options{Cluster: link, Flood: noFlood})
	early, err := h.Join(t.Context(), "early", hub.JoinOptions{Transport: hub.TransportWeb, WithRoster: true})
	require.NoError(t, err)
	link.comeBack(t, h, 1)

	alice, err := h.Join(t.Context(), "alice", hub.JoinOptions{Transport: hub.TransportTelnet})
	require.NoError(t, err)
	late, err := h.Join(t.Context(), "late", hub.JoinOptions{Transport: hub.TransportWeb, WithRoster: true})
	require.NoError(t, err)
	var names []string
	for _, p := range late.Roster() {
		names = append(names, p.Name)
	}
	assert.Contains(t, names, "alice", "the roster has alice before her join comes back")

	link.comeBack(t, h, 2) // alice joined
	link.comeBack(t, h, 3) // late joined
	require.NoError(t, alice.Say(t.Context(), "hi", ""))
	link.comeBack(t, h, 4)

	for _, m := range []*hub.Member{early, late} {
		var joins []string
		for ev := next(t, m); ev.Kind != hub.KindMessage; ev = next(t, m) {
			if ev.Kind == hub.KindJoined {
				joins = append(joins, ev.Name)
			}
		}
		if m == early {
			assert.Equal(t, []string{"alice", "late"}, joins, "early hears of both")
		} else {
			assert.Empty(t, joins, "late knew of alice from its roster")
		}
	}
}

// downLink is a cluster whose link is down: it takes no event, and a claim
// fails with claimErr (the test's goroutine sets it: it calls Claim).
type downLink struct {
	loopback
	claimErr error
}

func (d *downLink) Claim(context.Context, hub.Claim) error { return d.claimErr }
func (d *downLink) Publish(*hub.Event, uint64) bool        { return false }

// TestClusterRefusals: what the cluster refuses does not happen, and the
// person who tried is told why.
func TestClusterRefusals(t *testing.T) {
	link := &downLink{}
	h := startHub(t, hub.Options{Cluster: link, Flood: noFlood})
	alice := join(t, h, "alice")

	require.NoError(t, alice.Say(t.Context(), "anyone?", ""))
	assert.Equal(t, &hub.Notice{Kind: hub.NoticeNotSent}, next(t, alice).Notice)

	link.claimErr = hub.ErrUnavailable
	require.NoError(t, alice.Say(t.Context(), "/nick robert", ""))
	assert.Equal(t, &hub.Notice{Kind: hub.NoticeNameUnavailable}, next(t, alice).Notice)

	link.claimErr = hub.ErrNameTaken // by someone on another node
	require.NoError(t, alice.Say(t.Context(), "/nick Robert", ""))
	assert.Equal(t, &hub.Notice{Kind: hub.NoticeNameTaken, Name: "Robert"}, next(t, alice).Notice)
	assert.Equal(t, "alice", alice.Name())
}
