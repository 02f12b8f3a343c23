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
// shows it as it is and a script can tell it apart.
const (
	noticePrefix     = "* "
	noticeShutdown   = "* Server is shutting down."
	noticeTooSlow    = "* Disconnected: too slow, you fell more than %d messages behind."
	noticeTooLong    = "* Line too long (max %d bytes), not sent."
	noticeTimeout    = "* No name given within %s, goodbye."
	noticeLimitPerIP = "* Too many connections from your address (max %d), goodbye."
	noticeLimitTotal = "* The server is full (max %d connections), please try again later."
	noticeFlood      = "* Sending too fast: that line was not sent. Pause a moment, then go on."
)

const crlf = "\r\n"
