package telnet

// The seed protocol's lines, byte for byte (see ../shared/seed/transcript.md).
// Every one is sent followed by CR LF.
const (
	seedPrompt    = "What's your name?"
	seedNameTaken = "Name taken, please choose another."
	seedWelcome   = "Welcome, %s!"
	seedJoined    = "%s has joined the channel."
	seedLeft      = "%s has left the channel."
	seedMessage   = "<%s> %s"
	// seedNameInvalid keeps the seed's refusal form for a reason the seed
	// never had, so a client that understood "please choose another" copes.
	seedNameInvalid = "Name invalid: %s, please choose another."
)

// Lines the seed did not define. Each begins with "* " so a legacy client
// shows it as it is and a script can tell it apart; a user's action begins
// with "** " (actionLine), so nobody can pass one off as the server.
const (
	noticePrefix      = "* "
	noticeShutdown    = "* Server is shutting down."
	noticeGoodbye     = "* Goodbye, %s."
	noticeTooSlow     = "* Disconnected: too slow, you fell more than %d messages behind."
	noticeTooLong     = "* Line too long (max %d bytes), not sent."
	noticeTimeout     = "* No name given within %s, goodbye."
	noticeLimitPerIP  = "* Too many connections from your address (max %d), goodbye."
	noticeLimitTotal  = "* The server is full (max %d connections), please try again later."
	noticeFlood       = "* Sending too fast: that line was not sent. Pause a moment, then go on."
	noticeUnavailable = "* The chat cannot let anyone in just now. Please try again in a moment."
	noticeMoved       = "* You are connected from another server now."
	noticeLost        = "* This server lost touch with the others; please connect again."
	// A kicked or banned user has just read who did it and why (the
	// moderation line): these say what it means for the connection.
	noticeKicked = "* You were kicked off the server."
	noticeBanned = "* You are banned from this server."
)

// actionLine is a /me, live: "** alice waves", as ssh-chat shows one. It
// begins with two stars so that no user can make an action look like one
// of the server's "* " lines ("* Server is shutting down.", "* bob is
// away"): a line that begins with one star and a space is the server's.
const actionLine = "** %s %s"

// Lines for the chat features beyond the seed, each a "* " notice once
// notices() or a notice line has prefixed it.
const (
	noticePrivateFrom  = "%s whispers: %s"
	noticePrivateTo    = "you whisper to %s: %s"
	noticeRenamed      = "%s is now known as %s"
	noticeAway         = "%s is away"
	noticeAwayBecause  = "%s is away: %s"
	noticeBack         = "%s is back"
	noticeQuit         = "%s said on leaving: %s"
	noticeTopic        = "%s set the topic: %s"
	noticeTopicCleared = "%s cleared the topic"
	noticeHistoryBegin = "Recent messages:"
	noticeHistoryEnd   = "End of recent messages."
	noticeMissedBegin  = "While you were gone:"
	noticeMissedEnd    = "You are up to date."
	noticeKickedOut    = "You were kicked out of %s."
	noticeBannedFrom   = "You are banned from %s."
	noticeRemoved      = "A message by %s was removed."
)

// resumeCommand, typed at the name prompt with a member's code, gives a
// user whose connection dropped their name back, with what they missed.
const resumeCommand = "/resume"

const (
	noticeResumeHint = "* If your connection drops, type %s %s at the name prompt within %s to get your name back."
	noticeNoSession  = "* That code is unknown or has expired, please choose a name."
)

const crlf = "\r\n"
