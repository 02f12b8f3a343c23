// Package templates renders anseo's HTML pages with templ. Components take
// plain view models, defined here and shaped like the screen; they never call
// the hub or read the request, and this package imports no internal package.
//
// Pages contain no inline script or style: the Content-Security-Policy that
// internal/web sends forbids both. Everything a user typed is inserted as
// escaped text (no templ.Raw).
package templates

// Assets are the URLs of a page's static files. Each URL names the version
// of the whole static tree (a hash of every file), so the browser may cache
// it forever.
type Assets struct {
	Style string
	// Script is the page's ES module, if it has one.
	Script string
	// Modules are the modules Script imports, directly or not, each linked
	// as a modulepreload so that the browser fetches them all at once
	// instead of finding them one import at a time.
	Modules []string
	Icon    string
}

// Login is the login form: the name the user typed (shown again after a
// refusal) and, if it was refused, why, in words they can act on.
type Login struct {
	Assets Assets
	// Name is what the user typed, or empty.
	Name string
	// Error says why the name was refused; empty when nothing was refused.
	Error string
	// Password: Name is registered, and the form asks for its password
	// (the name is no longer typed, only shown).
	Password bool
	// Prompt says why the password is asked for; Error, if set, why the
	// last one was refused.
	Prompt string
	// Chatting is the name this browser is in the chat as now (another tab
	// of it is): instead of the form, the page offers to continue as that
	// name, or to log out. Empty otherwise.
	Chatting string
}

// Chat is one user's chat page. The page itself is a shell: its script fills
// it from the WebSocket.
type Chat struct {
	Assets Assets
	// Me is the user's name, for the script (and the page's first paint).
	Me string
	// Login names the browser's login whatever its name is now: the script
	// keeps its token and what it showed under it, so that a rename, or a
	// new login under another name, is not taken for another person.
	Login string
	// MaxTextBytes is the longest message, in bytes of UTF-8, the server takes.
	MaxTextBytes int
	// Title names the conversation the page opens on, for its first paint:
	// a room ("#lobby", "#help") or, for a private one, the other's name.
	Title string
}
