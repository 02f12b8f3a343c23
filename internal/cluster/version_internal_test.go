package cluster

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCheckServer: a NATS server too old for the names bucket is refused
// with a sentence that says which version is needed; newer ones, and
// versions it cannot read, pass.
func TestCheckServer(t *testing.T) {
	for _, v := range []string{"2.11.0", "2.11.4", "2.12.1", "3.0.0", "2.15.2-dev", "unknown"} {
		assert.NoError(t, checkServer(v), v)
	}
	for _, v := range []string{"2.9.25", "2.10.22", "1.4.1"} { // 2.9: Debian 12's
		err := checkServer(v)
		if assert.Error(t, err, v) {
			assert.Contains(t, err.Error(), "the NATS server is version "+v+"; anseo needs nats-server 2.11 or later")
		}
	}
}
