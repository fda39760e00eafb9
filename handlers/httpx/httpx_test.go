package httpx_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/handlers/httpx"
	"gongzhi/views"
)

// newApp is a fiber app whose error handler answers as the API does: the status of
// httpx.StatusOf and the body of httpx.AppError in the request's language.
func newApp() *fiber.App {
	v, err := views.New()
	if err != nil {
		panic(err)
	}
	return fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		ae := httpx.AppError(err)
		msg, details := httpx.Localize(ae, v.Translator(httpx.Lang(c, views.Languages())))
		return c.Status(httpx.StatusOf(err)).JSON(httpx.ErrorBody{Error: httpx.ErrorObject{Code: ae.Code, Message: msg,
			Details: details, RequestID: httpx.RequestID(c)}})
	}})
}

func do(t *testing.T, f *fiber.App, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := f.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func errorBody(t *testing.T, body string) httpx.ErrorObject {
	t.Helper()
	var b httpx.ErrorBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return b.Error
}

// Every application error code has its status, API.md's table; anything else is 500.
func TestStatusOfEveryCode(t *testing.T) {
	want := map[app.Code]int{
		app.EInvalid: 422, app.ENotFound: 404, app.EConflict: 409, app.EForbidden: 403, app.EPasswordChange: 403,
		app.EUnauthorized: 401, app.EGone: 410, app.ERateLimited: 429, app.EInternal: 500, "something_new": 500,
	}
	for c, s := range want {
		if got := httpx.Status(c); got != s {
			t.Errorf("%s: %d, want %d", c, got, s)
		}
		if got := httpx.StatusOf(fmt.Errorf("wrapped: %w", &app.Error{Code: c, Msg: app.Plain("m")})); got != s {
			t.Errorf("%s wrapped: %d, want %d", c, got, s)
		}
	}
	if got := httpx.StatusOf(errors.New("disk on fire")); got != 500 {
		t.Errorf("a plain error: %d, want 500", got)
	}
	if got := httpx.StatusOf(&httpx.Malformed{Err: app.Errorf(app.EInvalid, "bad JSON")}); got != 400 {
		t.Errorf("malformed input: %d, want 400", got)
	}
	if got := httpx.StatusOf(fiber.NewError(fiber.StatusRequestEntityTooLarge)); got != 413 {
		t.Errorf("a fiber error: %d, want its own 413", got)
	}
}

// Each code reaches the client with its status and a body carrying the code, the
// message and the details; an internal error shows a generic message only.
func TestErrorResponses(t *testing.T) {
	f := newApp()
	errs := map[string]error{
		"invalid":   app.Invalid("name", "名称须为 1 到 100 个字符"),
		"not_found": app.Errorf(app.ENotFound, "小区不存在"),
		"conflict":  app.Errorf(app.EConflict, "已投票"),
		"forbidden": app.Errorf(app.EForbidden, "无权"),
		"pwchange":  app.Errorf(app.EPasswordChange, "请先修改密码"),
		"unauth":    app.Errorf(app.EUnauthorized, "请先登录"),
		"gone":      app.Errorf(app.EGone, "表决已结束"),
		"limited":   app.Errorf(app.ERateLimited, "稍后再试"),
		"internal":  app.Internal(errors.New("dial tcp 10.0.0.7:3306: password=hunter2")),
		"plain":     errors.New("SELECT * FROM owners WHERE id_hash = 'abc'"),
		"malformed": &httpx.Malformed{Err: app.Errorf(app.EInvalid, "JSON 不完整")},
		"fiber404":  fiber.ErrNotFound,
		"fiber405":  fiber.ErrMethodNotAllowed,
		"fiber413":  fiber.ErrRequestEntityTooLarge,
		"fiber429":  fiber.ErrTooManyRequests,
		"fiber401":  fiber.ErrUnauthorized,
		"fiber403":  fiber.ErrForbidden,
		"fiber400":  fiber.NewError(400, "bad header"),
		"fiber503":  fiber.ErrServiceUnavailable,
	}
	for name, err := range errs {
		f.Get("/"+name, func(error) fiber.Handler { return func(*fiber.Ctx) error { return err } }(err))
	}
	want := []struct {
		name   string
		status int
		code   app.Code
	}{
		{"invalid", 422, app.EInvalid}, {"not_found", 404, app.ENotFound}, {"conflict", 409, app.EConflict},
		{"forbidden", 403, app.EForbidden}, {"pwchange", 403, app.EPasswordChange}, {"unauth", 401, app.EUnauthorized},
		{"gone", 410, app.EGone}, {"limited", 429, app.ERateLimited}, {"internal", 500, app.EInternal},
		{"plain", 500, app.EInternal}, {"malformed", 400, app.EInvalid},
		{"fiber404", 404, app.ENotFound}, {"fiber405", 405, app.EInvalid}, {"fiber413", 413, app.EInvalid},
		{"fiber429", 429, app.ERateLimited}, {"fiber401", 401, app.EUnauthorized}, {"fiber403", 403, app.EForbidden},
		{"fiber400", 400, app.EInvalid}, {"fiber503", 503, app.EInternal},
	}
	for _, w := range want {
		resp, body := do(t, f, httptest.NewRequest("GET", "/"+w.name, nil))
		e := errorBody(t, body)
		if resp.StatusCode != w.status || e.Code != w.code || e.Message == "" {
			t.Errorf("%s: %d %+v, want %d %s with a message", w.name, resp.StatusCode, e, w.status, w.code)
		}
		for _, secret := range []string{"hunter2", "10.0.0.7", "SELECT", "owners"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s: the body %s leaks %q", w.name, body, secret)
			}
		}
	}
	_, body := do(t, f, httptest.NewRequest("GET", "/invalid", nil))
	if e := errorBody(t, body); len(e.Details) != 1 || e.Details[0].Field != "name" {
		t.Errorf("invalid: details %+v, want the field named", e.Details)
	}
	_, body = do(t, f, httptest.NewRequest("GET", "/fiber400", nil))
	if e := errorBody(t, body); e.Message != "bad header" {
		t.Errorf("a fiber 4xx keeps its message: %q", e.Message)
	}
}

