package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/glebarez/go-sqlite" // the server's own pure-Go SQLite, for VACUUM INTO
)

// runRestore is the backup-and-restore drill: an online backup taken while ballots
// are being cast (SQLite: VACUUM INTO; MariaDB: mariadb-dump --single-transaction),
// restored into a fresh server (new data directory, same secret key) that must hold
// every ballot acknowledged before the backup began, verify their receipts, and
// count exactly the ballots the backup holds when it closes the vote.
func runRestore(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	dbFlag := fs.String("db", "sqlite", "database: sqlite or mysql")
	dsn := fs.String("dsn", defaultDSN, "MariaDB server DSN (127.0.0.1 only); the drill creates and drops its own databases")
	repo := fs.String("repo", ".", "repository root (the server binary is built from it)")
	units := fs.Int("units", 1500, "rooms (voters) of the generated roster, 50 to 5000")
	clients := fs.Int("clients", 16, "concurrent clients, 1 to 100")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbFlag != "sqlite" && *dbFlag != "mysql" {
		return fmt.Errorf("-db: %q is neither sqlite nor mysql", *dbFlag)
	}
	if *units < 50 || *units > 5000 || *clients < 1 || *clients > 100 {
		return fmt.Errorf("-units must lie in 50..5000, -clients in 1..100")
	}
	if *dbFlag == "mysql" {
		if _, err := loopbackDSN(*dsn); err != nil {
			return err
		}
	}
	ctx, cancel := deadline(ctx, 8*time.Minute)
	defer cancel()
	w, err := newWorkspace(ctx, *repo, *dsn)
	if err != nil {
		return err
	}
	defer w.cleanup()

	secret := randomHex(32)
	orig := serverSpec{name: "original", driver: *dbFlag, dataDir: filepath.Join(w.dir, "original"), secret: secret, env: []string{"WORKERS=true"}}
	if *dbFlag == "mysql" {
		if orig.dsn, err = w.createDB(ctx, "orig"); err != nil {
			return err
		}
	}
	srv, err := w.start(ctx, orig)
	if err != nil {
		return err
	}
	hc := newHTTPClient()
	staff := &apiClient{hc: hc, base: srv.url()}
	if err := staff.signIn(ctx, streetUser, streetPassword); err != nil {
		return err
	}
	// The vote closes 100 s after it is drafted; the restored server closes it and
	// counts what the backup holds.
	closesIn := 100 * time.Second
	f, err := setupVote(ctx, staff, *units, closesIn)
	if err != nil {
		return err
	}
	closesAt := time.Now().Add(closesIn)

	// The load: every voter once, paced so that the backup falls in the middle.
	var mu sync.Mutex
	ackedAt := map[string]time.Time{} // receipt → when its 201 arrived
	voterOf := map[string]credential{}
	var sent atomic.Int64
	queue := make(chan credential)
	var wg sync.WaitGroup
	for range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			voter := &apiClient{hc: hc, base: srv.url()}
			for cr := range queue {
				status, receipt, err := cast(ctx, voter, cr, cr.idCheck)
				if err == nil && status == 201 {
					mu.Lock()
					ackedAt[normalise(receipt)] = time.Now()
					voterOf[normalise(receipt)] = cr
					mu.Unlock()
				}
			}
		}()
	}
	backupDone := make(chan error, 1)
	var backupStart time.Time
	var backupTook time.Duration
	backupAt := int64(len(f.creds)) * 2 / 5
	backupFile := filepath.Join(w.dir, "backup")
	for _, cr := range f.creds {
		if sent.Add(1) == backupAt {
			backupStart = time.Now()
			go func() {
				err := backup(ctx, w, orig, backupFile)
				backupTook = time.Since(backupStart)
				backupDone <- err
			}()
		}
		select {
		case queue <- cr:
		case <-ctx.Done():
		}
		time.Sleep(2 * time.Millisecond) // pace: casts continue throughout the backup
	}
	close(queue)
	wg.Wait()
	if err := <-backupDone; err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	srv.stop()

	// Restore into a fresh server: a new data directory (no secret.key there), the
	// same SECRET_KEY, a new database.
	restored := serverSpec{name: "restored", driver: *dbFlag, dataDir: filepath.Join(w.dir, "restored"), secret: secret, env: []string{"WORKERS=true"}}
	if err := restore(ctx, w, &restored, backupFile); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	srv, err = w.start(ctx, restored)
	if err != nil {
		return err
	}
	defer srv.stop()
	staff = &apiClient{hc: hc, base: srv.url()}
	if err := staff.signIn(ctx, streetUser, streetPassword); err != nil {
		return err
	}
	stored, err := ballots(ctx, staff, f.voteID)
	if err != nil {
		return err
	}
	inBackup := map[string]bool{}
	for _, b := range stored {
		inBackup[normalise(b.Receipt)] = true
	}
	before, beforeMissing, unknown := 0, 0, 0
	for r, at := range ackedAt {
		if at.Before(backupStart) {
			before++
			if !inBackup[r] {
				beforeMissing++
			}
		}
	}
	for r := range inBackup {
		if _, ok := ackedAt[r]; !ok {
			unknown++
		}
	}
	// Every receipt in the backup verifies on the restored server.
	receiptMisses := 0
	for r := range inBackup {
		ok, err := receiptStored(ctx, staff, r, f.voteID)
		if err != nil {
			return err
		}
		if !ok {
			receiptMisses++
		}
	}
	var c checks
	fmt.Printf("restore %s: units=%d clients=%d acknowledged=%d (before the backup began: %d) backup took %s; restored server holds %d ballots\n",
		*dbFlag, *units, *clients, len(ackedAt), before, backupTook.Round(time.Millisecond), len(stored))
	c.check(beforeMissing == 0 && before > 0, "backup holds earlier acks", "%d of %d ballots acknowledged before the backup began are missing", beforeMissing, before)
	c.check(unknown == 0, "no unknown ballots", "%d ballots in the backup were never acknowledged", unknown)
	c.check(receiptMisses == 0, "receipts verify", "%d of %d receipts of the backup not found by GET /receipts on the restored server", receiptMisses, len(inBackup))

	// The same key: the restored server decrypts the ballot links (the same tokens)
	// and matches identity checks, so a voter missing from the backup can still vote.
	var links []credential
	if err := staff.must(ctx, 200, "GET", fmt.Sprintf("/api/v1/votes/%d/credentials", f.voteID), nil, &links); err != nil {
		return err
	}
	sameLinks := len(links) == len(f.creds)
	tokens := map[string]bool{}
	for _, l := range links {
		tokens[l.Token] = true
	}
	for _, cr := range f.creds {
		sameLinks = sameLinks && tokens[cr.Token]
	}
	recast, recastStatus := false, 0
	votedInBackup := map[int64]bool{}
	for _, b := range stored {
		votedInBackup[b.VoterID] = true
	}
	for _, cr := range f.creds {
		if votedInBackup[cr.VoterID] {
			continue
		}
		status, receipt, err := cast(ctx, &apiClient{hc: hc, base: srv.url()}, cr, cr.idCheck)
		if err != nil {
			return err
		}
		recast, recastStatus = status == 201, status
		if recast {
			ackedAt[normalise(receipt)] = time.Now()
			voterOf[normalise(receipt)] = cr
		}
		break
	}
	c.check(sameLinks && recast, "same key after restore", "every ballot link decrypts to the original token: %v; a voter missing from the backup casts with the identity check: %d", sameLinks, recastStatus)
	if stored, err = ballots(ctx, staff, f.voteID); err != nil {
		return err
	}

	// The restored server closes the vote at its closing time: its result counts
	// exactly the backup's ballots, with the choices the drill cast.
	fmt.Printf("restore %s: waiting for the restored server to close vote %d (closes at %s)\n", *dbFlag, f.voteID, closesAt.Format(time.TimeOnly))
	var result struct {
		State                  string `json:"state"`
		ParticipatingHeadcount int    `json:"participating_headcount"`
		ParticipatingArea      string `json:"participating_area"`
		Items                  map[string]map[string]any
	}
	for {
		if err := staff.must(ctx, 200, "GET", fmt.Sprintf("/api/v1/votes/%d/results", f.voteID), nil, &result); err != nil {
			return err
		}
		if result.State != "open" || time.Now().After(closesAt.Add(60*time.Second)) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(3 * time.Second):
		}
	}
	want := expectedTally(stored, voterOf)
	got := map[string]int64{}
	for item, counts := range result.Items {
		for _, choice := range []string{"agree", "oppose", "abstain"} {
			got[item+"."+choice+"_headcount"] = number(counts[choice+"_headcount"])
			got[item+"."+choice+"_area"] = number(counts[choice+"_area"])
		}
	}
	got["participating_headcount"] = int64(result.ParticipatingHeadcount)
	got["participating_area"] = number(result.ParticipatingArea)
	diff := []string{}
	for k, v := range want {
		if got[k] != v {
			diff = append(diff, fmt.Sprintf("%s %d≠%d", k, got[k], v))
		}
	}
	fmt.Printf("restore %s: restored result state=%s participating=%d ballots, %s m²; manager agree/oppose/abstain headcount %d/%d/%d\n",
		*dbFlag, result.State, result.ParticipatingHeadcount, result.ParticipatingArea,
		got["manager.agree_headcount"], got["manager.oppose_headcount"], got["manager.abstain_headcount"])
	c.check(result.State == "closed" && len(diff) == 0, "results match the backup", "state %q; %d figures compared, differences: %v", result.State, len(want), diff)
	return c.err()
}

