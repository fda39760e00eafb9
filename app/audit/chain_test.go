package audit_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/database/dbtest"
	"gongzhi/models"
)

var staff = app.Principal{UserID: 0, Username: "street1", Role: app.RoleStreet}

func record(t *testing.T, db *gorm.DB, action string, detail map[string]any) {
	t.Helper()
	err := database.Tx(context.Background(), db, func(tx *gorm.DB) error {
		return audit.Record(context.Background(), tx, staff, audit.Entry{Action: action, TargetType: "vote", TargetID: 7, EstateID: 0, Detail: detail})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func newSigner(t *testing.T) audit.KeySigner {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return audit.KeySigner{Key: priv}
}

// TestChainConcurrentAppends: many transactions recording at once leave one chain
// without gaps or forks, and Check agrees; signed heads verify.
func TestChainConcurrentAppends(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		signer := newSigner(t)
		if _, err := audit.SignHead(ctx, db.DB, signer, time.Now()); err != nil {
			t.Fatal(err)
		}
		const workers, each = 8, 6
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					err := database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
						// Some other write first, as a use case does, then the audit row.
						if err := tx.Exec("UPDATE audit_chain SET id = id WHERE id = 0").Error; err != nil {
							return err
						}
						return audit.Record(ctx, tx, staff, audit.Entry{Action: "test.append", Detail: map[string]any{"w": w, "i": i}})
					})
					errs <- err
				}
			}()
			if w == workers/2 {
				if _, err := audit.SignHead(ctx, db.DB, signer, time.Now()); err != nil {
					t.Error(err)
				}
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := audit.SignHead(ctx, db.DB, signer, time.Now()); err != nil {
			t.Fatal(err)
		}
		rep, err := audit.Check(ctx, db.DB, signer.PublicKey())
		if err != nil || rep.Broken != nil {
			t.Fatalf("check: %+v %v", rep.Broken, err)
		}
		if rep.Entries != workers*each || rep.Heads != 3 {
			t.Fatalf("entries %d heads %d, want %d and 3", rep.Entries, rep.Heads, workers*each)
		}
		var rows []models.AuditLog
		db.Order("seq").Find(&rows)
		for i, r := range rows {
			if r.Seq != int64(i+1) || (i > 0 && r.PrevHash != rows[i-1].Hash) {
				t.Fatalf("row %d: seq %d prev %s", i, r.Seq, r.PrevHash)
			}
		}
		// Another key than the trusted one is refused.
		other := newSigner(t)
		if rep, _ := audit.Check(ctx, db.DB, other.PublicKey()); rep.Broken == nil || !strings.Contains(rep.Broken.Reason, "other than the trusted") {
			t.Fatalf("untrusted key accepted: %+v", rep.Broken)
		}
	})
}

// TestAuditLogRefusesUpdateAndDelete: the database itself refuses both.
func TestAuditLogRefusesUpdateAndDelete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		record(t, db.DB, "test.one", nil)
		if err := db.Exec("UPDATE audit_logs SET action = 'x'").Error; err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("UPDATE: %v", err)
		}
		if err := db.Exec("DELETE FROM audit_logs").Error; err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("DELETE: %v", err)
		}
		if _, err := audit.SignHead(context.Background(), db.DB, newSigner(t), time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("UPDATE audit_heads SET hash = 'x'").Error; err == nil {
			t.Fatal("UPDATE audit_heads allowed")
		}
		if err := db.Exec("DELETE FROM audit_heads").Error; err == nil {
			t.Fatal("DELETE audit_heads allowed")
		}
	})
}

func dropTriggers(t *testing.T, db *gorm.DB) {
	for _, n := range []string{"audit_logs_no_update", "audit_logs_no_delete", "audit_heads_no_update"} {
		if err := db.Exec("DROP TRIGGER " + n).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckFindsTampering: with the triggers dropped (as an intruder with the
// database's owner rights would), each kind of change is named at its entry.
func TestCheckFindsTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper string
		seq    int64
		reason string
	}{
		{"changed detail", "UPDATE audit_logs SET detail = '{\"x\":99}' WHERE seq = 3", 3, "hash does not match"},
		{"changed time", "UPDATE audit_logs SET at = '2020-01-01 00:00:00' WHERE seq = 2", 2, "hash does not match"},
		{"changed hash", "UPDATE audit_logs SET hash = 'aa' WHERE seq = 3", 3, "hash does not match"},
		{"deleted entry", "DELETE FROM audit_logs WHERE seq = 4", 4, "entry missing"},
		{"deleted tail", "DELETE FROM audit_logs WHERE seq = 5", 5, "chain head"},
		{"changed head", "UPDATE audit_heads SET hash = 'bb'", 2, "signature does not verify"},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
				ctx := context.Background()
				signer := newSigner(t)
				for i := range 5 {
					record(t, db.DB, fmt.Sprintf("test.%d", i), map[string]any{"x": i})
					if i == 1 {
						if _, err := audit.SignHead(ctx, db.DB, signer, time.Now()); err != nil {
							t.Fatal(err)
						}
					}
				}
				if rep, err := audit.Check(ctx, db.DB, signer.PublicKey()); err != nil || rep.Broken != nil || rep.Entries != 5 {
					t.Fatalf("clean chain: %+v %v", rep, err)
				}
				dropTriggers(t, db.DB)
				if err := db.Exec(c.tamper).Error; err != nil {
					t.Fatal(err)
				}
				rep, err := audit.Check(ctx, db.DB, signer.PublicKey())
				if err != nil {
					t.Fatal(err)
				}
				if rep.Broken == nil || rep.Broken.Seq != c.seq || !strings.Contains(rep.Broken.Reason, c.reason) {
					t.Fatalf("want seq %d %q, got %+v", c.seq, c.reason, rep.Broken)
				}
			})
		})
	}
}

