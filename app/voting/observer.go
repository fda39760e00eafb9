package voting

import (
	"context"
	"time"

	"gongzhi/app"
)

// Observer receives what the online cast path measures, for monitoring (the
// server's Prometheus metrics, app/metrics). Its methods are called on the cast
// path and must not block.
type Observer interface {
	// CastDone is called once per online cast: reason is "" for an accepted ballot,
	// else the app error code of the refusal (forbidden: wrong identity check, locked
	// or revoked link; conflict: already voted; gone: not open; invalid; not_found;
	// internal), and took is the time from the call to its answer.
	CastDone(reason app.Code, took time.Duration)
	// CastBatch is called once per group-commit write, with the number of ballots it took.
	CastBatch(size int)
	// CastQueue is called whenever the queue of ballots waiting for a write changes,
	// with its length.
	CastQueue(depth int)
}

// SetObserver makes o (nil: none) receive the service's cast measurements. Call it
// once, while wiring the service and before it serves.
func (s *Service) SetObserver(o Observer) {
	if o == nil {
		return
	}
	s.observer = o
	s.casts.depth = o.CastQueue
}

// CastOnline casts the ballot of a personal link from an unknown client address:
// CastOnlineFrom with client "".
func (s *Service) CastOnline(ctx context.Context, token, idCheck string, choices Choices) (Receipt, error) {
	return s.CastOnlineFrom(ctx, "", token, idCheck, choices)
}

// CastOnlineFrom casts the ballot of a personal link sent from client (the
// client's address as the rate limits key it, httpx.LimitKey; "" unknown): see
// castOnline, whose outcome and latency it reports to the observer. The address is
// kept only as a keyed hash (clientHash).
func (s *Service) CastOnlineFrom(ctx context.Context, client, token, idCheck string, choices Choices) (Receipt, error) {
	if s.observer == nil {
		return s.castOnline(ctx, client, token, idCheck, choices)
	}
	start := time.Now()
	r, err := s.castOnline(ctx, client, token, idCheck, choices)
	s.observer.CastDone(app.ErrorCode(err), time.Since(start))
	return r, err
}
