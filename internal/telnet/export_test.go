package telnet

import "golang.org/x/time/rate"

// SetKeyRate sets the limit on editing keys for the connections made
// until restore is called.
func SetKeyRate(r rate.Limit, burst int) (restore func()) {
	oldRate, oldBurst := keyRate, keyBurst
	keyRate, keyBurst = r, burst
	return func() { keyRate, keyBurst = oldRate, oldBurst }
}
