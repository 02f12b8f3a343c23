package telnet

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/namecolour"
	"github.com/rivo/uniseg"
)

// The terminal's window, when the client does not tell it (NAWS), and the
// narrowest and widest it is taken to be: narrower would leave no room to
// type, and a wide character needs two columns.
const (
	defaultWidth = 80
	minWidth     = 10
	maxWidth     = 1000
)

// palette is how many colours a terminal shows.
type palette uint8

const (
	paletteNone palette = iota // a dumb terminal: no colour, no bold
	palette16                  // the ANSI colours every colour terminal has
	palette256                 // xterm's 256 colours
)

// paletteOf returns the palette of a terminal type as TTYPE tells it
// (lower case); an untold type is taken for the common 16 colours.
func paletteOf(termType string) palette {
	switch {
	case termType == "dumb", strings.HasPrefix(termType, "vt"):
		return paletteNone
	case strings.Contains(termType, "256col"), strings.Contains(termType, "direct"),
		strings.Contains(termType, "truecolor"):
		return palette256
	}
	return palette16
}

// screen is what a terminal in character mode shows: lines scrolling up,
// and below them the input area, the prompt and the line being typed,
// drawn again under every line printed above it, so typing is never cut.
// Its methods return the bytes to send; it keeps track of what it drew so
// it can take it back. One goroutine at a time owns it: the connection's
// handler until the user joins, its writer after.
type screen struct {
	width   int
	palette palette
	me      string // the user's name, to mark mentions; "" before joining
	room    string // the room the user is in, shown unless it is the default
	ask     string // a question's prompt, in place of the usual one

	line   string // the line being typed
	cursor int    // byte offset into line

	drawn     bool // the input area is on the screen as it is now
	rows      int  // rows the input area takes
	cursorRow int  // rows the cursor is below the input area's first
	off       bool // the connection is ending, or went to line mode: no more drawing
}

func newScreen() *screen {
	return &screen{width: defaultWidth, palette: palette16}
}

// resize sets the window's width. What was drawn for the old width is
// taken back, to be drawn again.
func (s *screen) resize(width int) []byte {
	width = min(max(width, minWidth), maxWidth)
	if width == s.width {
		return nil
	}
	s.width = width
	return s.erase()
}

// setInput sets the line the input area shows; refresh draws it. When
// only the cursor moved, it is moved on the screen at once, and nothing
// is drawn again.
func (s *screen) setInput(line string, cursor int) []byte {
	if s.drawn && line == s.line {
		_, cur := s.layout(line, cursor)
		if cur.row < s.rows {
			s.cursor = cursor
			return s.moveTo(cur)
		}
	}
	out := s.erase()
	s.line, s.cursor = line, cursor
	return out
}

// moveTo moves the cursor within the input area.
func (s *screen) moveTo(cur pos) []byte {
	var out []byte
	switch {
	case cur.row < s.cursorRow:
		out = append(out, "\x1b["+strconv.Itoa(s.cursorRow-cur.row)+"A"...)
	case cur.row > s.cursorRow:
		out = append(out, "\x1b["+strconv.Itoa(cur.row-s.cursorRow)+"B"...)
	}
	out = append(out, '\r')
	if cur.col > 0 {
		out = append(out, "\x1b["+strconv.Itoa(cur.col)+"C"...)
	}
	s.cursorRow = cur.row
	return out
}

// layout lays out the input area: the prompt, then line, with the cursor
// before line[cursor:].
func (s *screen) layout(line string, cursor int) ([][]cell, pos) {
	var cells []cell
	for _, p := range s.prompt() {
		cells = s.appendCells(cells, p.text, s.style(p))
	}
	cells = s.appendCells(cells, line[:cursor], "")
	at := len(cells) // the cursor is on the cluster after the text before it
	cells = s.appendCells(cells, line[cursor:], "")
	rows, pos := layout(cells, s.width)
	return rows, pos[at]
}

