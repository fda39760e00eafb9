package config_test

import (
	"strings"
	"testing"

	"gongzhi/app/config"
)

// METRICS_ADDR is off by default, and a value that is not host:port or that is the
// public port is refused with the variable named.
func TestMetricsAddr(t *testing.T) {
	c, err := config.FromLookup(lookup(nil))
	if err != nil || c.MetricsAddr != "" {
		t.Fatalf("default: %q, %v; want metrics off", c.MetricsAddr, err)
	}
	c, err = config.FromLookup(lookup(map[string]string{"METRICS_ADDR": "127.0.0.1:9090"}))
	if err != nil || c.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("127.0.0.1:9090: %q, %v", c.MetricsAddr, err)
	}
	for _, env := range []map[string]string{
		{"METRICS_ADDR": "9090"},
		{"METRICS_ADDR": "127.0.0.1:8080", "LISTEN_ADDR": "127.0.0.1:8080"},
	} {
		if _, err := config.FromLookup(lookup(env)); err == nil || !strings.Contains(err.Error(), "METRICS_ADDR") {
			t.Errorf("%v: error %v, want one naming METRICS_ADDR", env, err)
		}
	}
}
