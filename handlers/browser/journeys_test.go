package browser_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/app/testkit/fixtures"
)

// receiptCode is the shape of a ballot receipt.
var receiptCode = regexp.MustCompile(`^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$`)

// latinWord is a word of English in a Chinese screen (a message in two languages).
var latinWord = regexp.MustCompile(`[A-Za-z]{3,}`)

// The journeys of issue 16 in one Chromium against the real server on SQLite, in
// order, on the server's manual clock: the committee creates and opens a vote; owners
// vote on a 390×844 phone with and without JavaScript; staff enter a paper ballot;
// after the close, the results, the publication, the resolution's verification page;
// and the English UI. Every page is screenshotted and checked with axe-core.
func TestBrowserJourneys(t *testing.T) {
	started := time.Now()
	sh := rules.Shanghai()
	now := time.Now().In(sh)
	// Tomorrow 09:00: the server's clock stays ahead of the browser's, so the cookies
	// it dates (sessions, flashes) are never already expired for Chromium.
	day := time.Date(now.Year(), now.Month(), now.Day()+1, 9, 0, 0, 0, sh)
	opens, closes := day.AddDate(0, 0, 15), day.AddDate(0, 0, 22)
	clock := app.NewManualClock(day)
	s := newSuite(t, clock)
	env := s.env
	for _, y := range []int{day.Year(), day.Year() + 1} {
		loadNotice(t, s, y)
	}
	estate := env.Demo.EstateID
	answers := fixtures.IDChecks(t, "roster-small.csv")
	const title = "2026 年第一次业主大会会议"
	data := []string{title, "阳光花园", "选聘新的物业服务企业", "拟选聘甲物业服务有限公司为本小区物业服务企业，服务期三年。",
		"续筹专项维修资金", "按每平方米 30 元续筹专项维修资金。", "小区活动中心",
		"和谐社区", "全国（通用）", "业主委员会（演示）"} // the demo community, the legal profile and the demo user (display names stored in Chinese)

	// The committee signs in, drafts the vote in the form and opens it.
	staff := s.tab(false, false)
	s.login(staff)
	newPage := fmt.Sprintf("/estates/%d/votes/new", estate)
	if st := s.open(staff, newPage); st != 200 {
		t.Fatalf("new vote page: %d", st)
	}
	s.check(staff, "committee-vote-new", false, false)
	s.typeIn(staff, "input[name=title]", title)
	s.typeIn(staff, "input[name=location]", "小区活动中心")
	s.setValue(staff, "select[name=legal_profile]", "civil-code-2021")
	s.setValue(staff, "select[name=form]", "written")
	s.setValue(staff, "input[name=notice_published_at]", day.Format("2006-01-02"))
	s.setValue(staff, "input[name=opens_at]", opens.Format("2006-01-02T15:04"))
	s.setValue(staff, "input[name=closes_at]", closes.Format("2006-01-02T15:04"))
	// The form offers one item, its matter on 请选择 until one is picked; 再加一项
	// brings back the form with a second block and what was typed kept.
	if n := s.count(staff, "fieldset.slot"); n != 1 {
		t.Errorf("the new vote form offers %d item blocks, want 1", n)
	}
	if v := eval[string](s, staff, false, `document.querySelector("select[name=item_matter_1]").value`); v != "" {
		t.Errorf("the first item's matter starts on %q, want 请选择 (empty)", v)
	}
	s.typeIn(staff, "input[name=item_title_1]", data[2])
	s.setValue(staff, "select[name=item_matter_1]", "hire_dismiss_manager")
	s.typeIn(staff, "textarea[name=item_text_1]", data[3])
	if st := s.submit(staff, "form.vote-form button[name=add_item]"); st != 200 || s.count(staff, "fieldset.slot") != 2 {
		t.Fatalf("再加一项: %d with %d item blocks", st, s.count(staff, "fieldset.slot"))
	}
	if v := eval[string](s, staff, false, `document.querySelector("input[name=item_title_1]").value`); v != data[2] {
		t.Errorf("after 再加一项 the first item's title is %q", v)
	}
	s.typeIn(staff, "input[name=item_title_2]", data[4])
	s.setValue(staff, "select[name=item_matter_2]", "raise_maintenance_fund")
	s.typeIn(staff, "textarea[name=item_text_2]", data[5])
	if st := s.submit(staff, "form.vote-form button.primary[type=submit]"); st != 200 {
		t.Fatalf("create the vote: %d %q", st, s.text(staff, ".flash.err"))
	}
	loc, _ := chromedp.Run(staff, chromedp.Location())
	var voteID int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(loc, s.base), "/votes/%d", &voteID); err != nil {
		t.Fatalf("after creating the vote the browser is at %q (%q)", loc, s.text(staff, ".flash.err"))
	}
	votePage := fmt.Sprintf("/votes/%d", voteID)
	if n := s.count(staff, "#items .vote-item"); n != 2 {
		t.Errorf("the draft shows %d items, want 2", n)
	}
	s.check(staff, "committee-vote-draft", false, false)
	// Opening asks for a ticked confirmation: the browser will not send the form
	// without it, and the server refuses a form sent without it (the box's required
	// attribute taken off, as an old browser would) and changes nothing.
	if s.count(staff, "#open-form input[type=checkbox][name=confirm][required]") != 1 {
		t.Fatal("the open form has no required confirmation")
	}
	eval[bool](s, staff, false, `document.querySelector("#open-form input[name=confirm]").removeAttribute("required"), true`)
	if st := s.submit(staff, "#open-form button[type=submit]"); st != 422 {
		t.Errorf("open without the confirmation: %d, want 422", st)
	}
	if msg := s.text(staff, ".flash.err"); !strings.Contains(msg, "请先勾选确认") || latinWord.MatchString(msg) {
		t.Errorf("open without the confirmation: message %q, want one in Chinese alone", msg)
	}
	var state string
	if err := env.DB.Raw("SELECT state FROM votes WHERE id = ?", voteID).Scan(&state).Error; err != nil || state != "draft" {
		t.Fatalf("after an unconfirmed open the vote is %q (%v), want draft", state, err)
	}
	s.check(staff, "committee-vote-open-unconfirmed", false, false)
	s.open(staff, votePage)
	s.click(staff, "#open-form input[name=confirm]")
	if st := s.submit(staff, "#open-form button[type=submit]"); st != 200 {
		t.Fatalf("open the vote: %d %q", st, s.text(staff, ".flash.err"))
	}
	if msg := s.text(staff, ".flash.ok"); !strings.Contains(msg, "冻结") {
		t.Errorf("opened: flash %q", msg)
	}
	s.check(staff, "committee-vote-opened", false, false)
	s.phoneView(staff, func() { s.check(staff, "committee-vote-opened-390", true, false) })

	// The ballot links, read off the credentials page.
	if st := s.open(staff, votePage+"/credentials"); st != 200 {
		t.Fatalf("credentials page: %d", st)
	}
	s.check(staff, "committee-credentials", false, false)
	links := map[string]string{}
	for _, c := range eval[[][]string](s, staff, false, `Array.from(document.querySelectorAll('.cred')).map(c => [c.querySelector('.cred-rooms').innerText, c.querySelector('.cred-url code').innerText])`) {
		u, err := url.Parse(strings.TrimSpace(c[1]))
		if err != nil {
			t.Fatal(err)
		}
		for _, room := range strings.Split(strings.TrimSpace(c[0]), "、") {
			links[strings.TrimSpace(room)] = u.Path
		}
	}
	if len(links) < 3 {
		t.Fatalf("credential links: %v", links)
	}
	// The page is paged and searchable by room.
	if st := s.open(staff, votePage+"/credentials?room=1-1-501"); st != 200 || s.count(staff, ".cred") != 1 || s.text(staff, ".cred .cred-rooms") != "1-1-501" {
		t.Errorf("credentials searched for 1-1-501: %d, %d cards (%q)", st, s.count(staff, ".cred"), s.text(staff, ".cred .cred-rooms"))
	}

	// The paper ballots to print, kept with the artefacts (a PDF).
	if st, raw := s.download(staff, votePage+"/paper-ballots.pdf"); st != 200 || !bytes.HasPrefix(raw, []byte("%PDF-")) {
		t.Errorf("paper ballots: %d, not a PDF", st)
	} else if err := os.WriteFile(filepath.Join(s.dir, "paper-ballots.pdf"), raw, 0o644); err != nil {
		t.Error(err)
	}

	// Voting: owners on a phone, with and without JavaScript.
	clock.Set(opens.Add(time.Hour))
	owner := s.ownerJourney("owner-js", links["1-1-301"], answers["1-1-301"], false)
	s.ownerJourney("owner-nojs", links["1-1-401"], answers["1-1-401"], true)
	// Another owner, in English: the wrong identity check's message in English alone.
	enOwner := s.tab(true, false)
	s.open(enOwner, links["1-1-501"])
	if st := s.submit(enOwner, ".tools a[href^='/lang?to=en']"); st != 200 {
		t.Fatalf("owner 1-1-501 switches to English: %d", st)
	}
	if st := s.open(enOwner, links["1-1-501"]); st != 200 || s.count(enOwner, "#id-check input[name=id_check]") != 1 {
		loc, _ := chromedp.Run(enOwner, chromedp.Location())
		t.Fatalf("owner 1-1-501's link in English: %d at %s: %.300q", st, loc, s.text(enOwner, "main"))
	}
	s.typeIn(enOwner, "#id-check input[name=id_check]", "000000")
	if st := s.submit(enOwner, "#id-check button[type=submit]"); st != 403 {
		t.Errorf("en wrong check: %d", st)
	}
	if msg := s.text(enOwner, ".flash.err"); !strings.Contains(strings.ToLower(msg), "identity check") || cjk.MatchString(msg) {
		t.Errorf("en: the wrong check's message is not in English alone: %q", msg)
	}
	if left := s.chineseLeft(enOwner, data, "[lang]:not(html)"); len(left) > 0 {
		t.Errorf("en-owner-wrong-check-390: Chinese left in the English UI: %q", left)
	}
	s.check(enOwner, "en-owner-wrong-check-390", true, false)

	// A paper ballot entered by the committee.
	s.login(staff)
	if st := s.open(staff, votePage+"/paper?room=1-1-302"); st != 200 {
		t.Fatalf("paper entry page: %d", st)
	}
	s.check(staff, "committee-paper-entry", false, false)
	s.click(staff, "form.paper-form input[name='c.item1'][value=agree]")
	s.click(staff, "form.paper-form input[name='c.item2'][value=abstain]")
	s.typeIn(staff, "form.paper-form input[name=note]", "原件存档 A-17")
	if st := s.submit(staff, "form.paper-form button[type=submit]"); st != 200 {
		t.Fatalf("paper entry: %d %q", st, s.text(staff, ".flash.err"))
	}
	if msg := s.text(staff, ".flash.ok"); !strings.Contains(msg, "1-1-302") {
		t.Errorf("paper entered: flash %q", msg)
	}
	s.check(staff, "committee-paper-entered", false, false)
	if st := s.open(staff, votePage+"/ballots"); st != 200 || s.count(staff, "table.ballots tbody tr") != 3 {
		t.Errorf("ballots page: %d with %d rows, want 3", st, s.count(staff, "table.ballots tbody tr"))
	}
	s.check(staff, "committee-ballots", false, false)

	// After the close: the results, the publication, the public page.
	clock.Set(closes.Add(time.Hour))
	s.login(staff)
	s.open(staff, votePage)
	if n := s.count(staff, "#results .result-item"); n != 2 {
		t.Errorf("results after the close: %d items, want 2", n)
	}
	s.check(staff, "committee-vote-results", false, false)
	s.phoneView(staff, func() { s.check(staff, "committee-vote-results-390", true, false) })
	s.click(staff, "#publish-form input[name=confirm]")
	if st := s.submit(staff, "#publish-form button[type=submit]"); st != 200 {
		t.Fatalf("publish: %d %q", st, s.text(staff, ".flash.err"))
	}
	s.check(staff, "committee-vote-published", false, false)
	public := fmt.Sprintf("/public/votes/%d", voteID)
	if st := s.open(owner, public); st != 200 || s.count(owner, "#results .result-item") != 2 {
		t.Errorf("public results: %d", st)
	}
	s.check(owner, "public-results-390", true, false)

	// The resolution, issued on publication, and its verification page.
	s.open(staff, votePage+"/documents")
	if s.count(staff, "a[href^='/verify/']") == 0 && s.count(staff, "form[action$='/resolution/issue'] button") > 0 {
		s.submit(staff, "form[action$='/resolution/issue'] button")
	}
	s.check(staff, "committee-vote-documents", false, false)
	verify := eval[string](s, staff, false, `(document.querySelector("a[href^='/verify/']") || {}).getAttribute ? document.querySelector("a[href^='/verify/']").getAttribute('href') : ''`)
	if verify == "" {
		t.Fatal("no resolution with a verification link on the vote's documents page")
	}
	if st := s.open(owner, verify); st != 200 {
		t.Fatalf("verification page %s: %d", verify, st)
	}
	if body := s.text(owner, "main"); !strings.Contains(body, strings.TrimPrefix(verify, "/verify/")) || !strings.Contains(body, title) {
		t.Errorf("verification page lacks the number or the vote: %q", body)
	}
	s.check(owner, "public-verify-390", true, false)

	// The English UI: one language on the screen, Chinese only in the data.
	s.open(staff, votePage)
	if st := s.submit(staff, ".tools a[href^='/lang?to=en']"); st != 200 {
		t.Fatalf("switch to English: %d", st)
	}
	for _, p := range []struct {
		ctx        context.Context
		name, path string
		phone      bool
	}{
		{staff, "en-committee-vote", votePage, false},
		{staff, "en-committee-home", "/", false},
		{staff, "en-committee-paper", votePage + "/paper", false},
	} {
		s.englishPage(p.ctx, p.name, p.path, p.phone, data)
	}
	s.open(owner, links["1-1-301"])
	if st := s.submit(owner, ".tools a[href^='/lang?to=en']"); st != 200 {
		t.Fatalf("owner switches to English: %d", st)
	}
	s.englishPage(owner, "en-owner-link-390", links["1-1-301"], true, data)
	s.englishPage(owner, "en-public-results-390", public, true, data)
	s.englishPage(owner, "en-public-verify-390", verify, true, data)
	t.Logf("browser suite: %d pages in %s", len(s.pages), time.Since(started).Round(time.Second))
}

