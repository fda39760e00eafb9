package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"gongzhi/handlers/handlertest"
)

// The audit log as staff read it (issue 16, defect 3): actions, actors and targets by
// name, a summary instead of JSON, Shanghai times; the home page's recent list too.
func TestAuditLogReadsByName(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		b := env.Browser()
		b.Login("street", "Demo2026street")
		for _, path := range []string{"/audit", "/"} {
			r := b.Get(path)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", path, r.Status, r.Body)
			}
			doc := vwDoc(t, r)
			log := doc.Find("ul.log").Text()
			for _, want := range []string{"登录", "街道办事处"} {
				if !strings.Contains(log, want) {
					t.Errorf("%s: the log lacks %q: %q", path, want, log)
				}
			}
			for _, code := range []string{"auth.login", "user.create", "user #", "{\"", "street street"} {
				if strings.Contains(log, code) {
					t.Errorf("%s: the log shows the code %q: %q", path, code, log)
				}
			}
		}
		doc := vwDoc(t, b.Get("/audit"))
		if !strings.Contains(doc.Find("ul.log").Text(), "创建账号") {
			t.Errorf("no account creation by name: %q", doc.Find("ul.log").Text())
		}
		// The sign-in just made is shown at the clock's time in Shanghai.
		want := env.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")
		if !strings.Contains(doc.Find("ul.log time").First().Text(), want) {
			t.Errorf("first entry at %q, want %q", doc.Find("ul.log time").First().Text(), want)
		}
		// English: the same entries in English.
		if r := b.Get("/lang?to=en&back=/audit"); r.Status != http.StatusSeeOther {
			t.Fatalf("lang: %d", r.Status)
		}
		en := vwDoc(t, b.Get("/audit")).Find("ul.log").Text()
		if !strings.Contains(en, "Signed in") || strings.Contains(en, "登录") || strings.Contains(en, "创建账号") {
			t.Errorf("English audit log: %q", en)
		}
	})
}

// The English UI names formation stages, document kinds and org kinds in English, and
// the Chinese UI shows no profile code or version (issue 16, defect 3).
func TestPagesNameEnumsInTheirLanguage(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		b := env.Browser()
		b.Login("street", "Demo2026street")
		estate := estateID(t, env, "阳光花园")
		est := "/estates/" + itoa(estate)
		zh := b.Get(est + "/formation")
		if zh.Status != 200 {
			t.Fatalf("formation: %d %s", zh.Status, zh.Body)
		}
		main := vwDoc(t, zh).Find("main").Text()
		for _, code := range []string{"national", "v2026.1", "coowner-set", "prep_developer_missing"} {
			if strings.Contains(main, code) {
				t.Errorf("the formation page shows the code %q", code)
			}
		}
		b.Get("/lang?to=en&back=/")
		for path, want := range map[string]string{est + "/formation": "National (general)", "/orgs": "Street office", est: "National (general)"} {
			r := b.Get(path)
			if r.Status != 200 || !strings.Contains(string(r.Body), want) {
				t.Errorf("%s (en): %d, lacks %q", path, r.Status, want)
			}
		}
		body := vwDoc(t, b.Get(est+"/formation")).Find("main").Text()
		for _, zhWord := range []string{"尚未达到成立条件", "应当组建筹备组", "全国（通用）"} {
			if strings.Contains(body, zhWord) {
				t.Errorf("English formation page shows %q", zhWord)
			}
		}
	})
}

// Switching the language in the middle of the ballot keeps the identity check and the
// choices (issue 16, item 9): the switch is a button of the step's form.
func TestBallotLanguageSwitchKeepsChoices(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		s := vwNewSchedule()
		_, links := vwOpenVote(t, env, s)
		page := vwPath(t, links["1-1-301"])
		vwAt(env, s.Opens.Add(time.Hour))
		owner := env.Browser()
		csrf := owner.CSRF(page)
		r := owner.Post(page+"/check", url.Values{"_csrf": {csrf}, "id_check": {vwAnswer301}})
		doc := vwDoc(t, r)
		pass := doc.Find("form.ballot-form input[name=pass]").AttrOr("value", "")
		if r.Status != 200 || pass == "" {
			t.Fatalf("check: %d", r.Status)
		}
		if doc.Find(`header a[href^="/lang"]`).Length() != 0 {
			t.Error("the ballot form keeps the layout's language link, which loses the choices")
		}
		sw := doc.Find(`form.ballot-form button[formaction$="/lang"]`)
		if sw.AttrOr("value", "") != "en" {
			t.Fatalf("no language button in the ballot form")
		}
		// Switch to English with item1 chosen: the ballot again, in English, item1 still chosen.
		r = owner.Post(page+"/lang", url.Values{"_csrf": {csrf}, "pass": {pass}, "to": {"en"}, "c.item1": {"agree"}})
		doc = vwDoc(t, r)
		if r.Status != 200 || doc.Find("html").AttrOr("lang", "") != "en" {
			t.Fatalf("switch: %d lang=%q", r.Status, doc.Find("html").AttrOr("lang", ""))
		}
		if doc.Find("input[name='c.item1'][value=agree][checked]").Length() != 1 {
			t.Error("the choice is lost after switching the language")
		}
		if doc.Find("form.ballot-form input[name=pass]").AttrOr("value", "") == "" || doc.Find("#id-check").Length() != 0 {
			t.Error("the identity check is asked again after switching the language")
		}
		// From the review: back to Chinese, still the review with the choice.
		r = owner.Post(page+"/review", url.Values{"_csrf": {csrf}, "pass": {pass}, "c.item1": {"agree"}})
		if r.Status != 200 {
			t.Fatalf("review: %d", r.Status)
		}
		r = owner.Post(page+"/lang?step=review", url.Values{"_csrf": {csrf}, "pass": {pass}, "to": {"zh-CN"}, "c.item1": {"agree"}})
		doc = vwDoc(t, r)
		if r.Status != 200 || doc.Find("html").AttrOr("lang", "") != "zh-CN" || doc.Find("form[action$='/cast'] input[name='c.item1'][value=agree]").Length() != 1 {
			t.Errorf("review after switching: %d lang=%q", r.Status, doc.Find("html").AttrOr("lang", ""))
		}
		if doc.Find("script").Length() != 0 {
			t.Error("the ballot page carries JavaScript")
		}
	})
}

