package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/web"
)

// newHandler is the web transport on a running hub, for httptest requests.
func newHandler(t *testing.T) (*web.Server, *hub.Hub) {
	t.Helper()
	h, _ := startHub(t)
	return web.NewServer(testLogger(t), h, web.Config{}), h
}

func do(t *testing.T, srv http.Handler, req *http.Request) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(body)
}

func postLogin(t *testing.T, srv http.Handler, name string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"name": {name}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, srv, req)
}

func withCookie(req *http.Request, name string) *http.Request {
	req.AddCookie(&http.Cookie{Name: "anseo_name", Value: url.QueryEscape(name)})
	return req
}

func TestLoginPage(t *testing.T) {
	srv, _ := newHandler(t)

	t.Run("shows the form", func(t *testing.T) {
		res, body := do(t, srv, httptest.NewRequest(http.MethodGet, "/", nil))
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
		assert.Contains(t, body, `data-testid="login-form"`)
		assert.Contains(t, body, `action="/login"`)
		assert.Contains(t, body, `<label for="name">`)
		assert.NotContains(t, body, `data-testid="login-error"`)
		assert.NotContains(t, body, "<script", "the login page needs no script")
	})

	reasons := []struct {
		name, query, want string
	}{
		{name: "taken at join", query: "?name=alice&error=taken", want: "That name is taken"},
		{name: "invalid at join", query: "?name=a+b&error=invalid", want: "may only contain letters"},
		{name: "not logged in", query: "?error=login", want: "Please choose a name"},
	}
	for _, tc := range reasons {
		t.Run("says why: "+tc.name, func(t *testing.T) {
			res, body := do(t, srv, httptest.NewRequest(http.MethodGet, "/"+tc.query, nil))
			assert.Equal(t, http.StatusOK, res.StatusCode)
			assert.Contains(t, body, `data-testid="login-error"`)
			assert.Contains(t, body, tc.want)
		})
	}

	t.Run("keeps the name it was sent back with", func(t *testing.T) {
		_, body := do(t, srv, httptest.NewRequest(http.MethodGet, "/?name=alice&error=taken", nil))
		assert.Contains(t, body, `value="alice"`)
	})
}

func TestLogin(t *testing.T) {
	srv, h := newHandler(t)
	join(t, h, "Alice", hub.TransportTelnet)

	refused := []struct {
		name, typed, want string
	}{
		{name: "empty name", typed: "   ", want: "it is empty"},
		{name: "space inside", typed: "bo b", want: "may only contain letters, digits"},
		{name: "too long", typed: strings.Repeat("x", 33), want: "longer than 32 characters"},
		{name: "markup", typed: `<b>x</b>`, want: "may only contain"},
		{name: "taken", typed: "Alice", want: "That name is taken"},
		{name: "taken in another case", typed: "alice", want: "That name is taken"},
		{name: "taken in look-alike letters", typed: "Аӏісе", want: "That name is taken, or one that looks just like it"},
	}
	for _, tc := range refused {
		t.Run("refuses "+tc.name+" and keeps what was typed", func(t *testing.T) {
			res, body := postLogin(t, srv, tc.typed)
			assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
			assert.Empty(t, res.Cookies(), "a refused name sets no cookie")
			assert.Contains(t, body, `data-testid="login-error"`)
			assert.Contains(t, body, tc.want)
			assert.Contains(t, body, `aria-invalid="true"`)
			assert.Regexp(t, regexp.MustCompile(`value="`+regexp.QuoteMeta(htmlEscape(tc.typed))+`"`), body)
			assert.NotContains(t, body, "<b>x</b>", "what was typed is escaped")
		})
	}

	t.Run("accepts a free name: cookie and redirect to the chat", func(t *testing.T) {
		res, _ := postLogin(t, srv, "  Zoë ")
		assert.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.Equal(t, "/chat", res.Header.Get("Location"))
		cookies := res.Cookies()
		require.Len(t, cookies, 2)
		c := cookies[0]
		assert.Equal(t, "anseo_name", c.Name)
		got, err := url.QueryUnescape(c.Value)
		require.NoError(t, err)
		assert.Equal(t, "Zoë", got, "the name is trimmed and survives the cookie")
		session := cookies[1]
		assert.Equal(t, "anseo_session", session.Name)
		assert.Regexp(t, `^[a-z2-7]{26}$`, session.Value, "a secret: 128 random bits")
		for _, c := range cookies {
			assert.True(t, c.HttpOnly)
			assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
			assert.Equal(t, "/", c.Path)
			assert.False(t, c.Secure, "plain HTTP")
		}
	})

	t.Run("refuses a cross-site form post", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("name=mallory"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, _ := do(t, srv, req)
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
	})
}

