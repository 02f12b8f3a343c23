package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
)

// TestBrowserClosingTheLastTab: a page says it is leaving as it goes
// (pagehide), so a closed tab is seen to leave within the short grace, not
// the long one that covers network blips, and a reload, which says the
// same, still comes back within it unnoticed.
func TestBrowserClosingTheLastTab(t *testing.T) {
	t.Parallel()
	const grace = 2 * time.Minute // a dropped network's: far longer than the test
	srv, newTab := browserServerWith(t, hub.Options{Flood: noFlood, Grace: grace})
	alice, bob, carol := newTab(), newTab(), newTab()
	alice.Login("alice")
	bob.Login("bob")
	carol.Login("carol")
	alice.WaitMember("carol", true)

	t.Run("a reload resumes unnoticed", func(t *testing.T) {
		comings := alice.Count(`[data-kind=left], [data-kind=joined]`)
		carol.Do(chromedp.Reload())
		carol.WaitConnected()
		carol.Say("back from a reload")
		alice.WaitMessage("carol", "back from a reload")
		assert.Equal(t, comings, alice.Count(`[data-kind=left], [data-kind=joined]`), "alice saw carol neither leave nor join")
		assert.Zero(t, carol.Count(`[data-kind=reconnected]`), "carol's page was not told of a fresh start")
	})

	t.Run("a closed tab leaves within seconds", func(t *testing.T) {
		start := time.Now()
		bob.Close()
		alice.WaitEvent("left", "bob left")
		took := time.Since(start)
		t.Logf("bob was seen to leave %v after his tab closed", took)
		assert.GreaterOrEqual(t, took, hub.DefaultLeaveGrace, "time enough for a reload to come back")
		assert.Less(t, took, hub.DefaultLeaveGrace+5*time.Second, "and not the %v of a network's blip", grace)
		require.NoError(t, srv.Hub.Check(t.Context(), "bob"), "the name is free")
	})
	assertNoProblems(t, alice, carol)
}
