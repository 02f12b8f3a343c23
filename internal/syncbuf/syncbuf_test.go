package syncbuf_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/anseo/anseo/internal/syncbuf"
)

// TestWritersAndAReaderAtOnce: under -race, writes from several goroutines
// and reads meanwhile are safe, and every write is kept whole.
func TestWritersAndAReaderAtOnce(t *testing.T) {
	var b syncbuf.Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("line\n"))
				_ = b.String()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, strings.Repeat("line\n", 800), b.String())
}
