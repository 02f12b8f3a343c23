package hub

import "time"

// Metrics receives counts of what the hub does, for monitoring. The hub
// calls it from its own goroutine (joins, leaves, fan-out) and from members'
// readers (Say), so implementations must be safe for concurrent use and
// cheap: an atomic add, not a lock held across I/O. The hub knows nothing of
// how the counts are exported; cmd/anseo plugs in Prometheus.
type Metrics interface {
	// Joined counts a member joining over t.
	Joined(t Transport)
	// Left counts a member leaving, and why.
	Left(t Transport, r Reason)
	// Said counts a message from a member, as the hub sends it on.
	Said(t Transport)
	// Refused counts a message refused by flood control (ErrFlood) or for
	// its size (ErrTooLong).
	Refused(t Transport, err error)
	// Held counts a message from a member held back until the room's
	// readers caught up (see valve).
	Held(t Transport)
	// FannedOut reports one event offered to every member: how many queues
	// took it, and how long the offering took.
	FannedOut(delivered int, took time.Duration)
}

// noMetrics is the default: it counts nothing.
type noMetrics struct{}

func (noMetrics) Joined(Transport)             {}
func (noMetrics) Left(Transport, Reason)       {}
func (noMetrics) Said(Transport)               {}
func (noMetrics) Refused(Transport, error)     {}
func (noMetrics) Held(Transport)               {}
func (noMetrics) FannedOut(int, time.Duration) {}
