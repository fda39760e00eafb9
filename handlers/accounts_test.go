package handlers_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/valyala/fasthttp"

	"gongzhi/app"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// apiFrom sends a JSON request through the real router as if it came from the
// client address ip (app.Test always uses 0.0.0.0).
func apiFrom(t *testing.T, env *handlertest.Env, ip, method, path, token string, body any) handlertest.Response {
	t.Helper()
	var buf []byte
	if body != nil {
		var err error
		if buf, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(buf))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	var raw bytes.Buffer
	if err := req.Write(&raw); err != nil {
		t.Fatal(err)
	}
	var freq fasthttp.Request
	if err := freq.Read(bufio.NewReader(&raw)); err != nil {
		t.Fatal(err)
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&freq, &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000}, nil)
	env.App.Handler()(&ctx)
	h := http.Header{}
	ctx.Response.Header.VisitAll(func(k, v []byte) { h.Add(string(k), string(v)) })
	return handlertest.Response{Status: ctx.Response.StatusCode(), Header: h, Body: append([]byte(nil), ctx.Response.Body()...)}
}

func tokenFrom(t *testing.T, env *handlertest.Env, ip, username, password string) handlertest.Response {
	t.Helper()
	return apiFrom(t, env, ip, "POST", "/api/v1/auth/token", "", map[string]string{"username": username, "password": password})
}

var requestIDField = regexp.MustCompile(`"request_id":"[^"]*"`)

func withoutRequestID(b []byte) string { return string(requestIDField.ReplaceAll(b, nil)) }

// newClock stops the environment's clock at the current instant: fixed until advanced.
func newClock(env *handlertest.Env) *app.ManualClock {
	env.Clock.Set(time.Now().UTC())
	return env.Clock
}

func userID(t *testing.T, env *handlertest.Env, username string) int64 {
	t.Helper()
	var u models.User
	if err := env.DB.Where("username = ?", username).First(&u).Error; err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return u.ID
}

// Six wrong passwords (an attacker at the route limit) do not lock the committee out:
// its owner, signing in from the address it used before, still gets in.
func TestWrongPasswordsDoNotLockTheOwnerOut(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		const owner, attacker = "192.0.2.10", "198.51.100.7"
		if r := tokenFrom(t, env, owner, "committee", "Demo2026committee"); r.Status != 200 {
			t.Fatalf("first sign-in: %d %s", r.Status, r.Body)
		}
		for i := 0; i < 6; i++ {
			if r := tokenFrom(t, env, attacker, "committee", fmt.Sprintf("Guess-%d-wrong", i)); r.Status == 200 {
				t.Fatalf("wrong password %d accepted", i)
			}
		}
		if r := tokenFrom(t, env, owner, "committee", "Demo2026committee"); r.Status != 200 {
			t.Fatalf("owner locked out after 6 wrong passwords from elsewhere: %d %s", r.Status, r.Body)
		}
	})
}

