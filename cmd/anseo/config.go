package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/anseo/anseo/internal/cluster"
	"github.com/anseo/anseo/internal/connlimit"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/telnet"
	"github.com/anseo/anseo/internal/web"
)

// config is every setting of the server. Each is a flag whose default comes
// from an ANSEO_* environment variable: flag beats environment beats the
// built-in default. docs/limits.md explains the limits.
type config struct {
	telnetAddr      string
	terminalAddr    string
	httpAddr        string
	logFormat       string
	logLevel        slog.Level
	shutdownTimeout time.Duration

	maxMessageBytes int
	maxMessageLines int
	queueLen        int
	flood           hub.Flood
	nameTimeout     time.Duration
	writeTimeout    time.Duration
	maxConnsPerIP   int
	maxConns        int
	maxHTTPPerIP    int
	readTimeout     time.Duration
	keepAlive       time.Duration
	pingInterval    time.Duration
	allowedOrigins  []string
	trustedProxies  []netip.Prefix
	metricsAddr     string
	pprof           bool
	tlsCert         string
	tlsKey          string

	maxRooms        int
	maxRoomsPerUser int

	operators        []string
	roomsNeedAccount bool

	db         string
	historyLen int
	grace      time.Duration
	leaveGrace time.Duration
	retention  hub.Retention

	natsURL  string
	nodeName string
	nameTTL  time.Duration
}

// flagSet defines flags with environment fallbacks and remembers the first
// environment value it could not parse, so that parseConfig can name it.
type flagSet struct {
	*flag.FlagSet
	getenv func(string) string
	envErr error
}

func (fs *flagSet) env(key string) (string, bool) {
	v := fs.getenv(key)
	return v, v != ""
}

func (fs *flagSet) bad(key, v string, err error) {
	if fs.envErr == nil {
		fs.envErr = fmt.Errorf("%s=%q: %w", key, v, err)
	}
}

func (fs *flagSet) stringVar(p *string, name, key, def, usage string) {
	if v, ok := fs.env(key); ok {
		def = v
	}
	fs.StringVar(p, name, def, usage+" ["+key+"]")
}

func (fs *flagSet) boolVar(p *bool, name, key string, def bool, usage string) {
	if v, ok := fs.env(key); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fs.bad(key, v, err)
		} else {
			def = b
		}
	}
	fs.BoolVar(p, name, def, usage+" ["+key+"]")
}

func (fs *flagSet) intVar(p *int, name, key string, def int, usage string) {
	if v, ok := fs.env(key); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			fs.bad(key, v, err)
		} else {
			def = n
		}
	}
	fs.IntVar(p, name, def, usage+" ["+key+"]")
}

func (fs *flagSet) floatVar(p *float64, name, key string, def float64, usage string) {
	if v, ok := fs.env(key); ok {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			fs.bad(key, v, err)
		} else {
			def = n
		}
	}
	fs.Float64Var(p, name, def, usage+" ["+key+"]")
}

