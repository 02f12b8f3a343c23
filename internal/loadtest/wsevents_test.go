package loadtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scanned is a wsEvent as strings, for comparisons.
type scanned struct{ typ, from, name, text, room, phase string }

func scanAll(frame string) ([]scanned, error) {
	var out []scanned
	sc := eventScanner{b: []byte(frame)}
	for sc.next() {
		ev := &sc.ev
		out = append(out, scanned{string(ev.typ), string(ev.from), string(ev.name), string(ev.text), string(ev.room), string(ev.phase)})
	}
	return out, sc.err
}

func TestEventScanner(t *testing.T) {
	msg := `{"type":"message","id":43,"time":"2026-05-01T14:03:10.517Z","from":"bob","text":"L 1 2 3"}`
	tests := []struct {
		name  string
		frame string
		want  []scanned
	}{
		{name: "one message is its own frame", frame: msg,
			want: []scanned{{typ: "message", from: "bob", text: "L 1 2 3"}}},
		{name: "a batch is an array handled in order",
			frame: `[` + msg + `,{"type":"joined","id":44,"time":"t","name":"carol","transport":"web"},{"type":"left","id":45,"name":"dan","reason":"quit"}]`,
			want: []scanned{
				{typ: "message", from: "bob", text: "L 1 2 3"},
				{typ: "joined", name: "carol"},
				{typ: "left", name: "dan"},
			}},
		{name: "an empty batch has no messages", frame: ` [ ] `},
		{name: "rooms and replays are read",
			frame: `[{"type":"replay","phase":"begin","kind":"history","room":"#help"},{"type":"message","room":"#help","from":"bob","text":"hi"},{"type":"replay","phase":"end","room":"#help"}]`,
			want: []scanned{
				{typ: "replay", room: "#help", phase: "begin"},
				{typ: "message", from: "bob", text: "hi", room: "#help"},
				{typ: "replay", room: "#help", phase: "end"},
			}},
		{name: "escaped quotes do not end the text",
			frame: `{"type":"message","from":"bob","text":"he said \"hi\", {not} [json]"}`,
			want:  []scanned{{typ: "message", from: "bob", text: `he said \"hi\", {not} [json]`}}},
		{name: "an escaped backslash before the quote ends the text",
			frame: `[{"type":"message","text":"C:\\","from":"bob"},{"type":"message","text":"\\\"x\\\\","from":"eve"}]`,
			want: []scanned{
				{typ: "message", from: "bob", text: `C:\\`},
				{typ: "message", from: "eve", text: `\\\"x\\\\`},
			}},
		{name: "nested values are skipped, fields inside them ignored",
			frame: `{"type":"welcome","you":"ann","resumed":false,"members":[{"name":"bob","text":"x","away":true},{"name":"c]}\""}],"time":"t","maxTextBytes":2000,"name":"ann"}`,
			want:  []scanned{{typ: "welcome", name: "ann"}}},
		{name: "space between tokens is allowed",
			frame: "[ {\n\"type\" : \"message\" , \"text\" : \"a\" } ,\t{ } ]",
			want:  []scanned{{typ: "message", text: "a"}, {}}},
		{name: "keys that begin as read ones do are not them",
			frame: `{"type":"message","names":"a","name":"n","texts":"b","roomy":"c","from" :"f","time":"t"}`,
			want:  []scanned{{typ: "message", name: "n", from: "f"}}},
		{name: "a message's type may come later, or with space",
			frame: `[{"id":1,"type":"message","text":"a"},{ "type":"message" ,"text":"b" }]`,
			want:  []scanned{{typ: "message", text: "a"}, {typ: "message", text: "b"}}},
		{name: "unknown fields and types are passed over",
			frame: `{"type":"renamed","id":1,"name":"bob","newName":"rob","x":null,"y":-1.5e3}`,
			want:  []scanned{{typ: "renamed", name: "bob"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := scanAll(tc.frame)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestEventScannerRefusesMalformedFrames(t *testing.T) {
	for _, frame := range []string{
		``,
		`"type"`,
		`{"type":"message","text":"unterminated}`,
		`{"type" "message"}`,
		`{"type":"a"} {"type":"b"}`,
		`[{"type":"a"} {"type":"b"}]`,
		`[{"type":"a"},`,
		`[{"type":"a"}`,
		`{"type":"a","members":[{"name":"b"}`,
		`[1]`,
	} {
		t.Run(frame, func(t *testing.T) {
			_, err := scanAll(frame)
			assert.Error(t, err)
		})
	}
}

// FuzzEventScanner: any frame scans without panicking, and a frame that is
// valid JSON of the protocol's shape scans to what encoding/json decodes.
func FuzzEventScanner(f *testing.F) {
	for _, seed := range []string{
		`{"type":"message","id":43,"time":"2026-05-01T14:03:10.517Z","from":"bob","text":"L 1 2 3"}`,
		`[{"type":"message","text":"a\"b\\"},{"type":"joined","name":"c"}]`,
		`{"type":"welcome","members":[{"name":"a"}],"name":"b"}`,
		`[]`,
		`[{}]`,
		`{"text":"\u0041\n"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		var got []scanned
		sc := eventScanner{b: frame}
		for sc.next() {
			ev := &sc.ev
			got = append(got, scanned{string(ev.typ), string(ev.from), string(ev.name), string(ev.text), string(ev.room), string(ev.phase)})
		}
		var one map[string]any
		var batch []map[string]any
		var want []map[string]any
		switch {
		case json.Unmarshal(frame, &one) == nil && one != nil:
			want = []map[string]any{one}
		case json.Unmarshal(frame, &batch) == nil && batch != nil && !containsNil(batch):
			want = batch
		default:
			return // not the protocol's shape: only "no panic" holds
		}
		require.NoError(t, sc.err, "valid frame %q", frame)
		require.Len(t, got, len(want))
		if strings.Contains(string(frame), `\u`) {
			return // a key may be escaped ("t\u0079pe"): the scanner compares keys raw
		}
		for i, m := range want {
			for key, raw := range map[string]string{"type": got[i].typ, "from": got[i].from, "name": got[i].name, "text": got[i].text, "room": got[i].room, "phase": got[i].phase} {
				v, isString := m[key].(string)
				if !isString || strings.Count(string(frame), `"`+key+`"`) != 1 {
					continue // absent, not a string, repeated or nested: nothing promised
				}
				var unescaped string
				require.NoError(t, json.Unmarshal([]byte(`"`+raw+`"`), &unescaped), "%s %q", key, raw)
				assert.Equal(t, v, unescaped, "field %s of message %d in %q", key, i, frame)
			}
		}
	})
}

func containsNil(ms []map[string]any) bool {
	for _, m := range ms {
		if m == nil {
			return true
		}
	}
	return false
}

// benchFrame is a batch as the server sends it in a saturated room.
func benchFrame(events int) []byte {
	var b []byte
	b = append(b, '[')
	for i := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"message","id":`...)
		b = strconv.AppendInt(b, int64(1000+i), 10)
		b = append(b, `,"time":"2026-05-01T14:03:10.517Z","from":"ltabcdw7","text":"`...)
		b = appendText(b, i%10, uint64(i), 0)
		b = append(b, `"}`...)
	}
	return append(b, ']')
}

func BenchmarkEventScanner(b *testing.B) {
	const events = 100
	frame := benchFrame(events)
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		sc := eventScanner{b: frame}
		n := 0
		for sc.next() {
			if string(sc.ev.typ) == "message" && len(sc.ev.text) > 0 {
				n++
			}
		}
		if n != events || sc.err != nil {
			b.Fatal(n, sc.err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
}

// BenchmarkReceive compares the cost per delivery of the two receive paths,
// from bytes read to a message accounted for: the WebSocket one should be
// within a small factor of the telnet one, or the tool measures itself.
func BenchmarkReceive(b *testing.B) {
	const senders, perFrame, msgs = 10, 50, 5000
	var telnet, ws, frame []byte
	for i := range msgs {
		text := appendText(nil, i%senders, uint64(i/senders), 0)
		telnet = append(append(append(telnet, "<ltabcdt1> "...), text...), "\r\n"...)
		if len(frame) == 0 {
			frame = append(frame, '[')
		} else {
			frame = append(frame, ',')
		}
		frame = append(frame, `{"type":"message","id":`...)
		frame = strconv.AppendInt(frame, int64(1000+i), 10)
		frame = append(frame, `,"time":"2026-05-01T14:03:10.517Z","from":"ltabcdw1","text":"`...)
		frame = append(append(frame, text...), `"}`...)
		if (i+1)%perFrame == 0 {
			ws = append(ws, serverFrame(true, wsText, string(append(frame, ']')))...)
			frame = frame[:0]
		}
	}
	newClient := func() *client {
		r := &run{senders: make([]*sender, senders)}
		for i := range r.senders {
			r.senders[i] = &sender{pending: make([]atomic.Int32, 64), expected: 1 << 30}
		}
		return &client{r: r, sender: -1, next: make([]uint64, senders), lat: new(hist)}
	}
	check := func(b *testing.B, c *client) {
		if c.got.Load() != msgs || c.lost != 0 || c.dupes != 0 {
			b.Fatalf("got %d, lost %d, dupes %d", c.got.Load(), c.lost, c.dupes)
		}
	}
	b.Run("telnet", func(b *testing.B) {
		for b.Loop() {
			c := newClient()
			c.in.r = bytes.NewReader(telnet)
			c.br = bufio.NewReaderSize(&c.in, telnetBufBytes)
			c.receiveTelnet()
			check(b, c)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*msgs), "ns/delivery")
	})
	b.Run("ws", func(b *testing.B) {
		for b.Loop() {
			c := newClient()
			c.ws = &wsConn{in: stampedReader{r: bytes.NewReader(ws)}, limit: wsReadLimit}
			c.ws.br = bufio.NewReaderSize(&c.ws.in, wsBufBytes)
			c.receiveWS()
			check(b, c)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*msgs), "ns/delivery")
	})
}
