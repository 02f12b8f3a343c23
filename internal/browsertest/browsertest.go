// Package browsertest drives a real headless Chromium for anseo's end-to-end
// tests: one browser process shared by a test binary, and a Tab per user,
// each in its own browser context (its own cookies, as if each user had their
// own browser). It speaks in terms of anseo's pages: their data-testid hooks.
//
// It is for tests only; nothing in the binary imports it.
//
// Typical use, in a package's main_test.go and tests:
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(browsertest.Main(m)) }
//
//	alice := browsertest.Shared(t).NewTab(t, serverURL)
//	alice.Login("alice")
//	alice.Say("hello")
//	alice.WaitMessage("alice", "hello")
//
// Every wait is for an event in the page (a DOM change, a load), bounded by
// Tab.Timeout; none sleeps.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// EnvChromium names the variable that points at the browser to use. Without
// it, Chromium looks in the usual places.
const EnvChromium = "ANSEO_CHROMIUM"

// DefaultTimeout bounds each step of a Tab: generous for a loaded 2-core CI
// machine, short enough that a broken page fails fast.
const DefaultTimeout = 15 * time.Second

var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Chromium returns the path of the browser: $ANSEO_CHROMIUM, else the first
// of /usr/bin/chromium and the usual names on $PATH. With none, the test is
// skipped, except when $CI is "true": in CI a missing browser is a failure,
// never a silent skip.
func Chromium(tb testing.TB) string {
	tb.Helper()
	path, err := findChromium()
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("browsertest: %v (CI=true, so this fails instead of skipping)", err)
	}
	tb.Skipf("browsertest: %v; set %s to run the browser tests", err, EnvChromium)
	return ""
}

func findChromium() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvChromium, p, err)
		}
		return p, nil
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found (looked for " + strings.Join(candidates, ", ") + ")")
}

// Browser is one headless Chromium process. Its methods are safe from
// several goroutines.
type Browser struct {
	ctx         context.Context // the browser's chromedp context
	cancel      context.CancelFunc
	cancelAlloc context.CancelFunc
}

// Start starts a headless Chromium at path with a fresh, temporary profile
// that Close removes.
func Start(path string) (*Browser, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.WindowSize(1280, 800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, bound to ctx and no shorter deadline
		cancel()
		cancelAlloc()
		return nil, fmt.Errorf("browsertest: start %s: %w", path, err)
	}
	return &Browser{ctx: ctx, cancel: cancel, cancelAlloc: cancelAlloc}, nil
}

// Close stops the browser, waits for its process to exit and removes its
// profile.
func (b *Browser) Close() {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	_ = chromedp.Cancel(ctx)
	b.cancel()
	b.cancelAlloc() // waits for the process and removes the profile directory
}

var shared struct {
	mu  sync.Mutex
	b   *Browser
	err error
}

// Shared returns the browser shared by the test binary, starting it on first
// use. It skips or fails tb as Chromium does when there is no browser. Call
// CloseShared when the tests are done (Main does).
func Shared(tb testing.TB) *Browser {
	tb.Helper()
	path := Chromium(tb)
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.b == nil && shared.err == nil {
		shared.b, shared.err = Start(path)
	}
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.b
}

// CloseShared stops the shared browser, if it was started.
func CloseShared() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.b != nil {
		shared.b.Close()
		shared.b = nil
	}
}

// Main wraps m so that the shared browser is closed after the tests and
// before a leak check: goleak.VerifyTestMain(browsertest.Main(m)).
func Main(m *testing.M) interface{ Run() int } { return mainRunner{m} }

type mainRunner struct{ m *testing.M }

func (r mainRunner) Run() int {
	defer CloseShared()
	return r.m.Run()
}

// Tab is one user of anseo: a browser tab in its own browser context, so it
// has its own cookies. A Tab belongs to one test and one goroutine; it closes
// itself when the test ends.
type Tab struct {
	// Base is the server's URL, "http://127.0.0.1:port", no trailing slash.
	Base string
	// Timeout bounds each step; default DefaultTimeout.
	Timeout time.Duration

	tb     testing.TB
	ctx    context.Context
	cancel context.CancelFunc
	closed bool

	mu       sync.Mutex
	dialogs  []string
	problems []string
	handling sync.WaitGroup // goroutines dismissing dialogs
}