// ownerJourney walks one owner's ballot on a phone: open the link, a wrong identity
// check (one language), the right one, choose, review, confirm, the receipt, and the
// link reopened (the ballot shown as recorded). It returns the owner's tab.
func (s *suite) ownerJourney(name, link, answer string, noJS bool) context.Context {
	t := s.t
	t.Helper()
	if link == "" || answer == "" {
		t.Fatalf("%s: no link or identity answer", name)
	}
	ctx := s.tab(true, noJS)
	if st := s.open(ctx, link); st != 200 || s.count(ctx, "#id-check input[name=id_check]") != 1 {
		t.Fatalf("%s: the link's page: %d", name, st)
	}
	s.check(ctx, name+"-link", true, noJS)

	s.typeIn(ctx, "#id-check input[name=id_check]", "000000")
	if st := s.submit(ctx, "#id-check button[type=submit]"); st != 403 {
		t.Errorf("%s: wrong check: %d", name, st)
	}
	msg := s.text(ctx, ".flash.err")
	if !strings.Contains(msg, "身份核验") || latinWord.MatchString(msg) {
		t.Errorf("%s: the wrong check's message is not in Chinese alone: %q", name, msg)
	}
	s.check(ctx, name+"-wrong-check", true, noJS)

	s.typeIn(ctx, "#id-check input[name=id_check]", answer)
	if st := s.submit(ctx, "#id-check button[type=submit]"); st != 200 || s.count(ctx, "form.ballot-form") != 1 {
		t.Fatalf("%s: right check: %d %q", name, st, s.text(ctx, ".flash.err"))
	}
	s.check(ctx, name+"-ballot", true, noJS)

	s.click(ctx, "form.ballot-form input[name='c.item1'][value=agree]")
	s.click(ctx, "form.ballot-form input[name='c.item2'][value=oppose]")
	if st := s.submit(ctx, "form.ballot-form button.primary[type=submit]"); st != 200 {
		t.Fatalf("%s: review: %d", name, st)
	}
	if got := s.text(ctx, "#review-item1 .review-choice"); got != "同意" {
		t.Errorf("%s: review of item 1 = %q, want 同意", name, got)
	}
	if got := s.text(ctx, "#review-item2 .review-choice"); got != "反对" {
		t.Errorf("%s: review of item 2 = %q, want 反对", name, got)
	}
	s.check(ctx, name+"-review", true, noJS)

	if st := s.submit(ctx, "form[action$='/cast'] button.primary[type=submit]"); st != 200 {
		t.Fatalf("%s: confirm: %d", name, st)
	}
	code := s.text(ctx, ".receipt-code")
	if !receiptCode.MatchString(code) {
		t.Fatalf("%s: receipt code %q", name, code)
	}
	s.check(ctx, name+"-receipt", true, noJS)

	if st := s.open(ctx, link); st != 200 {
		t.Fatalf("%s: reopen: %d", name, st)
	}
	s.typeIn(ctx, "input[name=id_check]", answer)
	if st := s.submit(ctx, "form[action$='/check'] button[type=submit]"); st != 200 {
		t.Fatalf("%s: reopen check: %d", name, st)
	}
	if done := s.text(ctx, "#already-cast"); !strings.Contains(done, "您已投票") || s.text(ctx, "#already-cast .receipt-code") != code {
		t.Errorf("%s: the reopened link does not show the ballot recorded with receipt %s: %q", name, code, done)
	}
	if s.count(ctx, "form.ballot-form") != 0 {
		t.Errorf("%s: the reopened link offers the ballot again", name)
	}
	s.check(ctx, name+"-reopened", true, noJS)
	return ctx
}

