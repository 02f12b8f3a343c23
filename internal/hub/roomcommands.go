package hub

import (
	"strings"
	"unicode/utf8"
)

// This file holds the commands about rooms: /rooms, /join, /part, /topic.
// Like the others (commands.go), each runs on the hub goroutine and returns
// what only its caller is told.

// speakingIn returns the room req was typed in, if its person is in it;
// otherwise it tells them there is no such room for them, and returns nil.
func (h *Hub) speakingIn(req request) *room {
	r := h.roomAsked(req)
	if r == nil || r.members[req.conn.person] == nil {
		h.tell(req.conn, h.noRoom(req, r))
		return nil
	}
	return r
}

func (h *Hub) cmdRooms(request) *Notice {
	return &Notice{Kind: NoticeRooms, Rooms: h.roomList()}
}

// cmdJoin is /join #ROOM: the person goes into the room, which is made if
// it is new. A one-room person leaves the room it is in first.
func (h *Hub) cmdJoin(req request) *Notice {
	name, _ := cutWord(req.text)
	if name == "" {
		return usage(req)
	}
	display, err := CheckRoomName(name)
	if err != nil {
		return &Notice{Kind: NoticeRoomNameInvalid, Name: name, NameError: asNameError(err)}
	}
	p := req.conn.person
	key := roomKeyOf(display)
	r := h.rooms[key]
	switch {
	case r != nil && r.members[p] != nil:
		return &Notice{Kind: NoticeAlreadyInRoom, Name: r.name}
	case r == nil && len(h.rooms) >= h.opts.MaxRooms:
		return &Notice{Kind: NoticeTooManyRooms, Count: h.opts.MaxRooms}
	case !p.oneRoom && len(p.rooms) >= h.opts.MaxRoomsPerPerson:
		return &Notice{Kind: NoticeTooManyRoomsForYou, Count: h.opts.MaxRoomsPerPerson}
	case r == nil && h.opts.RoomsNeedAccount && !p.registered.Load():
		return &Notice{Kind: NoticeRoomsNeedAccount}
	}
	if err := h.banned(key, nameKey(p.displayName()), p.addr); err != nil {
		return &Notice{Kind: NoticeBanned, Banned: err.(*BannedError)}
	}
	if r != nil {
		display = r.name // as it was made, whatever the letter case typed
	}
	h.active(p)
	if p.oneRoom {
		for _, from := range p.rooms {
			h.broadcast(&Event{Kind: KindLeft, Room: from.name, room: from, Name: p.displayName(), Reason: ReasonPart, sender: p})
		}
	}
	h.broadcast(h.joining(p, display, r))
	return nil
}

// cmdPart is /part [#ROOM] [REASON]: the person leaves the room named, or
// the one it typed in. A one-room person goes back to the default room.
func (h *Hub) cmdPart(req request) *Notice {
	p := req.conn.person
	r, reason := h.roomAsked(req), req.text
	if word, rest := cutWord(req.text); strings.HasPrefix(word, "#") {
		var n *Notice
		if r, n = h.namedRoom(word); n != nil {
			return n
		}
		reason = rest
	}
	switch {
	case r == nil || r.members[p] == nil:
		return h.noRoom(req, r)
	case p.oneRoom && r == h.lobby:
		return &Notice{Kind: NoticeCannotPartDefault}
	}
	h.active(p)
	h.leave(p, r, ReasonPart, reason)
	return nil
}

// joining is the entry of p's going into the room called display (r, or
// nil if it is new), with the marks its user lists show.
func (h *Hub) joining(p *person, display string, r *room) *Event {
	return &Event{Kind: KindJoined, Room: display, room: r, Name: p.displayName(), Transport: p.transport, sender: p,
		Registered: p.registered.Load(), Operator: p.operator.Load()}
}

// leave takes p out of r, for reason (a /part, a kick, a ban): a one-room
// person goes back to the default room.
func (h *Hub) leave(p *person, r *room, reason Reason, words string) {
	h.broadcast(&Event{Kind: KindLeft, Room: r.name, room: r, Name: p.displayName(), Reason: reason, Text: words, sender: p})
	if p.oneRoom {
		h.broadcast(h.joining(p, h.lobby.name, h.lobby))
	}
}

// cmdTopic is /topic [TEXT]: without text, what the room's topic is; with
// it, the room's new topic, for everyone in it.
func (h *Hub) cmdTopic(req request) *Notice {
	r := h.roomAsked(req)
	if r == nil || r.members[req.conn.person] == nil {
		return h.noRoom(req, r)
	}
	if req.text == "" {
		info := r.info()
		return &Notice{Kind: NoticeTopic, Room: &info}
	}
	if utf8.RuneCountInString(req.text) > MaxTopicLen {
		return &Notice{Kind: NoticeTopicTooLong, Count: MaxTopicLen}
	}
	p := req.conn.person
	if h.hasOps(r) && !h.roomOp(p, r) {
		return h.notOperator(req) // a room with operators is theirs to name
	}
	h.active(p)
	h.broadcast(&Event{Kind: KindTopic, Room: r.name, room: r, Name: p.displayName(), Text: req.text, sender: p, conn: req.conn, ref: req.ref})
	return nil
}

// namedRoom is the room a command names, or the notice that there is no
// such room.
func (h *Hub) namedRoom(name string) (*room, *Notice) {
	display, err := CheckRoomName(name)
	if err != nil {
		return nil, &Notice{Kind: NoticeNoSuchRoom, Name: name}
	}
	if r := h.rooms[roomKeyOf(display)]; r != nil {
		return r, nil
	}
	return nil, &Notice{Kind: NoticeNoSuchRoom, Name: display}
}

// noRoom is the notice for a request about r, a room that does not exist
// (nil) or that its person is not in.
func (h *Hub) noRoom(req request, r *room) *Notice {
	switch {
	case r != nil:
		return &Notice{Kind: NoticeNoSuchRoom, Name: r.name}
	case req.roomName != "":
		return &Notice{Kind: NoticeNoSuchRoom, Name: req.roomName}
	}
	return &Notice{Kind: NoticeNoSuchRoom, Name: h.home(req.conn.person).name}
}
