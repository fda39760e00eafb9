package handlers_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"gongzhi/app/rules"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// The ID-check answers of the small fixture roster (last 6 characters of an owner's ID).
const (
	vwAnswer301 = "155426" // 1-1-301 侯红红
	vwAnswer302 = "236396" // 1-1-302 张宇
	vwAnswer401 = "268852" // 1-1-401 廖杰涵
)

// vwSchedule is a lawful schedule around the real today: the notice today, voting
// from 15 days later for a week.
type vwSchedule struct {
	Notice, Opens, Closes time.Time
}

func vwNewSchedule() vwSchedule {
	now := time.Now().In(rules.Shanghai())
	notice := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, rules.Shanghai())
	opens := notice.AddDate(0, 0, 15).Add(9 * time.Hour)
	return vwSchedule{Notice: notice, Opens: opens, Closes: opens.AddDate(0, 0, 7)}
}

// vwAt moves the environment's clock to t.
func vwAt(env *handlertest.Env, t time.Time) { env.Clock.Set(t) }

// vwDoc parses a page.
func vwDoc(t *testing.T, r handlertest.Response) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// vwItems are the agenda used by the owner tests: an ordinary item, a major one and a
// 5-seat election with six candidates.
var vwItems = []map[string]any{
	{"key": "item1", "title": "选聘新的物业服务企业", "matter": "hire_dismiss_manager",
		"text": "拟选聘甲物业服务有限公司为本小区物业服务企业，服务期三年。\n物业费标准：住宅每月每平方米 2.10 元。"},
	{"key": "item2", "title": "续筹专项维修资金", "matter": "raise_maintenance_fund",
		"text": "按每平方米 30 元续筹专项维修资金，由业主按专有部分面积分摊。"},
	{"key": "election", "title": "选举第二届业主委员会委员", "matter": "elect_committee", "seats": 5, "alternates": 0,
		"text": "应选委员 5 名，从下列 6 名候选人中选举。",
		"candidates": []map[string]string{{"key": "c1", "name": "王建国"}, {"key": "c2", "name": "李秀英"}, {"key": "c3", "name": "刘洋"},
			{"key": "c4", "name": "侯红红"}, {"key": "c5", "name": "张宇"}, {"key": "c6", "name": "廖杰涵"}}},
}

// vwOpenVote creates and opens a vote of 阳光花园 through the API and returns its id
// and each voter's personal link by room.
func vwOpenVote(t *testing.T, env *handlertest.Env, s vwSchedule) (int64, map[string]string) {
	t.Helper()
	tok := env.DemoToken("street")
	estate := estateID(t, env, "阳光花园")
	r := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", estate), tok, map[string]any{
		"title": "2026 年第一次业主大会会议", "legal_profile": "civil-code-2021", "form": "written",
		"notice_published_at": s.Notice.Format(time.RFC3339), "opens_at": s.Opens.Format(time.RFC3339),
		"closes_at": s.Closes.Format(time.RFC3339), "items": vwItems})
	if r.Status != 201 {
		t.Fatalf("create vote: %d %s", r.Status, r.Body)
	}
	var created struct {
		ID int64 `json:"id"`
	}
	r.JSON(t, &created)
	if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/open", created.ID), tok, nil); r.Status != 200 {
		t.Fatalf("open: %d %s", r.Status, r.Body)
	}
	r = env.API("GET", fmt.Sprintf("/api/v1/votes/%d/credentials", created.ID), tok, nil)
	var creds []struct {
		Rooms []string `json:"rooms"`
		URL   string   `json:"url"`
	}
	r.JSON(t, &creds)
	links := map[string]string{}
	for _, c := range creds {
		for _, room := range c.Rooms {
			links[room] = c.URL
		}
	}
	return created.ID, links
}

// vwPath turns a personal link into its path on the test server.
func vwPath(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/b/") {
		t.Fatalf("ballot link %q", link)
	}
	return u.Path
}

