package web

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/templates"
)

// nameCookie holds the name a browser logged in with. It is a claim, not a
// credential: anyone may claim any free name, so the cookie needs no
// signature. The WebSocket join decides whether the claim holds.
const nameCookie = "anseo_name"

// maxFormBytes bounds a login form: a name is at most 32 characters, so a
// kilobyte is generous and anything bigger is not a person typing.
const maxFormBytes = 1 << 10

// Login error codes, carried in the query string of GET / when the chat page
// sends a user back to the login form (see web/static/protocol.js).
const (
	loginErrTaken   = "taken"
	loginErrInvalid = "invalid"
	loginErrLogin   = "login"
)

// The words a user sees when a name is refused. hub.NameError's Reason
// completes the invalid-name sentence.
const (
	msgNameTaken   = "That name is taken, or one that looks just like it. Please choose another."
	msgLogin       = "Please choose a name to join."
	msgClosed      = "The server is shutting down. Please try again in a moment."
	msgUnavailable = "The chat cannot let anyone in just now. Please try again in a moment."
)

func msgNameInvalid(reason string) string {
	return "That name can't be used: " + reason + ". Please choose another."
}

// handleLoginPage shows the login form. The chat page sends users back here
// with ?name=…&error=… when its WebSocket was refused; the form then shows
// the name again and says why.
func handleLoginPage(log *slog.Logger, a *assets) http.Handler {
	pageAssets := a.page(false)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		name := q.Get("name")
		if name == "" && q.Get("error") == "" {
			name, _ = nameFromCookie(r) // someone who came back: offer their name
		}
		v := templates.Login{Assets: pageAssets, Name: name}
		switch q.Get("error") {
		case loginErrTaken:
			v.Error = msgNameTaken
		case loginErrInvalid:
			v.Error = msgNameInvalid("it breaks the name rules")
			var nameErr *hub.NameError
			if _, err := hub.CheckName(name); errors.As(err, &nameErr) {
				v.Error = msgNameInvalid(nameErr.Reason)
			}
		case loginErrLogin:
			v.Error = msgLogin
		}
		render(w, r, log, http.StatusOK, templates.LoginPage(v))
	})
}

// handleLogin checks the name: its form, and whether it is free now. A
// refused name gets the form again, 422, with what was typed and why. An
// accepted one is stored in the name cookie and the browser goes to /chat.
// The check can go stale before the WebSocket joins; the join decides.
func handleLogin(log *slog.Logger, h *hub.Hub, cfg Config, a *assets) http.Handler {
	pageAssets := a.page(false)
	refuse := func(w http.ResponseWriter, r *http.Request, status int, name, reason string) {
		render(w, r, log, status, templates.LoginPage(templates.Login{Assets: pageAssets, Name: name, Error: reason}))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, err := decodeLoginForm(w, r)
		if err != nil {
			refuse(w, r, http.StatusBadRequest, "", msgLogin)
			return
		}
		name, err := hub.CheckName(form.name)
		if err == nil {
			err = h.Check(r.Context(), name)
		}
		var nameErr *hub.NameError
		switch {
		case err == nil:
			setNameCookie(w, r, cfg, name)
			http.Redirect(w, r, "/chat", http.StatusSeeOther)
		case errors.As(err, &nameErr):
			refuse(w, r, http.StatusUnprocessableEntity, form.name, msgNameInvalid(nameErr.Reason))
		case errors.Is(err, hub.ErrNameTaken):
			refuse(w, r, http.StatusUnprocessableEntity, form.name, msgNameTaken)
		case errors.Is(err, hub.ErrClosed):
			refuse(w, r, http.StatusServiceUnavailable, form.name, msgClosed)
		case errors.Is(err, hub.ErrUnavailable):
			log.Warn("login: the room cannot take anyone in", "err", err)
			refuse(w, r, http.StatusServiceUnavailable, form.name, msgUnavailable)
		default: // the request's context ended: the client is gone
			log.Debug("login abandoned", "err", err)
		}
	})
}

// handleLogout forgets the name and returns to the login form. Leaving the
// room is the WebSocket's business: the page closes it before it posts here,
// and a closed tab closes it too.
func handleLogout(cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := newNameCookie(r, cfg, "")
		c.MaxAge = -1
		http.SetCookie(w, c)
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
}

type loginForm struct{ name string }

// decodeLoginForm reads the login form, at most maxFormBytes of it.
func decodeLoginForm(w http.ResponseWriter, r *http.Request) (loginForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return loginForm{}, err
	}
	return loginForm{name: r.PostForm.Get("name")}, nil
}

// setNameCookie stores name for the chat page and the WebSocket. Names may be
// any letters, and a cookie value may hold only some ASCII, so it is
// percent-encoded. A session cookie: closing the browser forgets it.
func setNameCookie(w http.ResponseWriter, r *http.Request, cfg Config, name string) {
	http.SetCookie(w, newNameCookie(r, cfg, url.QueryEscape(name)))
}

// newNameCookie is the name cookie with value, Secure whenever the browser
// reached anseo over HTTPS: directly, or through a trusted proxy that says
// so (X-Forwarded-Proto), or whenever the operator says so (SecureCookie).
func newNameCookie(r *http.Request, cfg Config, value string) *http.Cookie {
	return &http.Cookie{
		Name: nameCookie, Value: value, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: cfg.SecureCookie || r.TLS != nil || forwardedHTTPS(r, cfg.TrustedProxies),
	}
}

// forwardedHTTPS reports whether r came through one of the trusted proxies
// and that proxy says the browser used HTTPS. From anyone else the header
// is ignored, as X-Forwarded-For is.
func forwardedHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	if !strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return false
	}
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	for _, p := range trusted {
		if p.Contains(peer.Addr().Unmap()) {
			return true
		}
	}
	return false
}

// nameFromCookie returns the name the browser logged in with, unchecked.
func nameFromCookie(r *http.Request) (string, bool) {
	c, err := r.Cookie(nameCookie)
	if err != nil || c.Value == "" {
		return "", false
	}
	name, err := url.QueryUnescape(c.Value)
	if err != nil {
		return "", false
	}
	return name, true
}

// render writes a page with status, rendering it to a buffer first so that a
// template error becomes a 500, not half a page under a 200.
func render(w http.ResponseWriter, r *http.Request, log *slog.Logger, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		log.Error("render page", "path", r.URL.Path, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store") // pages show a name and the state of the room
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
