package history_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
)

// alice is a registered name as the hub would keep it: a hash, never a
// password.
var alice = hub.Account{
	Name:    "Alice",
	Hash:    "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$dGFndGFndGFndGFndGFndGFndGFndGFndGFndGE",
	Created: base,
}

// TestARegisteredNameIsItsAccountByKey: an account is kept by its name's
// key with every field as it was given, a name is registered once, and the
// account outlives a restart.
func TestARegisteredNameIsItsAccountByKey(t *testing.T) {
	s, path := openFile(t)
	ctx := t.Context()
	key := hub.NameKey("Alice")

	_, ok, err := s.Account(ctx, key)
	require.NoError(t, err)
	assert.False(t, ok, "a name nobody registered has no account")

	require.NoError(t, s.CreateAccount(ctx, key, alice))
	got, ok, err := s.Account(ctx, key)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, alice, got)

	other := alice
	other.Hash = "$argon2id$someone-else"
	assert.ErrorIs(t, s.CreateAccount(ctx, key, other), hub.ErrAlreadyRegistered)
	got, _, err = s.Account(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, alice.Hash, got.Hash, "a second registration changes nothing")

	require.NoError(t, s.Close())
	s = open(t, path)
	got, ok, err = s.Account(ctx, key)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, alice, got, "after a restart")
}

// TestUpdateAccountReplacesTheAccount: a new password or operator status
// replaces the old; a name with no account cannot be updated.
func TestUpdateAccountReplacesTheAccount(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	key := hub.NameKey("Alice")
	require.NoError(t, s.CreateAccount(ctx, key, alice))

	changed := alice
	changed.Hash = "$argon2id$a-new-one"
	changed.Operator = true
	require.NoError(t, s.UpdateAccount(ctx, key, changed))
	got, _, err := s.Account(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, changed, got)

	assert.ErrorIs(t, s.UpdateAccount(ctx, hub.NameKey("bob"), changed), hub.ErrNotRegistered)
	_, ok, err := s.Account(ctx, hub.NameKey("bob"))
	require.NoError(t, err)
	assert.False(t, ok, "updating makes no account")
}

// TestDeleteAccountLogsOutItsSessions: ending an account ends every login
// to it, and nobody else's; a name with no account cannot be deleted, or
// logged in to.
func TestDeleteAccountLogsOutItsSessions(t *testing.T) {
	s, _ := openFile(t)
	ctx := t.Context()
	a, b := hub.NameKey("Alice"), hub.NameKey("bob")
	require.NoError(t, s.CreateAccount(ctx, a, alice))
	require.NoError(t, s.CreateAccount(ctx, b, hub.Account{Name: "bob", Hash: "$argon2id$bob", Created: base}))
	until := time.Now().Add(hub.SessionLoginFor)
	require.NoError(t, s.LogIn(ctx, "phone", a, until))
	require.NoError(t, s.LogIn(ctx, "laptop", a, until))
	require.NoError(t, s.LogIn(ctx, "bobs", b, until))

	require.NoError(t, s.DeleteAccount(ctx, a))
	_, ok, err := s.Account(ctx, a)
	require.NoError(t, err)
	assert.False(t, ok)
	for _, session := range []string{"phone", "laptop"} {
		got, err := s.SessionAccount(ctx, session)
		require.NoError(t, err)
		assert.Empty(t, got, "%s is logged out", session)
	}
	got, err := s.SessionAccount(ctx, "bobs")
	require.NoError(t, err)
	assert.Equal(t, b, got, "another name's login stays")

	assert.ErrorIs(t, s.DeleteAccount(ctx, a), hub.ErrNotRegistered)
	assert.ErrorIs(t, s.LogIn(ctx, "phone", a, until), hub.ErrNotRegistered, "no login outlives its account")
	got, err = s.SessionAccount(ctx, "phone")
	require.NoError(t, err)
	assert.Empty(t, got)
}

// TestALoginLastsUntilItsTime: a session logged in to a name is that
// name's, across a restart, until its time is up or it logs out; logging
// in again moves it to the name it logged in to last.
func TestALoginLastsUntilItsTime(t *testing.T) {
	s, path := openFile(t)
	ctx := t.Context()
	a, b := hub.NameKey("Alice"), hub.NameKey("bob")
	require.NoError(t, s.CreateAccount(ctx, a, alice))
	require.NoError(t, s.CreateAccount(ctx, b, hub.Account{Name: "bob", Hash: "$argon2id$bob", Created: base}))

	got, err := s.SessionAccount(ctx, "browser")
	require.NoError(t, err)
	assert.Empty(t, got, "never logged in")

	require.NoError(t, s.LogIn(ctx, "browser", a, time.Now().Add(time.Hour)))
	got, err = s.SessionAccount(ctx, "browser")
	require.NoError(t, err)
	assert.Equal(t, a, got)

	require.NoError(t, s.Close())
	s = open(t, path)
	got, err = s.SessionAccount(ctx, "browser")
	require.NoError(t, err)
	assert.Equal(t, a, got, "after a restart")

	require.NoError(t, s.LogIn(ctx, "browser", b, time.Now().Add(time.Hour)))
	got, err = s.SessionAccount(ctx, "browser")
	require.NoError(t, err)
	assert.Equal(t, b, got, "one name at a time: the last logged in to")

	require.NoError(t, s.LogOut(ctx, "browser"))
	got, err = s.SessionAccount(ctx, "browser")
	require.NoError(t, err)
	assert.Empty(t, got, "logged out")
	require.NoError(t, s.LogOut(ctx, "browser"), "logging out twice is nothing to do")

	require.NoError(t, s.LogIn(ctx, "old", a, time.Now().Add(-time.Second)))
	got, err = s.SessionAccount(ctx, "old")
	require.NoError(t, err)
	assert.Empty(t, got, "a login whose time is up is none")

	got, err = s.SessionAccount(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, got, "no session is logged in to nothing")
	assert.Error(t, s.LogIn(ctx, "", a, time.Now().Add(time.Hour)), "a login needs a session")
}

// TestTheAdminOpensTheAccountsOfARunningServer: anseo admin changes an
// account in the file the server has open, and the server reads the change
// at once; it never creates a file that is not there.
func TestTheAdminOpensTheAccountsOfARunningServer(t *testing.T) {
	s, path := openFile(t)
	ctx := t.Context()
	key := hub.NameKey("Alice")
	require.NoError(t, s.CreateAccount(ctx, key, alice))

	admin, err := history.OpenAccounts(ctx, path)
	require.NoError(t, err)
	got, ok, err := admin.Account(ctx, key)
	require.NoError(t, err)
	require.True(t, ok)
	got.Operator = true
	require.NoError(t, admin.UpdateAccount(ctx, key, got))
	require.NoError(t, admin.Close())

	got, _, err = s.Account(ctx, key)
	require.NoError(t, err)
	assert.True(t, got.Operator, "the server sees what the admin did")

	missing := filepath.Join(t.TempDir(), "typo.db")
	_, err = history.OpenAccounts(ctx, missing)
	require.Error(t, err)
	assert.ErrorContains(t, err, "typo.db")
	_, statErr := os.Stat(missing)
	assert.ErrorIs(t, statErr, os.ErrNotExist, "no file is made for a mistyped name")

	_, err = history.OpenAccounts(ctx, history.Memory)
	assert.Error(t, err, "a database in memory is nobody else's to open")
}
