package web

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/wording"
	"github.com/anseo/anseo/templates"
)

// nameCookie holds the name a browser logged in with. It is a claim, not a
// credential: anyone may claim any free name, so the cookie needs no
// signature. The WebSocket join decides whether the claim holds.
const nameCookie = "anseo_name"

// sessionCookie holds a browser's login: a secret made when it logs in,
// by which the server knows who is behind it whatever its name is now. The
// hub knows the person by a digest of it (sessionOf), which the history
// keeps: the name it was last known by after /nick and a restart, and which
// messages are its own. The name cookie is what it logged in with, for a
// login that the hub and the history do not know (yet).
const sessionCookie = "anseo_session"

// maxSessionBytes bounds the session cookie a client may present: ours are
// 26 characters.
const maxSessionBytes = 64

// maxFormBytes bounds a login form: a name is at most 32 characters and a
// password hub.MaxPasswordLen bytes, three times that percent-encoded, so
// 4 KiB is generous and anything bigger is not a person typing.
const maxFormBytes = 4 << 10

// Login error codes, carried in the query string of GET / when the chat page
// sends a user back to the login form (see web/static/protocol.js).
const (
	loginErrTaken   = "taken"
	loginErrInvalid = "invalid"
	loginErrLogin   = "login"
	// loginErrPassword: the name is registered and the login is not
	// logged in to it: the form asks for its password.
	loginErrPassword = "password"
)

// The words a user sees when a name is refused. hub.NameError's Reason
// completes the invalid-name sentence.
const (
	msgNameTaken   = "That name is taken, or one that looks just like it. Please choose another."
	msgLogin       = "Please choose a name to join."
	msgClosed      = "The server is shutting down. Please try again in a moment."
	msgUnavailable = "The chat cannot let anyone in just now. Please try again in a moment."
)

// msgPassword asks for the password of a registered name.
func msgPassword(name string) string {
	return name + " is a registered name: enter its password to log in, or choose another name."
}

func msgNameInvalid(reason string) string {
	return "That name can't be used: " + reason + ". Please choose another."
}

// handleLoginPage shows the login form. The chat page sends users back here
// with ?name=…&error=… when its WebSocket was refused; the form then shows
// the name again and says why.
//
// A browser that is in the chat already (another tab of it is) is not
// asked for a name, which its own presence holds: it is offered to continue
// as that name, or to log out.
func handleLoginPage(log *slog.Logger, h *hub.Hub, a *assets) http.Handler {
	pageAssets := a.page(false)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		name := q.Get("name")
		var chatting string
		if name == "" && q.Get("error") == "" {
			// Someone who came back: offer their name, as it is now.
			var live bool
			name, live = currentName(r, h)
			if live {
				chatting = name
			}
		}
		v := templates.Login{Assets: pageAssets, Name: name, Chatting: chatting}
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
		case loginErrPassword:
			if checked, err := hub.CheckName(name); err == nil {
				v.Name, v.Password, v.Prompt = checked, true, msgPassword(checked)
			}
		}
		render(w, r, log, http.StatusOK, templates.LoginPage(v))
	})
}