// csrfApp shows a form (echoing the token the page would embed) and accepts posts
// behind the CSRF check; signedIn puts a session's token in place first, as the
// sign-in middleware does.
func csrfApp(secure bool, session string) *fiber.App {
	f := newApp()
	if session != "" {
		f.Use(func(c *fiber.Ctx) error { c.Locals(httpx.LocalCSRF, session); return c.Next() })
	}
	f.Use(httpx.AnonCSRF(secure), httpx.CheckCSRF())
	f.Get("/form", func(c *fiber.Ctx) error { return c.SendString(c.Locals(httpx.LocalCSRF).(string)) })
	f.Post("/form", func(c *fiber.Ctx) error { return c.SendString("done") })
	return f
}

func post(token, cookie, header string) *http.Request {
	form := url.Values{}
	if token != "" {
		form.Set(httpx.CSRFField, token)
	}
	req := httptest.NewRequest("POST", "/form", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: httpx.CSRFCookie, Value: cookie})
	}
	if header != "" {
		req.Header.Set("X-CSRF-Token", header)
	}
	return req
}

// Before sign-in a visitor gets a random token in an HttpOnly, SameSite cookie and
// in the page; a post must carry it back (form field or header). Without it, with
// another token, or without the cookie the post is refused with 403 and the handler
// does not run.
func TestAnonymousCSRF(t *testing.T) {
	f := csrfApp(true, "")
	resp, tok := do(t, f, httptest.NewRequest("GET", "/form", nil))
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == httpx.CSRFCookie {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != tok || len(tok) < 32 || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie %+v, page token %q: want the same long token, HttpOnly, Secure, SameSite=Lax", cookie, tok)
	}
	// The same visitor keeps its token; another visitor gets another.
	req := httptest.NewRequest("GET", "/form", nil)
	req.AddCookie(&http.Cookie{Name: httpx.CSRFCookie, Value: tok})
	if resp, again := do(t, f, req); again != tok || len(resp.Cookies()) != 0 {
		t.Errorf("a returning visitor got token %q (cookies %v), want its own %q and no new cookie", again, resp.Cookies(), tok)
	}
	if _, other := do(t, f, httptest.NewRequest("GET", "/form", nil)); other == tok {
		t.Error("two visitors got the same token")
	}
	for name, c := range map[string]struct {
		req    *http.Request
		status int
	}{
		"field":         {post(tok, tok, ""), 200},
		"header":        {post("", tok, tok), 200},
		"no token":      {post("", tok, ""), 403},
		"wrong token":   {post(tok[:len(tok)-1]+"x", tok, ""), 403},
		"no cookie":     {post(tok, "", ""), 403},
		"short cookie":  {post("abc", "abc", ""), 403},
		"other's token": {post(strings.Repeat("A", 43), tok, ""), 403},
	} {
		resp, body := do(t, f, c.req)
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d %s, want %d", name, resp.StatusCode, body, c.status)
		}
		if c.status == 403 && (body == "done" || errorBody(t, body).Code != app.EForbidden) {
			t.Errorf("%s: refused with %s, want forbidden before the handler", name, body)
		}
	}
	if resp, _ := do(t, csrfApp(false, ""), httptest.NewRequest("GET", "/form", nil)); resp.Cookies()[0].Secure {
		t.Error("the cookie is Secure on a plain-HTTP site")
	}
}

