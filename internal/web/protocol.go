package web

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/wording"
)

// This file is the WebSocket protocol of docs/protocol.md in Go: the close
// codes, the JSON messages and the one pair of functions that encode and
// decode them. Keep the two in step; the tests in ws_test.go use only what
// the document says.

// Application close codes (4000–4999 are the application's own, RFC 6455
// §7.4.2). The reason text sent with each is for people; clients act on the
// code.
const (
	// CloseNameTaken: someone else joined with the name between the login and
	// the WebSocket join. The page returns to the login form.
	CloseNameTaken websocket.StatusCode = 4001
	// CloseNameInvalid: the name in the cookie breaks the name rules; the
	// close reason says which.
	CloseNameInvalid websocket.StatusCode = 4002
	// CloseNotLoggedIn: the request had no name cookie.
	CloseNotLoggedIn websocket.StatusCode = 4003
	// ClosePasswordRequired: the cookie's name is registered and the
	// browser's login is not logged in to it (its login expired, or
	// someone registered the name since). The page returns to the login
	// form, which asks for the password.
	ClosePasswordRequired websocket.StatusCode = 4004
	// CloseTooSlow: the client did not read its messages fast enough and the
	// server cut it off rather than let it hold up the room. Reconnecting is fine.
	CloseTooSlow websocket.StatusCode = 4008
	// CloseMoved: in a cluster, the user resumed on a connection to another
	// node, which now holds them. Reconnecting would take them back.
	CloseMoved websocket.StatusCode = 4009
	// CloseKicked: an operator kicked the person off the server
	// (hub.ReasonKicked). The moderation event before it said who and
	// why. Joining again is allowed; the page does not do it by itself.
	CloseKicked websocket.StatusCode = 4010
	// CloseBanned: a ban keeps the person off the server: it was banned
	// while here (hub.ReasonBanned), or its join was refused by one
	// (hub.BannedError, whose words are the close reason). Reconnecting is
	// refused until the ban ends.
	CloseBanned websocket.StatusCode = 4011
	// CloseUnavailable: the room cannot take the join just now
	// (hub.ErrUnavailable): its history cannot be written, or, in a cluster,
	// the node could not reach the others to agree on the name. Reconnecting
	// is fine. Like the
	// standard 1013 (try again later), which the server sends only when it is
	// full, but a code of its own so that a client can tell the two apart.
	CloseUnavailable websocket.StatusCode = 4013
	// CloseLost: in a cluster, the node was out of touch with the others for
	// so long that the user's name was freed and others were told they left
	// (hub.ReasonLost). Reconnecting rejoins.
	CloseLost websocket.StatusCode = 4014
	// CloseTooMany: the client's address has as many connections open as it
	// may (Config.Limiter). The server as a whole being full is the standard
	// 1013, try again later.
	CloseTooMany websocket.StatusCode = 4029
)

// Close reasons. Each is shorter than the 123 bytes a close frame allows.
const (
	reasonQuit        = "bye"
	reasonShutdown    = "server shutting down"
	reasonTooSlow     = "too slow"
	reasonNameTaken   = "name taken"
	reasonNotLogged   = "not logged in"
	reasonBinary      = "binary messages are not supported"
	reasonInternal    = "internal error"
	reasonTooMany     = "too many connections from your address"
	reasonFull        = "server full"
	reasonUnavailable = "the server cannot let anyone in just now"
	reasonMoved       = "continued on another server"
	reasonLost        = "this server lost touch with the others"
	reasonPassword    = "the name is registered: log in with its password"
	reasonKicked      = "kicked by an operator"
	reasonBanned      = "banned by an operator"
)

// Error codes of the error message: stable words a client can switch on.
const (
	errCodeBadRequest  = "bad_request"  // not a JSON object with a string type, or a bad field
	errCodeUnknownType = "unknown_type" // a type this server does not know
	errCodeTooLong     = "too_long"     // say text over the limit
	errCodeTooFast     = "too_fast"     // flood control refused a say
	errCodeBadRoom     = "bad_room"     // a room name that breaks the name rules
	// Answers to register, password and unregister.
	errCodeWeakPassword  = "weak_password"      // shorter than hub.MinPasswordLen characters
	errCodeRegistered    = "already_registered" // register of a name that is registered
	errCodeNotRegistered = "not_registered"     // password or unregister without being logged in to the name's account
	errCodeNoAccounts    = "no_accounts"        // this server registers no names
	errCodeUnavailable   = "unavailable"        // the accounts could not be reached: try again
)