// handleLogin checks the name: its form, whether it is free now, and for
// a registered name its password (hub.Hub.LogIn). A registered name posted
// without a password gets the form again with a password field for it
// (unless the browser's login is logged in to it already); a refused name
// or password gets the form again, with what was typed (never the
// password) and why. An accepted one is stored in the name cookie and the
// browser goes to /chat. The check can go stale before the WebSocket
// joins; the join decides.
func handleLogin(log *slog.Logger, h *hub.Hub, cfg Config, a *assets) http.Handler {
	pageAssets := a.page(false)
	refuse := func(w http.ResponseWriter, r *http.Request, status int, v templates.Login) {
		v.Assets = pageAssets
		render(w, r, log, status, templates.LoginPage(v))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, err := decodeLoginForm(w, r)
		if err != nil {
			refuse(w, r, http.StatusBadRequest, templates.Login{Error: msgLogin})
			return
		}
		if current, live := currentName(r, h); live && hub.SameName(current, form.name) {
			http.Redirect(w, r, "/chat", http.StatusSeeOther) // it is in the chat as that name already
			return
		}
		name, err := hub.CheckName(form.name)
		var secret string
		var remember bool
		if err == nil {
			secret, remember, err = logIn(r, h, name, form)
		}
		again := templates.Login{Name: form.name}
		if form.withPassword && name != "" {
			// The password step again: the name is kept, the password not.
			again = templates.Login{Name: name, Password: true}
		}
		var nameErr *hub.NameError
		var attempts *hub.AttemptsError
		switch {
		case err == nil:
			setLoginCookies(w, r, cfg, name, secret, remember)
			http.Redirect(w, r, "/chat", http.StatusSeeOther)
		case errors.As(err, &nameErr):
			again.Error = msgNameInvalid(nameErr.Reason)
			refuse(w, r, http.StatusUnprocessableEntity, again)
		case errors.Is(err, hub.ErrPasswordRequired):
			refuse(w, r, http.StatusOK, templates.Login{Name: name, Password: true, Prompt: msgPassword(name)})
		case errors.As(err, &attempts):
			w.Header().Set("Retry-After", strconv.Itoa(int(attempts.Wait.Round(time.Second)/time.Second)))
			again.Error = wording.JoinError(err)
			refuse(w, r, http.StatusTooManyRequests, again)
		case errors.Is(err, hub.ErrWrongPassword):
			again.Error = wording.JoinError(err)
			refuse(w, r, http.StatusUnprocessableEntity, again)
		case errors.As(err, new(*hub.BannedError)):
			again.Error = wording.JoinError(err)
			refuse(w, r, http.StatusForbidden, again)
		case errors.Is(err, hub.ErrNameTaken):
			again.Error = msgNameTaken
			refuse(w, r, http.StatusUnprocessableEntity, again)
		case errors.Is(err, hub.ErrClosed):
			again.Error = msgClosed
			refuse(w, r, http.StatusServiceUnavailable, again)
		case errors.Is(err, hub.ErrUnavailable):
			log.Warn("login: the room cannot take anyone in", "err", err)
			again.Error = msgUnavailable
			refuse(w, r, http.StatusServiceUnavailable, again)
		default: // the request's context ended: the client is gone
			log.Debug("login abandoned", "err", err)
		}
	})
}

// logIn asks the hub whether the browser may log in as name, and returns
// the login secret it is to keep (sessionCookie), and whether the hub
// remembers that login (a registered name: the cookies then outlive the
// browser's session, as long as the hub's login does).
//
// A login is a new secret, as it always was, unless the name is registered
// and the browser's login is logged in to it already (it gave the password
// before, within hub.SessionLoginFor): then it keeps its secret, and needs
// no password.
func logIn(r *http.Request, h *hub.Hub, name string, form loginForm) (secret string, remember bool, err error) {
	opts := hub.JoinOptions{Transport: hub.TransportWeb, Address: clientAddr(r)}
	secret = newSession()
	opts.Session = sessionDigest(secret)
	if form.withPassword {
		opts.Password = form.password
		err = h.LogIn(r.Context(), name, opts)
		return secret, err == nil, err
	}
	err = h.LogIn(r.Context(), name, opts)
	if !errors.Is(err, hub.ErrPasswordRequired) {
		return secret, false, err
	}
	if old := sessionSecret(r); old != "" {
		opts.Session = sessionDigest(old)
		if h.LogIn(r.Context(), name, opts) == nil {
			return old, true, nil
		}
	}
	return "", false, err
}

// clientAddr is the address the request comes from (the proxy's client,
// if trusted): bans and the limits on password attempts go by it.
func clientAddr(r *http.Request) netip.Addr {
	return middleware.GetClientIPAddr(r.Context()).Unmap()
}

