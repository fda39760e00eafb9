package handlers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/database"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/roster"
	"gongzhi/app/rules"
	"gongzhi/app/services"
	"gongzhi/app/voting"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// benchApp builds the real application over db with a ballot rate limit high enough
// for a load test (everything else as in production, the system clock included).
func benchApp(b *testing.B, db dbtest.DB) (*fiber.App, *services.Set, int64) {
	b.Helper()
	env := handlertest.Build(b, db, handlertest.Options{
		Config:   map[string]string{"PUBLIC_URL": "http://bench.local", "BALLOT_RATE_LIMIT": "1000000000", "LOGIN_RATE_LIMIT": ""},
		Services: func(o *services.Options) { o.Clock = app.SystemClock{} },
	})
	return env.App, env.Svc, env.Demo.EstateID
}

// benchIDCheck is the identity-check answer of every seeded voter.
const benchIDCheck = "123456"

// seedCastVote writes an open vote (voting now) of the estate with n voters, each
// with an active credential, and returns the vote id and the tokens.
func seedCastVote(b *testing.B, db *gorm.DB, svc *services.Set, estateID int64, n int) (int64, []string) {
	b.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	v := models.Vote{EstateID: estateID, Title: "压力测试", LegalProfile: string(rules.CivilCode2021), ProfileCode: "national", ProfileVersion: "bench",
		Form: "written", Convenor: "committee", NoticePublishedAt: now.AddDate(0, 0, -20), OpensAt: now.Add(-time.Hour), ClosesAt: now.AddDate(0, 0, 1),
		State: models.VoteOpen, AgendaRevision: 1, TotalArea: int64(n) * 10000, TotalHeadcount: n, CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&v).Error; err != nil {
		b.Fatal(err)
	}
	for i, key := range []string{"dismiss", "fund"} {
		it := models.VoteItem{VoteID: v.ID, Revision: 1, Position: i + 1, ItemKey: key, Title: key, Body: key, Matter: string(rules.MatterOther)}
		if err := db.Create(&it).Error; err != nil {
			b.Fatal(err)
		}
	}
	hash := roster.Last6Hash(svc.PII, benchIDCheck)
	batch := database.DialectOf(db).InsertBatchRows()
	voters := make([]models.VoteVoter, n)
	for i := range voters {
		voters[i] = models.VoteVoter{VoteID: v.ID, VoterKey: fmt.Sprintf("o:%d", i), Position: i + 1, Area: 10000,
			Rooms: fmt.Sprintf("%d-1-%d", i/100+1, i%100+101), IDCheckHashes: hash}
	}
	if err := db.CreateInBatches(&voters, batch).Error; err != nil {
		b.Fatal(err)
	}
	var ids []int64
	if err := db.Model(&models.VoteVoter{}).Where("vote_id = ?", v.ID).Order("position").Pluck("id", &ids).Error; err != nil {
		b.Fatal(err)
	}
	tokens := make([]string, n)
	creds := make([]models.VoteCredential, n)
	for i := range creds {
		tokens[i] = fmt.Sprintf("bench%038d%d", i, v.ID)
		enc, err := svc.PII.Encrypt(tokens[i])
		if err != nil {
			b.Fatal(err)
		}
		creds[i] = models.VoteCredential{VoteID: v.ID, VoterID: ids[i], Generation: 1, TokenHash: sha256Hex(tokens[i]), TokenEnc: enc,
			Status: models.CredentialActive, IssuedAt: now}
	}
	if err := db.CreateInBatches(&creds, batch).Error; err != nil {
		b.Fatal(err)
	}
	// The empty ballot log, as Open creates it.
	if err := db.Exec("INSERT INTO ballot_log_state (vote_id, size, frontier, updated_at) VALUES (?, 0, '', ?)", v.ID, now).Error; err != nil {
		b.Fatal(err)
	}
	return v.ID, tokens
}

