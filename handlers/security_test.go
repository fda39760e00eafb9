package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"gongzhi/app/demo"
	"gongzhi/handlers"
	"gongzhi/handlers/handlertest"
	"gongzhi/handlers/httpx"
	"gongzhi/views"
)

// TestSecurityHeadersOnTheRealRouter checks, route by route, the headers of
// issue 10 finding 9: no-store on ballot, receipt, credential and sign-in
// responses (and caching left alone on static files and public pages), the
// Content-Security-Policy on HTML only, and HSTS only when cookies are Secure.
// It also checks that the pages fetched satisfy the policy: no script, no
// inline event handler, no <style> element, nothing loaded from another origin.
func TestSecurityHeadersOnTheRealRouter(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		committee := env.DemoToken("committee")
		id := env.openDemoVote(t, committee)
		var token string
		for _, c := range env.credentials(t, committee, id) {
			token = c.Token
			break
		}
		staff := env.Browser()
		staff.Login("committee", "Demo2026committee")
		owner := env.Browser()

		cases := []struct {
			name    string
			get     func() handlertest.Response
			noStore bool
			html    bool
			maxAge  bool // the handler's own caching survives
		}{
			{"login page", func() handlertest.Response { return env.Browser().Get("/login") }, true, true, false},
			{"ballot page", func() handlertest.Response { return owner.Get("/b/" + token) }, true, true, false},
			{"receipt page", func() handlertest.Response { return owner.Get("/b/" + token + "/receipt") }, true, false, false},
			{"receipt check", func() handlertest.Response { return owner.Get("/receipt?code=ABCD-EFGH-JKLM-NPQR") }, true, true, false},
			{"unknown ballot link (error page)", func() handlertest.Response { return owner.Get("/b/" + strings.Repeat("x", 43)) }, true, true, false},
			{"ballot API", func() handlertest.Response { return env.API("GET", "/api/v1/ballots/"+token, "", nil) }, true, false, false},
			{"receipt API", func() handlertest.Response { return env.API("GET", "/api/v1/receipts/ABCD-EFGH-JKLM-NPQR", "", nil) }, true, false, false},
			{"credentials page", func() handlertest.Response { return staff.Get(fmt.Sprintf("/votes/%d/credentials", id)) }, true, true, false},
			{"credentials API", func() handlertest.Response {
				return env.API("GET", fmt.Sprintf("/api/v1/votes/%d/credentials", id), committee, nil)
			}, true, false, false},
			{"token API", func() handlertest.Response {
				return env.API("POST", "/api/v1/auth/token", "", `{"username":"street","password":"Demo2026street"}`)
			}, true, false, false},
			{"staff vote page", func() handlertest.Response { return staff.Get(fmt.Sprintf("/votes/%d", id)) }, true, true, false},
			{"static stylesheet", func() handlertest.Response { return owner.Get("/static/app.css") }, false, false, true},
			{"public results", func() handlertest.Response { return owner.Get(fmt.Sprintf("/public/votes/%d", id)) }, false, true, false},
			{"health", func() handlertest.Response { return owner.Get("/healthz") }, false, false, false},
		}
		for _, tc := range cases {
			r := tc.get()
			cc, csp := r.Header.Get("Cache-Control"), r.Header.Get("Content-Security-Policy")
			if got := cc == "no-store"; got != tc.noStore {
				t.Errorf("%s (%d): Cache-Control %q, want no-store %v", tc.name, r.Status, cc, tc.noStore)
			}
			if tc.maxAge && !strings.Contains(cc, "max-age") {
				t.Errorf("%s: Cache-Control %q lost the handler's max-age", tc.name, cc)
			}
			isHTML := strings.HasPrefix(r.Header.Get("Content-Type"), "text/html")
			if tc.html && !isHTML {
				t.Errorf("%s (%d): content type %q, want an HTML page", tc.name, r.Status, r.Header.Get("Content-Type"))
			}
			// Every HTML page carries the policy; a successful JSON, PDF or file
			// response does not (an error body may keep it: it is harmless there).
			if (isHTML && csp != httpx.ContentSecurityPolicy) || (!isHTML && r.Status < 400 && csp != "") {
				t.Errorf("%s (%d, %s): Content-Security-Policy %q", tc.name, r.Status, r.Header.Get("Content-Type"), csp)
			}
			if r.Header.Get("X-Frame-Options") != "DENY" || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
				r.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s: base headers missing: %v", tc.name, r.Header)
			}
			if r.Header.Get("Strict-Transport-Security") != "" {
				t.Errorf("%s: HSTS sent although cookies are not Secure", tc.name)
			}
			if isHTML {
				assertSatisfiesCSP(t, tc.name, r.Body)
			}
		}

		// The same application with Secure cookies (served over TLS) sends HSTS.
		cfg := env.Config
		cfg.CookieSecure = true
		renderer, err := views.New()
		if err != nil {
			t.Fatal(err)
		}
		secure := handlers.New(handlers.Deps{Config: cfg, DB: env.DB.DB, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Views: renderer, Svc: env.Svc, Demo: demo.NewLogins(env.DB.DB, demo.Accounts())})
		for _, path := range []string{"/login", "/b/" + token, "/api/v1/ballots/" + token, "/static/app.css"} {
			resp, err := secure.Test(httptest.NewRequest("GET", path, nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if got := resp.Header.Get("Strict-Transport-Security"); got != httpx.HSTS {
				t.Errorf("%s with Secure cookies: Strict-Transport-Security %q, want %q", path, got, httpx.HSTS)
			}
		}
	})
}

