// Package telnet is anseo's line port: the 2014 seed's protocol over TCP,
// byte for byte, for telnet, netcat and scripts.
//
// The protocol (seed.go holds every string of its own; the words of the
// hub's notices, the same on the web, come from package wording):
//
//  1. On connect the server sends "What's your name?". A taken name gets
//     "Name taken, please choose another.", an invalid one "Name invalid:
//     <reason>, please choose another.", and the user may try again.
//  2. On success the user gets "Welcome, NAME!" and everyone else
//     "NAME has joined the channel.".
//  3. Each non-empty line reaches everyone else as "<NAME> TEXT"; it is not
//     echoed to its sender. A departure reaches everyone left as
//     "NAME has left the channel.".
//  4. Output lines end with CR LF. Input lines end with CR LF or a bare LF; a
//     bare CR is not a line end.
//  5. Every line anseo sends that the seed did not define starts with "* ".
//
// The terminal port (Server.ServeTerminals) serves the same protocol to
// clients that do not negotiate, after offering the telnet options of
// character mode (negotiate.go); a client that takes them, as Debian's
// telnet does, gets the interactive mode instead (interactive.go): a line
// editor (editor.go, keys.go) under a screen that keeps the line being
// typed while the conversation scrolls above it (screen.go). Both render
// events from the same lines (render.go).
//
// Each connection has one reader (its handler goroutine) and, once the user
// has joined, one writer goroutine that alone writes to the socket. The
// package knows the hub and nothing of other transports.
package telnet
