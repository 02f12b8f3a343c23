package telnet

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// member joins a member called name to a hub that runs until the test
// ends, for rendering what it would be sent.
func member(t *testing.T, name string) *hub.Conn {
	t.Helper()
	h := hub.New(hub.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	m, err := h.Join(ctx, name, hub.JoinOptions{Transport: hub.TransportTelnet})
	require.NoError(t, err)
	return m
}

// TestModerationOnTheLinePort: what each reader sees of the entries of
// moderation and accounts, as the line port sends it.
func TestModerationOnTheLinePort(t *testing.T) {
	alice := renderer{m: member(t, "alice")} // the one concerned
	carol := renderer{m: member(t, "carol")} // someone else in the room
	now := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		ev           *hub.Event
		alice, carol string
	}{
		{"a kick, to everyone alike",
			&hub.Event{Kind: hub.KindModeration, Time: now, Name: "bob", Text: "spam",
				Moderation: &hub.Moderation{Action: hub.ActionKick, Target: "alice"}},
			"* alice was kicked by bob: spam\r\n", "* alice was kicked by bob: spam\r\n"},
		{"an address ban: which address is nobody's business here",
			&hub.Event{Kind: hub.KindModeration, Time: now, Name: "bob",
				Moderation: &hub.Moderation{Action: hub.ActionBan, Address: "203.0.113.7/32", Until: now.Add(time.Hour)}},
			"* An address was banned by bob until 2026-12-01 22:00 UTC\r\n",
			"* An address was banned by bob until 2026-12-01 22:00 UTC\r\n"},
		{"a removed message",
			&hub.Event{Kind: hub.KindModeration, Time: now, Name: "bob", Room: "#lobby",
				Moderation: &hub.Moderation{Action: hub.ActionRemove, Target: "alice", Message: 7}},
			"* A message by alice was removed by bob.\r\n", "* A message by alice was removed by bob.\r\n"},
		{"the kicked person's departure: the moderation line said it",
			&hub.Event{Kind: hub.KindLeft, Time: now, Name: "alice", Reason: hub.ReasonKicked}, "", ""},
		{"kicked out of a room: told where, only the one kicked",
			&hub.Event{Kind: hub.KindLeft, Time: now, Name: "alice", Room: "#help", Reason: hub.ReasonKicked},
			"* You were kicked out of #help.\r\n", ""},
		{"banned from a room: told where, only the one banned",
			&hub.Event{Kind: hub.KindLeft, Time: now, Name: "alice", Room: "#help", Reason: hub.ReasonBanned},
			"* You are banned from #help.\r\n", ""},
		{"a registration: only its owner is told",
			&hub.Event{Kind: hub.KindAccount, Time: now, Name: "alice", Registered: true},
			"* Your name is now registered: it needs your password to be taken. /password changes it, /unregister ends it.\r\n", ""},
		{"an account ended: only its owner is told",
			&hub.Event{Kind: hub.KindAccount, Time: now, Name: "alice"},
			"* Your name is no longer registered: anyone may take it once you leave.\r\n", ""},
		{"the message of the day",
			&hub.Event{Kind: hub.KindNotice, Time: now, Notice: &hub.Notice{Kind: hub.NoticeMotd, Text: "Be kind."}},
			"* Message of the day: Be kind.\r\n", "* Message of the day: Be kind.\r\n"},
		{"the seed's departure is untouched",
			&hub.Event{Kind: hub.KindLeft, Time: now, Name: "alice", Reason: hub.ReasonQuit},
			"alice has left the channel.\r\n", "alice has left the channel.\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.alice, string(alice.render(tt.ev)), "as alice reads it")
			assert.Equal(t, tt.carol, string(carol.render(tt.ev)), "as carol reads it")
		})
	}
}

// TestRemovedMessageInHistory: a message an operator removed is replayed
// as a line saying so, never as an empty message of its author's.
func TestRemovedMessageInHistory(t *testing.T) {
	r := renderer{m: member(t, "carol")}
	at := time.Date(2026, 12, 1, 20, 5, 0, 0, time.UTC)
	var got []byte
	for _, ev := range []*hub.Event{
		{Kind: hub.KindReplayBegin, Replay: hub.ReplayHistory},
		{Kind: hub.KindMessage, Time: at, Name: "alice", Removed: true},
		{Kind: hub.KindMessage, Time: at, Name: "bob", Text: "hi"},
		{Kind: hub.KindReplayEnd, Replay: hub.ReplayHistory},
	} {
		got = append(got, r.render(ev)...)
	}
	assert.Equal(t, "* Recent messages:\r\n"+
		"* [20:05] A message by alice was removed.\r\n"+
		"* [20:05] <bob> hi\r\n"+
		"* End of recent messages.\r\n", string(got))
}
