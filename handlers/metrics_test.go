package handlers_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/metrics"
	"gongzhi/app/services"
	"gongzhi/app/testkit"
	"gongzhi/handlers"
	"gongzhi/handlers/handlertest"
	"gongzhi/views"
)

// metricsVoteEnv is the application wired as main wires it with METRICS_ADDR set:
// the voting service observed by the metrics, the router recording every request.
func metricsVoteEnv(t *testing.T, db dbtest.DB) (*voteEnv, *metrics.Metrics) {
	t.Helper()
	clock := app.NewManualClock(voteT0)
	env := handlertest.At(t, db, clock)
	sqlDB, err := db.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New(sqlDB)
	svc, err := services.New(db.DB, services.Options{SessionTTL: testkit.SessionTTL, SecretKey: handlertest.TestSecret,
		PublicURL: env.Config.PublicURL, BcryptCost: 4, Observer: m, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := views.New()
	if err != nil {
		t.Fatal(err)
	}
	env.Svc = svc
	env.App = handlers.New(handlers.Deps{Config: env.Config, DB: db.DB, Logger: slog.New(slog.DiscardHandler), Views: renderer, Svc: svc, Metrics: m})
	return &voteEnv{env}, m
}

// TestMetricsAfterCasts casts through the real router (accepted, already voted,
// wrong identity check) and scrapes the metrics: every metric is exposed with the
// casts counted by outcome and reason, requests labelled by route pattern (never a
// ballot token), the pool's statistics present; the public port serves no metrics.
func TestMetricsAfterCasts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env, m := metricsVoteEnv(t, db)
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		choices := map[string]any{"dismiss": "agree", "fund": "oppose"}
		for _, c := range []struct {
			room, answer string
			want         int
		}{
			{"1-1-101", answers["1-1-101"], 201},
			{"1-1-101", answers["1-1-101"], 409},
			{"1-1-102", "000000", 403},
		} {
			if r := env.cast(creds[c.room].Token, c.answer, choices); r.Status != c.want {
				t.Fatalf("cast %s: %d, want %d: %s", c.room, r.Status, c.want, r.Body)
			}
		}

		if r := env.API("GET", "/metrics", "", nil); strings.Contains(string(r.Body), "gongzhi_casts_total") {
			t.Fatalf("the public router serves the metrics (status %d)", r.Status)
		}

		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		body, _ := io.ReadAll(rec.Body)
		text := string(body)
		for _, want := range []string{
			`gongzhi_casts_total{outcome="accepted",reason=""} 1`,
			`gongzhi_casts_total{outcome="refused",reason="conflict"} 1`,
			`gongzhi_casts_total{outcome="refused",reason="forbidden"} 1`,
			`gongzhi_cast_duration_seconds_count{outcome="accepted"} 1`,
			`gongzhi_cast_batch_size_count 1`,
			`gongzhi_cast_queue_depth 0`,
			`gongzhi_http_request_duration_seconds_count{method="POST",route="/api/v1/ballots/:token",status="201"} 1`,
			`gongzhi_http_request_duration_seconds_count{method="POST",route="/api/v1/ballots/:token",status="409"} 1`,
			`gongzhi_http_request_duration_seconds_count{method="POST",route="/api/v1/ballots/:token",status="403"} 1`,
			`go_sql_max_open_connections{db_name="main"}`,
			`go_sql_wait_count_total{db_name="main"}`,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if strings.Contains(text, `route="/metrics"`) {
			t.Error("a request path that matched no route became a label value")
		}
		for room, c := range creds {
			if strings.Contains(text, c.Token) {
				t.Fatalf("a ballot token (room %s) appears in the metrics", room)
			}
		}
	})
}
