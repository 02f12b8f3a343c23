package browsertest

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSString(t *testing.T) {
	for _, s := range []string{"", "alice", `"quoted" \ back`, "<img src=x onerror=alert(1)>", "line\nbreak\u2028sep", "Zoë 日本"} {
		var got string
		require.NoError(t, json.Unmarshal([]byte(jsString(s)), &got), "%s", jsString(s))
		assert.Equal(t, s, got)
	}
}

func TestFindChromium(t *testing.T) {
	t.Run("the variable wins", func(t *testing.T) {
		t.Setenv(EnvChromium, "/bin/sh")
		p, err := findChromium()
		require.NoError(t, err)
		assert.Equal(t, "/bin/sh", p)
	})
	t.Run("a variable naming nothing is an error, not a fallback", func(t *testing.T) {
		t.Setenv(EnvChromium, filepath.Join(t.TempDir(), "no-such-browser"))
		_, err := findChromium()
		assert.Error(t, err)
	})
}

func TestBrowserStarts(t *testing.T) {
	tab := Shared(t).NewTab(t, "about:blank")
	tab.Open("")
	assert.Empty(t, tab.Problems())
}