// englishPage opens path in English and checks its language: <html lang="en"> and no
// Chinese left once the data is taken out.
func (s *suite) englishPage(ctx context.Context, name, path string, phone bool, data []string) {
	s.t.Helper()
	if st := s.open(ctx, path); st != 200 {
		s.t.Errorf("%s: %s in English: %d", name, path, st)
	}
	if lang := eval[string](s, ctx, false, "document.documentElement.lang"); lang != "en" {
		s.t.Errorf("%s: html lang %q, want en", name, lang)
	}
	// Text marked with a language of its own (the issued resolution's Chinese rule
	// lines on its verification page) is data.
	if left := s.chineseLeft(ctx, data, "[lang]:not(html)"); len(left) > 0 {
		s.t.Errorf("%s (%s): Chinese left in the English UI: %q", name, path, left)
	}
	s.check(ctx, name, phone, false)
}

// login signs the committee in on the tab (again, when the clock moved past the
// session).
func (s *suite) login(ctx context.Context) {
	s.t.Helper()
	s.open(ctx, "/login")
	if s.count(ctx, "input[name=password]") == 0 {
		return
	}
	if s.n == 0 {
		s.check(ctx, "login", false, false)
	}
	s.typeIn(ctx, "input[name=username]", "committee")
	s.typeIn(ctx, "input[name=password]", "Demo2026committee")
	if st := s.submit(ctx, "form[action='/login'] button[type=submit]"); st != 200 {
		s.t.Fatalf("sign in: %d", st)
	}
	if s.count(ctx, "form[action='/logout']") != 1 {
		s.t.Fatalf("not signed in: %q", s.text(ctx, ".flash.err"))
	}
}

