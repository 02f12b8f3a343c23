package hub

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"
)

// Conn is one connection of a person in the room: a browser tab, a telnet
// session. A person with two tabs open is one name in the room (one person,
// one presence) with two Conns. Its methods are safe from any goroutine.
//
// Its events are written by its pump (Pump), in the order the hub produced
// them. A connection more than Options.QueueLen events behind is removed
// with ReasonTooSlow. Whatever the cause of removal, the hub closes the
// connection's queue exactly once, setting Reason before it does.
type Conn struct {
	hub       *Hub
	person    *person
	transport Transport
	queue     queue
	roster    atomic.Pointer[Roster]   // until Roster takes it
	rooms     atomic.Pointer[[]string] // until Rooms takes it
	reason    atomic.Uint32
	leaving   atomic.Bool // it said its page is closing: see Leaving

	// Owned by the hub goroutine.
	index      int         // position in hub.conns; -1 once removed
	overflowed bool        // its queue overflowed; it is about to be removed
	lazy       bool        // in Hub.lazy: its writer is to be woken for what waits
	hideOwn    atomic.Bool // its person's own messages are not queued: see HideOwnMessages
	lastQueued uint64      // ID of the last event put in its queue
	// ahead is how far its client had come on a node further on than this
	// one when it resumed here (JoinOptions.After), if it had: what comes
	// up to there it has, and is not sent again.
	ahead uint64
	slots []slot // where it is in each of its person's rooms' conns
	stamp uint64 // Hub.stamp when last offered an event about a person: see fanOut
}

// gone reports whether the connection, or its person, is leaving or has
// left. Hub goroutine only.
func (c *Conn) gone() bool { return c.index < 0 || c.overflowed || c.person.gone }

// Name returns the person's name as it is displayed now (/nick changes it).
func (c *Conn) Name() string { return c.person.displayName() }

// Token returns the secret that attaches another connection to this
// connection's person (JoinOptions.Token): for a second tab, a reloaded page,
// or a telnet user reclaiming their name. Show it only to the person.
func (c *Conn) Token() string { return c.person.token }

// Transport returns how the connection is made.
func (c *Conn) Transport() Transport { return c.transport }

// Roster returns who was in the room when the member joined, the member
// included, ordered by joining time, if JoinOptions.WithRoster asked for it:
// everyone, or the first JoinOptions.RosterHead. Later changes arrive as
// events (joined, left, renamed, away), so the two together give an exact,
// live user list (with Hub.Roster for the rest of a long one). It returns
// the list once and then forgets it: a copy of the room kept for every
// member's life would cost memory growing with the square of the room.
func (c *Conn) Roster() Roster {
	if r := c.roster.Swap(nil); r != nil {
		return *r
	}
	return Roster{}
}

// Rooms returns the rooms the person was in when the connection joined,
// in the order it joined them. Later changes arrive as events (its own
// KindLeft with a Room, NoticeJoinedRoom). Like Roster, it returns the
// list once and then forgets it: an idle connection holds no copy.
func (c *Conn) Rooms() []string {
	if r := c.rooms.Swap(nil); r != nil {
		return *r
	}
	return nil
}

// HideOwnMessages says whether the connection's client shows its person's
// own messages itself, so that the hub queues them no more to it: the line
// port's clients do (the seed protocol never echoes a line to its sender),
// and a connection that will never show an event should not wait for it,
// nor hold the room up behind it. Safe from any goroutine.
func (c *Conn) HideOwnMessages(hide bool) { c.hideOwn.Store(hide) }

// Reason says why the member was removed. It is ReasonNone until its queue
// has been closed (the pump then calls Writer.Close with it).
func (c *Conn) Reason() Reason { return Reason(c.reason.Load()) }

// Say sends text to the room, or runs it as a command if it starts with "/"
// (see commands.go; "//" sends a literal "/"). It returns once the hub has
// the request, before the message is delivered; the member's own copy of the
// message, which arrives in its queue like everyone else's, confirms
// delivery and carries ref (see Event.Ref) so a client can match it to what
// it showed at once.
//
// Text is cleaned of control characters and escape sequences first, and of
// blank lines around it; its line breaks stay. Text that is then empty or
// only whitespace is not sent: Say returns ErrEmptyText. Longer text than
// Options.MaxTextBytes is not sent: ErrTooLong; text of more lines than
// Options.MaxTextLines neither: ErrTooManyLines.
//
// Say applies the member's flood control (Options.Flood): beyond the burst
// it waits before sending, which slows the caller's reading and so the
// flood; a flood that goes on is refused with ErrFlood. Say returns ErrClosed
// if the hub has stopped, or ctx's error. Call it from one goroutine, the
// member's reader, so that messages keep their order.
func (c *Conn) Say(ctx context.Context, text, ref string) error {
	return c.SayIn(ctx, "", text, ref)
}

