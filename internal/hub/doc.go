// Package hub is anseo's domain: the rooms, the people in them, their
// names and connections, and the events they see. It knows nothing of
// sockets, HTTP, WebSocket or telnet; each transport joins people through a
// Hub, reads each connection's events with its pump (Conn.Pump) and renders
// them in its own way.
//
// The shape, in the order a chat line travels:
//
//   - A transport's reader calls Conn.Say. The line becomes a request to the
//     hub goroutine, which appends it to the room's Log as an entry.
//   - The Log keeps the entry (a single node's SQLite history, a batch to a
//     transaction; a cluster's JetStream stream) and gives it back, numbered
//     by its position, through Hub.Receive, in the log's order.
//   - The hub applies the entry to the room (change) and offers it to every
//     connection's queue without waiting (fanOut); the sender's own copy is
//     its acknowledgement.
//   - Each connection's pump takes what is queued and hands it to its
//     transport's Writer: render these events, write these bytes.
//
// Names are claimed through a Names registry before a join or a rename
// reaches the hub. A single node is a cluster of one: New gives it a local
// Log and Names; internal/cluster gives the ones a cluster shares. Nothing
// here asks which it has.
//
// Invariants:
//
//  1. One goroutine, the one running Run, owns the rooms: the people,
//     their connections, the name index and who is in which room. Everything else reaches them only
//     through requests sent to it.
//  2. The room changes only by applying the log's entries, in the log's
//     order: whatever a node or a restarted node applies, it agrees on.
//     An entry is shown to nobody, its sender included, before the log has
//     kept it, and its ID, its position in the log, is never given twice.
//  3. The hub never blocks on a connection or on the log. Each connection
//     has a bounded queue; an event that does not fit removes it with
//     ReasonTooSlow, and everyone else carries on. An entry the log cannot
//     take is refused, and its sender told.
//  4. Only the hub puts events in a connection's queue, so only the hub
//     closes it, exactly once, in closeConn. A closed queue is how the
//     connection's pump learns that it is gone; it tells the transport's
//     Writer why.
//  5. Events are immutable once sent and shared by every recipient, so a
//     transport may render one Event once and reuse the bytes
//     (SharedEncoding).
//  6. The hub words nothing a user reads: what it tells one connection (the
//     outcome of a command, a note about a replay) is a typed Notice, and
//     each transport puts it into words. Commands are a registry
//     (commands.go) whose handlers return those Notices. The only words
//     here are data the transports show as they are: a command's help line
//     in the registry, a NameError's reason, the operator's notices.
package hub
