package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/cluster"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/natstest"
)

// registered registers name in the history file at path, as /register
// would (with a hash that is no password's: anseo admin never reads it),
// making the file as the server does if there is none yet.
func registered(t *testing.T, path, name string) {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		s, err := history.Open(t.Context(), path)
		require.NoError(t, err)
		require.NoError(t, s.Close())
	}
	accounts, err := history.OpenAccounts(t.Context(), path)
	require.NoError(t, err)
	defer accounts.Close()
	require.NoError(t, accounts.CreateAccount(t.Context(), hub.NameKey(name),
		hub.Account{Name: name, Hash: "$argon2id$v=19$not-a-real-hash", Created: time.Now()}))
}

// operator reports whether the account of name in the file at path is a
// server operator's.
func operator(t *testing.T, path, name string) bool {
	t.Helper()
	accounts, err := history.OpenAccounts(t.Context(), path)
	require.NoError(t, err)
	defer accounts.Close()
	a, ok, err := accounts.Account(t.Context(), hub.NameKey(name))
	require.NoError(t, err)
	require.True(t, ok, "%s is registered", name)
	return a.Operator
}

// runAdmin runs "anseo admin args..." with the environment env and returns
// what it printed and its error.
func runAdmin(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), append([]string{"anseo", "admin"}, args...), func(k string) string { return env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestAdminOpAndDeop: anseo admin op makes a registered name a server
// operator in the history file of the running server, and deop undoes it;
// each says what it did, and doing it twice changes nothing.
func TestAdminOpAndDeop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anseo.db")
	startAnseo(t, "-db", path)
	registered(t, path, "Alice")

	out, _, err := runAdmin(t, nil, "op", "alice", "-db", path)
	require.NoError(t, err)
	assert.Equal(t, "Alice is now a server operator, from their next login.\n", out, "any spelling of the name; the registered one is shown")
	assert.True(t, operator(t, path, "Alice"))

	out, _, err = runAdmin(t, nil, "-db", path, "op", "ALICE")
	require.NoError(t, err)
	assert.Equal(t, "Alice is a server operator already.\n", out)
	assert.True(t, operator(t, path, "Alice"))

	out, _, err = runAdmin(t, map[string]string{"ANSEO_DB": path}, "deop", "Alice")
	require.NoError(t, err)
	assert.Equal(t, "Alice is no longer a server operator, from their next login.\n", out, "the file from the environment, as the server takes it")
	assert.False(t, operator(t, path, "Alice"))

	out, _, err = runAdmin(t, nil, "deop", "-db", path, "Alice")
	require.NoError(t, err)
	assert.Equal(t, "Alice is not a server operator: nothing to do.\n", out)

	out, _, err = runAdmin(t, map[string]string{"ANSEO_OPERATORS": "bob, alice"}, "deop", "Alice", "-db", path)
	require.NoError(t, err)
	assert.Contains(t, out, "Alice is still an operator by ANSEO_OPERATORS", "the list in the environment says otherwise")
}

// TestAdminRefusesWhatItCannotDo: a name that is not registered, a
// mistyped file or command, or a name that breaks the rules is refused with
// a clear message, and changes nothing.
func TestAdminRefusesWhatItCannotDo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anseo.db")
	registered(t, path, "Alice")

	_, _, err := runAdmin(t, nil, "op", "bob", "-db", path)
	require.Error(t, err)
	assert.Equal(t, "admin: bob is not a registered name: only a registered name can be an operator (bob must /register first)", err.Error())
	accounts, err := history.OpenAccounts(t.Context(), path)
	require.NoError(t, err)
	_, ok, err := accounts.Account(t.Context(), hub.NameKey("bob"))
	require.NoError(t, err)
	assert.False(t, ok, "no account is made")
	require.NoError(t, accounts.Close())

	typo := filepath.Join(t.TempDir(), "anseo.bd")
	_, _, err = runAdmin(t, nil, "op", "Alice", "-db", typo)
	require.Error(t, err)
	assert.Equal(t, "admin: -db "+typo+": there is no such file: give the -db the server runs with", err.Error())
	_, statErr := os.Stat(typo)
	assert.ErrorIs(t, statErr, os.ErrNotExist, "no file is made")

	_, stderr, err := runAdmin(t, nil, "promote", "Alice", "-db", path)
	assert.ErrorContains(t, err, "give op NAME or deop NAME")
	assert.Contains(t, stderr, "Usage: anseo admin op NAME")
	_, _, err = runAdmin(t, nil, "op", "-db", path)
	assert.ErrorContains(t, err, "give op NAME or deop NAME", "no name")
	_, _, err = runAdmin(t, nil, "op", "no spaces", "-db", path)
	assert.ErrorContains(t, err, `"no spaces" is not a name`)
	assert.False(t, operator(t, path, "Alice"))

	_, stderr, err = runAdmin(t, nil, "-h")
	require.NoError(t, err, "help is not a failure")
	assert.Contains(t, stderr, "-nats-url")
}

