package hub_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// slowLog is a log whose entries come back only when the test says so, as
// they would from a slow disk or a slow link between nodes.
type slowLog struct {
	appended chan appended
	full     atomic.Bool // takes nothing while set
}

type appended struct {
	ev     *hub.Event
	serial uint64
}

func (l *slowLog) Append(ev *hub.Event, serial uint64) bool {
	if l.full.Load() {
		return false
	}
	l.appended <- appended{ev, serial} // the hub goroutine: the buffer is ample for a test
	return true
}

func (l *slowLog) Err() error {
	if l.full.Load() {
		return errFull
	}
	return nil
}

var errFull = errors.New("the log is full")

func (l *slowLog) Run(ctx context.Context, _ *hub.Hub) error {
	<-ctx.Done()
	return nil
}

// next waits for the hub's next entry.
func (l *slowLog) next(t *testing.T) appended {
	t.Helper()
	select {
	case a := <-l.appended:
		return a
	case <-t.Context().Done():
		t.Fatal("no entry appended")
		return appended{}
	}
}

// give gives a back to h, numbered id, as a copy: what comes back from a
// log is what it kept, not the hub's own event.
func (l *slowLog) give(t *testing.T, h *hub.Hub, a appended, id uint64) {
	t.Helper()
	e := a.ev
	ev := &hub.Event{ID: id, Kind: e.Kind, Time: e.Time, Name: e.Name, Transport: e.Transport, Text: e.Text,
		Reason: e.Reason, To: e.To, NewName: e.NewName, Away: e.Away}
	require.NoError(t, h.Receive(t.Context(), []hub.Incoming{{Event: ev, Serial: a.serial}}))
}

// TestTheRoomChangesOnlyAsTheLogSays: nothing happens in the room until the
// log has kept it. A join is answered, a message shown (to its sender as
// well: its acknowledgement) only when its entry comes back, in the log's
// order, with the log's ID; an entry given twice is applied once.
func TestTheRoomChangesOnlyAsTheLogSays(t *testing.T) {
	log := &slowLog{appended: make(chan appended, 16)}
	h := startHub(t, hub.Options{Log: log, Flood: noFlood})
	join := func(name string) <-chan *hub.Conn {
		joined := make(chan *hub.Conn, 1)
		go func() {
			m, err := h.Join(context.Background(), name, hub.JoinOptions{Transport: hub.TransportWeb, WithRoster: true})
			assert.NoError(t, err)
			joined <- m
		}()
		return joined
	}

	aliceJoined := join("alice")
	a := log.next(t)
	roster, err := h.Roster(t.Context(), "")
	require.NoError(t, err)
	assert.Empty(t, roster.People, "alice is not in the room before her join is kept")
	log.give(t, h, a, 41)
	alice := <-aliceJoined
	assert.Equal(t, []string{"alice"}, rosterNames(alice.Roster()))

	bobJoined := join("bob")
	bobsJoin := log.next(t)
	require.NoError(t, alice.Say(t.Context(), "hi", "r1"))
	hi := log.next(t)
	log.give(t, h, bobsJoin, 42)
	bob := <-bobJoined
	log.give(t, h, hi, 43)
	log.give(t, h, hi, 43) // again, as after a reconnection to the log

	ev := next(t, alice)
	assert.Equal(t, hub.KindJoined, ev.Kind)
	assert.Equal(t, uint64(42), ev.ID)
	ev = next(t, alice)
	assert.Equal(t, hub.KindMessage, ev.Kind)
	assert.Equal(t, uint64(43), ev.ID, "the log's position is the ID")
	assert.Equal(t, "r1", ev.Ref(alice), "her own copy, kept: the acknowledgement")
	assert.Equal(t, []string{"alice", "bob"}, rosterNames(bob.Roster()))
	ev = next(t, bob)
	assert.Equal(t, uint64(43), ev.ID, "bob hears of no join: he is in his own roster")

	require.NoError(t, alice.Say(t.Context(), "again", ""))
	log.give(t, h, log.next(t), 44)
	assert.Equal(t, "again", next(t, bob).Text, "hi came once")
}

func rosterNames(r hub.Roster) []string {
	var names []string
	for _, p := range r.People {
		names = append(names, p.Name)
	}
	return names
}

// refusingNames is a registry that refuses every claim with err once the
// test sets it (from the test's goroutine, the one that claims).
type refusingNames struct {
	err error
}

func (r *refusingNames) Claim(context.Context, hub.Claim) error      { return r.err }
func (r *refusingNames) Taken(context.Context, string) (bool, error) { return false, nil }
func (r *refusingNames) Resume(context.Context, string) (hub.Resumed, error) {
	return hub.Resumed{}, hub.ErrNoSession
}
func (r *refusingNames) Release(string)           {}
func (r *refusingNames) Depart(hub.Claim, uint64) {}

