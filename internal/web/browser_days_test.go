package web_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/hub"
)

// TestBrowserDays: a separator where the day changes ("Today",
// "Yesterday", or the date), and every time's full date and time on
// hover, all in the reader's locale and time zone: here Auckland's, in
// British English, whatever the machine's.
func TestBrowserDays(t *testing.T) {
	t.Parallel()
	auckland, err := time.LoadLocation("Pacific/Auckland")
	require.NoError(t, err)
	var clock atomic.Pointer[time.Time]
	now := func() time.Time {
		if c := clock.Load(); c != nil {
			return *c
		}
		return time.Now()
	}
	at := func(tm time.Time) { clock.Store(&tm) }
	srv, newTab := browserServerWith(t, hub.Options{Flood: noFlood, Now: now})

	// 23:30 UTC on 13 March 2026 is 12:30 on Saturday 14 March in Auckland:
	// the day the reader sees is their own, not the server's.
	at(time.Date(2026, 3, 13, 23, 30, 0, 0, time.UTC))
	carol := watch(t, srv.Hub, "carol")
	say := func(text string) { // and wait until the room has it, at the clock's time
		t.Helper()
		require.NoError(t, carol.Say(t.Context(), text, ""))
		carol.waitMessage(text)
	}
	say("a Saturday in March")
	at(time.Date(2026, 3, 13, 23, 45, 0, 0, time.UTC))
	say("still that Saturday")
	today := time.Now().In(auckland)
	at(time.Date(today.Year(), today.Month(), today.Day()-1, 9, 5, 0, 0, auckland))
	say("yesterday morning")
	at(time.Date(today.Year(), today.Month(), today.Day(), 0, 10, 0, 0, auckland))
	say("just after midnight today")
	clock.Store(nil)

	alice := newTab()
	_, err = chromedp.Call(alice.Context(), emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Pacific/Auckland"})
	require.NoError(t, err)
	_, err = chromedp.Call(alice.Context(), emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "en-GB"})
	require.NoError(t, err)
	alice.Login("alice")
	alice.WaitMessage("carol", "just after midnight today")

	days := func() []string {
		return browsertest.Run(alice, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid=day]')].map(d => d.textContent)`))
	}
	assert.Equal(t, []string{"Saturday, 14 March 2026", "Yesterday", "Today"}, days())
	order := browsertest.Run(alice, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid=day], [data-testid=message] .text')].map(e => e.textContent)`))
	assert.Equal(t, []string{
		"Saturday, 14 March 2026", "a Saturday in March", "still that Saturday",
		"Yesterday", "yesterday morning",
		"Today", "just after midnight today",
	}, order, "each day's separator comes before its first line")

	first := `document.querySelector('[data-testid=message] time')`
	assert.Equal(t, "12:30", browsertest.Run(alice, chromedp.Evaluate[string](first+`.textContent`)), "the time in Auckland, 24-hour as en-GB writes it")
	assert.Equal(t, "Saturday, 14 March 2026 at 12:30:00 GMT+13", browsertest.Run(alice, chromedp.Evaluate[string](first+`.title`)), "the whole date and time on hover")

	t.Run("a new line today adds no separator", func(t *testing.T) {
		say("now")
		alice.WaitMessage("carol", "now")
		assert.Equal(t, []string{"Saturday, 14 March 2026", "Yesterday", "Today"}, days())
	})
	assertNoProblems(t, alice)
}