// TestBackfillChainsOldRows: rows written before migration 00022 (seq = id, no
// hash) are renumbered and chained once; later appends follow them.
func TestBackfillChainsOldRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		for i := range 3 {
			// ids with a gap, as a rolled-back insert leaves them.
			id := []int64{1, 2, 5}[i]
			if err := db.Exec("INSERT INTO audit_logs (id, at, username, role, action, detail, seq) VALUES (?, ?, 'old', 'admin', 'old.action', '', ?)",
				id, time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC), id).Error; err != nil {
				t.Fatal(err)
			}
		}
		key := newSigner(t).PublicKey() // no heads: any expected key
		if rep, err := audit.Check(ctx, db.DB, key); err != nil || rep.Broken == nil || !strings.Contains(rep.Broken.Reason, "not chained yet") {
			t.Fatalf("before the backfill: %+v %v", rep.Broken, err)
		}
		n, err := audit.Backfill(ctx, db.DB)
		if err != nil || n != 3 {
			t.Fatalf("backfill %d %v", n, err)
		}
		if n, err := audit.Backfill(ctx, db.DB); err != nil || n != 0 {
			t.Fatalf("second backfill %d %v", n, err)
		}
		record(t, db.DB, "new.action", nil)
		rep, err := audit.Check(ctx, db.DB, key)
		if err != nil || rep.Broken != nil || rep.Entries != 4 {
			t.Fatalf("%+v %v", rep, err)
		}
		if err := db.Exec("UPDATE audit_logs SET action = 'x' WHERE id = 1").Error; err == nil {
			t.Fatal("a backfilled row can still be changed")
		}
	})
}

// TestSignHeadIfGrown signs only when the chain grew since the last head.
func TestSignHeadIfGrown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx, signer := context.Background(), newSigner(t)
		steps := []struct {
			record bool
			signed bool
		}{{false, true}, {false, false}, {true, true}, {false, false}, {true, true}}
		for i, st := range steps {
			if st.record {
				record(t, db.DB, "test.grow", nil)
			}
			signed, err := audit.SignHeadIfGrown(ctx, db.DB, signer, time.Now())
			if err != nil || signed != st.signed {
				t.Fatalf("step %d: signed %v, %v", i, signed, err)
			}
		}
		if rep, err := audit.Check(ctx, db.DB, signer.PublicKey()); err != nil || rep.Broken != nil || rep.Heads != 3 {
			t.Fatalf("%+v %v", rep, err)
		}
	})
}

// TestRunHeadSigner signs at start and after the chain grows, and stops with its context.
func TestRunHeadSigner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			audit.RunHeadSigner(ctx, db.DB, newSigner(t), 20*time.Millisecond, time.Now, slog.New(slog.DiscardHandler))
			close(done)
		}()
		waitFor := func(seq int64) {
			deadline := time.Now().Add(5 * time.Second)
			for {
				var heads []models.AuditHead
				db.Order("id").Find(&heads)
				if len(heads) > 0 && heads[len(heads)-1].Seq == seq {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("want a head at seq %d: %+v", seq, heads)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		waitFor(0)
		record(t, db.DB, "test.signer", nil)
		waitFor(1)
		record(t, db.DB, "test.signer", nil)
		waitFor(2)
		cancel()
		<-done
	})
}

// TestCheckReadsOneSnapshot: entries appended while the check is walking the chain
// (right after it read the first entry) never make a sound chain look broken when
// the check runs in database.ReadSnapshot, as Check does; the same check outside a
// snapshot sees the new chain head beside the old entries and raises a false alarm,
// which shows the test appends at the moment that matters.
func TestCheckReadsOneSnapshot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		signer := newSigner(t)
		for i := range 3 {
			record(t, db.DB, fmt.Sprintf("test.%d", i), nil)
		}
		if _, err := audit.SignHead(ctx, db.DB, signer, time.Now()); err != nil {
			t.Fatal(err)
		}
		appendTwo := func() {
			for i := range 2 {
				record(t, db.DB, fmt.Sprintf("test.concurrent.%d", i), nil)
			}
		}
		var rep audit.Report
		err := database.ReadSnapshot(ctx, db.DB, func(tx *gorm.DB) error {
			var err error
			rep, err = audit.CheckWithHook(ctx, tx, signer.PublicKey(), appendTwo)
			return err
		})
		if err != nil || rep.Broken != nil || rep.Entries != 3 || rep.Heads != 1 {
			t.Fatalf("in a snapshot, with appends during the check: %+v %v", rep, err)
		}
		// Outside a snapshot: a false alarm.
		rep, err = audit.CheckWithHook(ctx, db.DB, signer.PublicKey(), appendTwo)
		if err != nil || rep.Broken == nil {
			t.Fatalf("outside a snapshot the appends went unseen (the test proves nothing): %+v %v", rep, err)
		}
		t.Logf("outside a snapshot: %v", rep.Broken)
		// And Check itself, afterwards: all 7 entries hold.
		if rep, err := audit.Check(ctx, db.DB, signer.PublicKey()); err != nil || rep.Broken != nil || rep.Entries != 7 {
			t.Fatalf("after the appends: %+v %v", rep, err)
		}
		if _, err := audit.Check(ctx, db.DB, nil); err == nil {
			t.Fatal("a check without the expected key ran")
		}
	})
}
