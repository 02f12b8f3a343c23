package templates_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/templates"
)

var assets = templates.Assets{
	Style:   "/static/aaaaaaaaaaaa/style.css",
	Script:  "/static/bbbbbbbbbbbb/app.js",
	Modules: []string{"/static/bbbbbbbbbbbb/log.js", "/static/bbbbbbbbbbbb/roster.js"},
	Icon:    "/static/cccccccccccc/favicon.svg",
}

func render(t *testing.T, c templ.Component) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, c.Render(t.Context(), &buf))
	return buf.String()
}

func TestLoginPage(t *testing.T) {
	t.Run("first visit: an empty form, no error", func(t *testing.T) {
		html := render(t, templates.LoginPage(templates.Login{Assets: assets}))
		assert.True(t, strings.HasPrefix(html, "<!doctype html>") || strings.HasPrefix(html, "<!DOCTYPE html>"))
		assert.Contains(t, html, `<form method="post" action="/login"`)
		assert.Contains(t, html, `<label for="name">Your name</label>`)
		assert.Contains(t, html, `aria-describedby="name-help"`)
		assert.NotContains(t, html, `data-testid="login-error"`)
		assert.NotContains(t, html, "<script", "the login page runs no script")
		assert.NotContains(t, html, "modulepreload")
		assert.Contains(t, html, `href="/static/aaaaaaaaaaaa/style.css"`)
	})

	t.Run("a refusal shows the reason and keeps the name, escaped", func(t *testing.T) {
		html := render(t, templates.LoginPage(templates.Login{
			Assets: assets,
			Name:   `"><script>alert(1)</script>`,
			Error:  "That name is taken. <b>Please</b> choose another.",
		}))
		assert.Contains(t, html, `value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`)
		assert.Contains(t, html, `That name is taken. &lt;b&gt;Please&lt;/b&gt; choose another.`)
		assert.Contains(t, html, `role="alert"`)
		assert.Contains(t, html, `aria-invalid="true"`)
		assert.NotContains(t, html, "<script>")
	})

	t.Run("a registered name: the name is kept, the password asked for, and never filled in", func(t *testing.T) {
		html := render(t, templates.LoginPage(templates.Login{Assets: assets, Name: "alice", Password: true, Error: "Wrong password."}))
		assert.Contains(t, html, `data-testid="password-form"`)
		assert.Contains(t, html, `<input type="hidden" name="name" value="alice">`)
		assert.Contains(t, html, `name="password" type="password" autocomplete="current-password"`)
		assert.NotContains(t, html, `data-testid="name-input"`, "the name is not typed again")
		assert.Regexp(t, `<input id="password"[^>]*>`, html)
		assert.NotRegexp(t, `<input id="password"[^>]*value=`, html, "a password is never written back")
		assert.Contains(t, html, `Wrong password.`)
		assert.Contains(t, html, `data-testid="about-registering"`, "the page says what registering gives")
	})
}

func TestChatPage(t *testing.T) {
	html := render(t, templates.ChatPage(templates.Chat{Assets: assets, Me: `Zoë"<x>`, MaxTextBytes: 4096}))

	assert.Contains(t, html, `<script type="module" src="/static/bbbbbbbbbbbb/app.js"></script>`)
	head, _, _ := strings.Cut(html, "</head>")
	for _, m := range assets.Modules {
		assert.Contains(t, head, `<link rel="modulepreload" href="`+m+`">`, "the modules the script imports are preloaded")
	}
	assert.Equal(t, 1, strings.Count(html, "<script"), "one script, from a file")
	assert.Contains(t, html, `data-me="Zoë&#34;&lt;x&gt;"`)
	assert.Contains(t, html, `data-max-text-bytes="4096"`)
	assert.Contains(t, html, `role="log"`)
	assert.Contains(t, html, `aria-live="polite"`)
	assert.Contains(t, html, `<label for="text" class="visually-hidden">Message</label>`)
	assert.Contains(t, html, `<label for="search" class="visually-hidden">Search the history</label>`)
	assert.Contains(t, html, `aria-pressed="false"`, "the away toggle says its state")
	for _, id := range []string{"messages", "members", "input", "send", "quit", "banner", "status", "new-messages", "people-toggle",
		"away-toggle", "search-form", "search-input", "search-panel", "search-results", "load-older"} {
		assert.Contains(t, html, `data-testid="`+id+`"`)
	}
	assert.NotContains(t, html, "style=", "no inline style: the CSP forbids it")
	assert.NotRegexp(t, `\son[a-z]+=`, html, "no inline event handlers")
}
