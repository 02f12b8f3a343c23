package telnet

// Telnet options anseo offers on its terminal port (RFC 857, 858, 1073,
// 1091). ECHO and SUPPRESS-GO-AHEAD together put a telnet client in
// character mode: it sends each key as it is pressed and shows only what
// the server sends back, which is what a line editor needs. NAWS tells the
// window's size, TTYPE the terminal's type (and so its colours).
const (
	optEcho  = 1
	optSGA   = 3
	optTTYPE = 24
	optNAWS  = 31

	ttypeIs   = 0 // TTYPE subnegotiation: IS name
	ttypeSend = 1 // TTYPE subnegotiation: SEND
)

// Telnet commands a client in character mode may send for keys (RFC 854).
const (
	cmdEC = 247 // erase character
	cmdEL = 248 // erase line
	cmdIP = 244 // interrupt process
)

// mode is how a connection is served.
type mode uint8

const (
	// modeUndecided: options were offered and the client has not yet
	// shown what it does with them. Input is read as lines meanwhile.
	modeUndecided mode = iota
	// modeLine: the seed protocol, lines in and lines out.
	modeLine
	// modeInteractive: keys in, a line editor and a live screen out.
	modeInteractive
)

// option is the state of one offered option on one side (RFC 1143, much
// reduced: anseo offers once and never changes its mind except to withdraw
// what a line-mode client agreed to).
type option struct {
	code    byte
	ours    bool // the server performs it (WILL/WONT); else the client (DO/DONT)
	pending bool // offered, not yet answered
	on      bool
}

// negotiation is one connection's telnet options: what the server offered,
// what the client agreed to, and what it told of its terminal. Only the
// reader goroutine (through iacFilter) touches it.
//
// The client is served interactively once it agrees to both ECHO and
// SUPPRESS-GO-AHEAD before sending any data; any data first, a refusal, or
// the caller's give-up (decideLine) means line mode, and what the client
// agreed to is withdrawn, so its own echo comes back on. A client that
// switches either off later (telnet's "mode line") goes to line mode too. A port that offers
// nothing is in line mode from the start and refuses every option, as the
// 2014 server's clients expect.
type negotiation struct {
	mode mode
	opts []option

	// What the client told of its terminal: width 0 and type "" until it
	// does.
	width    int
	termType string

	// onSize and onType, if set, hear the window's size (NAWS) and the
	// terminal's type (TTYPE, lower case) whenever the client tells them.
	onSize func(width, height int)
	onType func(name string)

	// hide is the server's ECHO offered in line mode while a password is
	// typed, so that the client does not show it (see hideInput).
	hide hideState
	// onShown, if set, hears that the client would not hide what is typed.
	onShown func()
}

// hideState is where a password prompt's ECHO stands in line mode.
type hideState uint8

const (
	hideOff     hideState = iota // not offered: the client echoes as usual
	hideAsked                    // WILL ECHO sent, not yet answered
	hideOn                       // the client agreed: it shows nothing typed
	hideRefused                  // the client refused: what is typed shows
	hideEnding                   // WONT ECHO sent, the client's DONT awaited
)

// newNegotiation returns the options of a connection; offer says whether
// its port offers the interactive mode.
func newNegotiation(offer bool) *negotiation {
	if !offer {
		return &negotiation{mode: modeLine}
	}
	return &negotiation{opts: []option{
		{code: optEcho, ours: true}, {code: optSGA, ours: true},
		{code: optNAWS}, {code: optTTYPE},
	}}
}

// offer returns the commands that offer the options, and marks them sent.
func (n *negotiation) offer() []byte {
	var b []byte
	for i := range n.opts {
		o := &n.opts[i]
		o.pending = true
		b = append(b, iac, verbFor(o.ours, true), o.code)
	}
	return b
}

// verbFor is the verb that enables (or disables) an option on a side: the
// server's WILL/WONT for its own, DO/DONT for the client's.
func verbFor(ours, enable bool) byte {
	switch {
	case ours && enable:
		return will
	case ours:
		return wont
	case enable:
		return do
	}
	return dont
}

func (n *negotiation) find(code byte, ours bool) *option {
	for i := range n.opts {
		if n.opts[i].code == code && n.opts[i].ours == ours {
			return &n.opts[i]
		}
	}
	return nil
}

