package wording_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/wording"
)

func TestModeration(t *testing.T) {
	now := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		op, room string
		m        hub.Moderation
		reason   string
		others   string // as everyone but operators reads it
		operator string // as operators read it; "" when the same
	}{
		{"kick off the server, with a reason", "bob", "", hub.Moderation{Action: hub.ActionKick, Target: "alice"}, "spam",
			"alice was kicked by bob: spam", ""},
		{"kick out of a room", "bob", "#help", hub.Moderation{Action: hub.ActionKick, Target: "alice"}, "",
			"alice was kicked out of #help by bob", ""},
		{"mute for a while", "bob", "", hub.Moderation{Action: hub.ActionMute, Target: "alice", Until: now.Add(10 * time.Minute)}, "",
			"alice was muted by bob for 10 minutes", ""},
		{"mute in a room for a day and a half, with a reason", "bob", "#help",
			hub.Moderation{Action: hub.ActionMute, Target: "alice", Until: now.Add(36 * time.Hour)}, "shouting",
			"alice was muted in #help by bob for 1 day 12 hours: shouting", ""},
		{"mute until unmuted", "bob", "", hub.Moderation{Action: hub.ActionMute, Target: "alice"}, "",
			"alice was muted by bob", ""},
		{"unmute", "bob", "#help", hub.Moderation{Action: hub.ActionUnmute, Target: "alice"}, "",
			"alice was unmuted in #help by bob", ""},
		{"ban a name until a time", "bob", "",
			hub.Moderation{Action: hub.ActionBan, Target: "alice", Until: time.Date(2026, 12, 2, 21, 0, 0, 0, time.UTC)}, "spam",
			"alice was banned by bob until 2026-12-02 21:00 UTC: spam", ""},
		{"ban from a room for good", "bob", "#help", hub.Moderation{Action: hub.ActionBan, Target: "alice"}, "",
			"alice was banned from #help by bob", ""},
		{"the server bans a banned name's address: only operators see it", "", "",
			hub.Moderation{Action: hub.ActionBan, Target: "alice", Address: "203.0.113.7/32"}, "",
			"alice's address was banned by the server",
			"alice (203.0.113.7/32) was banned by the server"},
		{"an address ban: only operators see which", "bob", "",
			hub.Moderation{Action: hub.ActionBan, Address: "2001:db8:1:2::/64", Until: time.Date(2026, 12, 8, 9, 30, 0, 0, time.FixedZone("CET", 3600))}, "",
			"An address was banned by bob until 2026-12-08 08:30 UTC",
			"2001:db8:1:2::/64 was banned by bob until 2026-12-08 08:30 UTC"},
		{"unban a name", "bob", "", hub.Moderation{Action: hub.ActionUnban, Target: "alice"}, "",
			"alice was unbanned by bob", ""},
		{"unban an address", "bob", "", hub.Moderation{Action: hub.ActionUnban, Address: "203.0.113.7/32"}, "",
			"An address was unbanned by bob", "203.0.113.7/32 was unbanned by bob"},
		{"remove a message: the author is the target", "bob", "#help", hub.Moderation{Action: hub.ActionRemove, Target: "alice", Message: 42}, "",
			"A message by alice was removed by bob.", ""},
		{"remove a message, with a reason", "bob", "#help", hub.Moderation{Action: hub.ActionRemove, Target: "alice", Message: 42}, "a link to malware",
			"A message by alice was removed by bob: a link to malware.", ""},
		{"appoint a room operator", "bob", "#help", hub.Moderation{Action: hub.ActionOp, Target: "alice"}, "",
			"bob made alice an operator of #help", ""},
		{"the server appoints the maker of a room", "", "#help", hub.Moderation{Action: hub.ActionOp, Target: "alice"}, "",
			"the server made alice an operator of #help", ""},
		{"dismiss a room operator", "bob", "#help", hub.Moderation{Action: hub.ActionDeop, Target: "alice"}, "",
			"bob made alice no longer an operator of #help", ""},
		{"set the message of the day: the text is not the reason", "bob", "", hub.Moderation{Action: hub.ActionMotd}, "Welcome to anseo",
			"bob set the message of the day", ""},
		{"clear the message of the day", "bob", "", hub.Moderation{Action: hub.ActionMotd}, "",
			"bob cleared the message of the day", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			ev := &hub.Event{Kind: hub.KindModeration, Time: now, Name: tt.op, Room: tt.room, Text: tt.reason, Moderation: &m}
			assert.Equal(t, tt.others, wording.Moderation(ev, false))
			want := tt.operator
			if want == "" {
				want = tt.others
			}
			assert.Equal(t, want, wording.Moderation(ev, true))
		})
	}
}

