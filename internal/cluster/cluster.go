// Package cluster makes several anseo nodes one chat over NATS: it
// implements the hub's Log and Names with JetStream.
//
// The room is one JetStream stream. Every node publishes its own people's
// events to it and reads every event back from it, its own included, with
// an ordered consumer: so every node sees every event in the same order,
// numbered by its stream sequence, which becomes the event's ID everywhere.
// Names are keys in a JetStream key-value bucket whose entries expire
// unless the node holding them keeps them alive: a name is claimed with a
// create-if-absent, and the names of a node that dies free themselves
// within the bucket's TTL. A second bucket maps each person's token to its
// name, so that a person can resume on any node. Two more keep the
// registered names and the browsers logged in to them (Accounts), and one
// every moderation entry, which the stream lets go in time but a ban must
// outlive (recall). docs/scaling.md has the design and the guarantees.
package cluster

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/anseo/anseo/internal/hub"
)

// Config configures a Link.
type Config struct {
	// URL is the NATS server (or a comma-separated list of them).
	URL string
	// Node names this node in logs and in NATS; default the host name.
	Node string
	// Prefix names the stream, subjects and buckets, so that one NATS can
	// serve several separate clusters. Default "anseo".
	Prefix string
	// NameTTL is how long a name outlives its node: a node keeps its names
	// alive three times per NameTTL. Default 15 s.
	NameTTL time.Duration
	// Grace is how long a departed person's token can reclaim its name
	// (hub.Options.Grace). Default 30 s.
	Grace time.Duration
	// Keep is how many events the stream keeps at most. Default 100,000.
	Keep int64
	// FlushTimeout bounds how long a stopping node tries to publish what it
	// has queued (its people's departures). Default 5 s.
	FlushTimeout time.Duration
	// History, if set, is this node's copy of the room's history: the link
	// writes every entry it reads from the stream to it, so that the node's
	// transports page and search it, and a restarted node catches up from
	// where it ends.
	History hub.Store
	// Retention bounds what History keeps.
	Retention hub.Retention
	// Log receives the link's messages; default discards them.
	Log *slog.Logger
}

// Defaults for Config.
const (
	DefaultPrefix       = "anseo"
	DefaultNameTTL      = 15 * time.Second
	DefaultKeep         = 100_000
	DefaultFlushTimeout = 5 * time.Second
)

// outboxLen bounds the events waiting to be published. Beyond it (NATS is
// down or far behind) Append refuses, and the sender is told.
const outboxLen = 4096

// Link is this node's link to the cluster. Create it with Connect and give
// it to the hub as its Log and its Names (hub.Options); the hub runs it.
type Link struct {
	cfg     Config
	log     *slog.Logger
	node    string // this process in the cluster: Node and a random suffix
	subject string
	nc      *nats.Conn
	js      jetstream.JetStream
	stream  jetstream.Stream
	names   jetstream.KeyValue // encoded name key → nameValue
	tokens  jetstream.KeyValue // token hash → tokenValue
	// The registered names and browser logins, in two more buckets.
	accounts *Accounts
	// Every moderation entry by its ID, kept after the stream lets it go:
	// see recall.
	moderation jetstream.KeyValue
	// The subjects under which the buckets' keys are written, for the
	// pipelined writes of the keep-alive, the moderation record and heal.
	namesPrefix, tokensPrefix, moderationPrefix, accountsPrefix string
	out                                                         chan outgoing
	ready                                                       chan struct{}
	rewatch                                                     chan time.Time  // heal to watch: the names bucket was made anew, at this time
	history                                                     chan *hub.Event // to the history writer; see keep

	recopy chan struct{} // heal to copyAccounts: the accounts bucket was made anew
	copyMu sync.Mutex
	// accountsCopy is the accounts bucket as this node last saw it, by
	// encoded key: written back if NATS loses it (accountcopy.go).
	accountsCopy map[string][]byte

	mu      sync.Mutex
	owned   map[string]*heldName // encoded name key → the name this node holds
	byToken map[string]string    // token hash → the key of owned held for it last

	published, received, retries atomic.Uint64 // for Stats
	lastSeq                      atomic.Uint64 // the last stream sequence delivered to the hub
	// How long this node was last out of touch with NATS, and when it came
	// back (Unix ns), or since when it is out (0: in touch): see outTooLong.
	downSince, backAt, lastOutage atomic.Int64
	lost                          atomic.Bool // NATS lost the stream and names; heal is setting them up again
	created                       time.Time   // when the stream this node set up was made; heal's only
}

