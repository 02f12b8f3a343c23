package hub

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
	// People is everyone in the room in joining order, as they were at the
	// event's Time: the moment to count idle times from (NoticeWho).
	People []Presence
	// Name is the name asked for (NoticeNoSuchName, NoticeNameTaken).
	Name string
	// NameError says why a name was refused (NoticeNameInvalid).
	NameError *NameError
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
	// NoticeNoSuchName: /msg to Name, whom nobody in the room is called.
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
)

// tell gives n to one connection alone, m.
func (h *Hub) tell(m *Conn, n *Notice) {
	h.deliverPrivate(m, &Event{Kind: KindNotice, Notice: n})
}
