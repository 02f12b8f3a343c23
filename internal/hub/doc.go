// Package hub is anseo's domain: the one room, its members, their names and
// the events they see. It knows nothing of sockets, HTTP, WebSocket or telnet;
// each transport joins members through a Hub and renders the Events it is
// given in its own way.
//
// Invariants:
//
//  1. One goroutine, the one running Run, owns the member set and the name
//     index. Everything else reaches them only through requests sent to it.
//  2. The hub never blocks on a member. Each member has a bounded queue; an
//     event that does not fit removes the member with ReasonTooSlow, and
//     everyone else carries on.
//  3. Only the hub puts events in a member's queue, so only the hub closes
//     it, exactly once, in closeSession. A closed queue is how the member's
//     pump learns that it is gone; it tells the transport's Writer why.
//  4. Events are immutable once sent and shared by every recipient, so a
//     transport may render one Event once and reuse the bytes.
//  5. Event IDs increase strictly in the order the hub produced the events.
//  6. The hub words nothing a user reads: what it tells one connection (the
//     outcome of a command, a note about a replay) is a typed Notice, and
//     each transport puts it into words. Commands are a registry
//     (commands.go) whose handlers return those Notices. The only words
//     here are data the transports show as they are: a command's help line
//     in the registry, a NameError's reason, the operator's notices.
package hub
