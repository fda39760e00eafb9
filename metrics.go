package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"gorm.io/gorm"

	"gongzhi/app/metrics"
	"gongzhi/app/voting"
)

// serveMetrics serves the Prometheus metrics at http://addr/metrics, apart from the
// public port, and returns them with a func that stops the listener. An empty addr
// turns metrics off: nil metrics and a no-op stop.
func serveMetrics(db *gorm.DB, addr string, log *slog.Logger) (*metrics.Metrics, func(), error) {
	if addr == "" {
		return nil, func() {}, nil
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, nil, fmt.Errorf("metrics: database handle: %w", err)
	}
	m := metrics.New(sqlDB)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("METRICS_ADDR %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("serving metrics", "addr", addr, "error", err)
		}
	}()
	log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	return m, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// observer is m as the voting service's observer, or none when metrics are off (a
// nil *Metrics must not become a non-nil interface).
func observer(m *metrics.Metrics) voting.Observer {
	if m == nil {
		return nil
	}
	return m
}