func TestSecureCookie(t *testing.T) {
	h, _ := startHub(t)
	srv := web.NewServer(testLogger(t), h, web.Config{SecureCookie: true})
	res, _ := postLogin(t, srv, "alice")
	require.Len(t, res.Cookies(), 2)
	for _, c := range res.Cookies() {
		assert.True(t, c.Secure, c.Name)
	}
}

// TestSecureCookieBehindATLSProxy: behind a trusted proxy that ends TLS
// (docs/deploy.md), the cookie is Secure when the proxy says the browser
// used HTTPS; anyone else saying so is not believed.
func TestSecureCookieBehindATLSProxy(t *testing.T) {
	h, _ := startHub(t)
	// httptest's requests come from 192.0.2.1.
	tests := []struct {
		name    string
		trusted string
		proto   string
		secure  bool
	}{
		{"a trusted proxy says https", "192.0.2.0/24", "https", true},
		{"a trusted proxy says http", "192.0.2.0/24", "http", false},
		{"an untrusted peer says https", "10.0.0.0/8", "https", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := web.NewServer(testLogger(t), h, web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix(tt.trusted)}})
			for _, req := range []*http.Request{
				httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"name": {"alice"}}.Encode())),
				httptest.NewRequest(http.MethodPost, "/logout", nil),
			} {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-Proto", tt.proto)
				res, _ := do(t, srv, req)
				require.Len(t, res.Cookies(), 2, req.URL.Path)
				for _, c := range res.Cookies() {
					assert.Equal(t, tt.secure, c.Secure, req.URL.Path+" "+c.Name)
				}
			}
		})
	}
}

func TestChatPage(t *testing.T) {
	srv, _ := newHandler(t)

	t.Run("without a cookie goes to the login form", func(t *testing.T) {
		res, _ := do(t, srv, httptest.NewRequest(http.MethodGet, "/chat", nil))
		assert.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.Equal(t, "/", res.Header.Get("Location"))
	})

	t.Run("with a bad name goes to the login form with the reason", func(t *testing.T) {
		res, _ := do(t, srv, withCookie(httptest.NewRequest(http.MethodGet, "/chat", nil), "a b"))
		assert.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.Equal(t, "/?error=invalid&name=a+b", res.Header.Get("Location"))
	})

	t.Run("with a cookie shows the chat", func(t *testing.T) {
		res, body := do(t, srv, withCookie(httptest.NewRequest(http.MethodGet, "/chat", nil), "Zoë"))
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		assert.Contains(t, body, `data-me="Zoë"`)
		assert.Contains(t, body, `data-max-text-bytes="4096"`)
		for _, id := range []string{"messages", "members", "input", "send", "quit", "banner", "away-toggle", "search-input", "load-older"} {
			assert.Contains(t, body, `data-testid="`+id+`"`)
		}
		assert.Contains(t, body, `role="log"`)
		assert.Contains(t, body, `aria-live="polite"`)
		assert.Regexp(t, `<script type="module" src="/static/[0-9a-f]{12}/app.js"></script>`, body)
		assert.Equal(t, 1, strings.Count(body, "<script"), "one script, and it is not inline")
	})
}

