package hub

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
	"unicode/utf8"

	"github.com/anseo/anseo/internal/accounts"
)

// Accounts keeps the registered names: a name registered with /register
// can be taken only with its password. internal/history keeps them in the
// SQLite file, internal/cluster in a JetStream key-value bucket every node
// shares. Keys are NameKey(name), so that a name and every name drawn like
// it are one account.
//
// All methods are safe from any goroutine and may wait (on the disk, on the
// network): the hub calls them from a connection's goroutine, never its
// own.
type Accounts interface {
	// Account returns the account of the name with key, and false if the
	// name is not registered.
	Account(ctx context.Context, key string) (Account, bool, error)
	// CreateAccount registers a name: ErrAlreadyRegistered if it is.
	CreateAccount(ctx context.Context, key string, a Account) error
	// UpdateAccount replaces the account of a registered name (a new
	// password, operator or not): ErrNotRegistered if it is not.
	UpdateAccount(ctx context.Context, key string, a Account) error
	// DeleteAccount ends the account of a name, and every session logged
	// in to it: ErrNotRegistered if there is none.
	DeleteAccount(ctx context.Context, key string) error
	// LogIn remembers that a browser's session (JoinOptions.Session) has
	// logged in to the account with key, until until: it joins under that
	// name without its password until then, across reloads, restarts and
	// nodes.
	LogIn(ctx context.Context, session, key string, until time.Time) error
	// SessionAccount returns the key of the account session is logged in
	// to, "" if none (or its login expired).
	SessionAccount(ctx context.Context, session string) (string, error)
	// LogOut forgets session's login.
	LogOut(ctx context.Context, session string) error
}

// SessionLoginFor is how long a browser stays logged in to a registered
// name (Accounts.LogIn) after it gave the password.
const SessionLoginFor = 30 * 24 * time.Hour

// Account is a registered name.
type Account struct {
	// Name is the name as it was registered, for display.
	Name string
	// Hash is the password's argon2id hash in PHC format, with its own
	// salt and costs (internal/accounts): never the password.
	Hash string
	// Operator: the name is a server operator (anseo admin op NAME).
	Operator bool
	// Created is when the name was registered.
	Created time.Time
}

// ErrPasswordRequired is returned by Join for a registered name joined
// without a password: the transport asks for it and joins again with
// JoinOptions.Password.
var ErrPasswordRequired = errors.New("the name is registered: its password is required")

// ErrWrongPassword is returned by Join for a registered name joined with a
// password that is not its own.
var ErrWrongPassword = errors.New("wrong password")

// ErrAlreadyRegistered is returned by Conn.Register for a name that is
// registered, and by Accounts.CreateAccount.
var ErrAlreadyRegistered = errors.New("the name is registered already")

// ErrNotRegistered is returned for a name with no account: by
// Accounts.UpdateAccount and DeleteAccount, and by Conn.ChangePassword and
// Conn.Unregister from a person not logged in to its name's account.
var ErrNotRegistered = errors.New("the name is not registered")

// ErrNoAccounts is returned by Conn.Register when the server keeps no
// accounts (Options.Accounts is nil).
var ErrNoAccounts = errors.New("this server does not register names")

// ErrWeakPassword is returned by Conn.Register and Conn.ChangePassword
// for a password shorter than MinPasswordLen characters.
var ErrWeakPassword = errors.New("password too short")

// ErrPasswordTooLong is returned by Conn.Register and Conn.ChangePassword
// for a password longer than MaxPasswordLen bytes, and by Join (as a wrong
// password) for one given to a login.
var ErrPasswordTooLong = errors.New("password too long")

// MinPasswordLen is the shortest password, in characters.
const MinPasswordLen = 8

// MaxPasswordLen bounds a password, in bytes: hashing is paid per byte.
const MaxPasswordLen = 1024

// AttemptsError is returned by Join when too many wrong passwords were
// tried for the name from the address, or from the address at all: the
// next try may be made after Wait. It is an ErrWrongPassword too
// (errors.Is), for transports that word only that.
type AttemptsError struct{ Wait time.Duration }

func (e *AttemptsError) Error() string {
	return fmt.Sprintf("too many wrong passwords: try again in %s", e.Wait.Round(time.Second))
}

// Is makes an AttemptsError an ErrWrongPassword.
func (e *AttemptsError) Is(target error) bool { return target == ErrWrongPassword }

// login is what a join proved about its person: that it gave the
// password of its registered name (or its browser had), and whether that
// name is a server operator.
type login struct {
	registered bool
	operator   bool
}

