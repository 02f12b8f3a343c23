// Package accounts protects registered names: a password kept only as an
// argon2id hash, checked in constant time, and the limits that make
// guessing one slow. It knows nothing of the hub, the transports or where
// the hashes are kept.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's costs.
type Params struct {
	Time      uint32 // passes over the memory
	MemoryKiB uint32
	Threads   uint8
	SaltLen   int
	KeyLen    uint32
}

// DefaultParams are RFC 9106's second recommended option (§4), the one for
// a server that cannot give a login 2 GiB: 3 passes over 64 MiB, 4 lanes,
// a 128-bit salt and a 256-bit tag.
var DefaultParams = Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 4, SaltLen: 16, KeyLen: 32}

// maxHashing bounds the hashes computed at once: each holds MemoryKiB, so
// a burst of logins costs a small box at most this many times 64 MiB, and
// waits for its turn beyond it.
const maxHashing = 2

var hashing = make(chan struct{}, maxHashing)

// ErrMalformed is returned by Verify for a stored hash it cannot read.
var ErrMalformed = errors.New("accounts: malformed password hash")

// Hash returns password's argon2id hash with a salt of its own, in the
// PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$tag), which carries
// its parameters, so that a hash made with older costs still verifies. It
// waits for a turn among the hashes under way, until ctx ends.
func Hash(ctx context.Context, password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	tag, err := derive(ctx, password, salt, p)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(tag)), nil
}

// Verify reports whether password is the one encoded was made from,
// comparing in constant time. It returns ErrMalformed, and false, for a
// hash it cannot read.
func Verify(ctx context.Context, encoded, password string) (bool, error) {
	p, salt, tag, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got, err := derive(ctx, password, salt, p)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, tag) == 1, nil
}

// derive computes the tag, in its turn.
func derive(ctx context.Context, password string, salt []byte, p Params) ([]byte, error) {
	select {
	case hashing <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-hashing }()
	return argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen), nil
}

// decode reads a PHC string made by Hash.
func decode(encoded string) (p Params, salt, tag []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, ErrMalformed
	}
	// Costs beyond what this server would ever set are refused rather
	// than computed: a stored hash must not be able to exhaust the box.
	if p.Time < 1 || p.Time > 16 || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > 1<<20 || p.Threads < 1 {
		return p, nil, nil, ErrMalformed
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, ErrMalformed
	}
	if tag, err = b64.DecodeString(parts[5]); err != nil || len(tag) < 16 {
		return p, nil, nil, ErrMalformed
	}
	p.SaltLen, p.KeyLen = len(salt), uint32(len(tag))
	return p, salt, tag, nil
}
