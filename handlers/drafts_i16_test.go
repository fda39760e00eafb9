package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"gongzhi/app/rules"
)

// Issue 16 defect 4: drafting a vote has no traps. Every test runs through the real
// router on SQLite and, with TEST_MYSQL_DSN, on MariaDB.

// i16Count counts rows of a table matching a condition.
func i16Count(t *testing.T, env *voteEnv, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := env.DB.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// i16Form is a lawful drafting form: the notice tomorrow, one item.
func i16Form() url.Values {
	notice := voteT0.AddDate(0, 0, 1)
	opens := notice.AddDate(0, 0, 15)
	return url.Values{
		"title": {"2026 年第一次业主大会会议"}, "legal_profile": {"civil-code-2021"}, "form": {"written"}, "convenor": {"committee"},
		"location": {"小区活动中心"}, "notice_published_at": {notice.In(rules.Shanghai()).Format("2006-01-02")},
		"opens_at": {opens.In(rules.Shanghai()).Format("2006-01-02T15:04")}, "closes_at": {opens.AddDate(0, 0, 7).In(rules.Shanghai()).Format("2006-01-02T15:04")},
		"item_slots": {"1"}, "item_title_1": {"选聘新的物业服务企业"}, "item_matter_1": {"hire_dismiss_manager"}, "item_text_1": {"拟选聘甲物业服务有限公司。"},
	}
}

func i16Doc(t *testing.T, body []byte) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestI16MatterMustBeChosen(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		estate := estateID(t, env.Env, "阳光花园")
		before := i16Count(t, env, "SELECT COUNT(*) FROM votes")
		// The API: a missing matter is a 422 naming items[0].matter, nothing stored.
		body := voteBody("civil-code-2021", map[string]any{"key": "a", "title": "事项", "text": "全文"})
		r := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", estate), env.DemoToken("street"), body)
		if r.Status != 422 || !strings.Contains(string(r.Body), `"items[0].matter"`) {
			t.Errorf("API without matter: %d %s", r.Status, r.Body)
		}
		// The web form: the select starts on 请选择; posting it unchosen is refused naming the item's matter.
		b := env.Browser()
		b.Login("committee", "Demo2026committee")
		newPage := fmt.Sprintf("/estates/%d/votes/new", estate)
		doc := i16Doc(t, b.Get(newPage).Body)
		sel := doc.Find("select[name=item_matter_1]")
		if first := sel.Find("option").First(); first.AttrOr("value", "x") != "" || strings.TrimSpace(first.Text()) != "请选择" || sel.Find("option[selected]").AttrOr("value", "x") != "" {
			t.Errorf("matter select does not start on 请选择: %q", first.Text())
		}
		if n := doc.Find("fieldset.slot").Length(); n != 1 {
			t.Errorf("item blocks on a new form: %d, want 1", n)
		}
		if doc.Find("input[name=notice_published_at]").AttrOr("value", "") != voteT0.AddDate(0, 0, 1).Format("2006-01-02") {
			t.Errorf("default notice date %q, want tomorrow", doc.Find("input[name=notice_published_at]").AttrOr("value", ""))
		}
		form := i16Form()
		form.Del("item_matter_1")
		r = b.Submit(newPage, fmt.Sprintf("/estates/%d/votes", estate), form)
		doc = i16Doc(t, r.Body)
		if r.Status != 422 || !strings.Contains(doc.Find(".flash.err").Text(), "第 1 项 · 事项类别") || !doc.Find("select[name=item_matter_1]").HasClass("invalid") {
			t.Errorf("web without matter: %d %q", r.Status, doc.Find(".flash.err").Text())
		}
		if doc.Find("input[name=item_title_1]").AttrOr("value", "") != "选聘新的物业服务企业" {
			t.Error("typed title lost")
		}
		if after := i16Count(t, env, "SELECT COUNT(*) FROM votes"); after != before {
			t.Errorf("votes stored: %d → %d", before, after)
		}
	})
}