// runConcurrently calls op(i) for i in [0, n) from clients goroutines and returns the
// wall time and each call's latency.
func runConcurrently(n, clients int, op func(i int) error) (time.Duration, []time.Duration, error) {
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t := time.Now()
				if err := op(i); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, ok := firstErr.Load().(error); ok {
		return elapsed, lat, err
	}
	return elapsed, lat, nil
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// BenchmarkBallotCast measures, in one run on the same database and at the same
// concurrency, (1) the bare ceiling: single-row INSERT transactions, each committed
// (durable: InnoDB flushes its log at every commit; SQLite in WAL mode), the
// statement prepared once, measured before and after the casts, the higher
// throughput of the two counting, and (2)
// online ballot casts through the real HTTP handler on a real 127.0.0.1 listener
// (identity check, choices validation, who + what in one transaction). b.N is the
// number of transactions of each kind. Metrics: casts/s, ceiling_tx/s, their ratio
// in percent, the p50/p99 cast latency seen by the clients, and service_casts/s: the
// same casts called on the service in process (no HTTP), for diagnosis. The HTTP
// casts run twice as many voters: half with the ballot log (app/ballotlog, the
// product: casts/s) and half with it switched off for the benchmark only
// (casts_nolog/s), interleaved in eight phases (on off off on on off off on);
// log_on/off_% is their ratio.
//
//	go test ./handlers/ -run '^$' -bench BallotCast -benchtime 20000x
func BenchmarkBallotCast(b *testing.B) {
	for _, dialect := range []string{"sqlite", "mysql"} {
		for _, clients := range []int{64, 200} {
			b.Run(fmt.Sprintf("%s/clients=%d", dialect, clients), func(b *testing.B) {
				var db dbtest.DB
				if dialect == "sqlite" {
					db = dbtest.SQLite(b)
				} else {
					db = dbtest.MySQL(b)
				}
				benchCast(b, db, clients)
			})
		}
	}
}

func benchCast(b *testing.B, db dbtest.DB, clients int) {
	fapp, svc, estateID := benchApp(b, db)
	n := b.N
	_, tokens := seedCastVote(b, db.DB, svc, estateID, 3*n)
	direct, tokens, unlogged := tokens[:n], tokens[n:2*n], tokens[2*n:]
	sqlDB, err := db.DB.DB()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ddl := "CREATE TABLE bench_ceiling (id INTEGER PRIMARY KEY AUTOINCREMENT, k INTEGER NOT NULL, payload TEXT NOT NULL)"
	if db.Dialect == "mysql" {
		ddl = "CREATE TABLE bench_ceiling (id BIGINT AUTO_INCREMENT PRIMARY KEY, k BIGINT NOT NULL, payload VARCHAR(64) NOT NULL) ENGINE=InnoDB"
	}
	if _, err := sqlDB.ExecContext(ctx, ddl); err != nil {
		b.Fatal(err)
	}

	// (1) The ceiling: one prepared INSERT per transaction, measured before the casts
	// and again after them (the database's background flushing differs between the
	// two); the higher of the two counts.
	insert, err := sqlDB.PrepareContext(ctx, "INSERT INTO bench_ceiling (k, payload) VALUES (?, ?)")
	if err != nil {
		b.Fatal(err)
	}
	defer insert.Close()
	// On SQLite (one writer at a time) the writers queue in process on the writer
	// gate the services use (database.Serialised), instead of sleeping in SQLite's
	// busy handler.
	measureCeiling := func() time.Duration {
		elapsed, _, err := runConcurrently(n, clients, func(i int) error {
			return database.Serialised(db.DB, func() error {
				tx, err := sqlDB.BeginTx(ctx, nil)
				if err != nil {
					return err
				}
				if _, err := tx.StmtContext(ctx, insert).ExecContext(ctx, i, "ceiling"); err != nil {
					_ = tx.Rollback()
					return err
				}
				return tx.Commit()
			})
		})
		if err != nil {
			b.Fatal(err)
		}
		return elapsed
	}
	ceilingTime := measureCeiling()

	// (2) The same casts straight through the service (no HTTP), to tell the cost of
	// the transaction from that of the web stack.
	choices := voting.Choices{"dismiss": {Option: "agree"}, "fund": {Option: "oppose"}}
	serviceTime, _, err := runConcurrently(n, clients, func(i int) error {
		_, err := svc.Votes.CastOnline(ctx, direct[i], benchIDCheck, choices)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}

	// (3) Ballot casts through the HTTP handler.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = fapp.Listener(ln) }()
	defer func() { _ = fapp.Shutdown() }()
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	base := "http://" + ln.Addr().String() + "/api/v1/ballots/"
	body := []byte(`{"id_check":"` + benchIDCheck + `","choices":{"dismiss":"agree","fund":"oppose"}}`)
	castHTTP := func(toks []string) (time.Duration, []time.Duration, error) {
		return runConcurrently(len(toks), clients, func(i int) error {
			resp, err := client.Post(base+toks[i], "application/json", bytes.NewReader(body))
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				return fmt.Errorf("cast %d: status %d", i, resp.StatusCode)
			}
			return nil
		})
	}
	// The casts with the ballot log (the product) and, in the same run, without it
	// (SetBallotLogForTesting), in the order on, off, off, on so that neither
	// side gets only the emptier database.
	// Open the clients' connections first (GET /healthz from each), so that neither
	// side pays for them.
	if _, _, err := runConcurrently(clients, clients, func(int) error {
		resp, err := client.Get("http://" + ln.Addr().String() + "/healthz")
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}); err != nil {
		b.Fatal(err)
	}
	// Eight phases, a quarter of each side's voters each, on off off on on off off on:
	// the load of a shared machine comes in bursts that a single on/off pair would
	// give to one side only.
	q1, q2, q3 := n/4, n/2, 3*n/4
	var castTime, offTime time.Duration
	var lat []time.Duration
	phases := []struct {
		on   bool
		toks []string
	}{{true, tokens[:q1]}, {false, unlogged[:q1]}, {false, unlogged[q1:q2]}, {true, tokens[q1:q2]},
		{true, tokens[q2:q3]}, {false, unlogged[q2:q3]}, {false, unlogged[q3:]}, {true, tokens[q3:]}}
	b.ResetTimer()
	for _, ph := range phases {
		if len(ph.toks) == 0 {
			continue
		}
		svc.Votes.SetBallotLogForTesting(ph.on)
		took, l, err := castHTTP(ph.toks)
		if err != nil {
			b.Fatal(err)
		}
		if ph.on {
			// The sequencer's work for the phase's casts counts in the phase: what
			// it has not numbered when the last cast answers is numbered now.
			t0 := time.Now()
			if err := svc.Votes.FlushLog(ctx); err != nil {
				b.Fatal(err)
			}
			took += time.Since(t0)
			castTime += took
			lat = append(lat, l...)
		} else {
			offTime += took
		}
	}
	b.StopTimer()
	svc.Votes.SetBallotLogForTesting(true)
	ceilingTime = min(ceilingTime, measureCeiling())
	var stored int64
	db.DB.Model(&models.Ballot{}).Count(&stored)
	if stored != int64(3*n) {
		b.Fatalf("%d ballots stored, want %d", stored, 3*n)
	}
	// Every ballot cast with the log on (through the service and the handler) has
	// its leaf, none without.
	if err := svc.Votes.FlushLog(ctx); err != nil {
		b.Fatal(err)
	}
	var leaves int64
	db.DB.Table("ballot_log_leaves").Count(&leaves)
	if leaves != int64(2*n) {
		b.Fatalf("%d ballot log leaves, want %d", leaves, 2*n)
	}
	slices.Sort(lat)
	casts := float64(n) / castTime.Seconds()
	ceiling := float64(n) / ceilingTime.Seconds()
	b.ReportMetric(casts, "casts/s")
	unloggedCasts := float64(n) / offTime.Seconds()
	b.ReportMetric(unloggedCasts, "casts_nolog/s")
	b.ReportMetric(100*casts/unloggedCasts, "log_on/off_%")
	b.ReportMetric(ceiling, "ceiling_tx/s")
	b.ReportMetric(100*casts/ceiling, "cast/ceiling_%")
	b.ReportMetric(float64(n)/serviceTime.Seconds(), "service_casts/s")
	b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99_ms")
}

// sha256Hex is the stored lookup form of a ballot token.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
