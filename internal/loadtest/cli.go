package loadtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/anseo/anseo/internal/loadtest/baseline"
	"github.com/anseo/anseo/internal/loadtest/wschat"
)

// Main is the anseo-bench command: args are what follows the program's name.
//
//	anseo-bench [flags]                   one scenario against a running server
//	anseo-bench suite [flags]             start servers, run the standard scenarios, print the tables
//	anseo-bench baseline-server -addr A   run the bare broadcaster (the yardstick)
//	anseo-bench gorilla-server -addr A    run a gorilla/websocket chat (the WebSocket yardstick)
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "suite":
			return suiteMain(ctx, args[1:], stdout, stderr)
		case "baseline-server":
			return baselineMain(ctx, args[1:], stderr)
		case "gorilla-server":
			return gorillaMain(ctx, args[1:], stderr)
		}
	}
	fs := flag.NewFlagSet("anseo-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: anseo-bench [flags]                  run one scenario against a running server\n"+
			"       anseo-bench suite [flags]            start servers pinned to a core, run the standard scenarios\n"+
			"       anseo-bench baseline-server -addr A  run the bare TCP broadcaster used as the yardstick\n"+
			"       anseo-bench gorilla-server -addr A   run a gorilla/websocket chat, the WebSocket yardstick\n\n"+
			"Start the server with flood control and connection caps out of the way, e.g.\n"+
			"  anseo -flood-rate inf -max-conns 100000 -max-conns-per-ip 100000\n\n")
		fs.PrintDefaults()
	}
	var cfg Config
	fs.StringVar(&cfg.Scenario, "scenario", Saturate, "`name`: fanout, saturate or idle")
	fs.StringVar(&cfg.Target, "target", "anseo", "`label` of the server in the table")
	fs.StringVar(&cfg.Store, "store", "", "`label` of the server's history store in the table, e.g. memory or file")
	fs.StringVar(&cfg.TelnetAddr, "telnet-addr", "127.0.0.1:2323", "the server's line port, `host:port`; a comma-separated list spreads clients over several (a cluster's nodes)")
	fs.StringVar(&cfg.HTTPURL, "http-url", "http://127.0.0.1:8080", "the server's web `URL`; a comma-separated list spreads clients over several")
	fs.IntVar(&cfg.Telnet, "telnet", 0, "telnet `clients`")
	fs.IntVar(&cfg.Web, "ws", 0, "WebSocket `clients`")
	fs.IntVar(&cfg.Senders, "senders", 10, "sending `clients` (the first ones)")
	fs.Float64Var(&cfg.Rate, "rate", 100, "fanout: `messages` per second, all senders together")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long to send (idle: how long to hold the connections; memory is read once it settles and again at the end)")
	fs.IntVar(&cfg.Window, "window", 64, "`messages` each sender may have in flight; senders × window must stay under the server's -queue-len")
	fs.IntVar(&cfg.Size, "size", 0, "pad message texts to `bytes`")
	fs.IntVar(&cfg.JoinBatch, "join-batch", 250, "`clients` joining at once in the join storm")
	fs.IntVar(&cfg.Rooms, "rooms", 1, "spread the members evenly over `R` rooms (#load-1, …), the senders too; 1: everyone stays in #lobby")
	fs.IntVar(&cfg.MemberRooms, "member-rooms", 0, "`K` more rooms each member joins, where nobody speaks (WebSocket clients only; the server must allow 1+K rooms per user)")
	fs.IntVar(&cfg.PID, "pid", 0, "the server's `pid` for CPU and memory (default: whoever listens on the port)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if cfg.Telnet+cfg.Web == 0 {
		cfg.Telnet = 1000
	}
	if lim, err := RaiseFileLimit(); err == nil && uint64(cfg.Telnet+cfg.Web+64) > lim {
		return fmt.Errorf("%d clients need more file descriptors than the limit of %d", cfg.Telnet+cfg.Web, lim)
	}
	cfg.Progress = stderr
	res, err := Run(ctx, cfg)
	WriteTables(stdout, []Result{res})
	return err
}

// yardstickMain is the command cmd: it runs one of the servers anseo is
// measured beside, called what, on -addr (default addr) until ctx ends.
// flags adds the server's own flags and returns what serves the listener
// once they are parsed.
func yardstickMain(ctx context.Context, args []string, stderr io.Writer, cmd, what, addr string,
	flags func(*flag.FlagSet) func(context.Context, net.Listener) error) error {
	fs := flag.NewFlagSet("anseo-bench "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("addr", addr, "`address` to listen on")
	serve := flags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, what, "listening on", ln.Addr())
	return serve(ctx, ln)
}

func baselineMain(ctx context.Context, args []string, stderr io.Writer) error {
	return yardstickMain(ctx, args, stderr, "baseline-server", "baseline broadcaster", "127.0.0.1:2424", func(fs *flag.FlagSet) func(context.Context, net.Listener) error {
		queue := fs.Int("queue-len", baseline.QueueLen, "`lines` a member may fall behind before it is cut off")
		return func(ctx context.Context, ln net.Listener) error { return baseline.New(*queue).Serve(ctx, ln) }
	})
}

func gorillaMain(ctx context.Context, args []string, stderr io.Writer) error {
	return yardstickMain(ctx, args, stderr, "gorilla-server", "gorilla/websocket chat", "127.0.0.1:8080", func(*flag.FlagSet) func(context.Context, net.Listener) error {
		return wschat.New().Serve
	})
}

// splitInts parses "100,1000,10000".
func splitInts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		var n int
		if _, err := fmt.Sscan(f, &n); err != nil || n < 0 {
			return nil, fmt.Errorf("bad number %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}
