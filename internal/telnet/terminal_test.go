package telnet_test

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/namecolour"
	"github.com/anseo/anseo/internal/telnet"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/vt"
	"github.com/rivo/uniseg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// term is a telnet client in character mode with a screen: it takes the
// terminal port's offer as Debian's telnet does, tells its window size and
// type, and feeds what the server sends into a VT100/xterm screen model,
// so a test reads each row as a person would see it.
type term struct {
	t    *testing.T
	conn net.Conn

	mu      sync.Mutex
	screen  *vt.Emulator
	shown   []byte        // every byte of data the server sent, in order
	changed chan struct{} // a token after each change of the screen
	done    chan struct{} // the connection has ended
}

const termTimeout = 5 * time.Second

// dialTerm connects to a terminal port with a window of w×h of type typ.
func dialTerm(t *testing.T, addr string, w, h int, typ string) *term {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, termTimeout)
	require.NoError(t, err)
	tm := &term{t: t, conn: conn, screen: vt.NewEmulator(w, h), changed: make(chan struct{}, 1), done: make(chan struct{})}
	t.Cleanup(func() {
		conn.Close()
		<-tm.done
	})
	go tm.read(w, h, typ)
	return tm
}

// Telnet bytes the client speaks.
const (
	tIAC, tDONT, tDO, tWONT, tWILL, tSB, tSE = 255, 254, 253, 252, 251, 250, 240
	tECHO, tSGA, tTTYPE, tNAWS               = 1, 3, 24, 31
)

// read answers the server's options and puts its data on the screen.
func (tm *term) read(w, h int, typ string) {
	defer close(tm.done)
	r := bufio.NewReader(tm.conn)
	var data []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return
		}
		if c != tIAC {
			data = append(data, c)
			if r.Buffered() == 0 {
				tm.show(data)
				data = data[:0]
			}
			continue
		}
		if len(data) > 0 { // what came before the command, on the screen first
			tm.show(data)
			data = data[:0]
		}
		verb, _ := r.ReadByte()
		switch verb {
		case tWILL, tDO, tWONT, tDONT:
			opt, _ := r.ReadByte()
			tm.answer(verb, opt, w, h, typ)
		case tSB:
			sub, _ := r.ReadBytes(tSE)
			if len(sub) >= 2 && sub[0] == tTTYPE && sub[1] == 1 { // SEND
				tm.send(append(append([]byte{tIAC, tSB, tTTYPE, 0}, typ...), tIAC, tSE))
			}
		}
	}
}

func (tm *term) answer(verb, opt byte, w, h int, typ string) {
	switch {
	case verb == tWILL && (opt == tECHO || opt == tSGA):
		tm.send([]byte{tIAC, tDO, opt})
	case verb == tDO && opt == tNAWS:
		tm.send([]byte{tIAC, tWILL, tNAWS})
		tm.tellSize(w, h)
	case verb == tDO && opt == tTTYPE && typ != "":
		tm.send([]byte{tIAC, tWILL, tTTYPE})
	case verb == tDO:
		tm.send([]byte{tIAC, tWONT, opt})
	case verb == tWILL:
		tm.send([]byte{tIAC, tDONT, opt})
	}
}

func (tm *term) send(b []byte) { _, _ = tm.conn.Write(b) }

func (tm *term) show(b []byte) {
	tm.mu.Lock()
	_, _ = tm.screen.Write(b)
	tm.shown = append(tm.shown, b...)
	tm.mu.Unlock()
	select {
	case tm.changed <- struct{}{}:
	default:
	}
}

// sent returns every byte of data the server has sent so far.
func (tm *term) sent() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return string(tm.shown)
}

// resizeWindow resizes the screen and tells the server (NAWS).
func (tm *term) resizeWindow(w, h int) {
	tm.mu.Lock()
	tm.screen.Resize(w, h)
	tm.mu.Unlock()
	tm.tellSize(w, h)
}

// tellSize tells the server the window's size (NAWS).
func (tm *term) tellSize(w, h int) {
	tm.send([]byte{tIAC, tSB, tNAWS, byte(w >> 8), byte(w), byte(h >> 8), byte(h), tIAC, tSE})
}

// Type sends keys as a terminal in character mode does.
func (tm *term) Type(keys string) {
	tm.t.Helper()
	_, err := tm.conn.Write([]byte(keys))
	require.NoError(tm.t, err)
}

