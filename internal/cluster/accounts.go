package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/anseo/anseo/internal/hub"
)

// Accounts implements hub.Accounts for a cluster: the registered names are
// keys of a JetStream key-value bucket that every node shares, so that a
// name registered on one node is protected on all of them, and a browser
// logged in on one is logged in on all. A name is registered with a
// create-if-absent, so of two nodes registering one name at once, one
// wins.
//
// A login is an entry of a second bucket, keyed by the session's hash,
// that JetStream deletes at its end (a per-message TTL). It names the
// account it was made for by the account's serial, a random word each
// registration gets: a login outlives neither the account's end nor a new
// registration of the name by someone else, without anyone having to find
// and delete the logins of an account.
//
// Get one from (*Link).Accounts for a node, or from OpenAccounts for a
// tool that changes accounts (anseo admin op) without joining the cluster.
type Accounts struct {
	accounts     jetstream.KeyValue // encoded name key → accountValue
	logins       jetstream.KeyValue // session hash → loginValue
	js           jetstream.JetStream
	loginsPrefix string     // the subject of a login's key, less the key
	nc           *nats.Conn // closed by Close; nil if a Link owns it
}

// accountValue is an accounts bucket entry.
type accountValue struct {
	Name     string    `json:"name"`
	Hash     string    `json:"hash"` // argon2id, PHC format: never the password
	Operator bool      `json:"operator,omitempty"`
	Created  time.Time `json:"created"`
	// Serial tells this registration of the name from any other, for the
	// logins made to it.
	Serial string `json:"serial"`
}

// loginValue is a logins bucket entry.
type loginValue struct {
	Key     string    `json:"key"`    // hub.NameKey of the account's name
	Serial  string    `json:"serial"` // the account's Serial when it was made
	Until   time.Time `json:"until"`
	Created time.Time `json:"created"`
}

// loginMarkerTTL is how long the bucket keeps the marker of a login that
// expired. Nobody reads it, but a bucket has per-entry expiry only with
// markers.
const loginMarkerTTL = time.Minute

// maxCASTries bounds how often a read-modify-write of an account starts
// over because another node changed it in between.
const maxCASTries = 5

// createAccountBuckets makes sure the accounts and logins buckets exist, and
// returns them.
func createAccountBuckets(ctx context.Context, js jetstream.JetStream, prefix string) (*Accounts, error) {
	upper := strings.ToUpper(prefix)
	accounts, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      upper + "_ACCOUNTS",
		Description: "anseo: the registered names, each with its password's hash",
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: the accounts bucket: %w", err)
	}
	logins, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:         upper + "_LOGINS",
		Description:    "anseo: browser sessions (hashed) logged in to a registered name, until they expire",
		LimitMarkerTTL: loginMarkerTTL,
		Storage:        jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: the logins bucket: %w", err)
	}
	return &Accounts{accounts: accounts, logins: logins, js: js, loginsPrefix: "$KV." + upper + "_LOGINS."}, nil
}

// OpenAccounts connects to the cluster's NATS at url and returns the
// accounts every node shares, without joining the cluster as a node: for
// anseo admin op. Close disconnects.
func OpenAccounts(ctx context.Context, url string) (*Accounts, error) {
	nc, err := nats.Connect(url, nats.Name("anseo admin"))
	if err != nil {
		return nil, fmt.Errorf("cluster: connecting to NATS at %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("cluster: %w", err)
	}
	a, err := createAccountBuckets(ctx, js, DefaultPrefix)
	if err != nil {
		nc.Close()
		return nil, err
	}
	a.nc = nc
	return a, nil
}

// Close closes the NATS connection OpenAccounts made. The accounts of a
// Link close with it: Close does nothing to them.
func (a *Accounts) Close() error {
	if a.nc != nil {
		a.nc.Close()
	}
	return nil
}

// Account implements hub.Accounts.
func (a *Accounts) Account(ctx context.Context, key string) (hub.Account, bool, error) {
	v, _, err := a.get(ctx, key)
	if errors.Is(err, hub.ErrNotRegistered) {
		return hub.Account{}, false, nil
	}
	if err != nil {
		return hub.Account{}, false, err
	}
	return hub.Account{Name: v.Name, Hash: v.Hash, Operator: v.Operator, Created: v.Created}, true, nil
}

// get reads the account of key and its revision: hub.ErrNotRegistered if
// there is none.
func (a *Accounts) get(ctx context.Context, key string) (accountValue, uint64, error) {
	e, err := a.accounts.Get(ctx, encodeKey(key))
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return accountValue{}, 0, hub.ErrNotRegistered
	}
	if err != nil {
		return accountValue{}, 0, fmt.Errorf("cluster: looking up an account: %w: %w", hub.ErrUnavailable, err)
	}
	var v accountValue
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		// Not anseo's: better refuse the name than give it away.
		return accountValue{}, 0, fmt.Errorf("cluster: the account of a name cannot be read: %w", err)
	}
	return v, e.Revision(), nil
}

