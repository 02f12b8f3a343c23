package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

func TestCloseFor(t *testing.T) {
	tests := []struct {
		name   string
		reason hub.Reason
		code   websocket.StatusCode
		text   string
	}{
		{name: "shutdown is going away", reason: hub.ReasonShutdown, code: 1001, text: "server shutting down"},
		{name: "too slow has its own code", reason: hub.ReasonTooSlow, code: 4008, text: "too slow"},
		{name: "quit is a normal closure", reason: hub.ReasonQuit, code: 1000, text: "bye"},
		{name: "moved has its own code", reason: hub.ReasonMoved, code: 4009, text: "continued on another server"},
		{name: "lost touch has its own code", reason: hub.ReasonLost, code: 4014, text: "this server lost touch with the others"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, text := closeFor(tc.reason)
			assert.Equal(t, tc.code, code)
			assert.Equal(t, tc.text, text)
		})
	}
}

func TestJoinRefusal(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code websocket.StatusCode
	}{
		{name: "taken", err: hub.ErrNameTaken, code: 4001},
		{name: "invalid", err: &hub.NameError{Reason: "it is empty"}, code: 4002},
		{name: "hub stopped", err: hub.ErrClosed, code: 1001},
		{name: "cluster unreachable has its own code, not the full server's 1013", err: hub.ErrUnavailable, code: 4013},
		{name: "anything else", err: errors.New("boom"), code: 1011},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, reason := joinRefusal(tc.err)
			assert.Equal(t, tc.code, code)
			assert.LessOrEqual(t, len(reason), 123)
		})
	}
}

func TestResumeFrom(t *testing.T) {
	tests := []struct {
		name, query, cookie string
		want                resume
	}{
		{name: "none", query: "", want: resume{}},
		{name: "the page's: token in the cookie, after in the query", query: "after=42", cookie: "abc", want: resume{token: "abc", after: 42}},
		{name: "a program's: token and after in the query", query: "token=abc&after=42", want: resume{token: "abc", after: 42}},
		{name: "the cookie wins", query: "token=old", cookie: "abc", want: resume{token: "abc"}},
		{name: "token alone", query: "token=abc", want: resume{token: "abc"}},
		{name: "after not a number counts as none", query: "token=abc&after=-1", want: resume{token: "abc"}},
		{name: "a token too long to be one is ignored", query: "token=" + strings.Repeat("x", 65), want: resume{}},
		{name: "in the cookie too", cookie: strings.Repeat("x", 65), want: resume{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/ws?"+tc.query, nil)
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: resumeCookie, Value: tc.cookie})
			}
			assert.Equal(t, tc.want, resumeFrom(r))
		})
	}
}

func TestEncodeReplay(t *testing.T) {
	for _, tc := range []struct {
		kind hub.Kind
		rk   hub.ReplayKind
		want string
	}{
		{hub.KindReplayBegin, hub.ReplayHistory, `{"type":"replay","phase":"begin","kind":"history"}`},
		{hub.KindReplayEnd, hub.ReplayMissed, `{"type":"replay","phase":"end","kind":"missed"}`},
		{hub.KindReplayBegin, hub.ReplayHistory, `{"type":"replay","phase":"begin","kind":"history","room":"#help"}`},
	} {
		var room string
		if strings.Contains(tc.want, "#help") {
			room = "#help"
		}
		got, err := encodeEvent(&hub.Event{Kind: tc.kind, Replay: tc.rk, Room: room}, nil)
		assert.NoError(t, err)
		assert.JSONEq(t, tc.want, string(got))
	}
}