// Stats are counts for monitoring a link.
type Stats struct {
	Published uint64 // events this node published and JetStream stored
	Received  uint64 // events delivered to the hub from the stream
	Retries   uint64 // publish attempts that failed and were retried
	Outbox    int    // events and name releases waiting to be published
	Names     int    // names this node holds
}

// Stats returns the link's counts so far. Safe from any goroutine.
func (l *Link) Stats() Stats {
	l.mu.Lock()
	names := len(l.owned)
	l.mu.Unlock()
	return Stats{
		Published: l.published.Load(), Received: l.received.Load(), Retries: l.retries.Load(),
		Outbox: len(l.out), Names: names,
	}
}

type heldName struct {
	value []byte
	rev   uint64
	token tokenEntry
}

type tokenEntry struct {
	hash  string
	value tokenValue
}

// nameValue is a names bucket entry.
type nameValue struct {
	Name      string        `json:"name"`
	Node      string        `json:"node"`
	Token     string        `json:"token"` // hash of the person's token
	Transport hub.Transport `json:"transport"`
	Since     time.Time     `json:"since"`
	// Registered and Operator: the person logged in to its registered
	// name, a server operator: so that a node that starts lists them so.
	Registered bool `json:"registered,omitempty"`
	Operator   bool `json:"operator,omitempty"`
}

// tokenValue is a tokens bucket entry.
type tokenValue struct {
	Key       string        `json:"key"` // hub.NameKey of Name
	Name      string        `json:"name"`
	Transport hub.Transport `json:"transport"`
	LastSeen  uint64        `json:"lastSeen,omitempty"` // set when it left
	// Registered and Operator: the marks it left with, which its token
	// brings back (hub.Resumed).
	Registered bool `json:"registered,omitempty"`
	Operator   bool `json:"operator,omitempty"`
}

// outgoing is one thing for the publisher to do, in order: publish an
// event, or free a name once what came before it is published.
type outgoing struct {
	data  []byte // an event
	msgID string // its JetStream de-duplication ID
	free  string // or: a name to free (encoded key)
	rev   uint64 // the revision this node last wrote for it
	owner string // the token hash of the person who held it
	token *tokenEntry
	// dropToken: the person left for good; its token (owner) resumes
	// nobody from now on.
	dropToken bool
}

