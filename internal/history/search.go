package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/anseo/anseo/internal/hub"
)

// Search returns room's newest n saved messages and actions whose text or
// name contains query, compared case-insensitively, oldest first; none if
// n <= 0. The empty query matches every message. query is plain text: %,
// _ and the search index's own syntax are not operators. room is as for
// Recent. A message an operator removed is never found, by its text or its
// author's name: nothing of it is left to find.
//
// Case is compared with Unicode full case folding of NFC text
// (golang.org/x/text), because SQLite's lower() and LIKE fold only ASCII:
// "ÉCOLE" finds "école", "STRASSE" finds "straße", and an é typed as e and a
// combining accent finds a precomposed é. Folding is the same for every
// language: a Turkish dotless ı does not match I.
//
// A query of three characters or more (once folded) is looked up in the
// search index (events_text), which holds every message's name and text
// folded the same way, in trigrams: the messages that have all of the
// query's are read newest first, and those of other rooms and those that
// have them apart passed over, until n are found. The index is written
// behind the log (see index.go): the room's messages it does not have yet,
// those above the watermark, are read from events first, newest first, and
// compared here; the index gives the rest, up to the watermark, so that no
// message is found twice or missed. A
// shorter query cannot be looked up in trigrams: the room's messages are
// read newest first until n match, so one that matches little reads the
// whole room; Prune keeps it bounded. Either way each message found is
// compared again here, so what matches is defined in one place (matcher).
func (s *Store) Search(ctx context.Context, room, query string, n int) ([]*hub.Event, error) {
	key := hub.RoomKey(room)
	if n <= 0 || key == "" {
		return nil, nil
	}
	evs, err := s.search(ctx, key, query, n)
	if err != nil {
		return nil, fmt.Errorf("history: search: %w", err)
	}
	slices.Reverse(evs)
	return evs, nil
}

// trigram is the shortest query the search index can look up: it indexes
// every three characters.
const trigram = 3

// ShortSearchScan bounds a search shorter than a trigram, which the index
// cannot help: it looks through the room's newest this many messages, not
// the whole room, so that nobody can make the server read a room of a
// million messages a query at a time.
const ShortSearchScan = 10_000

