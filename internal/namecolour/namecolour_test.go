package namecolour_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/anseo/anseo/internal/browsertest"
	"github.com/anseo/anseo/internal/namecolour"
	"github.com/anseo/anseo/web/static"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(browsertest.Main(m)) }

// hues is the table both sides are held to: names of several scripts,
// cases and lengths, and the hue each has.
var hues = map[string]int{
	"alice": 318, "Alice": 142, "bob": 172, "carol": 48, "Seán": 4,
	"漢字": 172, "ａｌｉｃｅ": 28, "x": 198, "user_42": 318, "a.b-c": 172,
}

func TestHue(t *testing.T) {
	for name, want := range hues {
		assert.Equal(t, want, namecolour.Hue(name), name)
	}
}

// TestTheWebPageAgrees runs dom.js's hue() in a real browser on the
// table's names: a terminal shows a name in the colour the page does.
func TestTheWebPageAgrees(t *testing.T) {
	browsertest.Chromium(t)
	srv := httptest.NewServer(http.FileServerFS(static.FS))
	defer srv.Close()
	tab := browsertest.Shared(t).NewTab(t, srv.URL)
	tab.Open("/favicon.svg") // an origin for the module to load from
	names := make([]string, 0, len(hues))
	for name := range hues {
		names = append(names, name)
	}
	list, _ := json.Marshal(names)
	got := browsertest.Run(tab, chromedp.Evaluate[map[string]string](
		`import('/dom.js').then(m => Object.fromEntries(`+string(list)+`.map(n => [n, m.hue(n)])))`,
		chromedp.EvalAwaitPromise))
	for name, want := range hues {
		assert.Equal(t, want, atoi(got[name]), "dom.js: %s", name)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