// Connect connects to NATS and makes sure the stream and buckets exist.
func Connect(ctx context.Context, cfg Config) (*Link, error) {
	if cfg.Node == "" {
		cfg.Node, _ = os.Hostname()
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if cfg.NameTTL <= 0 {
		cfg.NameTTL = DefaultNameTTL
	}
	if cfg.Grace <= 0 {
		cfg.Grace = hub.DefaultGrace
	}
	if cfg.Keep <= 0 {
		cfg.Keep = DefaultKeep
	}
	if cfg.FlushTimeout <= 0 {
		cfg.FlushTimeout = DefaultFlushTimeout
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	l := &Link{
		cfg:          cfg,
		log:          cfg.Log,
		node:         cfg.Node + "-" + randomSuffix(),
		subject:      cfg.Prefix + ".room",
		out:          make(chan outgoing, outboxLen),
		ready:        make(chan struct{}),
		rewatch:      make(chan time.Time, 1),
		recopy:       make(chan struct{}, 1),
		accountsCopy: make(map[string][]byte),
		history:      make(chan *hub.Event, historyQueueLen),
		owned:        make(map[string]*heldName),
		byToken:      make(map[string]string),
	}
	nc, err := nats.Connect(cfg.URL,
		nats.Name("anseo "+l.node),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		// Nothing is buffered while disconnected: a claim that fails must
		// not be sent behind the caller's back once NATS is back (it would
		// hold the name until it expired), and events wait, in order, in
		// the link's own outbox.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(c *nats.Conn, err error) {
			if err == nil && c.IsClosed() {
				return // the node closed the link itself, on its way out
			}
			l.downSince.CompareAndSwap(0, time.Now().UnixNano())
			l.log.Warn("cluster: disconnected from NATS", "err", err)
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			now := time.Now()
			if since := l.downSince.Swap(0); since != 0 {
				l.lastOutage.Store(int64(now.Sub(time.Unix(0, since))))
				l.backAt.Store(now.UnixNano())
			}
			l.log.Info("cluster: reconnected to NATS", "url", c.ConnectedUrlRedacted())
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("cluster: connecting to NATS at %s: %w", cfg.URL, err)
	}
	l.nc = nc
	if err := l.setUp(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	return l, nil
}

// minServer is the oldest nats-server anseo works with: the names bucket
// needs limit markers (an expired name is announced to every watcher, so
// the room hears that a dead node's people left), new in 2.11.
var minServer = [3]int{2, 11, 0}

// checkServer refuses a NATS server older than minServer, with a sentence
// that says what to do, rather than JetStream's "limit marker TTLs not
// supported" halfway through setting up.
func checkServer(version string) error {
	var v [3]int
	if _, err := fmt.Sscanf(version, "%d.%d.%d", &v[0], &v[1], &v[2]); err != nil {
		return nil // a version it does not understand: let JetStream decide
	}
	for i := range v {
		if v[i] != minServer[i] {
			if v[i] > minServer[i] {
				return nil
			}
			return fmt.Errorf("cluster: the NATS server is version %s; anseo needs nats-server %d.%d or later "+
				"with JetStream (-js), for name entries that expire and say so. Debian and Ubuntu ship older ones: "+
				"use the release from https://github.com/nats-io/nats-server/releases or "+
				"`go install github.com/nats-io/nats-server/v2@latest`", version, minServer[0], minServer[1])
		}
	}
	return nil
}

func (l *Link) setUp(ctx context.Context) error {
	if err := checkServer(l.nc.ConnectedServerVersion()); err != nil {
		return err
	}
	js, err := jetstream.New(l.nc, jetstream.WithPublishAsyncMaxPending(1024), jetstream.WithPublishAsyncTimeout(5*time.Second))
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	l.js = js
	upper := strings.ToUpper(l.cfg.Prefix)
	l.namesPrefix, l.tokensPrefix = "$KV."+upper+"_NAMES.", "$KV."+upper+"_TOKENS."
	l.moderationPrefix, l.accountsPrefix = "$KV."+upper+"_MODERATION.", "$KV."+upper+"_ACCOUNTS."
	return l.createStore(ctx, 0)
}

// createStore makes sure the room's stream and the two buckets exist, as
// this node would have them, and keeps their handles. firstSeq, if not 0,
// is where a stream made anew starts numbering (see heal); a stream that
// exists is left as it is.
func (l *Link) createStore(ctx context.Context, firstSeq uint64) error {
	upper := strings.ToUpper(l.cfg.Prefix)
	cfg := jetstream.StreamConfig{
		Name:        upper + "_ROOM",
		Description: "anseo: the room's events, in the order every node delivers them",
		Subjects:    []string{l.subject},
		Storage:     jetstream.FileStorage,
		MaxMsgs:     l.cfg.Keep,
		Discard:     jetstream.DiscardOld,
		Duplicates:  2 * time.Minute,
	}
	var stream jetstream.Stream
	var err error
	if firstSeq == 0 {
		stream, err = l.js.CreateOrUpdateStream(ctx, cfg)
	} else {
		cfg.FirstSeq = firstSeq
		stream, err = l.js.CreateStream(ctx, cfg)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			stream, err = l.js.Stream(ctx, cfg.Name) // another node made it first
		}
	}
	if err != nil {
		return fmt.Errorf("cluster: the room stream: %w", err)
	}
	names, err := l.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:         upper + "_NAMES",
		Description:    "anseo: who holds each name; kept alive by the holding node",
		TTL:            l.cfg.NameTTL,
		LimitMarkerTTL: max(l.cfg.NameTTL, time.Minute),
		Storage:        jetstream.FileStorage,
	})
	if err != nil {
		return fmt.Errorf("cluster: the names bucket: %w", err)
	}
	tokens, err := l.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      upper + "_TOKENS",
		Description: "anseo: each person's token (hashed) to its name, for resuming on any node",
		TTL:         max(l.cfg.Grace, l.cfg.NameTTL),
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return fmt.Errorf("cluster: the tokens bucket: %w", err)
	}
	accounts, err := createAccountBuckets(ctx, l.js, l.cfg.Prefix)
	if err != nil {
		return err
	}
	moderation, err := l.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      upper + "_MODERATION",
		Description: "anseo: every moderation entry of the room's stream, by its ID, kept after the stream lets it go",
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return fmt.Errorf("cluster: the moderation bucket: %w", err)
	}
	if l.stream == nil { // the first time: later, the handles name the same things
		l.stream, l.names, l.tokens, l.accounts, l.moderation = stream, names, tokens, accounts, moderation
	}
	l.created = stream.CachedInfo().Created
	return nil
}

