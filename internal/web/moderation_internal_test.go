package web

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// TestEncodeModeration: what an operator did reaches the page as data and
// in words; the address of a ban, for operators alone, never does.
func TestEncodeModeration(t *testing.T) {
	at := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		ev   *hub.Event
		want string
	}{
		{
			name: "a kick off the server, with a reason",
			ev:   &hub.Event{Kind: hub.KindModeration, ID: 7, Name: "bob", Text: "spam", Moderation: &hub.Moderation{Action: hub.ActionKick, Target: "alice"}},
			want: `{"type":"moderation","id":7,"time":"2026-12-01T21:00:00.000Z","name":"bob","action":"kick","target":"alice","text":"spam","says":"alice was kicked by bob: spam"}`,
		},
		{
			name: "a mute in a room, for ten minutes",
			ev:   &hub.Event{Kind: hub.KindModeration, ID: 8, Room: "#help", Name: "bob", Moderation: &hub.Moderation{Action: hub.ActionMute, Target: "alice", Until: at.Add(10 * time.Minute)}},
			want: `{"type":"moderation","id":8,"time":"2026-12-01T21:00:00.000Z","room":"#help","name":"bob","action":"mute","target":"alice","until":"2026-12-01T21:10:00.000Z","says":"alice was muted in #help by bob for 10 minutes"}`,
		},
		{
			name: "a ban by name and address shows the name alone",
			ev:   &hub.Event{Kind: hub.KindModeration, ID: 9, Name: "bob", Text: "spam", Moderation: &hub.Moderation{Action: hub.ActionBan, Target: "alice", Address: "203.0.113.7/32", Until: at.Add(7 * 24 * time.Hour)}},
			want: `{"type":"moderation","id":9,"time":"2026-12-01T21:00:00.000Z","name":"bob","action":"ban","target":"alice","until":"2026-12-08T21:00:00.000Z","text":"spam","says":"alice's address was banned by bob until 2026-12-08 21:00 UTC: spam"}`,
		},
		{
			name: "a removed message names its ID",
			ev:   &hub.Event{Kind: hub.KindModeration, ID: 10, Room: "#lobby", Name: "bob", Moderation: &hub.Moderation{Action: hub.ActionRemove, Message: 4}},
			want: `{"type":"moderation","id":10,"time":"2026-12-01T21:00:00.000Z","room":"#lobby","name":"bob","action":"remove","message":4,"says":"A message was removed by bob."}`,
		},
		{
			name: "an operator appointed",
			ev:   &hub.Event{Kind: hub.KindModeration, ID: 11, Room: "#help", Name: "bob", Moderation: &hub.Moderation{Action: hub.ActionOp, Target: "alice"}},
			want: `{"type":"moderation","id":11,"time":"2026-12-01T21:00:00.000Z","room":"#help","name":"bob","action":"op","target":"alice","says":"bob made alice an operator of #help"}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.ev.Time = at
			got, err := encodeEvent(tc.ev, nil)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
			assert.NotContains(t, string(got), "203.0.113")
		})
	}
}

func TestEncodeAccountsAndMarks(t *testing.T) {
	at := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	got, err := encodeEvent(&hub.Event{Kind: hub.KindAccount, ID: 3, Time: at, Name: "alice", Registered: true}, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"account","id":3,"time":"2026-12-01T21:00:00.000Z","name":"alice","registered":true,"says":"Your name is now registered: it needs your password to be taken. /password changes it, /unregister ends it."}`, string(got))

	got, err = encodeEvent(&hub.Event{Kind: hub.KindJoined, ID: 4, Time: at, Room: "#den", Name: "bob", Transport: hub.TransportWeb, Registered: true, Operator: true, RoomOp: true}, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"joined","id":4,"time":"2026-12-01T21:00:00.000Z","room":"#den","name":"bob","transport":"web","registered":true,"operator":true,"roomOp":true}`, string(got))

	got, err = encodeEvent(&hub.Event{Kind: hub.KindMessage, ID: 5, Time: at, Room: "#lobby", Name: "bob", Removed: true}, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"message","id":5,"time":"2026-12-01T21:00:00.000Z","room":"#lobby","from":"bob","text":"","removed":true}`, string(got))

	got, err = encodeEvent(&hub.Event{Kind: hub.KindLeft, ID: 6, Time: at, Name: "carol", Reason: hub.ReasonKicked}, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"left","id":6,"time":"2026-12-01T21:00:00.000Z","name":"carol","reason":"kicked"}`, string(got))

	members := membersJSON([]hub.Presence{{Name: "bob", Transport: hub.TransportWeb, Registered: true, RoomOp: true}, {Name: "eve", Transport: hub.TransportTelnet}})
	assert.True(t, members[0].Registered)
	assert.True(t, members[0].RoomOp)
	assert.False(t, members[0].Operator)
	assert.Equal(t, memberJSON{Name: "eve", Transport: "telnet", Since: members[1].Since, LastActive: members[1].LastActive}, members[1])
}

// TestDecodeAccountRequests: register, password and unregister carry what
// they need, within bounds.
func TestDecodeAccountRequests(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     request
		code     string
	}{
		{name: "register", in: `{"type":"register","password":"correct horse","ref":"a1"}`, want: request{Account: "register", Password: "correct horse", Ref: "a1"}},
		{name: "password", in: `{"type":"password","password":"battery staple"}`, want: request{Account: "password", Password: "battery staple"}},
		{name: "unregister needs no password", in: `{"type":"unregister","ref":"a2"}`, want: request{Account: "unregister", Ref: "a2"}},
		{name: "register without a password", in: `{"type":"register","ref":"a3"}`, code: errCodeBadRequest},
		{name: "a password that is not a string", in: `{"type":"password","password":12345678}`, code: errCodeBadRequest},
		{name: "a password too long to hash", in: `{"type":"register","password":"` + strings.Repeat("x", hub.MaxPasswordLen+1) + `"}`, code: errCodeBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeClient([]byte(tc.in), 4096)
			if tc.code != "" {
				perr, ok := errors.AsType[*protocolError](err)
				require.True(t, ok, "refused with a protocol error, not %v", err)
				assert.Equal(t, tc.code, perr.code)
				assert.NotContains(t, perr.Error(), "xxxxxxxx", "the error does not repeat the password")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestAccountRefusal(t *testing.T) {
	for err, code := range map[error]string{
		hub.ErrWeakPassword:      errCodeWeakPassword,
		hub.ErrAlreadyRegistered: errCodeRegistered,
		hub.ErrNotRegistered:     errCodeNotRegistered,
		hub.ErrNoAccounts:        errCodeNoAccounts,
		hub.ErrUnavailable:       errCodeUnavailable,
		hub.ErrPasswordTooLong:   errCodeBadRequest,
	} {
		perr := accountRefusal(err, "r1")
		require.NotNil(t, perr, "%v", err)
		assert.Equal(t, code, perr.code)
		assert.Equal(t, "r1", perr.ref)
	}
	assert.Nil(t, accountRefusal(hub.ErrClosed, ""), "the hub stopping is no refusal")
}

func TestModerationCloses(t *testing.T) {
	code, _ := closeFor(hub.ReasonKicked)
	assert.Equal(t, CloseKicked, code)
	code, _ = closeFor(hub.ReasonBanned)
	assert.Equal(t, CloseBanned, code)

	code, reason := joinRefusal(&hub.BannedError{Until: time.Date(2026, 12, 2, 21, 0, 0, 0, time.UTC), Reason: "spam"})
	assert.Equal(t, CloseBanned, code)
	assert.Equal(t, "You are banned from this server until 2026-12-02 21:00 UTC: spam.", reason)
	code, _ = joinRefusal(hub.ErrPasswordRequired)
	assert.Equal(t, ClosePasswordRequired, code)
	code, reason = joinRefusal(&hub.BannedError{Reason: strings.Repeat("spam ", 50)})
	assert.Equal(t, websocket.StatusCode(4011), code)
	assert.LessOrEqual(t, len(reason), 123)
}
