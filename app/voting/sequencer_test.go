package voting_test

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongzhi/app/ballotlog"
	"gongzhi/app/database"
	"gongzhi/app/voting"
)

// TestBallotLogSequencedAcrossInstances casts every voter of a vote online at once
// through two services over one database (two server instances, each with its own
// group commit and sequencer), while both run the recovery pass over and over;
// after the close every ballot's inclusion proof verifies against the closing
// head, which covers every ballot, and the sequences are 0..n-1, each once. Then
// thousands of leaves appended from many goroutines, each leaf handed to two of
// them (a sequencer racing a sweep), are numbered each exactly once, none skipped,
// and the stored compact range is the root of the leaves' hashes.
func TestBallotLogSequencedAcrossInstances(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id, creds := e.openSmallVoteWithLinks(t)
		answers := smallRosterAnswers(t)
		other := voting.New(e.DB.DB, e.Clock, e.Svc.Orgs, e.Svc.Roster, e.Svc.PII, "http://other.local", nil)
		other.SetLogSigner(e.Svc.Votes.LogSigner())
		services := []*voting.Service{e.Svc.Votes, other}

		stop := make(chan struct{})
		var seqWG sync.WaitGroup
		var sequenced atomic.Int64
		for _, svc := range services {
			seqWG.Add(1)
			go func() {
				defer seqWG.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					n, err := svc.SequenceLogs(e.Ctx)
					if err != nil {
						t.Errorf("sequencer: %v", err)
						return
					}
					sequenced.Add(int64(n))
				}
			}()
		}
		var wg sync.WaitGroup
		receipts := make([]string, len(creds))
		for i, c := range creds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := services[i%2].CastOnline(e.Ctx, c.Token, answers[c.Rooms[0]], voting.Choices{"dismiss": {Option: optionOf(i)}})
				if err != nil {
					t.Errorf("cast %d: %v", i, err)
					return
				}
				receipts[i] = r.Code
			}()
		}
		wg.Wait()
		close(stop)
		seqWG.Wait()
		if t.Failed() {
			return
		}
		// A last pass numbers what the in-memory sequencers have not yet.
		n, err := other.SequenceLogs(e.Ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d casts, %d leaves numbered by the racing recovery passes, %d by the last", len(creds), sequenced.Load(), n)

		sqlDB, err := e.DB.DB.DB()
		if err != nil {
			t.Fatal(err)
		}
		counts := func() string {
			var l, h int64
			e.DB.Raw("SELECT COUNT(*) FROM ballot_log_leaves WHERE vote_id = ?", id).Scan(&l)
			e.DB.Raw("SELECT COUNT(*) FROM ballot_log_heads WHERE vote_id = ?", id).Scan(&h)
			return fmt.Sprintf("leaves=%d heads=%d", l, h)
		}
		before := counts()
		if before != fmt.Sprintf("leaves=%d heads=0", len(creds)) {
			t.Fatalf("after the sequencers: %s", before)
		}

		_, _, closes := schedule()
		e.Clock.Set(closes.Add(1))
		if ok, err := other.Close(e.Ctx, id); err != nil || !ok {
			t.Fatalf("close: %v %v", ok, err)
		}
		key := e.Svc.Votes.LogSigner().Public()
		var closing ballotlog.Head
		seen := map[uint64]string{}
		for _, code := range receipts {
			p, ok, err := e.Svc.Votes.ReceiptProof(e.Ctx, code)
			if err != nil || !ok || p.Pending {
				t.Fatalf("receipt %s: %+v %v %v", code, p, ok, err)
			}
			if p.Head.Kind != ballotlog.HeadClose {
				t.Fatalf("receipt %s proved against a %s head", code, p.Head.Kind)
			}
			closing = p.Head
			if err := p.Head.Verify(key); err != nil {
				t.Fatal(err)
			}
			pr, err := ballotlog.ParseHexHashes(p.Proof)
			if err != nil {
				t.Fatal(err)
			}
			if err := ballotlog.VerifyInclusion([]byte(p.Leaf), p.Seq, pr, p.Head); err != nil {
				t.Errorf("receipt %s: %v", code, err)
			}
			if prev, dup := seen[p.Seq]; dup {
				t.Errorf("sequence %d given to %s and %s", p.Seq, prev, code)
			}
			seen[p.Seq] = code
		}
		if closing.Size != uint64(len(creds)) || len(seen) != len(creds) {
			t.Errorf("closing head of size %d, %d distinct sequences, %d ballots", closing.Size, len(seen), len(creds))
		}
		for i := range uint64(len(creds)) {
			if _, ok := seen[i]; !ok {
				t.Errorf("sequence %d skipped", i)
			}
		}

		// Thousands of leaves appended from many goroutines, each leaf handed to two
		// of them, as a sequencer and a sweep of another instance may both hold it.
		id2 := e.openSmallVote(t)
		const writers, perWriter = 16, 160
		leafOf := func(n int64) ballotlog.Leaf {
			return ballotlog.Leaf{Kind: ballotlog.KindOnline, Receipt: fmt.Sprintf("R-%06d", n), Area: 100 + n,
				Headcount: 1, Choices: `{"dismiss":"agree"}`, Time: time.Unix(1_700_000_000+n, 0).UTC(), BallotID: 1_000_000_000 + n}
		}
		locks := ballotlog.Locks{}
		if e.DB.Dialector.Name() == "mysql" {
			locks.State = " FOR UPDATE"
		}
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < perWriter; j += 8 {
					var leaves []ballotlog.Leaf
					for k := range 8 {
						leaves = append(leaves, leafOf(int64(w*perWriter+j+k)))
						// The same leaf, handed to the next writer too.
						leaves = append(leaves, leafOf(int64(((w+1)%writers)*perWriter+j+k)))
					}
					err := database.SQLTxOpts(e.Ctx, e.DB.DB, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, func(tx *sql.Tx) error {
						_, _, err := ballotlog.Append(e.Ctx, tx, locks, time.Now(), id2, leaves)
						return err
					})
					if err != nil {
						t.Errorf("append: %v", err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		const total = writers * perWriter
		hs, err := ballotlog.LeafHashes(e.Ctx, sqlDB, id2, total+1)
		if err != nil {
			t.Fatal(err) // a skipped sequence is reported here
		}
		var distinct, maxSeq int64
		e.DB.Raw("SELECT COUNT(DISTINCT ballot_id), MAX(seq) FROM ballot_log_leaves WHERE vote_id = ?", id2).Row().Scan(&distinct, &maxSeq)
		if len(hs) != total || distinct != total || maxSeq != total-1 {
			t.Fatalf("%d leaves, %d distinct ballots, last sequence %d; want %d", len(hs), distinct, maxSeq, total)
		}
		st, err := ballotlog.ReadState(e.Ctx, sqlDB, id2)
		if err != nil {
			t.Fatal(err)
		}
		root, _ := st.Root()
		want, _ := ballotlog.RootOf(hs)
		if st.Size != total || hex.EncodeToString(root) != hex.EncodeToString(want) {
			t.Errorf("state of size %d, root %x; leaves' root %x", st.Size, root, want)
		}
	})
}

// TestReceiptOfAnUnnumberedBallot: while a cast's leaf is not yet numbered, its
// receipt says the proof is being prepared, and reading it numbers and signs
// nothing; a cast whose leaf its process never numbered (a crash after the commit)
// is numbered by another instance's recovery pass, and the held sequencer then
// skips it; the proof is there.
func TestReceiptOfAnUnnumberedBallot(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id, creds := e.openSmallVoteWithLinks(t)
		answers := smallRosterAnswers(t)
		resume := e.Svc.Votes.HoldLogSequencer()
		r, err := e.Svc.Votes.CastOnline(e.Ctx, creds[0].Token, answers[creds[0].Rooms[0]], voting.Choices{"dismiss": {Option: "agree"}})
		if err != nil {
			t.Fatal(err)
		}
		counts := func() string {
			var l, h int64
			e.DB.Raw("SELECT COUNT(*) FROM ballot_log_leaves WHERE vote_id = ?", id).Scan(&l)
			e.DB.Raw("SELECT COUNT(*) FROM ballot_log_heads WHERE vote_id = ?", id).Scan(&h)
			return fmt.Sprintf("leaves=%d heads=%d", l, h)
		}
		if got := counts(); got != "leaves=0 heads=0" {
			t.Fatalf("after the cast: %s", got)
		}
		p, ok, err := e.Svc.Votes.ReceiptProof(e.Ctx, r.Code)
		if err != nil || !ok || !p.Pending || p.Leaf != "" {
			t.Fatalf("queued receipt: %+v %v %v", p, ok, err)
		}
		if got := counts(); got != "leaves=0 heads=0" {
			t.Fatalf("reading the receipt changed the log: %s", got)
		}
		// Another instance's recovery pass numbers the ballot this one holds.
		other := voting.New(e.DB.DB, e.Clock, e.Svc.Orgs, e.Svc.Roster, e.Svc.PII, "http://other.local", nil)
		if n, err := other.SequenceLogs(e.Ctx); err != nil || n != 1 {
			t.Fatalf("recovery pass: %d %v", n, err)
		}
		if n, err := other.SequenceLogs(e.Ctx); err != nil || n != 0 {
			t.Fatalf("second recovery pass: %d %v", n, err)
		}
		// The held sequencer, resumed, finds the leaf numbered and skips it.
		resume()
		waitFor(t, "the sequencer", e.Svc.Votes.LogSequencerIdle)
		if got := counts(); got != "leaves=1 heads=0" {
			t.Fatalf("after the sequencer: %s", got)
		}
		// Numbered but not yet under a signed head: the leaf, no proof, and reading
		// still signs nothing (a GET never does).
		p, ok, err = e.Svc.Votes.ReceiptProof(e.Ctx, r.Code)
		if err != nil || !ok || !p.Pending || p.Leaf == "" || p.Proof != nil {
			t.Fatalf("numbered receipt before a head: %+v %v %v", p, ok, err)
		}
		if got := counts(); got != "leaves=1 heads=0" {
			t.Fatalf("reading the numbered receipt changed the log: %s", got)
		}
		if _, err := e.Svc.Votes.CheckpointOpen(e.Ctx); err != nil {
			t.Fatal(err)
		}
		p, ok, err = e.Svc.Votes.ReceiptProof(e.Ctx, r.Code)
		if err != nil || !ok || p.Pending || p.Seq != 0 || p.Head.Size != 1 {
			t.Fatalf("numbered receipt under a checkpoint: %+v %v %v", p, ok, err)
		}
	})
}