// authenticate decides whether a join may take the name display: any
// name nobody registered may be taken; a registered one with its password
// (opts.Password) or by a browser logged in to it (opts.Session). Called
// from the joining goroutine: it reads the accounts, and hashing takes a
// tenth of a second. Wrong passwords are counted per name and address, and
// per address, so that guessing slows down without locking the owner out
// from elsewhere.
func (h *Hub) authenticate(ctx context.Context, display string, opts JoinOptions) (login, error) {
	accts := h.opts.Accounts
	if accts == nil {
		return login{}, nil
	}
	key := nameKey(display)
	a, ok, err := accts.Account(ctx, key)
	if err != nil {
		return login{}, fmt.Errorf("hub: reading the name's account: %w (%w)", ErrUnavailable, err)
	}
	if !ok {
		return login{}, nil
	}
	ok = false
	switch {
	case opts.Password != "":
		if ok, err = h.checkPassword(ctx, key, a, opts); err != nil {
			return login{}, err
		}
		if opts.Session != "" {
			if err := accts.LogIn(ctx, opts.Session, key, h.opts.Now().Add(SessionLoginFor)); err != nil {
				return login{}, fmt.Errorf("hub: remembering the login: %w (%w)", ErrUnavailable, err)
			}
		}
	case opts.Session != "":
		k, err := accts.SessionAccount(ctx, opts.Session)
		if err != nil {
			return login{}, fmt.Errorf("hub: reading the session's login: %w (%w)", ErrUnavailable, err)
		}
		ok = k == key
	}
	if !ok {
		return login{}, ErrPasswordRequired
	}
	return login{registered: true, operator: a.Operator || h.operatorByFlag(key)}, nil
}

// checkPassword verifies a login's password for the account a of the
// name with key, within the limits on attempts.
func (h *Hub) checkPassword(ctx context.Context, key string, a Account, opts JoinOptions) (bool, error) {
	from := addressPrefix(opts.Address).String()
	byName, byAddr := key+" from "+from, from
	if wait := max(h.attempts.Wait(byName), h.attempts.Wait(byAddr)); wait > 0 {
		return false, &AttemptsError{Wait: wait}
	}
	ok := false
	if len(opts.Password) <= MaxPasswordLen {
		var err error
		if ok, err = accounts.Verify(ctx, a.Hash, opts.Password); err != nil && ctx.Err() != nil {
			return false, err
		} else if err != nil {
			h.log.Error("a stored password hash cannot be read", "name", a.Name, "err", err)
		}
	}
	if !ok {
		h.attempts.Failed(byName)
		h.attempts.Failed(byAddr)
		h.log.Info("wrong password", "name", a.Name, "from", from)
		return false, ErrWrongPassword
	}
	// Only the name's count is forgotten: a guesser who owns one account
	// must not clear its address's count by logging in to it.
	h.attempts.Succeeded(byName)
	return true, nil
}

// operatorByFlag reports whether the name with key is listed in
// Options.Operators.
func (h *Hub) operatorByFlag(key string) bool {
	for _, name := range h.opts.Operators {
		if nameKeyOf(name) == key {
			return true
		}
	}
	return false
}

// addressPrefix is the block an address is judged by, for bans and
// attempt limits: the address itself for IPv4, its /64 for IPv6 (one
// customer's network).
func addressPrefix(addr netip.Addr) netip.Prefix {
	addr = addr.Unmap()
	bits := 32
	if addr.Is6() {
		bits = 64
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return netip.Prefix{} // the zero Addr: no address known
	}
	return p
}

// LogIn checks, for a login form, that name could join with opts: as
// Check does, and for a registered name that opts.Password is its password
// (with the same limits on attempts as Join) or that opts.Session is
// logged in to it. A right password logs opts.Session in to the name
// (Accounts.LogIn), so that its connections join without it. It returns
// what Join would: ErrPasswordRequired, ErrWrongPassword, an
// *AttemptsError, a *BannedError, ErrNameTaken, a *NameError, or an error
// wrapping ErrUnavailable.
func (h *Hub) LogIn(ctx context.Context, name string, opts JoinOptions) error {
	display, err := CheckName(name)
	if err != nil {
		return err
	}
	if err := h.check(ctx, display, opts.Address); err != nil {
		return err
	}
	_, err = h.authenticate(ctx, display, opts)
	return err
}

// KeepsAccounts reports whether names can be registered here
// (Options.Accounts): a transport says so before it asks for a password.
func (h *Hub) KeepsAccounts() bool { return h.opts.Accounts != nil }

// LogOut forgets that a browser's session is logged in to a registered
// name: its next join needs the password again.
func (h *Hub) LogOut(ctx context.Context, session string) error {
	if h.opts.Accounts == nil || session == "" {
		return nil
	}
	return h.opts.Accounts.LogOut(ctx, session)
}

// checkNewPassword refuses a password too short or too long to be set.
func checkNewPassword(password string) error {
	switch {
	case len(password) > MaxPasswordLen:
		return ErrPasswordTooLong
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return ErrWeakPassword
	}
	return nil
}

// hash makes a new password's hash, at the server's costs.
func (h *Hub) hash(ctx context.Context, password string) (string, error) {
	cost := h.opts.PasswordCost
	if cost == (accounts.Params{}) {
		cost = accounts.DefaultParams
	}
	return accounts.Hash(ctx, password, cost)
}

