package accounts_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/anseo/anseo/internal/accounts"
	"github.com/stretchr/testify/assert"
)

func TestEachFailureDoublesTheWaitUpToItsMost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := accounts.NewLimiter()
		assert.Zero(t, l.Wait("alice"), "a first try waits for nothing")
		var waits []time.Duration
		for range 12 {
			l.Failed("alice")
			waits = append(waits, l.Wait("alice"))
		}
		assert.Equal(t, []time.Duration{
			time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second,
			64 * time.Second, 128 * time.Second, 256 * time.Second, 512 * time.Second, 15 * time.Minute, 15 * time.Minute,
		}, waits)
		assert.Zero(t, l.Wait("bob"), "another key is not slowed")
	})
}

func TestAWaitRunsOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := accounts.NewLimiter()
		l.Failed("alice")
		l.Failed("alice")
		assert.Equal(t, 2*time.Second, l.Wait("alice"))
		time.Sleep(1500 * time.Millisecond) // fake time
		assert.Equal(t, 500*time.Millisecond, l.Wait("alice"))
		time.Sleep(time.Second)
		assert.Zero(t, l.Wait("alice"))
	})
}

func TestSuccessAndTimeForget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := accounts.NewLimiter()
		for range 5 {
			l.Failed("alice")
		}
		l.Succeeded("alice")
		assert.Zero(t, l.Wait("alice"), "a success forgets the failures")
		l.Failed("alice")
		assert.Equal(t, time.Second, l.Wait("alice"), "and the next failure starts again at a second")

		for range 5 {
			l.Failed("bob")
		}
		time.Sleep(25 * time.Hour) // fake time: past Forget
		l.Failed("bob")
		assert.Equal(t, time.Second, l.Wait("bob"), "failures a day old are forgotten")
	})
}
