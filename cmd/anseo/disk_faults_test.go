//go:build faults

package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
)

// TestAFullDiskIsToldForReal (make faults): a real anseo whose history
// file cannot grow. The disk fills for anseo alone: the test sets a file size
// limit (RLIMIT_FSIZE) on the child process, which the kernel enforces on
// every write past it as it enforces a full filesystem (the write fails;
// EFBIG instead of ENOSPC), without root or a filesystem to fill; raising
// the limit is the disk getting room. Senders are told "Not sent" instead of
// being shown what cannot be kept, /readyz answers 503 and the anseo_log_ok
// gauge is 0; once there is room again, what was on its way is written and
// acknowledged, /readyz is 200, and every acknowledged message is in the
// history file.
func TestAFullDiskIsToldForReal(t *testing.T) {
	db := filepath.Join(t.TempDir(), "anseo.db")
	a := startChild(t, buildAnseo(t), "-db", db, "-flood-rate", "1000000", "-flood-burst", "1000000")
	base := "http://" + a.httpAddr
	room := func(bytes uint64) {
		t.Helper()
		limit := unix.Rlimit{Cur: bytes, Max: unix.RLIM_INFINITY}
		require.NoError(t, unix.Prlimit(a.cmd.Process.Pid, unix.RLIMIT_FSIZE, &limit, nil))
	}
	room(512 << 10) // a few dozen messages more than the empty history

	u := wsLogin(t, base, "alice")
	u.connect(base, "")
	line := strings.Repeat("the disk fills up ", 200) // 3.6 KB
	acked := map[string]bool{}
	refused := false
	for i := 0; !refused; i++ {
		require.Less(t, i, 2000, "the disk never filled")
		text := fmt.Sprintf("%d %s", i, line)
		say(t, u, text, fmt.Sprint(i))
		m := u.next(func(m map[string]any) bool {
			return (m["type"] == "message" && m["ref"] == fmt.Sprint(i)) || m["type"] == "notice"
		})
		if m["type"] == "notice" {
			require.Contains(t, m["text"], "Waiting", "told at once that it waits")
			refused = true
			continue
		}
		acked[text] = true
	}
	say(t, u, "refused", "refused")
	m := u.next(func(m map[string]any) bool { return m["type"] == "notice" })
	assert.Contains(t, m["text"], "Not sent", "what comes after is refused at once")
	status, _ := get(t, nil, base+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, status, "not ready while the disk is full")
	status, body := get(t, nil, base+"/metrics")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, 0.0, metric(body, "anseo_log_ok"))

	// Room again: the message that was on its way when the disk filled is
	// written, and only then acknowledged.
	waiting := len(acked)
	room(unix.RLIM_INFINITY)
	u.next(func(m map[string]any) bool { return m["type"] == "message" && m["ref"] == fmt.Sprint(waiting) })
	acked[fmt.Sprintf("%d %s", waiting, line)] = true
	say(t, u, "after the disk had room", "last")
	u.next(func(m map[string]any) bool { return m["type"] == "message" && m["ref"] == "last" })
	acked["after the disk had room"] = true
	status, _ = get(t, nil, base+"/readyz")
	assert.Equal(t, http.StatusOK, status, "ready again")

	a.stop(t)
	st, err := history.Open(t.Context(), db)
	require.NoError(t, err)
	defer st.Close()
	saved, err := st.After(t.Context(), hub.DefaultRoom, 0, 100_000)
	require.NoError(t, err)
	kept := map[string]bool{}
	for _, ev := range saved {
		kept[ev.Text] = true
	}
	for text := range acked {
		assert.True(t, kept[text], "acknowledged but not kept: %.20q", text)
	}
}