// setLoginCookies stores the login: its name, for the chat page and the
// WebSocket (percent-encoded: names may be any letters, and a cookie value
// may hold only some ASCII), and its secret. A login the hub remembers
// (remember) keeps its cookies for hub.SessionLoginFor, so that closing
// the browser does not log it out of its registered name; any other is
// forgotten when the browser closes.
func setLoginCookies(w http.ResponseWriter, r *http.Request, cfg Config, name, secret string, remember bool) {
	for _, c := range []*http.Cookie{newNameCookie(r, cfg, url.QueryEscape(name)), newSessionCookie(r, cfg, secret)} {
		if remember {
			c.MaxAge = int(hub.SessionLoginFor / time.Second)
		}
		http.SetCookie(w, c)
	}
}

// handleLogout forgets the login and returns to the login form. The chat
// page leaves the room before it posts here (/quit); from the login page,
// with tabs of the browser still in the chat, logging out takes its person
// out of the room, and those tabs follow (close 1000).
func handleLogout(log *slog.Logger, h *hub.Hub, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session := sessionOf(r)
		if err := h.Quit(r.Context(), session); err != nil {
			log.Debug("logout: leaving the room", "err", err)
		}
		if session != "" {
			// A registered name's login ends: the next needs the password.
			if err := h.LogOut(r.Context(), session); err != nil {
				log.Debug("logout: ending the login", "err", err)
			}
		}
		for _, c := range []*http.Cookie{newNameCookie(r, cfg, ""), newSessionCookie(r, cfg, "")} {
			c.MaxAge = -1
			http.SetCookie(w, c)
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
}

// newSession returns a fresh login secret: 128 random bits, in lower-case
// base32.
func newSession() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

func newSessionCookie(r *http.Request, cfg Config, value string) *http.Cookie {
	c := newNameCookie(r, cfg, value)
	c.Name = sessionCookie
	return c
}

// sessionOf is who is behind the browser for the hub (hub.JoinOptions.Session):
// a digest of its login secret, which the history may keep where the secret
// itself must not be; "" without a login.
func sessionOf(r *http.Request) string {
	if secret := sessionSecret(r); secret != "" {
		return sessionDigest(secret)
	}
	return ""
}

// sessionSecret is the browser's login secret, "" without one.
func sessionSecret(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) > maxSessionBytes {
		return ""
	}
	return c.Value
}

// sessionDigest is what the hub knows a login secret by.
func sessionDigest(secret string) string {
	sum := sha256.Sum256([]byte(sessionCookie + "\x00" + secret))
	return hex.EncodeToString(sum[:16])
}

// loginKey names the browser's login for its page (templates.Chat.Login):
// its session, or for a login from before sessions, the name it logged in
// with.
func loginKey(r *http.Request, name string) string {
	if s := sessionOf(r); s != "" {
		return s
	}
	return strings.ToLower(name)
}

// currentName is the name the browser's person goes by now, and whether it
// is in the room: what the hub or the history knows of its login (a
// /nick, before or after a restart, changed it), or else the name it logged
// in with. "" for a browser that has not logged in.
func currentName(r *http.Request, h *hub.Hub) (name string, live bool) {
	name, live, err := h.SessionName(r.Context(), sessionOf(r))
	if err == nil && name != "" {
		return name, live
	}
	name, _ = nameFromCookie(r)
	return name, false
}

// loginForm is what the login form posted: the name, and on the password
// step (withPassword) the password of that registered name.
type loginForm struct {
	name         string
	password     string
	withPassword bool
}

// decodeLoginForm reads the login form, at most maxFormBytes of it.
func decodeLoginForm(w http.ResponseWriter, r *http.Request) (loginForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return loginForm{}, err
	}
	return loginForm{
		name:         r.PostForm.Get("name"),
		password:     r.PostForm.Get("password"),
		withPassword: r.PostForm.Has("password"),
	}, nil
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