func vwFailedChecks(t *testing.T, env *handlertest.Env, voteID int64) int {
	t.Helper()
	var n int64
	if err := env.DB.Model(&models.VoteCredential{}).Where("vote_id = ?", voteID).Select("COALESCE(SUM(failed_checks), 0)").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// The owner's whole path through the web: identity check (wrong, then right), the
// ballot with every item in full, review, back to edit, confirm, receipt, and a
// second visit that shows the ballot already cast.
func TestVoteWebOwnerBallot(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		s := vwNewSchedule()
		voteID, links := vwOpenVote(t, env, s)
		page := vwPath(t, links["1-1-301"])
		owner := env.Browser()

		// Before the voting period: no identity check yet.
		vwAt(env, s.Opens.Add(-time.Hour))
		r := owner.Get(page)
		if r.Status != 200 || vwDoc(t, r).Find("#id-check").Length() != 0 || !strings.Contains(string(r.Body), "投票尚未开始") {
			t.Fatalf("before opening: %d", r.Status)
		}
		vwAt(env, s.Opens.Add(time.Hour))
		r = owner.Get(page)
		doc := vwDoc(t, r)
		if r.Status != 200 || doc.Find("#id-check input[name=id_check]").Length() != 1 {
			t.Fatalf("landing page: %d %s", r.Status, r.Body)
		}
		if !strings.Contains(doc.Find("#id-check .attempts").Text(), "还可尝试 5 次") || !strings.Contains(doc.Text(), "1-1-301") {
			t.Errorf("landing lacks attempts or rooms: %q", doc.Find("#id-check").Text())
		}
		if strings.Contains(string(r.Body), "拟选聘甲物业") {
			t.Error("items are shown before the identity check")
		}
		csrf := owner.CSRF(page)

		// Wrong answer: 403, the message, one attempt counted.
		r = owner.Post(page+"/check", url.Values{"_csrf": {csrf}, "id_check": {"000000"}})
		doc = vwDoc(t, r)
		if r.Status != http.StatusForbidden || !strings.Contains(doc.Find(".flash.err").Text(), "身份核验未通过") {
			t.Fatalf("wrong check: %d %q", r.Status, doc.Find(".flash.err").Text())
		}
		if !strings.Contains(doc.Find("#id-check .attempts").Text(), "还可尝试 4 次") {
			t.Errorf("attempts after a wrong answer: %q", doc.Find("#id-check .attempts").Text())
		}
		if n := vwFailedChecks(t, env, voteID); n != 1 {
			t.Errorf("failed checks recorded = %d, want 1", n)
		}
		// No CSRF token: refused before anything is counted.
		if r := owner.Post(page+"/check", url.Values{"id_check": {"000000"}}); r.Status != http.StatusForbidden {
			t.Errorf("check without CSRF: %d", r.Status)
		}
		if n := vwFailedChecks(t, env, voteID); n != 1 {
			t.Errorf("a request without CSRF counted an attempt: %d", n)
		}

		// Right answer: the full ballot.
		r = owner.Post(page+"/check", url.Values{"_csrf": {csrf}, "id_check": {strings.ToLower(vwAnswer301)}})
		doc = vwDoc(t, r)
		if r.Status != 200 {
			t.Fatalf("right check: %d %s", r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), vwAnswer301) {
			t.Error("the identity answer is echoed in the page")
		}
		pass := doc.Find("form.ballot-form input[name=pass]").AttrOr("value", "")
		if len(pass) < 40 {
			t.Fatalf("no ballot pass in the form: %q", pass)
		}
		texts := doc.Find(".ballot-item .item-text").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		if len(texts) != 3 || texts[0] != vwItems[0]["text"] || texts[1] != vwItems[1]["text"] || texts[2] != vwItems[2]["text"] {
			t.Errorf("items not shown in full: %q", texts)
		}
		if n := doc.Find("input[type=radio][name='c.item1']").Length(); n != 3 {
			t.Errorf("item1 radios = %d", n)
		}
		if n := doc.Find("input[type=checkbox][name='c.election']").Length(); n != 6 {
			t.Errorf("candidate checkboxes = %d", n)
		}
		if !strings.Contains(doc.Find("#item-election").Text(), "在同意的候选人后打“√”，最多 5 名") || !strings.Contains(doc.Text(), "未选择的事项按弃权计算") {
			t.Error("ballot lacks the at-most or the blank-is-abstain notes")
		}

		// Review: item1 agree, item2 blank, six candidates for five seats (over-vote warned).
		choose := url.Values{"_csrf": {csrf}, "pass": {pass}, "c.item1": {"agree"}, "c.election": {"c1", "c2", "c3", "c4", "c5", "c6"}}
		r = owner.Post(page+"/review", choose)
		doc = vwDoc(t, r)
		if r.Status != 200 {
			t.Fatalf("review: %d %s", r.Status, r.Body)
		}
		if got := strings.TrimSpace(doc.Find("#review-item1 .review-choice").Text()); got != "同意" {
			t.Errorf("review item1 = %q", got)
		}
		if got := doc.Find("#review-item2 .review-choice").Text(); !strings.Contains(got, "按弃权计") {
			t.Errorf("review item2 = %q", got)
		}
		if got := doc.Find("#review-election").Text(); !strings.Contains(got, "超过应选 5 人") {
			t.Errorf("over-vote not warned: %q", got)
		}
		if n := doc.Find("form[action$='/cast'] input[name='c.election']").Length(); n != 6 {
			t.Errorf("hidden candidates in the confirm form = %d", n)
		}
		// Back to the ballot: answers kept.
		r = owner.Post(page+"/edit", choose)
		doc = vwDoc(t, r)
		if _, ok := doc.Find("input[name='c.item1'][value=agree]").Attr("checked"); r.Status != 200 || !ok {
			t.Errorf("edit lost the answer: %d", r.Status)
		}
		if n := doc.Find("input[name='c.election'][checked]").Length(); n != 6 {
			t.Errorf("edit kept %d candidates", n)
		}
		// A forged pass is refused and the check asked again.
		forged := url.Values{"_csrf": {csrf}, "pass": {"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="}, "c.item1": {"agree"}}
		if r := owner.Post(page+"/cast", forged); r.Status != http.StatusForbidden || vwDoc(t, r).Find("#id-check").Length() != 1 {
			t.Errorf("forged pass: %d", r.Status)
		}

		// Confirm with the fixed choice (five candidates): the receipt, at once.
		choose["c.election"] = []string{"c1", "c2", "c3", "c4", "c5"}
		r = owner.Post(page+"/cast", choose)
		doc = vwDoc(t, r)
		code := strings.TrimSpace(doc.Find(".receipt-code").Text())
		if r.Status != 200 || !regexp.MustCompile(`^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$`).MatchString(code) {
			t.Fatalf("receipt page: %d %q", r.Status, code)
		}
		var ballots []models.Ballot
		env.DB.Where("vote_id = ?", voteID).Find(&ballots)
		if len(ballots) != 1 || ballots[0].Receipt != code || ballots[0].Channel != models.ChannelOnline {
			t.Fatalf("stored ballots: %+v", ballots)
		}
		var content models.BallotContent
		env.DB.Where("ballot_id = ?", ballots[0].ID).Take(&content)
		if content.Choices != `{"election":["c1","c2","c3","c4","c5"],"item1":"agree"}` {
			t.Errorf("stored choices %s", content.Choices)
		}

		// Second visit: nothing of the ballot before the identity check; after it,
		// already cast, when and how, the receipt and the receipt check link.
		r = owner.Get(page)
		if doc = vwDoc(t, r); doc.Find("#already-cast").Length() != 0 || doc.Find("#id-check").Length() != 1 {
			t.Errorf("second visit before the check: %d %q", r.Status, doc.Find("main").Text())
		}
		r = owner.Post(page+"/check", url.Values{"_csrf": {csrf}, "id_check": {vwAnswer301}})
		doc = vwDoc(t, r)
		done := doc.Find("#already-cast").Text()
		if r.Status != 200 || !strings.Contains(done, "您已投票") || !strings.Contains(done, "线上投票") ||
			!strings.Contains(done, ballots[0].CastAt.In(rules.Shanghai()).Format("2006-01-02 15:04")) {
			t.Errorf("second visit: %d %q", r.Status, done)
		}
		check := doc.Find("#already-cast a[href^='/receipt?code=']").AttrOr("href", "")
		if check == "" || doc.Find("#id-check").Length() != 0 || strings.TrimSpace(doc.Find("#already-cast .receipt-code").Text()) != code {
			t.Fatalf("second visit lacks the receipt or its link, or still asks for the ID")
		}
		// The confirmation sent again (a reload): 409 with the reason, and the receipt.
		r = owner.Post(page+"/cast", choose)
		if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "不能重复投票") || !strings.Contains(string(r.Body), code) {
			t.Errorf("second cast: %d", r.Status)
		}
		// The public receipt check: vote, time, channel; never the choices.
		r = env.Browser().Get(check)
		doc = vwDoc(t, r)
		res := doc.Find("#receipt-result").Text()
		if r.Status != 200 || !strings.Contains(res, "2026 年第一次业主大会会议") || !strings.Contains(res, "线上投票") || strings.Contains(res, "同意") {
			t.Errorf("receipt check: %d %q", r.Status, res)
		}
		if r := env.Browser().Get("/receipt?code=AAAA-BBBB-CCCC-DDDD"); r.Status != 404 {
			t.Errorf("unknown receipt: %d", r.Status)
		}
		// Unknown link.
		if r := env.Browser().Get("/b/not-a-real-token-0123456789abcdef"); r.Status != 404 || !strings.Contains(string(r.Body), "投票链接") {
			t.Errorf("unknown link: %d", r.Status)
		}
	})
}

