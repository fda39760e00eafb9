package documents_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"gongzhi/models"
)

// renderCancelCtx is a request context that is cancelled once the PDF renderer has
// checked it a given number of times: a cancellation in the middle of rendering, at
// the same point on every run, while the service's database work before it is
// unaffected.
type renderCancelCtx struct {
	context.Context
	left atomic.Int64
	once sync.Once
	done chan struct{}
}

func newRenderCancelCtx(renderChecks int64) *renderCancelCtx {
	c := &renderCancelCtx{Context: context.Background(), done: make(chan struct{})}
	c.left.Store(renderChecks)
	return c
}

func (c *renderCancelCtx) Done() <-chan struct{} { return c.done }

func (c *renderCancelCtx) Err() error {
	select {
	case <-c.done:
		return context.Canceled
	default:
	}
	if pc, _, _, ok := runtime.Caller(1); ok && strings.HasPrefix(runtime.FuncForPC(pc).Name(), "gongzhi/app/pdfdoc.") {
		if c.left.Add(-1) < 0 {
			c.once.Do(func() { close(c.done) })
			return context.Canceled
		}
	}
	return nil
}

// TestNoticesCancelledMidRender: a notices request cancelled while its PDF is being
// rendered returns context.Canceled, stores no document and leaves the series free: the
// next request issues version 1.
func TestNoticesCancelledMidRender(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id := e.demoVote(t, "阳光花园2026年第一次业主大会会议", demoItems())
		creds, err := e.Svc.Votes.Credentials(e.Ctx, e.Admin, id)
		if err != nil {
			t.Fatal(err)
		}
		// One check per QR code, one for the layout, then one per notice and page:
		// cancelled a few notices into the batch.
		ctx := newRenderCancelCtx(int64(len(creds)) + 5)
		_, err = e.Svc.Documents.IssueNotices(ctx, e.Admin, id)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled notices: %v, want context.Canceled", err)
		}
		if ctx.left.Load() > 0 {
			t.Fatalf("the render finished before the cancellation (%d checks left)", ctx.left.Load())
		}
		var stored int64
		if err := e.DB.Model(&models.Document{}).Where("vote_id = ? AND kind = ?", id, models.DocNotices).Count(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if stored != 0 {
			t.Errorf("%d notice documents stored by a cancelled request", stored)
		}
		f, err := e.Svc.Documents.IssueNotices(e.Ctx, e.Admin, id)
		if err != nil || f.Version != 1 || f.Pages < len(creds) {
			t.Fatalf("notices after the cancelled request: version %d, %d pages, %v", f.Version, f.Pages, err)
		}
	})
}
