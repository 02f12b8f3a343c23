// Package web is anseo's browser transport: the login and chat pages, their
// static files, and the WebSocket endpoint that joins a browser to the hub
// and speaks the JSON protocol of docs/protocol.md.
//
// It knows the hub's API and nothing of other transports; pages come from
// package templates, which it feeds plain view models, and the words of the
// hub's notices from package wording, as on the line port.
//
// Invariants:
//
//  1. Each WebSocket has one reader (on its handler's goroutine) and one
//     writer goroutine, and only the writer writes events and replies to the
//     socket (the library's pings, pongs and close frames aside). Its
//     handler returns only after both have ended, and Server.Drain waits
//     for every handler.
//  2. The hub closes a member's queue; the writer then closes the socket
//     with a code that says why (1001 shutdown, 4008 too slow, 1000 quit).
//     Either side's failure ends the other: the reader leaves the hub, the
//     writer closes the socket.
//  3. Every write has a deadline (Config.WriteTimeout); every read is bounded
//     (Config.ReadLimit); every queue is bounded.
//  4. Text a user typed reaches a page only as escaped text: templ escapes it,
//     and the page's modules (web/static) insert it with textContent. The
//     Content-Security-Policy allows no inline script as a second line of
//     defence.
//  5. The name cookie is a claim, not a credential: the hub's Join decides
//     who has a name. The person's token (hub.Conn.Token), sent in the
//     welcome and presented again in /ws?token=…, is the credential: it is
//     shown to its holder only and never logged (request logs carry the
//     path, not the query). So is the session cookie, the browser's login:
//     the hub and the history know it only by a digest (sessionOf), which
//     follows the person's name and marks its own messages. A registered
//     name is joined only by a login the hub remembers as logged in to it
//     (hub.Hub.LogIn, given its password on the login form); passwords
//     travel only in that form and in the register and password requests,
//     and are never logged, echoed or written back into a page.
//  6. Web members join with hub.JoinOptions.KeepOnDrop: a socket that
//     closes or drops is a pause, not a departure. The person leaves when
//     the hub's grace period passes with no connection, or at once on
//     /quit. A resume passes the client's last-seen event ID to the hub,
//     which replays exactly what it missed.
//  7. The history endpoints read the hub's Store and nothing else; they
//     never see private messages, which the hub does not store.
package web
