package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/linetest"
)

// The sizes of TestKillNineLosesNothingAcknowledged: a few seconds' chat.
const (
	// crashRounds is how many times the server is killed. One kill puts at
	// risk only what was on its way to the disk at that moment, so the
	// test kills several times.
	crashRounds = 12
	// crashAcks is how many web messages are acknowledged in a round,
	// before its kill: 300 in all.
	crashAcks = 25
	// crashWindow is how many telnet lines are on their way at any time:
	// bob sends another each time carol sees one of his.
	crashWindow = 64
)

// TestKillNineLosesNothingAcknowledged kills a real anseo process with
// SIGKILL mid-conversation, right after a web message was acknowledged and
// while more are on their way, and restarts it on the same history file,
// several times over. Everything that was acknowledged to its sender or
// shown to anyone before a kill is in the history, under the ID it was
// shown with; what happens after a restart gets IDs no client was given
// before; and no ID ever names two different events.
func TestKillNineLosesNothingAcknowledged(t *testing.T) {
	bin := buildAnseo(t)
	db := filepath.Join(t.TempDir(), "anseo.db")
	// Flood control off and room to fall behind: this test is about the
	// log, not the limits.
	flags := []string{"-db", db, "-flood-rate", "1000000", "-flood-burst", "1000000", "-queue-len", "100000"}
	seen := newSeenIDs()
	var acks []crashAck
	for round := range crashRounds {
		acks = append(acks, chatUntilKilled(t, bin, flags, seen, round+1)...)
	}
	maxSeen := seen.max()
	before := seen.snapshot()

	// The same file, a new process: what happens now is numbered after
	// everything anyone was shown before.
	last := startChild(t, bin, flags...)
	base := "http://" + last.httpAddr
	dave := wsLogin(t, base, "dave")
	dave.connect(base, "")
	erin := linetest.Dial(t, last.telnetAddr, "erin")
	erin.Login("erin")
	joined := dave.next(func(m map[string]any) bool {
		seen.add("dave", m) // the recent history, replayed: IDs as before
		return m["type"] == "joined" && m["name"] == "erin"
	})
	assert.Greater(t, eventID(joined), maxSeen, "erin's join after the restart has an ID nobody was given before")
	say(t, dave, "after the crash", "d1")
	echo := dave.next(func(m map[string]any) bool { seen.add("dave", m); return m["ref"] == "d1" })
	assert.Greater(t, eventID(echo), eventID(joined), "dave's message after the restart has an ID nobody was given before")
	erin.Expect("<dave> after the crash")
	dave.conn.Close(websocket.StatusNormalClosure, "")
	last.stop(t)
	conflicts := seen.conflicts()
	assert.Empty(t, firstFew(conflicts), "%d times an ID named two different events", len(conflicts))

	// Read the history file itself.
	store, err := history.Open(t.Context(), db)
	require.NoError(t, err)
	defer store.Close()
	saved, err := store.After(t.Context(), hub.DefaultRoom, 0, 1_000_000)
	require.NoError(t, err)
	h := savedHistory{byID: map[uint64]*hub.Event{}, byText: map[string]uint64{}}
	for _, ev := range saved {
		h.byID[ev.ID] = ev
		h.byText[ev.Name+": "+ev.Text] = ev.ID
	}
	assert.Empty(t, h.check(eventID(echo), "dave", "after the crash"), "dave's message is saved")

	var lostAcks, misnumberedAcks []string
	for _, a := range acks {
		switch problem := h.check(a.id, "alice", a.text); {
		case strings.HasPrefix(problem, "missing"):
			lostAcks = append(lostAcks, problem)
		case problem != "":
			misnumberedAcks = append(misnumberedAcks, problem)
		}
	}
	assert.Empty(t, firstFew(lostAcks), "%d of %d acknowledged web messages are missing from the history", len(lostAcks), len(acks))
	assert.Empty(t, firstFew(misnumberedAcks), "%d of %d acknowledged web messages are saved under another ID", len(misnumberedAcks), len(acks))

	var lost, misnumbered []string
	var lostLines, lines int
	for _, id := range slices.Sorted(maps.Keys(before)) {
		ev := before[id]
		if ev.Type != "message" && ev.Type != "action" {
			continue
		}
		if ev.From == "bob" {
			lines++
		}
		switch problem := h.check(id, ev.From, ev.Text); {
		case strings.HasPrefix(problem, "missing"):
			lost = append(lost, problem)
			if ev.From == "bob" {
				lostLines++
			}
		case problem != "":
			misnumbered = append(misnumbered, problem)
		}
	}
	assert.Empty(t, firstFew(lost), "%d messages others were shown before a kill are missing from the history, %d of %d telnet lines among them",
		len(lost), lostLines, lines)
	assert.Empty(t, firstFew(misnumbered), "%d messages others were shown before a kill are saved under another ID", len(misnumbered))
}

