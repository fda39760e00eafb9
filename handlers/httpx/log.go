package httpx

import (
	"log/slog"
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"
)

// secretPath matches path segments that are credentials (ballot tokens, verification
// codes, complaints' private follow-up links /c/…): they are replaced before a path
// reaches a log line.
var secretPath = regexp.MustCompile(`/(b|ballots|v|c)/[A-Za-z0-9_\-]{16,}`)

// RedactPath hides credentials in a request path.
func RedactPath(p string) string {
	return secretPath.ReplaceAllString(p, "/$1/[redacted]")
}

// AccessLog logs one line per request: no query strings, no bodies, no personal data.
func AccessLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			status = StatusOf(err)
		}
		attrs := []any{
			"request_id", RequestID(c), "method", c.Method(), "path", RedactPath(c.Path()),
			"status", status, "duration_ms", time.Since(start).Milliseconds(),
		}
		if p, ok := Principal(c); ok {
			attrs = append(attrs, "user_id", p.UserID)
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.Log(c.UserContext(), level, "request", attrs...)
		return err
	}
}
