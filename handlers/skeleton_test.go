package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"gongzhi/app/database/dbtest"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

func each(t *testing.T, fn func(t *testing.T, env *handlertest.Env)) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) { fn(t, handlertest.New(t, db)) })
}

func estateID(t *testing.T, env *handlertest.Env, name string) int64 {
	t.Helper()
	var e models.Estate
	if err := env.DB.Where("name = ?", name).First(&e).Error; err != nil {
		t.Fatalf("estate %s: %v", name, err)
	}
	return e.ID
}

func orgID(t *testing.T, env *handlertest.Env, name string) int64 {
	t.Helper()
	var o models.Org
	if err := env.DB.Where("name = ?", name).First(&o).Error; err != nil {
		t.Fatalf("org %s: %v", name, err)
	}
	return o.ID
}

func TestTokenAndErrorShape(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		tok := env.DemoToken("street")
		if len(tok) < 40 {
			t.Fatalf("token too short: %q", tok)
		}
		cases := []struct {
			name, body string
			status     int
			field      string
		}{
			{"wrong password", `{"username":"street","password":"nope-wrong-1"}`, 401, ""},
			{"unknown user", `{"username":"ghost","password":"whatever123"}`, 401, ""},
			{"unknown field", `{"username":"street","password":"x","extra":1}`, 400, "extra"},
			{"wrong type", `{"username":5,"password":"x"}`, 400, "username"},
			{"missing password", `{"username":"street"}`, 422, "password"},
			{"malformed", `{"username":`, 400, ""},
			{"empty", ``, 400, ""},
		}
		for _, c := range cases {
			r := env.API("POST", "/api/v1/auth/token", "", c.body)
			if r.Status != c.status {
				t.Errorf("%s: status %d, want %d (%s)", c.name, r.Status, c.status, r.Body)
				continue
			}
			var body struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
					Details []struct {
						Field string `json:"field"`
					} `json:"details"`
				} `json:"error"`
			}
			r.JSON(t, &body)
			if body.Error.Code == "" || body.Error.Message == "" {
				t.Errorf("%s: error body lacks code/message: %s", c.name, r.Body)
			}
			if c.field != "" && (len(body.Error.Details) == 0 || body.Error.Details[0].Field != c.field) {
				t.Errorf("%s: details do not name field %q: %s", c.name, c.field, r.Body)
			}
		}
		if r := env.API("GET", "/api/v1/estates", "not-a-token", nil); r.Status != 401 || r.ErrorCode() != "unauthorized" {
			t.Errorf("bad token: %d %s", r.Status, r.Body)
		}
		if r := env.API("GET", "/api/v1/estates", "", nil); r.Status != 401 {
			t.Errorf("no token: %d", r.Status)
		}
		if r := env.API("DELETE", "/api/v1/auth/token", tok, nil); r.Status != 204 {
			t.Errorf("revoke: %d", r.Status)
		}
		if r := env.API("GET", "/api/v1/estates", tok, nil); r.Status != 401 {
			t.Errorf("revoked token still works: %d", r.Status)
		}
	})
}

