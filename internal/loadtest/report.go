package loadtest

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WriteTables prints results as Markdown tables: sending runs (fanout,
// saturate) beside the baseline run of the same scenario and size (and
// WebSocket runs beside the gorilla/websocket chat's), runs in rooms beside
// the one room of the same size, the join storms, and idle memory. CPU is
// in percent of one core over the measured interval. The store column is
// the anseo server's history store (memory or file); "—" for the baseline,
// which keeps none.
func WriteTables(w io.Writer, results []Result) {
	find := func(target string, r Result) *Result {
		for i := range results {
			b := &results[i]
			if b.Target == target && b.Scenario == r.Scenario && b.Round == r.Round && b.Members == r.Members && b.Senders == r.Senders && b.layout().plain() {
				return b
			}
		}
		return nil
	}
	ratio := func(target string, r Result) string {
		if b := find(target, r); b != nil && b.DeliveriesPerSec() > 0 && r.Target != target && r.Target != "baseline" {
			return fmt.Sprintf("%.2f", r.DeliveriesPerSec()/b.DeliveriesPerSec())
		}
		return "—"
	}
	// oneRoom is the run r's layout is measured against: the same server
	// and load with everyone in one room.
	oneRoom := func(r Result) *Result {
		for i := range results {
			b := &results[i]
			if b.layout().plain() && b.Scenario == r.Scenario && b.Round == r.Round && b.Target == r.Target && b.Store == r.Store &&
				b.Transport == r.Transport && b.Members == r.Members {
				return b
			}
		}
		return nil
	}
	reference := map[*Result]bool{}
	for _, r := range results {
		if b := oneRoom(r); b != nil && !r.layout().plain() && r.Scenario != Idle {
			reference[b] = true
		}
	}
	var sending, rooms, idle []Result
	for i, r := range results {
		switch {
		case r.Scenario == Idle:
			idle = append(idle, r)
		case r.layout().plain():
			sending = append(sending, r)
			if reference[&results[i]] {
				rooms = append(rooms, r)
			}
		default:
			rooms = append(rooms, r)
		}
	}
	if len(sending) > 0 {
		fmt.Fprintln(w, "| scenario | server | store | clients | members | senders | msgs/s | deliveries/s | × baseline | × gorilla | p50 | p99 | max | loss | dropped | server CPU | tool CPU | other CPU | server CPU/delivery | deliveries/write | round |")
		fmt.Fprintln(w, "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, r := range sending {
			vsGorilla := "—"
			if r.Transport == WebSocket.String() {
				vsGorilla = ratio("gorilla", r)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %s |\n",
				r.Scenario, r.Target, store(r.Store), r.Transport, r.Members, r.Senders,
				si(float64(r.Sent)/r.Elapsed.Seconds()), si(r.DeliveriesPerSec()), ratio("baseline", r), vsGorilla,
				dur(r.P50), dur(r.P99), dur(r.Max), r.Lost, r.Dropped,
				pct(r.ServerCPU, r.Elapsed), pct(r.ToolCPU, r.Elapsed), pct(r.OtherCPU, r.Elapsed), perDelivery(r.ServerCPU, r.Deliveries), perWrite(r.Deliveries, r.ServerWrites), round(r.Round))
		}
		fmt.Fprintln(w)
		writeMedians(w, sending)
	}
	if len(rooms) > 0 {
		fmt.Fprintln(w, "| scenario | rooms × members + quiet rooms each | server | store | clients | members | senders | msgs/s | deliveries/s | p50 | p99 | max | loss | wrong room | dropped | server CPU | tool CPU | other CPU | server CPU/msg | server CPU/delivery | × one room | deliveries/write |")
		fmt.Fprintln(w, "|---|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, r := range rooms {
			vsOne := "—"
			if b := oneRoom(r); b != nil && !r.layout().plain() && b.ServerCPU > 0 && b.Deliveries > 0 && r.ServerCPU >= 0 && r.Deliveries > 0 {
				vsOne = fmt.Sprintf("%.2f", (r.ServerCPU.Seconds()/float64(r.Deliveries))/(b.ServerCPU.Seconds()/float64(b.Deliveries)))
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s |\n",
				r.Scenario, r.layout(), r.Target, store(r.Store), r.Transport, r.Members, r.Senders,
				si(float64(r.Sent)/r.Elapsed.Seconds()), si(r.DeliveriesPerSec()),
				dur(r.P50), dur(r.P99), dur(r.Max), r.Lost, r.Strays, r.Dropped,
				pct(r.ServerCPU, r.Elapsed), pct(r.ToolCPU, r.Elapsed), pct(r.OtherCPU, r.Elapsed),
				perMessage(r.ServerCPU, r.Sent), perDelivery(r.ServerCPU, r.Deliveries), vsOne, perWrite(r.Deliveries, r.ServerWrites))
		}
		fmt.Fprintln(w)
	}
	if len(results) > 0 {
		fmt.Fprintln(w, "| join storm | server | store | clients | members | join notices | time | notices/s | server CPU | tool CPU | other CPU | server CPU/notice |")
		fmt.Fprintln(w, "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, r := range results {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %s |\n",
				r.label(), r.Target, store(r.Store), r.Transport, r.Members, r.JoinDeliveries, dur(r.JoinTime),
				si(float64(r.JoinDeliveries)/r.JoinTime.Seconds()),
				pct(r.JoinServerCPU, r.JoinTime), pct(r.JoinToolCPU, r.JoinTime), pct(r.JoinOtherCPU, r.JoinTime), perDelivery(r.JoinServerCPU, r.JoinDeliveries))
		}
		fmt.Fprintln(w)
	}
	if len(idle) > 0 {
		fmt.Fprintln(w, "| idle | server | store | clients | connections | RSS before | RSS settled | KiB/conn settled | held | RSS held | KiB/conn held | at 100,000 |")
		fmt.Fprintln(w, "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, r := range idle {
			held, rssHeld, kibHeld, at100k := "—", "—", "—", "—"
			kib := r.KiBPerConn()
			if r.RSSHeld > 0 {
				held, rssHeld = dur(r.Held.Round(time.Second)), mib(r.RSSHeld)
				kibHeld = fmt.Sprintf("%.1f", r.KiBPerConnHeld())
				at100k = mib(r.RSSBefore + int64(r.KiBPerConnHeld()*1024*100_000))
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %d | %s | %s | %.1f | %s | %s | %s | %s |\n", r.label(), r.Target, store(r.Store), r.Transport, r.Members,
				mib(r.RSSBefore), mib(r.RSSAfter), kib, held, rssHeld, kibHeld, at100k)
		}
		fmt.Fprintln(w)
	}
	for _, r := range results {
		if len(r.DropNotes) > 0 {
			fmt.Fprintf(w, "dropped in %s %s %s %d: %s\n", r.label(), r.server(), r.Transport, r.Members, strings.Join(r.DropNotes, "; "))
		}
	}
}

