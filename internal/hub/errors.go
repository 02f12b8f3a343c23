package hub

import (
	"errors"
	"fmt"
)

// ErrNameTaken is returned by Join when another member holds the name (or a
// name that differs from it only in letter case).
var ErrNameTaken = errors.New("name taken")

// ErrClosed is returned when the hub has stopped (it is shutting down).
var ErrClosed = errors.New("hub closed")

// ErrEmptyText is returned by Say for text that is empty or only whitespace.
// Transports drop such lines silently, as the seed's client never sent them.
var ErrEmptyText = errors.New("empty message")

// NameError says why a name was refused, in words the user can act on. The
// Reason completes the sentence "Name invalid: …, please choose another."
type NameError struct{ Reason string }

func (e *NameError) Error() string { return "invalid name: " + e.Reason }

// ErrTooLong is returned by Say for text longer than Options.MaxTextBytes.
// The text is not sent; the member stays.
var ErrTooLong = errors.New("message too long")

// ErrTooManyLines is returned by Say for text of more lines than
// Options.MaxTextLines. It is an ErrTooLong too (errors.Is), so that a
// transport that words only one of them still refuses it clearly.
var ErrTooManyLines = fmt.Errorf("%w: too many lines", ErrTooLong)

// ErrFlood is returned by Say when the member has been sending faster than
// its flood control allows for too long. The text is not sent; the member
// stays, and may speak again after a pause.
var ErrFlood = errors.New("sending too fast")

// ErrNoSession is returned by Join for a token that belongs to nobody in the
// room, or to someone whose grace period has run out.
var ErrNoSession = errors.New("no such session")

// ErrUnavailable is returned by Join, Check and a rename when the room
// cannot take the change just now: its log cannot keep it (a full or
// failing disk), or, in a cluster, the other nodes cannot be reached to
// agree on a name. Nothing changed; the user may try again in a moment.
var ErrUnavailable = errors.New("the cluster cannot be reached")
