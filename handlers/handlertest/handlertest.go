// Package handlertest runs the real application (real migrations, real services,
// the real router) in tests and drives it like a client: JSON API calls with a
// bearer token, and browser-like form posts with cookies and CSRF tokens.
package handlertest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/config"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/demo"
	"gongzhi/app/services"
	"gongzhi/app/testkit"
	"gongzhi/handlers"
	"gongzhi/views"
)

// Env is a running application over one test database: the seeded services of
// app/testkit (T, DB, Svc, Clock, Demo, Admin, Ctx) with the real router.
type Env struct {
	*testkit.Env
	App     *fiber.App
	Config  config.Config
	AdminPW string
}

// TestSecret is the secret key of test environments.
const TestSecret = testkit.Secret

// AdminPassword is the platform admin's password in test environments.
const AdminPassword = testkit.AdminPassword

// Options are what a test environment may set beyond the defaults.
type Options struct {
	// Config overrides configuration variables: Config[k] replaces the test default
	// of k ("" restores the product's default).
	Config map[string]string
	// Clock is the one clock of the services, the router and the test browser; nil:
	// a new app.ManualClock (the real time until the test sets it).
	Clock *app.ManualClock
	// Services, when set, adjusts the services' options before they are built.
	Services func(*services.Options)
	// Log, when set, receives the router's log (access log, errors) as text, for a
	// test that checks what is logged; nil: discarded.
	Log io.Writer
}

// New builds the application over db, creates the admin, and seeds the demo data
// (two street offices, one estate each, one account per role).
func New(t testing.TB, db dbtest.DB) *Env {
	t.Helper()
	return Build(t, db, Options{})
}

// NewWith is New with configuration variables of its own: set[k] overrides the
// test default of k ("" restores the product's default).
func NewWith(t testing.TB, db dbtest.DB, set map[string]string) *Env {
	t.Helper()
	return Build(t, db, Options{Config: set})
}

// At is New on the given clock: tests move time with clock.Set and clock.Advance.
func At(t testing.TB, db dbtest.DB, clock *app.ManualClock) *Env {
	t.Helper()
	return Build(t, db, Options{Clock: clock})
}

