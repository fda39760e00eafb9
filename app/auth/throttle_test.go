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

// Concurrent failures on one account, from as many addresses, are all counted: the
// count is raised by one upsert, never read and written back. Attempts refused by
// the back-off (429) are not counted, so the wait afterwards follows from the
// number of 401 answers: 30 s after 5 failures, doubling per failure to 300 s.
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
		if failed < 5 {
			t.Fatalf("only %d of 12 concurrent attempts were checked", failed)
		}
		want := min(30<<(failed-5), 300)
		_, err := svc.Login(ctx, auth.Credentials{Username: "nobody", Password: "Wrong-Pass-2026", Address: "198.51.100.1"}, auth.KindAPI)
		if secs, ok := auth.RetryAfter(err); !ok || secs != want {
			t.Fatalf("after %d concurrent failures: %v (Retry-After %d), want %d", failed, err, secs, want)
		}
	})
}