// Unknown user, wrong password and a disabled account get the same status and
// byte-identical bodies, but for the request id; so do the back-offs that follow
// repeated failures on an account that exists and on one that does not.
func TestLoginFailuresLookAlike(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		clock := newClock(env)
		b := env.Browser()
		b.Login("admin", env.AdminPW)
		if r := b.Submit("/users", fmt.Sprintf("/users/%d/disable", userID(t, env, "street2")), nil); r.Status != http.StatusSeeOther {
			t.Fatalf("disable street2: %d", r.Status)
		}
		const ip1, ip2 = "203.0.113.5", "203.0.113.6"
		for i := 0; i < 6; i++ {
			unknown := tokenFrom(t, env, ip1, "ghost-user", "Whatever-2026x")
			wrong := tokenFrom(t, env, ip2, "community", "Whatever-2026x")
			want := 401
			if i == 5 {
				want = 429
			}
			if unknown.Status != want || wrong.Status != want || withoutRequestID(wrong.Body) != withoutRequestID(unknown.Body) ||
				wrong.Header.Get("Retry-After") != unknown.Header.Get("Retry-After") {
				t.Errorf("attempt %d: wrong password %d %s (Retry-After %q); unknown user %d %s (Retry-After %q)", i+1,
					wrong.Status, wrong.Body, wrong.Header.Get("Retry-After"), unknown.Status, unknown.Body, unknown.Header.Get("Retry-After"))
			}
		}
		clock.Advance(time.Hour)
		unknown := tokenFrom(t, env, "203.0.113.7", "ghost-user-2", "Demo2026street2")
		disabled := tokenFrom(t, env, "203.0.113.7", "street2", "Demo2026street2")
		if disabled.Status != 401 || withoutRequestID(disabled.Body) != withoutRequestID(unknown.Body) {
			t.Errorf("disabled: %d %s; unknown user: %d %s", disabled.Status, disabled.Body, unknown.Status, unknown.Body)
		}

		// The web form shows the same message for each.
		msg := func(username, password string) (int, string) {
			r := env.Browser().Submit("/login", "/login", url.Values{"username": {username}, "password": {password}})
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			return r.Status, strings.TrimSpace(doc.Find(".flash.err").Text())
		}
		s1, m1 := msg("ghost-user", "Whatever-2026x")
		s2, m2 := msg("street", "Wrong-pass-2026")
		s3, m3 := msg("street2", "Demo2026street2")
		if m1 == "" || s1 != s2 || s1 != s3 || m1 != m2 || m1 != m3 {
			t.Errorf("web messages differ: %d %q / %d %q / %d %q", s1, m1, s2, m2, s3, m3)
		}
	})
}

// A street office cannot create, reset, disable or enable its own auditor's
// account; the district above it and the platform admin can.
func TestAuditorAccountsManagedFromAbove(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		street := orgID(t, env, "幸福街道办事处")
		auditor := userID(t, env, "auditor")
		body := map[string]any{"username": "street-audit", "password": "Kx7#pLm2vQ9r", "role": "auditor", "org_id": street}
		if r := env.API("POST", "/api/v1/users", env.DemoToken("street"), body); r.Status != 403 {
			t.Errorf("street creates its own auditor: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", "/api/v1/users", env.DemoToken("district"), body); r.Status != 201 {
			t.Errorf("district creates the street's auditor: %d %s", r.Status, r.Body)
		}

		streetTok := env.DemoToken("street")
		if r := env.API("POST", fmt.Sprintf("/api/v1/users/%d/password", auditor), streetTok, map[string]string{"password": "Street-took-over-9"}); r.Status != 403 {
			t.Errorf("API: street resets its own auditor: %d %s", r.Status, r.Body)
		}
		for _, path := range []string{"disable", "enable"} {
			if r := env.API("POST", fmt.Sprintf("/api/v1/users/%d/%s", auditor, path), streetTok, nil); r.Status != 403 {
				t.Errorf("API: street %s its own auditor: %d %s", path, r.Status, r.Body)
			}
		}
		// Street staff still manage their communities' accounts.
		if r := env.API("POST", fmt.Sprintf("/api/v1/users/%d/disable", userID(t, env, "community")), streetTok, nil); r.Status != 204 {
			t.Errorf("API: street disables its community's account: %d %s", r.Status, r.Body)
		}

		sb := env.Browser()
		sb.Login("street", "Demo2026street")
		for _, action := range []string{"disable", "enable"} {
			if r := sb.Submit("/users", fmt.Sprintf("/users/%d/%s", auditor, action), nil); r.Status != 403 {
				t.Errorf("street %s its own auditor: %d", action, r.Status)
			}
		}
		if r := sb.Submit("/users", fmt.Sprintf("/users/%d/password", auditor), url.Values{"password": {"Street-took-over-9"}}); r.Status != 403 {
			t.Errorf("street resets its own auditor's password: %d", r.Status)
		}
		if r := env.API("POST", "/api/v1/auth/token", "", map[string]string{"username": "auditor", "password": "Street-took-over-9"}); r.Status == 200 {
			t.Fatal("street signed in as its auditor")
		}

		db := env.Browser()
		db.Login("district", "Demo2026district")
		if r := db.Submit("/users", fmt.Sprintf("/users/%d/password", auditor), url.Values{"password": {"District-set-9x"}}); r.Status != http.StatusSeeOther {
			t.Errorf("district resets the street's auditor: %d %s", r.Status, r.Body)
		}
		if r := db.Submit("/users", fmt.Sprintf("/users/%d/disable", auditor), nil); r.Status != http.StatusSeeOther {
			t.Errorf("district disables the street's auditor: %d", r.Status)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/users/%d/password", auditor), env.DemoToken("admin"), map[string]string{"password": "Admin-set-9x-Audit"}); r.Status != 204 {
			t.Errorf("API: admin resets the auditor: %d %s", r.Status, r.Body)
		}
		ab := env.Browser()
		ab.Login("admin", env.AdminPW)
		if r := ab.Submit("/users", fmt.Sprintf("/users/%d/enable", auditor), nil); r.Status != http.StatusSeeOther {
			t.Errorf("admin enables the auditor: %d", r.Status)
		}
	})
}