// CreateAccount implements hub.Accounts.
func (a *Accounts) CreateAccount(ctx context.Context, key string, acc hub.Account) error {
	v := accountValue{Name: acc.Name, Hash: acc.Hash, Operator: acc.Operator, Created: acc.Created, Serial: newSerial()}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	_, err = a.accounts.Create(ctx, encodeKey(key), data)
	// Two creates of a key that was deleted can both find it deleted; the
	// one that comes second is refused as a wrong last sequence, which
	// older clients did not report as a key that exists
	// (nats-io/nats-server#5162).
	if errors.Is(err, jetstream.ErrKeyExists) || isWrongLastSequence(err) {
		return hub.ErrAlreadyRegistered
	}
	if err != nil {
		return fmt.Errorf("cluster: registering a name: %w: %w", hub.ErrUnavailable, err)
	}
	return nil
}

// UpdateAccount implements hub.Accounts. The account keeps its serial:
// the sessions logged in to it stay logged in.
func (a *Accounts) UpdateAccount(ctx context.Context, key string, acc hub.Account) error {
	for range maxCASTries {
		cur, rev, err := a.get(ctx, key)
		if err != nil {
			return err
		}
		v := accountValue{Name: acc.Name, Hash: acc.Hash, Operator: acc.Operator, Created: acc.Created, Serial: cur.Serial}
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("cluster: %w", err)
		}
		_, err = a.accounts.Update(ctx, encodeKey(key), data, rev)
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || isWrongLastSequence(err) {
			continue // changed (or ended) meanwhile: read it again
		}
		if err != nil {
			return fmt.Errorf("cluster: changing an account: %w: %w", hub.ErrUnavailable, err)
		}
		return nil
	}
	return fmt.Errorf("cluster: changing an account: %w: it kept changing", hub.ErrUnavailable)
}

// DeleteAccount implements hub.Accounts. The account's entry is purged, so
// that its hash is kept nowhere; its logins, which name its serial, are
// worth nothing from now on, and expire by themselves.
func (a *Accounts) DeleteAccount(ctx context.Context, key string) error {
	for range maxCASTries {
		_, rev, err := a.get(ctx, key)
		if err != nil {
			return err
		}
		err = a.accounts.Purge(ctx, encodeKey(key), jetstream.LastRevision(rev))
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || isWrongLastSequence(err) {
			continue // changed meanwhile: it is that one that must end
		}
		if err != nil {
			return fmt.Errorf("cluster: ending an account: %w: %w", hub.ErrUnavailable, err)
		}
		return nil
	}
	return fmt.Errorf("cluster: ending an account: %w: it kept changing", hub.ErrUnavailable)
}

// LogIn implements hub.Accounts. The login is written with a TTL that ends
// it at until, whether anyone reads it again or not.
func (a *Accounts) LogIn(ctx context.Context, session, key string, until time.Time) error {
	acc, _, err := a.get(ctx, key)
	if err != nil {
		return err
	}
	ttl := time.Until(until).Round(time.Second)
	if ttl < time.Second {
		return nil // over already
	}
	data, err := json.Marshal(loginValue{Key: key, Serial: acc.Serial, Until: until, Created: time.Now()})
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	msg := nats.NewMsg(a.loginsPrefix + hashToken(session))
	msg.Data = data
	if _, err := a.js.PublishMsg(ctx, msg, jetstream.WithMsgTTL(ttl)); err != nil {
		return fmt.Errorf("cluster: logging a session in: %w: %w", hub.ErrUnavailable, err)
	}
	return nil
}

// SessionAccount implements hub.Accounts.
func (a *Accounts) SessionAccount(ctx context.Context, session string) (string, error) {
	e, err := a.logins.Get(ctx, hashToken(session))
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cluster: looking up a login: %w: %w", hub.ErrUnavailable, err)
	}
	var l loginValue
	if json.Unmarshal(e.Value(), &l) != nil || !time.Now().Before(l.Until) {
		return "", nil // unreadable, or due to be deleted any moment
	}
	acc, _, err := a.get(ctx, l.Key)
	if errors.Is(err, hub.ErrNotRegistered) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if acc.Serial != l.Serial {
		return "", nil // made for an account of the name that ended since
	}
	return l.Key, nil
}

// LogOut implements hub.Accounts.
func (a *Accounts) LogOut(ctx context.Context, session string) error {
	// The purge's own marker goes too, in time: a logins bucket is not
	// to grow with every browser that ever logged out.
	if err := a.logins.Purge(ctx, hashToken(session), jetstream.PurgeTTL(loginMarkerTTL)); err != nil {
		return fmt.Errorf("cluster: logging a session out: %w: %w", hub.ErrUnavailable, err)
	}
	return nil
}

func newSerial() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
