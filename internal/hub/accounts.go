package hub

import (
	"context"
	"errors"
	"fmt"
	"time"
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

// LogIn checks, for a login form, that name could join with opts: as
// Check does, and for a registered name that opts.Password is its password
// (with the same limits on attempts as Join) or that opts.Session is
// logged in to it. A right password logs opts.Session in to the name
// (Accounts.LogIn), so that its connections join without it. It returns
// what Join would: ErrPasswordRequired, ErrWrongPassword, an
// *AttemptsError, a *BannedError, ErrNameTaken, a *NameError, or an error
// wrapping ErrUnavailable.
func (h *Hub) LogIn(ctx context.Context, name string, opts JoinOptions) error {
	return errors.New("TODO")
}

// LogOut forgets that a browser's session is logged in to a registered
// name: its next join needs the password again.
func (h *Hub) LogOut(ctx context.Context, session string) error {
	return errors.New("TODO")
}

// Register protects the person's name with password: from now on it can
// be taken only with it (see ErrPasswordRequired). The person's other
// connections, and the room, see it registered (KindAccount). It returns
// ErrAlreadyRegistered, ErrWeakPassword, ErrNoAccounts, or an error
// wrapping ErrUnavailable. Call it from the connection's goroutine: the
// hash takes a tenth of a second of a core, on purpose.
func (c *Conn) Register(ctx context.Context, password string) error {
	return errors.New("TODO")
}

// ChangePassword replaces the password of the name the person is logged
// in to: ErrNotRegistered if it is not, ErrWeakPassword.
func (c *Conn) ChangePassword(ctx context.Context, password string) error {
	return errors.New("TODO")
}

// Unregister ends the account of the name the person is logged in to:
// ErrNotRegistered if it is not. Anyone may take the name once it is
// free.
func (c *Conn) Unregister(ctx context.Context) error {
	return errors.New("TODO")
}

// Registered reports whether the person is logged in to its name's
// account: a transport offers /password and /unregister then.
func (c *Conn) Registered() bool { return c.person.registered.Load() }
