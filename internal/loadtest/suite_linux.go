package loadtest

import (
	"fmt"
	"syscall"
)

// serverProcAttr makes the kernel kill a server when the suite dies, even
// by SIGKILL, when it has no chance to stop it. Pdeathsig is tied to the
// thread that started the server, not the process; the Go runtime ends
// threads only for goroutines that exit while locked to one, which the
// suite never does. taskset keeps the setting across its exec.
func serverProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// tmpfsMagic is statfs's f_type for tmpfs (linux/magic.h).
const tmpfsMagic = 0x01021994

// tmpfsNote warns when dir, where file stores are made, is held in memory
// (many systems mount /tmp as tmpfs): a "file" run would then measure no
// disk at all. It returns "" when dir is on a disk or cannot be examined.
func tmpfsNote(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil || int64(st.Type) != tmpfsMagic {
		return ""
	}
	return fmt.Sprintf("%s is tmpfs: the file store is in memory too; set TMPDIR to a directory on disk", dir)
}
