package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/handlers/httpx"
)

// Allow answers before the handler runs: 401 to a caller without a principal, 403
// (forbidden, the auditor's read-only message for an auditor) to a role the action's
// policy leaves out, whatever body it sent; a role in the policy reaches the handler.
func TestAllow(t *testing.T) {
	for _, c := range []struct {
		role    app.Role // "" = not signed in
		actions []access.Action
		status  int
	}{
		{"", []access.Action{access.RunVote}, 401},
		{app.RoleAuditor, []access.Action{access.RunVote}, 403},
		{app.RoleDistrict, []access.Action{access.RunVote}, 403},
		{app.RoleCommittee, []access.Action{access.ManageOrgs}, 403},
		{app.RoleCommunity, []access.Action{access.PrepCompose, access.CommitteeFiling}, 403},
		{app.RoleCommunity, []access.Action{access.PrepCompose, access.PrepWork}, 200},
		{app.RoleCommittee, []access.Action{access.RunVote}, 200},
		{app.RoleStreet, []access.Action{access.ManageOrgs}, 200},
		{app.RoleAdmin, []access.Action{access.CommitteeFiling}, 200},
		{app.RoleAuditor, nil, 200}, // no action named: any signed-in caller
	} {
		f := newApp()
		reached := false
		if c.role != "" {
			f.Use(func(ctx *fiber.Ctx) error {
				ctx.Locals(httpx.LocalPrincipal, app.Principal{UserID: 1, Role: c.role})
				return ctx.Next()
			})
		}
		f.Post("/x", httpx.Allow(c.actions...), func(ctx *fiber.Ctx) error {
			reached = true
			return httpx.BindJSON(ctx, &struct{}{})
		})
		resp, body := do(t, f, httptest.NewRequest("POST", "/x", strings.NewReader("{not json")))
		want := c.status
		if want == 200 {
			want = 400 // reached the handler, which refused the body
		}
		if resp.StatusCode != want || reached != (c.status == 200) {
			t.Errorf("%q %v: %d %s (handler reached %v), want %d", c.role, c.actions, resp.StatusCode, body, reached, want)
		}
		if c.role == app.RoleAuditor && c.status == 403 && !strings.Contains(errorBody(t, body).Message, "审计员") {
			t.Errorf("the auditor's refusal %s does not say it is read-only", body)
		}
	}
}

// The shared headers are on every response; the page policy only on HTML (and on
// error pages); HSTS only over TLS; everything private is no-store, public paths
// keep their own caching.
func TestSecurityHeaders(t *testing.T) {
	for _, secure := range []bool{false, true} {
		f := newApp()
		f.Use(httpx.SecurityHeaders(secure))
		f.Get("/page", func(c *fiber.Ctx) error { c.Type("html"); return c.SendString("<p>hi</p>") })
		f.Get("/api/v1/x", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"ok": true}) })
		f.Get("/broken", func(c *fiber.Ctx) error { return app.Errorf(app.ENotFound, "no") })
		f.Get("/static/app.css", func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
			c.Type("css")
			return c.SendString("p{}")
		})
		f.Get("/b/:token", func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderCacheControl, "public, max-age=3600") // a handler's own caching does not survive on a private path
			c.Type("html")
			return c.SendString("<p>ballot</p>")
		})
		for _, c := range []struct {
			path         string
			csp, noStore bool
			cacheControl string
			statusWant   int
		}{
			{path: "/page", csp: true, noStore: true, statusWant: 200},
			{path: "/api/v1/x", csp: false, noStore: true, statusWant: 200},
			{path: "/broken", csp: true, noStore: true, statusWant: 404},
			{path: "/static/app.css", csp: false, cacheControl: "public, max-age=3600", statusWant: 200},
			{path: "/b/k3J9xQpL2mN8vR4tY6", csp: true, noStore: true, statusWant: 200},
		} {
			resp, _ := do(t, f, httptest.NewRequest("GET", c.path, nil))
			h := resp.Header
			if resp.StatusCode != c.statusWant || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
				h.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s: %d %v: the shared headers are missing", c.path, resp.StatusCode, h)
			}
			if got := h.Get("Content-Security-Policy"); (got == httpx.ContentSecurityPolicy) != c.csp || (got != "" && !c.csp) {
				t.Errorf("%s: CSP %q, want it %v", c.path, got, c.csp)
			}
			if c.noStore && h.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", c.path, h.Get("Cache-Control"))
			}
			if c.cacheControl != "" && h.Get("Cache-Control") != c.cacheControl {
				t.Errorf("%s: Cache-Control %q, want the handler's %q", c.path, h.Get("Cache-Control"), c.cacheControl)
			}
			if got := h.Get("Strict-Transport-Security"); (got == httpx.HSTS) != secure || (got != "" && !secure) {
				t.Errorf("%s secure=%v: HSTS %q", c.path, secure, got)
			}
		}
	}
	if !strings.Contains(httpx.ContentSecurityPolicy, "script-src 'none'") || !strings.Contains(httpx.ContentSecurityPolicy, "frame-ancestors 'none'") {
		t.Errorf("the page policy allows scripts or framing: %s", httpx.ContentSecurityPolicy)
	}
}

