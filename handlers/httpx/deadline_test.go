package httpx

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// TestWithDeadlineEndsWithBase: a request's context derives from the server's lifetime
// context, so ending it (at the shutdown deadline) cancels work still running; the
// request's own timeout still applies.
func TestWithDeadlineEndsWithBase(t *testing.T) {
	base, end := context.WithCancel(context.Background())
	defer end()
	started := make(chan struct{})
	f := fiber.New()
	f.Use(WithDeadline(base, time.Hour))
	f.Get("/long", func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		if d, ok := ctx.Deadline(); !ok || time.Until(d) > time.Hour {
			return errors.New("no request deadline")
		}
		close(started)
		<-ctx.Done() // long work that honours its context
		if errors.Is(ctx.Err(), context.Canceled) {
			return c.SendStatus(fiber.StatusServiceUnavailable)
		}
		return ctx.Err()
	})
	status := make(chan int, 1)
	go func() {
		resp, err := f.Test(httptest.NewRequest("GET", "/long", nil), -1)
		if err != nil {
			t.Error(err)
			status <- 0
			return
		}
		status <- resp.StatusCode
	}()
	<-started
	end()
	if s := <-status; s != fiber.StatusServiceUnavailable {
		t.Errorf("status %d: the request's work was not cancelled with the server's lifetime", s)
	}
}
