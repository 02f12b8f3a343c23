package loadtest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMembersAreSpreadEvenlyAndSendersOverTheRooms(t *testing.T) {
	l := layout{rooms: 3, n: 10}
	var rooms []int
	for i := range 6 {
		rooms = append(rooms, l.roomOf(i))
	}
	assert.Equal(t, []int{0, 1, 2, 0, 1, 2}, rooms, "the first clients, the senders, one per room in turn")
	assert.Equal(t, []int{4, 3, 3}, []int{l.size(0), l.size(1), l.size(2)})
	assert.Equal(t, "#load-1", l.roomName(0))
	assert.Equal(t, "3 × 3–4", l.String())

	one := layout{rooms: 1, n: 1000, quiet: 49}
	assert.Equal(t, 0, one.roomOf(7))
	assert.Equal(t, defaultRoom, one.roomName(0), "one room is the room everyone arrives in")
	assert.Equal(t, 1000, one.size(0))
	assert.Equal(t, "1 × 1000 + 49", one.String())
	assert.Equal(t, 1+49*100, one.totalRooms())
	assert.True(t, layout{rooms: 1, n: 5}.plain())
	assert.False(t, one.plain())
}

func TestMovesToRooms(t *testing.T) {
	l := layout{rooms: 2, quiet: 2, n: 20}
	assert.Equal(t, []string{"/join #load-2", "/part #lobby", "/join #quiet-1-2", "/join #quiet-2-2"}, l.commands(13, WebSocket),
		"a web user leaves the default room, to be in its own alone")
	assert.Equal(t, []string{"/join #load-1"}, layout{rooms: 2, n: 20}.commands(4, Telnet), "a telnet user's /join moves it")
	assert.Empty(t, layout{rooms: 1, n: 20}.commands(4, WebSocket), "one room: nowhere to go")
}

// TestJoinPlanCountsEveryNoticeOnce replays a join storm by hand: who is in
// which room when each member arrives.
func TestJoinPlanCountsEveryNoticeOnce(t *testing.T) {
	web := func(int) Transport { return WebSocket }
	p := newJoinPlan(layout{rooms: 2, n: 6})
	p.arrive(0, 3) // 0, 1, 2 in the default room: 0 sees 1 and 2, 1 sees 2
	assert.Equal(t, uint64(3), p.notices)
	p.move(0, 3, web) // 0 and 2 to #load-1 (0 sees 2), 1 to #load-2; all part the default room
	assert.Equal(t, uint64(4), p.notices)
	assert.Equal(t, uint64(6), p.confirms, "a join and a part each")
	p.arrive(3, 6) // the default room holds this batch alone
	assert.Equal(t, uint64(7), p.notices)
	p.move(3, 6, web) // 3 to #load-2 (1 sees it), 4 to #load-1 (0, 2), 5 to #load-2 (1, 3)
	assert.Equal(t, uint64(12), p.notices)
	assert.Equal(t, uint64(12), p.confirms)

	telnet := newJoinPlan(layout{rooms: 2, n: 6})
	telnet.arrive(0, 6)
	telnet.move(0, 6, func(int) Transport { return Telnet })
	assert.Equal(t, uint64(15+3+3), telnet.notices, "everyone in the default room, then two rooms of three")
	assert.Equal(t, uint64(6), telnet.confirms, "a move each, confirmed once")

	quiet := newJoinPlan(layout{rooms: 1, quiet: 2, n: 20})
	quiet.arrive(0, 20)
	quiet.move(0, 20, web)
	assert.Equal(t, uint64(190+4*45), quiet.notices, "everyone stays in the default room; four quiet rooms of ten")
	assert.Equal(t, uint64(40), quiet.confirms)
}

func TestLayoutsParse(t *testing.T) {
	got, err := parseLayouts("1, 10,1+49")
	require.NoError(t, err)
	assert.Equal(t, []layout{{rooms: 1}, {rooms: 10}, {rooms: 1, quiet: 49}}, got)
	for _, bad := range []string{"", ",", "0", "x", "2+", "2+-1", "-3"} {
		_, err := parseLayouts(bad)
		assert.Error(t, err, "%q", bad)
	}
}

// TestMessagesFromAnotherRoomAreStrays: a member counts a message only if it
// comes from its own room, and labelled with it.
func TestMessagesFromAnotherRoomAreStrays(t *testing.T) {
	l := layout{rooms: 2, n: 4}
	r := &run{layout: l}
	for range 2 {
		r.senders = append(r.senders, &sender{credit: make(chan struct{}, 4), pending: make([]atomic.Int32, 4), expected: 1})
	}
	c := &client{r: r, sender: -1, room: 0, roomName: l.roomName(0), next: make([]uint64, 2), lat: new(hist)}
	now := time.Now().UnixNano()
	c.message(appendText(nil, 1, 0, 0), nil, now) // sender 1 speaks in #load-2
	c.message(appendText(nil, 0, 0, 0), []byte("#load-2"), now)
	assert.Equal(t, uint64(2), c.strays)
	assert.Zero(t, c.got.Load(), "neither is a delivery")
	assert.Zero(t, r.senders[1].completed.Load())

	c.message(appendText(nil, 0, 0, 0), []byte("#load-1"), now)
	c.message(appendText(nil, 0, 1, 0), nil, now) // the line port does not say
	assert.Equal(t, uint64(2), c.got.Load())
	assert.Equal(t, uint64(2), r.senders[0].completed.Load(), "its one receiver has both")
	assert.Equal(t, uint64(2), c.strays)
}

func TestWebSaysNameTheirRoom(t *testing.T) {
	w, srv := wsPair(t)
	c := &client{kind: WebSocket, sayRoom: "#load-3", ws: w}
	require.NoError(t, c.say([]byte("L 2 0 1")))
	require.NoError(t, c.command("/part #lobby")) // flushes both
	_, p := readClientFrame(t, srv)
	assert.JSONEq(t, `{"type":"say","room":"#load-3","text":"L 2 0 1"}`, string(p))
	_, p = readClientFrame(t, srv)
	assert.JSONEq(t, `{"type":"say","text":"/part #lobby"}`, string(p), "a command names its room itself")
}

func TestAnseoIsGivenRoomLimitsOnlyWhenALayoutNeedsThem(t *testing.T) {
	assert.Empty(t, roomLimits(layout{rooms: 1, n: 1000}), "no rooms: anseo starts as it always has")
	assert.Empty(t, roomLimits(layout{rooms: 10, n: 1000}))
	assert.Equal(t, []string{"-max-rooms", "4901"}, roomLimits(layout{rooms: 1, quiet: 49, n: 1000}))
	assert.Equal(t, []string{"-max-rooms-per-user", "61"}, roomLimits(layout{rooms: 1, quiet: 60, n: 20}))
}
