package hub

import "sync/atomic"

// An Event is shared by all its recipients, so each transport can render it
// once and write the same bytes to every connection, rather than render it
// per recipient: for a room of a thousand, that is the difference between
// one encoding and a thousand. Events keep a small cache of encodings, one
// slot per transport that asks for one.

// maxEncodingSlots bounds the slots: one per transport, with room to spare.
const maxEncodingSlots = 4

var nextSlot atomic.Int32

// EncodingSlot is a transport's place in every Event's encoding cache.
type EncodingSlot int32

// NewEncodingSlot reserves a slot. Call it once per transport, at package
// initialisation; it panics if more than a handful are asked for.
func NewEncodingSlot() EncodingSlot {
	n := nextSlot.Add(1) - 1
	if n >= maxEncodingSlots {
		panic("hub: too many encoding slots")
	}
	return EncodingSlot(n)
}

// Encoded returns ev encoded by encode, computing it on first use in slot
// and sharing the result with every later caller. encode must depend on ev
// alone (not on the recipient) and the caller must not modify the bytes.
// Safe from any goroutine: two first callers may both encode, and one
// result wins.
func (e *Event) Encoded(slot EncodingSlot, encode func(*Event) []byte) []byte {
	if b := e.encoded[slot].Load(); b != nil {
		return *b
	}
	b := encode(e)
	e.encoded[slot].CompareAndSwap(nil, &b)
	return *e.encoded[slot].Load()
}
