package cluster_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/cluster"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/natstest"
)

var _ hub.Accounts = (*cluster.Accounts)(nil)

// openAccounts opens the accounts of the cluster at url as anseo admin
// does, closed when the test ends.
func openAccounts(t *testing.T, url string) *cluster.Accounts {
	t.Helper()
	a, err := cluster.OpenAccounts(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	return a
}

func account(name string) hub.Account {
	return hub.Account{Name: name, Hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", Created: time.Now().UTC().Truncate(time.Second)}
}

// TestAnAccountIsTheSameOnEveryNode: a name registered through one node
// is registered, with the same account, for every other, and for the
// admin tool.
func TestAnAccountIsTheSameOnEveryNode(t *testing.T) {
	srv := natstest.Start(t)
	n1 := startNode(t, srv.URL(), "n1", cluster.Config{})
	n2 := startNode(t, srv.URL(), "n2", cluster.Config{})
	admin := openAccounts(t, srv.URL())
	ctx := t.Context()
	key := hub.NameKey("Alice")

	_, ok, err := n2.link.Accounts().Account(ctx, key)
	require.NoError(t, err)
	assert.False(t, ok, "nobody registered alice yet")

	want := account("Alice")
	require.NoError(t, n1.link.Accounts().CreateAccount(ctx, key, want))
	for _, a := range []*cluster.Accounts{n1.link.Accounts(), n2.link.Accounts(), admin} {
		got, ok, err := a.Account(ctx, key)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, want.Name, got.Name)
		assert.Equal(t, want.Hash, got.Hash)
		assert.True(t, want.Created.Equal(got.Created))
		assert.False(t, got.Operator)
	}
	assert.ErrorIs(t, n2.link.Accounts().CreateAccount(ctx, key, account("alice")), hub.ErrAlreadyRegistered,
		"a name drawn alike is the same account")

	// anseo admin op, from outside the cluster, is seen by every node.
	op := want
	op.Operator = true
	require.NoError(t, admin.UpdateAccount(ctx, key, op))
	got, _, err := n2.link.Accounts().Account(ctx, key)
	require.NoError(t, err)
	assert.True(t, got.Operator)

	require.NoError(t, n2.link.Accounts().DeleteAccount(ctx, key))
	_, ok, err = n1.link.Accounts().Account(ctx, key)
	require.NoError(t, err)
	assert.False(t, ok, "ended on one node, ended on all")
	assert.ErrorIs(t, n1.link.Accounts().DeleteAccount(ctx, key), hub.ErrNotRegistered)
	assert.ErrorIs(t, n1.link.Accounts().UpdateAccount(ctx, key, want), hub.ErrNotRegistered)
	assert.ErrorIs(t, admin.UpdateAccount(ctx, hub.NameKey("nobody"), op), hub.ErrNotRegistered)
}

// TestOneOfTwoRegistrationsOfANameWins: nodes registering one name at the
// same moment cannot both have it: one does, the others are told it is
// registered; and so again once it has been unregistered.
func TestOneOfTwoRegistrationsOfANameWins(t *testing.T) {
	srv := natstest.Start(t)
	const racers = 8
	var handles [racers]*cluster.Accounts
	for i := range handles {
		handles[i] = openAccounts(t, srv.URL())
	}
	race := func(key string) (won int) {
		var wg sync.WaitGroup
		errs := make([]error, racers)
		start := make(chan struct{})
		for i, a := range handles {
			wg.Go(func() {
				<-start
				errs[i] = a.CreateAccount(t.Context(), key, account(fmt.Sprintf("racer%d", i)))
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err == nil {
				won++
			} else {
				assert.ErrorIs(t, err, hub.ErrAlreadyRegistered)
			}
		}
		return won
	}
	for round := range 5 {
		key := fmt.Sprintf("name%d", round)
		assert.Equal(t, 1, race(key), "a fresh name, round %d", round)
		// A name unregistered is found deleted by every racer, which then
		// all try to write over the same deletion.
		require.NoError(t, handles[0].DeleteAccount(t.Context(), key))
		assert.Equal(t, 1, race(key), "an unregistered name, round %d", round)
	}
}

// TestALoginHoldsOnEveryNodeUntilItEnds: a browser logged in through one
// node is logged in for all of them, until it logs out, its login
// expires, or its account ends; a new account of the name is not the one
// it logged in to.
func TestALoginHoldsOnEveryNodeUntilItEnds(t *testing.T) {
	srv := natstest.Start(t)
	a1, a2 := openAccounts(t, srv.URL()), openAccounts(t, srv.URL())
	ctx := t.Context()
	key := hub.NameKey("alice")
	const session = "c2Vzc2lvbi1kaWdlc3Qtb2YtYWxpY2U"

	assert.ErrorIs(t, a1.LogIn(ctx, session, key, time.Now().Add(time.Hour)), hub.ErrNotRegistered,
		"there is nothing to log in to")
	require.NoError(t, a1.CreateAccount(ctx, key, account("alice")))
	got, err := a2.SessionAccount(ctx, session)
	require.NoError(t, err)
	assert.Empty(t, got)

	require.NoError(t, a1.LogIn(ctx, session, key, time.Now().Add(hub.SessionLoginFor)))
	got, err = a2.SessionAccount(ctx, session)
	require.NoError(t, err)
	assert.Equal(t, key, got)
	other, err := a2.SessionAccount(ctx, "another browser")
	require.NoError(t, err)
	assert.Empty(t, other)

	// A new password keeps the browsers logged in.
	changed := account("alice")
	changed.Hash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdDI$aGFzaDI"
	require.NoError(t, a2.UpdateAccount(ctx, key, changed))
	got, err = a1.SessionAccount(ctx, session)
	require.NoError(t, err)
	assert.Equal(t, key, got)

	require.NoError(t, a2.LogOut(ctx, session))
	got, err = a1.SessionAccount(ctx, session)
	require.NoError(t, err)
	assert.Empty(t, got, "logged out on one node, logged out on all")
	require.NoError(t, a2.LogOut(ctx, session), "logging out twice is no error")

	// The end of an account ends its logins, even once the name is
	// registered again by someone else.
	require.NoError(t, a1.LogIn(ctx, session, key, time.Now().Add(time.Hour)))
	require.NoError(t, a2.DeleteAccount(ctx, key))
	got, err = a1.SessionAccount(ctx, session)
	require.NoError(t, err)
	assert.Empty(t, got)
	require.NoError(t, a2.CreateAccount(ctx, key, account("alice")))
	got, err = a1.SessionAccount(ctx, session)
	require.NoError(t, err)
	assert.Empty(t, got, "a login is to one account, not to whoever has the name now")
}

// TestALoginExpires: a login ends at its time, and JetStream forgets it
// then; the session itself is not what the bucket keeps.
func TestALoginExpires(t *testing.T) {
	srv := natstest.Start(t)
	a := openAccounts(t, srv.URL())
	ctx := t.Context()
	key := hub.NameKey("bob")
	const session = "Ym9icy1icm93c2VyLXNlc3Npb24"
	require.NoError(t, a.CreateAccount(ctx, key, account("bob")))

	nc, err := nats.Connect(srv.URL())
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	logins, err := js.KeyValue(ctx, "ANSEO_LOGINS")
	require.NoError(t, err)
	w, err := logins.WatchAll(ctx)
	require.NoError(t, err)
	defer func() { _ = w.Stop() }()

	require.NoError(t, a.LogIn(ctx, session, key, time.Now().Add(2*time.Second)))
	got, err := a.SessionAccount(ctx, session)
	require.NoError(t, err)
	assert.Equal(t, key, got)

	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for gone := false; !gone; {
		select {
		case e := <-w.Updates():
			if e == nil {
				continue // the end of what was there before
			}
			assert.NotContains(t, e.Key(), session)
			assert.NotContains(t, string(e.Value()), session)
			gone = e.Operation() != jetstream.KeyValuePut
		case <-wctx.Done():
			t.Fatal("the login was not deleted within 10 s of its end")
		}
	}
	got, err = a.SessionAccount(ctx, session)
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.False(t, strings.Contains(got, session))
}

// TestRegisteredNamesOutliveNATSLosingItsStore: NATS comes back with an
// empty store; the nodes write back the accounts they kept a copy of, so
// that a registered name (and who is an operator) is not free for whoever
// registers it first.
func TestRegisteredNamesOutliveNATSLosingItsStore(t *testing.T) {
	srv := natstest.Start(t)
	n1 := startNode(t, srv.URL(), "n1", cluster.Config{})
	ctx := t.Context()
	root, gone := account("root"), account("gone")
	root.Operator = true
	require.NoError(t, n1.link.Accounts().CreateAccount(ctx, hub.NameKey("root"), root))
	require.NoError(t, n1.link.Accounts().CreateAccount(ctx, hub.NameKey("gone"), gone))
	require.NoError(t, n1.link.Accounts().DeleteAccount(ctx, hub.NameKey("gone")))
	require.Eventually(t, func() bool { return n1.link.AccountsKept() == 1 }, 10*time.Second, 10*time.Millisecond)

	srv.Wipe()
	require.Eventually(t, func() bool {
		_, ok, err := n1.link.Accounts().Account(ctx, hub.NameKey("root"))
		return err == nil && ok
	}, 10*time.Second, 10*time.Millisecond, "root's account is written back")
	n2 := startNode(t, srv.URL(), "n2", cluster.Config{})
	got, ok, err := n2.link.Accounts().Account(ctx, hub.NameKey("ROOT"))
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, root.Hash, got.Hash)
	assert.True(t, got.Operator)
	_, ok, err = n2.link.Accounts().Account(ctx, hub.NameKey("gone"))
	require.NoError(t, err)
	assert.False(t, ok, "an account that ended stays ended")
	assert.ErrorIs(t, n2.link.Accounts().CreateAccount(ctx, hub.NameKey("root"), account("root")), hub.ErrAlreadyRegistered)

	// The copy follows the bucket made anew: a later account is kept too.
	require.NoError(t, n2.link.Accounts().CreateAccount(ctx, hub.NameKey("later"), account("later")))
	require.Eventually(t, func() bool { return n1.link.AccountsKept() == 2 }, 10*time.Second, 10*time.Millisecond)
}
