package deadline_test

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/deadline"
)

// recorder records the deadlines set.
type recorder struct{ set []time.Time }

func (r *recorder) SetWriteDeadline(t time.Time) error {
	r.set = append(r.set, t)
	return nil
}

func TestArmMovesTheDeadlineOnlyWhenItIsNear(t *testing.T) {
	var r recorder
	w := deadline.NewWriter(&r, time.Hour)
	start := time.Now()
	for range 1000 {
		require.NoError(t, w.Arm())
	}
	require.Len(t, r.set, 1, "a thousand writes within the slack set one deadline")
	assert.WithinDuration(t, start.Add(time.Hour), r.set[0], time.Minute)
}

func TestArmCutsOffAStuckWrite(t *testing.T) {
	// A real socket whose peer never reads: the write fails within the
	// timeout instead of waiting for ever.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	peer, err := ln.Accept()
	require.NoError(t, err)
	defer peer.Close()

	w := deadline.NewWriter(c, 200*time.Millisecond)
	chunk := make([]byte, 1<<20)
	for {
		require.NoError(t, w.Arm())
		if _, err = c.Write(chunk); err != nil {
			break
		}
	}
	assert.True(t, errors.Is(err, os.ErrDeadlineExceeded), "got %v", err)
}
