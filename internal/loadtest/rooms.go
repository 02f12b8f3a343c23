package loadtest

import (
	"fmt"
	"strconv"
	"strings"
)

// Rooms: how a run spreads its members over rooms (docs/performance.md,
// "Rooms"). Everyone arrives in the default room, as every anseo user does;
// with more than one room, each member then moves to its own, client i to
// room i mod Rooms (so the senders, the first clients, are spread over the
// rooms), and may join MemberRooms more rooms where nobody speaks.
//
// What a member sees is then known in advance, which is what the checks
// need:
//
//  1. A message reaches every other member of its sender's room, and
//     nobody else: a message from a room a member is not in is counted
//     (Result.Strays) and fails the run.
//  2. Join notices: the moves happen a join batch at a time, each batch
//     settled (every move confirmed, every notice seen) before the next
//     connects, so the default room holds one batch at a time and every
//     member sees the joins of those who come into its rooms after it. The
//     total is counted by replaying the plan (joinPlan), whatever order the
//     server takes a batch's requests in.

// defaultRoom is where every anseo user arrives (hub.DefaultRoom; repeated
// because the tool speaks to the server as any client, without its code).
const defaultRoom = "#lobby"

// quietGroup is how many members share each quiet room (Config.MemberRooms):
// enough that the rooms are rooms, with people in them and their join
// notices, few enough that joining 49 of them stays cheap.
const quietGroup = 10

// layout is a run's rooms.
type layout struct {
	rooms int // rooms spoken in; 1: the default room alone
	quiet int // quiet rooms each member is also in
	n     int // members
}

// plain is the layout of a run without rooms: everyone in the default room
// and nowhere else, as before rooms existed.
func (l layout) plain() bool { return l.rooms <= 1 && l.quiet == 0 }

// roomOf is the room client i speaks and listens in.
func (l layout) roomOf(i int) int {
	if l.rooms <= 1 {
		return 0
	}
	return i % l.rooms
}

// roomName is room k's name: the default room when there is one room.
func (l layout) roomName(k int) string {
	if l.rooms <= 1 {
		return defaultRoom
	}
	return "#load-" + strconv.Itoa(k+1)
}

// size is how many members room k has.
func (l layout) size(k int) int {
	if l.rooms <= 1 {
		return l.n
	}
	n := l.n / l.rooms
	if k < l.n%l.rooms {
		n++
	}
	return n
}

// quietName is the j-th quiet room of client i.
func (l layout) quietName(i, j int) string {
	return "#quiet-" + strconv.Itoa(j+1) + "-" + strconv.Itoa(i/quietGroup+1)
}

// totalRooms is how many rooms the layout makes on a fresh server, the
// default room included.
func (l layout) totalRooms() int {
	n := 1
	if l.rooms > 1 {
		n += l.rooms
	}
	return n + l.quiet*((l.n+quietGroup-1)/quietGroup)
}

// commands are what client i types once it has joined: the moves to its
// rooms. A web user is in every room it joins until it parts, so it parts
// the default room to be in its own room only; a telnet user is in one room
// at a time, and /join moves it.
func (l layout) commands(i int, kind Transport) []string {
	var cmds []string
	if l.rooms > 1 {
		cmds = append(cmds, "/join "+l.roomName(l.roomOf(i)))
		if kind == WebSocket {
			cmds = append(cmds, "/part "+defaultRoom)
		}
	}
	for j := range l.quiet {
		cmds = append(cmds, "/join "+l.quietName(i, j))
	}
	return cmds
}

// String describes the layout in a table: "10 × 100", "1 × 1000 + 49".
func (l layout) String() string {
	rooms := max(l.rooms, 1)
	s := strconv.Itoa(rooms) + " × " + strconv.Itoa(l.n/rooms)
	if l.n%rooms != 0 {
		s += "–" + strconv.Itoa(l.n/rooms+1)
	}
	if l.quiet > 0 {
		s += " + " + strconv.Itoa(l.quiet)
	}
	return s
}

// joinPlan counts what a join storm should bring, batch by batch: the join
// notices every member sees (each of the others' arrivals in the default
// room while it is there, and of their joins to its rooms after it), and
// the confirmations of the moves (a telnet user's "* You are now in …", a
// web user's room message, and its own departure from the default room).
type joinPlan struct {
	l        layout
	inLobby  int
	inRoom   map[string]int
	notices  uint64
	confirms uint64
}

func newJoinPlan(l layout) *joinPlan { return &joinPlan{l: l, inRoom: map[string]int{}} }

// arrive counts clients [from, to) arriving in the default room.
func (p *joinPlan) arrive(from, to int) {
	for range to - from {
		p.notices += uint64(p.inLobby)
		p.inLobby++
	}
}

// move counts the moves of clients [from, to), of the kinds kind(i) says.
func (p *joinPlan) move(from, to int, kind func(int) Transport) {
	for i := from; i < to; i++ {
		for _, cmd := range p.l.commands(i, kind(i)) {
			p.confirms++
			room, ok := strings.CutPrefix(cmd, "/join ")
			if !ok {
				continue // the web user's own departure: nobody else is told of it here
			}
			p.notices += uint64(p.inRoom[room])
			p.inRoom[room]++
		}
	}
	if p.l.rooms > 1 { // everyone in the batch has left the default room
		p.inLobby -= to - from
	}
}

// parseLayouts parses the suite's -rooms: "1,10,1+49" is one room, ten
// rooms, and one room whose members are each in 49 quiet rooms too.
func parseLayouts(s string) ([]layout, error) {
	var out []layout
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		rooms, quiet, hasQuiet := strings.Cut(f, "+")
		var l layout
		var err error
		if l.rooms, err = strconv.Atoi(strings.TrimSpace(rooms)); err != nil || l.rooms < 1 {
			return nil, fmt.Errorf("bad layout %q: want ROOMS or ROOMS+QUIET, e.g. 10 or 1+49", f)
		}
		if hasQuiet {
			if l.quiet, err = strconv.Atoi(strings.TrimSpace(quiet)); err != nil || l.quiet < 0 {
				return nil, fmt.Errorf("bad layout %q: want ROOMS or ROOMS+QUIET, e.g. 10 or 1+49", f)
			}
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no layout (want e.g. 1 or 1,10,1+49)")
	}
	return out, nil
}
