package hub_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
)

// heldElsewhere is a registry shared with other nodes, as far as one test
// needs: every token resumes a person held by another node until now.
type heldElsewhere struct {
	refusingNames
	name string
}

func (h *heldElsewhere) Resume(context.Context, string) (hub.Resumed, error) {
	return hub.Resumed{Name: h.name, Transport: hub.TransportWeb, Held: true}, nil
}

// TestPeopleOnOtherNodes: with a log and a registry shared with other
// nodes, the room holds people this node only hears of, applies their
// entries by name, and lets a person move between nodes unseen.
func TestPeopleOnOtherNodes(t *testing.T) {
	log := &slowLog{appended: make(chan appended, 16)}
	names := &heldElsewhere{name: "carol"}
	h := startHub(t, hub.Options{Log: log, Names: names, Flood: noFlood})
	require.NoError(t, h.AddRemote(t.Context(), []hub.Presence{
		{Name: "bob", Transport: hub.TransportTelnet}, {Name: "carol", Transport: hub.TransportWeb},
	}))
	joined := make(chan *hub.Conn, 1)
	go func() {
		m, err := h.Join(context.Background(), "alice", hub.JoinOptions{Transport: hub.TransportWeb, WithRoster: true})
		assert.NoError(t, err)
		joined <- m
	}()
	log.give(t, h, log.next(t), 1)
	alice := <-joined
	assert.ElementsMatch(t, []string{"alice", "bob", "carol"}, rosterNames(alice.Roster()))
	_, err := h.Join(t.Context(), "Bob", hub.JoinOptions{Transport: hub.TransportTelnet})
	require.ErrorIs(t, err, hub.ErrNameTaken, "bob is in the room, on another node")

	foreign := func(ev *hub.Event) { // another node's entry: no serial of ours
		t.Helper()
		require.NoError(t, h.Receive(t.Context(), []hub.Incoming{{Event: ev}}))
	}
	foreign(&hub.Event{ID: 2, Kind: hub.KindMessage, Name: "bob", Text: "hi from afar"})
	ev := next(t, alice)
	assert.Equal(t, "hi from afar", ev.Text)
	assert.False(t, ev.From(alice))
	foreign(&hub.Event{ID: 3, Kind: hub.KindRenamed, Name: "bob", NewName: "robert"})
	assert.Equal(t, "robert", next(t, alice).NewName)
	foreign(&hub.Event{ID: 4, Kind: hub.KindAway, Name: "robert", Away: true, Text: "lunch"})
	assert.True(t, next(t, alice).Away)
	foreign(&hub.Event{ID: 5, Kind: hub.KindPrivate, Name: "robert", To: "alice", Text: "psst"})
	assert.Equal(t, "psst", next(t, alice).Text, "a private message from afar reaches its one reader")
	foreign(&hub.Event{ID: 6, Kind: hub.KindJoined, Name: "dave", Transport: hub.TransportTelnet})
	assert.Equal(t, "dave", next(t, alice).Name)
	foreign(&hub.Event{ID: 7, Kind: hub.KindLeft, Name: "dave", Reason: hub.ReasonQuit})
	assert.Equal(t, hub.KindLeft, next(t, alice).Kind)
	foreign(&hub.Event{ID: 8, Kind: hub.KindLeft, Name: "nobody-here"}) // not news
	foreign(&hub.Event{ID: 9, Kind: hub.KindMessage, Name: "alice", Text: "forged"})
	foreign(&hub.Event{ID: 7, Kind: hub.KindMessage, Name: "robert", Text: "again"}) // seen already

	roster, err := h.Roster(t.Context(), "")
	require.NoError(t, err)
	byName := map[string]hub.Presence{}
	for _, p := range roster.People {
		byName[p.Name] = p
	}
	assert.Len(t, roster.People, 3)
	assert.True(t, byName["robert"].Away, "the room applies other nodes' entries")
	assert.Equal(t, "lunch", byName["robert"].AwayReason)

	// carol, on another node until now, moves here: nobody sees it.
	carol, err := h.Join(t.Context(), "", hub.JoinOptions{Token: "carols-token", Transport: hub.TransportWeb})
	require.NoError(t, err)
	assert.Equal(t, "carol", carol.Name())
	require.NoError(t, alice.Say(t.Context(), "still here", ""))
	log.give(t, h, log.next(t), 10)
	ev = next(t, alice)
	assert.Equal(t, "still here", ev.Text, "alice saw no join, no forged line, nothing twice")
	for ev = next(t, carol); ev.ID != 10; ev = next(t, carol) {
	} // what she missed first
	assert.Equal(t, "still here", ev.Text)

	// She moves on again: this node lets her go without a departure.
	require.NoError(t, h.Evict(t.Context(), hub.NameKey("carol"), hub.ReasonMoved))
	assert.Equal(t, hub.ReasonMoved, closed(t, carol))
	roster, err = h.Roster(t.Context(), "")
	require.NoError(t, err)
	assert.Contains(t, rosterNames(roster), "carol", "still in the room, elsewhere")
}