// Accounts returns the registered names every node shares, for the hub
// (hub.Options.Accounts).
func (l *Link) Accounts() *Accounts { return l.accounts }

// Node returns this node's ID in the cluster.
func (l *Link) Node() string { return l.node }

// Ready is closed once the hub has caught up with the cluster's events.
func (l *Link) Ready() <-chan struct{} { return l.ready }

// Close closes the NATS connection. Call it after Run has returned.
func (l *Link) Close() { l.nc.Close() }

// Claim implements hub.Names.
func (l *Link) Claim(ctx context.Context, c hub.Claim) error {
	key := encodeKey(c.Key)
	v := nameValue{Name: c.Name, Node: l.node, Token: hashToken(c.Token), Transport: c.Transport, Since: time.Now()}
	data, _ := json.Marshal(v)
	rev, err := l.names.Create(ctx, key, data)
	if errors.Is(err, jetstream.ErrKeyExists) {
		// Held: by someone else; or by this very person (a case change
		// on another node, a reconnection); or by someone who just left
		// this node, whose name's release is queued behind their departure
		// (the room has heard it; the name is free, as on one node).
		var e jetstream.KeyValueEntry
		if e, err = l.names.Get(ctx, key); err == nil {
			var held nameValue
			if json.Unmarshal(e.Value(), &held) != nil {
				return hub.ErrNameTaken
			}
			letGo := held.Node == l.node && !l.held(key, false)
			if held.Token != v.Token && !letGo {
				return hub.ErrNameTaken
			}
			rev, err = l.names.Update(ctx, key, data, e.Revision())
		}
	}
	if err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return hub.ErrNameTaken // lost a race for it
		}
		return fmt.Errorf("cluster: claiming a name: %w: %w", hub.ErrUnavailable, err)
	}
	tok := tokenEntry{hash: v.Token, value: tokenValue{Key: c.Key, Name: c.Name, Transport: c.Transport}}
	l.hold(key, data, rev, tok)
	if err := l.putToken(ctx, tok); err != nil {
		l.log.Warn("cluster: saving a token failed; its person cannot resume on another node", "err", err)
	}
	return nil
}

// Taken implements hub.Names.
func (l *Link) Taken(ctx context.Context, key string) (bool, error) {
	_, err := l.names.Get(ctx, encodeKey(key))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return false, nil
	}
	return false, fmt.Errorf("cluster: looking up a name: %w: %w", hub.ErrUnavailable, err)
}

