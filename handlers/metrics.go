package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app/metrics"
	"gongzhi/handlers/httpx"
)

// observeRequests records every request's latency in m by method, route pattern and
// status. The route is the pattern of the last handler the request reached (a
// request that only middleware answered, such as the sign-in redirect of an unknown
// path, carries that middleware's mount, "/" or "/api/v1"): label values come from
// the registered routes only, so a scan of random paths cannot multiply them.
func observeRequests(m *metrics.Metrics) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			status = httpx.StatusOf(err)
		}
		m.ObserveHTTP(c.Method(), c.Route().Path, status, time.Since(start))
		return err
	}
}