// Register protects the person's name with password: from now on it can
// be taken only with it (see ErrPasswordRequired). The person's other
// connections, and the room, see it registered (KindAccount). It returns
// ErrAlreadyRegistered, ErrWeakPassword, ErrPasswordTooLong, ErrNoAccounts,
// or an error wrapping ErrUnavailable. Call it from the connection's
// goroutine: the hash takes a tenth of a second of a core, on purpose.
func (c *Conn) Register(ctx context.Context, password string) error {
	h := c.hub
	if h.opts.Accounts == nil {
		return ErrNoAccounts
	}
	if err := checkNewPassword(password); err != nil {
		return err
	}
	name := c.Name()
	key := nameKey(name)
	if _, ok, err := h.opts.Accounts.Account(ctx, key); err != nil {
		return fmt.Errorf("hub: reading the name's account: %w (%w)", ErrUnavailable, err)
	} else if ok {
		return ErrAlreadyRegistered
	}
	hash, err := h.hash(ctx, password)
	if err != nil {
		return err
	}
	if err := h.opts.Accounts.CreateAccount(ctx, key, Account{Name: name, Hash: hash, Created: h.opts.Now()}); err != nil {
		if errors.Is(err, ErrAlreadyRegistered) {
			return err
		}
		return fmt.Errorf("hub: keeping the account: %w (%w)", ErrUnavailable, err)
	}
	if s := c.person.session; s != "" {
		if err := h.opts.Accounts.LogIn(ctx, s, key, h.opts.Now().Add(SessionLoginFor)); err != nil {
			h.log.Warn("remembering a new account's login failed", "err", err)
		}
	}
	h.log.Info("name registered", "name", name)
	_, err = h.ask(ctx, request{kind: reqAccount, conn: c, name: name, claimed: true})
	return err
}

// ChangePassword replaces the password of the name the person is logged
// in to: ErrNotRegistered if it is not, ErrWeakPassword,
// ErrPasswordTooLong.
func (c *Conn) ChangePassword(ctx context.Context, password string) error {
	h := c.hub
	if !c.Registered() || h.opts.Accounts == nil {
		return ErrNotRegistered
	}
	if err := checkNewPassword(password); err != nil {
		return err
	}
	key := nameKey(c.Name())
	a, ok, err := h.opts.Accounts.Account(ctx, key)
	switch {
	case err != nil:
		return fmt.Errorf("hub: reading the name's account: %w (%w)", ErrUnavailable, err)
	case !ok:
		return ErrNotRegistered
	}
	if a.Hash, err = h.hash(ctx, password); err != nil {
		return err
	}
	if err := h.opts.Accounts.UpdateAccount(ctx, key, a); err != nil {
		if errors.Is(err, ErrNotRegistered) {
			return err
		}
		return fmt.Errorf("hub: keeping the account: %w (%w)", ErrUnavailable, err)
	}
	h.log.Info("password changed", "name", a.Name)
	return nil
}

// Unregister ends the account of the name the person is logged in to:
// ErrNotRegistered if it is not. Anyone may take the name once it is
// free.
func (c *Conn) Unregister(ctx context.Context) error {
	h := c.hub
	if !c.Registered() || h.opts.Accounts == nil {
		return ErrNotRegistered
	}
	name := c.Name()
	if err := h.opts.Accounts.DeleteAccount(ctx, nameKey(name)); err != nil {
		if errors.Is(err, ErrNotRegistered) {
			return err
		}
		return fmt.Errorf("hub: ending the account: %w (%w)", ErrUnavailable, err)
	}
	h.log.Info("name unregistered", "name", name)
	_, err := h.ask(ctx, request{kind: reqAccount, conn: c, name: name, claimed: false})
	return err
}

// Registered reports whether the person is logged in to its name's
// account: a transport offers /password and /unregister then.
func (c *Conn) Registered() bool { return c.person.registered.Load() }

// Operator reports whether the person is a server operator: a transport
// shows it what only operators see (the addresses in bans).
func (c *Conn) Operator() bool { return c.person.operator.Load() }

// account applies a registration or its end (reqAccount) to the person
// of req.conn: at once for its own connections' sake, and in the room
// through the log (KindAccount). Hub goroutine only.
func (h *Hub) account(req request) {
	p := req.conn.person
	if req.conn.gone() || nameKey(p.displayName()) != nameKey(req.name) {
		return // renamed or gone meanwhile: the account is the old name's
	}
	p.registered.Store(req.claimed)
	if !req.claimed {
		p.operator.Store(false)
	}
	h.broadcast(&Event{Kind: KindAccount, Name: p.displayName(), Registered: req.claimed, sender: p})
}

// errNameRegistered refuses /nick to a name registered to someone: only
// a login with its password takes it.
var errNameRegistered = errors.New("the name is registered to someone")

// isRegistered reports whether name is registered. Called from a
// connection's goroutine; a failure to read the accounts counts as
// registered, so that nobody takes a name because a disk failed.
func (h *Hub) isRegistered(ctx context.Context, name string) bool {
	if h.opts.Accounts == nil {
		return false
	}
	key := nameKeyOf(name)
	if key == "" {
		return false
	}
	_, ok, err := h.opts.Accounts.Account(ctx, key)
	return ok || err != nil
}
