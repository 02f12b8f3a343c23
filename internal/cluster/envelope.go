package cluster

import (
	"strings"
	"time"

	"github.com/anseo/anseo/internal/hub"
)

// envelope is an event as it travels between nodes: JSON, so that it can be
// read with the nats command line tool, and so that nodes of neighbouring
// versions understand each other (kinds and reasons travel as words).
type envelope struct {
	Node      string        `json:"node"`             // the publishing node
	Serial    uint64        `json:"serial,omitempty"` // its serial (hub.Incoming)
	Kind      string        `json:"kind"`
	Time      time.Time     `json:"time"`
	Room      string        `json:"room,omitempty"`
	Name      string        `json:"name,omitempty"`
	Transport hub.Transport `json:"transport,omitempty"`
	Text      string        `json:"text,omitempty"`
	Reason    string        `json:"reason,omitempty"`
	To        string        `json:"to,omitempty"`
	NewName   string        `json:"newName,omitempty"`
	Away      bool          `json:"away,omitempty"`
	Session   string        `json:"session,omitempty"`
	ToSession string        `json:"toSession,omitempty"`
	// Registered and Operator: what a join (or a registration) says of
	// the person.
	Registered bool                `json:"registered,omitempty"`
	Operator   bool                `json:"operator,omitempty"`
	Moderation *moderationEnvelope `json:"moderation,omitempty"`
}

// moderationEnvelope is a hub.Moderation as it travels: its action as a
// word, as kinds are.
type moderationEnvelope struct {
	Action  string    `json:"action"`
	Target  string    `json:"target,omitempty"`
	Address string    `json:"address,omitempty"`
	Message uint64    `json:"message,omitempty"`
	Until   time.Time `json:"until,omitzero"`
}

// The kinds that travel; replay markers and notices stay on their node.
var kinds = map[string]hub.Kind{}

// The reasons a departure can have.
var reasons = map[string]hub.Reason{}

// The actions a moderation entry can have.
var actions = map[string]hub.Action{}

func init() {
	for _, k := range []hub.Kind{hub.KindJoined, hub.KindLeft, hub.KindMessage, hub.KindAction, hub.KindPrivate, hub.KindRenamed, hub.KindAway, hub.KindTopic,
		hub.KindModeration, hub.KindAccount} {
		kinds[k.String()] = k
	}
	for _, r := range []hub.Reason{hub.ReasonQuit, hub.ReasonTooSlow, hub.ReasonShutdown, hub.ReasonMoved, hub.ReasonLost, hub.ReasonPart,
		hub.ReasonKicked, hub.ReasonBanned} {
		reasons[r.String()] = r
	}
	for a := hub.Action(1); !strings.HasPrefix(a.String(), "action("); a++ { // every one the hub names
		actions[a.String()] = a
	}
}

func envelopeOf(ev *hub.Event, node string, serial uint64) envelope {
	e := envelope{
		Node: node, Serial: serial, Kind: ev.Kind.String(), Time: ev.Time, Room: ev.Room,
		Name: ev.Name, Transport: ev.Transport, Text: ev.Text,
		To: ev.To, NewName: ev.NewName, Away: ev.Away, Session: ev.Session, ToSession: ev.ToSession,
		Registered: ev.Registered, Operator: ev.Operator,
	}
	if ev.Reason != hub.ReasonNone {
		e.Reason = ev.Reason.String()
	}
	if m := ev.Moderation; m != nil {
		e.Moderation = &moderationEnvelope{
			Action: m.Action.String(), Target: m.Target, Address: m.Address, Message: m.Message, Until: m.Until,
		}
	}
	return e
}

// event returns the hub event e carries, numbered id; nil if this node does
// not know its kind, or the action of a moderation entry.
func (e envelope) event(id uint64) *hub.Event {
	kind, ok := kinds[e.Kind]
	if !ok {
		return nil
	}
	ev := &hub.Event{
		ID: id, Kind: kind, Time: e.Time, Room: e.Room, Name: e.Name, Transport: e.Transport, Text: e.Text,
		Reason: reasons[e.Reason], To: e.To, NewName: e.NewName, Away: e.Away,
		Session: e.Session, ToSession: e.ToSession, Registered: e.Registered, Operator: e.Operator,
	}
	if m := e.Moderation; m != nil {
		action, ok := actions[m.Action]
		if !ok {
			return nil // from a newer node: this one could not apply it
		}
		ev.Moderation = &hub.Moderation{
			Action: action, Target: m.Target, Address: m.Address, Message: m.Message, Until: m.Until,
		}
	}
	if kind == hub.KindModeration && ev.Moderation == nil {
		return nil
	}
	return ev
}