// backup takes an online backup of the running server's database into file.
func backup(ctx context.Context, w *workspace, spec serverSpec, file string) error {
	if spec.driver == "sqlite" {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(spec.dataDir, "app.db")+"?_pragma=busy_timeout(10000)")
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, "VACUUM INTO ?", file); err != nil {
			return fmt.Errorf("VACUUM INTO: %w", err)
		}
		return nil
	}
	cfg, err := loopbackDSN(spec.dsn)
	if err != nil {
		return err
	}
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, "mariadb-dump", "--single-transaction", "--quick", "--skip-lock-tables",
		"--host", hostOf(cfg.Addr), "--port", portOf(cfg.Addr), "--user", cfg.User, cfg.DBName)
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+cfg.Passwd)
	cmd.Stdout = out
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("mariadb-dump: %w: %s", err, stderr.String())
	}
	return out.Close()
}

// restore loads the backup into the fresh server's database.
func restore(ctx context.Context, w *workspace, spec *serverSpec, file string) error {
	if spec.driver == "sqlite" {
		if err := os.MkdirAll(spec.dataDir, 0o700); err != nil {
			return err
		}
		return os.Rename(file, filepath.Join(spec.dataDir, "app.db"))
	}
	dsn, err := w.createDB(ctx, "restored")
	if err != nil {
		return err
	}
	spec.dsn = dsn
	cfg, err := loopbackDSN(dsn)
	if err != nil {
		return err
	}
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	cmd := exec.CommandContext(ctx, "mariadb", "--host", hostOf(cfg.Addr), "--port", portOf(cfg.Addr), "--user", cfg.User, cfg.DBName)
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+cfg.Passwd)
	cmd.Stdin = in
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("mariadb < dump: %w: %s", err, out)
	}
	return nil
}

