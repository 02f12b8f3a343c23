//go:build !unix

package telnet

import "net"

// readable: without a way to wait for input without reading it, a line
// reader keeps its buffer.
func readable(net.Conn) func() error { return nil }