// Limits of the protocol, documented in docs/protocol.md.
const (
	// DefaultMaxTextBytes is the longest message text, in bytes of UTF-8:
	// the hub's own default limit, so that the two agree.
	DefaultMaxTextBytes = hub.DefaultMaxTextBytes
	// DefaultMaxTextLines is the most lines a message text may have: the
	// hub's own default.
	DefaultMaxTextLines = hub.DefaultMaxTextLines
	// DefaultReadLimit bounds one client message on the wire. JSON escaping
	// can make the text up to six times longer than itself (\u0000 for one
	// byte), and 16 KiB leaves room for a maximal text in the common case;
	// anything bigger closes the socket with 1009.
	DefaultReadLimit int64 = 16 << 10
	// MaxRefBytes bounds the ref of a say. The server echoes it back, so it
	// must not be a way to make the server send large messages.
	MaxRefBytes = 64
)

// timeLayout is RFC 3339 with milliseconds, always in UTC ("Z").
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// Server → client messages. Field order and names are the protocol.

type memberJSON struct {
	Name       string `json:"name"`
	Transport  string `json:"transport"`
	Since      string `json:"since"`
	Away       bool   `json:"away"`
	AwayReason string `json:"awayReason,omitempty"`
	LastActive string `json:"lastActive"`
	Registered bool   `json:"registered,omitempty"`
	Operator   bool   `json:"operator,omitempty"`
	RoomOp     bool   `json:"roomOp,omitempty"`
}

type welcomeMsg struct {
	Type         string       `json:"type"`
	You          string       `json:"you"`
	Token        string       `json:"token"`
	Resumed      bool         `json:"resumed"`
	History      bool         `json:"history"`
	Time         string       `json:"time"`
	Members      []memberJSON `json:"members"`
	MemberCount  int          `json:"memberCount"`
	MembersAsOf  uint64       `json:"membersAsOf"`
	Room         string       `json:"room"`
	Rooms        []string     `json:"rooms"`
	MaxTextBytes int          `json:"maxTextBytes"`
	MaxTextLines int          `json:"maxTextLines"`
}

type joinedMsg struct {
	Type       string `json:"type"`
	ID         uint64 `json:"id"`
	Time       string `json:"time"`
	Room       string `json:"room,omitempty"`
	Name       string `json:"name"`
	Transport  string `json:"transport"`
	Registered bool   `json:"registered,omitempty"`
	Operator   bool   `json:"operator,omitempty"`
	RoomOp     bool   `json:"roomOp,omitempty"`
}

// joinsMsg is several joins into one room at once (hub.KindJoins), in a
// storm of joins: each person as its own joined would say, with the time
// of the last, which is at most a tenth of a second after the first.
type joinsMsg struct {
	Type   string       `json:"type"`
	ID     uint64       `json:"id"`
	Time   string       `json:"time"`
	Room   string       `json:"room,omitempty"`
	People []joinerJSON `json:"people"`
}

// joinerJSON is one person of a joins message: a joined's fields that are
// the person's own.
type joinerJSON struct {
	ID         uint64 `json:"id"`
	Name       string `json:"name"`
	Transport  string `json:"transport"`
	Registered bool   `json:"registered,omitempty"`
	Operator   bool   `json:"operator,omitempty"`
	RoomOp     bool   `json:"roomOp,omitempty"`
}