// NewTab opens a tab for a new user of the server at base. The tab records
// every JavaScript dialog (alert, confirm, prompt), which it dismisses, and
// every uncaught exception and console or browser error; see Dialogs and
// Problems.
func (b *Browser) NewTab(tb testing.TB, base string) *Tab {
	tb.Helper()
	return openTab(tb, b.ctx, base, chromedp.WithNewBrowserContext())
}

// Duplicate opens another tab for the same user: same browser context, so
// the same cookies, as when a user opens a second tab.
func (t *Tab) Duplicate(tb testing.TB) *Tab {
	tb.Helper()
	return openTab(tb, t.ctx, t.Base)
}

func openTab(tb testing.TB, parent context.Context, base string, opts ...chromedp.ContextOption) *Tab {
	tb.Helper()
	t := &Tab{Base: strings.TrimSuffix(base, "/"), Timeout: DefaultTimeout, tb: tb}
	t.ctx, t.cancel = chromedp.NewContext(parent, append(opts, chromedp.WithListener(t.listen))...)
	if err := chromedp.Do(t.ctx); err != nil { // opens the tab, with no deadline
		t.cancel()
		tb.Fatalf("browsertest: open tab: %v", err)
	}
	tb.Cleanup(t.Close)
	return t
}

// listen runs in the tab's event loop: it must return at once and send no
// command itself.
func (t *Tab) listen(ev any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		t.dialogs = append(t.dialogs, string(ev.Type)+": "+ev.Message)
		t.handling.Go(func() { // a dialog blocks the page until it is answered
			_, _ = chromedp.Call(t.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		})
	case *runtime.EventExceptionThrown:
		t.problems = append(t.problems, "exception: "+exceptionText(ev.ExceptionDetails))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range ev.Args {
				args = append(args, a.Description+string(a.Value))
			}
			t.problems = append(t.problems, "console.error: "+strings.Join(args, " "))
		}
	case *cdplog.EventEntryAdded: // the browser's own errors: CSP violations, failed loads
		if ev.Entry.Level == cdplog.EntryLevelError {
			t.problems = append(t.problems, "browser: "+ev.Entry.Text)
		}
	}
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "?"
	}
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return d.Text
}

// Context returns the tab's chromedp context, for actions this package does
// not wrap. Bound it yourself, or use Do and Run.
func (t *Tab) Context() context.Context { return t.ctx }

// Dialogs returns the JavaScript dialogs the page opened, as "type: message".
func (t *Tab) Dialogs() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.dialogs...)
}

// Problems returns the uncaught exceptions and console errors so far.
func (t *Tab) Problems() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.problems...)
}

// Close closes the tab, as a user closing it would: the page's sockets close.
// It is safe to call more than once; the test's cleanup calls it too.
func (t *Tab) Close() {
	if t.closed {
		return
	}
	t.closed = true
	_ = chromedp.Cancel(t.ctx) // closes the target and its browser context, and waits
	t.cancel()
	t.handling.Wait()
}

// Do runs actions in order, each step bounded by Timeout, and fails the test
// on an error.
func (t *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, t.Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.tb.Fatalf("browsertest: %v (page problems: %q)", err, t.Problems())
	}
}

// Run runs one action on tab within its Timeout and returns its value,
// failing the test on an error.
func Run[T any](tab *Tab, a chromedp.Action[T]) T {
	tab.tb.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tab.tb.Fatalf("browsertest: %v (page problems: %q)", err, tab.Problems())
	}
	return v
}

// TestID selects the elements with that data-testid.
func TestID(id string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf("[data-testid=%q]", id)) }

// Open loads path (such as "/") and waits for its load event.
func (t *Tab) Open(path string) {
	t.tb.Helper()
	t.Do(chromedp.Navigate(t.Base + path))
}

// Submit runs trigger, which submits a form or otherwise navigates, and
// waits for the next page's load event.
func (t *Tab) Submit(trigger chromedp.Action[chromedp.Void]) {
	t.tb.Helper()
	Run(t, chromedp.WaitEvent(page.LoadEventFired, nil, trigger))
}

// TryLogin opens the login page, types name and presses Enter, and waits for
// the next page to load: the chat, or the login form again with a reason.
func (t *Tab) TryLogin(name string) {
	t.tb.Helper()
	t.Open("/")
	t.Do(chromedp.Clear(TestID("name-input")))
	t.Submit(chromedp.SendKeys(TestID("name-input"), name+"\n"))
}