// rows returns the screen's rows, trailing spaces trimmed, and the cursor.
func (tm *term) rows() ([]string, int, int) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	var rows []string
	for y := range tm.screen.Height() {
		var b strings.Builder
		for x := range tm.screen.Width() {
			c := tm.screen.CellAt(x, y)
			switch {
			case c == nil || c.Content == "" && c.Width == 0:
				// the right half of a wide character
			case c.Content == "":
				b.WriteByte(' ')
			default:
				b.WriteString(c.Content)
			}
		}
		rows = append(rows, strings.TrimRight(b.String(), " "))
	}
	cur := tm.screen.CursorPosition()
	return rows, cur.X, cur.Y
}

// WaitRows waits until the screen's last rows are want (trailing spaces
// aside) and the cursor is on the last of them, back columns to the left
// of its end.
func (tm *term) WaitRows(back int, want ...string) {
	tm.t.Helper()
	tm.WaitCursor(len(want)-1, displayWidth(want[len(want)-1])-back, want...)
}

// WaitCursor waits until the screen's last rows are want and the cursor is
// at column col of want[row].
func (tm *term) WaitCursor(row, col int, want ...string) {
	tm.t.Helper()
	trimmed := make([]string, len(want))
	for i, w := range want {
		trimmed[i] = strings.TrimRight(w, " ")
	}
	timeout := time.After(termTimeout)
	for {
		rows, x, y := tm.rows()
		last := len(rows) - 1
		for last >= 0 && rows[last] == "" && last > y {
			last--
		}
		first := max(0, last+1-len(want))
		got := rows[first : last+1]
		if strings.Join(got, "\n") == strings.Join(trimmed, "\n") && y == first+row && x == col {
			return
		}
		select {
		case <-tm.changed:
		case <-tm.done:
			tm.t.Fatalf("connection ended; screen:\n%s", strings.Join(rows, "\n"))
		case <-timeout:
			tm.t.Fatalf("screen:\n%s\ncursor at %d,%d; want the last rows:\n%s\nwith the cursor at %d of row %d", strings.Join(rows, "\n"), x, y, strings.Join(want, "\n"), col, row)
		}
	}
}

// WaitRow waits until some row of the screen is want.
func (tm *term) WaitRow(want string) {
	tm.t.Helper()
	timeout := time.After(termTimeout)
	for {
		rows, _, _ := tm.rows()
		for _, r := range rows {
			if r == want {
				return
			}
		}
		select {
		case <-tm.changed:
		case <-tm.done:
			tm.t.Fatalf("connection ended; screen:\n%s", strings.Join(rows, "\n"))
		case <-timeout:
			tm.t.Fatalf("no row %q on the screen:\n%s", want, strings.Join(rows, "\n"))
		}
	}
}

// Login answers the name prompt.
func (tm *term) Login(name string) {
	tm.t.Helper()
	tm.WaitRows(0, "What's your name?", "> ")
	tm.Type(name + "\r\x00")
	tm.WaitRow("Welcome, " + name + "!")
	tm.WaitRows(0, "["+name+"] ")
}

// displayWidth is the columns s takes on the screen.
func displayWidth(s string) int { return uniseg.StringWidth(s) }

// termConfig gives a client all the time a loaded test machine may need to
// answer the offer: these tests are about the interactive mode.
var termConfig = telnet.Config{NegotiationTimeout: time.Minute}

// TestTypingSurvivesMessages: half a line typed, two messages arrive, the
// line is finished: both messages are above it, the line whole below, and
// once sent it shows with its sender's name.
func TestTypingSurvivesMessages(t *testing.T) {
	srv := start(t, hub.Options{}, termConfig)
	alice := dialTerm(t, srv.termAddr, 60, 12, "xterm-256color")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice.WaitRows(0, "bob has joined the channel.", "[alice] ")

	alice.Type("this is a long sen")
	alice.WaitRows(0, "bob has joined the channel.", "[alice] this is a long sen")
	bob.Send("an interruption")
	bob.Send("and another")
	alice.WaitRows(0, "<bob> an interruption", "<bob> and another", "[alice] this is a long sen")
	alice.Type("tence\r\x00")
	alice.WaitRows(0, "<bob> and another", "<alice> this is a long sentence", "[alice] ")
	bob.Expect("<alice> this is a long sentence")
}

