package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/handlers/httpx"
)

// parseTime reads an RFC 3339 instant; empty is the zero time (the service reports
// a required field).
func parseTime(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, app.Invalid(field, app.M("err.api.must_be_an_rfc_3339_time"))
	}
	return t, nil
}

// optTime renders an optional instant in UTC (nil and zero stay null).
func optTime(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// optionalPrincipal is the caller of a route with optional auth when a bearer token
// was given, else nil.
func optionalPrincipal(c *fiber.Ctx) *app.Principal {
	if p, ok := httpx.Principal(c); ok {
		return &p
	}
	return nil
}

// nonNil keeps empty lists as [] in JSON.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
