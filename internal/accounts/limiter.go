package accounts

import (
	"sync"
	"time"
)

// Limiter slows guessing. Each failed attempt for a key (a name, an
// address, or the two together) makes the next attempt for that key wait
// twice as long as the last, from Base up to Max; a key with no failure
// for Forget is forgotten, and a success forgets it at once. A person who
// mistypes once waits a second; a script that tries a thousand passwords
// waits Max between tries after a dozen. Safe from any goroutine.
type Limiter struct {
	Base   time.Duration // the wait after a first failure
	Max    time.Duration // the longest wait
	Forget time.Duration // how long a key's failures are remembered
	// Now is the clock; nil is time.Now. The hub gives its own.
	Now func() time.Time

	mu    sync.Mutex
	keys  map[string]*failures
	calls int
}

type failures struct {
	n    int
	next time.Time // no attempt before
	last time.Time // the last failure
}

// NewLimiter returns a Limiter with the waits anseo uses: 1 s doubling up
// to 15 minutes, remembered for a day.
func NewLimiter() *Limiter {
	return &Limiter{Base: time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour}
}

// Wait returns how long an attempt for key must wait: 0 if it may be made
// now.
func (l *Limiter) Wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.keys[key]
	if f == nil {
		return 0
	}
	return max(f.next.Sub(l.now()), 0)
}

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Failed records a failed attempt for key.
func (l *Limiter) Failed(key string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys == nil {
		l.keys = make(map[string]*failures)
	}
	l.forgetOld(now)
	f := l.keys[key]
	if f == nil || now.Sub(f.last) > l.Forget {
		f = &failures{}
		l.keys[key] = f
	}
	f.n++
	f.last = now
	wait := l.Max
	if f.n <= 30 && l.Base<<(f.n-1) < l.Max {
		wait = l.Base << (f.n - 1)
	}
	f.next = now.Add(wait)
}

// Succeeded forgets key's failures.
func (l *Limiter) Succeeded(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// forgetOld drops, now and then, the keys whose failures are old enough to
// be forgotten, so that a guesser who goes through many names or
// addresses does not grow the map without end. l.mu held.
func (l *Limiter) forgetOld(now time.Time) {
	if l.calls++; l.calls%1024 != 0 {
		return
	}
	for k, f := range l.keys {
		if now.Sub(f.last) > l.Forget {
			delete(l.keys, k)
		}
	}
}
