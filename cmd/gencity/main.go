// Command gencity fills a MariaDB database with a synthetic city for the supervision
// benchmark (issue 15, docs/supervision.md): one city, its districts, street offices,
// communities and estates, and per estate buildings and units, committees, transitional
// bodies, Party facts, service contracts, satisfaction surveys, votes and complaints in
// proportion, all written with database.BulkInsert. With -bench it then measures the
// rate pages and API through the real router (in process) for a street office, a
// district and the city and prints p50/p95/max.
//
//	go run ./cmd/gencity -dsn 'root:@tcp(127.0.0.1:3306)/gencity' -estates 1000 -units 300000 -bench
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/calendar"
	"gongzhi/app/database"
	"gongzhi/app/property"
	"gongzhi/models"
)

type gen struct {
	db    *gorm.DB
	rnd   *rand.Rand
	now   time.Time
	tag   string
	ids   map[string]int64 // next id per table
	start time.Time
}

func main() {
	dsn := flag.String("dsn", "", "MariaDB DSN (user:pass@tcp(host:port)/db)")
	estates := flag.Int("estates", 1000, "estates in the city")
	units := flag.Int("units", 300000, "units in the city (spread evenly over the estates)")
	perStreet := flag.Int("per-street", 100, "estates per street office")
	perDistrict := flag.Int("per-district", 2000, "estates per district")
	perCommunity := flag.Int("per-community", 20, "estates per community")
	complaints := flag.Int("complaints", 12, "complaints per estate over the last 12 months")
	seed := flag.Uint64("seed", 15, "random seed")
	bench := flag.Bool("bench", false, "after generating (or with -estates 0, alone), measure the rate pages and API")
	n := flag.Int("n", 40, "requests per measured route")
	modes := flag.String("modes", "summary", "comma-separated: scan (complaints read in full, the baseline), summary")
	flag.Parse()
	if *dsn == "" {
		log.Fatal("gencity: -dsn is required")
	}
	ctx := context.Background()
	db, err := database.Open(ctx, database.Options{Driver: "mysql", DSN: *dsn})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := database.Migrate(ctx, db); err != nil {
		log.Fatal(err)
	}
	var city int64
	if *estates > 0 {
		g := &gen{db: db, rnd: rand.New(rand.NewPCG(*seed, 15)), now: time.Now().UTC().Truncate(time.Microsecond), ids: map[string]int64{}, start: time.Now()}
		g.tag = fmt.Sprintf("G%d", time.Now().Unix()%100000)
		if city, err = g.city(ctx, *estates, *units, *perDistrict, *perStreet, *perCommunity, *complaints); err != nil {
			log.Fatal(err)
		}
		g.logf("done: city %d", city)
	}
	// The complaints were bulk-inserted beside the summary: rebuild it (also the
	// backfill of migration 00035 on a city generated before it).
	if err := markSummaryStale(ctx, db, *estates > 0); err != nil {
		log.Fatal(err)
	}
	if built, err := property.ComplaintSummaryBuilt(ctx, db); err != nil {
		log.Fatal(err)
	} else if !built {
		t0 := time.Now()
		n, err := property.BuildComplaintSummary(ctx, db, calendar.New(db, app.SystemClock{}))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(os.Stderr, "complaint summary built from %d complaints in %.1fs\n", n, time.Since(t0).Seconds())
	}
	if *bench {
		if err := runBench(ctx, db, *dsn, city, *n, strings.Split(*modes, ",")); err != nil {
			log.Fatal(err)
		}
	}
}

// markSummaryStale marks the complaint summary for a rebuild after a generation.
func markSummaryStale(ctx context.Context, db *gorm.DB, generated bool) error {
	if !generated {
		return nil
	}
	return db.WithContext(ctx).Exec("UPDATE complaint_summary_state SET built = ? WHERE id = 1", false).Error
}

func (g *gen) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(g.start).Seconds(), fmt.Sprintf(format, args...))
}

