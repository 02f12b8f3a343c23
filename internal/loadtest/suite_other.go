//go:build !linux

package loadtest

import "syscall"

// serverProcAttr: only Linux can tie a child's life to its parent's.
func serverProcAttr() *syscall.SysProcAttr { return nil }

// tmpfsNote: tmpfs is looked for on Linux only.
func tmpfsNote(string) string { return "" }