// Resume implements hub.Names.
func (l *Link) Resume(ctx context.Context, token string) (hub.Resumed, error) {
	hash := hashToken(token)
	e, err := l.tokens.Get(ctx, hash)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return hub.Resumed{}, hub.ErrNoSession
	}
	if err != nil {
		return hub.Resumed{}, fmt.Errorf("cluster: looking up a token: %w: %w", hub.ErrUnavailable, err)
	}
	var tv tokenValue
	if err := json.Unmarshal(e.Value(), &tv); err != nil {
		return hub.Resumed{}, hub.ErrNoSession
	}
	key := encodeKey(tv.Key)
	v := nameValue{Name: tv.Name, Node: l.node, Token: hash, Transport: tv.Transport, Since: time.Now(),
		Registered: tv.Registered, Operator: tv.Operator}
	res := hub.Resumed{Name: tv.Name, Transport: tv.Transport, LastSeen: tv.LastSeen,
		Registered: tv.Registered, Operator: tv.Operator}
	var rev uint64
	switch ne, err := l.names.Get(ctx, key); {
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		// It left: it rejoins, if nobody took its name meanwhile.
		data, _ := json.Marshal(v)
		if rev, err = l.names.Create(ctx, key, data); err != nil {
			if errors.Is(err, jetstream.ErrKeyExists) {
				return hub.Resumed{}, hub.ErrNameTaken
			}
			return hub.Resumed{}, fmt.Errorf("cluster: reclaiming a name: %w: %w", hub.ErrUnavailable, err)
		}
		l.hold(key, data, rev, tokenEntry{hash: hash, value: tokenValue{Key: tv.Key, Name: tv.Name, Transport: tv.Transport}})
	case err != nil:
		return hub.Resumed{}, fmt.Errorf("cluster: looking up a name: %w: %w", hub.ErrUnavailable, err)
	default:
		// Still in the room, held by another node: it moves here.
		var held nameValue
		if json.Unmarshal(ne.Value(), &held) != nil || held.Token != hash {
			return hub.Resumed{}, hub.ErrNameTaken
		}
		v.Since, v.Transport, v.Registered, v.Operator = held.Since, held.Transport, held.Registered, held.Operator
		data, _ := json.Marshal(v)
		if rev, err = l.names.Update(ctx, key, data, ne.Revision()); err != nil {
			return hub.Resumed{}, fmt.Errorf("cluster: moving a name here: %w: %w", hub.ErrUnavailable, err)
		}
		res.Held, res.Transport, res.Registered, res.Operator = true, held.Transport, held.Registered, held.Operator
		l.hold(key, data, rev, tokenEntry{hash: hash, value: tokenValue{Key: tv.Key, Name: tv.Name, Transport: held.Transport}})
	}
	return res, nil
}

// Append implements hub.Log: the event is published to the room's stream,
// and comes back to every node, this one included, from it.
func (l *Link) Append(ev *hub.Event, serial uint64) bool {
	data, err := json.Marshal(envelopeOf(ev, l.node, serial))
	if err != nil {
		return false
	}
	select {
	case l.out <- outgoing{data: data, msgID: fmt.Sprintf("%s-%d", l.node, serial)}:
		return true
	default:
		return false
	}
}

// Err implements hub.Log: the link cannot publish while it is not
// connected to NATS. (What is said meanwhile waits in the outbox, up to its
// bound, and is published once it is back.)
func (l *Link) Err() error {
	switch {
	case !l.nc.IsConnected():
		return fmt.Errorf("cluster: not connected to NATS: %w", hub.ErrUnavailable)
	case l.lost.Load():
		return fmt.Errorf("cluster: NATS lost the room's stream; setting it up again: %w", hub.ErrUnavailable)
	}
	return nil
}

// Release implements hub.Names.
func (l *Link) Release(key string) { l.free(encodeKey(key), nil) }

