package hub

import "sync/atomic"

// An Event is shared by all its recipients, so each transport can render it
// once and write the same bytes to every connection, rather than render it
// per recipient: for a room of a thousand, that is the difference between
// one encoding and a thousand. Events keep a small cache of encodings
// beside them, one slot per SharedEncoding.

// maxEncodingSlots bounds the slots: one per transport, with room to spare.
const maxEncodingSlots = 4

var nextSlot atomic.Int32

// SharedEncoding is one transport's rendering of the events that every
// recipient sees alike. Safe from any goroutine.
type SharedEncoding struct {
	slot   int32
	encode func(*Event) []byte
}

// NewSharedEncoding returns the encoding that encode computes. encode must
// depend on the event alone, not on who receives it; what does (one's own
// message, say) a transport renders per recipient instead. Make one per
// transport, at package initialisation: it panics if more than a handful
// are made.
func NewSharedEncoding(encode func(*Event) []byte) *SharedEncoding {
	n := nextSlot.Add(1) - 1
	if n >= maxEncodingSlots {
		panic("hub: too many shared encodings")
	}
	return &SharedEncoding{slot: n, encode: encode}
}

// Of returns ev encoded, computing it on first use and sharing the result
// with every later caller. The caller must not modify the bytes. Two first
// callers may both encode, and one result wins.
func (s *SharedEncoding) Of(ev *Event) []byte {
	slot := &ev.encoded[s.slot]
	if b := slot.Load(); b != nil {
		return *b
	}
	b := s.encode(ev)
	slot.CompareAndSwap(nil, &b)
	return *slot.Load()
}
