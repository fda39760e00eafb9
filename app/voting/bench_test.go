package voting_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/database"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/rules"
	"gongzhi/app/testkit"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// benchVoters and benchItems size the tally benchmark: 100,000 voters × 5 items.
const (
	benchVoters = 100_000
	benchItems  = 5
)

// seedTallyVote writes, with batched multi-row INSERTs, an open vote of the estate
// with benchItems ordinary items, benchVoters frozen voters and one ballot (who and
// what) per voter with random choices, and returns its id.
func seedTallyVote(b *testing.B, db *gorm.DB, estateID int64) int64 {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	v := models.Vote{EstateID: estateID, Title: "基准测试", LegalProfile: string(rules.CivilCode2021), ProfileCode: "national", ProfileVersion: "bench",
		Form: voting.FormWritten, Convenor: voting.ConvenorCommittee, NoticePublishedAt: now.AddDate(0, 0, -30), OpensAt: now.AddDate(0, 0, -10),
		ClosesAt: now.AddDate(0, 0, -1), State: models.VoteOpen, AgendaRevision: 1, CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&v).Error; err != nil {
		b.Fatal(err)
	}
	matters := []rules.Matter{rules.MatterHireDismissManager, rules.MatterRaiseMaintenanceFund, rules.MatterChangeCommonUse,
		rules.MatterUseMaintenanceFund, rules.MatterOther}
	for i := range benchItems {
		it := models.VoteItem{VoteID: v.ID, Revision: 1, Position: i + 1, ItemKey: fmt.Sprintf("item%d", i+1), Title: "事项", Body: "全文",
			Matter: string(matters[i])}
		if err := db.Create(&it).Error; err != nil {
			b.Fatal(err)
		}
	}
	sqlDB, err := db.DB()
	if err != nil {
		b.Fatal(err)
	}
	batch := 1000
	if database.DialectOf(db).SQLite() {
		batch = 100
	}
	rng := rand.New(rand.NewPCG(1, 2))
	options := []string{"agree", "oppose", "abstain", ""}
	var totalArea int64
	insert := func(table, cols string, n int, row func(i int) []any) {
		width := strings.Count(cols, ",") + 1
		ph := "(" + strings.TrimSuffix(strings.Repeat("?,", width), ",") + ")"
		for start := 0; start < benchVoters; start += n {
			end := min(start+n, benchVoters)
			var sb strings.Builder
			args := make([]any, 0, (end-start)*width)
			sb.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
			for i := start; i < end; i++ {
				if i > start {
					sb.WriteByte(',')
				}
				sb.WriteString(ph)
				args = append(args, row(i)...)
			}
			if _, err := sqlDB.ExecContext(ctx, sb.String(), args...); err != nil {
				b.Fatalf("seeding %s: %v", table, err)
			}
		}
	}
	// Voter ids follow on from the largest existing id.
	var base int64
	if err := db.Raw("SELECT COALESCE(MAX(id), 0) FROM vote_voters").Scan(&base).Error; err != nil {
		b.Fatal(err)
	}
	areas := make([]int64, benchVoters)
	for i := range areas {
		areas[i] = 5000 + rng.Int64N(15000)
		totalArea += areas[i]
	}
	insert("vote_voters", "id, vote_id, voter_key, position, area, developer, rooms, owner_names, id_check_hashes", batch, func(i int) []any {
		return []any{base + int64(i) + 1, v.ID, fmt.Sprintf("o:%d", i), i + 1, areas[i], false, fmt.Sprintf("%d-1-%d", i/1000+1, i%1000+101), "", ""}
	})
	var ballotBase int64
	if err := db.Raw("SELECT COALESCE(MAX(id), 0) FROM ballots").Scan(&ballotBase).Error; err != nil {
		b.Fatal(err)
	}
	insert("ballots", "id, vote_id, voter_id, attempt, channel, cast_at, receipt", batch, func(i int) []any {
		return []any{ballotBase + int64(i) + 1, v.ID, base + int64(i) + 1, 1, models.ChannelOnline, now, fmt.Sprintf("B%015d-%d", i, v.ID)}
	})
	insert("ballot_contents", "ballot_id, vote_id, choices, nonce", batch, func(i int) []any {
		var parts []string
		for k := range benchItems {
			if o := options[rng.IntN(len(options))]; o != "" {
				parts = append(parts, fmt.Sprintf(`"item%d":"%s"`, k+1, o))
			}
		}
		return []any{ballotBase + int64(i) + 1, v.ID, "{" + strings.Join(parts, ",") + "}", "00000000000000000000000000000000"}
	})
	if err := db.Model(&models.Vote{}).Where("id = ?", v.ID).Updates(map[string]any{"total_area": totalArea, "total_headcount": benchVoters}).Error; err != nil {
		b.Fatal(err)
	}
	return v.ID
}

