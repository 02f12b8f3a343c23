package loadtest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestHistQuantiles(t *testing.T) {
	var h hist
	for i := int64(1); i <= 1000; i++ {
		h.record(i * int64(time.Microsecond))
	}
	within := func(got time.Duration, want time.Duration) {
		t.Helper()
		assert.InEpsilon(t, float64(want), float64(got), 1.0/histSub, "got %s, want %s", got, want)
	}
	within(h.quantile(0.5), 500*time.Microsecond)
	within(h.quantile(0.99), 990*time.Microsecond)
	assert.Equal(t, time.Millisecond, h.quantile(1))
	assert.Equal(t, int64(time.Millisecond), h.max)

	var empty hist
	assert.Zero(t, empty.quantile(0.5))
}

func TestHistBucketsAreMonotonic(t *testing.T) {
	last := -1
	for v := int64(0); v < 1<<20; v += 7 {
		b := histBucket(v)
		assert.GreaterOrEqual(t, b, last)
		assert.GreaterOrEqual(t, histValue(b), v, "bucket %d's bound holds %d", b, v)
		last = b
	}
}

func TestMessageAccounting(t *testing.T) {
	r := &run{senders: []*sender{{credit: make(chan struct{}, 4), pending: make([]atomic.Int32, 4), expected: 2}}}
	c := &client{r: r, sender: -1, next: make([]uint64, 1), lat: new(hist)}
	for _, seq := range []uint64{0, 1, 1, 3} { // a dupe, then 2 is missing
		c.message(appendText(nil, 0, seq, 40), nil, time.Now().UnixNano())
	}
	assert.Equal(t, uint64(3), c.got.Load())
	assert.Equal(t, uint64(1), c.dupes)
	assert.Equal(t, uint64(1), c.lost)
	assert.Equal(t, uint64(4), c.next[0])
	assert.Zero(t, r.senders[0].completed.Load(), "one of two receivers is not complete")
	c.message([]byte("hello, not ours"), nil, time.Now().UnixNano())
	assert.Equal(t, uint64(3), c.got.Load())
}

func TestClientsAreSpreadOverTheAddressesInTurn(t *testing.T) {
	list := "127.0.0.1:1, 127.0.0.1:2,127.0.0.1:3"
	var got []string
	for i := range 5 {
		got = append(got, nth(list, i))
	}
	assert.Equal(t, []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:1", "127.0.0.1:2"}, got)
	assert.Equal(t, "127.0.0.1:2323", nth("127.0.0.1:2323", 7))
}

func TestParseUintTakesEightDigitsAtATime(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		rest string
	}{
		{"0", 0, ""},
		{"7 x", 7, "x"},
		{"12345678", 12345678, ""},
		{"123456789 9", 123456789, "9"},
		{"1764633600123456789", 1764633600123456789, ""},
		{"18446744073709551615", 18446744073709551615, ""},
		{"00000000", 0, ""},
		{"9999999999999999 L", 9999999999999999, "L"},
		{"12345678x", 12345678, "x"}, // eight digits, then not
		{"1234567/", 1234567, "/"},   // '/' is just below '0'
		{"12:45678", 12, ":45678"},   // ':' just above '9'
		{"", 0, ""},
	} {
		got, rest := parseUint([]byte(c.in))
		assert.Equal(t, c.want, got, "%q", c.in)
		assert.Equal(t, c.rest, string(rest), "%q", c.in)
	}
}