func (fs *flagSet) durationVar(p *time.Duration, name, key string, def time.Duration, usage string) {
	if v, ok := fs.env(key); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			fs.bad(key, v, err)
		} else {
			def = d
		}
	}
	fs.DurationVar(p, name, def, usage+" ["+key+"]")
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var cfg config
	fs := &flagSet{FlagSet: flag.NewFlagSet(args[0], flag.ContinueOnError), getenv: getenv}
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: anseo [flags]           run the server\n"+
			"       anseo healthcheck [flags]  probe a running server's /healthz (exit 0 if healthy)\n"+
			"       anseo admin op|deop NAME   make a registered name a server operator, or not (anseo admin -h)\n"+
			"       anseo version              print the version\n\n"+
			"Every flag can also be set with the environment variable named in brackets;\n"+
			"a flag given on the command line wins. docs/limits.md explains the limits.\n\n")
		fs.PrintDefaults()
	}
	var level string
	fs.stringVar(&cfg.telnetAddr, "telnet-addr", "ANSEO_TELNET_ADDR", ":2323", "`address` of the telnet line port")
	fs.stringVar(&cfg.terminalAddr, "terminal-addr", "ANSEO_TERMINAL_ADDR", ":2424", "`address` of the terminal port: the line port with a line editor for telnet clients that take one (empty: none)")
	fs.stringVar(&cfg.httpAddr, "http-addr", "ANSEO_HTTP_ADDR", ":8080", "`address` of the web server")
	fs.stringVar(&cfg.logFormat, "log-format", "ANSEO_LOG_FORMAT", "text", "log `format`: text or json")
	fs.stringVar(&level, "log-level", "ANSEO_LOG_LEVEL", "info", "log `level`: debug, info, warn or error")
	fs.durationVar(&cfg.shutdownTimeout, "shutdown-timeout", "ANSEO_SHUTDOWN_TIMEOUT", 5*time.Second, "how long connections may drain on shutdown before they are closed")

	fs.intVar(&cfg.maxMessageBytes, "max-message-bytes", "ANSEO_MAX_MESSAGE_BYTES", hub.DefaultMaxTextBytes, "longest message (and telnet line), in `bytes`")
	fs.intVar(&cfg.maxMessageLines, "max-message-lines", "ANSEO_MAX_MESSAGE_LINES", hub.DefaultMaxTextLines, "most `lines` in one message (a paste from the web; a telnet line is always one)")
	fs.intVar(&cfg.queueLen, "queue-len", "ANSEO_QUEUE_LEN", hub.DefaultQueueLen, "`events` a member may fall behind before it is cut off as too slow")
	fs.floatVar(&cfg.flood.Rate, "flood-rate", "ANSEO_FLOOD_RATE", hub.DefaultFloodRate, "sustained messages per `second` per user; beyond the burst, faster ones are slowed")
	fs.intVar(&cfg.flood.Burst, "flood-burst", "ANSEO_FLOOD_BURST", hub.DefaultFloodBurst, "`messages` a user may send at once after a pause")
	fs.intVar(&cfg.flood.MaxDelayed, "flood-max-delayed", "ANSEO_FLOOD_MAX_DELAYED", hub.DefaultFloodMaxDelayed, "slowed `messages` in a row after which a flood is refused until the user pauses")
	fs.durationVar(&cfg.nameTimeout, "name-timeout", "ANSEO_NAME_TIMEOUT", telnet.DefaultNameTimeout, "how long a telnet connection may take to give a name")
	fs.durationVar(&cfg.writeTimeout, "write-timeout", "ANSEO_WRITE_TIMEOUT", web.DefaultWriteTimeout, "how long a client may take to accept a write before it is cut off")
	fs.intVar(&cfg.maxConnsPerIP, "max-conns-per-ip", "ANSEO_MAX_CONNS_PER_IP", connlimit.DefaultPerIP, "open `connections` per client address (IPv6: per /64), web and telnet together")
	fs.intVar(&cfg.maxConns, "max-conns", "ANSEO_MAX_CONNS", connlimit.DefaultTotal, "open `connections` in all, web and telnet together")
	fs.intVar(&cfg.maxHTTPPerIP, "max-http-conns-per-ip", "ANSEO_MAX_HTTP_CONNS_PER_IP", defaultMaxHTTPPerIP, "open HTTP `connections` per client address (IPv6: per /64), pages and WebSockets, counted from the moment they open; trusted proxies are not counted")
	fs.durationVar(&cfg.keepAlive, "keepalive", "ANSEO_KEEPALIVE", keepAliveIdle, "how long a quiet connection waits before TCP keepalive probes begin (each one from it to half again as long); a peer that answers none of 4, a quarter of this apart, is gone")
	fs.durationVar(&cfg.pingInterval, "ping-interval", "ANSEO_PING_INTERVAL", web.DefaultPingInterval, "how often a browser's connection is pinged; a browser that does not answer within -write-timeout is gone")
	fs.intVar(&cfg.maxRooms, "max-rooms", "ANSEO_MAX_ROOMS", hub.DefaultMaxRooms, "`rooms` on the server; joining a new one beyond them is refused (an empty room is kept, with its history)")
	fs.intVar(&cfg.maxRoomsPerUser, "max-rooms-per-user", "ANSEO_MAX_ROOMS_PER_USER", hub.DefaultMaxRoomsPerPerson, "`rooms` one user may be in at once")
	fs.durationVar(&cfg.readTimeout, "read-timeout", "ANSEO_READ_TIMEOUT", defaultReadTimeout, "how long a browser may take to send a whole HTTP request, headers and body")

	var operators string
	fs.stringVar(&operators, "operators", "ANSEO_OPERATORS", "", "comma-separated registered `names` that are server operators, besides those made so with anseo admin op (docs/moderation.md)")
	fs.boolVar(&cfg.roomsNeedAccount, "rooms-need-account", "ANSEO_ROOMS_NEED_ACCOUNT", false, "only people logged in to a registered name may make a new room")

	var origins string
	fs.stringVar(&origins, "allowed-origins", "ANSEO_ALLOWED_ORIGINS", "", "comma-separated `origins` (https://host[:port]) besides anseo's own whose pages may use the chat")

	fs.stringVar(&cfg.db, "db", "ANSEO_DB", "", "SQLite `file` that keeps the history across restarts; :memory: keeps it in memory only (default ./anseo.db; in a cluster, :memory:, as the cluster keeps the history)")
	fs.intVar(&cfg.historyLen, "history", "ANSEO_HISTORY", hub.DefaultHistoryLen, "recent `messages` a newcomer is shown")
	fs.intVar(&cfg.retention.Keep, "history-keep", "ANSEO_HISTORY_KEEP", hub.DefaultRetentionKeep, "`entries` (messages, joins, parts, topics) the history keeps at most in each room, and of what is about no room (private messages, renames, departures); 0: no limit")
	fs.durationVar(&cfg.retention.MaxAge, "history-max-age", "ANSEO_HISTORY_MAX_AGE", 0, "how long the history keeps a message; 0: no limit")
	fs.durationVar(&cfg.leaveGrace, "leave-grace", "ANSEO_LEAVE_GRACE", hub.DefaultLeaveGrace, "how long a web user whose page said it was closing keeps their name: a reload within it resumes unnoticed, a closed tab is seen to leave after it (at most -grace)")
	fs.durationVar(&cfg.grace, "grace", "ANSEO_GRACE", hub.DefaultGrace, "how long a dropped user keeps their name: a reloaded page resumes unnoticed, a telnet user may reclaim it")

	var proxies string
	fs.stringVar(&proxies, "trusted-proxies", "ANSEO_TRUSTED_PROXIES", "", "comma-separated `networks` (CIDR) of reverse proxies whose X-Forwarded-For names the client and whose X-Forwarded-Proto: https makes the cookie Secure")
	fs.stringVar(&cfg.metricsAddr, "metrics-addr", "ANSEO_METRICS_ADDR", "", "`address` for /metrics on its own listener; empty: /metrics on the web server")
	fs.boolVar(&cfg.pprof, "pprof", "ANSEO_PPROF", false, "serve Go's profiles (net/http/pprof) under /debug/pprof/ on the -metrics-addr listener, which must then be given; never expose it publicly")
	fs.stringVar(&cfg.tlsCert, "tls-cert", "ANSEO_TLS_CERT", "", "TLS certificate `file` (PEM); with -tls-key, the web server speaks HTTPS")
	fs.stringVar(&cfg.tlsKey, "tls-key", "ANSEO_TLS_KEY", "", "TLS private key `file` (PEM)")

	fs.stringVar(&cfg.natsURL, "nats-url", "ANSEO_NATS_URL", "", "NATS server `URL` (with JetStream) that joins this node to a cluster of anseo nodes; empty: a single node (docs/scaling.md)")
	fs.stringVar(&cfg.nodeName, "node-name", "ANSEO_NODE_NAME", "", "this node's `name` in a cluster, for logs; default the host name")
	fs.durationVar(&cfg.nameTTL, "name-ttl", "ANSEO_NAME_TTL", cluster.DefaultNameTTL, "in a cluster: how long the names of a node that died stay taken")

	if err := fs.Parse(args[1:]); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 { // a mistyped command must not start a server
		return cfg, fmt.Errorf("unexpected argument %q: the commands are healthcheck, admin and version (the load tool is anseo-bench)", fs.Arg(0))
	}
	if fs.envErr != nil {
		return cfg, fs.envErr
	}
	for o := range strings.SplitSeq(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.allowedOrigins = append(cfg.allowedOrigins, o)
		}
	}
	for name := range strings.SplitSeq(operators, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		display, err := hub.CheckName(name)
		if err != nil {
			return cfg, fmt.Errorf("-operators: %q: %w", name, err)
		}
		cfg.operators = append(cfg.operators, display)
	}
	for p := range strings.SplitSeq(proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			if addr, aerr := netip.ParseAddr(p); aerr == nil { // a single address
				prefix, err = addr.Prefix(addr.BitLen())
			}
		}
		if err != nil {
			return cfg, fmt.Errorf("-trusted-proxies: %w", err)
		}
		cfg.trustedProxies = append(cfg.trustedProxies, prefix.Masked())
	}
	if err := cfg.logLevel.UnmarshalText([]byte(level)); err != nil {
		return cfg, fmt.Errorf("-log-level: %w", err)
	}
	if cfg.db == "" {
		// A node of a cluster reads the history from the cluster when it
		// starts, so it needs no file of its own, and two nodes started in
		// one directory do not contend for one.
		cfg.db = "./anseo.db"
		if cfg.natsURL != "" {
			cfg.db = history.Memory
		}
	}
	return cfg, cfg.validate()
}

