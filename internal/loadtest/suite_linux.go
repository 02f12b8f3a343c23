package loadtest

import "syscall"

// serverProcAttr makes the kernel kill a server when the suite dies, even
// by SIGKILL, when it has no chance to stop it. Pdeathsig is tied to the
// thread that started the server, not the process; the Go runtime ends
// threads only for goroutines that exit while locked to one, which the
// suite never does. taskset keeps the setting across its exec.
func serverProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
