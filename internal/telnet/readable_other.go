//go:build !unix

package telnet

import "net"

// readable: without a way to wait for input without reading it, a line
// reader keeps its buffer.
func readable(net.Conn) func() error { return nil }

// hungUp: without a way to peek, a hang-up is noticed when it is read.
func hungUp(net.Conn) bool { return false }