// validate names the flag of the first setting that makes no sense.
func (cfg config) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(cfg.logFormat == "text" || cfg.logFormat == "json", "-log-format: %q is neither text nor json", cfg.logFormat)
	check(cfg.shutdownTimeout > 0, "-shutdown-timeout: must be positive")
	check(cfg.maxMessageBytes >= 64, "-max-message-bytes: must be at least 64")
	check(cfg.maxMessageLines >= 1, "-max-message-lines: must be at least 1")
	check(cfg.queueLen >= 16, "-queue-len: must be at least 16")
	check(cfg.flood.Rate > 0, "-flood-rate: must be positive")
	check(cfg.flood.Burst >= 1, "-flood-burst: must be at least 1")
	check(cfg.flood.MaxDelayed >= 1, "-flood-max-delayed: must be at least 1")
	check(cfg.nameTimeout > 0, "-name-timeout: must be positive")
	check(cfg.writeTimeout > 0, "-write-timeout: must be positive")
	check(cfg.maxConnsPerIP >= 1, "-max-conns-per-ip: must be at least 1")
	check(cfg.maxHTTPPerIP >= 1, "-max-http-conns-per-ip: must be at least 1")
	check(cfg.readTimeout > 0, "-read-timeout: must be positive")
	check(cfg.keepAlive >= time.Second, "-keepalive: must be at least 1s")
	check(cfg.pingInterval > 0, "-ping-interval: must be positive")
	check(cfg.maxConns >= 1, "-max-conns: must be at least 1")
	check(cfg.maxRooms >= 1, "-max-rooms: must be at least 1")
	check(cfg.maxRoomsPerUser >= 1, "-max-rooms-per-user: must be at least 1")
	check(cfg.historyLen >= 1, "-history: must be at least 1")
	check(cfg.retention.Keep >= 0, "-history-keep: must not be negative")
	check(cfg.retention.MaxAge >= 0, "-history-max-age: must not be negative")
	check(cfg.grace >= 0, "-grace: must not be negative")
	check(cfg.leaveGrace > 0, "-leave-grace: must be positive")
	check(cfg.nameTTL >= time.Second, "-name-ttl: must be at least 1s")
	check((cfg.tlsCert == "") == (cfg.tlsKey == ""), "-tls-cert and -tls-key: give both or neither")
	// The profiles show the program's memory and cost CPU to take: they go
	// on the operators' listener or nowhere, never on the public web port.
	check(!cfg.pprof || cfg.metricsAddr != "", "-pprof needs -metrics-addr: the profiles are served only on the metrics listener, never on the web port")
	for _, o := range cfg.allowedOrigins {
		if err := web.ValidateOrigin(o); err != nil {
			errs = append(errs, fmt.Errorf("-allowed-origins: %w", err))
		}
	}
	return errors.Join(errs...)
}

// hubRetention is the hub's form of the retention settings, where 0 would
// mean the default rather than no limit.
func (cfg config) hubRetention() hub.Retention {
	r := cfg.retention
	if r.Keep == 0 {
		r.Keep = -1
	}
	return r
}

// hubGrace is the hub's form of -grace, where 0 would mean the default.
func (cfg config) hubGrace() time.Duration {
	if cfg.grace == 0 {
		return -1
	}
	return cfg.grace
}

// defaultMaxHTTPPerIP allows a browser's few page connections and a
// WebSocket for each of many tabs, for a household behind one address, and
// keeps one address from holding the web port with idle or slow requests.
const defaultMaxHTTPPerIP = 64

// defaultReadTimeout is how long a request may take to arrive whole: a
// login form is a few bytes, so a client still sending after this long is
// holding the connection, not using it. (A WebSocket's reads are its own
// business once it is upgraded: net/http clears the deadline.)
const defaultReadTimeout = 20 * time.Second