// TestDecodeRooms: a say names its room or means the default one; join and
// part are the commands that do them, as typed in the room they concern.
func TestDecodeRooms(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     request
		code     string // of the error, if it is refused
	}{
		{name: "a say without a room is the default room's", in: `{"type":"say","text":"hi"}`, want: request{Text: "hi"}},
		{name: "a say in a room", in: `{"type":"say","text":"hi","room":"#help"}`, want: request{Room: "#help", Text: "hi"}},
		{name: "a room without its #", in: `{"type":"say","text":"hi","room":"help"}`, want: request{Room: "#help", Text: "hi"}},
		{name: "a room that breaks the name rules", in: `{"type":"say","text":"hi","room":"#a b","ref":"r1"}`, code: errCodeBadRoom},
		{name: "an empty room", in: `{"type":"say","text":"hi","room":""}`, code: errCodeBadRoom},
		{name: "join", in: `{"type":"join","room":"#help","ref":"r2"}`, want: request{Text: "/join #help", Ref: "r2"}},
		{name: "join without a room", in: `{"type":"join"}`, code: errCodeBadRequest},
		{name: "join of a bad name", in: `{"type":"join","room":"#<b>"}`, code: errCodeBadRoom},
		{name: "part", in: `{"type":"part","room":"#help"}`, want: request{Room: "#help", Text: "/part #help"}},
		{name: "part with a reason of several lines", in: `{"type":"part","room":"#help","reason":" see you\nlater "}`, want: request{Room: "#help", Text: "/part #help see you later"}},
		{name: "part with a reason too long", in: `{"type":"part","room":"#help","reason":"` + strings.Repeat("x", 4096) + `"}`, code: errCodeTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeClient([]byte(tc.in), 4096)
			if tc.code != "" {
				perr, ok := errors.AsType[*protocolError](err)
				require.True(t, ok, "refused with a protocol error, not %v", err)
				assert.Equal(t, tc.code, perr.code)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestCloseReasonFits(t *testing.T) {
	long := ""
	for range 100 {
		long += "é"
	}
	r := closeReason(long)
	assert.LessOrEqual(t, len(r), 123)
	assert.True(t, utf8.ValidString(r))
}

func TestFormatTime(t *testing.T) {
	at := time.Date(2026, 5, 1, 16, 3, 7, 123456789, time.FixedZone("CEST", 2*3600))
	assert.Equal(t, "2026-05-01T14:03:07.123Z", formatTime(at))
	assert.Equal(t, "2026-05-01T14:03:07.000Z", formatTime(at.Truncate(time.Second)))
}

// FuzzDecodeClient: any bytes from a client either decode to a say within
// the limits or give a protocol error the client is sent; nothing panics.
func FuzzDecodeClient(f *testing.F) {
	for _, seed := range []string{
		`{"type":"say","text":"hi","ref":"r1"}`,
		`{"type":"leaving"}`,
		`{"type":"say","text":""}`,
		`{"type":"say"}`,
		`{"type":"shout"}`,
		`{"type":1}`,
		`[]`,
		`null`,
		`{"type":"say","text":"\u0000\ud800","ref":null}`,
		`{"type":"say","text":"hi","room":"#help"}`,
		`{"type":"say","text":"hi","room":"#no room"}`,
		`{"type":"join","room":"help"}`,
		`{"type":"part","room":"#help","reason":"see you\nlater"}`,
		`{"type":"part"}`,
		"{\"type\":\"say\",\"text\":\"\xff\xfe\"}",
	} {
		f.Add([]byte(seed))
	}
	const maxText = 64
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decodeClient(data, maxText)
		if err != nil {
			var perr *protocolError
			if !errors.As(err, &perr) {
				t.Fatalf("not a protocol error: %v", err)
			}
			var e struct{ Type, Code, Text string }
			if jerr := json.Unmarshal(encodeError(perr), &e); jerr != nil || e.Type != "error" || e.Code == "" || e.Text == "" {
				t.Fatalf("bad error message for %v: %v", perr, jerr)
			}
			return
		}
		if len(s.Text) > maxText || len(s.Ref) > MaxRefBytes {
			t.Fatalf("over the limits: %d bytes of text, %d of ref", len(s.Text), len(s.Ref))
		}
		if !utf8.ValidString(s.Text) || !utf8.ValidString(s.Ref) {
			t.Fatalf("invalid UTF-8 got through: %q %q", s.Text, s.Ref)
		}
	})
}

func TestBatchFrames(t *testing.T) {
	one := closeBatch(appendBatch(nil, []byte(`{"type":"a"}`), 0), 1)
	assert.Equal(t, `{"type":"a"}`, string(one.payload()), "one message is sent as it is")

	var batch []byte
	for i, m := range []string{`{"type":"a"}`, `{"type":"b"}`, `{"type":"c"}`} {
		batch = appendBatch(batch, []byte(m), i)
	}
	frame := closeBatch(batch, 3)
	var msgs []map[string]string
	require.NoError(t, json.Unmarshal(frame.payload(), &msgs), "%s", frame)
	assert.Equal(t, []map[string]string{{"type": "a"}, {"type": "b"}, {"type": "c"}}, msgs)
}