// prompt is what the input area begins with: "> " while the user chooses
// a name, "[alice] " once they have one, "[alice #help] " in a room other
// than the one everyone starts in; a question's own while it is asked.
func (s *screen) prompt() []part {
	switch {
	case s.ask != "":
		return []part{{text: s.ask}}
	case s.me == "":
		return []part{{text: "> "}}
	case s.room != "" && s.room != hub.DefaultRoom:
		return []part{{text: "["}, name(s.me), {text: " " + s.room + "] "}}
	}
	return []part{{text: "["}, name(s.me), {text: "] "}}
}

// print shows lines above the input area.
func (s *screen) print(lines []line) []byte {
	out := s.erase()
	for _, l := range lines {
		cells := s.cells(l)
		for _, row := range wrap(cells, s.width) {
			out = appendRow(out, row)
			out = append(out, crlf...)
		}
	}
	return out
}

// refresh draws the input area if it is not on the screen.
func (s *screen) refresh() []byte {
	if s.drawn || s.off {
		return nil
	}
	s.drawn = true
	rows, cur := s.layout(s.line, s.cursor)
	var out []byte
	for i, row := range rows {
		if i > 0 {
			out = append(out, crlf...)
		}
		out = appendRow(out, row)
	}
	last := len(rows) - 1
	if cur.row > last { // after a full last row: open the next
		out = append(out, crlf...)
		last = cur.row
	}
	s.rows, s.cursorRow = last+1, last
	return append(out, s.moveTo(cur)...)
}

// erase takes the input area off the screen, leaving the cursor where it
// began.
func (s *screen) erase() []byte {
	if !s.drawn {
		return nil
	}
	s.drawn = false
	out := []byte{'\r'}
	if s.cursorRow > 0 {
		out = append(out, "\x1b["+strconv.Itoa(s.cursorRow)+"A"...)
	}
	return append(out, "\x1b[J"...)
}

// A cell is one grapheme cluster as the terminal shows it.
type cell struct {
	text     string
	width    int    // columns: 0, 1 or 2
	style    string // SGR parameters; "" for none
	canBreak bool   // a line may wrap after it
	space    bool
}

// cells returns l's clusters, styled for this terminal.
func (s *screen) cells(l line) []cell {
	var cells []cell
	if l.notice {
		cells = s.appendCells(cells, noticePrefix, "")
	}
	for _, p := range l.parts {
		if p.kind == partText && s.me != "" && !l.notice {
			cells = s.appendMarked(cells, p.text)
			continue
		}
		cells = s.appendCells(cells, p.text, s.style(p))
	}
	return cells
}

// appendCells appends text's clusters in style. Text from users has no
// control characters (the hub removed them); anything else that is not
// printable is dropped here too, so nothing can move the cursor.
func (s *screen) appendCells(cells []cell, text, style string) []cell {
	state := -1
	for text != "" {
		var c string
		var b int
		c, text, b, state = uniseg.StepString(text, state)
		if !printable(c) {
			continue
		}
		// The end of a part is the end of uniseg's text ("must break"):
		// a line may wrap there only after a space, as inside a part.
		lb, space := b&uniseg.MaskLine, isSpace(c)
		cells = append(cells, cell{
			text: c, width: b >> uniseg.ShiftWidth, style: style,
			canBreak: lb == uniseg.LineCanBreak || lb == uniseg.LineMustBreak && space, space: space,
		})
	}
	return cells
}

func printable(cluster string) bool {
	for _, r := range cluster {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// appendMarked appends what a user wrote, with every mention of the
// user's name marked, so that a line addressed to them stands out.
func (s *screen) appendMarked(cells []cell, text string) []cell {
	key := hub.NameKey(s.me)
	for text != "" {
		i := strings.IndexFunc(text, notNameRune)
		if i < 0 {
			i = len(text)
		}
		word := text[:i]
		style := ""
		if word != "" && hub.NameKey(word) == key {
			style = s.markStyle()
		}
		cells = s.appendCells(cells, word, style)
		text = text[i:]
		if j := strings.IndexFunc(text, func(r rune) bool { return !notNameRune(r) }); j >= 0 {
			cells = s.appendCells(cells, text[:j], "")
			text = text[j:]
		} else {
			cells = s.appendCells(cells, text, "")
			text = ""
		}
	}
	return cells
}

// notNameRune reports whether r cannot be part of a name (hub.CheckName).
func notNameRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) &&
		r != '_' && r != '-' && r != '.'
}

