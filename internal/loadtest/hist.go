package loadtest

import (
	"math/bits"
	"time"
)

// hist is a log-linear latency histogram in nanoseconds: each power of two is
// split into histSub linear buckets, so a percentile is off by at most
// 1/histSub (about 6 %). It is not safe for concurrent use: each receiver has
// its own and they are merged at the end.
type hist struct {
	counts [64 * histSub]uint64
	n      uint64
	max    int64
}

const (
	histSubBits = 4
	histSub     = 1 << histSubBits
)

func histBucket(v int64) int {
	if v < histSub {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	e := bits.Len64(uint64(v)) - 1 - histSubBits // ≥ 0
	m := int(uint64(v)>>uint(e)) & (histSub - 1)
	return (e+1)*histSub + m
}

// histValue is the upper bound of bucket i.
func histValue(i int) int64 {
	if i < histSub {
		return int64(i)
	}
	e := i/histSub - 1
	m := int64(i % histSub)
	return ((histSub + m + 1) << uint(e)) - 1
}

func (h *hist) record(d int64) {
	h.counts[histBucket(d)]++
	h.n++
	if d > h.max {
		h.max = d
	}
}

func (h *hist) merge(o *hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the latency below which a fraction q of samples fall.
func (h *hist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	want := uint64(q * float64(h.n))
	if want >= h.n {
		want = h.n - 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen > want {
			return time.Duration(min(histValue(i), h.max))
		}
	}
	return time.Duration(h.max)
}