// layout is r's rooms.
func (r Result) layout() layout {
	return layout{rooms: max(r.Rooms, 1), quiet: r.MemberRooms, n: r.Members}
}

// label names r's scenario, with its rooms if it had any: "fanout",
// "fanout 10 × 100".
func (r Result) label() string {
	if r.layout().plain() {
		return r.Scenario
	}
	return r.Scenario + " " + r.layout().String()
}

// server names r's server in running text: "anseo", "anseo+file".
func (r Result) server() string {
	if r.Store == "" {
		return r.Target
	}
	return r.Target + "+" + r.Store
}

// store is a table cell for a history store: "—" for none or unknown.
func store(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

func pct(cpu, wall time.Duration) string {
	if cpu < 0 || wall <= 0 {
		return "?"
	}
	return fmt.Sprintf("%.0f%%", 100*cpu.Seconds()/wall.Seconds())
}

func perDelivery(cpu time.Duration, n uint64) string {
	if cpu < 0 || n == 0 {
		return "?"
	}
	return fmt.Sprintf("%.2fµs", cpu.Seconds()*1e6/float64(n))
}

func perMessage(cpu time.Duration, n uint64) string {
	if cpu < 0 || n == 0 {
		return "?"
	}
	return dur(cpu / time.Duration(n))
}

func mib(b int64) string {
	if b <= 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

func perWrite(deliveries, writes uint64) string {
	if writes == 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f", float64(deliveries)/float64(writes))
}

// round is a table cell for Result.Round: "—" outside rounds.
func round(n int) string {
	if n == 0 {
		return "—"
	}
	return strconv.Itoa(n)
}

// writeMedians prints, when the sending runs came in several rounds, each
// server's median over them of deliveries/s, p99 and server CPU per
// delivery, with the ratios of the medians: what one run's moment of
// competing load cannot sway.
func writeMedians(w io.Writer, sending []Result) {
	type key struct {
		scenario, target, store, transport string
		members                            int
	}
	var order []key
	runs := map[key][]Result{}
	rounds := 0
	for _, r := range sending {
		if r.Round == 0 {
			continue
		}
		rounds = max(rounds, r.Round)
		k := key{r.Scenario, r.Target, r.Store, r.Transport, r.Members}
		if runs[k] == nil {
			order = append(order, k)
		}
		runs[k] = append(runs[k], r)
	}
	if rounds < 2 {
		return
	}
	type medians struct {
		perSec   float64
		p99      time.Duration
		perDeliv float64 // µs
	}
	med := map[key]medians{}
	for _, k := range order {
		var perSec, perDeliv []float64
		var p99 []time.Duration
		for _, r := range runs[k] {
			perSec = append(perSec, r.DeliveriesPerSec())
			p99 = append(p99, r.P99)
			if r.ServerCPU > 0 && r.Deliveries > 0 {
				perDeliv = append(perDeliv, float64(r.ServerCPU.Microseconds())/float64(r.Deliveries))
			}
		}
		med[k] = medians{median(perSec), median(p99), median(perDeliv)}
	}
	vs := func(target string, k key, of func(medians) float64) string {
		var b medians
		ok := false
		for bk, m := range med { // a yardstick runs once per round: one key
			if bk.scenario == k.scenario && bk.target == target && bk.members == k.members {
				b, ok = m, true
			}
		}
		if !ok || k.target == target || k.target == "baseline" || of(b) == 0 {
			return "—"
		}
		return fmt.Sprintf("%.2f", of(med[k])/of(b))
	}
	perSec := func(m medians) float64 { return m.perSec }
	fmt.Fprintf(w, "Medians of %d rounds:\n\n", rounds)
	fmt.Fprintln(w, "| scenario | server | store | clients | members | runs | deliveries/s | × baseline | × gorilla | p99 | p99 × gorilla | server CPU/delivery | × gorilla |")
	fmt.Fprintln(w, "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, k := range order {
		m := med[k]
		vsGorilla, p99VsGorilla, cpuVsGorilla := "—", "—", "—"
		if k.transport == WebSocket.String() {
			vsGorilla = vs("gorilla", k, perSec)
			p99VsGorilla = vs("gorilla", k, func(m medians) float64 { return float64(m.p99) })
			cpuVsGorilla = vs("gorilla", k, func(m medians) float64 { return m.perDeliv })
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %.2fµs | %s |\n",
			k.scenario, k.target, store(k.store), k.transport, k.members, len(runs[k]),
			si(m.perSec), vs("baseline", k, perSec), vsGorilla, dur(m.p99), p99VsGorilla, m.perDeliv, cpuVsGorilla)
	}
	fmt.Fprintln(w)
}

// median is the middle of xs (the mean of the middle two of an even
// number); zero for none.
func median[T float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}
