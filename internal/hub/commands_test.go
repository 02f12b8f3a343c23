package hub_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// seen is an event as these tests compare it: what it says to one reader,
// without its ID and time.
type seen struct {
	Kind    hub.Kind
	Name    string
	To      string
	NewName string
	Text    string
	Away    bool
	Reason  hub.Reason
	Own     bool   // Event.From the reader
	Ref     string // Event.Ref for the reader
	Notice  *hub.Notice
}

func seenBy(m *hub.Conn, ev *hub.Event) seen {
	return seen{
		Kind: ev.Kind, Name: ev.Name, To: ev.To, NewName: ev.NewName, Text: ev.Text,
		Away: ev.Away, Reason: ev.Reason, Own: ev.From(m), Ref: ev.Ref(m), Notice: ev.Notice,
	}
}

// told is a notice for one connection.
func told(n hub.Notice) []seen { return []seen{{Kind: hub.KindNotice, Notice: &n}} }

// fence is the line bob says after each step: everything the hub did for
// the step comes before it, in every queue, because the hub handles
// requests in the order they were sent.
const fence = "-- fence --"

// upToFence returns m's events up to bob's fence, and whether m was
// removed (its queue closed) before it.
func upToFence(t *testing.T, m *hub.Conn) (got []seen, removed bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for {
		ev, ok := m.Next(ctx)
		if !ok {
			require.NoError(t, ctx.Err(), "%s: no fence within 5s; got %+v", m.Name(), got)
			return got, true
		}
		if ev.Kind == hub.KindMessage && ev.Text == fence {
			return got, false
		}
		got = append(got, seenBy(m, ev))
	}
}

// wantHelp is /help's answer: the registry, in order, then the "//" escape.
var wantHelp = []hub.CommandInfo{
	{Name: "help", Usage: "/help", Help: "this list"},
	{Name: "who", Usage: "/who [#ROOM]", Help: "who is in the room, how they are connected, whether away and for how long idle"},
	{Name: "rooms", Usage: "/rooms", Help: "every room, how many are in it and its topic"},
	{Name: "join", Usage: "/join #ROOM", Help: "go into a room, making it if it is new"},
	{Name: "part", Usage: "/part [#ROOM] [REASON]", Help: "leave a room (this one if you name none)"},
	{Name: "topic", Usage: "/topic [TEXT]", Help: "show the room's topic, or set it to TEXT"},
	{Name: "me", Usage: "/me ACTION", Help: `do something: /me waves shows as "** alice waves"`},
	{Name: "msg", Usage: "/msg NAME TEXT", Help: "say TEXT to NAME alone"},
	{Name: "nick", Usage: "/nick NEW", Help: "change your name"},
	{Name: "away", Usage: "/away [REASON]", Help: "mark yourself away; anything you say brings you back"},
	{Name: "back", Usage: "/back", Help: "mark yourself back"},
	{Name: "quit", Usage: "/quit [REASON]", Help: "leave, with parting words if you like"},
	{Name: "register", Usage: "/register", Help: "protect your name with a password"},
	{Name: "password", Usage: "/password", Help: "change your name's password"},
	{Name: "unregister", Usage: "/unregister", Help: "end your name's registration"},
	{Name: "motd", Usage: "/motd [TEXT]", Help: "show the message of the day; operators: set it (/motd - clears it)"},
	{Usage: "//text", Help: "send text that starts with /"},
}

