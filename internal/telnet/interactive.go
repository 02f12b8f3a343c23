package telnet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anseo/anseo/internal/hub"
	"golang.org/x/time/rate"
)

// The interactive mode is for a telnet client that took the terminal
// port's offer (negotiate.go): it sends keys as they are pressed, and the
// server draws everything. Its user gets a prompt at the bottom that keeps
// what they are typing while the conversation scrolls above it (screen.go),
// a line editor with history and completion (editor.go), their own lines
// shown with their name, and names in colour.
//
// The connection's reader owns the editor and turns keys into edits; the
// screen belongs to whoever writes (the handler before the user joins, the
// writer goroutine after), and the reader hands it each new state of the
// line as a job for the writer, so the two never draw at once.

// errLeave is Ctrl-D on an empty line: the user wants to go.
var errLeave = errors.New("leave")

// errLineMode says the client switched to line mode ("mode line" in
// telnet): what it sends from now on are lines.
var errLineMode = errors.New("the client went to line mode")

// noticeLineFull answers a key that would make the line longer than a line
// may be.
const noticeLineFull = "* The line is full (max %d bytes); send it or shorten it."

// Keys that edit (all but typed or pasted text, which comes in one piece)
// are taken at most keyRate a second after a burst of keyBurst. Nobody
// types that fast (a held key repeats some 30 times a second), and each
// may cost a pass over a line of up to -max-message-bytes, so a client
// cannot make the server spend much on keys: beyond the limit they are
// read more slowly.
var keyRate, keyBurst = rate.Limit(500), 2000

// terminal is the interactive mode of one connection.
type terminal struct {
	// The reader's.
	limit    *rate.Limiter // editing keys
	editor   *editor
	keys     keyDecoder
	pending  []key     // decoded, not yet applied
	in       io.Reader // what is left of the negotiation's read, then the socket
	buf      []byte
	lineMode bool   // the client switched to line mode: read lines
	rest     []byte // input read before the switch was seen

	// The writer's (the handler's before join).
	screen *screen
	roster map[string]string // name key → name, live events applied

	writerDone <-chan struct{} // closed when the writer has ended
}

// settle waits a moment for a client the terminal port made an offer to
// take it or show it will not, and sets up reading in the mode it chose:
// input or a refusal settles line mode at once, agreement the interactive
// mode, and silence line mode after Config.NegotiationTimeout.
func (cn *conn) settle(deadline time.Time) error {
	var read []byte
	if cn.opts.mode == modeUndecided {
		wait := min(time.Until(deadline), cn.srv.cfg.NegotiationTimeout)
		if err := cn.c.SetReadDeadline(time.Now().Add(wait)); err != nil {
			return err
		}
		buf := make([]byte, 512)
		for cn.opts.mode == modeUndecided {
			n, err := cn.filter.Read(buf)
			read = append(read, buf[:n]...)
			if errors.Is(err, os.ErrDeadlineExceeded) && time.Now().Before(deadline) {
				err = cn.sendRaw(cn.opts.decideLine())
			}
			if err != nil {
				return err
			}
		}
		if err := cn.c.SetReadDeadline(deadline); err != nil {
			return err
		}
	}
	if cn.opts.mode == modeLine {
		if len(read) > 0 { // the input that settled it comes first
			rest := bytes.NewReader(read)
			wait := readable(cn.c)
			if socket := wait; socket != nil {
				wait = func() error {
					if rest.Len() > 0 {
						return nil
					}
					return socket()
				}
			}
			cn.lines = newIdleLineReader(io.MultiReader(rest, cn.filter), cn.srv.cfg.MaxLineBytes, cn.srv.readers, wait)
		}
		return nil
	}
	cn.term = &terminal{
		limit:  rate.NewLimiter(keyRate, keyBurst),
		editor: newEditor(cn.srv.cfg.MaxLineBytes),
		in:     io.MultiReader(bytes.NewReader(read), cn.filter),
		buf:    make([]byte, 256),
		screen: newScreen(),
	}
	if n := cn.opts.width; n > 0 {
		cn.term.screen.resize(n)
	}
	cn.term.screen.palette = paletteOf(cn.opts.termType)
	cn.opts.onSize = func(width, _ int) {
		cn.toScreen(func(s *screen) []byte { return s.resize(width) })
	}
	cn.opts.onType = func(name string) {
		cn.toScreen(func(s *screen) []byte { s.palette = paletteOf(name); return nil })
	}
	return cn.flush() // the input area, under the name prompt
}