// A link locks after the profile's number of wrong answers; staff reissue it from the
// credentials page and the new link works while the old one is refused.
func TestVoteWebLockAndReissue(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		s := vwNewSchedule()
		voteID, links := vwOpenVote(t, env, s)
		vwAt(env, s.Opens.Add(time.Hour))
		page := vwPath(t, links["1-1-401"])
		owner := env.Browser()
		csrf := owner.CSRF(page)
		var r handlertest.Response
		for i := 0; i < 5; i++ {
			r = owner.Post(page+"/check", url.Values{"_csrf": {csrf}, "id_check": {"999999"}})
		}
		doc := vwDoc(t, r)
		if r.Status != http.StatusForbidden || doc.Find("#locked").Length() != 1 || doc.Find("#id-check").Length() != 0 {
			t.Fatalf("after 5 wrong answers: %d %q", r.Status, doc.Find("main").Text())
		}
		// Even the right answer is refused now.
		if r := owner.Post(page+"/check", url.Values{"_csrf": {csrf}, "id_check": {vwAnswer401}}); r.Status != http.StatusForbidden {
			t.Errorf("locked link accepted the right answer: %d", r.Status)
		}

		staff := env.Browser()
		staff.Login("committee", "Demo2026committee")
		credPage := fmt.Sprintf("/votes/%d/credentials", voteID)
		doc = vwDoc(t, staff.Get(credPage))
		card := doc.Find(".cred").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.TrimSpace(s.Find(".cred-rooms").Text()) == "1-1-401"
		})
		if !strings.Contains(card.Text(), "已锁定") {
			t.Fatalf("credentials page does not show the lock: %q", card.Text())
		}
		action := card.Find("form[action$='/reissue']").AttrOr("action", "")
		if r := staff.Submit(credPage, action, url.Values{"reason": {""}}); r.Status != 422 {
			t.Errorf("reissue without a reason: %d", r.Status)
		}
		// Issue 16: reissuing is irreversible, so the form asks for a ticked confirmation.
		if r := staff.Submit(credPage, action, url.Values{"reason": {"核验锁定，业主持证件到场"}}); r.Status != 422 ||
			!strings.Contains(string(r.Body), "请先勾选确认") {
			t.Errorf("reissue without confirmation: %d", r.Status)
		}
		if r := staff.Submit(credPage, action, url.Values{"reason": {"核验锁定，业主持证件到场"}, "confirm": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reissue: %d %s", r.Status, r.Body)
		}
		doc = vwDoc(t, staff.Get(credPage))
		card = doc.Find(".cred").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.TrimSpace(s.Find(".cred-rooms").Text()) == "1-1-401"
		})
		newPage := vwPath(t, strings.TrimSpace(card.Find(".cred-url code").Text()))
		if newPage == page {
			t.Fatal("the reissued link is the old one")
		}
		if r := env.Browser().Get(page); r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "已作废") {
			t.Errorf("old link after reissue: %d", r.Status)
		}
		fresh := env.Browser()
		r = fresh.Post(newPage+"/check", url.Values{"_csrf": {fresh.CSRF(newPage)}, "id_check": {vwAnswer401}})
		if r.Status != 200 || vwDoc(t, r).Find("form.ballot-form").Length() != 1 {
			t.Errorf("new link: %d", r.Status)
		}
	})
}

