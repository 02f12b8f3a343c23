package connlimit_test

import (
	"net/netip"
	"testing"

	"github.com/anseo/anseo/internal/connlimit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPerIP(t *testing.T) {
	l := connlimit.New(2, 100)
	a := netip.MustParseAddr("192.0.2.1")
	r1, err := l.Acquire(a)
	require.NoError(t, err)
	_, err = l.Acquire(netip.MustParseAddr("::ffff:192.0.2.1")) // the same address
	require.NoError(t, err)
	_, err = l.Acquire(a)
	assert.ErrorIs(t, err, connlimit.ErrPerIP)
	_, err = l.Acquire(netip.MustParseAddr("192.0.2.2"))
	assert.NoError(t, err, "another address is not affected")

	r1()
	r1() // a second release does nothing
	_, err = l.Acquire(a)
	assert.NoError(t, err)
	_, err = l.Acquire(a)
	assert.ErrorIs(t, err, connlimit.ErrPerIP, "the double release freed one place only")
}

func TestIPv6CountsBy64(t *testing.T) {
	l := connlimit.New(1, 100)
	_, err := l.Acquire(netip.MustParseAddr("2001:db8:1:2::1"))
	require.NoError(t, err)
	_, err = l.Acquire(netip.MustParseAddr("2001:db8:1:2:ffff::9"))
	assert.ErrorIs(t, err, connlimit.ErrPerIP)
	_, err = l.Acquire(netip.MustParseAddr("2001:db8:1:3::1"))
	assert.NoError(t, err)
}

func TestTotal(t *testing.T) {
	l := connlimit.New(10, 2)
	for i := range 2 {
		_, err := l.Acquire(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}))
		require.NoError(t, err)
	}
	_, err := l.Acquire(netip.MustParseAddr("10.0.0.9"))
	assert.ErrorIs(t, err, connlimit.ErrTotal)
}
