package hub_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/syncbuf"
)

var (
	home      = netip.MustParseAddr("192.0.2.10")
	elsewhere = netip.MustParseAddr("198.51.100.20")
)

// registered starts a hub that keeps accounts, where alice has registered
// her name with the password "correct horse" and left.
func registered(t *testing.T, k logKind, opts hub.Options) *hub.Hub {
	t.Helper()
	h := k.startHub(t, k.withAccounts(t, opts))
	alice := join(t, h, "alice")
	require.NoError(t, alice.Register(t.Context(), "correct horse"))
	require.True(t, alice.Registered())
	quit(t, h, alice)
	return h
}

// quit takes m's person out with /quit, and waits until its name is free:
// a cluster frees it behind the departure, a moment later.
func quit(t *testing.T, h *hub.Hub, m *hub.Conn) {
	t.Helper()
	name := m.Name()
	require.NoError(t, m.Say(t.Context(), "/quit", ""))
	closed(t, m)
	require.Eventually(t, func() bool { return h.Check(t.Context(), name) == nil }, 5*time.Second, 5*time.Millisecond)
}

func joinFrom(h *hub.Hub, t *testing.T, name, password string, from netip.Addr) (*hub.Conn, error) {
	return h.Join(t.Context(), name, hub.JoinOptions{Transport: hub.TransportTelnet, Password: password, Address: from})
}

func TestARegisteredNameIsTakenOnlyWithItsPassword(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := registered(t, k, hub.Options{})

		_, err := joinFrom(h, t, "alice", "", home)
		assert.ErrorIs(t, err, hub.ErrPasswordRequired, "without a password")
		_, err = joinFrom(h, t, "ALICE", "", home)
		assert.ErrorIs(t, err, hub.ErrPasswordRequired, "in another letter case")
		_, err = joinFrom(h, t, "alice", "wrong guess", home)
		assert.ErrorIs(t, err, hub.ErrWrongPassword)

		bob := join(t, h, "bob") // names nobody registered are as free as ever
		alice, err := joinFrom(h, t, "alice", "correct horse", elsewhere)
		require.NoError(t, err)
		assert.True(t, alice.Registered())
		roster, err := h.Roster(t.Context(), "")
		require.NoError(t, err)
		require.Len(t, roster.People, 2)
		assert.True(t, roster.People[1].Registered, "the list marks her registered")
		assert.False(t, roster.People[0].Registered)

		require.NoError(t, bob.Say(t.Context(), "/nick Alice2", ""))
		require.NoError(t, bob.Say(t.Context(), "/quit", ""))
		closed(t, bob)
	})
}

// A line-port user whose connection dropped comes back with its token as
// it was: logged in to its name.
func TestAResumeKeepsTheLogin(t *testing.T) {
	// A cluster's tokens carry the marks too: internal/cluster's tests.
	eachLocalLog(t, func(t *testing.T, k logKind) {
		h := registered(t, k, hub.Options{})
		alice, err := joinFrom(h, t, "alice", "correct horse", home)
		require.NoError(t, err)
		token := alice.Token()
		alice.Leave()
		closed(t, alice)
		alice, err = h.Join(t.Context(), "", hub.JoinOptions{Token: token})
		require.NoError(t, err)
		assert.True(t, alice.Registered())
	})
}

func TestNickToARegisteredNameIsRefused(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := registered(t, k, hub.Options{})
		bob := join(t, h, "bob")
		require.NoError(t, bob.Say(t.Context(), "/nick alice", ""))
		ev := next(t, bob)
		require.Equal(t, hub.KindNotice, ev.Kind)
		assert.Equal(t, hub.NoticeNameRegistered, ev.Notice.Kind)
		assert.Equal(t, "bob", bob.Name())
	})
}

// A thousand wrong passwords from one address: the first is checked, the
// rest are refused without a hash until the wait is over; the owner, from
// another address, logs in at once.
func TestGuessingIsSlowedWhileTheOwnerLogsIn(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		t0 := time.Now()
		h := registered(t, k, hub.Options{Now: func() time.Time { return t0 }}) // a clock that stands still
		wrong, slowed := 0, 0
		for range 1000 {
			_, err := joinFrom(h, t, "alice", "guess", home)
			var attempts *hub.AttemptsError
			switch {
			case errors.As(err, &attempts):
				slowed++
				assert.Positive(t, attempts.Wait)
			case errors.Is(err, hub.ErrWrongPassword):
				wrong++
			default:
				t.Fatalf("a guess was answered %v", err)
			}
		}
		assert.Equal(t, 1, wrong, "checked once")
		assert.Equal(t, 999, slowed, "then told to wait")
		_, err := joinFrom(h, t, "alice", "correct horse", home)
		assert.ErrorAs(t, err, new(*hub.AttemptsError), "even the right password waits from the guessing address")

		_, err = joinFrom(h, t, "bob", "", home)
		assert.NoError(t, err, "a name nobody registered needs nothing, from anywhere")
		alice, err := joinFrom(h, t, "alice", "correct horse", elsewhere)
		require.NoError(t, err, "the owner, elsewhere, is not slowed")
		assert.True(t, alice.Registered())
	})
}

