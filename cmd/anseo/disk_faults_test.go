//go:build faults

package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/history"
)

// TestAFullDiskIsToldForReal (make faults; needs root, to mount a tmpfs):
// anseo's history on a real filesystem that fills up. Senders are told
// "Not sent" instead of being shown what cannot be kept, /readyz answers
// 503; once the disk has room again, what was on its way is written and
// acknowledged, /readyz is 200, and every acknowledged message is in the
// history file.
func TestAFullDiskIsToldForReal(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root, to mount a small tmpfs for the history (make faults runs as root on the development machine)")
	}
	disk := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk).CombinedOutput()
	require.NoError(t, err, string(out))
	t.Cleanup(func() { _ = exec.Command("umount", "-l", disk).Run() })

	// Most of the disk is taken by a file the test removes later.
	filler := filepath.Join(disk, "filler")
	require.NoError(t, os.WriteFile(filler, make([]byte, 3<<20), 0o600))
	db := filepath.Join(disk, "anseo.db")
	a := startChild(t, buildAnseo(t), "-db", db, "-flood-rate", "1000000", "-flood-burst", "1000000")
	base := "http://" + a.httpAddr

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
	require.NoError(t, os.Remove(filler))
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
	saved, err := st.After(t.Context(), 0, 100_000)
	require.NoError(t, err)
	kept := map[string]bool{}
	for _, ev := range saved {
		kept[ev.Text] = true
	}
	for text := range acked {
		assert.True(t, kept[text], "acknowledged but not kept: %.20q", text)
	}
}