func hostOf(addr string) string { h, _, _ := strings.Cut(addr, ":"); return h }
func portOf(addr string) string {
	if _, p, ok := strings.Cut(addr, ":"); ok {
		return p
	}
	return "3306"
}

// expectedTally counts the stored ballots with the choices the drill cast for
// their voters: headcount and area (0.01 m²) per item and choice.
func expectedTally(stored []ballotRecord, voterOf map[string]credential) map[string]int64 {
	want := map[string]int64{}
	for _, item := range []string{"manager", "fund"} {
		for _, choice := range []string{"agree", "oppose", "abstain"} {
			want[item+"."+choice+"_headcount"] = 0
			want[item+"."+choice+"_area"] = 0
		}
	}
	for _, b := range stored {
		cr, ok := voterOf[normalise(b.Receipt)]
		if !ok || b.Void != nil {
			continue
		}
		want["participating_headcount"]++
		want["participating_area"] += cr.area
		for item, choice := range choicesFor(cr.VoterID) {
			want[item+"."+choice.(string)+"_headcount"]++
			want[item+"."+choice.(string)+"_area"] += cr.area
		}
	}
	return want
}

// number reads a JSON count (a number) or area (a decimal string in m²) as an
// integer: headcount as is, area in 0.01 m².
func number(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return -1
		}
		return int64(math.Round(f * 100))
	}
	return -1
}
