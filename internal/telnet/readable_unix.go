//go:build unix

package telnet

import (
	"net"
	"syscall"
)

// readable returns a function that waits until c has input (or has ended,
// or its read deadline has passed) without reading it, so that a line
// reader needs no buffer while it waits; nil if c cannot wait that way.
//
// It peeks before it waits, as the runtime's own reads do: the poller
// reports input once, when it arrives, so input that came before the wait
// would otherwise go unnoticed until more came.
func readable(c net.Conn) func() error {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	var b [1]byte
	ready := func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Data, end of stream or an error: the read that follows reports it.
		return err != syscall.EAGAIN && err != syscall.EWOULDBLOCK && err != syscall.EINTR
	}
	return func() error { return rc.Read(ready) }
}

// hungUp reports whether c's peer has closed the connection (its end of
// stream, or a reset, is waiting to be read), without waiting and without
// reading anything. Input waiting ahead of the end is not a hang-up yet.
func hungUp(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var b [1]byte
	gone := false
	_ = rc.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		gone = (n == 0 && err == nil) || err == syscall.ECONNRESET
	})
	return gone
}