// A street office sees only its own communities' estates, through the API and the web.
func TestStreetOfficeJurisdiction(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		own, other := estateID(t, env, "阳光花园"), estateID(t, env, "光明家园")
		tok := env.DemoToken("street2")

		var list []map[string]any
		env.API("GET", "/api/v1/estates", tok, nil).JSON(t, &list)
		if len(list) != 1 || list[0]["name"] != "光明家园" {
			t.Fatalf("street2 lists %v, want only 光明家园", list)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/estates/%d", own), tok, nil); r.Status != 404 {
			t.Errorf("street2 reads another street's estate: %d", r.Status)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/estates/%d", other), tok, nil); r.Status != 200 {
			t.Errorf("street2 cannot read its own estate: %d %s", r.Status, r.Body)
		}
		// Creating an estate or a user under the other street's community is refused, changing nothing.
		community := orgID(t, env, "和谐社区")
		var before int64
		env.DB.Model(&models.Estate{}).Count(&before)
		r := env.API("POST", "/api/v1/estates", tok, map[string]any{"name": "越权小区", "community_id": community, "jurisdiction_profile": "national"})
		if r.Status < 400 || r.Status >= 500 {
			t.Errorf("street2 created an estate in another street: %d %s", r.Status, r.Body)
		}
		r = env.API("POST", "/api/v1/users", tok, map[string]any{"username": "intruder", "password": "Intruder2026", "role": "community", "org_id": community})
		if r.Status < 400 || r.Status >= 500 {
			t.Errorf("street2 created a user in another street: %d %s", r.Status, r.Body)
		}
		var after int64
		env.DB.Model(&models.Estate{}).Count(&after)
		if after != before {
			t.Errorf("estates changed: %d → %d", before, after)
		}

		b := env.Browser()
		b.Login("street2", "Demo2026street2")
		if r := b.Get(fmt.Sprintf("/estates/%d", own)); r.Status != 404 {
			t.Errorf("web: street2 opens another street's estate: %d", r.Status)
		}
		page := b.Get("/estates")
		if strings.Contains(string(page.Body), "阳光花园") || !strings.Contains(string(page.Body), "光明家园") {
			t.Errorf("web estates list crosses jurisdictions")
		}
		// The committee sees its one estate; the auditor reads but cannot change.
		ctok := env.DemoToken("committee")
		env.API("GET", "/api/v1/estates", ctok, nil).JSON(t, &list)
		if len(list) != 1 || list[0]["name"] != "阳光花园" {
			t.Errorf("committee lists %v", list)
		}
		atok := env.DemoToken("auditor")
		if r := env.API("POST", "/api/v1/estates", atok, map[string]any{"name": "审计员小区", "community_id": community}); r.Status != 403 {
			t.Errorf("auditor created an estate: %d %s", r.Status, r.Body)
		}
	})
}

