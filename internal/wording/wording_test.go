package wording_test

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/wording"
)

func TestNotice(t *testing.T) {
	now := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		notice *hub.Notice
		text   string // the event's Text
		want   string
	}{
		{"the operator's words as they are", &hub.Notice{Kind: hub.NoticeOperator}, "Restart at 15:00 UTC.",
			"Restart at 15:00 UTC."},
		{"help: the usages make a column", &hub.Notice{Kind: hub.NoticeHelp, Commands: []hub.CommandInfo{
			{Name: "help", Usage: "/help", Help: "this list"},
			{Name: "msg", Usage: "/msg NAME TEXT", Help: "say TEXT to NAME alone"},
			{Usage: "//text", Help: "send text that starts with /"},
		}}, "",
			"Commands:\n" +
				"/help            this list\n" +
				"/msg NAME TEXT   say TEXT to NAME alone\n" +
				"//text           send text that starts with /"},
		{"who: transport, away with or without a reason, idle from a minute", &hub.Notice{Kind: hub.NoticeWho, People: []hub.Presence{
			{Name: "alice", Transport: hub.TransportTelnet, LastActive: now.Add(-59 * time.Second)},
			{Name: "bob", Transport: hub.TransportWeb, Away: true, AwayReason: "lunch", LastActive: now.Add(-90 * time.Minute)},
			{Name: "carol", Transport: hub.TransportWeb, Away: true, LastActive: now.Add(-61 * time.Second)},
		}}, "",
			"3 in #lobby:\n" +
				"alice (telnet)\n" +
				"bob (web, away: lunch, idle 1h30m0s)\n" +
				"carol (web, away, idle 1m0s)"},
		{"who in an empty room", &hub.Notice{Kind: hub.NoticeWho}, "", "0 in #lobby:"},
		{"usage", &hub.Notice{Kind: hub.NoticeUsage, Command: hub.CommandInfo{Name: "me", Usage: "/me ACTION"}}, "",
			"Usage: /me ACTION"},
		{"unknown command", &hub.Notice{Kind: hub.NoticeUnknownCommand, Command: hub.CommandInfo{Name: "dance"}}, "",
			"Unknown command /dance. Type /help for the list, or // to start a message with /."},
		{"no such name", &hub.Notice{Kind: hub.NoticeNoSuchName, Name: "nobody"}, "",
			"Nobody called nobody is here."},
		{"not away", &hub.Notice{Kind: hub.NoticeNotAway}, "", "You are not away."},
		{"name invalid", &hub.Notice{Kind: hub.NoticeNameInvalid, NameError: &hub.NameError{Reason: "it is empty"}}, "",
			"Name invalid: it is empty."},
		{"name taken", &hub.Notice{Kind: hub.NoticeNameTaken, Name: "Robert"}, "", "Name taken, or one that looks just like it: Robert."},
		{"name unavailable", &hub.Notice{Kind: hub.NoticeNameUnavailable}, "",
			"Your name cannot be changed just now: the link between servers is down. Try again in a moment."},
		{"replay gap", &hub.Notice{Kind: hub.NoticeReplayGap}, "",
			"Some of what happened while you were away is too old to replay here."},
		{"not sent", &hub.Notice{Kind: hub.NoticeNotSent}, "",
			"Not sent: the server cannot keep it just now. Try again in a moment."},
		{"waiting", &hub.Notice{Kind: hub.NoticeWaiting}, "",
			"Waiting: the server cannot keep what you just said yet; it goes out as soon as it can."},
		{"who in another room", &hub.Notice{Kind: hub.NoticeWho, Room: &hub.RoomInfo{Name: "#help"},
			People: []hub.Presence{{Name: "alice", Transport: hub.TransportWeb, LastActive: now}}}, "",
			"1 in #help:\nalice (web)"},
		{"joined a room with a topic", &hub.Notice{Kind: hub.NoticeJoinedRoom, Room: &hub.RoomInfo{Name: "#help", Topic: "ask away"},
			Roster: &hub.Roster{Count: 3}}, "",
			"You are now in #help (3 people).\nTopic: ask away"},
		{"joined an empty room", &hub.Notice{Kind: hub.NoticeJoinedRoom, Room: &hub.RoomInfo{Name: "#new"},
			Roster: &hub.Roster{Count: 1}}, "",
			"You are now in #new (1 person)."},
		{"rooms: a column of names, then members and topic", &hub.Notice{Kind: hub.NoticeRooms, Rooms: []hub.RoomInfo{
			{Name: "#lobby", Members: 12}, {Name: "#help", Members: 3, Topic: "ask away"}}}, "",
			"2 rooms:\n#lobby                  12\n#help                    3  ask away"},
		{"topic", &hub.Notice{Kind: hub.NoticeTopic, Room: &hub.RoomInfo{Name: "#help", Topic: "ask away", TopicBy: "alice"}}, "",
			"The topic of #help is: ask away (set by alice)"},
		{"no topic", &hub.Notice{Kind: hub.NoticeTopic, Room: &hub.RoomInfo{Name: "#help"}}, "",
			"#help has no topic. Set one with /topic TEXT."},
		{"no such room", &hub.Notice{Kind: hub.NoticeNoSuchRoom, Name: "#art"}, "",
			"You are not in a room called #art. /join #art goes in; /rooms lists them."},
		{"room name invalid", &hub.Notice{Kind: hub.NoticeRoomNameInvalid, NameError: &hub.NameError{Reason: "it is empty"}}, "",
			"Room name invalid: it is empty."},
		{"already in", &hub.Notice{Kind: hub.NoticeAlreadyInRoom, Name: "#help"}, "", "You are already in #help."},
		{"too many rooms", &hub.Notice{Kind: hub.NoticeTooManyRooms, Count: 1000}, "",
			"No new room: the server has 1000, as many as it keeps. /rooms lists them."},
		{"too many rooms for you", &hub.Notice{Kind: hub.NoticeTooManyRoomsForYou, Count: 50}, "",
			"You are in 50 rooms, the most one person can be in. /part one first."},
		{"topic too long", &hub.Notice{Kind: hub.NoticeTopicTooLong, Count: 300}, "", "Topic too long: at most 300 characters."},
		{"cannot part the default room", &hub.Notice{Kind: hub.NoticeCannotPartDefault}, "",
			"Everyone starts in #lobby: /join another room to leave it."},
		{"a kind this package does not know: its text", &hub.Notice{Kind: 200}, "something new", "something new"},
		{"no notice at all: its text", nil, "plain", "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := &hub.Event{Kind: hub.KindNotice, Time: now, Text: tt.text, Notice: tt.notice}
			assert.Equal(t, tt.want, wording.Notice(ev))
		})
	}
}

// TestImportsOnlyTheHub keeps the words apart from the transports that use
// them: of anseo's packages, this one knows the hub alone (and what the hub
// itself is built on).
func TestImportsOnlyTheHub(t *testing.T) {
	allowed := anseoDeps(t, "../hub")
	allowed["github.com/anseo/anseo/internal/wording"] = true
	for dep := range anseoDeps(t, ".") {
		assert.True(t, allowed[dep], "wording imports %s, which the hub does not", dep)
	}
}

// anseoDeps lists anseo's packages that the package in dir is built from.
func anseoDeps(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", dir).CombinedOutput()
	require.NoError(t, err, string(out))
	deps := map[string]bool{}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/anseo/anseo/") {
			deps[dep] = true
		}
	}
	return deps
}
