package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/anseo/anseo/internal/hub"
)

// accountTables are the registered names in a history file: the accounts
// and logins tables. They implement hub.Accounts for a Store, and for the
// admin command beside a running server (Accounts).
//
// A login whose time is up is as if it were not there; LogIn sweeps those
// out, so the table holds about as many rows as there are browsers
// logged in.
type accountTables struct{ db *sql.DB }

var (
	_ hub.Accounts = (*Store)(nil)
	_ hub.Accounts = (*Accounts)(nil)
)

// Accounts are the registered names of a history file, opened by
// OpenAccounts. It implements hub.Accounts; Close it when done.
type Accounts struct{ accountTables }

// OpenAccounts opens the registered names in the history file at path,
// which must exist, for `anseo admin`: unlike Open, it may be used while
// the server has the file open (SQLite takes turns between the two), as
// it writes the accounts only, never the log. It brings the schema up to
// date as Open does.
func OpenAccounts(ctx context.Context, path string) (*Accounts, error) {
	if path == Memory {
		return nil, fmt.Errorf("history: open %s: a database in memory has no accounts to open", path)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	name, _, err := dsn(path)
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", name)
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // one command, one statement at a time
	if err := migrate(ctx, db); err != nil {
		_ = db.Close() // the migration's error is the one to report
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	return &Accounts{accountTables{db}}, nil
}

// Close closes the file.
func (a *Accounts) Close() error {
	if err := a.db.Close(); err != nil {
		return fmt.Errorf("history: close: %w", err)
	}
	return nil
}

// Account implements hub.Accounts.
func (t accountTables) Account(ctx context.Context, key string) (hub.Account, bool, error) {
	var (
		a        hub.Account
		operator bool
		created  int64
	)
	err := t.db.QueryRowContext(ctx, `SELECT name, hash, operator, created FROM accounts WHERE key = ?`, key).
		Scan(&a.Name, &a.Hash, &operator, &created)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return hub.Account{}, false, nil
	case err != nil:
		return hub.Account{}, false, fmt.Errorf("history: account: %w", err)
	}
	a.Operator = operator
	a.Created = time.UnixMilli(created).UTC()
	return a, true, nil
}

// CreateAccount implements hub.Accounts.
func (t accountTables) CreateAccount(ctx context.Context, key string, a hub.Account) error {
	if key == "" {
		return errors.New("history: create account: no key")
	}
	res, err := t.db.ExecContext(ctx, `INSERT INTO accounts (key, name, hash, operator, created) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (key) DO NOTHING`, key, a.Name, a.Hash, a.Operator, a.Created.UnixMilli())
	if err != nil {
		return fmt.Errorf("history: create account: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("history: create account: %w", err)
	} else if n == 0 {
		return hub.ErrAlreadyRegistered
	}
	return nil
}

// UpdateAccount implements hub.Accounts: every field is replaced by a's.
func (t accountTables) UpdateAccount(ctx context.Context, key string, a hub.Account) error {
	res, err := t.db.ExecContext(ctx, `UPDATE accounts SET name = ?, hash = ?, operator = ?, created = ? WHERE key = ?`,
		a.Name, a.Hash, a.Operator, a.Created.UnixMilli(), key)
	if err != nil {
		return fmt.Errorf("history: update account: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("history: update account: %w", err)
	} else if n == 0 {
		return hub.ErrNotRegistered
	}
	return nil
}

// DeleteAccount implements hub.Accounts: the account and every login to
// it go in one transaction.
func (t accountTables) DeleteAccount(ctx context.Context, key string) (err error) {
	tx, err := t.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("history: delete account: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // err says what went wrong; this only undoes it
		}
	}()
	res, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE key = ?`, key)
	if err != nil {
		return fmt.Errorf("history: delete account: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("history: delete account: %w", err)
	} else if n == 0 {
		return hub.ErrNotRegistered
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM logins WHERE key = ?`, key); err != nil {
		return fmt.Errorf("history: delete account: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("history: delete account: %w", err)
	}
	return nil
}

// LogIn implements hub.Accounts. A session logs in to one name at a time:
// logging in again replaces its login. It fails with ErrNotRegistered if
// the name has no account (it may have just been unregistered), so that no
// login outlives its account. Logins whose time is up are swept out.
func (t accountTables) LogIn(ctx context.Context, session, key string, until time.Time) (err error) {
	if session == "" {
		return errors.New("history: log in: no session")
	}
	tx, err := t.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("history: log in: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // err says what went wrong; this only undoes it
		}
	}()
	res, err := tx.ExecContext(ctx, `INSERT INTO logins (session, key, until)
		SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM accounts WHERE key = ?2)
		ON CONFLICT (session) DO UPDATE SET key = excluded.key, until = excluded.until`, session, key, until.UnixMilli())
	if err != nil {
		return fmt.Errorf("history: log in: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("history: log in: %w", err)
	} else if n == 0 {
		return hub.ErrNotRegistered
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM logins WHERE until <= ?`, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("history: log in: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("history: log in: %w", err)
	}
	return nil
}

// SessionAccount implements hub.Accounts.
func (t accountTables) SessionAccount(ctx context.Context, session string) (string, error) {
	if session == "" {
		return "", nil
	}
	var key string
	err := t.db.QueryRowContext(ctx, `SELECT key FROM logins WHERE session = ? AND until > ?`, session, time.Now().UnixMilli()).Scan(&key)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("history: session account: %w", err)
	}
	return key, nil
}

// LogOut implements hub.Accounts. A session not logged in is nothing to do.
func (t accountTables) LogOut(ctx context.Context, session string) error {
	if _, err := t.db.ExecContext(ctx, `DELETE FROM logins WHERE session = ?`, session); err != nil {
		return fmt.Errorf("history: log out: %w", err)
	}
	return nil
}