// zbarDecode decodes the QR code of a PNG with zbarimg.
func zbarDecode(t *testing.T, png []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(path, png, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("zbarimg", "--raw", "-q", path).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// Staff through the web: draft (refused with the fields named, then accepted), open,
// credentials with decodable QR codes, paper and proxy entry, duplicates across
// channels, void with a reason, the trail, results after the closing time,
// publication, objections and finalisation; the public page; other jurisdictions and
// missing CSRF tokens refused.
func TestVoteWebStaffFlow(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		s := vwNewSchedule()
		estate := estateID(t, env, "阳光花园")
		staff := env.Browser()
		staff.Login("committee", "Demo2026committee")
		if doc := vwDoc(t, staff.Get(fmt.Sprintf("/estates/%d", estate))); doc.Find(fmt.Sprintf("a[href='/estates/%d/votes']", estate)).Length() != 1 {
			t.Error("the estate page lacks the votes link")
		}
		newPage := fmt.Sprintf("/estates/%d/votes/new", estate)
		r := staff.Get(newPage)
		if r.Status != 200 || vwDoc(t, r).Find("input[name=opens_at][type=datetime-local]").Length() != 1 {
			t.Fatalf("new vote page: %d", r.Status)
		}
		form := url.Values{
			"title": {"2026 年第一次业主大会会议"}, "legal_profile": {"civil-code-2021"}, "form": {"written"}, "convenor": {"committee"},
			"location": {"小区活动中心"}, "notice_published_at": {s.Notice.Format("2006-01-02")},
			"opens_at": {s.Notice.AddDate(0, 0, 3).Format("2006-01-02T15:04")}, "closes_at": {s.Closes.Format("2006-01-02T15:04")},
			"item_title_1": {"选聘新的物业服务企业"}, "item_matter_1": {"hire_dismiss_manager"}, "item_text_1": {"拟选聘甲物业服务有限公司。"},
			"item_title_2": {"续筹专项维修资金"}, "item_matter_2": {"raise_maintenance_fund"}, "item_text_2": {""},
			"el_title": {"选举业主委员会委员"}, "el_text": {"应选 5 名。"}, "el_seats": {"5"}, "el_alternates": {"0"},
			"el_candidates": {"王建国\n李秀英\n刘洋\n侯红红\n张宇\n廖杰涵"},
		}
		create := fmt.Sprintf("/estates/%d/votes", estate)
		r = staff.Submit(newPage, create, form)
		doc := vwDoc(t, r)
		if r.Status != 422 {
			t.Fatalf("bad draft: %d", r.Status)
		}
		errs := doc.Find(".flash.err li").Text()
		if !strings.Contains(errs, "投票开始时间") || !strings.Contains(errs, "第 2 项 · 事项全文") {
			t.Errorf("refused fields not named: %q", errs)
		}
		if !doc.Find("input[name=opens_at]").HasClass("invalid") || !doc.Find("textarea[name=item_text_2]").HasClass("invalid") {
			t.Error("refused inputs not marked")
		}
		if doc.Find("input[name=item_title_2]").AttrOr("value", "") != "续筹专项维修资金" || !strings.Contains(doc.Find("textarea[name=el_candidates]").Text(), "廖杰涵") {
			t.Error("input not kept")
		}
		form.Set("opens_at", s.Opens.Format("2006-01-02T15:04"))
		form.Set("item_text_2", "按每平方米 30 元续筹。")
		r = staff.Submit(newPage, create, form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("draft: %d %s", r.Status, r.Body)
		}
		votePage := r.Header.Get("Location")
		var voteID int64
		if _, err := fmt.Sscanf(votePage, "/votes/%d", &voteID); err != nil {
			t.Fatalf("location %q", votePage)
		}
		doc = vwDoc(t, staff.Get(votePage))
		if doc.Find("#items .vote-item").Length() != 3 || !strings.Contains(doc.Find("#item-election").Text(), "廖杰涵") {
			t.Errorf("draft page items: %q", doc.Find("#items").Text())
		}
		// CSRF token missing: refused.
		if r := staff.Post(votePage+"/open", url.Values{}); r.Status != http.StatusForbidden {
			t.Errorf("open without CSRF: %d", r.Status)
		}
		if r := staff.Submit(votePage, votePage+"/open", url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("open: %d %s", r.Status, r.Body)
		}
		doc = vwDoc(t, staff.Get(votePage))
		if !strings.Contains(doc.Find(".flash.ok").Text(), "冻结 20 名表决权人") || doc.Find("#participation .bar").Length() < 2 {
			t.Errorf("opened page: %q", doc.Find(".flash.ok").Text())
		}
		if !strings.Contains(doc.Find("#results").Text(), "投票期间不显示") {
			t.Error("results not hidden before the close")
		}

		// Credentials: one QR per voter, each decoding to the voter's URL.
		credPage := votePage + "/credentials"
		doc = vwDoc(t, staff.Get(credPage))
		cards := doc.Find(".cred")
		if cards.Length() != 20 || cards.Find("img.qr").Length() != 20 {
			t.Fatalf("credential cards %d, QR images %d", cards.Length(), cards.Find("img.qr").Length())
		}
		links := map[string]string{}
		_, zbarErr := exec.LookPath("zbarimg")
		cards.Each(func(i int, c *goquery.Selection) {
			link := strings.TrimSpace(c.Find(".cred-url code").Text())
			if !strings.HasPrefix(link, env.Config.PublicURL+"/b/") {
				t.Errorf("credential URL %q", link)
			}
			for _, room := range strings.Split(strings.TrimSpace(c.Find(".cred-rooms").Text()), "、") {
				links[room] = link
			}
			src := c.Find("img.qr").AttrOr("src", "")
			png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,"))
			if err != nil || !strings.HasPrefix(src, "data:image/png;base64,") {
				t.Fatalf("QR image %d: %v", i, err)
			}
			if zbarErr == nil {
				if got := zbarDecode(t, png); got != link {
					t.Errorf("QR %d decodes to %q, want %q", i, got, link)
				}
			}
		})
		if zbarErr != nil {
			t.Log("zbarimg not installed: QR decoding skipped")
		}

		vwAt(env, s.Opens.Add(2*time.Hour))
		// The owner of 1-1-302 opens the ballot and reviews it ...
		owner := env.Browser()
		p302 := vwPath(t, links["1-1-302"])
		ocsrf := owner.CSRF(p302)
		doc = vwDoc(t, owner.Post(p302+"/check", url.Values{"_csrf": {ocsrf}, "id_check": {vwAnswer302}}))
		pass := doc.Find("input[name=pass]").AttrOr("value", "")
		// ... meanwhile staff enter the paper ballot of 1-1-302 with a scan.
		paper := votePage + "/paper"
		doc = vwDoc(t, staff.Get(paper+"?q=1-1-30"))
		if doc.Find("a[href='/votes/"+fmt.Sprint(voteID)+"/paper?room=1-1-302']").Length() != 1 {
			t.Fatalf("room search: %q", doc.Find("table").Text())
		}
		entry := paper + "?room=1-1-302"
		if vwDoc(t, staff.Get(entry)).Find("form.paper-form input[name='c.item1']").Length() != 3 {
			t.Fatal("paper form lacks the item inputs")
		}
		scanPNG, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(cards.First().Find("img.qr").AttrOr("src", ""), "data:image/png;base64,"))
		r = staff.SubmitFile(entry, paper, "scan", "ballot-302.png", scanPNG, url.Values{"room": {"1-1-302"}, "kind": {"paper"},
			"c.item1": {"agree"}, "c.item2": {"oppose"}, "c.election": {"c1", "c2"}, "note": {"原件存档 A-17"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("paper entry: %d %s", r.Status, r.Body)
		}
		if flash := vwDoc(t, staff.Get(paper)).Find(".flash.ok").Text(); !strings.Contains(flash, "1-1-302") || !strings.Contains(flash, "纸质选票") {
			t.Errorf("paper flash: %q", flash)
		}
		// The owner's online confirmation now gets 409 with when and how.
		r = owner.Post(p302+"/cast", url.Values{"_csrf": {ocsrf}, "pass": {pass}, "c.item1": {"oppose"}})
		if r.Status != http.StatusConflict || !strings.Contains(vwDoc(t, r).Find(".flash.err").Text(), "纸质选票") {
			t.Errorf("online after paper: %d %q", r.Status, vwDoc(t, r).Find(".flash.err").Text())
		}
		// Online first (1-1-301), then a paper ballot for it: 409 re-rendered with the input.
		p301 := vwPath(t, links["1-1-301"])
		o301 := env.Browser()
		c301 := o301.CSRF(p301)
		doc = vwDoc(t, o301.Post(p301+"/check", url.Values{"_csrf": {c301}, "id_check": {vwAnswer301}}))
		if r := o301.Post(p301+"/cast", url.Values{"_csrf": {c301}, "pass": {doc.Find("input[name=pass]").AttrOr("value", "")},
			"c.item1": {"agree"}, "c.item2": {"agree"}, "c.election": {"c1", "c2", "c3"}}); r.Status != http.StatusOK || vwDoc(t, r).Find("#receipt").Length() != 1 {
			t.Fatalf("online 301: %d %s", r.Status, r.Body)
		}
		r = staff.SubmitFile(paper+"?room=1-1-301", paper, "scan", "", nil, url.Values{"room": {"1-1-301"}, "kind": {"paper"}, "c.item1": {"oppose"}})
		doc = vwDoc(t, r)
		if r.Status != http.StatusConflict || !strings.Contains(doc.Find(".flash.err").Text(), "线上投票") {
			t.Errorf("paper after online: %d %q", r.Status, doc.Find(".flash.err").Text())
		}
		if _, ok := doc.Find("input[name='c.item1'][value=oppose]").Attr("checked"); !ok {
			t.Error("refused paper entry lost its input")
		}
		// A proxy ballot.
		r = staff.SubmitFile(paper+"?room=1-1-401", paper, "scan", "", nil, url.Values{"room": {"1-1-401"}, "kind": {"proxy"},
			"proxy_name": {"赵受托"}, "proxy_id_number": {"110101199706034893"}, "proxy_authorisation": {"委托书第 1 号"},
			"c.item1": {"agree"}, "c.item2": {"agree"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("proxy entry: %d %s", r.Status, r.Body)
		}

		// The ballot list: channels, who entered, proxy, scan; voiding needs a reason.
		ballotsPage := votePage + "/ballots"
		doc = vwDoc(t, staff.Get(ballotsPage))
		rows := doc.Find("table.ballots tbody tr")
		if rows.Length() != 3 {
			t.Fatalf("ballot rows: %d", rows.Length())
		}
		list := doc.Find("table.ballots").Text()
		for _, want := range []string{"委托投票", "赵受托", "1101**************", "委托书第 1 号", "录入人：committee", "ballot-302.png", "线上投票"} {
			if !strings.Contains(list, want) {
				t.Errorf("ballot list lacks %q", want)
			}
		}
		var paperBallot models.Ballot
		env.DB.Where("vote_id = ? AND channel = ?", voteID, models.ChannelPaper).Take(&paperBallot)
		scanLink := doc.Find(fmt.Sprintf("#ballot-%d a[href*='/scans/']", paperBallot.ID)).AttrOr("href", "")
		if r := staff.Get(scanLink); r.Status != 200 || string(r.Body) != string(scanPNG) {
			t.Errorf("scan download: %d", r.Status)
		}
		voidAction := fmt.Sprintf("%s/%d/void", ballotsPage, paperBallot.ID)
		if r := staff.Submit(ballotsPage, voidAction, url.Values{"reason": {"  "}}); r.Status != 422 {
			t.Errorf("void without a reason: %d", r.Status)
		}
		if r := staff.Submit(ballotsPage, voidAction, url.Values{"reason": {"业主书面声明选票填写有误"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("void: %d %s", r.Status, r.Body)
		}
		doc = vwDoc(t, staff.Get(ballotsPage))
		if row := doc.Find(fmt.Sprintf("#ballot-%d", paperBallot.ID)).Text(); !strings.Contains(row, "已作废") || !strings.Contains(row, "业主书面声明选票填写有误") {
			t.Errorf("voided row: %q", row)
		}
		trail := doc.Find("#events").Text()
		for _, want := range []string{"vote.open", "ballot.paper", "ballot.proxy", "ballot.void", "业主书面声明选票填写有误"} {
			if !strings.Contains(trail, want) {
				t.Errorf("trail lacks %q", want)
			}
		}
		// Live participation by building.
		doc = vwDoc(t, staff.Get(votePage))
		if got := doc.Find("#participation .bar-label").First().Text(); !strings.Contains(got, "/ 2696.04") {
			t.Errorf("participation area line: %q", got)
		}
		if doc.Find("#participation tbody tr").Length() != 2 {
			t.Errorf("buildings: %d", doc.Find("#participation tbody tr").Length())
		}

		// Auditors read the ballots and the trail but change nothing; street2 sees nothing.
		aud := env.Browser()
		aud.Login("auditor", "Demo2026auditor")
		if r := aud.Get(ballotsPage); r.Status != 200 || vwDoc(t, r).Find("form[action$='/void']").Length() != 0 {
			t.Errorf("auditor ballots page: %d", r.Status)
		}
		if r := aud.Get(credPage); r.Status != http.StatusForbidden {
			t.Errorf("auditor credentials: %d", r.Status)
		}
		other := env.Browser()
		other.Login("street2", "Demo2026street2")
		for _, p := range []string{votePage, credPage, ballotsPage, paper, votePage + "/objections", fmt.Sprintf("/estates/%d/votes", estate)} {
			if r := other.Get(p); r.Status != 404 {
				t.Errorf("street2 %s: %d", p, r.Status)
			}
		}
		if r := other.Submit("/", votePage+"/open", nil); r.Status != 404 {
			t.Errorf("street2 open: %d", r.Status)
		}

		// Not published yet: no public page.
		if r := env.Browser().Get(fmt.Sprintf("/public/votes/%d", voteID)); r.Status != 404 {
			t.Errorf("public page before publication: %d", r.Status)
		}
		// After the closing time: the result with each rule in words.
		vwAt(env, s.Closes.Add(time.Hour))
		doc = vwDoc(t, staff.Get(votePage))
		res := doc.Find("#results")
		if res.Find(".result-item").Length() != 3 || !strings.Contains(res.Text(), "未通过") || !strings.Contains(res.Text(), "表决规则") {
			t.Errorf("results: %q", res.Text())
		}
		if !strings.Contains(res.Text(), "参与人数或面积未达到法定要求") {
			t.Errorf("quorum line missing: %q", res.Find(".quorum").Text())
		}
		loadTestNotice(t, env, s.Closes.Year()+1) // from mid-December the objection window reaches into next year
		if r := staff.Submit(votePage, votePage+"/publish", url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		// The public page: result and participation list (rooms and areas only).
		r = env.Browser().Get(fmt.Sprintf("/public/votes/%d", voteID))
		doc = vwDoc(t, r)
		if r.Status != 200 || doc.Find("#participation-list tbody tr").Length() != 2 || doc.Find("#results .result-item").Length() != 3 {
			t.Errorf("public page: %d rows %d", r.Status, doc.Find("#participation-list tbody tr").Length())
		}
		if !strings.Contains(doc.Find("#participation-list").Text(), "1-1-301") || strings.Contains(doc.Find("#participation-list").Text(), "1-1-302") {
			t.Errorf("participation list: %q", doc.Find("#participation-list").Text())
		}
		// An owner objects through the link; staff record one on paper and answer both.
		o := env.Browser()
		oc := o.CSRF(p301)
		if r := o.Post(p301+"/objection", url.Values{"_csrf": {oc}, "id_check": {vwAnswer301}, "content": {"请复核 2 号楼的参与面积。"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("owner objection: %d %s", r.Status, r.Body)
		}
		objPage := votePage + "/objections"
		if r := staff.Submit(objPage, objPage, url.Values{"submitter": {"张宇 1-1-302"}, "content": {"纸质选票被作废，请说明。"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("record objection: %d %s", r.Status, r.Body)
		}
		doc = vwDoc(t, staff.Get(objPage))
		forms := doc.Find("form[action$='/answer']")
		if doc.Find(".objection").Length() != 2 || forms.Length() != 2 {
			t.Fatalf("objections page: %d objections, %d answer forms", doc.Find(".objection").Length(), forms.Length())
		}
		for _, action := range forms.Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("action", "") }) {
			if r := staff.Submit(objPage, action, url.Values{"answer": {"已复核，结果无误。"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("answer: %d %s", r.Status, r.Body)
			}
		}
		// The answer shows after the identity check, never to whoever merely holds the link.
		doc = vwDoc(t, o.Get(p301))
		if strings.Contains(doc.Find("#results").Text(), "已复核，结果无误。") || doc.Find("#record-check input[name=id_check]").Length() != 1 {
			t.Errorf("the link's page before the check: %q", doc.Find("main").Text())
		}
		r = o.Post(p301+"/check", url.Values{"_csrf": {oc}, "id_check": {vwAnswer301}})
		if got := vwDoc(t, r).Find("#results").Text(); r.Status != 200 || !strings.Contains(got, "已复核，结果无误。") {
			t.Errorf("the owner does not see the answer: %d %q", r.Status, got)
		}
		if got := vwDoc(t, r).Find("#already-cast .receipt-code").Text(); got == "" {
			t.Error("the owner does not see the receipt after the check")
		}
		// Finalise after the objection window.
		v, _ := models.FindVote(t.Context(), env.DB.DB, voteID)
		vwAt(env, v.ObjectionDeadline.Add(time.Hour))
		if r := staff.Submit(votePage, votePage+"/finalise", url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("finalise: %d %s", r.Status, r.Body)
		}
		if got := vwDoc(t, staff.Get(votePage)).Find("h1 .badge").Text(); got != "结果已确定" {
			t.Errorf("final badge %q", got)
		}
	})
}

// vwMessageID finds a message id left untranslated in a page's text.
var vwMessageID = regexp.MustCompile(`\b(vote|ballot|receipt)\.[a-z_]+(\.[a-z_-]+)?`)

// Every vote page renders in Chinese and English (the owner's pages too).
func TestVoteWebPagesInBothLanguages(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		s := vwNewSchedule()
		voteID, links := vwOpenVote(t, env, s)
		vwAt(env, s.Opens.Add(time.Hour))
		estate := estateID(t, env, "阳光花园")
		staff := env.Browser()
		staff.Login("street", "Demo2026street")
		owner := env.Browser()
		page := vwPath(t, links["1-1-301"])
		pages := []string{fmt.Sprintf("/estates/%d/votes", estate), fmt.Sprintf("/estates/%d/votes/new", estate), fmt.Sprintf("/votes/%d", voteID),
			fmt.Sprintf("/votes/%d/credentials", voteID), fmt.Sprintf("/votes/%d/paper?room=1-1-101", voteID), fmt.Sprintf("/votes/%d/ballots", voteID)}
		want := map[string][]string{"zh-CN": {"业主大会表决", "表决"}, "en": {"Assembly votes", "Vote"}}
		for _, lang := range []string{"zh-CN", "en"} {
			staff.Get("/lang?to=" + lang + "&back=/")
			owner.Get("/lang?to=" + lang + "&back=/")
			for _, p := range pages {
				r := staff.Get(p)
				doc := vwDoc(t, r)
				if r.Status != 200 || doc.Find("html").AttrOr("lang", "") != lang || doc.Find("h1").Length() == 0 {
					t.Errorf("%s %s: %d", lang, p, r.Status)
				}
				doc.Find("code").Remove()
				if id := vwMessageID.FindString(doc.Text()); id != "" {
					t.Errorf("%s %s: untranslated message id %q", lang, p, id)
				}
			}
			if !strings.Contains(string(staff.Get(pages[0]).Body), want[lang][0]) {
				t.Errorf("%s: list heading not translated", lang)
			}
			r := owner.Get(page)
			if r.Status != 200 || vwDoc(t, r).Find("html").AttrOr("lang", "") != lang {
				t.Errorf("%s ballot landing: %d", lang, r.Status)
			}
			r = owner.Post(page+"/check", url.Values{"_csrf": {owner.CSRF(page)}, "id_check": {vwAnswer301}})
			body := string(r.Body)
			if r.Status != 200 || strings.Contains(body, "ballot.") || (lang == "en" && !strings.Contains(body, "Agree")) || (lang == "zh-CN" && !strings.Contains(body, "同意")) {
				t.Errorf("%s ballot form: %d", lang, r.Status)
			}
			if r := owner.Get("/receipt"); r.Status != 200 {
				t.Errorf("%s receipt check: %d", lang, r.Status)
			}
		}
	})
}

// The two translation files of the vote pages carry the same keys.
func TestVoteWebTranslationsMatch(t *testing.T) {
	read := func(name string) map[string]bool {
		b, err := os.ReadFile("../views/i18n/" + name)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^\s*"([^"]+)":`).FindAllSubmatch(b, -1) {
			keys[string(m[1])] = true
		}
		return keys
	}
	zh, en := read("votes.zh-CN.json"), read("votes.en.json")
	for k := range zh {
		if !en[k] {
			t.Errorf("%s missing in English", k)
		}
	}
	for k := range en {
		if !zh[k] {
			t.Errorf("%s missing in Chinese", k)
		}
	}
	if len(zh) < 100 {
		t.Errorf("only %d keys read", len(zh))
	}
}