// TestWrapResizeAndWideCharacters: lines wrap between words at the
// window's width, wide characters take two columns, and after a resize the
// line being typed is drawn again for the new width.
func TestWrapResizeAndWideCharacters(t *testing.T) {
	srv := start(t, hub.Options{}, termConfig)
	alice := dialTerm(t, srv.termAddr, 20, 10, "xterm")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")

	bob.Send("one two three four five six")
	alice.WaitRows(0, "<bob> one two three", "four five six", "[alice] ")
	bob.Send("漢字漢字漢字漢字 é̂x") // eight wide characters, then a cluster of three code points
	// Unicode lets a line break between any two ideographs.
	alice.WaitRows(0, "<bob> 漢字漢字漢字漢", "字 é̂x", "[alice] ")

	alice.Type("日本語のテキスト") // 16 columns after the prompt's 8: just fits
	alice.WaitRows(0, "[alice] 日本語のテキ", "スト")
	alice.Type("\x1b[D\x1b[D") // two left: the cursor moves by characters
	alice.WaitRows(4, "[alice] 日本語のテキ", "スト")
	alice.Type("\x01x") // at the start, one column more: キ does not fit, and is not split
	alice.WaitCursor(0, 9, "[alice] x日本語のテ", "キスト")
	alice.Type("\x1b[C\x1b[C\x7f") // two right, backspace: 日 and 本 stay, 本 goes
	alice.WaitCursor(0, 11, "[alice] x日語のテキ", "スト")

	alice.resizeWindow(40, 10)
	alice.WaitCursor(0, 11, "[alice] x日語のテキスト")
	bob.Send("now the window is wider, and this fits")
	alice.WaitCursor(2, 11, "<bob> now the window is wider, and this", "fits", "[alice] x日語のテキスト")
}

// TestEditingKeys: the keys of a shell's line editor.
func TestEditingKeys(t *testing.T) {
	srv := start(t, hub.Options{}, termConfig)
	alice := dialTerm(t, srv.termAddr, 60, 10, "xterm-256color")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice.WaitRows(0, "bob has joined the channel.", "[alice] ")

	alice.Type("hello world")
	alice.Type("\x01X") // Ctrl-A: to the start
	alice.Type("\x05!") // Ctrl-E: to the end
	alice.WaitRows(0, "[alice] Xhello world!")
	alice.Type("\x17") // Ctrl-W: the word before
	alice.WaitRows(0, "[alice] Xhello ")
	alice.Type("\x1b[D\x1b[D\x0b") // two left, Ctrl-K: to the end
	alice.WaitRows(0, "[alice] Xhell")
	alice.Type("\x02\x02\x15") // two back, Ctrl-U: to the start
	alice.WaitRows(2, "[alice] ll")
	alice.Type("\x03") // Ctrl-C: the line is gone
	alice.WaitRows(0, "[alice] ")
	alice.Type("abc\xff\xf7") // telnet's Erase Character
	alice.WaitRows(0, "[alice] ab")
	alice.Type("\xff\xf4") // telnet's Interrupt Process, as Ctrl-C
	alice.WaitRows(0, "[alice] ")

	alice.Type("first\r\x00second\r\n")
	bob.Expect("<alice> first")
	bob.Expect("<alice> second")
	alice.Type("\x1b[A\x1b[A") // Up twice: the line before last
	alice.WaitRows(0, "[alice] first")
	alice.Type("\x1b[B") // Down: the last
	alice.WaitRows(0, "[alice] second")
	alice.Type("\x1b[B") // Down again: the empty line being typed
	alice.WaitRows(0, "[alice] ")

	alice.Type("hi b\t") // Tab: a name
	alice.WaitRows(0, "[alice] hi bob ")
	alice.Type("\x15/ms\t") // and a command
	alice.WaitRows(0, "[alice] /msg ")
	alice.Type("\x15/mo\t") // several: listed
	alice.WaitRow("* /modlog  /motd")

	alice.Type("\x15\x04") // Ctrl-D on an empty line: goodbye
	bob.Expect("alice has left the channel.")
}