// A signed-in request is checked against its session's token: no anonymous cookie
// is issued, and the cookie's token does not stand in for the session's.
func TestSessionCSRF(t *testing.T) {
	const session = "session-token-0123456789abcdef0123456789"
	f := csrfApp(true, session)
	resp, tok := do(t, f, httptest.NewRequest("GET", "/form", nil))
	if tok != session || len(resp.Cookies()) != 0 {
		t.Fatalf("page token %q, cookies %v: want the session's token and no cookie", tok, resp.Cookies())
	}
	if resp, _ := do(t, f, post(session, "", "")); resp.StatusCode != 200 {
		t.Errorf("the session's token: %d", resp.StatusCode)
	}
	anon := strings.Repeat("c", 43)
	if resp, _ := do(t, f, post(anon, anon, "")); resp.StatusCode != 403 {
		t.Errorf("a cookie's token on a signed-in post: %d, want 403", resp.StatusCode)
	}
	for _, m := range []string{"GET", "HEAD", "OPTIONS"} {
		g := newApp()
		g.Use(httpx.CheckCSRF())
		g.Add(m, "/x", func(c *fiber.Ctx) error { return c.SendStatus(204) })
		if resp, _ := do(t, g, httptest.NewRequest(m, "/x", nil)); resp.StatusCode != 204 {
			t.Errorf("%s is not state-changing but was refused: %d", m, resp.StatusCode)
		}
	}
	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		g := newApp()
		g.Use(func(c *fiber.Ctx) error { c.Locals(httpx.LocalCSRF, session); return c.Next() }, httpx.CheckCSRF())
		g.Add(m, "/x", func(c *fiber.Ctx) error { return c.SendStatus(204) })
		if resp, _ := do(t, g, httptest.NewRequest(m, "/x", nil)); resp.StatusCode != 403 {
			t.Errorf("%s without a token: %d, want 403", m, resp.StatusCode)
		}
	}
}

// Ballot tokens and verification codes never reach a log line.
func TestRedactPath(t *testing.T) {
	tok := "k3J9_x-QpL2mN8vR4tY6"
	cases := map[string]string{
		"/b/" + tok:                        "/b/[redacted]",
		"/b/" + tok + "/receipt":           "/b/[redacted]/receipt",
		"/ballots/" + tok + "/cast":        "/ballots/[redacted]/cast",
		"/api/v1/ballots/" + tok:           "/api/v1/ballots/[redacted]",
		"/v/" + tok:                        "/v/[redacted]",
		"/verify/" + tok:                   "/verify/" + tok, // a public receipt check, not a credential segment
		"/estates/12/votes/3":              "/estates/12/votes/3",
		"/b/short":                         "/b/short",
		"/api/v1/estates/4/ballots/" + tok: "/api/v1/estates/4/ballots/[redacted]",
	}
	for in, want := range cases {
		if got := httpx.RedactPath(in); got != want {
			t.Errorf("RedactPath(%q) = %q, want %q", in, got, want)
		}
	}
}