// Weak passwords are refused on creation, naming the field.
func TestWeakPasswordsRefused(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		tok := env.DemoToken("street")
		community := orgID(t, env, "和谐社区")
		for _, pw := range []string{"aaaaaaaaa1", "1234567890", "Password123", "Newclerk-2026", "Short1!"} {
			r := env.API("POST", "/api/v1/users", tok, map[string]any{"username": "newclerk", "password": pw, "role": "community", "org_id": community})
			if r.Status != 422 || !strings.Contains(string(r.Body), `"field":"password"`) {
				t.Errorf("password %q: %d %s", pw, r.Status, r.Body)
			}
		}
		var n int64
		env.DB.Model(&models.User{}).Where("username = ?", "newclerk").Count(&n)
		if n != 0 {
			t.Errorf("weak password created the account")
		}
	})
}

// Repeated failures slow down further attempts, per account and per address, with
// 429 and Retry-After doubling up to a cap; nothing locks the account.
func TestSignInBackOff(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		clock := newClock(env)
		retry := func(r handlertest.Response) string { return r.Header.Get("Retry-After") }

		// Per account: five failures from one address, then the sixth attempt — the
		// right password, from an address new to the account — waits 30 s.
		for i := 0; i < 5; i++ {
			if r := tokenFrom(t, env, "192.0.2.1", "committee", "Wrong-Pass-2026"); r.Status != 401 {
				t.Fatalf("failure %d: %d %s", i+1, r.Status, r.Body)
			}
		}
		r := tokenFrom(t, env, "192.0.2.2", "committee", "Demo2026committee")
		if r.Status != 429 || retry(r) != "30" || r.ErrorCode() != "rate_limited" {
			t.Fatalf("sixth attempt: %d Retry-After %q %s", r.Status, retry(r), r.Body)
		}
		clock.Advance(30 * time.Second)
		if r := tokenFrom(t, env, "192.0.2.2", "committee", "Demo2026committee"); r.Status != 200 {
			t.Fatalf("after the wait: %d %s", r.Status, r.Body)
		}

		// The account's wait doubles, up to 5 minutes, however many addresses try.
		for f := 1; f <= 13; f++ {
			if r := tokenFrom(t, env, fmt.Sprintf("198.51.100.%d", f), "committee", "Wrong-Pass-2026"); r.Status != 401 {
				t.Fatalf("failure %d refused although the wait was over: %d %s", f, r.Status, r.Body)
			}
			if f < 5 {
				continue
			}
			probe := tokenFrom(t, env, fmt.Sprintf("198.51.100.%d", 100+f), "committee", "Wrong-Pass-2026")
			want := min(30<<(f-5), 300)
			if probe.Status != 429 || retry(probe) != fmt.Sprint(want) {
				t.Fatalf("after failure %d: %d Retry-After %q, want 429 %d", f, probe.Status, retry(probe), want)
			}
			if f == 13 {
				break // leave the account in its back-off
			}
			clock.Advance(time.Duration(want) * time.Second)
		}
		// The owner's address (it signed in above) is not held back by the account's wait.
		if r := tokenFrom(t, env, "192.0.2.2", "committee", "Demo2026committee"); r.Status != 200 {
			t.Fatalf("owner kept out: %d %s", r.Status, r.Body)
		}

		// Per address: one address trying many accounts waits after 10 failures, for
		// every account, and the wait doubles.
		for i := 0; i < 10; i++ {
			if r := tokenFrom(t, env, "192.0.2.50", fmt.Sprintf("user%d", i), "Wrong-Pass-2026"); r.Status != 401 {
				t.Fatalf("address failure %d: %d", i+1, r.Status)
			}
		}
		if r := tokenFrom(t, env, "192.0.2.50", "street", "Demo2026street"); r.Status != 429 || retry(r) != "30" {
			t.Fatalf("11th attempt from the address: %d Retry-After %q", r.Status, retry(r))
		}
		if r := tokenFrom(t, env, "192.0.2.51", "street", "Demo2026street"); r.Status != 200 {
			t.Fatalf("another address held back: %d", r.Status)
		}
		clock.Advance(30 * time.Second)
		tokenFrom(t, env, "192.0.2.50", "user99", "Wrong-Pass-2026")
		if r := tokenFrom(t, env, "192.0.2.50", "street", "Demo2026street"); r.Status != 429 || retry(r) != "60" {
			t.Fatalf("12th failure from the address: %d Retry-After %q", r.Status, retry(r))
		}
		// An hour without a failure and the address's count starts again.
		clock.Advance(61 * time.Minute)
		for i := 0; i < 2; i++ {
			if r := tokenFrom(t, env, "192.0.2.50", "user1", "Wrong-Pass-2026"); r.Status != 401 {
				t.Fatalf("failure %d after an hour: %d Retry-After %q", i+1, r.Status, retry(r))
			}
		}

		// The web form is throttled the same way, with Retry-After.
		web := env.Browser()
		for i := 0; i < 5; i++ {
			web.Submit("/login", "/login", url.Values{"username": {"street2"}, "password": {"Wrong-Pass-2026"}})
		}
		wr := web.Submit("/login", "/login", url.Values{"username": {"street2"}, "password": {"Demo2026street2"}})
		if wr.Status != 429 || retry(wr) != "30" {
			t.Errorf("web sign-in after 5 failures: %d Retry-After %q", wr.Status, retry(wr))
		}
	})
}

