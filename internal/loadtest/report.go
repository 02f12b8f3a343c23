package loadtest

import (
	"fmt"
	"io"
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
			if b.Target == target && b.Scenario == r.Scenario && b.Members == r.Members && b.Senders == r.Senders && b.layout().plain() {
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
			if b.layout().plain() && b.Scenario == r.Scenario && b.Target == r.Target && b.Store == r.Store &&
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
		fmt.Fprintln(w, "| scenario | server | store | clients | members | senders | msgs/s | deliveries/s | × baseline | × gorilla | p50 | p99 | max | loss | dropped | server CPU | tool CPU | other CPU | server CPU/delivery | deliveries/write |")
		fmt.Fprintln(w, "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, r := range sending {
			vsGorilla := "—"
			if r.Transport == WebSocket.String() {
				vsGorilla = ratio("gorilla", r)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s |\n",
				r.Scenario, r.Target, store(r.Store), r.Transport, r.Members, r.Senders,
				si(float64(r.Sent)/r.Elapsed.Seconds()), si(r.DeliveriesPerSec()), ratio("baseline", r), vsGorilla,
				dur(r.P50), dur(r.P99), dur(r.Max), r.Lost, r.Dropped,
				pct(r.ServerCPU, r.Elapsed), pct(r.ToolCPU, r.Elapsed), pct(r.OtherCPU, r.Elapsed), perDelivery(r.ServerCPU, r.Deliveries), perWrite(r.Deliveries, r.ServerWrites))
		}
		fmt.Fprintln(w)
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