// TestOperatorNotice: a notice from the operator reaches everyone here as
// it is, outside the room's log.
func TestOperatorNotice(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{})
		alice := join(t, h, "alice")
		require.NoError(t, h.Notice(t.Context(), "back in five \x1b[2Jminutes"))
		ev := next(t, alice)
		assert.Equal(t, hub.KindNotice, ev.Kind)
		assert.Equal(t, &hub.Notice{Kind: hub.NoticeOperator}, ev.Notice)
		assert.Equal(t, "back in five minutes", ev.Text, "cleaned like everything shown")
		assert.Zero(t, ev.ID, "not an entry of the log")
	})
}

// counts is a Metrics that counts.
type counts struct {
	mu                           sync.Mutex
	joined, left, said, refused  int
	fannedOut, delivered, reason map[hub.Reason]int
}

func (c *counts) Joined(hub.Transport) { c.mu.Lock(); c.joined++; c.mu.Unlock() }
func (c *counts) Left(_ hub.Transport, r hub.Reason) {
	c.mu.Lock()
	c.left++
	c.reason[r]++
	c.mu.Unlock()
}
func (c *counts) Said(hub.Transport)           { c.mu.Lock(); c.said++; c.mu.Unlock() }
func (c *counts) Refused(hub.Transport, error) { c.mu.Lock(); c.refused++; c.mu.Unlock() }
func (c *counts) Held(hub.Transport)           {}
func (c *counts) FannedOut(n int, _ time.Duration) {
	c.mu.Lock()
	c.fannedOut[hub.ReasonNone]++
	c.delivered[hub.ReasonNone] += n
	c.mu.Unlock()
}

// TestMetrics: the hub counts joins, departures and why, messages, refusals
// and deliveries.
func TestMetrics(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		c := &counts{fannedOut: map[hub.Reason]int{}, delivered: map[hub.Reason]int{}, reason: map[hub.Reason]int{}}
		h := k.startHub(t, hub.Options{Metrics: c, MaxTextBytes: 8})
		alice := join(t, h, "alice")
		bob := join(t, h, "bob")
		require.NoError(t, alice.Say(t.Context(), "hi", ""))
		require.ErrorIs(t, alice.Say(t.Context(), "far too long", ""), hub.ErrTooLong)
		for next(t, bob).Kind != hub.KindMessage {
		}
		require.NoError(t, bob.Say(t.Context(), "/quit", ""))
		assert.Equal(t, hub.ReasonQuit, closed(t, bob))
		for next(t, alice).Kind != hub.KindLeft {
		}
		assert.Equal(t, hub.TransportTelnet, alice.Transport())
		// The hub counts a fan-out once it has offered the event to all:
		// its answer to the next request comes after that.
		_, err := h.Roster(t.Context(), "")
		require.NoError(t, err)

		c.mu.Lock()
		defer c.mu.Unlock()
		assert.Equal(t, 2, c.joined)
		assert.Equal(t, 1, c.said)
		assert.Equal(t, 1, c.refused)
		assert.Equal(t, map[hub.Reason]int{hub.ReasonQuit: 1}, c.reason)
		// The two joins went out as one if they came within a tenth of a
		// second of each other (joins.go).
		assert.Contains(t, []int{3, 4}, c.fannedOut[hub.ReasonNone], "two joins, the message, bob's departure")
		assert.Equal(t, 0+1+2+1, c.delivered[hub.ReasonNone])
	})
}

