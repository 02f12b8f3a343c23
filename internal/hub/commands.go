package hub

import (
	"errors"
	"slices"
	"strings"
	"unicode"
)

// This file is the command registry, in the manner of ssh-chat's
// chat/command.go: a command is one entry, what /help says about it beside
// the handler that runs it, and /help lists the entries. A handler changes
// the room through the same functions as everything else (broadcast,
// active, rename, removePerson) and returns what only its caller is told:
// a typed Notice, which each transport puts into words, or nil when the
// room's events say it all. Commands are the same on every transport.

// CommandInfo describes a command as /help lists it.
type CommandInfo struct {
	// Name is what follows the "/", in lower case: "msg".
	Name string
	// Usage shows how to type it, its arguments in capitals:
	// "/msg NAME TEXT".
	Usage string
	// Help says in a few words what it does.
	Help string
}

// command is one entry of the registry. run handles it on the hub
// goroutine; req.text holds its arguments, trimmed.
type command struct {
	CommandInfo
	run func(h *Hub, req request) *Notice
	// lines: its text may have several lines, as a message's (/me, /msg);
	// other commands' arguments are joined into one line.
	lines bool
	// op: it is for operators; /help lists it only to them.
	op bool
}

// commands is the registry, in the order /help lists it. It is filled in
// by init because /help's answer is made from it.
var commands []command

// helpList is what /help shows an operator: every entry, then how to
// send a line that starts with "/" (parseCommand); userHelp what it shows
// everyone else, without the operators' commands. Shared by every help
// notice.
var helpList, userHelp []CommandInfo

func init() {
	commands = []command{
		{CommandInfo{"help", "/help", "this list"}, (*Hub).cmdHelp, false, false},
		{CommandInfo{"who", "/who [#ROOM]", "who is in the room, how they are connected, whether away and for how long idle"}, (*Hub).cmdWho, false, false},
		{CommandInfo{"rooms", "/rooms", "every room, how many are in it and its topic"}, (*Hub).cmdRooms, false, false},
		{CommandInfo{"join", "/join #ROOM", "go into a room, making it if it is new"}, (*Hub).cmdJoin, false, false},
		{CommandInfo{"part", "/part [#ROOM] [REASON]", "leave a room (this one if you name none)"}, (*Hub).cmdPart, false, false},
		{CommandInfo{"topic", "/topic [TEXT]", "show the room's topic, or set it to TEXT"}, (*Hub).cmdTopic, false, false},
		{CommandInfo{"me", "/me ACTION", "do something: /me waves shows as \"** alice waves\""}, (*Hub).cmdMe, true, false},
		{CommandInfo{"msg", "/msg NAME TEXT", "say TEXT to NAME alone"}, (*Hub).cmdMsg, true, false},
		{CommandInfo{"nick", "/nick NEW", "change your name"}, (*Hub).rename, false, false},
		{CommandInfo{"away", "/away [REASON]", "mark yourself away; anything you say brings you back"}, (*Hub).cmdAway, false, false},
		{CommandInfo{"back", "/back", "mark yourself back"}, (*Hub).cmdBack, false, false},
		{CommandInfo{"quit", "/quit [REASON]", "leave, with parting words if you like"}, (*Hub).cmdQuit, false, false},
		{CommandInfo{"register", "/register", "protect your name with a password"}, (*Hub).cmdRegisterHow, false, false},
		{CommandInfo{"password", "/password", "change your name's password"}, (*Hub).cmdRegisterHow, false, false},
		{CommandInfo{"unregister", "/unregister", "end your name's registration"}, (*Hub).cmdRegisterHow, false, false},
		{CommandInfo{"motd", "/motd [TEXT]", "show the message of the day; operators: set it (/motd - clears it)"}, (*Hub).cmdMotd, false, false},
		{CommandInfo{"kick", "/kick NAME [REASON]", "operators: put someone out (of this room, for its operators)"}, (*Hub).cmdKick, false, true},
		{CommandInfo{"mute", "/mute NAME [DURATION] [REASON]", "operators: let someone read but not speak (10m, 2h, 7d; none: until /unmute)"}, (*Hub).cmdMute, false, true},
		{CommandInfo{"unmute", "/unmute NAME", "operators: let someone speak again"}, (*Hub).cmdUnmute, false, true},
		{CommandInfo{"ban", "/ban NAME|ADDRESS [DURATION] [REASON]", "operators: keep a name, or an address, out"}, (*Hub).cmdBan, false, true},
		{CommandInfo{"unban", "/unban NAME|ADDRESS", "operators: end a ban"}, (*Hub).cmdUnban, false, true},
		{CommandInfo{"bans", "/bans", "operators: the bans in force"}, (*Hub).cmdBans, false, true},
		{CommandInfo{"op", "/op NAME", "room operators: make a registered name an operator of this room"}, (*Hub).cmdOp, false, true},
		{CommandInfo{"deop", "/deop NAME", "room operators: end someone's operator rights here"}, (*Hub).cmdDeop, false, true},
		{CommandInfo{"remove", "/remove ID", "room operators: remove a message from this room"}, (*Hub).cmdRemove, false, true},
		{CommandInfo{"modlog", "/modlog", "operators: what operators did lately"}, (*Hub).cmdModlog, false, true},
	}
	escape := CommandInfo{Usage: "//text", Help: "send text that starts with /"}
	for _, c := range commands {
		helpList = append(helpList, c.CommandInfo)
		if !c.op {
			userHelp = append(userHelp, c.CommandInfo)
		}
	}
	// Clipped, so that appending to a notice's copy cannot write into them.
	helpList = slices.Clip(append(helpList, escape))
	userHelp = slices.Clip(append(userHelp, escape))
}