// groupByQuery is the bare SQL aggregation over the same rows the tally reads: live
// ballots joined with their voters' areas and their choices, grouped by choices.
const groupByQuery = `SELECT bc.choices, COUNT(*) AS n, SUM(vv.area) AS area
	FROM ballots b
	JOIN vote_voters vv ON vv.id = b.voter_id
	JOIN ballot_contents bc ON bc.ballot_id = b.id
	LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id
	WHERE b.vote_id = ? AND bv.id IS NULL
	GROUP BY bc.choices`

// BenchmarkTally100k measures, on the same database and rows, the full recount of a
// vote of 100,000 voters × 5 items (read every ballot, tally with rules.Tally, digest
// the receipts, build the result document) against a bare SQL GROUP BY. Metrics:
// tally_ms and groupby_ms per run and their ratio.
func BenchmarkTally100k(b *testing.B) {
	for _, dialect := range []string{"sqlite", "mysql"} {
		b.Run(dialect, func(b *testing.B) {
			var db dbtest.DB
			if dialect == "sqlite" {
				db = dbtest.SQLite(b)
			} else {
				db = dbtest.MySQL(b)
			}
			env := testkit.New(b, db)
			id := seedTallyVote(b, db.DB, env.Demo.EstateID)
			admin := adminPrincipal()
			ctx := context.Background()
			svc := env.Svc.Votes
			checkRecount(b, svc, admin, id)
			groupBy := func() {
				rows, err := db.DB.WithContext(ctx).Raw(groupByQuery, id).Rows()
				if err != nil {
					b.Fatal(err)
				}
				var n, area int64
				var choices string
				groups := 0
				for rows.Next() {
					if err := rows.Scan(&choices, &n, &area); err != nil {
						b.Fatal(err)
					}
					groups++
				}
				rows.Close()
				if groups == 0 {
					b.Fatal("no groups")
				}
			}
			var tallyTime, groupTime time.Duration
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				if _, _, err := svc.Recount(ctx, admin, id); err != nil {
					b.Fatal(err)
				}
				tallyTime += time.Since(start)
				start = time.Now()
				groupBy()
				groupTime += time.Since(start)
			}
			b.StopTimer()
			n := float64(b.N)
			b.ReportMetric(float64(tallyTime.Milliseconds())/n, "tally_ms")
			b.ReportMetric(float64(groupTime.Milliseconds())/n, "groupby_ms")
			b.ReportMetric(float64(tallyTime)/float64(groupTime), "tally/groupby")
		})
	}
}

// checkRecount closes the seeded vote through the service (the real close path) and
// checks that a recount reproduces the stored result and counts every ballot.
func checkRecount(b *testing.B, svc *voting.Service, admin app.Principal, id int64) {
	b.Helper()
	ctx := context.Background()
	if _, err := svc.Close(ctx, id); err != nil {
		b.Fatal(err)
	}
	res, ok, err := svc.Recount(ctx, admin, id)
	if err != nil || !ok || res.BallotsCounted != benchVoters || res.ParticipatingHeadcount != benchVoters {
		b.Fatalf("recount: counted %d, matches %v, %v", res.BallotsCounted, ok, err)
	}
}
