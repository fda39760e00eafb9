package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// runCrash is the crash drill: a cast load on one server, SIGKILL at a random
// moment, a restart on the same database, then every acknowledged ballot (201) must
// be stored and no voter may hold two live ballots.
func runCrash(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("crash", flag.ContinueOnError)
	dbFlag := fs.String("db", "sqlite", "database: sqlite or mysql")
	dsn := fs.String("dsn", defaultDSN, "MariaDB server DSN (127.0.0.1 only); each run creates and drops its own database")
	repo := fs.String("repo", ".", "repository root (the server binary is built from it)")
	runs := fs.Int("runs", 1, "how many kill-and-restart runs")
	units := fs.Int("units", 3000, "rooms (voters) of the generated roster, 50 to 5000")
	clients := fs.Int("clients", 40, "concurrent clients, 1 to 100")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbFlag != "sqlite" && *dbFlag != "mysql" {
		return fmt.Errorf("-db: %q is neither sqlite nor mysql", *dbFlag)
	}
	if *units < 50 || *units > 5000 || *clients < 1 || *clients > 100 || *runs < 1 || *runs > 20 {
		return fmt.Errorf("-units must lie in 50..5000, -clients in 1..100, -runs in 1..20")
	}
	if *dbFlag == "mysql" {
		if _, err := loopbackDSN(*dsn); err != nil {
			return err
		}
	}
	ctx, cancel := deadline(ctx, time.Duration(*runs)*5*time.Minute)
	defer cancel()
	w, err := newWorkspace(ctx, *repo, *dsn)
	if err != nil {
		return err
	}
	defer w.cleanup()

	var c checks
	for run := 1; run <= *runs; run++ {
		if err := crashRun(ctx, w, &c, *dbFlag, run, *units, *clients); err != nil {
			return fmt.Errorf("run %d: %w", run, err)
		}
	}
	return c.err()
}

// crashTally is what the clients saw.
type crashTally struct {
	mu       sync.Mutex
	acked    map[int64][]string // voter → receipts answered 201
	statuses map[int]int        // status → count (0: no answer, the server was gone)
	sent     atomic.Int64
}

func (t *crashTally) record(voterID int64, status int, receipt string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.statuses[status]++
	if status == 201 {
		t.acked[voterID] = append(t.acked[voterID], normalise(receipt))
	}
}

func crashRun(ctx context.Context, w *workspace, c *checks, driver string, run, units, clients int) error {
	spec := serverSpec{name: fmt.Sprintf("crash-%d", run), driver: driver, dataDir: filepath.Join(w.dir, fmt.Sprintf("run%d", run)), secret: randomHex(32)}
	if driver == "mysql" {
		var err error
		if spec.dsn, err = w.createDB(ctx, "crash"); err != nil {
			return err
		}
	}
	srv, err := w.start(ctx, spec)
	if err != nil {
		return err
	}
	hc := newHTTPClient()
	staff := &apiClient{hc: hc, base: srv.url()}
	if err := staff.signIn(ctx, streetUser, streetPassword); err != nil {
		return err
	}
	f, err := setupVote(ctx, staff, units, 2*time.Hour)
	if err != nil {
		return err
	}

	// The load: every voter once, one in ten twice at the same moment (the second
	// must be refused), one in twenty first with a wrong identity check.
	type job struct {
		cred    credential
		idCheck string
	}
	var jobs []job
	for i, cr := range rand.Perm(len(f.creds)) {
		cred := f.creds[cr]
		if i%20 == 0 {
			jobs = append(jobs, job{cred, "000000"})
		}
		jobs = append(jobs, job{cred, cred.idCheck})
		if i%10 == 0 {
			jobs = append(jobs, job{cred, cred.idCheck})
		}
	}
	// The kill comes when a random share (15-85 %) of the load has been sent.
	killAt := int64(len(jobs)) * int64(15+rand.IntN(71)) / 100
	tally := &crashTally{acked: map[int64][]string{}, statuses: map[int]int{}}
	queue := make(chan job)
	killed := make(chan struct{})
	var killOnce sync.Once
	var ackedAtKill, inFlightAtKill int64
	var inFlight atomic.Int64
	start := time.Now()
	var killedAfter time.Duration
	kill := func() {
		killOnce.Do(func() {
			tally.mu.Lock()
			ackedAtKill = int64(tally.statuses[201])
			tally.mu.Unlock()
			inFlightAtKill = inFlight.Load()
			srv.kill()
			killedAfter = time.Since(start)
			close(killed)
		})
	}
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			voter := &apiClient{hc: hc, base: srv.url()}
			for j := range queue {
				inFlight.Add(1)
				status, receipt, err := cast(ctx, voter, j.cred, j.idCheck)
				inFlight.Add(-1)
				if err != nil {
					status = 0
				}
				tally.record(j.cred.VoterID, status, receipt)
			}
		}()
	}