// Commands returns the commands, in the order /help lists them.
func Commands() []CommandInfo { return slices.Clone(helpList[:len(commands)]) }

// parseCommand splits "/name args" into its parts. "//…" and text that does
// not start with "/" are not commands.
func parseCommand(text string) (name, args string, ok bool) {
	if !strings.HasPrefix(text, "/") || strings.HasPrefix(text, "//") {
		return "", "", false
	}
	name, args = cutWord(text[1:])
	return strings.ToLower(name), args, true
}

// cutWord splits text at its first white space (a space or a line break:
// "/me" may be followed by a line of its own) into the word before it and
// the rest, trimmed.
func cutWord(text string) (word, rest string) {
	i := strings.IndexFunc(text, unicode.IsSpace)
	if i < 0 {
		return text, ""
	}
	return text[:i], strings.TrimSpace(text[i:])
}

// lookup returns the registry's entry called name, or nil.
func lookup(name string) *command {
	for i := range commands {
		if commands[i].Name == name {
			return &commands[i]
		}
	}
	return nil
}

// command runs the command req names and tells its caller the outcome, if
// the room's events do not. Hub goroutine only.
func (h *Hub) command(req request) {
	c := lookup(req.name)
	if c == nil {
		h.tell(req.conn, &Notice{Kind: NoticeUnknownCommand, Command: CommandInfo{Name: req.name}})
		return
	}
	if !c.lines {
		req.text = oneLine(req.text) // an away reason, parting words: shown on one line
	}
	if n := c.run(h, req); n != nil {
		h.tell(req.conn, n)
	}
}

// usage is the outcome of a command typed without what it needs.
func usage(req request) *Notice {
	return &Notice{Kind: NoticeUsage, Command: lookup(req.name).CommandInfo}
}

func (h *Hub) cmdHelp(req request) *Notice {
	if h.roomOp(req.conn.person, h.roomAsked(req)) {
		return &Notice{Kind: NoticeHelp, Commands: helpList}
	}
	return &Notice{Kind: NoticeHelp, Commands: userHelp}
}

func (h *Hub) cmdWho(req request) *Notice {
	r := h.roomAsked(req)
	if req.text != "" {
		var n *Notice
		if r, n = h.namedRoom(req.text); n != nil {
			return n
		}
	}
	if r == nil {
		return h.noRoom(req, r)
	}
	info := r.info()
	return &Notice{Kind: NoticeWho, Room: &info, People: h.roster(r, -1, nil).People}
}