// TestNothingAWebUserSendsMovesTheCursor: the hub removes control
// characters; the screen would drop any that got through.
func TestNothingAWebUserSendsMovesTheCursor(t *testing.T) {
	srv := start(t, hub.Options{}, termConfig)
	alice := dialTerm(t, srv.termAddr, 60, 10, "xterm-256color")
	alice.Login("alice")
	mallory := linetest.Dial(t, srv.addr, "mallory")
	mallory.Login("mallory")
	alice.Type("typing")
	mallory.Send("\x1b[2J\x1b[H\x1b]0;pwned\x07hi\x00 \r there\x1b[1A\x08")
	alice.WaitRows(0, "mallory has joined the channel.", "<mallory> hi  there", "[alice] typing")
}

// TestLineFull: the editor takes no more than a line may hold, and says so.
func TestLineFull(t *testing.T) {
	cfg := termConfig
	cfg.MaxLineBytes = 8
	srv := start(t, hub.Options{}, cfg)
	alice := dialTerm(t, srv.termAddr, 60, 10, "xterm")
	alice.Login("alice")
	alice.Type("12345678")
	alice.WaitRows(0, "[alice] 12345678")
	alice.Type("9")
	alice.WaitRows(0, "* The line is full (max 8 bytes); send it or shorten it.", "[alice] 12345678")
	alice.Type("0\x7f") // bounces off again: no second notice
	alice.WaitRows(0, "Welcome, alice!", "* The line is full (max 8 bytes); send it or shorten it.", "[alice] 1234567")
}

// TestEditingKeysAreRateLimited: beyond a burst, editing keys are taken at
// a bounded rate (keyRate in the server; a person never meets it), so a
// client cannot make the server spend without bound on keys.
func TestEditingKeysAreRateLimited(t *testing.T) {
	defer telnet.SetKeyRate(100, 10)()
	srv := start(t, hub.Options{}, termConfig)
	alice := dialTerm(t, srv.termAddr, 60, 10, "xterm")
	alice.Login("alice")
	alice.Type("x")
	alice.WaitRows(0, "[alice] x")
	began := time.Now()
	alice.Type(strings.Repeat("\x02", 50) + "y") // 50 × Ctrl-B, then y at the start
	alice.WaitRows(1, "[alice] yx")
	assert.GreaterOrEqual(t, time.Since(began), 400*time.Millisecond, "40 keys beyond the burst at 100 a second")
}

// cellStyle returns the style of the cell at column x of the row that
// reads row, failing the test if no row does.
func (tm *term) cellStyle(row string, x int) uv.Style {
	tm.t.Helper()
	rows, _, _ := tm.rows()
	for y, r := range rows {
		if r == row {
			tm.mu.Lock()
			defer tm.mu.Unlock()
			return tm.screen.CellAt(x, y).Style
		}
	}
	tm.t.Fatalf("no row %q on the screen:\n%s", row, strings.Join(rows, "\n"))
	return uv.Style{}
}

// TestColoursAndMentions: a name has one colour wherever it shows, two
// names of different hues have different colours, a mention of the user's
// name is marked, and a dumb terminal gets none of it.
func TestColoursAndMentions(t *testing.T) {
	require.NotEqual(t, namecolour.Hue("bob"), namecolour.Hue("carol"), "the test needs names of two hues")
	srv := start(t, hub.Options{}, termConfig)
	alice := dialTerm(t, srv.termAddr, 60, 12, "xterm-256color")
	alice.Login("alice")
	dumb := dialTerm(t, srv.termAddr, 60, 12, "dumb")
	dumb.Login("dumbo")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	carol := linetest.Dial(t, srv.addr, "carol")
	carol.Login("carol")

	bob.Send("hi")
	alice.WaitRows(0, "<bob> hi", "[alice] ")
	carol.Send("hey alice, and alicent")
	alice.WaitRows(0, "<bob> hi", "<carol> hey alice, and alicent", "[alice] ")
	dumb.WaitRows(0, "<bob> hi", "<carol> hey alice, and alicent", "[dumbo] ")

	bobJoined := alice.cellStyle("bob has joined the channel.", 0)
	bobSaid := alice.cellStyle("<bob> hi", 1)
	require.NotNil(t, bobSaid.Fg, "a name is in colour")
	assert.Equal(t, bobJoined.Fg, bobSaid.Fg, "the same colour everywhere")
	assert.Nil(t, alice.cellStyle("<bob> hi", 0).Fg, "the rest is not")
	assert.NotEqual(t, bobSaid.Fg, alice.cellStyle("<carol> hey alice, and alicent", 1).Fg)

	const mention = len("<carol> hey ")
	assert.NotZero(t, alice.cellStyle("<carol> hey alice, and alicent", mention).Attrs&uv.AttrReverse, "alice is marked")
	assert.Zero(t, alice.cellStyle("<carol> hey alice, and alicent", mention-2).Attrs&uv.AttrReverse, "hey is not")
	assert.Zero(t, alice.cellStyle("<carol> hey alice, and alicent", mention+11).Attrs&uv.AttrReverse, "alicent is another word")

	for _, x := range []int{0, 1, mention} {
		s := dumb.cellStyle("<carol> hey alice, and alicent", x)
		assert.Nil(t, s.Fg)
		assert.Zero(t, s.Attrs)
	}
}

