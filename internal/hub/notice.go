package hub

import "time"

// Notice is what a KindNotice event says, as data: the hub decides what a
// user is told, and each transport decides how to put it into words. Like
// its Event, a Notice is shared by every recipient and must never be
// modified; so must its slices.
type Notice struct {
	// Kind says what the notice is about and which fields below it uses.
	Kind NoticeKind
	// Command is the command concerned (NoticeUsage), or, for
	// NoticeUnknownCommand, only its Name as typed.
	Command CommandInfo
	// Commands are the commands in the order /help lists them (NoticeHelp).
	Commands []CommandInfo
	// People is everyone in Room in joining order, as they were at the
	// event's Time: the moment to count idle times from (NoticeWho).
	People []Presence
	// Name is the name asked for (NoticeNoSuchName, NoticeNameTaken).
	Name string
	// NameError says why a name was refused (NoticeNameInvalid,
	// NoticeRoomNameInvalid).
	NameError *NameError
	// Room is the room concerned (NoticeJoinedRoom, NoticeTopic, NoticeWho).
	Room *RoomInfo
	// Roster is the first members of the room joined (NoticeJoinedRoom),
	// the joiner among them.
	Roster *Roster
	// Rooms lists every room, the busiest first (NoticeRooms).
	Rooms []RoomInfo
	// Count is the limit reached (NoticeTooManyRooms,
	// NoticeTooManyRoomsForYou, NoticeTopicTooLong).
	Count int
	// Text is the message of the day (NoticeMotd).
	Text string
	// Until is when a mute ends (NoticeMuted; zero: never).
	Until time.Time
	// Bans are the bans in force (NoticeBans).
	Bans []Ban
	// Entries are the newest moderation entries, oldest first
	// (NoticeModlog).
	Entries []*Event
	// Banned says what keeps the person out of a room (NoticeBanned).
	Banned *BannedError
}

// NoticeKind says what a Notice is about. All but NoticeOperator are for
// one connection alone: the answer to a command it typed, or a note about
// what it was sent.
type NoticeKind uint8

const (
	// NoticeOperator: the server's operator says the event's Text to
	// everyone (Hub.Notice); it is shown as it is.
	NoticeOperator NoticeKind = iota + 1
	// NoticeHelp: the answer to /help, the Commands.
	NoticeHelp
	// NoticeWho: the answer to /who, the People.
	NoticeWho
	// NoticeUsage: Command lacked what it needs; Command.Usage shows how
	// to type it. Nothing happened.
	NoticeUsage
	// NoticeUnknownCommand: no command is called Command.Name (lower case,
	// without the "/"); "//" sends a line that starts with "/".
	NoticeUnknownCommand
	// NoticeNoSuchName: /msg to Name, whom nobody on the server is called.
	NoticeNoSuchName
	// NoticeNotAway: /back from someone who was not away.
	NoticeNotAway
	// NoticeNameInvalid: /nick to a name that breaks the name rules;
	// NameError says which.
	NoticeNameInvalid
	// NoticeNameTaken: /nick to Name, which someone else holds.
	NoticeNameTaken
	// NoticeNameUnavailable: /nick failed because the nodes of the cluster
	// could not be reached to agree on the name. It may work in a moment.
	NoticeNameUnavailable
	// NoticeReplayGap: within a replay of what a connection missed, some
	// of it is older than the hub still holds, and is not replayed.
	NoticeReplayGap
	// NoticeNotSent: what the connection just said or did could not be
	// kept (the history's disk is full or failing, or, in a cluster, the
	// link to the other nodes is full or down); nobody saw it. It may work
	// in a moment.
	NoticeNotSent
	// NoticeWaiting: what the connection said just before the history's
	// disk failed is waiting to be kept; it is shown, and acknowledged, once
	// it is.
	NoticeWaiting
	// NoticeJoinedRoom: the person is now in Room (its /join is in the
	// log), whose first members are Roster; that room's recent history
	// follows. Every connection of the person gets it, and a new
	// connection gets one for each room its person is in besides its home.
	NoticeJoinedRoom
	// NoticeRooms: the answer to /rooms, the Rooms.
	NoticeRooms
	// NoticeTopic: the answer to /topic without text: Room's topic (its
	// Topic "" when none is set).
	NoticeTopic
	// NoticeNoSuchRoom: Name is a room that does not exist (/topic, /who),
	// or that the person is not in (/part, or saying something there).
	NoticeNoSuchRoom
	// NoticeRoomNameInvalid: /join to a name that breaks the rules for
	// rooms ("#" and a name); NameError says which.
	NoticeRoomNameInvalid
	// NoticeAlreadyInRoom: /join of Name, a room the person is in.
	NoticeAlreadyInRoom
	// NoticeTooManyRooms: /join of a new room when the server has Count.
	NoticeTooManyRooms
	// NoticeTooManyRoomsForYou: /join when the person is in Count rooms.
	NoticeTooManyRoomsForYou
	// NoticeTopicTooLong: /topic with more than Count characters.
	NoticeTopicTooLong
	// NoticeCannotPartDefault: /part of the default room by a one-room
	// person, who must be in some room: /join another instead.
	NoticeCannotPartDefault
	// NoticeMotd: the server's message of the day, Text, shown after the
	// welcome and to whoever asks (/motd without text).
	NoticeMotd
	// NoticeRegisterHow: /register, /password or /unregister (Command)
	// reached the room as a line: the transport asks for the password on
	// its own, so that it is never typed where it shows.
	NoticeRegisterHow
	// NoticeNotOperator: Command is for operators (of the room, or of the
	// server), which the person is not.
	NoticeNotOperator
	// NoticeMuted: the person is muted (in Room, or everywhere if Room is
	// nil) until Until: what it said reached nobody.
	NoticeMuted
	// NoticeBans: the answer to /bans, the Bans.
	NoticeBans
	// NoticeModlog: the answer to /modlog, the Entries.
	NoticeModlog
	// NoticeBanned: /join of a room the person is banned from; Banned
	// says until when and why.
	NoticeBanned
	// NoticeNotBanned: /unban of Name, which no ban names.
	NoticeNotBanned
	// NoticeNoSuchMessage: /remove of a message that is not in the room.
	NoticeNoSuchMessage
	// NoticeNotRegistered: /op of Name, which is not registered: only
	// registered names can be operators.
	NoticeNotRegistered
	// NoticeNameRegistered: /nick to Name, which is registered to
	// someone else: log in with its password to use it.
	NoticeNameRegistered
	// NoticeNotMuted: /unmute of Name, who is not muted (here).
	NoticeNotMuted
	// NoticeRoomsNeedAccount: /join of a new room by a person not logged
	// in to a registered name, on a server that lets only those make
	// rooms.
	NoticeRoomsNeedAccount
)

// tell gives n to one connection alone, m.
func (h *Hub) tell(m *Conn, n *Notice) {
	h.deliverPrivate(m, &Event{Kind: KindNotice, Notice: n})
}