func TestModerationNotices(t *testing.T) {
	now := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	kick := &hub.Event{Kind: hub.KindModeration, Time: now.Add(-time.Hour), Name: "bob",
		Moderation: &hub.Moderation{Action: hub.ActionKick, Target: "alice"}, Text: "spam"}
	ban := &hub.Event{Kind: hub.KindModeration, Time: now.Add(-30 * time.Minute), Name: "bob",
		Moderation: &hub.Moderation{Action: hub.ActionBan, Address: "203.0.113.0/32"}}
	tests := []struct {
		name   string
		notice *hub.Notice
		want   string
	}{
		{"message of the day", &hub.Notice{Kind: hub.NoticeMotd, Text: "Be kind."}, "Message of the day: Be kind."},
		{"no message of the day", &hub.Notice{Kind: hub.NoticeMotd}, "There is no message of the day."},
		{"register typed as a line", &hub.Notice{Kind: hub.NoticeRegisterHow, Command: hub.CommandInfo{Name: "register"}},
			"/register asks for the password itself, where it does not show: type /register alone."},
		{"not an operator", &hub.Notice{Kind: hub.NoticeNotOperator, Command: hub.CommandInfo{Name: "kick"}},
			"/kick is for operators."},
		{"muted everywhere until unmuted", &hub.Notice{Kind: hub.NoticeMuted}, "You are muted: nobody saw what you said."},
		{"muted in a room until a time", &hub.Notice{Kind: hub.NoticeMuted, Room: &hub.RoomInfo{Name: "#help"}, Until: now.Add(10 * time.Minute)},
			"You are muted in #help until 2026-12-01 21:10 UTC: nobody saw what you said."},
		{"no bans", &hub.Notice{Kind: hub.NoticeBans}, "No bans."},
		{"bans, with their addresses", &hub.Notice{Kind: hub.NoticeBans, Bans: []hub.Ban{
			{Name: "alice", Address: "203.0.113.7/32", By: "bob", Since: now.Add(-time.Hour), Until: now.Add(23 * time.Hour), Reason: "spam"},
			{Room: "#help", Name: "mallory", By: "carol", Since: now},
		}}, "2 bans:\n" +
			"alice (203.0.113.7/32) by bob since 2026-12-01 20:00 UTC until 2026-12-02 20:00 UTC: spam\n" +
			"mallory from #help by carol since 2026-12-01 21:00 UTC"},
		{"empty moderation log", &hub.Notice{Kind: hub.NoticeModlog}, "Nothing in the moderation log."},
		{"moderation log, with the addresses", &hub.Notice{Kind: hub.NoticeModlog, Entries: []*hub.Event{kick, ban}},
			"Moderation log, oldest first:\n" +
				"2026-12-01 20:00 UTC  alice was kicked by bob: spam\n" +
				"2026-12-01 20:30 UTC  203.0.113.0/32 was banned by bob"},
		{"banned from a room", &hub.Notice{Kind: hub.NoticeBanned, Banned: &hub.BannedError{Room: "#help", Reason: "spam"}},
			"You are banned from #help: spam."},
		{"not banned", &hub.Notice{Kind: hub.NoticeNotBanned, Name: "alice"}, "No ban names alice."},
		{"not muted", &hub.Notice{Kind: hub.NoticeNotMuted, Name: "alice"}, "alice is not muted."},
		{"no such message", &hub.Notice{Kind: hub.NoticeNoSuchMessage}, "There is no such message in this room."},
		{"op of an unregistered name", &hub.Notice{Kind: hub.NoticeNotRegistered, Name: "alice"},
			"alice is not registered: only registered names can be operators."},
		{"nick to a registered name", &hub.Notice{Kind: hub.NoticeNameRegistered, Name: "alice"},
			"alice is registered to someone else: only its password takes it."},
		{"rooms need an account", &hub.Notice{Kind: hub.NoticeRoomsNeedAccount},
			"Only registered names make new rooms here: /register protects yours."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, wording.Notice(&hub.Event{Kind: hub.KindNotice, Time: now, Notice: tt.notice}))
		})
	}
}

func TestAccount(t *testing.T) {
	assert.Equal(t, "Your name is now registered: it needs your password to be taken. /password changes it, /unregister ends it.",
		wording.Account(&hub.Event{Kind: hub.KindAccount, Name: "alice", Registered: true}))
	assert.Equal(t, "Your name is no longer registered: anyone may take it once you leave.",
		wording.Account(&hub.Event{Kind: hub.KindAccount, Name: "alice"}))
}

func TestJoinError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"password required", hub.ErrPasswordRequired, "That name is registered: it needs its password."},
		{"wrong password", hub.ErrWrongPassword, "Wrong password."},
		{"too many attempts: the wait, rounded up", &hub.AttemptsError{Wait: 7200 * time.Millisecond},
			"Too many wrong passwords: try again in 8 seconds."},
		{"too many attempts, wrapped", fmt.Errorf("join: %w", &hub.AttemptsError{Wait: 15 * time.Minute}),
			"Too many wrong passwords: try again in 15 minutes."},
		{"a minute and a bit", &hub.AttemptsError{Wait: 64 * time.Second},
			"Too many wrong passwords: try again in 1 minute 4 seconds."},
		{"banned from the server until a time", &hub.BannedError{Until: time.Date(2026, 12, 2, 21, 0, 0, 0, time.UTC), Reason: "spam"},
			"You are banned from this server until 2026-12-02 21:00 UTC: spam."},
		{"banned for good, no reason", &hub.BannedError{}, "You are banned from this server."},
		{"an error of before: the transport words it", hub.ErrNameTaken, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, wording.JoinError(tt.err))
		})
	}
}

func TestAccountError(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{hub.ErrAlreadyRegistered, "Your name is registered already: /password changes its password."},
		{hub.ErrNotRegistered, "Your name is not registered: /register protects it with a password."},
		{hub.ErrWeakPassword, "Password too short: at least 8 characters. Nothing changed."},
		{hub.ErrPasswordTooLong, "Password too long: at most 1024 bytes. Nothing changed."},
		{hub.ErrNoAccounts, "This server does not register names."},
		{fmt.Errorf("register: %w", hub.ErrUnavailable), "Not done: the server cannot keep it just now. Try again in a moment."},
		// An error of the store might say anything: it is not shown.
		{errors.New("disk I/O error at hunter2"), "Not done: something went wrong on the server. Try again later."},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, wording.AccountError(tt.err))
		})
	}
}

func TestPasswordPrompts(t *testing.T) {
	assert.Equal(t, "alice is registered; password: ", wording.PasswordFor("alice"))
	assert.Equal(t, "Type your name, alice, to end its registration (anything else keeps it): ", wording.UnregisterConfirm("alice"))
}