// TestTheLocalLogKeepsEverything: a single node's log is its history. What
// was said is kept even if the server stops the moment after; the history
// is pruned as Retention says; and after a restart the room continues its
// numbering and shows newcomers what was said.
func TestTheLocalLogKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anseo.db")
	open := func() *history.Store {
		st, err := history.Open(context.Background(), path)
		require.NoError(t, err)
		return st
	}
	st := open()
	h := hub.New(hub.Options{Store: st, Flood: noFlood, Retention: hub.Retention{Keep: 5}})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	alice := join(t, h, "alice")
	for _, text := range []string{"1", "2", "3", "4", "5", "6", "7"} {
		require.NoError(t, alice.Say(t.Context(), text, ""))
	}
	_, err := h.Roster(t.Context(), "") // answered in turn: the hub has every line
	require.NoError(t, err)
	stop() // at once: some are still on their way to the disk
	require.NoError(t, <-done)
	require.NoError(t, st.Close())

	st = open()
	defer st.Close()
	texts := func() []string {
		saved, err := st.Recent(t.Context(), hub.DefaultRoom, 100)
		require.NoError(t, err)
		var texts []string
		for _, ev := range saved {
			texts = append(texts, ev.Text)
		}
		return texts
	}
	assert.Equal(t, []string{"1", "2", "3", "4", "5", "6", "7"}, texts(), "everything said is kept")
	last, err := st.LastID(t.Context())
	require.NoError(t, err)
	assert.Equal(t, uint64(9), last, "alice's join, seven lines, her departure at shutdown")

	h = startHub(t, hub.Options{Store: st, HistoryLen: 3, Retention: hub.Retention{Keep: 5}})
	bob := join(t, h, "bob")
	assert.Equal(t, hub.KindReplayBegin, next(t, bob).Kind)
	for _, want := range []string{"5", "6", "7"} {
		assert.Equal(t, want, next(t, bob).Text)
	}
	assert.Equal(t, hub.KindReplayEnd, next(t, bob).Kind)
	require.NoError(t, bob.Say(t.Context(), "after", ""))
	ev := next(t, bob)
	assert.Equal(t, uint64(11), ev.ID, "the numbering goes on: bob's join was 10")
	assert.Equal(t, []string{"3", "4", "5", "6", "7", "after"}, texts(),
		"pruned to the room's newest five entries (its last five lines; the departure from the server is kept apart) when it started")
}

// TestAMoveFromANodeAheadSendsNothingTwice: a person who moves here from a
// node that was further on in the log (its client has seen up to After)
// is not sent again, as they reach this node, the entries it has.
func TestAMoveFromANodeAheadSendsNothingTwice(t *testing.T) {
	log := &slowLog{appended: make(chan appended, 16)}
	h := startHub(t, hub.Options{Log: log, Names: &heldElsewhere{name: "carol"}, Flood: noFlood})
	require.NoError(t, h.AddRemote(t.Context(), []hub.Presence{{Name: "bob"}, {Name: "carol"}}))
	carol, err := h.Join(t.Context(), "", hub.JoinOptions{Token: "carols-token", Transport: hub.TransportWeb, After: 3})
	require.NoError(t, err)
	for _, e := range []struct {
		id   uint64
		text string
	}{{1, "seen 1"}, {2, "seen 2"}, {3, "seen 3"}, {4, "new"}} {
		require.NoError(t, h.Receive(t.Context(), []hub.Incoming{{Event: &hub.Event{ID: e.id, Kind: hub.KindMessage, Name: "bob", Text: e.text}}}))
	}
	ev := next(t, carol)
	assert.Equal(t, "new", ev.Text, "her client had 1 to 3 from the node she came from")
}

// fillingStore is a real SQLite history whose disk fills up while full is
// set: Append fails as SQLite does then, and failed says so once.
type fillingStore struct {
	hub.Store
	full   atomic.Bool
	failed chan struct{}
}

var errDiskFull = errors.New("database or disk is full (13)")

func (s *fillingStore) Append(ctx context.Context, evs []*hub.Event) error {
	if s.full.Load() {
		select {
		case s.failed <- struct{}{}:
		default:
		}
		return errDiskFull
	}
	return s.Store.Append(ctx, evs)
}