func TestI16AddItemBlockWithoutJavaScript(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		estate := estateID(t, env.Env, "阳光花园")
		b := env.Browser()
		b.Login("committee", "Demo2026committee")
		newPage := fmt.Sprintf("/estates/%d/votes/new", estate)
		form := i16Form()
		form.Set("add_item", "1")
		r := b.Submit(newPage, fmt.Sprintf("/estates/%d/votes", estate), form)
		doc := i16Doc(t, r.Body)
		if r.Status != 200 || doc.Find("fieldset.slot").Length() != 2 || doc.Find("input[name=item_slots]").AttrOr("value", "") != "2" {
			t.Fatalf("add item: %d, %d blocks", r.Status, doc.Find("fieldset.slot").Length())
		}
		if doc.Find("input[name=item_title_1]").AttrOr("value", "") != "选聘新的物业服务企业" ||
			doc.Find("select[name=item_matter_1] option[selected]").AttrOr("value", "") != "hire_dismiss_manager" ||
			doc.Find("input[name=title]").AttrOr("value", "") != "2026 年第一次业主大会会议" {
			t.Error("typed values not kept")
		}
		if doc.Find("button[name=add_item][formnovalidate]").Length() != 1 {
			t.Error("the add button must submit without the browser's required checks")
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM votes"); n != 0 {
			t.Errorf("adding a block stored %d votes", n)
		}
		// Fill the second block and save: two items.
		form.Del("add_item")
		form.Set("item_slots", "2")
		form.Set("item_title_2", "续筹专项维修资金")
		form.Set("item_matter_2", "raise_maintenance_fund")
		form.Set("item_text_2", "按每平方米 30 元续筹。")
		r = b.Submit(newPage, fmt.Sprintf("/estates/%d/votes", estate), form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var id int64
		fmt.Sscanf(r.Header.Get("Location"), "/votes/%d", &id)
		if n := i16Count(t, env, "SELECT COUNT(*) FROM vote_items WHERE vote_id = ?", id); n != 2 {
			t.Errorf("items stored: %d", n)
		}
	})
}

func TestI16PastNoticeRefused(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		estate := estateID(t, env.Env, "阳光花园")
		b := env.Browser()
		b.Login("committee", "Demo2026committee")
		newPage := fmt.Sprintf("/estates/%d/votes/new", estate)
		form := i16Form()
		form.Set("notice_published_at", voteT0.AddDate(0, 0, -1).Format("2006-01-02"))
		r := b.Submit(newPage, fmt.Sprintf("/estates/%d/votes", estate), form)
		doc := i16Doc(t, r.Body)
		if r.Status != 422 || !doc.Find("input[name=notice_published_at]").HasClass("invalid") ||
			!strings.Contains(doc.Find(".flash.err").Text(), "公告日期不能早于今天") {
			t.Errorf("past notice: %d %q", r.Status, doc.Find(".flash.err").Text())
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM votes"); n != 0 {
			t.Errorf("a past notice stored %d votes", n)
		}
	})
}