// toLineMode serves the rest of the connection in line mode, after the
// client switched to it: the reader reads lines, and the writer takes the
// input area away and writes what the line port writes.
func (cn *conn) toLineMode() {
	cn.lines = newLineReader(io.MultiReader(bytes.NewReader(cn.term.rest), cn.filter), cn.srv.cfg.MaxLineBytes)
	cn.term.rest = nil
	cn.toScreen(func(s *screen) []byte {
		cn.events.ownLines = false
		cn.m.HideOwnMessages(true)
		out := s.erase()
		s.off = true
		return out
	})
}

// toScreen runs f on the screen and sends what it returns: itself before
// the user joins (the reader then writes), through the writer after.
func (cn *conn) toScreen(f func(*screen) []byte) {
	if !cn.joined.Load() {
		if err := cn.writeBytes(f(cn.term.screen)); err == nil {
			_ = cn.flush()
		}
		return
	}
	_ = cn.m.Post(context.Background(), func(context.Context) error { return cn.writeBytes(f(cn.term.screen)) })
}

// joined makes the screen the member's: their name in the prompt and in
// mentions, and the room's names for completion. Called by the handler
// before the writer starts.
func (t *terminal) joined(m *hub.Conn) {
	t.screen.me = m.Name()
	t.roster = make(map[string]string)
	for _, p := range m.Roster().People {
		t.roster[hub.NameKey(p.Name)] = p.Name
	}
}

// readLine reads keys until Enter, and returns the line. Ctrl-D on an
// empty line returns errLeave.
func (t *terminal) readLine(ctx context.Context, cn *conn) ([]byte, error) {
	for {
		for len(t.pending) > 0 {
			k := t.pending[0]
			if k.op != opInsert {
				if err := t.limit.Wait(ctx); err != nil {
					return nil, err
				}
			}
			t.pending = t.pending[1:]
			result, line := t.editor.apply(k)
			switch result {
			case editSubmit:
				t.show(cn, false)
				return []byte(line), nil
			case editLeave:
				return nil, errLeave
			case editComplete:
				if !t.editor.secret {
					t.complete(cn)
				}
			case editFull:
				cn.say(fmt.Sprintf(noticeLineFull, t.editor.max))
			case editRedraw:
				t.show(cn, true)
			}
		}
		t.show(cn, false) // once for all the keys one read brought
		n, err := t.in.Read(t.buf)
		if cn.opts.mode == modeLine {
			t.lineMode = true
			t.rest = t.buf[:n] // typed after the switch, most likely
			return nil, errLineMode
		}
		if err != nil {
			return nil, err
		}
		t.pending = t.keys.decode(t.buf[:n])
	}
}

// show hands the screen the line as it is now; again draws it even if
// nothing changed.
func (t *terminal) show(cn *conn, again bool) {
	line, cursor := t.editor.line, t.editor.cursor
	if t.editor.secret {
		line, cursor = "", 0 // a password: nothing of it is drawn
	}
	cn.toScreen(func(s *screen) []byte {
		switch {
		case again:
			return append(s.erase(), s.setInput(line, cursor)...)
		case s.drawn && s.line == line && s.cursor == cursor:
			return nil
		}
		return s.setInput(line, cursor)
	})
}