func (h *Hub) cmdMe(req request) *Notice {
	if req.text == "" {
		return usage(req)
	}
	r := h.speakingIn(req)
	if r == nil || h.silenced(req, r) {
		return nil
	}
	m := req.conn
	p := m.person
	h.active(p)
	h.broadcast(&Event{Kind: KindAction, Room: r.name, room: r, Name: p.displayName(), Text: req.text, sender: p, conn: m, ref: req.ref, words: req.words})
	return nil
}

func (h *Hub) cmdMsg(req request) *Notice {
	to, text := cutWord(req.text)
	if to == "" || text == "" {
		return usage(req)
	}
	target := h.byKey[nameKeyOf(to)]
	if target == nil {
		return &Notice{Kind: NoticeNoSuchName, Name: to}
	}
	if h.silenced(req, nil) {
		return nil
	}
	m := req.conn
	p := m.person
	h.active(p)
	h.broadcast(&Event{Kind: KindPrivate, Name: p.displayName(), To: target.displayName(), ToSession: target.session, Text: text, sender: p, conn: m, target: target, ref: req.ref})
	return nil
}

func (h *Hub) cmdAway(req request) *Notice {
	p := req.conn.person
	p.wantAway = true
	h.broadcast(&Event{Kind: KindAway, Name: p.displayName(), Away: true, Text: req.text, sender: p})
	return nil
}

func (h *Hub) cmdBack(req request) *Notice {
	p := req.conn.person
	if !p.wantAway {
		return &Notice{Kind: NoticeNotAway}
	}
	h.active(p)
	return nil
}

func (h *Hub) cmdQuit(req request) *Notice {
	h.removePerson(req.conn.person, ReasonQuit, req.text, false)
	return nil
}

// asNameError is err as the *NameError that CheckName refuses a name
// with; should another error ever come, its text is the reason.
func asNameError(err error) *NameError {
	nameErr := &NameError{Reason: err.Error()}
	errors.As(err, &nameErr)
	return nameErr
}

// nameKeyOf is nameKey for a name that may not be valid: an invalid one
// matches nobody.
func nameKeyOf(name string) string {
	display, err := CheckName(name)
	if err != nil {
		return ""
	}
	return nameKey(display)
}

// rename is /nick: it gives the person of req.member the name in req.text,
// if it is valid and free. The member's goroutine has claimed the new name
// already (Conn.claimNewName); the claim is released if the rename does
// not happen, and the old name once the rename is in the log (change).
func (h *Hub) rename(req request) *Notice {
	p := req.conn.person
	display, err := CheckName(req.text)
	if err != nil {
		return &Notice{Kind: NoticeNameInvalid, NameError: asNameError(err)}
	}
	old := p.displayName()
	newKey := nameKey(display)
	renamed := false
	defer func() {
		if req.claimed && !renamed {
			h.opts.Names.Release(newKey)
		}
	}()
	switch { // the registry decides who has a name, not who the room lists
	case h.mutedAnywhere(req):
		return nil // a mute goes by name: a new one would shake it off
	case errors.Is(req.err, ErrNameTaken):
		return &Notice{Kind: NoticeNameTaken, Name: display}
	case errors.Is(req.err, errNameRegistered):
		return &Notice{Kind: NoticeNameRegistered, Name: display}
	case req.err != nil: // ErrUnavailable
		h.log.Warn("claiming a new name failed", "err", req.err)
		return &Notice{Kind: NoticeNameUnavailable}
	case display == old:
		return nil
	}
	h.active(p) // back, if away, under the name everyone knows
	if renamed = h.append(&Event{Kind: KindRenamed, Name: old, NewName: display, sender: p}, nil); !renamed {
		return &Notice{Kind: NoticeNotSent}
	}
	p.setName(display) // its further entries carry the new name
	return nil
}