// TestAFullDiskIsTold: while the history cannot be written, nothing is
// shown that is not kept: what was on its way waits, new messages and joins
// are refused with a word to their sender, and the hub says why (Health,
// which /readyz and the metrics read). Once the disk has room again, what
// waited is kept and shown, and the room goes on.
func TestAFullDiskIsTold(t *testing.T) {
	st, err := history.Open(context.Background(), filepath.Join(t.TempDir(), "anseo.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	disk := &fillingStore{Store: st, failed: make(chan struct{}, 1)}
	h := startHub(t, hub.Options{Store: disk, Flood: noFlood})
	alice := join(t, h, "alice")
	require.NoError(t, h.Health())

	disk.full.Store(true)
	require.NoError(t, alice.Say(t.Context(), "on its way", ""))
	<-disk.failed
	assert.Equal(t, &hub.Notice{Kind: hub.NoticeWaiting}, next(t, alice).Notice, "told it waits")
	require.ErrorIs(t, h.Health(), errDiskFull)
	require.NoError(t, alice.Say(t.Context(), "refused", ""))
	assert.Equal(t, &hub.Notice{Kind: hub.NoticeNotSent}, next(t, alice).Notice, "told at once")
	_, err = h.Join(t.Context(), "bob", hub.JoinOptions{Transport: hub.TransportTelnet})
	require.ErrorIs(t, err, hub.ErrUnavailable)

	disk.full.Store(false) // room again: the write is retried
	assert.Equal(t, "on its way", next(t, alice).Text, "kept, then shown")
	require.NoError(t, h.Health())
	require.NoError(t, alice.Say(t.Context(), "and on", ""))
	assert.Equal(t, "and on", next(t, alice).Text)

	saved, err := st.Recent(t.Context(), hub.DefaultRoom, 10)
	require.NoError(t, err)
	var texts []string
	for _, ev := range saved {
		texts = append(texts, ev.Text)
	}
	assert.Equal(t, []string{"on its way", "and on"}, texts)
}

// TestAnotherNodesEntryForARoomThatCannotBeIsDropped: a room name that
// breaks the rules (from a node whose rules differ, or a hand-made entry)
// makes no room here, and the person stays where they were.
func TestAnotherNodesEntryForARoomThatCannotBeIsDropped(t *testing.T) {
	log := &slowLog{appended: make(chan appended, 16)}
	h := startHub(t, hub.Options{Log: log, Names: &heldElsewhere{name: "carol"}, Flood: noFlood})
	require.NoError(t, h.AddRemote(t.Context(), []hub.Presence{{Name: "bob", Transport: hub.TransportTelnet}}))
	require.NoError(t, h.Receive(t.Context(), []hub.Incoming{{Event: &hub.Event{ID: 1, Kind: hub.KindJoined, Room: "#a b", Name: "bob"}}}))
	rooms, err := h.Rooms(t.Context())
	require.NoError(t, err)
	require.Len(t, rooms, 1)
	assert.Equal(t, hub.DefaultRoom, rooms[0].Name)
	assert.Equal(t, 1, rooms[0].Members, "bob, in the lobby as before")
}

// TestAPersonWhoResumedElsewhereSpeaksFromThere: a person whose
// connection here dropped resumes on another node, and speaks there before
// this node has heard that the name moved; what they say reaches this
// node's people, and the person is another node's from then on.
func TestAPersonWhoResumedElsewhereSpeaksFromThere(t *testing.T) {
	log := &slowLog{appended: make(chan appended, 16)}
	h := startHub(t, hub.Options{Log: log, Names: &heldElsewhere{name: "nobody"}, Flood: noFlood})
	joinVia := func(name string, opts hub.JoinOptions, id uint64) *hub.Conn {
		joined := make(chan *hub.Conn, 1)
		go func() {
			m, err := h.Join(context.Background(), name, opts)
			assert.NoError(t, err)
			joined <- m
		}()
		log.give(t, h, log.next(t), id)
		return <-joined
	}
	alice := joinVia("alice", hub.JoinOptions{Transport: hub.TransportWeb, KeepOnDrop: true}, 1)
	bob := joinVia("bob", hub.JoinOptions{Transport: hub.TransportTelnet}, 2)
	alice.Leave() // her connection drops; she waits out the grace period here
	closed(t, alice)

	// She has resumed on another node, which has her next entry.
	require.NoError(t, h.Receive(t.Context(), []hub.Incoming{{Event: &hub.Event{ID: 3, Kind: hub.KindMessage, Room: hub.DefaultRoom, Name: "alice", Text: "back, from elsewhere"}}}))
	ev := next(t, bob)
	assert.Equal(t, "back, from elsewhere", ev.Text)
}