// Depart implements hub.Names.
func (l *Link) Depart(c hub.Claim, lastSeen uint64) {
	tok := &tokenEntry{
		hash: hashToken(c.Token),
		value: tokenValue{Key: c.Key, Name: c.Name, Transport: c.Transport, LastSeen: lastSeen,
			Registered: c.Registered, Operator: c.Operator},
	}
	l.free(encodeKey(c.Key), tok)
}

// free stops keeping a name alive and queues its deletion behind what is
// queued to be published, so that a departure is announced before its name
// can be taken. Without tok (Release), the person's token goes with it,
// unless the person holds another name here (it renamed itself): one who
// left for good, or was kicked or banned, cannot be resumed on any node.
func (l *Link) free(key string, tok *tokenEntry) {
	l.mu.Lock()
	h := l.unhold(key)
	drop := h != nil && tok == nil && l.byToken[h.token.hash] == ""
	l.mu.Unlock()
	if h == nil {
		return // not held here (any more)
	}
	select {
	case l.out <- outgoing{free: key, rev: h.rev, owner: h.token.hash, token: tok, dropToken: drop}:
	default:
		// The outbox is full: NATS is down. The name frees itself when
		// its entry expires.
		l.log.Warn("cluster: could not queue a name's release; it expires by itself")
	}
}

func (l *Link) hold(key string, value []byte, rev uint64, tok tokenEntry) {
	l.mu.Lock()
	l.owned[key] = &heldName{value: value, rev: rev, token: tok}
	l.byToken[tok.hash] = key
	l.mu.Unlock()
}

// mark notes in the entry of a name this node holds what ev, one of this
// node's own, says of its person: that it logged in to its registered name
// and is an operator (its arrival), or registered or ended its account.
// The keep-alive writes it.
func (l *Link) mark(ev *hub.Event) {
	key := encodeKey(hub.NameKey(ev.Name))
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.owned[key]
	if h == nil {
		return
	}
	var v nameValue
	if json.Unmarshal(h.value, &v) != nil {
		return
	}
	switch ev.Kind {
	case hub.KindJoined:
		v.Registered, v.Operator = true, ev.Operator
	case hub.KindAccount:
		v.Registered = ev.Registered
		v.Operator = v.Operator && ev.Registered
	}
	h.value, _ = json.Marshal(v)
}

// unhold stops holding key and returns what this node held of it, nil if
// it did not hold it. The caller holds mu.
func (l *Link) unhold(key string) *heldName {
	h := l.owned[key]
	if h == nil {
		return nil
	}
	delete(l.owned, key)
	if l.byToken[h.token.hash] == key {
		delete(l.byToken, h.token.hash)
	}
	return h
}

// outTooLong reports whether this node is, or lately was, out of touch with
// NATS for longer than a name's TTL: then the names it held are rightly
// freed. An outage shorter than that frees nobody's (docs/scaling.md).
func (l *Link) outTooLong() bool {
	ttl := l.cfg.NameTTL
	if since := l.downSince.Load(); since != 0 {
		return time.Since(time.Unix(0, since)) >= ttl
	}
	recent := time.Since(time.Unix(0, l.backAt.Load())) < ttl
	return recent && time.Duration(l.lastOutage.Load()) >= ttl
}

// take stops holding key and returns what this node held of it, nil if it
// did not hold it.
func (l *Link) take(key string) *heldName {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.unhold(key)
}

// held reports whether this node holds key, and forgets it if forget is set.
func (l *Link) held(key string, forget bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.owned[key]
	if ok && forget {
		l.unhold(key)
	}
	return ok
}

func (l *Link) putToken(ctx context.Context, tok tokenEntry) error {
	data, _ := json.Marshal(tok.value)
	_, err := l.tokens.Put(ctx, tok.hash, data)
	return err
}

// encodeKey turns a name key, any Unicode, into a NATS key.
func encodeKey(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func decodeKey(key string) string {
	b, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil {
		return ""
	}
	return string(b)
}

// hashToken keeps tokens out of NATS: whoever reads the buckets learns a
// hash, which resumes nobody.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:16])
}

func randomSuffix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