feed:
	for _, j := range jobs {
		if tally.sent.Add(1) == killAt {
			go kill()
		}
		select {
		case queue <- j:
		case <-killed:
			break feed
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
	kill() // the load may have ended first: kill an idle server then
	if ctx.Err() != nil {
		return ctx.Err()
	}

	// Restart on the same database and data directory.
	srv, err = w.startOn(ctx, spec, srv.addr)
	if err != nil {
		return fmt.Errorf("restart: %w", err)
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
	storedReceipts := map[string]bool{}
	live := map[int64]int{}
	for _, b := range stored {
		storedReceipts[normalise(b.Receipt)] = true
		if b.Void == nil {
			live[b.VoterID]++
		}
	}
	acked, missing, twice := 0, 0, 0
	var sample []string
	for _, receipts := range tally.acked {
		for _, r := range receipts {
			acked++
			if !storedReceipts[r] {
				missing++
			}
			if len(sample) < 200 {
				sample = append(sample, r)
			}
		}
	}
	for _, n := range live {
		if n > 1 {
			twice++
		}
	}
	ackedTwice := 0
	for _, receipts := range tally.acked {
		if len(receipts) > 1 {
			ackedTwice++
		}
	}
	// The public receipt check agrees for a sample of acknowledged receipts.
	receiptMisses := 0
	for _, r := range sample {
		ok, err := receiptStored(ctx, staff, r, f.voteID)
		if err != nil {
			return err
		}
		if !ok {
			receiptMisses++
		}
	}
	// The restarted server takes ballots again.
	castAfter, castAfterOK := 0, 0
	voter := &apiClient{hc: hc, base: srv.url()}
	for _, cr := range f.creds {
		if live[cr.VoterID] > 0 || castAfter == 20 {
			continue
		}
		castAfter++
		if status, _, err := cast(ctx, voter, cr, cr.idCheck); err == nil && status == 201 {
			castAfterOK++
		}
	}

	tally.mu.Lock()
	st := tally.statuses
	fmt.Printf("crash %s run %d: units=%d clients=%d jobs=%d sent=%d killed_after=%s acked_at_kill=%d in_flight_at_kill=%d | answers 201=%d 409=%d 403=%d other=%d no_answer=%d\n",
		driver, run, units, clients, len(jobs), min(tally.sent.Load(), int64(len(jobs))), killedAfter.Round(time.Millisecond), ackedAtKill, inFlightAtKill,
		st[201], st[409], st[403], tallyOther(st), st[0])
	tally.mu.Unlock()
	fmt.Printf("crash %s run %d: after restart stored=%d acked=%d acked_missing=%d stored_not_acked=%d voters_with_two_live=%d receipts_checked=%d\n",
		driver, run, len(stored), acked, missing, len(stored)-acked+missing, twice, len(sample))
	c.check(missing == 0, "acknowledged == stored", "run %d: %d of %d acknowledged ballots missing", run, missing, acked)
	c.check(twice == 0 && ackedTwice == 0, "no voter twice", "run %d: %d voters with two live ballots, %d voters acknowledged twice", run, twice, ackedTwice)
	c.check(receiptMisses == 0, "receipts verifiable", "run %d: %d of %d sampled receipts not found by GET /receipts", run, receiptMisses, len(sample))
	c.check(castAfter == 0 || castAfterOK == castAfter, "casts after restart", "run %d: %d of %d accepted", run, castAfterOK, castAfter)
	return nil
}

// tallyOther counts the answers other than 0, 201, 403 and 409.
func tallyOther(st map[int]int) int {
	n := 0
	for s, k := range st {
		if s != 0 && s != 201 && s != 403 && s != 409 {
			n += k
		}
	}
	return n
}