// TestRefusals: what the log or the registry refuses does not happen, and
// the person who tried is told why.
func TestRefusals(t *testing.T) {
	log := &slowLog{appended: make(chan appended, 16)}
	names := &refusingNames{}
	h := startHub(t, hub.Options{Log: log, Names: names, Flood: noFlood})
	joined := make(chan *hub.Conn, 1)
	go func() {
		m, err := h.Join(context.Background(), "alice", hub.JoinOptions{Transport: hub.TransportTelnet})
		assert.NoError(t, err)
		joined <- m
	}()
	log.give(t, h, log.next(t), 1)
	alice := <-joined

	log.full.Store(true)
	require.NoError(t, alice.Say(t.Context(), "anyone?", ""))
	assert.Equal(t, &hub.Notice{Kind: hub.NoticeNotSent}, next(t, alice).Notice)
	require.NoError(t, alice.Say(t.Context(), "/nick robert", ""))
	assert.Equal(t, &hub.Notice{Kind: hub.NoticeNotSent}, next(t, alice).Notice)
	assert.Equal(t, "alice", alice.Name(), "a rename the log cannot keep does not happen")
	_, err := h.Join(t.Context(), "bob", hub.JoinOptions{Transport: hub.TransportTelnet})
	require.ErrorIs(t, err, hub.ErrUnavailable, "nor does a join")
	log.full.Store(false)

	names.err = hub.ErrUnavailable
	require.NoError(t, alice.Say(t.Context(), "/nick robert", ""))
	assert.Equal(t, &hub.Notice{Kind: hub.NoticeNameUnavailable}, next(t, alice).Notice)

	names.err = hub.ErrNameTaken // by someone on another node
	require.NoError(t, alice.Say(t.Context(), "/nick Robert", ""))
	assert.Equal(t, &hub.Notice{Kind: hub.NoticeNameTaken, Name: "Robert"}, next(t, alice).Notice)
	assert.Equal(t, "alice", alice.Name())
}

// TestACommandSeesWhatCameBefore: a command answers from the room as the
// person's own earlier lines left it, though those are still on their way
// through the log: /nick then /who lists the new name, /away then /who
// shows away, and what follows a held command waits behind it (saying
// something brings her back).
func TestACommandSeesWhatCameBefore(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := k.startHub(t, hub.Options{Flood: noFlood})
		alice := join(t, h, "alice")
		for _, line := range []string{"/nick alicia", "/away lunch", "/who", "after"} {
			require.NoError(t, alice.Say(t.Context(), line, ""))
		}
		var got []string
		for len(got) < 5 {
			switch ev := next(t, alice); ev.Kind {
			case hub.KindRenamed:
				got = append(got, "renamed "+ev.NewName)
			case hub.KindAway:
				got = append(got, map[bool]string{true: "away", false: "back"}[ev.Away])
			case hub.KindNotice:
				require.Equal(t, hub.NoticeWho, ev.Notice.Kind)
				require.Len(t, ev.Notice.People, 1)
				who := ev.Notice.People[0]
				got = append(got, fmt.Sprintf("who: %s away=%v", who.Name, who.Away))
			case hub.KindMessage:
				got = append(got, ev.Text)
			}
		}
		assert.Equal(t, []string{"renamed alicia", "away", "who: alicia away=true", "back", "after"}, got)
	})
}

// TestWhatWaitsBehindACommandIsBounded: while a command waits for its
// person's entries to come back from a slow log, what they say next waits
// too, up to a bound; beyond it they are told it was not sent.
func TestWhatWaitsBehindACommandIsBounded(t *testing.T) {
	log := &slowLog{appended: make(chan appended, 16)}
	h := startHub(t, hub.Options{Log: log, Flood: noFlood})
	joined := make(chan *hub.Conn, 1)
	go func() {
		c, err := h.Join(context.Background(), "alice", hub.JoinOptions{Transport: hub.TransportTelnet})
		assert.NoError(t, err)
		joined <- c
	}()
	log.give(t, h, log.next(t), 1)
	alice := <-joined

	require.NoError(t, alice.Say(t.Context(), "on its way", ""))
	log.next(t)                                            // appended, and never given back
	require.NoError(t, alice.Say(t.Context(), "/who", "")) // waits behind it
	for i := range 64 {
		require.NoError(t, alice.Say(t.Context(), fmt.Sprint(i), "")) // wait behind /who
	}
	require.NoError(t, alice.Say(t.Context(), "one too many", ""))
	assert.Equal(t, &hub.Notice{Kind: hub.NoticeNotSent}, next(t, alice).Notice)
}
