package loadtest_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/loadtest"
	"github.com/anseo/anseo/internal/web"
)

// nextMessage reads from w until a message event arrives, and returns it.
func nextMessage(t *testing.T, w *loadtest.WSClient) loadtest.WSEvent {
	t.Helper()
	for {
		evs, err := w.Next()
		require.NoError(t, err)
		for _, ev := range evs {
			if ev.Type == "message" {
				return ev
			}
		}
	}
}

func TestWSClientReadsAnseo(t *testing.T) {
	// The server pings every millisecond and blocks its writer until the
	// pong: a client that did not answer would get nothing more.
	telnetAddr, httpURL := startAnseo(t, web.Config{PingInterval: time.Millisecond})
	alice, err := loadtest.DialWeb(t.Context(), httpURL, "alice")
	require.NoError(t, err)
	defer alice.Close()

	bob, err := net.Dial("tcp", telnetAddr)
	require.NoError(t, err)
	require.NoError(t, bob.SetDeadline(time.Now().Add(30*time.Second)))
	br := bufio.NewReader(bob)
	_, err = br.ReadString('\n') // the prompt
	require.NoError(t, err)
	_, err = io.WriteString(bob, "bob\r\n")
	require.NoError(t, err)
	welcome, err := br.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "Welcome, bob!\r\n", welcome)
	var drained sync.WaitGroup
	drained.Go(func() { _, _ = io.Copy(io.Discard, br) }) // bob's echoes must not back up
	defer func() {
		bob.Close()
		drained.Wait()
	}()

	text := `he said "hi" \ {[,]} – ü \"`
	_, err = io.WriteString(bob, text+"\r\n")
	require.NoError(t, err)
	msg := nextMessage(t, alice)
	assert.Equal(t, "bob", msg.From)
	assert.Equal(t, `he said \"hi\" \\ {[,]} – ü \\\"`, msg.Text, "raw, as on the wire")
	var unescaped string
	require.NoError(t, json.Unmarshal([]byte(`"`+msg.Text+`"`), &unescaped))
	assert.Equal(t, text, unescaped)

	for i := 0; alice.Pongs() < 3; i++ {
		require.Less(t, i, 10_000, "pings answered: %d", alice.Pongs())
		tick := "tick " + strconv.Itoa(i)
		_, err = io.WriteString(bob, tick+"\r\n")
		require.NoError(t, err)
		assert.Equal(t, tick, nextMessage(t, alice).Text)
	}
}

func TestSaturateAgainstAnseoOverWebSocket(t *testing.T) {
	// A saturated room makes the server batch events into arrays, and
	// frequent pings interleave with them.
	_, httpURL := startAnseo(t, web.Config{PingInterval: time.Millisecond})
	res, err := loadtest.Run(t.Context(), loadtest.Config{
		Scenario: loadtest.Saturate, Target: "anseo", HTTPURL: httpURL,
		Web: 30, Senders: 3, Window: 16, Duration: time.Second,
	})
	require.NoError(t, err)
	assert.Equal(t, "ws", res.Transport)
	assert.Equal(t, uint64(30*29/2), res.JoinDeliveries)
	assert.Positive(t, res.Deliveries)
	assert.Equal(t, res.Sent*29, res.Expected)
	assert.Equal(t, res.Expected, res.Received, "closed-loop senders lose nothing")
	assert.Zero(t, res.Lost)
	assert.Zero(t, res.Dupes)
	assert.Zero(t, res.Dropped, "%v", res.DropNotes)
}

// TestFanoutInRoomsOverWebSocket: web users move to their rooms, part the
// default room, join quiet rooms, and hear their own room's senders alone;
// every notice of the storm and the moves is accounted for.
func TestFanoutInRoomsOverWebSocket(t *testing.T) {
	_, httpURL := startAnseo(t, web.Config{})
	res, err := loadtest.Run(t.Context(), loadtest.Config{
		Scenario: loadtest.Fanout, Target: "anseo", HTTPURL: httpURL,
		Web: 20, Rooms: 2, MemberRooms: 2, Senders: 2, Rate: 100, Duration: time.Second, JoinBatch: 10,
	})
	require.NoError(t, err)
	// Two batches of ten meet in the default room and move on; two rooms
	// of ten see each other come, and each group of ten its two quiet
	// rooms.
	assert.Equal(t, uint64(45+45+2*45+2*2*45), res.JoinDeliveries)
	assert.Greater(t, res.Sent, uint64(25), "about 100 messages in a second")
	assert.Equal(t, res.Sent*9, res.Expected, "every message is due to the nine others in its room")
	assert.Equal(t, res.Expected, res.Received)
	assert.Zero(t, res.Strays)
	assert.Zero(t, res.Dupes)
	assert.Zero(t, res.Dropped, "%v", res.DropNotes)
}