// leftMsg has a room when its person left that room alone (/part), none
// when they left the server and so every room.
type leftMsg struct {
	Type   string `json:"type"`
	ID     uint64 `json:"id"`
	Time   string `json:"time"`
	Room   string `json:"room,omitempty"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
	Text   string `json:"text,omitempty"`
}

// topicMsg: Name set Room's topic to Text, "" clearing it.
type topicMsg struct {
	Type string `json:"type"`
	ID   uint64 `json:"id"`
	Time string `json:"time"`
	Room string `json:"room"`
	Name string `json:"name"`
	Text string `json:"text"`
}

// roomMsg tells every connection of a person that it is in Room now
// (hub.NoticeJoinedRoom): what the welcome says of the default room, for
// the room joined.
type roomMsg struct {
	Type        string       `json:"type"`
	Room        string       `json:"room"`
	Topic       string       `json:"topic"`
	TopicBy     string       `json:"topicBy,omitempty"`
	TopicAt     string       `json:"topicAt,omitempty"`
	Members     []memberJSON `json:"members"`
	MemberCount int          `json:"memberCount"`
	MembersAsOf uint64       `json:"membersAsOf"`
}

// messageMsg is a message or an action ("type" says which); privateMsg adds
// the recipient.
type messageMsg struct {
	Type     string   `json:"type"`
	ID       uint64   `json:"id"`
	Time     string   `json:"time"`
	Room     string   `json:"room,omitempty"`
	From     string   `json:"from"`
	Text     string   `json:"text"`
	Mentions []string `json:"mentions,omitempty"`
	Own      bool     `json:"own,omitempty"`
	Ref      string   `json:"ref,omitempty"`
	// Removed: an operator removed it; Text is empty.
	Removed bool `json:"removed,omitempty"`
}

type privateMsg struct {
	Type string `json:"type"`
	ID   uint64 `json:"id"`
	Time string `json:"time"`
	From string `json:"from"`
	To   string `json:"to"`
	Text string `json:"text"`
	Own  bool   `json:"own,omitempty"`
	Ref  string `json:"ref,omitempty"`
}

type renamedMsg struct {
	Type    string `json:"type"`
	ID      uint64 `json:"id"`
	Time    string `json:"time"`
	Name    string `json:"name"`
	NewName string `json:"newName"`
}

type awayMsg struct {
	Type   string `json:"type"`
	ID     uint64 `json:"id"`
	Time   string `json:"time"`
	Name   string `json:"name"`
	Away   bool   `json:"away"`
	Reason string `json:"reason,omitempty"`
}

// moderationMsg is what an operator did (hub.KindModeration), with the
// announcement in words (Says). Address prefixes are for operators alone
// (/bans, /modlog): never here.
type moderationMsg struct {
	Type    string `json:"type"`
	ID      uint64 `json:"id"`
	Time    string `json:"time"`
	Room    string `json:"room,omitempty"`
	Name    string `json:"name"`
	Action  string `json:"action"`
	Target  string `json:"target,omitempty"`
	Message uint64 `json:"message,omitempty"`
	Until   string `json:"until,omitempty"`
	Text    string `json:"text,omitempty"`
	Says    string `json:"says"`
}

// accountMsg: Name registered its name, or ended its account
// (hub.KindAccount). Says is what its own connections show.
type accountMsg struct {
	Type       string `json:"type"`
	ID         uint64 `json:"id"`
	Time       string `json:"time"`
	Name       string `json:"name"`
	Registered bool   `json:"registered"`
	Says       string `json:"says"`
}

// doneMsg answers a register, password or unregister request that
// succeeded.
type doneMsg struct {
	Type    string `json:"type"`
	Request string `json:"request"`
	Ref     string `json:"ref,omitempty"`
}

type noticeMsg struct {
	Type string `json:"type"`
	ID   uint64 `json:"id"`
	Time string `json:"time"`
	Text string `json:"text"`
	// Code says what a notice means for a client to act on: "muted", what
	// its person said reached nobody.
	Code string `json:"code,omitempty"`
}

type replayMsg struct {
	Type  string `json:"type"`
	Phase string `json:"phase"`
	Kind  string `json:"kind"`
	Room  string `json:"room,omitempty"`
}

type errorMsg struct {
	Type string `json:"type"`
	Code string `json:"code"`
	Text string `json:"text"`
	Ref  string `json:"ref,omitempty"`
}

// welcome is what the first message of a connection says beyond the member
// itself.
type welcome struct {
	// Resumed: the connection attached to the person its token named,
	// rather than joining afresh.
	Resumed bool
	// History: GET /history and /history/search answer (the hub has a Store).
	History      bool
	MaxTextBytes int
	MaxTextLines int
	Now          time.Time
}

// encodeWelcome renders the first message of every connection. Its members
// are the default room's; the other rooms the person is in have theirs at
// GET /roster?room=.
func encodeWelcome(m *hub.Conn, w welcome) ([]byte, error) {
	roster := m.Roster()
	rooms := m.Rooms()
	if rooms == nil {
		rooms = []string{} // "rooms":[] rather than null: a person in no room yet
	}
	return json.Marshal(welcomeMsg{
		Type: "welcome", You: m.Name(), Token: m.Token(), Resumed: w.Resumed, History: w.History,
		Time: formatTime(w.Now), Members: membersJSON(roster.People), MemberCount: roster.Count, MembersAsOf: roster.AsOf,
		Room: hub.DefaultRoom, Rooms: rooms,
		MaxTextBytes: w.MaxTextBytes, MaxTextLines: w.MaxTextLines,
	})
}

func membersJSON(people []hub.Presence) []memberJSON {
	members := make([]memberJSON, len(people))
	for i, p := range people {
		members[i] = memberJSON{
			Name: p.Name, Transport: string(p.Transport), Since: formatTime(p.Since),
			Away: p.Away, AwayReason: p.AwayReason, LastActive: formatTime(p.LastActive),
			Registered: p.Registered, Operator: p.Operator, RoomOp: p.RoomOp,
		}
	}
	return members
}

// encodeEvent renders ev as m sees it: only the connection that sent a
// message gets its ref back, and every connection of its sender sees own.
func encodeEvent(ev *hub.Event, m *hub.Conn) ([]byte, error) {
	return encodeEventAs(ev, ev.From(m), ev.Ref(m))
}

// encodeEventAs encodes ev for a reader for whom it is own (sent by the
// same person) and carries ref (sent on the same connection) or not.
func encodeEventAs(ev *hub.Event, own bool, ref string) ([]byte, error) {
	t := formatTime(ev.Time)
	switch ev.Kind {
	case hub.KindJoined:
		return json.Marshal(joinedMsg{
			Type: "joined", ID: ev.ID, Time: t, Room: ev.Room, Name: ev.Name, Transport: string(ev.Transport),
			Registered: ev.Registered, Operator: ev.Operator, RoomOp: ev.RoomOp,
		})
	case hub.KindJoins:
		msg := joinsMsg{Type: "joins", ID: ev.ID, Time: t, Room: ev.Room, People: make([]joinerJSON, len(ev.Joins))}
		for i, j := range ev.Joins {
			msg.People[i] = joinerJSON{ID: j.ID, Name: j.Name, Transport: string(j.Transport), Registered: j.Registered, Operator: j.Operator, RoomOp: j.RoomOp}
		}
		return json.Marshal(msg)
	case hub.KindLeft:
		return json.Marshal(leftMsg{Type: "left", ID: ev.ID, Time: t, Room: ev.Room, Name: ev.Name, Reason: ev.Reason.String(), Text: ev.Text})
	case hub.KindMessage, hub.KindAction:
		return json.Marshal(messageMsg{
			Type: kindType(ev.Kind), ID: ev.ID, Time: t, Room: ev.Room, From: ev.Name, Text: ev.Text,
			Mentions: ev.Mentions, Own: own, Ref: ref, Removed: ev.Removed,
		})
	case hub.KindTopic:
		return json.Marshal(topicMsg{Type: "topic", ID: ev.ID, Time: t, Room: ev.Room, Name: ev.Name, Text: ev.Text})
	case hub.KindPrivate:
		return json.Marshal(privateMsg{Type: "private", ID: ev.ID, Time: t, From: ev.Name, To: ev.To, Text: ev.Text, Own: own, Ref: ref})
	case hub.KindRenamed:
		return json.Marshal(renamedMsg{Type: "renamed", ID: ev.ID, Time: t, Name: ev.Name, NewName: ev.NewName})
	case hub.KindAway:
		return json.Marshal(awayMsg{Type: "away", ID: ev.ID, Time: t, Name: ev.Name, Away: ev.Away, Reason: ev.Text})
	case hub.KindModeration:
		return json.Marshal(encodeModeration(ev, t))
	case hub.KindAccount:
		return json.Marshal(accountMsg{Type: "account", ID: ev.ID, Time: t, Name: ev.Name, Registered: ev.Registered, Says: wording.Account(ev)})
	case hub.KindNotice:
		if n := ev.Notice; n != nil && n.Kind == hub.NoticeJoinedRoom && n.Room != nil {
			return json.Marshal(encodeRoom(n))
		}
		msg := noticeMsg{Type: "notice", ID: ev.ID, Time: t, Text: wording.Notice(ev)}
		if ev.Notice != nil && ev.Notice.Kind == hub.NoticeMuted {
			msg.Code = "muted"
		}
		return json.Marshal(msg)
	case hub.KindReplayBegin, hub.KindReplayEnd:
		phase := "begin"
		if ev.Kind == hub.KindReplayEnd {
			phase = "end"
		}
		return json.Marshal(replayMsg{Type: "replay", Phase: phase, Kind: replayKind(ev.Replay), Room: ev.Room})
	}
	return nil, errors.New("web: unknown event kind " + ev.Kind.String())
}

// encodeModeration is the moderation message of a KindModeration entry.
func encodeModeration(ev *hub.Event, t string) moderationMsg {
	msg := moderationMsg{Type: "moderation", ID: ev.ID, Time: t, Room: ev.Room, Name: ev.Name, Text: ev.Text, Says: wording.Moderation(ev, false)}
	if m := ev.Moderation; m != nil {
		msg.Action, msg.Target, msg.Message = m.Action.String(), m.Target, m.Message
		if !m.Until.IsZero() {
			msg.Until = formatTime(m.Until)
		}
	}
	return msg
}

// encodeRoom is the room message of a NoticeJoinedRoom: the room's topic
// and its members (the first hundred and the joiner, as a welcome lists).
func encodeRoom(n *hub.Notice) roomMsg {
	r := n.Room
	msg := roomMsg{Type: "room", Room: r.Name, Topic: r.Topic, TopicBy: r.TopicBy, Members: []memberJSON{}, MemberCount: r.Members}
	if r.Topic != "" && !r.TopicAt.IsZero() {
		msg.TopicAt = formatTime(r.TopicAt)
	}
	if n.Roster != nil {
		msg.Members, msg.MemberCount, msg.MembersAsOf = membersJSON(n.Roster.People), n.Roster.Count, n.Roster.AsOf
	}
	return msg
}

// storedJSON renders a saved event (a message or an action) for GET
// /history, in the same shape as the WebSocket's: nobody's own, no ref.
// session is the reader's (sessionOf): its own are marked own, whatever
// name they were said under.
func storedJSON(ev *hub.Event, session string) messageMsg {
	own := session != "" && ev.Session == session
	return messageMsg{Type: kindType(ev.Kind), ID: ev.ID, Time: formatTime(ev.Time), From: ev.Name, Text: ev.Text, Own: own, Removed: ev.Removed}
}

func kindType(k hub.Kind) string {
	if k == hub.KindAction {
		return "action"
	}
	return "message"
}

func replayKind(k hub.ReplayKind) string {
	if k == hub.ReplayMissed {
		return "missed"
	}
	return "history"
}

func encodeError(e *protocolError) []byte {
	b, err := json.Marshal(errorMsg{Type: "error", Code: e.code, Text: e.text, Ref: e.ref})
	if err != nil {
		panic(err) // three strings always encode
	}
	return b
}

// Client → server.

// request is what a client asks: to say Text in Room (Ref, if given, comes
// back on the sender's own copy of the message), or, Leaving, to tell the
// server that it is going away on purpose (its page is closing). A join
// or a part is the command that does it ("/join #help"), as if typed.
//
// Account, if set, is instead a request about the person's registered name
// ("register", "password" or "unregister"), with the new Password (never
// for unregister). It is answered with done, or an error, with Ref.
type request struct {
	Leaving  bool
	Room     string // display form; "" for the default room
	Text     string
	Ref      string
	Account  string
	Password string // never logged: a request is logged by its error code alone
}

// protocolError is a client mistake that the server answers with an error
// message, keeping the connection open.
type protocolError struct {
	code string
	text string
	ref  string
}

func (e *protocolError) Error() string { return e.code + ": " + e.text }

func tooLong(maxTextBytes int, ref string) *protocolError {
	return &protocolError{code: errCodeTooLong, text: "message too long: the limit is " + strconv.Itoa(maxTextBytes) + " bytes", ref: ref}
}

// sayRefusal turns the hub's refusal of a say into the error its sender is
// sent, or returns nil if err is no refusal (the hub stopped, say).
func sayRefusal(err error, maxTextBytes, maxTextLines int, ref string) *protocolError {
	switch {
	case errors.Is(err, hub.ErrTooManyLines):
		return &protocolError{code: errCodeTooLong, text: "message too long: the limit is " + strconv.Itoa(maxTextLines) + " lines", ref: ref}
	case errors.Is(err, hub.ErrTooLong):
		return tooLong(maxTextBytes, ref)
	case errors.Is(err, hub.ErrFlood):
		return &protocolError{code: errCodeTooFast, text: "you are sending too fast: wait a moment, then try again", ref: ref}
	}
	return nil
}

// clientMsg is the shape every client message is decoded into. Unknown
// fields are ignored, so clients may add their own.
type clientMsg struct {
	Type     *string `json:"type"`
	Text     *string `json:"text"`
	Ref      *string `json:"ref"`
	Room     *string `json:"room"`
	Reason   *string `json:"reason"`
	Password *string `json:"password"`
}

// decodeClient parses one client message. It returns a *protocolError for
// anything the protocol does not allow.
func decodeClient(data []byte, maxTextBytes int) (request, error) {
	var msg clientMsg
	if err := json.Unmarshal(data, &msg); err != nil || msg.Type == nil {
		return request{}, &protocolError{code: errCodeBadRequest, text: "messages are JSON objects with a string field \"type\""}
	}
	switch *msg.Type {
	case "leaving":
		return request{Leaving: true}, nil
	case "say", "join", "part", "register", "password", "unregister":
	default:
		return request{}, &protocolError{code: errCodeUnknownType, text: "unknown message type"}
	}
	var s request
	if msg.Ref != nil {
		if len(*msg.Ref) > MaxRefBytes {
			return request{}, &protocolError{code: errCodeBadRequest, text: "ref is longer than 64 bytes"}
		}
		s.Ref = *msg.Ref
	}
	switch *msg.Type {
	case "register", "password":
		if msg.Password == nil {
			return request{}, &protocolError{code: errCodeBadRequest, text: *msg.Type + " needs a string field \"password\"", ref: s.Ref}
		}
		if len(*msg.Password) > hub.MaxPasswordLen {
			return request{}, &protocolError{code: errCodeBadRequest, text: "password longer than " + strconv.Itoa(hub.MaxPasswordLen) + " bytes", ref: s.Ref}
		}
		s.Account, s.Password = *msg.Type, *msg.Password
		return s, nil
	case "unregister":
		s.Account = *msg.Type
		return s, nil
	}
	if msg.Room != nil || *msg.Type != "say" {
		room, err := roomParam(msg.Room, s.Ref)
		if err != nil {
			return request{}, err
		}
		s.Room = room
	}
	switch *msg.Type {
	case "join":
		// Typed in the default room: the room to join is not yet one
		// the person is in.
		s.Text, s.Room = "/join "+s.Room, ""
		return s, nil
	case "part":
		s.Text = "/part " + s.Room
		if msg.Reason != nil {
			// One line, as typed after the command: the words go to the
			// room as the part's text.
			if reason := strings.Join(strings.Fields(*msg.Reason), " "); reason != "" {
				s.Text += " " + reason
			}
		}
		if len(s.Text) > maxTextBytes {
			return request{}, tooLong(maxTextBytes, s.Ref)
		}
		return s, nil
	}
	if msg.Text == nil {
		return request{}, &protocolError{code: errCodeBadRequest, text: "say needs a string field \"text\"", ref: s.Ref}
	}
	if len(*msg.Text) > maxTextBytes {
		return request{}, tooLong(maxTextBytes, s.Ref)
	}
	s.Text = *msg.Text
	return s, nil
}

// accountRefusal turns the hub's refusal of a register, password or
// unregister request into the error its sender is sent, or returns nil if
// err is no refusal (the hub stopped, say). The hub's errors never hold
// the password.
func accountRefusal(err error, ref string) *protocolError {
	var code string
	switch {
	case errors.Is(err, hub.ErrPasswordTooLong): // decodeClient refuses these first
		return &protocolError{code: errCodeBadRequest, text: "password longer than " + strconv.Itoa(hub.MaxPasswordLen) + " bytes", ref: ref}
	case errors.Is(err, hub.ErrWeakPassword):
		code = errCodeWeakPassword
	case errors.Is(err, hub.ErrAlreadyRegistered):
		code = errCodeRegistered
	case errors.Is(err, hub.ErrNotRegistered):
		code = errCodeNotRegistered
	case errors.Is(err, hub.ErrNoAccounts):
		code = errCodeNoAccounts
	case errors.Is(err, hub.ErrUnavailable):
		code = errCodeUnavailable
	default:
		return nil
	}
	return &protocolError{code: code, text: wording.AccountError(err), ref: ref}
}

// roomParam checks a request's room: required (join, part: nil is
// refused) and valid as hub.CheckRoomName has it. It returns the display
// form.
func roomParam(room *string, ref string) (string, error) {
	if room == nil {
		return "", &protocolError{code: errCodeBadRequest, text: "join and part need a string field \"room\"", ref: ref}
	}
	display, err := hub.CheckRoomName(*room)
	if err != nil {
		return "", &protocolError{code: errCodeBadRoom, text: "room name invalid: " + reasonOf(err), ref: ref}
	}
	return display, nil
}

func encodeDone(request, ref string) []byte {
	b, err := json.Marshal(doneMsg{Type: "done", Request: request, Ref: ref})
	if err != nil {
		panic(err) // two strings always encode
	}
	return b
}