func TestOrgAndUserCreationWithinSubtree(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		admin := env.DemoToken("admin")
		street := env.DemoToken("street")
		streetID := orgID(t, env, "幸福街道办事处")
		r := env.API("POST", "/api/v1/orgs", street, map[string]any{"name": "新建社区", "kind": "community", "parent_id": streetID})
		if r.Status != 201 {
			t.Fatalf("street creates community: %d %s", r.Status, r.Body)
		}
		newCommunity := int64(r.Map(t)["id"].(float64))
		if r := env.API("POST", "/api/v1/orgs", street, map[string]any{"name": "新区", "kind": "district", "parent_id": orgID(t, env, "示范市")}); r.Status < 400 {
			t.Errorf("street created a district: %d", r.Status)
		}
		if r := env.API("POST", "/api/v1/orgs", street, map[string]any{"name": "错层", "kind": "community", "parent_id": newCommunity}); r.Status != 422 {
			t.Errorf("community under community: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", "/api/v1/orgs", admin, map[string]any{"name": "坏类型", "kind": "village", "parent_id": 1}); r.Status != 422 {
			t.Errorf("bad kind: %d %s", r.Status, r.Body)
		}
		r = env.API("POST", "/api/v1/users", street, map[string]any{"username": "newstaff", "password": "Harbour-Lamp-2026", "role": "community", "org_id": newCommunity})
		if r.Status != 201 {
			t.Fatalf("street creates community user: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", "/api/v1/users", street, map[string]any{"username": "newstaff", "password": "Harbour-Lamp-2026", "role": "community", "org_id": newCommunity}); r.Status != 409 {
			t.Errorf("duplicate username: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", "/api/v1/users", street, map[string]any{"username": "boss", "password": "BossBoss2026", "role": "admin"}); r.Status != 403 {
			t.Errorf("street created an admin: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", "/api/v1/users", street, map[string]any{"username": "weak", "password": "short", "role": "community", "org_id": newCommunity}); r.Status != 422 {
			t.Errorf("weak password: %d %s", r.Status, r.Body)
		}
		r = env.API("POST", "/api/v1/estates", street, map[string]any{"name": "新小区", "community_id": newCommunity, "jurisdiction_profile": "shanghai"})
		if r.Status != 201 {
			t.Fatalf("street creates estate: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", "/api/v1/estates", street, map[string]any{"name": "坏规则", "community_id": newCommunity, "jurisdiction_profile": "mars"}); r.Status != 422 {
			t.Errorf("unknown profile: %d %s", r.Status, r.Body)
		}
		var audits int64
		env.DB.Model(&models.AuditLog{}).Where("action IN ?", []string{"org.create", "user.create", "estate.create"}).Where("username = ?", "street").Count(&audits)
		if audits != 3 {
			t.Errorf("audit entries for street's actions = %d, want 3", audits)
		}
	})
}

func TestWebFormsNeedCSRF(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		anon := env.Browser()
		anon.Get("/login")
		if r := anon.Post("/login", url.Values{"username": {"street"}, "password": {"Demo2026street"}}); r.Status != 403 {
			t.Errorf("login without CSRF token: %d", r.Status)
		}
		b := env.Browser()
		b.Login("street", "Demo2026street")
		form := url.Values{"name": {"无令牌社区"}, "kind": {"community"}, "parent_id": {fmt.Sprint(orgID(t, env, "幸福街道办事处"))}}
		if r := b.Post("/orgs", form); r.Status != 403 {
			t.Errorf("form without CSRF: %d", r.Status)
		}
		form.Set("_csrf", "forged-token-forged-token-forged-token")
		if r := b.Post("/orgs", form); r.Status != 403 {
			t.Errorf("form with a forged CSRF token: %d", r.Status)
		}
		var n int64
		env.DB.Model(&models.Org{}).Where("name = ?", "无令牌社区").Count(&n)
		if n != 0 {
			t.Fatal("an org was created without a valid CSRF token")
		}
		if r := b.Submit("/orgs", "/orgs", form); r.Status != http.StatusSeeOther {
			t.Fatalf("form with CSRF: %d %s", r.Status, r.Body)
		}
		env.DB.Model(&models.Org{}).Where("name = ?", "无令牌社区").Count(&n)
		if n != 1 {
			t.Fatal("the valid form did not create the org")
		}
		// A refused form re-renders with the message and the input kept.
		r := b.Submit("/orgs", "/orgs", url.Values{"name": {"无令牌社区"}, "kind": {"community"}, "parent_id": {fmt.Sprint(orgID(t, env, "幸福街道办事处"))}})
		if r.Status != 409 || !strings.Contains(string(r.Body), "已有名为") {
			t.Errorf("duplicate org form: %d", r.Status)
		}
		// Logout needs the token too, then the session is gone.
		if r := b.Post("/logout", url.Values{}); r.Status != 403 {
			t.Errorf("logout without CSRF: %d", r.Status)
		}
		b.Submit("/", "/logout", nil)
		if r := b.Get("/"); r.Status != http.StatusSeeOther {
			t.Errorf("still signed in after logout: %d", r.Status)
		}
	})
}

// Every page renders for every role, in Chinese and English.
func TestPagesRenderForEachRole(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		users := map[string]string{"admin": env.AdminPW}
		for _, a := range env.Demo.Accounts {
			users[a.Username] = a.Password
		}
		own := estateID(t, env, "阳光花园")
		for name, pw := range users {
			b := env.Browser()
			b.Login(name, pw)
			pages := []string{"/", "/estates", "/audit", fmt.Sprintf("/estates/%d", own)}
			if name != "committee" {
				pages = append(pages, "/orgs")
			}
			if name == "admin" || name == "street" || name == "district" || name == "community" {
				pages = append(pages, "/users")
			}
			for _, lang := range []string{"zh-CN", "en"} {
				b.Get("/lang?to=" + lang + "&back=/")
				for _, p := range pages {
					if name == "street2" && strings.HasPrefix(p, "/estates/") {
						continue
					}
					r := b.Get(p)
					if r.Status != 200 {
						t.Errorf("%s %s %s: status %d", name, lang, p, r.Status)
						continue
					}
					doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(r.Body)))
					if err != nil {
						t.Fatal(err)
					}
					if doc.Find("h1").Length() == 0 || doc.Find("form[action='/logout'] input[name=_csrf]").Length() != 1 {
						t.Errorf("%s %s %s: page lacks a heading or the logout form", name, lang, p)
					}
					if got := doc.Find("html").AttrOr("lang", ""); got != lang {
						t.Errorf("%s %s: html lang %q", p, lang, got)
					}
				}
			}
		}
	})
}