// TestAdminOpInACluster: with -nats-url (or ANSEO_NATS_URL, as the nodes
// are given it), anseo admin changes the accounts every node of the
// cluster shares, and refuses a name registered on none.
func TestAdminOpInACluster(t *testing.T) {
	nats := natstest.Start(t)
	shared, err := cluster.OpenAccounts(t.Context(), nats.URL())
	require.NoError(t, err)
	defer shared.Close()
	key := hub.NameKey("Alice")
	require.NoError(t, shared.CreateAccount(t.Context(), key, hub.Account{Name: "Alice", Hash: "$argon2id$v=19$x", Created: time.Now()}))

	out, _, err := runAdmin(t, nil, "op", "alice", "-nats-url", nats.URL())
	require.NoError(t, err)
	assert.Equal(t, "Alice is now a server operator, from their next login.\n", out)
	a, _, err := shared.Account(t.Context(), key)
	require.NoError(t, err)
	assert.True(t, a.Operator)
	assert.Equal(t, "$argon2id$v=19$x", a.Hash, "the rest of the account is as it was")

	out, _, err = runAdmin(t, map[string]string{"ANSEO_NATS_URL": nats.URL()}, "deop", "Alice")
	require.NoError(t, err)
	assert.Equal(t, "Alice is no longer a server operator, from their next login.\n", out)
	a, _, err = shared.Account(t.Context(), key)
	require.NoError(t, err)
	assert.False(t, a.Operator)

	_, _, err = runAdmin(t, nil, "op", "bob", "-nats-url", nats.URL())
	assert.EqualError(t, err, "admin: bob is not a registered name: only a registered name can be an operator (bob must /register first)")
}

// TestAdminExitsWithStatus1: the real program says why it refused on
// stderr and exits with status 1, for scripts to see.
func TestAdminExitsWithStatus1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anseo.db")
	registered(t, path, "Alice")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(buildAnseo(t), "admin", "op", "mallory", "-db", path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "%v", err)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Equal(t, "anseo: admin: mallory is not a registered name: only a registered name can be an operator (mallory must /register first)\n", stderr.String())
	assert.Empty(t, stdout.String())
}

// TestServerOperatorsConfig: -operators names the server's first
// operators (registered names), checked as names; -rooms-need-account
// keeps room making to registered names.
func TestServerOperatorsConfig(t *testing.T) {
	none := func(string) string { return "" }
	cfg, err := parseConfig([]string{"anseo"}, none, io.Discard)
	require.NoError(t, err)
	assert.Empty(t, cfg.operators)
	assert.False(t, cfg.roomsNeedAccount)

	cfg, err = parseConfig([]string{"anseo", "-operators", " Alice ,bob,", "-rooms-need-account"}, none, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []string{"Alice", "bob"}, cfg.operators)
	assert.True(t, cfg.roomsNeedAccount)

	env := map[string]string{"ANSEO_OPERATORS": "carol", "ANSEO_ROOMS_NEED_ACCOUNT": "true"}
	cfg, err = parseConfig([]string{"anseo"}, func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []string{"carol"}, cfg.operators)
	assert.True(t, cfg.roomsNeedAccount)

	_, err = parseConfig([]string{"anseo", "-operators", "alice,no spaces"}, none, io.Discard)
	assert.ErrorContains(t, err, `-operators: "no spaces": invalid name`)
}