// Login logs in as name and waits until the chat page is connected (it has
// been welcomed and shows the user list).
func (t *Tab) Login(name string) {
	t.tb.Helper()
	t.TryLogin(name)
	t.WaitConnected()
}

// WaitConnected waits until the chat page's socket has been welcomed.
func (t *Tab) WaitConnected() {
	t.tb.Helper()
	// A query first: it waits for the page's document, so that the poll
	// below runs in the new page's context, not one a navigation just ended.
	// A query that began in the old document fails as the navigation ends
	// it ("Inspected target navigated or closed"): it is asked again, in the
	// new one.
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(t.ctx, t.Timeout)
		err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("#status-dot")))
		cancel()
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "navigated or closed") {
			t.tb.Fatalf("browsertest: %v (page problems: %q)", err, t.Problems())
		}
	}
	t.WaitJS(`document.querySelector('#status-dot')?.dataset.state === 'online'`)
}

// Say types text into the message box and presses Enter.
func (t *Tab) Say(text string) {
	t.tb.Helper()
	t.Do(chromedp.SendKeys(TestID("input"), text+"\n"))
}

// WaitJS waits until the JavaScript expression is truthy, re-checking it
// on every change to the page's DOM.
func (t *Tab) WaitJS(expr string) {
	t.tb.Helper()
	Run(t, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(t.Timeout)))
}

// WaitMessage waits for a message from with exactly text in the log, and
// returns its data-state ("delivered", "pending" or "failed" for one's own
// messages, "" for others').
func (t *Tab) WaitMessage(from, text string) string {
	t.tb.Helper()
	expr := fmt.Sprintf(`(() => {
		for (const m of document.querySelectorAll('[data-testid=message]')) {
			if (m.dataset.from === %s && m.querySelector('.text').textContent === %s) return m.dataset.state || 'other';
		}
		return false;
	})()`, jsString(from), jsString(text))
	state := Run(t, chromedp.Poll[string](expr, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(t.Timeout)))
	if state == "other" {
		return ""
	}
	return state
}

// WaitDelivered waits until one's own message with text is marked delivered.
func (t *Tab) WaitDelivered(text string) {
	t.tb.Helper()
	t.WaitJS(fmt.Sprintf(`[...document.querySelectorAll('[data-testid=message][data-state=delivered] .text')].some(e => e.textContent === %s)`, jsString(text)))
}

// WaitEvent waits for a join, leave or other notice line containing text.
func (t *Tab) WaitEvent(kind, text string) {
	t.tb.Helper()
	t.WaitJS(fmt.Sprintf(`[...document.querySelectorAll('[data-testid=event][data-kind=%s]')].some(e => e.textContent.includes(%s))`, kind, jsString(text)))
}

// WaitMember waits until name is (present) or is not (!present) in the user
// list.
func (t *Tab) WaitMember(name string, present bool) {
	t.tb.Helper()
	not := ""
	if !present {
		not = "!"
	}
	t.WaitJS(fmt.Sprintf(`%s[...document.querySelectorAll('[data-testid=member]')].some(e => e.dataset.name === %s)`, not, jsString(name)))
}

// Members returns the user list as "name/transport".
func (t *Tab) Members() []string {
	t.tb.Helper()
	return Run(t, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid=member]')].map(e => e.dataset.name + '/' + e.dataset.transport)`))
}

// Count evaluates how many elements match the CSS selector.
func (t *Tab) Count(selector string) int {
	t.tb.Helper()
	return Run(t, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(selector))))
}

// Value returns the value of the input with that data-testid.
func (t *Tab) Value(testID string) string {
	t.tb.Helper()
	return Run(t, chromedp.Value(TestID(testID)))
}

// Text returns the text content of the first element with that data-testid.
func (t *Tab) Text(testID string) string {
	t.tb.Helper()
	return Run(t, chromedp.TextContent(TestID(testID)))
}

// Path returns the path of the page the tab shows.
func (t *Tab) Path() string {
	t.tb.Helper()
	return Run(t, chromedp.Evaluate[string](`location.pathname + location.search`))
}

// jsString quotes s as a JavaScript string literal (a JSON string is one).
func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
