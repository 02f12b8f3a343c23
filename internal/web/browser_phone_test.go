package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"

	"github.com/anseo/anseo/internal/browsertest"
)

// seenWhole reports, for each element the selector matches in the header,
// whether it is shown whole: it has a size, lies inside the viewport, is
// not cut short (its text fits its box), and is what a tap at its middle
// reaches (nothing covers it).
const seenWhole = `(sel => [...document.querySelectorAll(sel)].map(e => {
	const r = e.getBoundingClientRect();
	const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
	const problems = [];
	if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') problems.push('not shown');
	if (r.left < 0 || r.top < 0 || r.right > screen.width || r.bottom > screen.height) problems.push('outside the screen');
	if (e.scrollWidth > e.clientWidth + 1) problems.push('cut short');
	if (!(hit === e || e.contains(hit) || hit?.contains(e))) problems.push('covered by ' + (hit?.id || hit?.className || hit?.tagName));
	return (e.id || e.dataset.testid) + ': ' + (problems.join(', ') || 'ok');
}))`

// TestBrowserPhoneHeader: at a phone's 390 px the header still says who
// you are and whether you are connected, and every control in it is on
// the screen and reachable.
func TestBrowserPhoneHeader(t *testing.T) {
	t.Parallel()
	_, newTab := browserServer(t)
	alice := newTab()
	alice.Do(chromedp.EmulateViewport(390, 760, chromedp.EmulateMobile, chromedp.EmulateScale(3)))
	alice.Login("alexandra")

	check := func(sel string) []string {
		return browsertest.Run(alice, chromedp.Evaluate[[]string](seenWhole+`(`+"`"+sel+"`"+`)`))
	}
	assert.Equal(t, []string{"status-text: ok", "me: ok"}, check(`#me, #status-text`))
	assert.Equal(t, "alexandra", alice.Text("me"))
	assert.Equal(t, "Connected", browsertest.Run(alice, chromedp.TextContent(chromedp.CSS(`#status-text`))))
	for _, line := range check(`.topbar button:not([hidden]), .topbar .brand-mark`) {
		assert.Regexp(t, `: ok$`, line)
	}
	assert.LessOrEqual(t, browsertest.Run(alice, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)), 390, "nothing makes the page wider than the phone")
	assertNoProblems(t, alice)
}
