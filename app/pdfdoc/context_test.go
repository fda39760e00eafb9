package pdfdoc

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// countdownCtx is a context that reports itself cancelled once Err has been asked
// a given number of times: cancellation at a chosen moment in the middle of a render,
// without timing.
type countdownCtx struct {
	context.Context
	left  atomic.Int64
	asked atomic.Int64 // calls after cancellation
}

func newCountdown(n int64) *countdownCtx {
	c := &countdownCtx{Context: context.Background()}
	c.left.Store(n)
	return c
}

func (c *countdownCtx) Err() error {
	if c.left.Add(-1) < 0 {
		c.asked.Add(1)
		return context.Canceled
	}
	return nil
}

// TestNoticesStopWhenCancelled: a notices batch whose context is cancelled part way
// (after its QR codes, in the middle of the notices) stops with context.Canceled and
// writes nothing.
func TestNoticesStopWhenCancelled(t *testing.T) {
	r := newTestRenderer(t)
	notices := sampleNotices(60, 2, 0)
	// The QR encoder asks once per code; then newLayout once, then each notice and page.
	ctx := newCountdown(int64(len(notices)) + 20)
	var buf bytes.Buffer
	err := r.Notices(ctx, &buf, notices, fixedMeta)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Notices: %v, want context.Canceled", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written by a cancelled render", buf.Len())
	}
	// Stopping means not rendering the remaining notices: one check sees the
	// cancellation and the loop ends (a page break may look once more).
	if n := ctx.asked.Load(); n > 2 {
		t.Errorf("the context was asked %d times after it was cancelled: the render went on", n)
	}
}

// TestRenderersRefuseDoneContext: every renderer returns the context's error, and
// writes nothing, for a context that is already done, in the QR codes or at the start.
func TestRenderersRefuseDoneContext(t *testing.T) {
	r := newTestRenderer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, render := range map[string]func(*bytes.Buffer) error{
		"notices":    func(w *bytes.Buffer) error { return r.Notices(ctx, w, sampleNotices(3, 1, 0), fixedMeta) },
		"resolution": func(w *bytes.Buffer) error { return r.Resolution(ctx, w, sampleResolution(), fixedMeta) },
		"minutes":    func(w *bytes.Buffer) error { return r.Minutes(ctx, w, sampleMinutes(), fixedMeta) },
	} {
		var buf bytes.Buffer
		if err := render(&buf); !errors.Is(err, context.Canceled) || buf.Len() != 0 {
			t.Errorf("%s: %v with %d bytes, want context.Canceled and nothing", name, err, buf.Len())
		}
	}
	// Cancelled while drawing a resolution's tables: the result is the context's error.
	for _, n := range []int64{1, 3, 6} {
		var buf bytes.Buffer
		if err := r.Resolution(newCountdown(n), &buf, sampleResolution(), fixedMeta); !errors.Is(err, context.Canceled) || buf.Len() != 0 {
			t.Errorf("resolution cancelled after %d checks: %v with %d bytes", n, err, buf.Len())
		}
	}
}