// next reserves n ids of table above its current maximum.
func (g *gen) next(ctx context.Context, table string, n int) (int64, error) {
	if _, ok := g.ids[table]; !ok {
		var max *int64
		if err := g.db.WithContext(ctx).Table(table).Select("MAX(id)").Scan(&max).Error; err != nil {
			return 0, err
		}
		g.ids[table] = 1
		if max != nil {
			g.ids[table] = *max + 1
		}
	}
	first := g.ids[table]
	g.ids[table] += int64(n)
	return first, nil
}

// insert writes rows in transactions of at most 20,000 rows.
func (g *gen) insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	for start := 0; start < len(rows); start += 20000 {
		end := min(start+20000, len(rows))
		if err := database.Tx(ctx, g.db, func(tx *gorm.DB) error {
			return database.BulkInsert(ctx, tx, table, cols, rows[start:end])
		}); err != nil {
			return err
		}
	}
	return nil
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

func (g *gen) city(ctx context.Context, estates, units, perDistrict, perStreet, perCommunity, complaintsPer int) (int64, error) {
	now := g.now
	districts := max(1, (estates+perDistrict-1)/perDistrict)
	streets := max(1, (estates+perStreet-1)/perStreet)
	communities := max(1, (estates+perCommunity-1)/perCommunity)
	orgCols := []string{"id", "parent_id", "kind", "name", "path", "created_at", "updated_at"}
	total := 1 + districts + streets + communities
	id, err := g.next(ctx, "orgs", total)
	if err != nil {
		return 0, err
	}
	var orgRows [][]any
	city := id
	cityPath := models.ChildPath("/", city)
	orgRows = append(orgRows, []any{city, nil, models.OrgCity, "合成城市 " + g.tag, cityPath, now, now})
	dPath := make([]string, districts)
	dID := make([]int64, districts)
	for i := range districts {
		dID[i] = city + 1 + int64(i)
		dPath[i] = models.ChildPath(cityPath, dID[i])
		orgRows = append(orgRows, []any{dID[i], city, models.OrgDistrict, fmt.Sprintf("第%d区", i+1), dPath[i], now, now})
	}
	sID := make([]int64, streets)
	sPath := make([]string, streets)
	for i := range streets {
		d := i * districts / streets
		sID[i] = city + 1 + int64(districts) + int64(i)
		sPath[i] = models.ChildPath(dPath[d], sID[i])
		orgRows = append(orgRows, []any{sID[i], dID[d], models.OrgStreet, fmt.Sprintf("%d街道", i+1), sPath[i], now, now})
	}
	cID := make([]int64, communities)
	for i := range communities {
		s := i * streets / communities
		cID[i] = city + 1 + int64(districts+streets) + int64(i)
		orgRows = append(orgRows, []any{cID[i], sID[s], models.OrgCommunity, fmt.Sprintf("%d社区", i+1), models.ChildPath(sPath[s], cID[i]), now, now})
	}
	if err := g.insert(ctx, "orgs", orgCols, orgRows); err != nil {
		return 0, err
	}
	g.logf("orgs: 1 city, %d districts, %d streets, %d communities", districts, streets, communities)

	e0, err := g.next(ctx, "estates", estates)
	if err != nil {
		return 0, err
	}
	var rows [][]any
	for i := range estates {
		rows = append(rows, []any{e0 + int64(i), cID[i*communities/estates], fmt.Sprintf("%s-%05d小区", g.tag, i+1), "", "BJ", now, now})
	}
	if err := g.insert(ctx, "estates", []string{"id", "community_id", "name", "address", "profile_code", "created_at", "updated_at"}, rows); err != nil {
		return 0, err
	}
	g.logf("estates: %d", estates)

	// Buildings and units: units/estates per estate, 30 per building.
	perEstate := max(1, units/estates)
	perBuilding := 30
	buildings := (perEstate + perBuilding - 1) / perBuilding
	b0, err := g.next(ctx, "buildings", estates*buildings)
	if err != nil {
		return 0, err
	}
	rows = rows[:0]
	for e := range estates {
		for b := range buildings {
			rows = append(rows, []any{b0 + int64(e*buildings+b), e0 + int64(e), fmt.Sprintf("%d号楼", b+1)})
		}
	}
	if err := g.insert(ctx, "buildings", []string{"id", "estate_id", "name"}, rows); err != nil {
		return 0, err
	}
	unitCols := []string{"estate_id", "building_id", "unit_no", "room", "room_key", "area", "area_source", "delivered", "parking", "created_at", "updated_at"}
	written := 0
	for e := range estates {
		rows = rows[:0]
		for u := range perEstate {
			b := u / perBuilding
			room := fmt.Sprintf("%d%02d", u%perBuilding/2+1, u%2+1)
			rows = append(rows, []any{e0 + int64(e), b0 + int64(e*buildings+b), "1", room, fmt.Sprintf("%d号楼|1|%s", b+1, room),
				int64(6000 + g.rnd.IntN(10000)), "registered", true, false, now, now})
		}
		if err := g.insert(ctx, "units", unitCols, rows); err != nil {
			return 0, err
		}
		written += perEstate
		if (e+1)%max(1, estates/10) == 0 {
			g.logf("units: %d", written)
		}
	}

	// Committees: 62% filed, 5% formed, 6% ended (succeeded, nothing in office);
	// transitional bodies in 5% of the rest.
	var committees, bodies, party, contracts, surveys [][]any
	comp0, err := g.next(ctx, "property_companies", 200)
	if err != nil {
		return 0, err
	}
	var companies [][]any
	for i := range 200 {
		companies = append(companies, []any{comp0 + int64(i), fmt.Sprintf("合成物业%s-%03d", g.tag, i), fmt.Sprintf("91%s%011d", g.tag[1:], i)[:18], dID[i%districts], now, now})
	}
	if err := g.insert(ctx, "property_companies", []string{"id", "name", "uscc", "registered_by_org_id", "created_at", "updated_at"}, companies); err != nil {
		return 0, err
	}
	company := func(e int) int64 { return comp0 + int64(e%200) }
	for e := range estates {
		id := e0 + int64(e)
		r := g.rnd.IntN(100)
		elected := now.AddDate(0, -g.rnd.IntN(48), 0)
		switch {
		case r < 62:
			committees = append(committees, []any{id, "filed", nil, 7, 5, 3, 0, "", elected, "", "BJ", "1", now, now})
		case r < 67:
			committees = append(committees, []any{id, "formed", nil, 7, 5, 3, 0, "", elected, "", "BJ", "1", now, now})
		case r < 73:
			committees = append(committees, []any{id, "ended", nil, 7, 5, 3, 0, "", elected, "term", "BJ", "1", now, now})
		case r < 78:
			bodies = append(bodies, []any{id, id, "property_management_committee", "无法组建业主委员会", "acting", elected, "BJ", "1", "", "gencity", now, now})
		}
		if g.rnd.IntN(100) < 70 {
			party = append(party, []any{id, g.rnd.IntN(100) < 80, g.rnd.IntN(100) < 50, day(now), now, now})
		}
		switch c := g.rnd.IntN(100); {
		case c < 80: // filed, in force
			contracts = append(contracts, []any{id, company(e), day(now.AddDate(-1, 0, 0)), day(now.AddDate(2, 0, 0)), 60, day(now.AddDate(-1, 0, 5)), now, now})
		case c < 85: // not filed
			contracts = append(contracts, []any{id, company(e), day(now.AddDate(-1, 0, 0)), day(now.AddDate(2, 0, 0)), 60, nil, now, now})
		case c < 90: // ended
			contracts = append(contracts, []any{id, company(e), day(now.AddDate(-4, 0, 0)), day(now.AddDate(0, 0, -30)), 60, day(now.AddDate(-4, 0, 5)), now, now})
		}
		if g.rnd.IntN(100) < 70 {
			resp := 50 + g.rnd.IntN(200)
			surveys = append(surveys, []any{id, company(e), now.AddDate(0, -6-g.rnd.IntN(6), 0), resp, resp * (70 + g.rnd.IntN(30)) / 100, "paper", now})
			surveys = append(surveys, []any{id, company(e), now.AddDate(0, -g.rnd.IntN(5), -1), resp, resp * (75 + g.rnd.IntN(25)) / 100, "paper", now})
		}
	}
	steps := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"committees", []string{"estate_id", "status", "forming_estate_id", "seats", "min_members", "alternates_max", "households", "runoff_pending",
			"first_elected_at", "ended_reason", "profile_code", "profile_version", "created_at", "updated_at"}, committees},
		{"transitional_bodies", []string{"estate_id", "open_estate_id", "kind", "reason", "status", "formed_at", "profile_code", "profile_version",
			"ended_reason", "created_by", "created_at", "updated_at"}, bodies},
		{"estate_party_facts", []string{"estate_id", "has_party_org", "party_work_group", "recorded_on", "created_at", "updated_at"}, party},
		{"service_contracts", []string{"estate_id", "company_id", "starts_on", "ends_on", "notice_days", "filed_on", "created_at", "updated_at"}, contracts},
		{"satisfaction_surveys", []string{"estate_id", "company_id", "closed_at", "respondents", "satisfied", "source", "created_at"}, surveys},
	}
	for _, s := range steps {
		if err := g.insert(ctx, s.table, s.cols, s.rows); err != nil {
			return 0, fmt.Errorf("%s: %w", s.table, err)
		}
		g.logf("%s: %d", s.table, len(s.rows))
	}

	// Votes: one per estate, most final, some open.
	var votes [][]any
	for e := range estates {
		opens := now.AddDate(0, -g.rnd.IntN(12), -g.rnd.IntN(28))
		state := "final"
		if g.rnd.IntN(100) < 8 {
			state, opens = "open", now.AddDate(0, 0, -3)
		}
		votes = append(votes, []any{e0 + int64(e), "合成表决", "civil-code-2021", "BJ", "1", "written", "committee", opens.AddDate(0, 0, -15), opens,
			opens.AddDate(0, 0, 20), state, now, now})
	}
	if err := g.insert(ctx, "votes", []string{"estate_id", "title", "legal_profile", "profile_code", "profile_version", "form", "convenor",
		"notice_published_at", "opens_at", "closes_at", "state", "created_at", "updated_at"}, votes); err != nil {
		return 0, fmt.Errorf("votes: %w", err)
	}
	g.logf("votes: %d", len(votes))

	// Complaints: complaintsPer per estate over the last 12 months; most answered in
	// time, some late, some still open.
	cCols := []string{"estate_id", "company_id", "source", "category", "body", "complainant_hash", "complainant_mask", "received_at", "cycle",
		"cycle_started_at", "responded_at", "first_result_at", "resolved_at", "created_at", "updated_at"}
	var crows [][]any
	count := 0
	for e := range estates {
		for k := range complaintsPer {
			recv := now.Add(-time.Duration(g.rnd.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Microsecond)
			resp := recv.Add(time.Duration(5+g.rnd.IntN(40)) * time.Minute)
			first := recv.Add(time.Duration(30+g.rnd.IntN(200)) * time.Minute)
			var resolved any = recv.Add(time.Duration(6+g.rnd.IntN(100)) * time.Hour)
			if g.rnd.IntN(100) < 5 || recv.After(now.Add(-2*time.Hour)) {
				resolved = nil
			}
			crows = append(crows, []any{e0 + int64(e), company(e), "phone", "", "合成投诉", fmt.Sprintf("%064d", e*complaintsPer+k), "", recv, 1, recv,
				resp, first, resolved, recv, recv})
		}
		if len(crows) >= 20000 || e == estates-1 {
			if err := g.insert(ctx, "complaints", cCols, crows); err != nil {
				return 0, fmt.Errorf("complaints: %w", err)
			}
			count += len(crows)
			crows = crows[:0]
		}
	}
	g.logf("complaints: %d", count)
	return city, nil
}