// The smaller findings of issue 16 (item 9), through the router: the favicon before any
// sign-in; the board's notice title and posting time; the lock page's contact; public
// results with percentages and the resolution's link; no paper-ballot entry for auditors.
func TestSmallFindingsOfIssue16(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		anon := env.Browser()
		r := anon.Get("/favicon.ico")
		if r.Status != 200 || r.Header.Get("Content-Type") != "image/x-icon" || len(r.Body) < 20 {
			t.Errorf("favicon: %d %q %d bytes", r.Status, r.Header.Get("Content-Type"), len(r.Body))
		}
		tok := env.DemoToken("street")
		body := voteBody("civil-code-2021", defaultItems()...)
		body["title"] = "临时表决：更换电梯"
		id := env.createVote(t, tok, body)
		opened := voteT0.Add(26 * time.Hour) // opened the day after the paper notice's date
		env.Clock.Set(opened)
		env.openVote(t, tok, id)
		board := vwDoc(t, anon.Get("/public/estates/"+itoa(env.Demo.EstateID)))
		var notice string
		board.Find("li.announcement").Each(func(_ int, s *goquery.Selection) {
			if strings.Contains(s.Text(), "更换电梯") {
				notice = s.Text()
			}
		})
		if !strings.Contains(notice, "业主大会表决公告：临时表决：更换电梯") || strings.Contains(notice, "关于召开临时表决") {
			t.Errorf("notice title: %q", notice)
		}
		sh := time.FixedZone("CST", 8*3600)
		if !strings.Contains(notice, opened.In(sh).Format("2006-01-02 15:04")) || !strings.Contains(notice, "公告日期："+voteT0.In(sh).Format("2006-01-02")) {
			t.Errorf("notice posted at %s, paper date %s: %q", opened.In(sh), voteT0.In(sh), notice)
		}
		// A link locked by wrong identity checks names whom to contact.
		env.Clock.Set(voteOpens().Add(time.Hour))
		creds, answers := env.credentials(t, tok, id), idChecks(t)
		c := creds["1-1-101"]
		for range 5 {
			env.cast(c.Token, "000000", map[string]any{"dismiss": "agree"})
		}
		locked := vwDoc(t, anon.Get("/b/"+c.Token)).Find("#locked .locked-contact").Text()
		if !strings.Contains(locked, "阳光花园") || !strings.Contains(locked, "业主委员会") {
			t.Errorf("lock page contact: %q", locked)
		}
		// The auditor cannot open the paper-ballot entry page, nor sees a link to it.
		aud := env.Browser()
		aud.Login("auditor", "Demo2026auditor")
		if r := aud.Get("/votes/" + itoa(id) + "/paper"); r.Status != http.StatusForbidden {
			t.Errorf("auditor on the paper page: %d", r.Status)
		}
		if strings.Contains(string(aud.Get("/votes/"+itoa(id)).Body), "/paper\"") {
			t.Error("the auditor's vote page links to the paper-ballot entry")
		}
		// Published results: percentages of the participating area and owners, and the resolution.
		for room, cr := range creds {
			if room != "1-1-101" && answers[room] != "" {
				if r := env.cast(cr.Token, answers[room], map[string]any{"dismiss": "agree", "fund": "oppose"}); r.Status == 201 {
					break
				}
			}
		}
		env.Clock.Set(voteCloses().Add(24 * time.Hour))
		if r := env.API("POST", "/api/v1/votes/"+itoa(id)+"/publish", tok, nil); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		pub := vwDoc(t, anon.Get("/public/votes/"+itoa(id)))
		if got := pub.Find("#results .pct").First().Text(); got != "100.00%" {
			t.Errorf("first share on the public results = %q, want 100.00%%", got)
		}
		if href := pub.Find("#resolution-link a").AttrOr("href", ""); href != "/votes/"+itoa(id)+"/resolution.pdf" {
			t.Errorf("resolution link %q", href)
		}
	})
}
