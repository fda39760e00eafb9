package documents

import (
	"context"
	"errors"
	"fmt"

	"gongzhi/app"
)

// Rendering a PDF is the heaviest work a request can start: the notices of a large
// estate take thousands of pages, a core and hundreds of megabytes for many seconds.
// The service therefore renders at most len(s.slots) documents at once (one per
// core, as the QR encoding of a batch already uses every core); a request waits for a
// slot as long as its context lasts and then gets a "busy, try again" answer instead
// of piling more work onto a saturated server. Serving a document already stored takes
// no slot. A render runs under the request's context, so a cancelled request or one
// past its deadline (REQUEST_TIMEOUT, or the shutdown deadline) stops it, and nothing
// is stored.

// errBusy is the answer when no rendering slot came free in time.
func errBusy(cause error) error {
	return &app.Error{Code: app.ERateLimited, Msg: app.Plain("服务器正忙：正在生成的文件较多，请稍后重试"), Err: cause}
}

// acquireRender waits for a rendering slot until ctx ends. The returned function
// gives the slot back.
func (s *Service) acquireRender(ctx context.Context) (func(), error) {
	release := func() { <-s.slots }
	select {
	case s.slots <- struct{}{}:
		return release, nil
	default:
	}
	select {
	case s.slots <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, errBusy(fmt.Errorf("waiting for a rendering slot: %w", ctx.Err()))
	}
}

// renderBounded renders in a slot (see acquireRender) under ctx, naming what it
// renders in the error.
func (s *Service) renderBounded(ctx context.Context, what string, render func(context.Context) ([]byte, error)) ([]byte, error) {
	release, err := s.acquireRender(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	data, err := render(ctx)
	if err != nil {
		return nil, renderError(what, err)
	}
	return data, nil
}

// renderError is the application error for a failed render: one that ran past the
// request's deadline says so (it is still logged, as an operator may need a longer
// REQUEST_TIMEOUT for the notices of a very large estate).
func renderError(what string, err error) error {
	err = fmt.Errorf("rendering %s: %w", what, err)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &app.Error{Code: app.EInternal, Msg: app.Plain("生成文件超时，请稍后重试；如仍超时请联系管理员"), Err: err}
	case errors.Is(err, context.Canceled):
		return &app.Error{Code: app.EInternal, Msg: app.Plain("生成文件已中止：请求已取消或服务器正在停止，请稍后重试"), Err: err}
	}
	return app.Internal(err)
}