// setValue sets a form control's value (selects, dates: the staff pages run with
// JavaScript).
func (s *suite) setValue(ctx context.Context, sel, v string) {
	s.t.Helper()
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(sel), v)); err != nil {
		s.t.Fatalf("set %s: %v", sel, err)
	}
}

// phoneView runs fn with the tab on a 390×844 phone viewport, reloading the page.
func (s *suite) phoneView(ctx context.Context, fn func()) {
	s.t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		s.t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Reload()); err != nil {
		s.t.Fatal(err)
	}
	fn()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		s.t.Fatal(err)
	}
}

// loadNotice loads a test holiday notice for year through the admin API when the
// calendar lacks it.
func loadNotice(t *testing.T, s *suite, year int) {
	t.Helper()
	cal, err := s.env.Svc.Calendar.Calendar(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cal.Covers(year) {
		return
	}
	body := map[string]any{"basis": fmt.Sprintf("测试用通知（虚构，%d）", year),
		"rest_days": []map[string]string{{"from": fmt.Sprintf("%d-01-01", year), "to": fmt.Sprintf("%d-01-01", year)}}}
	if r := s.env.API("POST", fmt.Sprintf("/api/v1/holiday-calendars/%d", year), s.env.DemoToken("admin"), body); r.Status != 201 {
		t.Fatalf("loading a test notice for %d: %d %s", year, r.Status, r.Body)
	}
}
