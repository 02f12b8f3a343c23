// Package loadtest is the engine of cmd/anseo-bench: a load generator that
// connects many clients to a running anseo (or to the bare broadcaster in
// package baseline) and measures what they see.
//
// It is a client only. It imports no anseo transport package: it speaks the
// telnet seed protocol over TCP and the WebSocket JSON protocol of
// docs/protocol.md, as any other program could, so what it measures is what a
// user would get.
//
// How it measures:
//
//  1. Every chat line a sender sends carries its sender index, a sequence
//     number and the send time in Unix nanoseconds ("L 3 17 1714…"). Each
//     receiver checks that every sender's numbers arrive in order, once, and
//     none is missing (loss), and records send-to-receive latency in a
//     histogram of its own; the histograms are merged at the end. A
//     message's receive time is when the read system call that brought it
//     returned, so the tool's own parsing is not counted as the server's.
//  2. Senders are closed-loop: each may have at most Window messages that not
//     every receiver has seen yet. "As fast as the server takes them" is then
//     the server's pace, and no member's queue can overflow while every
//     client reads as fast as it can.
//  3. CPU is read from /proc/PID/stat (the server) and getrusage (this
//     process) over the measured interval; memory from /proc/PID/status
//     VmRSS. Both need Linux; elsewhere they are reported as missing.
//  4. Every loop is bounded by a duration or a count and a deadline, so a
//     run always ends by itself.
//  5. Members may be spread over rooms (Config.Rooms, rooms.go): a message
//     is then due to the other members of its sender's room alone, and one
//     from a room its receiver is not in is a fault (Result.Strays).
package loadtest