// answer handles "IAC verb code" from the client and returns the reply to
// send, if any. It never answers an answer, so two sides cannot loop.
func (n *negotiation) answer(verb, code byte) []byte {
	if code == optEcho && (verb == do || verb == dont) && n.hide != hideOff {
		return n.answerHide(verb == do)
	}
	ours := verb == do || verb == dont // the client speaks of the server's side
	enable := verb == do || verb == will
	o := n.find(code, ours)
	if !enable {
		if o == nil {
			return nil
		}
		var reply []byte
		if o.on { // switched off after it was on: acknowledge
			reply = []byte{iac, verbFor(ours, false), code}
		}
		refused := o.pending || o.on
		o.pending, o.on = false, false
		if refused && ours && n.mode != modeLine {
			// Refused, or switched off later (telnet's "mode line"):
			// the client wants to type lines itself.
			reply = append(reply, n.toLine()...)
		}
		return reply
	}
	if o == nil || n.mode == modeLine {
		if o != nil {
			o.pending, o.on = false, false
		}
		return []byte{iac, verbFor(ours, false), code}
	}
	if o.on {
		return nil // an agreement already had
	}
	var reply []byte
	if !o.pending { // the client asked first: agree
		reply = []byte{iac, verbFor(ours, true), code}
	}
	o.pending, o.on = false, true
	if code == optTTYPE && !ours {
		reply = append(reply, iac, sb, optTTYPE, ttypeSend, iac, se)
	}
	if n.mode == modeUndecided && n.serverSideOn() {
		n.mode = modeInteractive
	}
	return reply
}

// serverSideOn reports whether the client agreed to every option the
// server performs: ECHO and SUPPRESS-GO-AHEAD.
func (n *negotiation) serverSideOn() bool {
	for _, o := range n.opts {
		if o.ours && !o.on {
			return false
		}
	}
	return true
}

// dataArrived is called for each data byte: data before an agreement means
// a client that does not negotiate, served in line mode. It returns what to
// send to withdraw the offer.
func (n *negotiation) dataArrived() []byte {
	if n.mode != modeUndecided {
		return nil
	}
	return n.decideLine()
}

// decideLine settles on line mode and returns the commands that withdraw
// what the client agreed to of the server's side (its own echo comes back);
// an offer still unanswered is refused when the answer comes (answer).
func (n *negotiation) decideLine() []byte {
	if n.mode != modeUndecided {
		return nil
	}
	return n.toLine()
}

// toLine switches to line mode, from either of the others, and returns
// the commands that withdraw what is still on of the server's side.
func (n *negotiation) toLine() []byte {
	n.mode = modeLine
	var b []byte
	for i := range n.opts {
		o := &n.opts[i]
		if o.ours && o.on {
			o.on = false
			b = append(b, iac, wont, o.code)
		}
	}
	return b
}

// hideInput returns what makes a client in line mode stop showing what is
// typed, for a password: the server offers to echo (WILL ECHO) and then
// echoes nothing. A client in the interactive mode shows only what the
// server draws already, so nothing is sent (the line editor hides it).
func (n *negotiation) hideInput() []byte {
	if n.mode == modeInteractive {
		return nil
	}
	n.hide = hideAsked
	return []byte{iac, will, optEcho}
}

// showInput withdraws hideInput's offer: the client shows what is typed
// again. It returns nothing if the client never took it.
func (n *negotiation) showInput() []byte {
	switch n.hide {
	case hideAsked, hideOn:
		n.hide = hideEnding
		return []byte{iac, wont, optEcho}
	case hideRefused:
		n.hide = hideOff
	}
	return nil
}

// inputHidden reports whether what is typed may not show: hideInput's
// offer is out and was not refused.
func (n *negotiation) inputHidden() bool { return n.hide == hideAsked || n.hide == hideOn }

// answerHide answers the client's DO or DONT ECHO about hideInput's
// offer. It never answers an answer, so two sides cannot loop.
func (n *negotiation) answerHide(enable bool) []byte {
	switch {
	case n.hide == hideAsked && enable:
		n.hide = hideOn
	case n.hide == hideAsked, n.hide == hideOn && !enable:
		// Refused, or switched off while a password is typed: it shows.
		acked := n.hide == hideOn
		n.hide = hideRefused
		if n.onShown != nil {
			n.onShown()
		}
		if acked {
			return []byte{iac, wont, optEcho}
		}
	case n.hide == hideEnding && !enable:
		n.hide = hideOff
		// A DO in hideEnding answered the offer before the client read the
		// withdrawal, whose DONT is on its way.
	}
	return nil
}

// maxSub bounds a subnegotiation's data: NAWS needs 4 bytes, a terminal
// type at most 40 (RFC 1010); longer is cut off, never held.
const maxSub = 64

// subnegotiated handles "IAC SB data IAC SE" (data is at most maxSub bytes,
// IAC IAC already undone).
func (n *negotiation) subnegotiated(data []byte) {
	if len(data) == 0 {
		return
	}
	switch data[0] {
	case optNAWS:
		if o := n.find(optNAWS, false); o == nil || !o.on || len(data) != 5 {
			return
		}
		n.width = int(data[1])<<8 | int(data[2])
		h := int(data[3])<<8 | int(data[4])
		if n.onSize != nil {
			n.onSize(n.width, h)
		}
	case optTTYPE:
		if o := n.find(optTTYPE, false); o == nil || !o.on || len(data) < 2 || data[1] != ttypeIs {
			return
		}
		n.termType = lowerASCII(data[2:])
		if n.onType != nil {
			n.onType(n.termType)
		}
	}
}

func lowerASCII(b []byte) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c >= 0x20 && c < 0x7f {
			out = append(out, c)
		}
	}
	return string(out)
}