// savedHistory is the history file's messages, by ID and by sender and text.
type savedHistory struct {
	byID   map[uint64]*hub.Event
	byText map[string]uint64
}

// check says what is wrong with the history for the message from said
// text with ID id: nothing (""), "missing …", or that it has another ID.
func (h savedHistory) check(id uint64, from, text string) string {
	if ev := h.byID[id]; ev != nil && ev.Name == from && ev.Text == text {
		return ""
	}
	if other, ok := h.byText[from+": "+text]; ok {
		return fmt.Sprintf("<%s> %q was shown as ID %d, saved as ID %d, and ID %d is %s", from, text, id, other, id, describe(h.byID[id]))
	}
	return fmt.Sprintf("missing: <%s> %q, shown as ID %d, which is %s", from, text, id, describe(h.byID[id]))
}

// crashAck is a web message acknowledged to its sender: its ID and text.
type crashAck struct {
	id   uint64
	text string
}

// chatUntilKilled runs bin with flags, in which bob (telnet) sends lines
// that carol (web) watches, crashWindow at a time, while alice (web) sends
// crashAcks messages one at a time, each once the last is acknowledged. It
// kills the process with SIGKILL right after the last acknowledgement, with
// alice's next message and bob's last lines on their way, and returns
// alice's acknowledged messages. seen gets every event carol and alice
// were given; this round's must have IDs nobody was given before it.
func chatUntilKilled(t *testing.T, bin string, flags []string, seen *seenIDs, round int) []crashAck {
	t.Helper()
	given := seen.max()
	server := startChild(t, bin, flags...)
	base := "http://" + server.httpAddr
	bob := linetest.Dial(t, server.telnetAddr, "bob")
	bob.Login("bob")
	carol := wsLogin(t, base, "carol")
	carol.connect(base, "")
	alice := wsLogin(t, base, "alice")
	alice.connect(base, "")

	// carol watches, on a goroutine of her own, until the server dies; each
	// line of bob's she sees lets bob send another.
	bobSeen := make(chan struct{}, crashWindow)
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // after t.Context ends, which ends carol's read
	var aliceJoined uint64
	var bobShown int
	bobsLine := fmt.Sprintf("bob's line %d.", round) // this round's, not the history's
	wg.Go(func() {
		defer close(bobSeen)
		_ = readUntilGone(t.Context(), carol, func(m map[string]any) {
			seen.add("carol", m)
			switch {
			case m["type"] == "joined" && m["name"] == "alice":
				aliceJoined = eventID(m)
			case m["type"] == "message" && m["from"] == "bob" && strings.HasPrefix(fmt.Sprint(m["text"]), bobsLine):
				bobShown++
				select {
				case bobSeen <- struct{}{}:
				default: // cannot happen: bob has at most crashWindow lines unseen
				}
			}
		})
	})
	bobSent := 0
	wg.Go(func() {
		send := func() bool {
			bobSent++
			return bob.Write(fmt.Sprintf("%s%d\r\n", bobsLine, bobSent)) == nil
		}
		for range crashWindow {
			if !send() {
				return
			}
		}
		for range bobSeen {
			if !send() {
				return
			}
		}
	})

	var acks []crashAck
	for i := 1; ; i++ {
		text, ref := fmt.Sprintf("alice's message %d.%d", round, i), fmt.Sprintf("r%d", i)
		say(t, alice, text, ref)
		if i > crashAcks {
			break // sent, not acknowledged: on its way when the server dies
		}
		echo := alice.next(func(m map[string]any) bool {
			require.NotEqual(t, "error", m["type"], "alice's message was refused: %v", m)
			seen.add("alice", m)
			return m["ref"] == ref
		})
		require.Equal(t, text, echo["text"])
		acks = append(acks, crashAck{id: eventID(echo), text: text})
	}
	server.kill(t) // right after the last acknowledgement
	wg.Wait()
	alice.conn.CloseNow()
	carol.conn.CloseNow()
	t.Logf("round %d: killed after %d web messages acknowledged and %d of %d telnet lines shown", round, len(acks), bobShown, bobSent)
	assert.Greater(t, aliceJoined, given, "round %d: alice's join has an ID nobody was given before", round)
	assert.Greater(t, acks[0].id, given, "round %d: alice's first message has an ID nobody was given before", round)
	assert.NotZero(t, bobShown, "round %d: carol saw bob's lines", round)
	return acks
}

// buildAnseo builds this package's program into a temporary directory and
// returns its path.
func buildAnseo(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "anseo")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// child is anseo running as a process of its own, so that it can be killed.
type child struct {
	cmd        *exec.Cmd
	httpAddr   string
	telnetAddr string
	exited     chan error // holds Wait's answer once the process has ended
}

