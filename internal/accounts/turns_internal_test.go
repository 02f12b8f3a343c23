package accounts

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAHashWaitsForItsTurnUntilItsContextEnds: with every turn taken, a
// hash waits, and gives up when its caller does.
func TestAHashWaitsForItsTurnUntilItsContextEnds(t *testing.T) {
	for range maxHashing {
		hashing <- struct{}{}
	}
	defer func() {
		for range maxHashing {
			<-hashing
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Hash(ctx, "pw", Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32})
	assert.ErrorIs(t, err, context.Canceled)
}