// A reset by someone else forces a change at the next sign-in, on the web and
// through the API; after the change the account works normally.
func TestResetForcesPasswordChange(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		district := env.DemoToken("district")
		street := userID(t, env, "street")
		if r := env.API("POST", fmt.Sprintf("/api/v1/users/%d/password", street), district, map[string]string{"password": "aaaaaaaaa1"}); r.Status != 422 || !strings.Contains(string(r.Body), `"field":"password"`) {
			t.Fatalf("weak reset: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/users/%d/password", street), district, map[string]string{"password": "Reset-By-District-7"}); r.Status != 204 {
			t.Fatalf("reset: %d %s", r.Status, r.Body)
		}
		var list []map[string]any
		env.API("GET", "/api/v1/users", district, nil).JSON(t, &list)
		for _, u := range list {
			if u["username"] == "street" && u["must_change_password"] != true {
				t.Errorf("listed street: %v", u)
			}
		}
		if r := env.API("POST", "/api/v1/auth/token", "", map[string]string{"username": "street", "password": "Demo2026street"}); r.Status != 401 {
			t.Errorf("old password: %d", r.Status)
		}
		r := env.API("POST", "/api/v1/auth/token", "", map[string]string{"username": "street", "password": "Reset-By-District-7"})
		if r.Status != 403 || r.ErrorCode() != "password_change_required" {
			t.Fatalf("token after reset: %d %s", r.Status, r.Body)
		}

		// The web: sign-in leads to the change page, and nothing else opens.
		b := env.Browser()
		r = b.Submit("/login", "/login", url.Values{"username": {"street"}, "password": {"Reset-By-District-7"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/password" {
			t.Fatalf("web sign-in after reset: %d → %q", r.Status, r.Header.Get("Location"))
		}
		if r := b.Get("/estates"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/password" {
			t.Errorf("estates before the change: %d → %q", r.Status, r.Header.Get("Location"))
		}
		if r := b.Get("/password"); r.Status != 200 || !bytes.Contains(r.Body, []byte(`id="forced"`)) {
			t.Errorf("change page: %d", r.Status)
		}
		change := func(current, next, confirm string) handlertest.Response {
			return b.Submit("/password", "/password", url.Values{"current_password": {current}, "new_password": {next}, "new_password_confirm": {confirm}})
		}
		for _, c := range []struct{ current, next, confirm, field string }{
			{"Reset-By-District-7", "Lantern-Own-2026!", "Lantern-Own-2026?", "new_password_confirm"},
			{"Reset-By-District-7", "aaaaaaaaa1", "aaaaaaaaa1", "new_password"},
			{"Reset-By-District-7", "MyStreet-2026", "MyStreet-2026", "new_password"},
			{"Reset-By-District-7", "Reset-By-District-7", "Reset-By-District-7", "new_password"},
		} {
			if r := change(c.current, c.next, c.confirm); r.Status != 422 || !regexp.MustCompile(`data-fields="[^"]*\b`+c.field+`\b`).Match(r.Body) {
				t.Errorf("change to %q: %d, want 422 naming %s", c.next, r.Status, c.field)
			}
		}
		if r := change("Not-The-Current-1", "Lantern-Own-2026!", "Lantern-Own-2026!"); r.Status != 401 {
			t.Errorf("wrong current password: %d", r.Status)
		}
		if r := change("Reset-By-District-7", "Lantern-Own-2026!", "Lantern-Own-2026!"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			t.Fatalf("change: %d → %q %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		if r := b.Get("/estates"); r.Status != 200 {
			t.Errorf("estates after the change: %d", r.Status)
		}
		tok := env.Token("street", "Lantern-Own-2026!")
		if r := env.API("GET", "/api/v1/me", tok, nil); r.Status != 200 {
			t.Errorf("me after the change: %d", r.Status)
		}

		// The API: a reset account changes its password with the current one and gets a token.
		if r := env.API("POST", fmt.Sprintf("/api/v1/users/%d/password", userID(t, env, "community")), district, map[string]string{"password": "Reset-By-District-8"}); r.Status != 204 {
			t.Fatalf("reset community: %d %s", r.Status, r.Body)
		}
		r = env.API("POST", "/api/v1/auth/password", "", map[string]string{"username": "community", "current_password": "Reset-By-District-8", "new_password": "community-2026-X"})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"field":"new_password"`) {
			t.Errorf("API change to a password with the username: %d %s", r.Status, r.Body)
		}
		r = env.API("POST", "/api/v1/auth/password", "", map[string]string{"username": "community", "current_password": "Reset-By-District-8", "new_password": "Kettle&Moon-42"})
		var out struct {
			Token string `json:"token"`
		}
		r.JSON(t, &out)
		if r.Status != 200 || out.Token == "" {
			t.Fatalf("API change: %d %s", r.Status, r.Body)
		}
		if r := env.API("GET", "/api/v1/me", out.Token, nil); r.Status != 200 {
			t.Errorf("token from the change: %d", r.Status)
		}
		if r := env.API("POST", "/api/v1/auth/token", "", map[string]string{"username": "community", "password": "Kettle&Moon-42"}); r.Status != 200 {
			t.Errorf("sign-in after the API change: %d %s", r.Status, r.Body)
		}
		// The demo accounts were never reset: they sign in without a forced change.
		if r := env.API("POST", "/api/v1/auth/token", "", map[string]string{"username": "committee", "password": "Demo2026committee"}); r.Status != 200 {
			t.Errorf("demo committee: %d %s", r.Status, r.Body)
		}
	})
}
