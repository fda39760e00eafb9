// Package metrics holds the server's Prometheus metrics: online casts (accepted, or
// refused by reason), the group commit's batch sizes and queue depth, cast and HTTP
// request latencies (by route pattern and status, never by path, so label values
// stay bounded), and the database pool. They live on a registry of their own, never
// the global default one, and main serves them on a separate address (METRICS_ADDR),
// not on the public port.
//
// A *Metrics is the voting service's Observer (SetObserver) and the HTTP layer's
// request recorder (ObserveHTTP).
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gongzhi/app"
)

// Metrics is the server's set of metrics. Its methods are safe for concurrent use.
type Metrics struct {
	reg         *prometheus.Registry
	casts       *prometheus.CounterVec
	castLatency *prometheus.HistogramVec
	batchSize   prometheus.Histogram
	queueDepth  prometheus.Gauge
	httpLatency *prometheus.HistogramVec
}

// New builds the metrics on a new registry, with the Go runtime, the process and
// the pool of db (named "main"; nil: no pool metrics).
func New(db *sql.DB) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		casts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongzhi_casts_total",
			Help: "Online casts answered, by outcome (accepted, refused) and reason of a refusal (the API error code: forbidden, conflict, gone, invalid, not_found, internal).",
		}, []string{"outcome", "reason"}),
		castLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gongzhi_cast_duration_seconds",
			Help:    "Time from an online cast's call to its answer (the ballot committed, or refused), by outcome.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"outcome"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gongzhi_cast_batch_size",
			Help:    "Ballots written together by one group-commit write.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
		}),
		queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gongzhi_cast_queue_depth",
			Help: "Ballots waiting for a group-commit write.",
		}),
		httpLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gongzhi_http_request_duration_seconds",
			Help:    "HTTP request latency by method, route pattern (not path) and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route", "status"}),
	}
	m.reg.MustRegister(m.casts, m.castLatency, m.batchSize, m.queueDepth, m.httpLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db, "main"))
	}
	return m
}

// Registry is the registry holding every metric.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// CastDone counts an online cast and its latency (voting.Observer).
func (m *Metrics) CastDone(reason app.Code, took time.Duration) {
	outcome := "accepted"
	if reason != "" {
		outcome = "refused"
	}
	m.casts.WithLabelValues(outcome, string(reason)).Inc()
	m.castLatency.WithLabelValues(outcome).Observe(took.Seconds())
}

// CastBatch records the size of one group-commit write (voting.Observer).
func (m *Metrics) CastBatch(size int) { m.batchSize.Observe(float64(size)) }

// CastQueue records the length of the cast queue (voting.Observer).
func (m *Metrics) CastQueue(depth int) { m.queueDepth.Set(float64(depth)) }

// ObserveHTTP records one HTTP request. route is a registered route pattern (such
// as /api/v1/ballots/:token), never the request's path, so its values stay bounded.
func (m *Metrics) ObserveHTTP(method, route string, status int, took time.Duration) {
	m.httpLatency.WithLabelValues(method, route, strconv.Itoa(status)).Observe(took.Seconds())
}
