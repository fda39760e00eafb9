package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/auth"
	"gongzhi/app/database/dbtest"
	"gongzhi/models"

	"gorm.io/gorm"
)

// Concurrent attempts on one account, from as many addresses, cannot outrun the
// back-off: each attempt is counted atomically before its password is compared, so
// of 12 simultaneous guesses only the 5 free ones are compared (401) and the rest
// wait (429) — and none of the counted failures is lost.
func TestConcurrentFailuresAllCounted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		clock := app.NewManualClock(time.Now().UTC())
		svc := auth.New(db.DB, clock, time.Hour, 4, []byte("throttle-test-key-0123456789abcdef"))
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 12)
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := svc.Login(ctx, auth.Credentials{Username: "nobody", Password: "Wrong-Pass-2026", Address: fmt.Sprintf("192.0.2.%d", i)}, auth.KindAPI)
				errs <- err
			}(i)
		}
		wg.Wait()
		close(errs)
		failed := 0
		for err := range errs {
			switch app.ErrorCode(err) {
			case app.EUnauthorized:
				failed++
			case app.ERateLimited:
			default:
				t.Fatalf("concurrent failure: %v", err)
			}
		}
		if failed != 5 {
			t.Errorf("%d of 12 concurrent guesses were compared, want the 5 free ones", failed)
		}
		_, err := svc.Login(ctx, auth.Credentials{Username: "nobody", Password: "Wrong-Pass-2026", Address: "198.51.100.1"}, auth.KindAPI)
		if secs, ok := auth.RetryAfter(err); !ok || secs != 30 {
			t.Fatalf("after the concurrent guesses: %v (Retry-After %d), want 30", err, secs)
		}
	})
}

// throttleKeys lists the stored keys of the sign-in back-off.
func throttleKeys(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	var keys []string
	if err := db.Model(&models.LoginThrottle{}).Order("key_hash").Pluck("key_hash", &keys).Error; err != nil {
		t.Fatal(err)
	}
	return keys
}

// A failure row lives only as long as it matters: once its back-off has passed and
// Forget has elapsed it is purged; the record of an address that signed in to an
// account lives KnownFor (90 days), and nothing else does.
func TestPurgeThrottleRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		clock := app.NewManualClock(time.Now().UTC())
		svc := auth.New(db.DB, clock, time.Hour, 4, []byte("throttle-test-key-0123456789abcdef"))
		ctx := context.Background()
		if _, _, err := svc.EnsureAdmin(ctx, "root", "Platform-Pass-2026"); err != nil {
			t.Fatal(err)
		}
		for i := range 12 { // into the address's and the account's back-off
			_, _ = svc.Login(ctx, auth.Credentials{Username: "ghost", Password: "Wrong-Pass-2026", Address: "192.0.2.1"}, auth.KindAPI)
			clock.Advance(time.Duration(i) * time.Second)
		}
		if _, err := svc.Login(ctx, auth.Credentials{Username: "root", Password: "Platform-Pass-2026", Address: "192.0.2.9"}, auth.KindAPI); err != nil {
			t.Fatal(err)
		}
		if n := len(throttleKeys(t, db.DB)); n != 4 {
			t.Fatalf("%d throttle rows, want 4 (two addresses, one account, one known address)", n)
		}
		// Within the hour nothing is purged.
		clock.Advance(30 * time.Minute)
		if _, err := svc.PurgeExpired(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(throttleKeys(t, db.DB)); n != 4 {
			t.Errorf("%d throttle rows after 30 minutes, want 4", n)
		}
		// Past the back-off and Forget only the known address remains…
		clock.Advance(31 * time.Minute)
		if _, err := svc.PurgeExpired(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(throttleKeys(t, db.DB)); n != 1 {
			t.Errorf("%d throttle rows an hour after the last failure, want 1 (the known address)", n)
		}
		// …and it, too, goes after KnownFor.
		clock.Advance(auth.DefaultThrottle.KnownFor)
		if _, err := svc.PurgeExpired(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(throttleKeys(t, db.DB)); n != 0 {
			t.Errorf("%d throttle rows after 90 days, want none", n)
		}
	})
}

// The stored keys are keyed hashes: neither the address nor the typed username can
// be found from them by hashing guesses without the server's key, and another key
// gives other rows.
func TestThrottleKeysAreKeyed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		attempt := func(key string) {
			svc := auth.New(db.DB, nil, time.Hour, 4, []byte(key))
			_, _ = svc.Login(ctx, auth.Credentials{Username: "Secret-Typed-In-Name", Password: "Wrong-Pass-2026", Address: "192.0.2.1"}, auth.KindAPI)
		}
		attempt("throttle-test-key-A-0123456789abcdef")
		for _, k := range throttleKeys(t, db.DB) {
			for _, clear := range []string{"address:192.0.2.1", "account:secret-typed-in-name"} {
				sum := sha256.Sum256([]byte(clear))
				if k == hex.EncodeToString(sum[:]) {
					t.Errorf("stored throttle key is the unkeyed SHA-256 of %q", clear)
				}
			}
		}
		attempt("throttle-test-key-B-0123456789abcdef")
		if n := len(throttleKeys(t, db.DB)); n != 4 {
			t.Errorf("%d throttle rows after the same attempt under two keys, want 4", n)
		}
	})
}