// startChild runs bin with args on free loopback ports until the test ends,
// and waits for it to listen. Its log goes to the test's output.
func startChild(t *testing.T, bin string, args ...string) *child {
	t.Helper()
	addrs := &listenWatcher{found: make(chan listenRecord, 2)}
	argv := append([]string{"-http-addr", "127.0.0.1:0", "-telnet-addr", "127.0.0.1:0", "-terminal-addr", "127.0.0.1:0", "-log-format", "json"}, args...)
	c := &child{cmd: exec.Command(bin, argv...), exited: make(chan error, 1)}
	c.cmd.Stderr = newLogWriter(t, addrs)
	require.NoError(t, c.cmd.Start())
	go func() { c.exited <- c.cmd.Wait() }() // ends when the process does
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill() // if it is still running; harmless if not
		<-c.exited
	})

	timeout := time.After(10 * time.Second)
	for c.httpAddr == "" || c.telnetAddr == "" {
		select {
		case l := <-addrs.found:
			switch l.Transport {
			case "http":
				c.httpAddr = l.Addr
			case "telnet":
				c.telnetAddr = l.Addr
			}
		case err := <-c.exited:
			c.exited <- err
			t.Fatalf("anseo exited before listening: %v", err)
		case <-timeout:
			t.Fatal("anseo did not listen within 10s")
		}
	}
	return c
}

// kill sends SIGKILL: the process gets no chance to finish anything.
func (c *child) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, c.cmd.Process.Kill())
	err := <-c.exited
	c.exited <- err
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal())
}

// stop sends SIGTERM and expects a clean exit within 30s.
func (c *child) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-c.exited:
		c.exited <- err
		assert.NoError(t, err, "anseo exits cleanly on SIGTERM")
	case <-time.After(30 * time.Second):
		t.Fatal("anseo did not stop within 30s of SIGTERM")
	}
}

// listenWatcher reads a child's JSON log, a line per Write (logWriter
// passes it whole lines), for the addresses it listens on.
type listenWatcher struct {
	found chan listenRecord // http and telnet, once each
}

func (w *listenWatcher) Write(line []byte) (int, error) {
	var rec listenRecord
	if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" && (rec.Transport == "http" || rec.Transport == "telnet") {
		select {
		case w.found <- rec:
		default:
		}
	}
	return len(line), nil
}

// say sends text with ref over u's WebSocket.
func say(t *testing.T, u *wsUser, text, ref string) {
	t.Helper()
	b, err := json.Marshal(map[string]string{"type": "say", "text": text, "ref": ref})
	require.NoError(t, err)
	require.NoError(t, u.conn.Write(t.Context(), websocket.MessageText, b))
}

// readUntilGone hands f every message u receives until its connection
// fails or ctx ends, and returns why it stopped. Unlike wsUser.next it
// fails no test, so it may run on a goroutine of its own.
func readUntilGone(ctx context.Context, u *wsUser, f func(map[string]any)) error {
	for _, m := range u.unread {
		f(m)
	}
	u.unread = nil
	for {
		_, data, err := u.conn.Read(ctx)
		if err != nil {
			return err
		}
		var batch []map[string]any
		if json.Unmarshal(data, &batch) != nil {
			var one map[string]any
			if err := json.Unmarshal(data, &one); err != nil {
				return fmt.Errorf("not JSON: %q: %w", data, err)
			}
			batch = []map[string]any{one}
		}
		for _, m := range batch {
			f(m)
		}
	}
}

func eventID(m map[string]any) uint64 {
	id, _ := m["id"].(float64)
	return uint64(id)
}

// seenEvent is what every client is shown of a room event, whoever it is.
type seenEvent struct {
	Type, From, Name, Text string
}

// seenIDs is every room event any client was given, by ID, and every ID
// that was given for two different events. Safe from several goroutines.
type seenIDs struct {
	mu       sync.Mutex
	byID     map[uint64]seenEvent
	mismatch []string
}

func newSeenIDs() *seenIDs { return &seenIDs{byID: map[uint64]seenEvent{}} }

func (s *seenIDs) add(who string, m map[string]any) {
	id := eventID(m)
	if id == 0 { // notices for one connection, replay markers
		return
	}
	str := func(k string) string { v, _ := m[k].(string); return v }
	ev := seenEvent{Type: str("type"), From: str("from"), Name: str("name"), Text: str("text")}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.byID[id]; ok && old != ev {
		s.mismatch = append(s.mismatch, fmt.Sprintf("%s was given ID %d for %+v, already given for %+v", who, id, ev, old))
		return
	}
	s.byID[id] = ev
}

func (s *seenIDs) max() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m uint64
	for id := range s.byID {
		m = max(m, id)
	}
	return m
}

func (s *seenIDs) snapshot() map[uint64]seenEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.byID)
}

func (s *seenIDs) conflicts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mismatch)
}

// firstFew keeps a failure's message short: a crash loses the last few
// hundred entries or none.
func firstFew(s []string) []string {
	return s[:min(len(s), 10)]
}

func describe(ev *hub.Event) string {
	if ev == nil {
		return "not in the history"
	}
	return fmt.Sprintf("<%s> %q in the history", ev.Name, ev.Text)
}