// TestCommands specifies every command once, for every transport: alice
// types a line (with the ref "r1"); the table says what she is told (a
// typed notice for her alone, or nothing) and what bob and carol see.
// Each row starts in a fresh room of the three, on a clock that stands
// still.
func TestCommands(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		t0 := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
		usage := func(name, use, help string) []seen {
			return told(hub.Notice{Kind: hub.NoticeUsage, Command: hub.CommandInfo{Name: name, Usage: use, Help: help}})
		}
		meUsage := usage("me", "/me ACTION", wantHelp[6].Help)
		msgUsage := usage("msg", "/msg NAME TEXT", wantHelp[7].Help)
		unknown := func(name string) []seen {
			return told(hub.Notice{Kind: hub.NoticeUnknownCommand, Command: hub.CommandInfo{Name: name}})
		}
		back := seen{Kind: hub.KindAway, Name: "alice"}
		person := func(name string, tr hub.Transport) hub.Presence {
			return hub.Presence{Name: name, Transport: tr, Since: t0, LastActive: t0}
		}
		awayAtLunch := person("alice", hub.TransportTelnet)
		awayAtLunch.Away, awayAtLunch.AwayReason = true, "lunch"

		tests := []struct {
			name   string
			before []string // what alice says first
			line   string
			alice  []seen // what she is told or sees
			room   []seen // what bob and carol see
			bob    []seen // what bob sees instead, if not room (private messages)
			quits  bool   // alice leaves: her queue closes
		}{
			{name: "/help lists the registry", line: "/help",
				alice: told(hub.Notice{Kind: hub.NoticeHelp, Commands: wantHelp})},
			{name: "/HELP in any case, arguments ignored", line: "/HELP me",
				alice: told(hub.Notice{Kind: hub.NoticeHelp, Commands: wantHelp})},

			{name: "/who lists everyone in joining order, away or not", before: []string{"/away lunch"}, line: "/who",
				alice: told(hub.Notice{Kind: hub.NoticeWho, Room: &hub.RoomInfo{Name: hub.DefaultRoom, Created: t0, Members: 3}, People: []hub.Presence{
					awayAtLunch, person("bob", hub.TransportWeb), person("carol", hub.TransportTelnet),
				}})},

			{name: "/me is an action everyone sees", line: "/me waves",
				alice: []seen{{Kind: hub.KindAction, Name: "alice", Text: "waves", Own: true, Ref: "r1"}},
				room:  []seen{{Kind: hub.KindAction, Name: "alice", Text: "waves"}}},
			{name: "/me without an action shows its usage", line: "/me   ", alice: meUsage},
			{name: "/me brings you back", before: []string{"/away"}, line: "/me is back",
				alice: []seen{back, {Kind: hub.KindAction, Name: "alice", Text: "is back", Own: true, Ref: "r1"}},
				room:  []seen{back, {Kind: hub.KindAction, Name: "alice", Text: "is back"}}},

			{name: "/msg reaches the two of them and nobody else", line: "/msg BOB  psst, bob",
				alice: []seen{{Kind: hub.KindPrivate, Name: "alice", To: "bob", Text: "psst, bob", Own: true, Ref: "r1"}},
				bob:   []seen{{Kind: hub.KindPrivate, Name: "alice", To: "bob", Text: "psst, bob"}}},
			{name: "/msg to yourself arrives once", line: "/msg alice note to self",
				alice: []seen{{Kind: hub.KindPrivate, Name: "alice", To: "alice", Text: "note to self", Own: true, Ref: "r1"}}},
			{name: "/msg without text shows its usage", line: "/msg bob", alice: msgUsage},
			{name: "/msg alone shows its usage", line: "/msg", alice: msgUsage},
			{name: "/msg to nobody", line: "/msg zed hello?",
				alice: told(hub.Notice{Kind: hub.NoticeNoSuchName, Name: "zed"})},
			{name: "/msg to a name nobody could have", line: "/msg <bob> hello?",
				alice: told(hub.Notice{Kind: hub.NoticeNoSuchName, Name: "<bob>"})},

			{name: "/nick renames, and everyone is told", line: "/nick alicia",
				alice: []seen{{Kind: hub.KindRenamed, Name: "alice", NewName: "alicia"}},
				room:  []seen{{Kind: hub.KindRenamed, Name: "alice", NewName: "alicia"}}},
			{name: "/nick to one's own name in other letters renames", line: "/nick ALICE",
				alice: []seen{{Kind: hub.KindRenamed, Name: "alice", NewName: "ALICE"}},
				room:  []seen{{Kind: hub.KindRenamed, Name: "alice", NewName: "ALICE"}}},
			{name: "/nick to one's own name does nothing", line: "/nick alice"},
			{name: "/nick to a taken name, whatever its case", line: "/nick Bob",
				alice: told(hub.Notice{Kind: hub.NoticeNameTaken, Name: "Bob"})},
			{name: "/nick to an invalid name says why", line: "/nick no way",
				alice: told(hub.Notice{Kind: hub.NoticeNameInvalid, NameError: &hub.NameError{Reason: "it may only contain letters, digits, '_', '-' and '.'"}})},
			{name: "/nick alone is an empty name", line: "/nick",
				alice: told(hub.Notice{Kind: hub.NoticeNameInvalid, NameError: &hub.NameError{Reason: "it is empty"}})},

			{name: "/nick brings you back", before: []string{"/away"}, line: "/nick alicia",
				alice: []seen{back, {Kind: hub.KindRenamed, Name: "alice", NewName: "alicia"}},
				room:  []seen{back, {Kind: hub.KindRenamed, Name: "alice", NewName: "alicia"}}},

			{name: "/away with a reason", line: "/away  lunch ",
				alice: []seen{{Kind: hub.KindAway, Name: "alice", Away: true, Text: "lunch"}},
				room:  []seen{{Kind: hub.KindAway, Name: "alice", Away: true, Text: "lunch"}}},
			{name: "/away without one", line: "/away",
				alice: []seen{{Kind: hub.KindAway, Name: "alice", Away: true}},
				room:  []seen{{Kind: hub.KindAway, Name: "alice", Away: true}}},
			{name: "/back after /away", before: []string{"/away"}, line: "/back",
				alice: []seen{back}, room: []seen{back}},
			{name: "/back when not away", line: "/back",
				alice: told(hub.Notice{Kind: hub.NoticeNotAway})},
			{name: "saying anything brings you back", before: []string{"/away"}, line: "hi",
				alice: []seen{back, {Kind: hub.KindMessage, Name: "alice", Text: "hi", Own: true, Ref: "r1"}},
				room:  []seen{back, {Kind: hub.KindMessage, Name: "alice", Text: "hi"}}},

			{name: "/quit leaves with parting words", line: "/quit see you", quits: true,
				room: []seen{{Kind: hub.KindLeft, Name: "alice", Reason: hub.ReasonQuit, Text: "see you"}}},
			{name: "/quit without any", line: "/quit", quits: true,
				room: []seen{{Kind: hub.KindLeft, Name: "alice", Reason: hub.ReasonQuit}}},

			{name: "// sends a line that starts with /", line: "//shrug",
				alice: []seen{{Kind: hub.KindMessage, Name: "alice", Text: "/shrug", Own: true, Ref: "r1"}},
				room:  []seen{{Kind: hub.KindMessage, Name: "alice", Text: "/shrug"}}},

			{name: "an unknown command", line: "/dance", alice: unknown("dance")},
			{name: "an unknown command, named in lower case", line: "/DANCE now", alice: unknown("dance")},
			{name: "a lone slash", line: "/", alice: unknown("")},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := k.startHub(t, hub.Options{Now: func() time.Time { return t0 }, Flood: noFlood})
				alice := join(t, h, "alice")
				bob, err := h.Join(t.Context(), "bob", hub.JoinOptions{Transport: hub.TransportWeb})
				require.NoError(t, err)
				carol := join(t, h, "carol")
				everyone := []*hub.Conn{alice, bob, carol}
				for _, line := range tt.before {
					require.NoError(t, alice.Say(t.Context(), line, ""))
				}
				require.NoError(t, bob.Say(t.Context(), fence, ""))
				for _, m := range everyone {
					upToFence(t, m) // the joins and what came before
				}

				require.NoError(t, alice.Say(t.Context(), tt.line, "r1"))
				require.NoError(t, bob.Say(t.Context(), fence, ""))
				got, removed := upToFence(t, alice)
				assert.Equal(t, tt.alice, got, "alice")
				assert.Equal(t, tt.quits, removed, "alice removed")
				wantBob := tt.room
				if tt.bob != nil {
					wantBob = tt.bob
				}
				got, _ = upToFence(t, bob)
				assert.Equal(t, wantBob, got, "bob")
				got, _ = upToFence(t, carol)
				assert.Equal(t, tt.room, got, "carol")
				if tt.quits {
					assert.Equal(t, hub.ReasonQuit, alice.Reason())
					assert.NoError(t, h.Check(t.Context(), "alice"), "her name is free at once")
				}
			})
		}
	})
}