// TestRenameChangesThePrompt: after /nick the prompt has the new name.
func TestRenameChangesThePrompt(t *testing.T) {
	srv := start(t, hub.Options{}, termConfig)
	alice := dialTerm(t, srv.termAddr, 60, 12, "xterm")
	alice.Login("alice")
	alice.Type("/nick alicia\r\x00")
	alice.WaitRows(0, "* alice is now known as alicia", "[alicia] ")
}

// TestModeLine: telnet's "mode line" (^] mode line) switches the client
// back to typing lines itself (it sends DONT SGA, WILL LINEMODE, DONT
// ECHO); the server stops drawing and speaks the line protocol from then on.
func TestModeLine(t *testing.T) {
	srv := start(t, hub.Options{}, termConfig)
	alice := dialTerm(t, srv.termAddr, 60, 12, "xterm")
	alice.Login("alice")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice.WaitRows(0, "bob has joined the channel.", "[alice] ")

	alice.Type("\xff\xfe\x03\xff\xfb\x22\xff\xfe\x01")
	alice.WaitRows(0, "bob has joined the channel.", "")
	alice.Type("typed as a line\r\n")
	bob.Expect("<alice> typed as a line")
	bob.Send("and back")
	alice.WaitRows(0, "bob has joined the channel.", "<bob> and back", "")
}

// TestAMessageOfSeveralLines: each line of a message (from the web, which
// can send one) shows with its sender in front, wrapped on its own.
func TestAMessageOfSeveralLines(t *testing.T) {
	srv := start(t, hub.Options{}, termConfig)
	alice := dialTerm(t, srv.termAddr, 30, 10, "xterm")
	alice.Login("alice")
	web, err := srv.hub.Join(t.Context(), "webby", hub.JoinOptions{Transport: hub.TransportWeb})
	require.NoError(t, err)
	t.Cleanup(web.Leave)
	alice.WaitRows(0, "webby has joined the channel.", "[alice] ")
	alice.Type("mid-")
	require.NoError(t, web.Say(t.Context(), "first line\nand a second line that is longer", ""))
	alice.WaitRows(0, "<webby> first line", "<webby> and a second line that", "is longer", "[alice] mid-")
}

// TestTheTerminalFollowsItsRoom: after /join, the prompt says which room
// one is in, and Tab completes the names in it.
func TestTheTerminalFollowsItsRoom(t *testing.T) {
	srv := start(t, hub.Options{}, termConfig)
	carol := linetest.Dial(t, srv.addr, "carol")
	carol.Login("carol")
	carol.Send("/join #help")
	carol.Expect("* You are now in #help (1 person).")
	bob := linetest.Dial(t, srv.addr, "bob")
	bob.Login("bob")
	alice := dialTerm(t, srv.termAddr, 60, 10, "xterm-256color")
	alice.Login("alice")
	alice.WaitRows(0, "[alice] ")

	alice.Type("hi b\t") // bob is in the lobby with her
	alice.WaitRows(0, "[alice] hi bob ")
	alice.Type("\x15/join #help\r")
	alice.WaitRows(0, "[alice #help] ")
	carol.Expect("alice has joined the channel.")
	alice.Type("hi c\t") // carol is here; bob is not
	alice.WaitRows(0, "[alice #help] hi carol ")
	alice.Type("\x15hi b\tx") // nothing to complete: the x follows the b
	alice.WaitRows(0, "[alice #help] hi bx")
	alice.Type("\x15/part\r")
	alice.WaitRows(0, "[alice] ")
}