// Build is New with options.
func Build(t testing.TB, db dbtest.DB, o Options) *Env {
	t.Helper()
	set := o.Config
	cfg, err := config.FromLookup(func(k string) (string, bool) {
		if v, ok := set[k]; ok {
			return v, true
		}
		switch k {
		case "DB_DRIVER":
			return db.Dialect, true
		case "DB_DSN":
			return db.DSN, true
		case "SECRET_KEY":
			return TestSecret, true
		case "LISTEN_ADDR":
			return "127.0.0.1:0", true
		case "PUBLIC_URL":
			return testkit.PublicURL, true
		case "LOGIN_RATE_LIMIT":
			return "1000", true
		case "BALLOT_RATE_LIMIT":
			return "100000", true
		}
		return "", false
	})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	kit := testkit.NewWith(t, db, testkit.Options{Clock: o.Clock, PublicURL: cfg.PublicURL, Services: o.Services})
	renderer, err := views.New()
	if err != nil {
		t.Fatalf("views: %v", err)
	}
	logins := demo.NewLogins(db.DB, kit.Demo.Accounts)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.Log != nil {
		logger = slog.New(slog.NewTextHandler(o.Log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	fapp := handlers.New(handlers.Deps{Config: cfg, DB: db.DB, Logger: logger, Views: renderer, Svc: kit.Svc, Demo: logins})
	return &Env{Env: kit, App: fapp, Config: cfg, AdminPW: AdminPassword}
}

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %d response %q: %v", r.Status, truncate(r.Body), err)
	}
}

// Map decodes the body as a JSON object.
func (r Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// ErrorCode returns error.code of an error body, or "".
func (r Response) ErrorCode() string {
	var b struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

func truncate(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

// Do sends req through the real router.
func (e *Env) Do(req *http.Request) Response {
	e.T.Helper()
	resp, err := e.App.Test(req, -1)
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatalf("reading body: %v", err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// API sends a JSON request with an optional bearer token; body may be a string,
// []byte or any value to marshal, or nil.
func (e *Env) API(method, path, token string, body any) Response {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.Do(req)
}

// Token signs in through the API and returns the bearer token.
func (e *Env) Token(username, password string) string {
	e.T.Helper()
	r := e.API("POST", "/api/v1/auth/token", "", map[string]string{"username": username, "password": password})
	if r.Status != 200 {
		e.T.Fatalf("token for %s: %d %s", username, r.Status, truncate(r.Body))
	}
	var out struct {
		Token string `json:"token"`
	}
	r.JSON(e.T, &out)
	return out.Token
}

// DemoToken signs in a demo account by username ("admin" for the admin).
func (e *Env) DemoToken(username string) string {
	e.T.Helper()
	if username == "admin" {
		return e.Token("admin", e.AdminPW)
	}
	for _, a := range e.Demo.Accounts {
		if a.Username == username {
			return e.Token(a.Username, a.Password)
		}
	}
	e.T.Fatalf("no demo account %q", username)
	return ""
}

// Upload posts a multipart file under field "file" with a bearer token.
func (e *Env) Upload(path, token, filename string, data []byte) Response {
	e.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		e.T.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		e.T.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		e.T.Fatal(err)
	}
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.Do(req)
}

// Browser is a cookie-keeping web client.
type Browser struct {
	env     *Env
	cookies map[string]string
}

// Browser starts a client with no cookies.
func (e *Env) Browser() *Browser { return &Browser{env: e, cookies: map[string]string{}} }

func (b *Browser) send(req *http.Request) Response {
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	req.Header.Set("Accept", "text/html")
	r := b.env.Do(req)
	for _, line := range r.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			continue
		}
		if c.MaxAge < 0 || c.Value == "" || (!c.Expires.IsZero() && c.Expires.Before(b.env.Clock.Now())) {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return r
}

// Get fetches a page.
func (b *Browser) Get(path string) Response {
	b.env.T.Helper()
	return b.send(httptest.NewRequest("GET", path, nil))
}

// Post submits a form as-is (the caller adds _csrf when it wants one).
func (b *Browser) Post(path string, form url.Values) Response {
	b.env.T.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// CSRF fetches page and returns the CSRF token embedded in its forms.
func (b *Browser) CSRF(page string) string {
	b.env.T.Helper()
	r := b.Get(page)
	m := csrfInput.FindSubmatch(r.Body)
	if m == nil {
		b.env.T.Fatalf("no CSRF token on %s (status %d)", page, r.Status)
	}
	return string(m[1])
}

// Submit posts a form with the CSRF token taken from page.
func (b *Browser) Submit(page, action string, form url.Values) Response {
	b.env.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", b.CSRF(page))
	return b.Post(action, form)
}

// Login signs in through the web form.
func (b *Browser) Login(username, password string) {
	b.env.T.Helper()
	r := b.Submit("/login", "/login", url.Values{"username": {username}, "password": {password}})
	if r.Status != http.StatusSeeOther {
		b.env.T.Fatalf("web login %s: status %d: %s", username, r.Status, truncate(r.Body))
	}
}

// SubmitFile posts a multipart form with one file and the CSRF token from page.
func (b *Browser) SubmitFile(page, action, field, filename string, data []byte, form url.Values) Response {
	b.env.T.Helper()
	csrf := b.CSRF(page)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	_ = mw.WriteField("_csrf", csrf)
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		b.env.T.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		b.env.T.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		b.env.T.Fatal(err)
	}
	req := httptest.NewRequest("POST", action, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.send(req)
}

// CookieHeader is the browser's cookies as a Cookie request header, for a test that
// talks to the server over a raw connection.
func (b *Browser) CookieHeader() string {
	parts := make([]string, 0, len(b.cookies))
	for k, v := range b.cookies {
		parts = append(parts, k+"="+v)
	}
	return "Cookie: " + strings.Join(parts, "; ") + "\r\n"
}
