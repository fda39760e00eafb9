package documents

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"gongzhi/app"
)

// TestRenderSlotsBound: with every rendering slot held by a render that blocks, no
// further render starts; a caller whose context ends while it waits gets the "busy"
// rate-limited error (429) wrapping its context's error, not a hang; once the blocked
// renders finish the waiting ones run, never more than the slots at once.
func TestRenderSlotsBound(t *testing.T) {
	const slots, callers = 3, 9
	s := &Service{slots: make(chan struct{}, slots)}
	var active, peak atomic.Int32
	entered := make(chan struct{}, callers)
	unblock := make(chan struct{})
	render := func(context.Context) ([]byte, error) {
		n := active.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		entered <- struct{}{}
		<-unblock
		active.Add(-1)
		return []byte("%PDF"), nil
	}
	var wg sync.WaitGroup
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() { _, errs[i] = s.renderBounded(context.Background(), "test", render) })
	}
	for range slots {
		<-entered
	}
	// Every slot is taken by a blocked render: a caller whose deadline passes while it
	// waits is told the server is busy.
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	_, err := s.renderBounded(ctx, "late", render)
	if app.ErrorCode(err) != app.ERateLimited || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting past the deadline: %v, want rate_limited wrapping DeadlineExceeded", err)
	}
	cancelled, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	if _, err := s.renderBounded(cancelled, "gone", render); app.ErrorCode(err) != app.ERateLimited || !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled caller: %v, want rate_limited wrapping Canceled", err)
	}
	if got := active.Load(); got != slots {
		t.Errorf("%d renders running with %d slots", got, slots)
	}
	close(unblock)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if p := peak.Load(); p > slots {
		t.Errorf("%d renders ran at once with %d slots", p, slots)
	}
	if len(s.slots) != 0 {
		t.Errorf("%d slots still held after every render returned", len(s.slots))
	}
}

// TestRenderErrors: a render past its deadline gets its own message, both keep the cause.
func TestRenderErrors(t *testing.T) {
	s := &Service{slots: make(chan struct{}, 1)}
	_, err := s.renderBounded(context.Background(), "x", func(context.Context) ([]byte, error) {
		return nil, context.DeadlineExceeded
	})
	var ae *app.Error
	if !errors.As(err, &ae) || ae.Code != app.EInternal || ae.Msg.Key == app.Internal(nil).Msg.Key || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("render past its deadline: %v", err)
	}
	if len(s.slots) != 0 {
		t.Error("a failed render kept its slot")
	}
}