// assertSatisfiesCSP fails when a page needs more than ContentSecurityPolicy
// allows: scripts, inline handlers, <style> elements, or other origins.
func assertSatisfiesCSP(t *testing.T, name string, body []byte) {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if n := doc.Find("script, style, iframe, object, embed, base").Length(); n > 0 {
		t.Errorf("%s: %d elements the policy refuses (script, style, frames, base)", name, n)
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("%s: inline event handler %s=%q", name, a.Key, a.Val)
			}
			if (a.Key == "src" || a.Key == "href" || a.Key == "action") &&
				(strings.HasPrefix(a.Val, "http") || strings.HasPrefix(a.Val, "//") || strings.HasPrefix(strings.ToLower(a.Val), "javascript:")) {
				if a.Key != "href" || strings.HasPrefix(strings.ToLower(a.Val), "javascript:") {
					t.Errorf("%s: %s=%q loads from another origin", name, a.Key, a.Val)
				}
			}
			if a.Key == "src" && strings.HasPrefix(a.Val, "data:") && !strings.HasPrefix(a.Val, "data:image/") {
				t.Errorf("%s: src=%q is not an image data URI", name, a.Val)
			}
		}
	})
}

// TestLoginListsDemoAccountsOnlyWithTheirDemoPasswords: the sign-in page lists a
// demo account while its stored password hash still matches the demo password;
// after a password change (or when the account is disabled) it is gone.
func TestLoginListsDemoAccountsOnlyWithTheirDemoPasswords(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		listed := func() map[string]string {
			r := env.Browser().Get("/login")
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			doc.Find("details.demo tbody tr").Each(func(_ int, s *goquery.Selection) {
				out[s.Find("td").Eq(0).Text()] = s.Find("td").Eq(1).Text()
			})
			return out
		}
		before := listed()
		if len(before) != len(demo.Accounts()) || before["street"] != "Demo2026street" {
			t.Fatalf("demo accounts listed before any change: %v", before)
		}
		hash, err := env.Svc.Auth.HashPassword("Changed-Passw0rd-2026")
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := env.DB.WithContext(ctx).Exec("UPDATE users SET password_hash = ? WHERE username = ?", hash, "street").Error; err != nil {
			t.Fatal(err)
		}
		if err := env.DB.WithContext(ctx).Exec("UPDATE users SET disabled = ? WHERE username = ?", true, "auditor").Error; err != nil {
			t.Fatal(err)
		}
		after := listed()
		if _, ok := after["street"]; ok {
			t.Errorf("street is still listed with its demo password after a password change: %v", after)
		}
		if _, ok := after["auditor"]; ok {
			t.Errorf("a disabled demo account is still listed: %v", after)
		}
		if after["committee"] != "Demo2026committee" || len(after) != len(demo.Accounts())-2 {
			t.Errorf("the unchanged demo accounts: %v", after)
		}
		// A failed sign-in re-renders the page with the same, current list.
		r := env.Browser().Submit("/login", "/login", map[string][]string{"username": {"street"}, "password": {"Demo2026street"}})
		if bytes.Contains(r.Body, []byte("Demo2026street<")) {
			t.Errorf("the failed sign-in page still shows street's demo password")
		}
	})
}