// search returns the matches in the room with key, newest first. It
// reads each candidate's ID, name and text only, and the whole of the n it
// keeps afterwards: the driver's cost is per column read, and most
// candidates of a query that matches little are passed over.
func (s *Store) search(ctx context.Context, key, query string, n int) ([]*hub.Event, error) {
	m := newMatcher(query)
	var found []int64
	if utf8.RuneCountInString(m.q) >= trigram {
		// The index has nothing above the watermark, and everything up to
		// it: it only ever grows upwards, so the two reads below cover the
		// room once whatever is indexed meanwhile.
		indexed := s.indexed.Load()
		rows, err := s.db.QueryContext(ctx, `SELECT id, name, text FROM events WHERE room_key = ? AND `+public+` AND removed = 0
			AND id > ? ORDER BY id DESC`, key, indexed)
		if found, err = matches(rows, err, m, found, n); err != nil {
			return nil, err
		}
		if len(found) < n {
			// CROSS JOIN keeps the index outermost, read newest first, so
			// that reading stops as soon as n are found.
			rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.name, e.text FROM events_text CROSS JOIN events AS e ON e.id = events_text.rowid
				WHERE events_text MATCH ? AND events_text.rowid <= ? AND e.room_key = ? AND e.kind IN (3, 5) ORDER BY events_text.rowid DESC`,
				trigrams(m.q), indexed, key)
			if found, err = matches(rows, err, m, found, n); err != nil {
				return nil, err
			}
		}
	} else {
		rows, err := s.db.QueryContext(ctx, `SELECT id, name, text FROM events WHERE room_key = ? AND `+public+` AND removed = 0
			ORDER BY id DESC LIMIT ?`, key, ShortSearchScan)
		if found, err = matches(rows, err, m, found, n); err != nil {
			return nil, err
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	ids, _ := json.Marshal(found) // integers: cannot fail
	return s.query(ctx, `SELECT `+columns+` FROM events WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC`, string(ids))
}

// matches reads candidates (ID, name, text) from rows, the result of a
// query that failed with err if it is not nil, and appends to found the
// IDs of those that match m, until found has n. It closes rows.
func matches(rows *sql.Rows, err error, m *matcher, found []int64, n int) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for len(found) < n && rows.Next() {
		var (
			id         int64
			name, text string
		)
		if err := rows.Scan(&id, &name, &text); err != nil {
			return nil, err
		}
		if m.match(text) || m.match(name) {
			found = append(found, id)
		}
	}
	return found, rows.Err()
}

// trigrams returns the FTS5 query for the messages that have every
// trigram of a folded query of three characters or more: "abcd" is
// "abc" AND "bcd". Each is an FTS5 string, so that nothing in it is read as
// an operator.
func trigrams(q string) string {
	runes := []rune(q)
	seen := make(map[string]bool)
	var b strings.Builder
	for i := 0; i+trigram <= len(runes); i++ {
		t := string(runes[i : i+trigram])
		if seen[t] {
			continue
		}
		seen[t] = true
		if b.Len() > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(`"` + strings.ReplaceAll(t, `"`, `""`) + `"`)
	}
	return b.String()
}

// indexSaved puts every saved message and action in the search index: the
// migration that made it (version 4) runs it. It reads them a page at a
// time, so that it never holds a query open while it writes.
//
// The index holds names and texts as folder folds them; a change to the
// folding needs a migration that empties the index and runs this again.
func indexSaved(ctx context.Context, tx *sql.Tx) error {
	const page = 10_000
	type saved struct {
		id         int64
		name, text string
	}
	folder := newFolder()
	var after int64
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, name, text FROM events WHERE kind IN (3, 5) AND id > ? ORDER BY id LIMIT ?`, after, page)
		if err != nil {
			return err
		}
		var batch []saved
		for rows.Next() {
			var s saved
			if err := rows.Scan(&s.id, &s.name, &s.text); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, s := range batch {
			if _, err := tx.ExecContext(ctx, `INSERT INTO events_text (rowid, name, text) VALUES (?, ?, ?)`,
				s.id, folder.fold(s.name), folder.fold(s.text)); err != nil {
				return err
			}
			after = s.id
		}
		if len(batch) < page {
			return nil
		}
	}
}

// A folder folds strings the way Search compares them: case-folded and
// NFC-normalised, so that canonically equivalent strings that differ only
// in case are equal. It is for one goroutine only (a cases.Caser keeps
// state).
type folder struct {
	caser cases.Caser
}

func newFolder() *folder { return &folder{caser: cases.Fold()} }

// fold returns s case-folded and NFC-normalised.
func (f *folder) fold(s string) string {
	if isASCII(s) {
		// Most chat is ASCII, which folds to its lower case and needs no
		// normalising.
		return lowerASCII(s)
	}
	return norm.NFC.String(f.caser.String(s))
}

// A matcher finds one query in strings, the way Search compares: both
// folded (folder). It is for one goroutine only.
type matcher struct {
	folder *folder
	q      string // the query, folded
}

func newMatcher(query string) *matcher {
	m := &matcher{folder: newFolder()}
	m.q = m.folder.fold(query)
	return m
}

// match reports whether s contains the query.
func (m *matcher) match(s string) bool {
	if isASCII(s) {
		// Compare in place rather than copy it all.
		return containsLowerASCII(s, m.q)
	}
	return strings.Contains(m.folder.fold(s), m.q)
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// containsLowerASCII reports whether s, all ASCII, contains q once s is in
// lower case. A q with other than ASCII is never found, as folding ASCII
// yields only ASCII.
func containsLowerASCII(s, q string) bool {
	for i := 0; i+len(q) <= len(s); i++ {
		j := 0
		for j < len(q) && lowerByte(s[i+j]) == q[j] {
			j++
		}
		if j == len(q) {
			return true
		}
	}
	return false
}

// lowerASCII returns s, all ASCII, in lower case; s itself if it is.
func lowerASCII(s string) string {
	for i := range len(s) {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerByte(b[j])
			}
			return string(b)
		}
	}
	return s
}

func lowerByte(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