// SayIn is Say in a room: the message goes to room, a command is typed
// there (/topic, /who and /part without a room are about it). room "" is
// the person's home: a one-room person's room (JoinOptions.OneRoom), or
// DefaultRoom. Saying something in a room one is not in, or that does not
// exist, is refused with a notice, as a command's mistakes are.
func (c *Conn) SayIn(ctx context.Context, room, text, ref string) error {
	c.leaving.Store(false) // it is still here after all
	text = trimBlankLines(cleanText(text))
	switch {
	case isBlank(text):
		return ErrEmptyText
	case len(text) > c.hub.opts.MaxTextBytes:
		c.hub.opts.Metrics.Refused(c.transport, ErrTooLong)
		return ErrTooLong
	case lineCount(text) > c.hub.opts.MaxTextLines:
		c.hub.opts.Metrics.Refused(c.transport, ErrTooManyLines)
		return ErrTooManyLines
	}
	if err := c.throttle(ctx); err != nil {
		if errors.Is(err, ErrFlood) {
			c.hub.opts.Metrics.Refused(c.transport, err)
		}
		return err
	}
	if err := c.hub.valve.wait(ctx, c.hub.done, c.transport); err != nil {
		return err
	}
	c.hub.valve.sending()
	req := request{kind: reqSay, conn: c, text: text, ref: ref}
	if room != "" {
		display, err := CheckRoomName(room)
		if err != nil {
			return err
		}
		req.roomKey, req.roomName = roomKeyOf(display), display
	}
	if cmd, args, ok := parseCommand(text); ok {
		req.kind, req.name, req.text = reqCommand, cmd, args
		switch cmd {
		case "nick":
			c.claimNewName(ctx, &req)
		case "op":
			req.registered = c.hub.isRegistered(ctx, args)
		case "me":
			req.words = wordKeys(args)
		}
	} else {
		if strings.HasPrefix(text, "//") {
			req.text = text[1:]
		}
		req.words = wordKeys(req.text)
	}
	err := c.hub.send(ctx, req)
	if err != nil {
		c.hub.valve.received() // it never will be
	}
	return err
}

// throttle waits as flood control requires, or refuses with ErrFlood.
func (c *Conn) throttle(ctx context.Context) error {
	p := c.person
	res := p.flood.Reserve()
	delay := res.Delay()
	if delay == 0 {
		p.delayed.Store(0) // the member paused: the flood, if any, is over
		return nil
	}
	if int(p.delayed.Add(1)) > c.hub.opts.Flood.MaxDelayed {
		res.Cancel() // a refused message costs nothing, so a pause ends it
		return ErrFlood
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		res.Cancel()
		return ctx.Err()
	}
}

// Leaving says that the connection's client is going away on purpose (a
// page being closed or reloaded says so as it goes): if this is its
// person's last connection when it closes, the person waits only
// Options.LeaveGrace for a connection to resume it, not the whole Grace
// that covers a network's blips. A closed tab is then seen to leave in
// seconds, and a reload still comes back unnoticed. Saying anything
// afterwards takes it back. Safe from any goroutine; it never waits.
func (c *Conn) Leaving() { c.leaving.Store(true) }

// Leave ends this connection: its connection dropped or its user hung up.
// If it was the person's last, the person leaves the room and everyone is
// told, at once or, if it joined with KeepOnDrop, after the grace period
// unless another connection resumes it first. It does not wait for the hub
// to act; its pump sees the member removed when it has. Leave is safe to
// call more than once, and after the member has already been removed for
// another reason.
// To leave the room for good at once, Say "/quit".
func (c *Conn) Leave() {
	// A background context: leaving must not be skipped because the caller's
	// context ended, or the name would stay taken. send still returns as soon
	// as the hub has stopped, so this cannot block forever.
	_ = c.hub.send(context.Background(), request{kind: reqLeave, conn: c})
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// claimNewName claims the name a member asked for with /nick, from the
// member's goroutine, before the hub renames it; see Hub.rename for the
// rest.
func (c *Conn) claimNewName(ctx context.Context, req *request) {
	display, err := CheckName(req.text)
	if err != nil || nameKey(display) == nameKey(c.Name()) {
		return // the hub says what is wrong, or needs no new claim
	}
	if c.hub.isRegistered(ctx, display) {
		req.err = errNameRegistered // its own person would have logged in to it
		return
	}
	err = c.hub.opts.Names.Claim(ctx, Claim{Key: nameKey(display), Name: display, Token: c.person.token, Transport: c.transport})
	req.claimed = err == nil
	req.err = err
}
