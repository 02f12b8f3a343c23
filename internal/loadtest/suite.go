package loadtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// suite is `anseo-bench suite`: for each run it starts a fresh server (the
// anseo binary, or the baseline: this program again) pinned to one core,
// drives it from this process, stops it, and prints every result in one set
// of tables at the end. Each anseo transport runs once per history store
// (-stores): memory is `-db :memory:`, file is `-db DIR/anseo.db` in a fresh
// directory under os.TempDir ($TMPDIR), removed once the server has stopped,
// so the cost of a durable log shows beside the same run without it.
//
// No server outlives the suite. When ctx ends (the program was sent SIGINT
// or SIGTERM: cmd/anseo-bench's signal.NotifyContext) the running server is
// sent SIGTERM, killed if it has not stopped within serverStopWait, and no
// further run starts. On Linux a server is also killed by the kernel if
// the suite dies without a chance to clean up (SIGKILL, a crash).
type suite struct {
	exe       string // this program, run again as the baseline server
	anseo     string // the anseo server binary
	serverCPU string // taskset CPU list for servers, "" for no pinning
	stderr    io.Writer
	results   []Result
}

func suiteMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("anseo-bench suite", flag.ContinueOnError)
	fs.SetOutput(stderr)
	members := fs.String("members", "1000", "room `sizes` for saturate and fanout, comma-separated")
	roomList := fs.String("rooms", "1", "`layouts` of the members for saturate and fanout, comma-separated: R spreads them over R rooms "+
		"(senders and the fanout rate × R, so that each member receives what it does in one room), R+K puts each also in K rooms where nobody speaks "+
		"(WebSocket only); 1 is everyone in #lobby, the only layout of baseline and gorilla")
	transports := fs.String("transports", "baseline,gorilla,telnet,ws", "`servers` to run: baseline (telnet clients), gorilla (a gorilla/websocket chat, WebSocket clients), telnet and ws (anseo)")
	storeList := fs.String("stores", "memory,file", "anseo's history `stores`, each transport run with each: memory (-db :memory:), file (-db in a fresh directory under $TMPDIR, removed after)")
	scenarios := fs.String("scenarios", "saturate,fanout,idle", "`scenarios` to run")
	idle := fs.Int("idle", 2000, "idle `connections` per server (memory)")
	senders := fs.Int("senders", 10, "sending `clients`")
	rate := fs.Float64("rate", 100, "fanout `messages` per second in all")
	duration := fs.Duration("duration", 10*time.Second, "sending time per run")
	rounds := fs.Int("rounds", 1, "`rounds` of the sending scenarios, each running every server once in turn; "+
		"with more than one, a table of each server's medians follows, so that a moment of load elsewhere on the machine sways no comparison")
	idleHold := fs.Duration("idle-hold", 150*time.Second, "how long idle connections are held (past the runtime's two-minute periodic collection)")
	window := fs.Int("window", 64, "`messages` in flight per sender")
	cpu := fs.String("server-cpu", "0", "`CPU list` to pin servers to with taskset (\"\" for none)")
	server := fs.String("server", "", "the anseo server `binary` for the telnet and ws runs (default: anseo beside this program, as make bench builds them)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	want := func(list, item string) bool {
		for f := range strings.SplitSeq(list, ",") {
			if strings.TrimSpace(f) == item {
				return true
			}
		}
		return false
	}
	sizes, err := splitInts(*members)
	if err != nil {
		return fmt.Errorf("-members: %w", err)
	}
	stores, err := splitStores(*storeList)
	if err != nil {
		return fmt.Errorf("-stores: %w", err)
	}
	layouts, err := parseLayouts(*roomList)
	if err != nil {
		return fmt.Errorf("-rooms: %w", err)
	}
	for _, n := range sizes {
		for _, l := range layouts {
			if l.rooms > 1 && n/l.rooms < 2 {
				return fmt.Errorf("-rooms: %d members in %d rooms: every room needs at least 2", n, l.rooms)
			}
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	s := &suite{exe: exe, serverCPU: *cpu, stderr: stderr}
	if want(*transports, "telnet") || want(*transports, "ws") {
		if s.anseo, err = serverBinary(*server, exe); err != nil {
			return fmt.Errorf("-server: %w", err)
		}
	}
	lim, err := RaiseFileLimit()
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("taskset"); err != nil && s.serverCPU != "" {
		fmt.Fprintln(stderr, "bench: taskset not found; servers are not pinned")
		s.serverCPU = ""
	}
	fmt.Fprintf(stderr, "bench: file limit %d; servers pinned to CPU %q; this process: %s\n", lim, s.serverCPU, affinity())
	if s.anseo != "" {
		fmt.Fprintln(stderr, "bench: anseo server:", s.anseo)
		if slices.Contains(stores, storeFile) {
			if note := tmpfsNote(os.TempDir()); note != "" {
				fmt.Fprintln(stderr, "bench:", note)
			}
		}
	}

	var errs []error
	do := func(target, transport string, cfg Config) {
		if ctx.Err() != nil {
			return // stopped: start no more servers
		}
		res, err := s.one(ctx, target, transport, cfg)
		if err != nil {
			err = fmt.Errorf("%s %s %s %d: %w", res.label(), res.server(), res.Transport, res.Members, err)
			fmt.Fprintln(stderr, "bench:", err)
			errs = append(errs, err)
		}
		s.results = append(s.results, res)
	}
	// each runs cfg against every server asked for: the baseline once,
	// each anseo transport once per store, the stores side by side. The
	// yardsticks have no rooms, and a telnet user is in one room at a
	// time: they run the layouts they can.
	each := func(cfg Config, n int) {
		l := layout{rooms: max(cfg.Rooms, 1), quiet: cfg.MemberRooms}
		for _, tr := range []string{"baseline", "gorilla", "telnet", "ws"} {
			if !want(*transports, tr) || (tr == "baseline" || tr == "gorilla") && !l.plain() || tr == "telnet" && l.quiet > 0 {
				continue
			}
			switch tr {
			case "baseline":
				do(tr, "telnet", withClients(cfg, "telnet", n))
				continue
			case "gorilla":
				do(tr, "ws", withClients(cfg, "ws", n))
				continue
			}
			for _, st := range stores {
				cfg.Store = st
				do(tr, tr, withClients(cfg, tr, n))
			}
		}
	}
	for round := range max(*rounds, 1) {
		for _, sc := range []string{Saturate, Fanout} {
			if !want(*scenarios, sc) {
				continue
			}
			for _, n := range sizes {
				for _, l := range layouts {
					// A sender in every room, and every room as busy as the
					// one room: each member receives the same messages per
					// second in every layout.
					cfg := Config{Scenario: sc, Senders: max(*senders, l.rooms), Rate: *rate * float64(l.rooms), Duration: *duration, Window: *window,
						Rooms: l.rooms, MemberRooms: l.quiet}
					if *rounds > 1 {
						cfg.Round = round + 1
					}
					each(cfg, n)
				}
			}
		}
	}
	if want(*scenarios, Idle) && *idle > 0 {
		each(Config{Scenario: Idle, Duration: *idleHold}, *idle)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("bench suite: stopped: %w", ctx.Err())
	}
	WriteTables(stdout, s.results)
	return errors.Join(errs...)
}

// The history stores an anseo server can be started with (-stores).
const (
	storeMemory = "memory" // -db :memory:
	storeFile   = "file"   // -db DIR/anseo.db, SQLite in WAL mode as by default
)

// splitStores parses "memory,file"; it refuses an unknown store and an
// empty list, which would leave no anseo run at all.
func splitStores(s string) ([]string, error) {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		switch f = strings.TrimSpace(f); f {
		case "":
		case storeMemory, storeFile:
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		default:
			return nil, fmt.Errorf("unknown store %q (want memory or file)", f)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no store (want memory, file or both)")
	}
	return out, nil
}

func withClients(cfg Config, transport string, n int) Config {
	if transport == "ws" {
		cfg.Web = n
	} else {
		cfg.Telnet = n
	}
	return cfg
}

// one starts a fresh server, runs cfg against it and stops it. An anseo
// server's history is cfg.Store; a file store's directory is removed once
// the server has stopped. Whatever happens, the Result names the run.
func (s *suite) one(ctx context.Context, target, transport string, cfg Config) (res Result, err error) {
	yardstick := target == "baseline" || target == "gorilla"
	if yardstick {
		cfg.Store = "" // keeps no history
	} else {
		target = "anseo"
	}
	res = Result{Scenario: cfg.Scenario, Round: cfg.Round, Target: target, Store: cfg.Store, Transport: transport, Members: cfg.Telnet + cfg.Web,
		Rooms: max(cfg.Rooms, 1), MemberRooms: cfg.MemberRooms}
	telnetAddr, err := freeAddr()
	if err != nil {
		return res, err
	}
	httpAddr, err := freeAddr()
	if err != nil {
		return res, err
	}
	var args []string
	listening := telnetAddr
	switch target {
	case "baseline":
		args = []string{s.exe, "baseline-server", "-addr", telnetAddr}
	case "gorilla":
		args = []string{s.exe, "gorilla-server", "-addr", httpAddr}
		listening = httpAddr
	default:
		// Either way a fresh room each run: no history replayed into the
		// join storm.
		db := ":memory:"
		if cfg.Store == storeFile {
			dir, derr := os.MkdirTemp("", "anseo-bench-")
			if derr != nil {
				return res, fmt.Errorf("file store: %w", derr)
			}
			// Deferred before the server starts, so it runs after the
			// server has stopped.
			defer func() {
				if rerr := os.RemoveAll(dir); rerr != nil {
					err = errors.Join(err, fmt.Errorf("file store: %w", rerr))
				}
			}()
			db = filepath.Join(dir, "anseo.db")
		}
		args = []string{s.anseo, "-telnet-addr", telnetAddr, "-terminal-addr", "", "-http-addr", httpAddr,
			"-flood-rate", "inf", "-max-conns", "1000000", "-max-conns-per-ip", "1000000", "-max-http-conns-per-ip", "1000000",
			"-log-level", "error",
			"-db", db}
		args = append(args, roomLimits(layout{rooms: max(cfg.Rooms, 1), quiet: cfg.MemberRooms, n: res.Members})...)
	}
	if s.serverCPU != "" {
		args = append([]string{"taskset", "-c", s.serverCPU}, args...)
	}
	// Ending sctx stops the server: SIGTERM, then SIGKILL after
	// serverStopWait. That happens when this run is over or when ctx ends.
	sctx, stop := context.WithCancel(ctx)
	cmd := exec.CommandContext(sctx, args[0], args[1:]...)
	cmd.Stderr = s.stderr
	cmd.SysProcAttr = serverProcAttr()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = serverStopWait
	if err := cmd.Start(); err != nil {
		stop()
		return res, err
	}
	defer func() {
		stop()
		_ = cmd.Wait()
	}()
	if err := waitListening(ctx, listening); err != nil {
		return res, err
	}
	if !yardstick {
		if err := waitHealthy(ctx, "http://"+httpAddr); err != nil {
			return res, err
		}
	}
	cfg.Target = target
	cfg.TelnetAddr = telnetAddr
	cfg.HTTPURL = "http://" + httpAddr
	cfg.PID = cmd.Process.Pid // taskset execs the server: same pid
	cfg.Progress = s.stderr
	got, err := Run(ctx, cfg)
	if got.Transport != "" { // Run got as far as naming the run
		res = got
	}
	return res, err
}

// anseo's own limits on rooms (-max-rooms, -max-rooms-per-user): a layout
// that needs more asks for more.
const (
	anseoMaxRooms        = 1000
	anseoMaxRoomsPerUser = 50
)

// roomLimits are the flags that let an anseo server take layout l: none
// when its defaults do, so that a run without rooms starts anseo as it
// always has (and a server from before rooms can still be measured).
func roomLimits(l layout) []string {
	var args []string
	if n := l.totalRooms(); n > anseoMaxRooms {
		args = append(args, "-max-rooms", strconv.Itoa(n))
	}
	if n := 1 + l.quiet; n > anseoMaxRoomsPerUser {
		args = append(args, "-max-rooms-per-user", strconv.Itoa(n))
	}
	return args
}

// serverBinary returns the anseo server to start: path if given, else the
// file named anseo in exe's directory, where make bench builds both.
func serverBinary(path, exe string) (string, error) {
	if path == "" {
		path = filepath.Join(filepath.Dir(exe), "anseo")
	}
	// LookPath on a path with a separator checks only that it is an
	// executable file; a bare name is looked up in PATH.
	found, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("no anseo server binary: %w (make build puts one in bin/; name it with -server)", err)
	}
	return found, nil
}

// serverStopWait is how long a server may take to stop after SIGTERM
// before it is killed: a little over anseo's default -shutdown-timeout
// (5 s), though with the run's clients already gone it stops at once.
const serverStopWait = 6 * time.Second

// freeAddr picks a free loopback port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startWait bounds how long a started server may take to listen.
const startWait = 10 * time.Second

func waitListening(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, startWait)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("server at %s did not start: %w", addr, err)
		}
	}
}

func waitHealthy(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, startWait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("server at %s: %w", base, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("server at %s: healthz %s", base, resp.Status)
	}
	return nil
}

// affinity describes this process's CPU affinity, from /proc.
func affinity() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return "CPUs " + strings.TrimSpace(v)
		}
	}
	return "unknown"
}
