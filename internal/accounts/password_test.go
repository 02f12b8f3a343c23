package accounts_test

import (
	"context"
	"strings"
	"testing"

	"github.com/anseo/anseo/internal/accounts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cheap are small costs for tests of what a hash is, not of how slow.
var cheap = accounts.Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestAPasswordVerifiesAndNoOtherDoes(t *testing.T) {
	ctx := context.Background()
	h, err := accounts.Hash(ctx, "correct horse", cheap)
	require.NoError(t, err)
	ok, err := accounts.Verify(ctx, h, "correct horse")
	require.NoError(t, err)
	assert.True(t, ok)
	for _, wrong := range []string{"", "correct hors", "correct horse ", "Correct horse"} {
		ok, err := accounts.Verify(ctx, h, wrong)
		require.NoError(t, err)
		assert.False(t, ok, "%q", wrong)
	}
}

func TestAHashIsArgon2idWithItsOwnSalt(t *testing.T) {
	ctx := context.Background()
	a, err := accounts.Hash(ctx, "same", cheap)
	require.NoError(t, err)
	b, err := accounts.Hash(ctx, "same", cheap)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(a, "$argon2id$v=19$m=64,t=1,p=1$"), a)
	assert.NotEqual(t, a, b, "each hash has a salt of its own")
	assert.NotContains(t, a, "same")
}

func TestTheDefaultCostsAreRFC9106s(t *testing.T) {
	assert.Equal(t, accounts.Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 4, SaltLen: 16, KeyLen: 32}, accounts.DefaultParams)
	if testing.Short() {
		return
	}
	h, err := accounts.Hash(context.Background(), "pw", accounts.DefaultParams)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=4$"), h)
}

func TestAMalformedHashIsRefusedNotComputed(t *testing.T) {
	ctx := context.Background()
	good, err := accounts.Hash(ctx, "pw", cheap)
	require.NoError(t, err)
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":          "",
		"bcrypt":         "$2a$10$abcdefghijklmnopqrstuu",
		"argon2i":        strings.Replace(good, "argon2id", "argon2i", 1),
		"other version":  strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":    strings.Replace(good, "m=64,", "m=4194304,", 1),
		"many passes":    strings.Replace(good, "t=1,", "t=1000,", 1),
		"no salt":        "$" + strings.Join([]string{parts[1], parts[2], parts[3], "", parts[5]}, "$"),
		"short tag":      "$" + strings.Join([]string{parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"not base64 tag": "$" + strings.Join([]string{parts[1], parts[2], parts[3], parts[4], "!!!!"}, "$"),
	} {
		ok, err := accounts.Verify(ctx, h, "pw")
		assert.ErrorIs(t, err, accounts.ErrMalformed, name)
		assert.False(t, ok, name)
	}
}

// BenchmarkDefaultHash is what one login costs on this box.
func BenchmarkDefaultHash(b *testing.B) {
	ctx := context.Background()
	h, err := accounts.Hash(ctx, "pw", accounts.DefaultParams)
	require.NoError(b, err)
	for b.Loop() {
		if _, err := accounts.Verify(ctx, h, "pw"); err != nil {
			b.Fatal(err)
		}
	}
}
