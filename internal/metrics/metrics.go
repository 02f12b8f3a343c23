// Package metrics exports anseo's counters to Prometheus. It implements
// hub.Metrics for the hub and gives each transport a connection gauge; the
// hub and the transports know only those small interfaces, not Prometheus.
package metrics

import (
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/anseo/anseo/internal/hub"
)

// Metrics holds every anseo metric in its own registry. Safe for concurrent
// use.
type Metrics struct {
	reg         *prometheus.Registry
	connections *prometheus.GaugeVec
	joins       *prometheus.CounterVec
	leaves      *prometheus.CounterVec
	messages    *prometheus.CounterVec
	refused     *prometheus.CounterVec
	held        *prometheus.CounterVec
	deliveries  prometheus.Counter
	fanout      prometheus.Histogram
}

// New registers anseo's metrics, the Go runtime's and the process's. The
// hub's queue depth joins them once there is a hub: see WatchHub.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		connections: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "anseo_connections",
			Help: "Open connections, by transport (web sockets and telnet connections, joined or not).",
		}, []string{"transport"}),
		joins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anseo_joins_total",
			Help: "Members who joined the room, by transport.",
		}, []string{"transport"}),
		leaves: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anseo_leaves_total",
			Help: "Members who left the room, by transport and reason (quit, too slow: cut off for not keeping up, shutdown).",
		}, []string{"transport", "reason"}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anseo_messages_total",
			Help: "Messages accepted from members, by transport.",
		}, []string{"transport"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anseo_messages_refused_total",
			Help: "Messages refused, by transport and reason (flood: rate-limited; too long).",
		}, []string{"transport", "reason"}),
		held: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anseo_senders_held_total",
			Help: "Messages held back, by the sender's transport, because a reader that keeps up had fallen behind the room (the server writes slower than the room talks).",
		}, []string{"transport"}),
		deliveries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "anseo_deliveries_total",
			Help: "Events (messages, joins, leaves, notices) queued for a member: one per recipient.",
		}),
		fanout: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "anseo_fanout_seconds",
			Help:    "Time the hub took to offer one event to every member's queue.",
			Buckets: prometheus.ExponentialBuckets(1e-6, 4, 10), // 1 µs to 262 ms
		}),
	}
	m.reg.MustRegister(
		m.connections, m.joins, m.leaves, m.messages, m.refused, m.held, m.deliveries, m.fanout,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// WatchHub exports the hub's queue depth, read from inbox when scraped.
// The hub takes the Metrics when it is built, so the gauge that reads the
// hub can only be added after it: call WatchHub once, with the built hub's
// InboxLen.
func (m *Metrics) WatchHub(inbox func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "anseo_hub_queue_depth",
		Help: "Requests (joins, messages, leaves) waiting for the hub.",
	}, func() float64 { return float64(inbox()) }))
}

// WatchLog exports whether the room's log keeps what is said: 1 while it
// does, 0 while it cannot (a full or failing disk, a cluster link that is
// down), read from health when scraped.
func (m *Metrics) WatchLog(health func() error) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "anseo_log_ok",
		Help: "1 while the room's log keeps what is said; 0 while it cannot (disk full or failing, cluster link down) and new messages are refused.",
	}, func() float64 {
		if health() != nil {
			return 0
		}
		return 1
	}))
}

// ClusterStats are a cluster link's counts (cluster.Stats), as the metrics
// read them.
type ClusterStats struct {
	Published, Received, Retries uint64
	Outbox, Names                int
}

// WatchCluster exports a cluster link's counts, read from stats when
// scraped.
func (m *Metrics) WatchCluster(stats func() ClusterStats) {
	counter := func(name, help string, v func(ClusterStats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v(stats())) })
	}
	gauge := func(name, help string, v func(ClusterStats) int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return float64(v(stats())) })
	}
	m.reg.MustRegister(
		counter("anseo_cluster_published_total", "Events this node published to the cluster's stream and JetStream stored.",
			func(s ClusterStats) uint64 { return s.Published }),
		counter("anseo_cluster_received_total", "Events this node received from the cluster's stream (every node's, its own included).",
			func(s ClusterStats) uint64 { return s.Received }),
		counter("anseo_cluster_publish_retries_total", "Publish attempts to the cluster that failed and were retried.",
			func(s ClusterStats) uint64 { return s.Retries }),
		gauge("anseo_cluster_outbox", "Events waiting to be published to the cluster; at 4096 senders are refused.",
			func(s ClusterStats) int { return s.Outbox }),
		gauge("anseo_cluster_names", "Names this node holds in the cluster.",
			func(s ClusterStats) int { return s.Names }),
	)
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Connections returns the open-connection gauge for transport t, for the
// transport to Inc when a connection opens and Dec when it closes.
func (m *Metrics) Connections(t hub.Transport) prometheus.Gauge {
	return m.connections.WithLabelValues(string(t))
}

// Joined implements hub.Metrics.
func (m *Metrics) Joined(t hub.Transport) { m.joins.WithLabelValues(string(t)).Inc() }

// Left implements hub.Metrics.
func (m *Metrics) Left(t hub.Transport, r hub.Reason) {
	m.leaves.WithLabelValues(string(t), r.String()).Inc()
}

// Said implements hub.Metrics.
func (m *Metrics) Said(t hub.Transport) { m.messages.WithLabelValues(string(t)).Inc() }

// Refused implements hub.Metrics.
func (m *Metrics) Refused(t hub.Transport, err error) {
	reason := "too long"
	if errors.Is(err, hub.ErrFlood) {
		reason = "flood"
	}
	m.refused.WithLabelValues(string(t), reason).Inc()
}

// Held implements hub.Metrics.
func (m *Metrics) Held(t hub.Transport) { m.held.WithLabelValues(string(t)).Inc() }

// FannedOut implements hub.Metrics.
func (m *Metrics) FannedOut(delivered int, took time.Duration) {
	m.deliveries.Add(float64(delivered))
	m.fanout.Observe(took.Seconds())
}