func TestLogout(t *testing.T) {
	srv, _ := newHandler(t)
	res, _ := do(t, srv, withCookie(httptest.NewRequest(http.MethodPost, "/logout", nil), "alice"))
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/", res.Header.Get("Location"))
	require.Len(t, res.Cookies(), 2)
	for i, name := range []string{"anseo_name", "anseo_session"} {
		c := res.Cookies()[i]
		assert.Equal(t, name, c.Name)
		assert.Empty(t, c.Value)
		assert.Negative(t, c.MaxAge, "the cookie is deleted")
	}
}

func TestStatic(t *testing.T) {
	srv, _ := newHandler(t)
	_, page := do(t, srv, withCookie(httptest.NewRequest(http.MethodGet, "/chat", nil), "alice"))

	files := []struct {
		name, ctype, contains string
	}{
		{name: "app.js", ctype: "text/javascript; charset=utf-8", contains: "from './protocol.js'"},
		{name: "style.css", ctype: "text/css; charset=utf-8", contains: "prefers-color-scheme"},
		{name: "favicon.svg", ctype: "image/svg+xml", contains: "<svg"},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			path := regexp.MustCompile(`/static/[0-9a-f]{12}/` + regexp.QuoteMeta(f.name)).FindString(page)
			require.NotEmpty(t, path, "the chat page links to %s by a versioned URL", f.name)

			res, body := do(t, srv, httptest.NewRequest(http.MethodGet, path, nil))
			assert.Equal(t, http.StatusOK, res.StatusCode)
			assert.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"))
			assert.Equal(t, f.ctype, res.Header.Get("Content-Type"))
			assert.Contains(t, body, f.contains)

			stale := "/static/000000000000/" + f.name
			res, _ = do(t, srv, httptest.NewRequest(http.MethodGet, stale, nil))
			assert.Equal(t, http.StatusNotFound, res.StatusCode, "another hash is not this content")
		})
	}

	t.Run("the modules the page imports are preloaded, and served as JavaScript", func(t *testing.T) {
		for _, m := range regexp.MustCompile(`<link rel="modulepreload" href="([^"]+)">`).FindAllStringSubmatch(page, -1) {
			res, _ := do(t, srv, httptest.NewRequest(http.MethodGet, m[1], nil))
			assert.Equal(t, http.StatusOK, res.StatusCode, m[1])
			assert.Equal(t, "text/javascript; charset=utf-8", res.Header.Get("Content-Type"), m[1])
			assert.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"), m[1])
		}
	})

	t.Run("one version for every file", func(t *testing.T) {
		versions := map[string]bool{}
		for _, m := range regexp.MustCompile(`/static/([0-9a-f]{12})/`).FindAllStringSubmatch(page, -1) {
			versions[m[1]] = true
		}
		assert.Len(t, versions, 1, "a module's relative imports must find files of its own version")
	})

	t.Run("unknown file", func(t *testing.T) {
		res, _ := do(t, srv, httptest.NewRequest(http.MethodGet, "/static/0123456789ab/nope.js", nil))
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
	})
}

func TestHealthz(t *testing.T) {
	srv, _ := newHandler(t)
	res, body := do(t, srv, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "ok\n", body)
}

func TestSecurityHeaders(t *testing.T) {
	srv, _ := newHandler(t)
	for _, path := range []string{"/", "/chat", "/healthz", "/nope"} {
		t.Run(path, func(t *testing.T) {
			res, _ := do(t, srv, httptest.NewRequest(http.MethodGet, path, nil))
			csp := res.Header.Get("Content-Security-Policy")
			assert.Contains(t, csp, "default-src 'self'")
			assert.Contains(t, csp, "script-src 'self'")
			assert.Contains(t, csp, "connect-src 'self'")
			assert.Contains(t, csp, "frame-ancestors 'none'")
			assert.NotContains(t, csp, "unsafe-inline")
			assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			assert.Equal(t, "same-origin", res.Header.Get("Referrer-Policy"))
		})
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;").Replace(s)
}