// say shows the user a line of anseo's, above the input.
func (cn *conn) say(text string) {
	if !cn.joined.Load() {
		_ = cn.writeNow(text)
		return
	}
	cn.notify(text)
}

// complete completes the word before the cursor: a command at the start
// of the line, else a name of someone in the room. One match is taken
// whole; several are taken as far as they agree, and listed when that adds
// nothing.
func (t *terminal) complete(cn *conn) {
	word, start := t.editor.word()
	if word == "" {
		return
	}
	var candidates []string
	if start == 0 && strings.HasPrefix(word, "/") {
		for _, c := range hub.Commands() {
			candidates = append(candidates, "/"+c.Name)
		}
	} else {
		candidates = cn.names()
	}
	var matches []string
	for _, c := range candidates {
		if hasPrefixFold(c, word) {
			matches = append(matches, c)
		}
	}
	slices.Sort(matches)
	switch len(matches) {
	case 0:
		return
	case 1:
		t.editor.replaceWord(start, matches[0]+" ")
		return
	}
	common := matches[0]
	for _, m := range matches[1:] {
		common = commonPrefixFold(common, m)
	}
	if len(common) > len(word) {
		t.editor.replaceWord(start, common)
		return
	}
	cn.say(noticePrefix + strings.Join(matches, "  "))
}

// names returns the names in the room, asked of the writer, which keeps
// them; none before the user joins.
func (cn *conn) names() []string {
	if !cn.joined.Load() {
		return nil
	}
	t := cn.term
	got := make(chan []string, 1)
	err := cn.m.Post(context.Background(), func(context.Context) error {
		names := make([]string, 0, len(t.roster))
		for _, n := range t.roster {
			names = append(names, n)
		}
		got <- names
		return nil
	})
	if err != nil {
		return nil
	}
	select {
	case names := <-got:
		return names
	case <-t.writerDone:
		return nil
	}
}

// writeEvents shows events above the input, keeping the room's names up to
// date from the live ones (a replay's are the past).
func (t *terminal) writeEvents(cn *conn, events []*hub.Event) error {
	for _, ev := range events {
		if cn.events.replay == 0 {
			t.follow(ev)
		}
		if err := cn.writeBytes(t.screen.print(cn.events.renderFor(ev))); err != nil {
			return err
		}
	}
	return nil
}

// follow applies a live event to the names in the room and to the user's
// own name; moving to another room brings that room's names.
func (t *terminal) follow(ev *hub.Event) {
	switch ev.Kind {
	case hub.KindNotice:
		if n := ev.Notice; n != nil && n.Kind == hub.NoticeJoinedRoom {
			t.screen.room = n.Room.Name
			t.roster = make(map[string]string)
			for _, p := range n.Roster.People {
				t.roster[hub.NameKey(p.Name)] = p.Name
			}
		}
	case hub.KindJoined:
		t.roster[hub.NameKey(ev.Name)] = ev.Name
	case hub.KindJoins:
		for _, j := range ev.Joins {
			t.follow(j)
		}
	case hub.KindLeft:
		delete(t.roster, hub.NameKey(ev.Name))
	case hub.KindRenamed:
		delete(t.roster, hub.NameKey(ev.Name))
		t.roster[hub.NameKey(ev.NewName)] = ev.NewName
		if hub.NameKey(ev.Name) == hub.NameKey(t.screen.me) {
			t.screen.me = ev.NewName // the prompt too, when it is drawn again
		}
	}
}

func hasPrefixFold(s, prefix string) bool {
	return utf8.RuneCountInString(commonPrefixFold(s, prefix)) == utf8.RuneCountInString(prefix)
}

// commonPrefixFold returns the longest prefix of a that b shares, letters
// compared without case.
func commonPrefixFold(a, b string) string {
	ra, rb := []rune(a), []rune(b)
	n := 0
	for n < len(ra) && n < len(rb) && strings.EqualFold(string(ra[n]), string(rb[n])) {
		n++
	}
	return string(ra[:n])
}