func TestI16DraftEditAndDelete(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		estate := estateID(t, env.Env, "阳光花园")
		b := env.Browser()
		b.Login("committee", "Demo2026committee")
		newPage := fmt.Sprintf("/estates/%d/votes/new", estate)
		create := func() string {
			r := b.Submit(newPage, fmt.Sprintf("/estates/%d/votes", estate), i16Form())
			if r.Status != http.StatusSeeOther {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
			return r.Header.Get("Location")
		}
		page := create()
		var id int64
		fmt.Sscanf(page, "/votes/%d", &id)
		doc := i16Doc(t, b.Get(page).Body)
		if doc.Find("a#edit-draft").Length() != 1 || doc.Find("#delete-draft input[name=confirm][required]").Length() != 1 ||
			doc.Find("#open-form input[name=confirm][required]").Length() != 1 {
			t.Fatal("draft page lacks edit, confirmed delete or confirmed open")
		}
		// Edit: prefilled, saved, audited.
		edit := i16Doc(t, b.Get(page+"/edit").Body)
		if edit.Find("input[name=title]").AttrOr("value", "") != "2026 年第一次业主大会会议" {
			t.Error("edit form not prefilled")
		}
		form := url.Values{}
		edit.Find("form[action$='/edit'] input, form[action$='/edit'] select").Each(func(_ int, s *goquery.Selection) {
			name, _ := s.Attr("name")
			if name == "" || name == "_csrf" || name == "follow_majority" {
				return
			}
			if goquery.NodeName(s) == "select" {
				form.Set(name, s.Find("option[selected]").AttrOr("value", ""))
				return
			}
			form.Set(name, s.AttrOr("value", ""))
		})
		form.Set("title", "2026 年第一次业主大会会议（修改）")
		if r := b.Submit(page+"/edit", page+"/edit", form); r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM votes WHERE id = ? AND title = ?", id, "2026 年第一次业主大会会议（修改）"); n != 1 {
			t.Error("title not changed")
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM audit_logs WHERE action = 'vote.update' AND target_id = ?", id); n != 1 {
			t.Errorf("vote.update audits: %d", n)
		}
		// A past notice date on the edit form is refused like on the drafting form.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("notice_published_at", voteT0.AddDate(0, 0, -2).Format("2006-01-02"))
		if r := b.Submit(page+"/edit", page+"/edit", bad); r.Status != 422 || !i16Doc(t, r.Body).Find("input[name=notice_published_at]").HasClass("invalid") {
			t.Errorf("edit with past notice: %d", r.Status)
		}
		// Add an item, then remove it.
		if r := b.Submit(page, page+"/items", url.Values{"title": {"修改管理规约"}, "matter": {"amend_management_rules"}, "text": {"管理规约修订稿全文。"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("add item: %d %s", r.Status, r.Body)
		}
		if r := b.Submit(page, page+"/items/item2/remove", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("remove item: %d %s", r.Status, r.Body)
		}
		if v := i16Doc(t, b.Get(page).Body); v.Find("#items .vote-item").Length() != 1 {
			t.Errorf("items after removal: %d", v.Find("#items .vote-item").Length())
		}
		// Delete: refused unconfirmed, nothing changed; confirmed, gone and audited.
		if r := b.Submit(page, page+"/delete", nil); r.Status != 422 || !strings.Contains(string(r.Body), "请先勾选确认") {
			t.Errorf("delete unconfirmed: %d", r.Status)
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM votes WHERE id = ?", id); n != 1 {
			t.Fatal("unconfirmed delete deleted")
		}
		r := b.Submit(page, page+"/delete", url.Values{"confirm": {"1"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != fmt.Sprintf("/estates/%d/votes", estate) {
			t.Fatalf("delete: %d %s", r.Status, r.Header.Get("Location"))
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM votes WHERE id = ?", id); n != 0 {
			t.Error("vote not deleted")
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM vote_items WHERE vote_id = ?", id); n != 0 {
			t.Error("items not deleted")
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM audit_logs WHERE action = 'vote.delete' AND target_id = ?", id); n != 1 {
			t.Errorf("vote.delete audits: %d", n)
		}
		if r := b.Get(page); r.Status != 404 {
			t.Errorf("deleted vote's page: %d", r.Status)
		}

		// Once the notice is out: edit and delete refused (409), nothing changed.
		page = create()
		fmt.Sscanf(page, "/votes/%d", &id)
		env.Clock.Set(voteT0.AddDate(0, 0, 1).Add(time.Hour))
		if r := b.Submit(page, page+"/delete", url.Values{"confirm": {"1"}}); r.Status != 409 {
			t.Errorf("delete after the notice: %d", r.Status)
		}
		if r := b.Submit(page, page+"/edit", form); r.Status != 409 {
			t.Errorf("edit after the notice: %d", r.Status)
		}
		// Opening needs the ticked confirmation; once opened, deleting is refused.
		env.Clock.Set(voteT0.AddDate(0, 0, 16).Add(time.Hour))
		if r := b.Submit(page, page+"/open", nil); r.Status != 422 || !strings.Contains(string(r.Body), "请先勾选确认") {
			t.Errorf("open unconfirmed: %d", r.Status)
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM votes WHERE id = ? AND state = 'draft'", id); n != 1 {
			t.Fatal("unconfirmed open opened the vote")
		}
		if r := b.Submit(page, page+"/open", url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("open: %d %s", r.Status, r.Body)
		}
		if r := b.Submit(page, page+"/delete", url.Values{"confirm": {"1"}}); r.Status != 409 {
			t.Errorf("delete after opening: %d", r.Status)
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM votes WHERE id = ? AND state = 'open'", id); n != 1 {
			t.Error("the opened vote changed")
		}
		// Outside the jurisdiction: 404, and an auditor may not delete (403).
		aud := env.Browser()
		aud.Login("auditor", "Demo2026auditor")
		if r := aud.Submit("/", page+"/delete", url.Values{"confirm": {"1"}}); r.Status != 403 {
			t.Errorf("auditor delete: %d", r.Status)
		}
	})
}

// An election vote made from the slate stays a draft the first assembly can complete:
// before its notice, its rules of procedure and management rules items are added on the
// vote's page; a past notice date on the slate form is refused instead of freezing it.
func TestI16SlateVoteTakesRulesItems(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		estate := estateID(t, env.Env, "阳光花园")
		gid := fmFormGroup(t, env.Env, tok, estate)
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/publish", gid), tok, nil), 200, "publish members")
		for j, room := range []string{"1-1-301", "1-1-302", "1-1-401", "1-1-402", "1-1-501"} {
			political := "masses"
			if j < 3 {
				political = "cpc_member"
			}
			fmQualify(t, env.Env, tok, gid, fmt.Sprintf("候选人%d", j+1), room, political)
		}
		opens := voteT0.AddDate(0, 0, 17)
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/candidate-lists", gid), tok, map[string]any{"vote_planned_at": opens}), 201, "publish list")
		b := env.Browser()
		b.Login("street", "Demo2026street")
		page := fmt.Sprintf("/estates/%d/formation", estate)
		action := fmt.Sprintf("/estates/%d/formation/groups/%d/election-vote", estate, gid)
		local := func(t time.Time) string { return t.In(rules.Shanghai()).Format("2006-01-02T15:04") }
		form := url.Values{"title": {"选举业主委员会委员"}, "seats": {"5"}, "alternates": {"0"}, "form": {"written"},
			"notice_published_at": {local(voteT0.AddDate(0, 0, -1))}, "opens_at": {local(opens)}, "closes_at": {local(opens.AddDate(0, 0, 7))}}
		if r := b.Submit(page, action, form); r.Status != 422 || !strings.Contains(string(r.Body), "公告日期不能早于今天") {
			t.Errorf("slate vote with a past notice: %d", r.Status)
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM votes"); n != 0 {
			t.Fatalf("a refused slate vote stored %d votes", n)
		}
		form.Set("notice_published_at", local(voteT0.AddDate(0, 0, 1)))
		r := b.Submit(page, action, form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("slate vote: %d %s", r.Status, r.Body)
		}
		vote := r.Header.Get("Location")
		doc := i16Doc(t, b.Get(vote).Body)
		if doc.Find("form[action$='/items'] select[name=matter]").Length() != 1 {
			t.Fatal("the slate vote's page offers no item to add before the notice")
		}
		for _, it := range []url.Values{
			{"title": {"制定业主大会议事规则"}, "matter": {"amend_rules_of_procedure"}, "text": {"业主大会议事规则（草案）全文。"}},
			{"title": {"制定管理规约"}, "matter": {"amend_management_rules"}, "text": {"管理规约（草案）全文。"}},
		} {
			if r := b.Submit(vote, vote+"/items", it); r.Status != http.StatusSeeOther {
				t.Fatalf("add %s: %d %s", it.Get("title"), r.Status, r.Body)
			}
		}
		doc = i16Doc(t, b.Get(vote).Body)
		if n := doc.Find("#items .vote-item").Length(); n != 3 || !strings.Contains(doc.Find("#items").Text(), "制定管理规约") {
			t.Errorf("slate vote items: %d", n)
		}
	})
}

// The API doors of issue 16: deleting a draft, and a whole checklist at once.
func TestI16APIDeleteDraftAndChecklist(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		body := voteBody("civil-code-2021", defaultItems()...)
		body["notice_published_at"] = voteT0.AddDate(0, 0, 1).Format(time.RFC3339)
		body["opens_at"] = voteT0.AddDate(0, 0, 16).Format(time.RFC3339)
		id := env.createVote(t, tok, body)
		if r := env.API("DELETE", fmt.Sprintf("/api/v1/votes/%d", id), env.DemoToken("auditor"), nil); r.Status != 403 {
			t.Errorf("auditor delete: %d", r.Status)
		}
		if r := env.API("DELETE", fmt.Sprintf("/api/v1/votes/%d", id), tok, nil); r.Status != 204 {
			t.Fatalf("delete draft: %d %s", r.Status, r.Body)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d", id), tok, nil); r.Status != 404 {
			t.Errorf("deleted vote: %d", r.Status)
		}
		// A vote noticed in the past (the API still accepts a paper notice posted earlier): 409.
		old := env.createVote(t, tok, voteBody("civil-code-2021", defaultItems()...))
		if r := env.API("DELETE", fmt.Sprintf("/api/v1/votes/%d", old), tok, nil); r.Status != 409 {
			t.Errorf("delete after the notice: %d %s", r.Status, r.Body)
		}

		estate := estateID(t, env.Env, "阳光花园")
		gid := fmFormGroup(t, env.Env, tok, estate)
		cid := fmID(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/candidates", gid), tok, map[string]any{"name": "侯红红", "room": "1-1-301",
			"nomination_kind": "self", "political_status": "masses", "occupation": "会计"}), "nominate")
		var checks []map[string]any
		for _, c := range rules.EligibilityCriteria() {
			checks = append(checks, map[string]any{"criterion": c.Code, "met": true, "evidence": "核对 " + c.Title})
		}
		checks[2]["evidence"] = ""
		path := fmt.Sprintf("/api/v1/candidates/%d/checklist", cid)
		r := env.API("POST", path, tok, map[string]any{"reviewer": "吴书记", "checks": checks})
		crit := rules.EligibilityCriteria()[2]
		if r.Status != 422 || !strings.Contains(string(r.Body), `"checks.`+crit.Code+`.evidence"`) || !strings.Contains(string(r.Body), crit.Title) {
			t.Errorf("checklist without one evidence: %d %s", r.Status, r.Body)
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM eligibility_checks WHERE candidate_id = ?", cid); n != 0 {
			t.Errorf("a refused checklist stored %d reviews", n)
		}
		checks[2]["evidence"] = "核对 " + crit.Title
		r = env.API("POST", path, tok, map[string]any{"reviewer": "吴书记", "checks": checks})
		if r.Status != 200 || !strings.Contains(string(r.Body), `"eligible":true`) {
			t.Fatalf("checklist: %d %s", r.Status, r.Body)
		}
	})
}
