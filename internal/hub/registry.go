package hub

import (
	"context"
	"sync"
	"time"
)

// Names is the registry of who holds which name: the one place that decides
// whether a name is free, so that two people can never hold one name. A
// single node's registry is in its memory (New sets it up); internal/cluster
// implements one over a JetStream key-value bucket shared by every node,
// whose entries the holding node keeps alive, so that a dead node's names
// free themselves.
//
// All methods are safe from any goroutine. Claim, Taken and Resume may wait
// (on the network, in a cluster) and are called from a joining connection's
// goroutine, never the hub's; Release and Depart never wait. A name is
// freed only behind the log entries appended before it was let go, so a
// departure is in the log before the name can be taken again.
type Names interface {
	// Claim reserves a name for a person joining on this node (or renaming
	// itself): nil, ErrNameTaken if someone else holds it, or an error
	// wrapping ErrUnavailable if the registry cannot be reached. A person
	// claiming a name it holds already (its token) gets it again.
	Claim(ctx context.Context, c Claim) error
	// Taken reports whether someone holds the name with key.
	Taken(ctx context.Context, key string) (bool, error)
	// Resume finds the person a token belongs to, who left within the
	// grace period or is held by another node, and claims its name for it
	// here. ErrNoSession for a token nobody holds, ErrNameTaken if someone
	// else took the name meanwhile.
	Resume(ctx context.Context, token string) (Resumed, error)
	// Release frees a name this node holds: the old one after a rename, or
	// that of a person who left for good.
	Release(key string)
	// Depart frees the name of a person who left without saying so (its
	// connection dropped, or the server stopped), and keeps its token for
	// the grace period so that its holder may reclaim the name. lastSeen is
	// the last entry its connection saw.
	Depart(c Claim, lastSeen uint64)
}

// Claim is a name as a node holds it.
type Claim struct {
	Key       string // NameKey of Name
	Name      string
	Token     string
	Transport Transport
	// Registered and Operator are the person's marks as it departs
	// (Depart): it proved its account, and gets them back if it resumes.
	Registered, Operator bool
}

// Resumed is what Names.Resume found.
type Resumed struct {
	Name      string
	Transport Transport
	// LastSeen is the last entry the person's last connection saw, if it
	// had left; 0 if unknown.
	LastSeen uint64
	// Held reports that the person is still in the room, held by another
	// node until now: it moves here, and nobody sees it leave or join.
	Held bool
	// Registered and Operator are the marks the person departed with
	// (Claim), which its token brings back.
	Registered, Operator bool
}

// NameKey returns the key under which a name is unique: two names with the
// same key are the same name.
func NameKey(display string) string { return nameKey(display) }

// localNames is a single node's registry.
type localNames struct {
	grace time.Duration
	now   func() time.Time

	mu       sync.Mutex
	held     map[string]string    // name key → its holder's token
	departed map[string]departure // token → a name that left and may be reclaimed
	sweepAt  int                  // departed's size at which the expired are next forgotten
}

// departure is a person who left by dropping, whose name the token's holder
// may reclaim until expires.
type departure struct {
	claim    Claim
	lastSeen uint64
	expires  time.Time
}

func newLocalNames(opts Options) *localNames {
	return &localNames{
		grace:    opts.Grace,
		now:      opts.Now,
		held:     make(map[string]string),
		departed: make(map[string]departure),
	}
}

// Claim implements Names.
func (n *localNames) Claim(_ context.Context, c Claim) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if token, ok := n.held[c.Key]; ok && token != c.Token {
		return ErrNameTaken
	}
	n.held[c.Key] = c.Token
	return nil
}

// Taken implements Names.
func (n *localNames) Taken(_ context.Context, key string) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.held[key]
	return ok, nil
}

// Resume implements Names.
func (n *localNames) Resume(_ context.Context, token string) (Resumed, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	d, ok := n.departed[token]
	if !ok || n.now().After(d.expires) {
		delete(n.departed, token)
		return Resumed{}, ErrNoSession
	}
	if _, taken := n.held[d.claim.Key]; taken {
		return Resumed{}, ErrNameTaken // someone took the name meanwhile
	}
	delete(n.departed, token)
	n.held[d.claim.Key] = token
	return Resumed{Name: d.claim.Name, Transport: d.claim.Transport, LastSeen: d.lastSeen,
		Registered: d.claim.Registered, Operator: d.claim.Operator}, nil
}

// Release implements Names.
func (n *localNames) Release(key string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.held, key)
}

// Depart implements Names.
func (n *localNames) Depart(c Claim, lastSeen uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.held[c.Key] == c.Token {
		delete(n.held, c.Key)
	}
	if n.grace <= 0 {
		return
	}
	now := n.now()
	// Forget the expired once the map has doubled since they were last
	// forgotten: it stays within twice one grace period's departures, and
	// a shutdown that lets 10,000 people go at once costs linear time, not
	// a sweep per person.
	if len(n.departed) >= n.sweepAt {
		for token, d := range n.departed {
			if now.After(d.expires) {
				delete(n.departed, token)
			}
		}
		n.sweepAt = max(2*len(n.departed), 64)
	}
	n.departed[c.Token] = departure{claim: c, lastSeen: lastSeen, expires: now.Add(n.grace)}
}
