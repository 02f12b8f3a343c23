package hub_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/accounts"
	"github.com/anseo/anseo/internal/cluster"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/natstest"
)

// logKind is one of the room's logs. The hub's tests run against each, so
// that every behaviour of the room is specified once and holds on one node
// in memory, on one node with its SQLite history, and on a node of a
// cluster over NATS.
type logKind struct {
	name string
	// with sets opts up to use the log, for a hub that the test stops
	// before the log's resources are let go.
	with func(t testing.TB, opts hub.Options) hub.Options
}

var logKinds = []logKind{
	{"memory", func(_ testing.TB, opts hub.Options) hub.Options { return opts }},
	{"sqlite", func(t testing.TB, opts hub.Options) hub.Options {
		if opts.Store != nil {
			return opts // withAccounts opened it
		}
		st, err := history.Open(context.Background(), filepath.Join(t.TempDir(), "anseo.db"))
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, st.Close()) })
		opts.Store = st
		return opts
	}},
	{"nats", func(t testing.TB, opts hub.Options) hub.Options {
		srv := natstest.Start(t)
		link, err := cluster.Connect(context.Background(), cluster.Config{URL: srv.URL(), Node: "test", Grace: opts.Grace})
		require.NoError(t, err)
		t.Cleanup(link.Close)
		opts.Log, opts.Names = link, link
		if opts.Accounts != nil { // asked for: the cluster's own
			opts.Accounts = link.Accounts()
		}
		return opts
	}},
}

// withAccounts asks k for a hub that keeps registered names where k keeps
// them: the SQLite file, or the cluster's buckets (a hub in memory keeps
// them in a file of its own), with password hashes cheap enough for tests
// under the race detector.
func (k logKind) withAccounts(t testing.TB, opts hub.Options) hub.Options {
	t.Helper()
	opts.PasswordCost = accounts.Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}
	st, err := history.Open(context.Background(), filepath.Join(t.TempDir(), "accounts.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	opts.Accounts = st
	if k.name == "sqlite" {
		opts.Store = st
	}
	return opts
}

// eachLog runs test once against each log, as a subtest named after it.
func eachLog(t *testing.T, test func(t *testing.T, k logKind)) {
	for _, k := range logKinds {
		t.Run(k.name, func(t *testing.T) { test(t, k) })
	}
}

// startHub runs a hub over k's log until the test ends, and waits for it
// to stop.
func (k logKind) startHub(t testing.TB, opts hub.Options) *hub.Hub {
	t.Helper()
	return startHub(t, k.with(t, opts))
}

// eachLocalLog is eachLog for the logs a single node keeps: tests whose
// clock is testing/synctest's, which a network connection cannot share.
func eachLocalLog(t *testing.T, test func(t *testing.T, k logKind)) {
	for _, k := range logKinds {
		if k.name != "nats" {
			t.Run(k.name, func(t *testing.T) { test(t, k) })
		}
	}
}
