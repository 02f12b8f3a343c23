package history

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/anseo/anseo/internal/hub"
)

// Search returns the newest n saved events whose text or name contains
// query, compared case-insensitively, oldest first; none if n <= 0. The
// empty query matches every event. query is plain text: % and _ are not
// wildcards.
//
// Case is compared in Go, with Unicode full case folding of NFC text
// (golang.org/x/text), because SQLite's lower() and LIKE fold only ASCII:
// "ÉCOLE" finds "école", "STRASSE" finds "straße", and an é typed as e and a
// combining accent finds a precomposed é. Folding is the same for every
// language: a Turkish dotless ı does not match I. Comparing in Go means
// Search reads events newest first until it has n matches, so a search that
// matches little reads every saved event; Prune keeps their number bounded.
func (s *Store) Search(ctx context.Context, query string, n int) ([]*hub.Event, error) {
	if n <= 0 {
		return nil, nil
	}
	evs, err := s.search(ctx, query, n)
	if err != nil {
		return nil, fmt.Errorf("history: search: %w", err)
	}
	slices.Reverse(evs)
	return evs, nil
}

// search returns the matches newest first.
func (s *Store) search(ctx context.Context, query string, n int) ([]*hub.Event, error) {
	m := newMatcher(query)
	rows, err := s.db.QueryContext(ctx, `SELECT `+columns+` FROM events WHERE `+public+` ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []*hub.Event
	for len(evs) < n && rows.Next() {
		ev, err := scan(rows)
		if err != nil {
			return nil, err
		}
		if m.match(ev.Text) || m.match(ev.Name) {
			evs = append(evs, ev)
		}
	}
	return evs, rows.Err()
}

// A matcher finds one query in strings, the way Search compares: both
// case-folded and NFC-normalised, so that canonically equivalent strings
// that differ only in case compare equal. It is for one goroutine only (a
// cases.Caser keeps state).
type matcher struct {
	caser cases.Caser
	q     string // the query, folded
}

func newMatcher(query string) *matcher {
	m := &matcher{caser: cases.Fold()}
	m.q = m.fold(query)
	return m
}

// fold returns s case-folded and NFC-normalised.
func (m *matcher) fold(s string) string {
	return norm.NFC.String(m.caser.String(s))
}

// match reports whether s contains the query.
func (m *matcher) match(s string) bool {
	if isASCII(s) {
		// Most chat is ASCII, which folds to its lower case and needs no
		// normalising: compare in place rather than copy it all.
		return containsLowerASCII(s, m.q)
	}
	return strings.Contains(m.fold(s), m.q)
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
		for j < len(q) && lowerASCII(s[i+j]) == q[j] {
			j++
		}
		if j == len(q) {
			return true
		}
	}
	return false
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