func TestABrowserLoggedInJoinsWithoutThePassword(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := registered(t, k, hub.Options{})
		opts := hub.JoinOptions{Transport: hub.TransportWeb, Session: "s1", Address: home}
		assert.ErrorIs(t, h.LogIn(t.Context(), "alice", opts), hub.ErrPasswordRequired)
		opts.Password = "correct horse"
		require.NoError(t, h.LogIn(t.Context(), "alice", opts))
		opts.Password = ""
		alice, err := h.Join(t.Context(), "alice", opts)
		require.NoError(t, err)
		assert.True(t, alice.Registered())
		quit(t, h, alice)

		_, err = h.Join(t.Context(), "alice", hub.JoinOptions{Transport: hub.TransportWeb, Session: "s2"})
		assert.ErrorIs(t, err, hub.ErrPasswordRequired, "another browser is not logged in")
		require.NoError(t, h.LogOut(t.Context(), "s1"))
		_, err = h.Join(t.Context(), "alice", opts)
		assert.ErrorIs(t, err, hub.ErrPasswordRequired, "logged out")
	})
}

func TestPasswordsCanBeChangedAndNamesUnregistered(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		h := registered(t, k, hub.Options{})
		alice, err := joinFrom(h, t, "alice", "correct horse", home)
		require.NoError(t, err)
		assert.ErrorIs(t, alice.ChangePassword(t.Context(), "short"), hub.ErrWeakPassword)
		assert.ErrorIs(t, alice.ChangePassword(t.Context(), strings.Repeat("x", hub.MaxPasswordLen+1)), hub.ErrPasswordTooLong)
		require.NoError(t, alice.ChangePassword(t.Context(), "battery staple"))
		quit(t, h, alice)

		_, err = joinFrom(h, t, "alice", "correct horse", elsewhere)
		assert.ErrorIs(t, err, hub.ErrWrongPassword, "the old password is gone")
		alice, err = joinFrom(h, t, "alice", "battery staple", netip.MustParseAddr("203.0.113.5"))
		require.NoError(t, err)
		assert.ErrorIs(t, alice.Register(t.Context(), "another one"), hub.ErrAlreadyRegistered)
		require.NoError(t, alice.Unregister(t.Context()))
		assert.False(t, alice.Registered())
		quit(t, h, alice)
		join(t, h, "alice") // anyone's again
	})
}

// The password never reaches a log line, even at debug level, nor an error.
func TestThePasswordIsInNoLogLine(t *testing.T) {
	eachLog(t, func(t *testing.T, k logKind) {
		var out syncbuf.Buffer
		logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
		h := k.startHub(t, k.withAccounts(t, hub.Options{Logger: logger}))
		alice := join(t, h, "alice")
		require.NoError(t, alice.Register(t.Context(), "s3cret-passw0rd"))
		require.NoError(t, alice.ChangePassword(t.Context(), "n3w-s3cret-passw0rd"))
		require.NoError(t, alice.Say(t.Context(), "/register s3cret-passw0rd s3cret-passw0rd", ""))
		ev := next(t, alice)
		for ev.Kind != hub.KindNotice {
			ev = next(t, alice)
		}
		assert.Equal(t, hub.NoticeRegisterHow, ev.Notice.Kind, "a line that reaches the room is answered, and dropped")
		quit(t, h, alice)
		_, err := joinFrom(h, t, "alice", "wr0ng-s3cret", home)
		require.ErrorIs(t, err, hub.ErrWrongPassword)
		assert.NotContains(t, err.Error(), "wr0ng")
		_, err = joinFrom(h, t, "alice", "n3w-s3cret-passw0rd", elsewhere)
		require.NoError(t, err)

		logged := out.String()
		assert.Contains(t, logged, "wrong password", "the failure is logged")
		for _, pw := range []string{"s3cret", "wr0ng", "passw0rd"} {
			assert.False(t, bytes.Contains([]byte(logged), []byte(pw)), "%q in the log:\n%s", pw, logged)
		}
	})
}