func TestHealthReadyAndOpenAPI(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		if r := env.API("GET", "/healthz", "", nil); r.Status != 200 {
			t.Errorf("healthz %d", r.Status)
		}
		r := env.API("GET", "/readyz", "", nil)
		if r.Status != 200 || r.Map(t)["status"] != "ready" {
			t.Errorf("readyz %d %s", r.Status, r.Body)
		}
		r = env.API("GET", "/api/v1/openapi.yaml", "", nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), "openapi: 3") {
			t.Fatalf("openapi: %d", r.Status)
		}
		// Every JSON route is documented: its path (":id" as "{id}") appears under paths.
		doc := string(r.Body)
		for _, rt := range env.App.GetRoutes(true) {
			if !strings.HasPrefix(rt.Path, "/api/v1/") || rt.Path == "/api/v1/openapi.yaml" || rt.Method == "HEAD" || rt.Method == "USE" {
				continue
			}
			p := strings.TrimPrefix(rt.Path, "/api/v1")
			parts := strings.Split(p, "/")
			for i, part := range parts {
				if strings.HasPrefix(part, ":") {
					parts[i] = "{" + strings.TrimSuffix(part[1:], "?") + "}"
				}
			}
			p = strings.Join(parts, "/")
			if !strings.Contains(doc, "\n  "+p+":\n") {
				t.Errorf("route %s %s is not documented in docs/openapi.yaml as %q", rt.Method, rt.Path, p)
			}
		}
		if r := env.API("GET", "/api/v1/no-such-thing", env.DemoToken("street"), nil); r.Status != 404 || r.ErrorCode() != "not_found" {
			t.Errorf("unknown API path: %d %s", r.Status, r.Body)
		}
	})
}

// The return address of the language switch and the sign-in page stays on this
// site and never writes a header of its own.
func TestRedirectTargetsStayOnSite(t *testing.T) {
	env := handlertest.New(t, dbtest.SQLite(t))
	for _, back := range []string{
		"/%0d%0aSet-Cookie:%20gz_csrf=attacker",
		"/%09/evil.example",
		"//evil.example",
		"/%5Cevil.example",
		"https://evil.example",
		"/%7F",
	} {
		for _, path := range []string{"/lang?to=en&back=" + back, "/login?next=" + back} {
			if strings.HasPrefix(path, "/login") {
				// Signed in, the sign-in page sends the user on to next at once.
				b := env.Browser()
				b.Login("street", "Demo2026street")
				r := b.Get(path)
				if loc := r.Header.Get("Location"); r.Status != 303 || loc != "/" {
					t.Errorf("%s: %d to %q", path, r.Status, loc)
				}
				continue
			}
			r := env.Do(httptest.NewRequest("GET", path, nil))
			if loc := r.Header.Get("Location"); r.Status != 303 || loc != "/" {
				t.Errorf("%s: %d to %q", path, r.Status, loc)
			}
			for _, c := range r.Header.Values("Set-Cookie") {
				if strings.Contains(c, "attacker") {
					t.Errorf("%s: injected cookie %q", path, c)
				}
			}
		}
	}
	if r := env.Do(httptest.NewRequest("GET", "/lang?to=en&back=/votes%3Fpage%3D2", nil)); r.Header.Get("Location") != "/votes?page=2" {
		t.Errorf("a path of this site: %d to %q", r.Status, r.Header.Get("Location"))
	}
}