// The access log writes one line per request with the redacted path, no query
// string, the status (the error's when the handler failed), the user id and never a
// body; a server error is logged at error level.
func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	f := newApp()
	f.Use(func(c *fiber.Ctx) error { c.Locals(httpx.LocalRequestID, "req-1"); return c.Next() }, httpx.AccessLog(log))
	f.Post("/b/:token", func(c *fiber.Ctx) error { return app.Errorf(app.EGone, "closed") })
	f.Get("/staff", func(c *fiber.Ctx) error {
		c.Locals(httpx.LocalPrincipal, app.Principal{UserID: 42, Role: app.RoleStreet})
		return c.SendString("ok")
	})
	f.Get("/boom", func(c *fiber.Ctx) error { return errors.New("db down") })
	secret := "k3J9_x-QpL2mN8vR4tY6"
	do(t, f, httptest.NewRequest("POST", "/b/"+secret+"?id=110101199001011234", strings.NewReader("choice=yes&id_number=110101199001011234")))
	do(t, f, httptest.NewRequest("GET", "/staff?q=张三", nil))
	do(t, f, httptest.NewRequest("GET", "/boom", nil))
	out := buf.String()
	for _, leak := range []string{secret, "110101199001011234", "choice", "张三", "db down"} {
		if strings.Contains(out, leak) {
			t.Errorf("the access log holds %q:\n%s", leak, out)
		}
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want one per request:\n%s", len(lines), out)
	}
	want := []struct {
		path   string
		status float64
		level  string
		user   any
	}{
		{"/b/[redacted]", 410, "INFO", nil},
		{"/staff", 200, "INFO", float64(42)},
		{"/boom", 500, "ERROR", nil},
	}
	for i, w := range want {
		l := lines[i]
		if l["path"] != w.path || l["status"] != w.status || l["level"] != w.level || l["user_id"] != w.user || l["request_id"] != "req-1" {
			t.Errorf("line %d: %v, want path %s status %v level %s user %v", i, l, w.path, w.status, w.level, w.user)
		}
	}
}

// The request context carries the request id (for the audit trail) and the
// request's own deadline.
func TestWithDeadlineCarriesRequestID(t *testing.T) {
	f := newApp()
	f.Use(func(c *fiber.Ctx) error { c.Locals(httpx.LocalRequestID, "req-7"); return c.Next() },
		httpx.WithDeadline(context.Background(), 50*time.Millisecond))
	f.Get("/", func(c *fiber.Ctx) error {
		ctx := httpx.Ctx(c)
		if app.RequestID(ctx) != "req-7" {
			return errors.New("no request id")
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			return errors.New("the request never timed out")
		}
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return ctx.Err()
		}
		return c.SendStatus(204)
	})
	if resp, body := do(t, f, httptest.NewRequest("GET", "/", nil)); resp.StatusCode != 204 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

type bindInput struct {
	Name  string `json:"name" validate:"required,max=5"`
	Count int    `json:"count" validate:"gte=1"`
	Kind  string `json:"kind" validate:"omitempty,oneof=a b"`
}

// JSON bodies are read strictly (400, naming the field, for unreadable input) and
// then validated (422, naming every bad field by its JSON name).
func TestBind(t *testing.T) {
	v := httpx.NewValidator()
	f := newApp()
	f.Post("/", func(c *fiber.Ctx) error {
		var in bindInput
		if err := v.Bind(c, &in); err != nil {
			return err
		}
		return c.JSON(in)
	})
	for _, c := range []struct {
		body   string
		status int
		fields []string
	}{
		{`{"name":"ab","count":2}`, 200, nil},
		{``, 400, nil},
		{`   `, 400, nil},
		{`{"name":"ab"`, 400, nil},
		{`{"name":"ab",}`, 400, nil},
		{`{"name":"ab","count":2,"admin":true}`, 400, []string{"admin"}},
		{`{"name":"ab","count":"2"}`, 400, []string{"count"}},
		{`{"name":"ab","count":2}{"name":"cd"}`, 400, nil},
		{`[1]`, 400, nil},
		{`{"count":0,"kind":"c"}`, 422, []string{"name", "count", "kind"}},
		{`{"name":"abcdef","count":1}`, 422, []string{"name"}},
	} {
		resp, body := do(t, f, httptest.NewRequest("POST", "/", strings.NewReader(c.body)))
		if resp.StatusCode != c.status {
			t.Errorf("%q: %d %s, want %d", c.body, resp.StatusCode, body, c.status)
			continue
		}
		if c.status == 200 {
			continue
		}
		e := errorBody(t, body)
		if e.Code != app.EInvalid || e.Message == "" {
			t.Errorf("%q: %+v, want invalid with a message", c.body, e)
		}
		var got []string
		for _, d := range e.Details {
			got = append(got, d.Field)
		}
		if strings.Join(got, ",") != strings.Join(c.fields, ",") {
			t.Errorf("%q: fields %v, want %v", c.body, got, c.fields)
		}
		if len(c.fields) > 0 && e.Message != e.Details[0].Message {
			t.Errorf("%q: message %q is not the first field's (%s: %q)", c.body, e.Message, c.fields[0], e.Details[0].Message)
		}
	}
}
