package auth_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/auth"
	"gongzhi/app/database/dbtest"
)

// Concurrent attempts on one account, from as many addresses, cannot outrun the
// back-off: each attempt is counted atomically before its password is compared, so
// of 12 simultaneous guesses only the 5 free ones are compared (401) and the rest
// wait (429) — and none of the counted failures is lost.
func TestConcurrentFailuresAllCounted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := auth.New(db.DB, time.Hour, 4)
		now := time.Now().UTC()
		svc.SetClock(func() time.Time { return now })
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