// style returns the SGR parameters of a part: a name in its colour.
func (s *screen) style(p part) string {
	if p.kind != partName {
		return ""
	}
	return s.nameStyle(p.text)
}

func (s *screen) nameStyle(name string) string {
	hue := namecolour.Hue(name)
	switch s.palette {
	case palette256:
		return "38;5;" + strconv.Itoa(cube(namecolour.RGB(hue, 0.55)))
	case palette16:
		// The nearest of red, yellow, green, cyan, blue and magenta.
		return strconv.Itoa(ansiHues[((hue+30)%360)/60])
	}
	return ""
}

// ansiHues are the SGR colours at 0°, 60°, … 300°: red, yellow, green,
// cyan, blue, magenta.
var ansiHues = [...]int{31, 33, 32, 36, 34, 35}

func (s *screen) markStyle() string {
	if s.palette == paletteNone {
		return ""
	}
	return "1;7" // bold, reversed: stands out on any background
}

// cube returns the xterm 256-colour index nearest to an RGB colour, from
// its 6×6×6 colour cube.
func cube(r, g, b uint8) int {
	level := func(v uint8) int {
		levels := [...]int{0, 95, 135, 175, 215, 255}
		best := 0
		for i, l := range levels {
			if abs(int(v)-l) < abs(int(v)-levels[best]) {
				best = i
			}
		}
		return best
	}
	return 16 + 36*level(r) + 6*level(g) + level(b)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// pos is a place on the screen, relative to the first row drawn.
type pos struct{ row, col int }

// layout cuts cells into rows of at most width columns, as a terminal
// would (a wide character that does not fit goes to the next row whole),
// and returns where each cell is, and where the one after the last would
// be (at the start of the next row if the last row is full).
func layout(cells []cell, width int) (rows [][]cell, at []pos) {
	var row []cell
	col, r := 0, 0
	for _, c := range cells {
		if col+c.width > width {
			rows = append(rows, row)
			row, col, r = nil, 0, r+1
		}
		at = append(at, pos{r, col})
		row = append(row, c)
		col += c.width
	}
	rows = append(rows, row)
	if col >= width {
		r, col = r+1, 0
	}
	return rows, append(at, pos{r, col})
}

// wrap cuts cells into rows of at most width columns, between words where
// it can (Unicode's line breaking rules), dropping the spaces a row ends on.
func wrap(cells []cell, width int) [][]cell {
	var rows [][]cell
	var row []cell
	col, lastBreak := 0, -1 // lastBreak: index in row after which it may wrap
	for _, c := range cells {
		if col+c.width > width {
			switch {
			case c.space: // the space becomes the wrap itself
				rows, row, col, lastBreak = append(rows, row), nil, 0, -1
				continue
			case lastBreak >= 0 && lastBreak < len(row)-1:
				tail := append([]cell(nil), row[lastBreak+1:]...)
				rows = append(rows, trimSpaces(row[:lastBreak+1]))
				row, col, lastBreak = tail, widthOf(tail), -1
			default:
				rows, row, col, lastBreak = append(rows, trimSpaces(row)), nil, 0, -1
			}
		}
		if len(row) == 0 && c.space && len(rows) > 0 {
			continue // a wrapped row does not start with a space
		}
		row = append(row, c)
		col += c.width
		if c.canBreak {
			lastBreak = len(row) - 1
		}
	}
	return append(rows, row)
}

func trimSpaces(row []cell) []cell {
	for len(row) > 0 && row[len(row)-1].space {
		row = row[:len(row)-1]
	}
	return row
}

func widthOf(cells []cell) int {
	w := 0
	for _, c := range cells {
		w += c.width
	}
	return w
}

// appendRow appends a row's clusters with their styles, the style reset at
// its end.
func appendRow(out []byte, row []cell) []byte {
	style := ""
	for _, c := range row {
		if c.style != style {
			out = append(out, "\x1b[0m"...)
			if c.style != "" {
				out = append(out, "\x1b["+c.style+"m"...)
			}
			style = c.style
		}
		out = append(out, c.text...)
	}
	if style != "" {
		out = append(out, "\x1b[0m"...)
	}
	return out
}
