package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongzhi/app/documents"
	"gongzhi/app/formation"
	"gongzhi/models"
)

// Committee oversight (seed 003 §(六)) and the gaps of issue 12 closed by h11: tests on
// both databases through the HTTP API and the web pages.

// ovMinutes records final committee minutes with one decision passed by the five members.
func ovMinutes(t *testing.T, env *voteEnv, decision string) int64 {
	t.Helper()
	ctx := context.Background()
	all := []string{"王建国", "李秀英", "刘洋", "侯红红", "张宇"}
	mid, err := env.Svc.Documents.CreateMinutes(ctx, fmSystem, env.Demo.EstateID, documents.NewMinutes{Kind: "committee",
		MinutesInput: documents.MinutesInput{Title: "业委会第三次会议", Place: "会议室", HeldAt: env.Clock.Now().Add(-time.Hour), Members: all, Present: all,
			Decisions:  []documents.Decision{{Text: "同意会议室出租收益由主任个人保管", Agree: 3, Oppose: 2}, {Text: decision, Agree: 4, Oppose: 1}},
			Signatures: []documents.Signature{{Name: "王建国", SignedAt: env.Clock.Now()}}}})
	if err != nil {
		t.Fatalf("minutes: %v", err)
	}
	if _, err := env.Svc.Documents.FinaliseMinutes(ctx, fmSystem, mid); err != nil {
		t.Fatalf("finalise minutes: %v", err)
	}
	return mid
}

type ovOversight struct {
	Ratings []struct {
		Period       string `json:"period"`
		RatePermille int    `json:"rate_permille"`
	} `json:"ratings"`
	Rectifications []struct {
		ID       int64  `json:"id"`
		Status   string `json:"status"`
		Overdue  bool   `json:"overdue"`
		Decision int    `json:"decision"`
		Revoked  bool   `json:"revoked"`
		NoticeID *int64 `json:"revocation_document_id"`
	} `json:"rectifications"`
	Open    int `json:"open"`
	Overdue int `json:"overdue"`
	Revoked int `json:"revoked"`
}

// TestCommitteeOversight: the owner representatives' rating (shown on the committee page
// and on the re-election group's page), a rectification order with its deadline and
// outcome, and the revocation of the refused decision announced with a notice PDF; bad
// input names the field, other roles get 403 and another street office 404.
func TestCommitteeOversight(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		cid := cmSeed(t, env, 0)
		street, community, member, street2 := env.DemoToken("street"), env.DemoToken("community"), env.DemoToken("committee"), env.DemoToken("street2")
		base := fmt.Sprintf("/api/v1/committees/%d", cid)

		// Ratings: 7 satisfied + 3 basically of 12 → 833‰.
		rating := map[string]any{"period": "2026年上半年", "rated_on": "", "raters": 12, "satisfied": 7, "basic": 3, "dissatisfied": 2, "summary": "公开不够及时"}
		fmWant(t, env.API("POST", base+"/ratings", community, rating), 201, "rating")
		bad := []struct {
			what, field string
			body        map[string]any
		}{
			{"same period twice", "period", rating},
			{"counts do not add up", "raters", map[string]any{"period": "2026年下半年", "raters": 12, "satisfied": 7, "basic": 3, "dissatisfied": 1}},
			{"no raters", "raters", map[string]any{"period": "2026年下半年", "raters": 0}},
			{"no period", "period", map[string]any{"period": " ", "raters": 1, "satisfied": 1}},
			{"future day", "rated_on", map[string]any{"period": "2027年", "rated_on": "2099-01-01", "raters": 1, "satisfied": 1}},
			{"bad day", "rated_on", map[string]any{"period": "2027年", "rated_on": "1/2/2026", "raters": 1, "satisfied": 1}},
		}
		for _, b := range bad {
			if r := env.API("POST", base+"/ratings", community, b.body); r.Status != 422 || cmFieldOf(r) != b.field {
				t.Errorf("%s: %d %s, want 422 naming %s", b.what, r.Status, r.Body, b.field)
			}
		}
		if r := env.API("POST", base+"/ratings", member, rating); r.Status != 403 {
			t.Errorf("the committee rates itself: %d", r.Status)
		}
		if r := env.API("POST", base+"/ratings", street2, rating); r.Status != 404 {
			t.Errorf("another street office rates: %d", r.Status)
		}
		if r := env.API("GET", base+"/oversight", street2, nil); r.Status != 404 {
			t.Errorf("another street office reads: %d", r.Status)
		}

		// A rectification order against decision 2 of final minutes.
		mid := ovMinutes(t, env, "同意与物业公司续签合同五年，不经业主大会表决")
		due := env.Clock.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 10).Format(time.DateOnly)
		order := map[string]any{"matters": "续签物业服务合同须经业主大会决定，请撤回该决定", "basis": "《民法典》第二百七十八条", "due_on": due,
			"minutes_id": mid, "decision": 2}
		badOrders := []struct {
			what, field string
			body        map[string]any
		}{
			{"no matters", "matters", map[string]any{"due_on": due}},
			{"deadline in the past", "due_on", map[string]any{"matters": "x", "due_on": "2020-01-01"}},
			{"no deadline", "due_on", map[string]any{"matters": "x"}},
			{"no such decision", "decision", map[string]any{"matters": "x", "due_on": due, "minutes_id": mid, "decision": 3}},
			{"minutes of no committee", "minutes_id", map[string]any{"matters": "x", "due_on": due, "minutes_id": mid + 1000, "decision": 1}},
		}
		for _, b := range badOrders {
			if r := env.API("POST", base+"/rectifications", street, b.body); r.Status != 422 || cmFieldOf(r) != b.field {
				t.Errorf("%s: %d %s, want 422 naming %s", b.what, r.Status, r.Body, b.field)
			}
		}
		if r := env.API("POST", base+"/rectifications", community, order); r.Status != 403 {
			t.Errorf("the community orders: %d", r.Status)
		}
		if r := env.API("POST", base+"/rectifications", street2, order); r.Status != 404 {
			t.Errorf("another street office orders: %d", r.Status)
		}
		rid := fmID(t, env.API("POST", base+"/rectifications", street, order), "order")
		other := fmID(t, env.API("POST", base+"/rectifications", street, map[string]any{"matters": "每季度公开共有收益账目", "due_on": due}), "second order")
		orders := fmt.Sprintf("/api/v1/committee-rectifications/%d", rid)
		revoke := map[string]any{"grounds": "续签物业服务合同属业主大会决定事项，业主委员会无权决定", "basis": "《民法典》第二百七十八条；管理规约第十二条"}
		if r := env.API("POST", orders+"/revocation", street, revoke); r.Status != 422 || cmFieldOf(r) != "rectification_id" {
			t.Errorf("revocation while the order is open: %d %s", r.Status, r.Body)
		}

		// Past the deadline the open orders are overdue.
		env.Clock.Set(env.Clock.Now().AddDate(0, 0, 12))
		var ov ovOversight
		env.API("GET", base+"/oversight", street, nil).JSON(t, &ov)
		if ov.Open != 2 || ov.Overdue != 2 || len(ov.Ratings) != 1 || ov.Ratings[0].RatePermille != 833 {
			t.Fatalf("oversight after the deadline: %+v", ov)
		}
		bo := []struct {
			what, field string
			body        map[string]any
		}{
			{"unknown status", "status", map[string]any{"status": "done", "outcome": "x"}},
			{"no outcome", "outcome", map[string]any{"status": "not_rectified"}},
			{"future day", "outcome_on", map[string]any{"status": "not_rectified", "outcome": "x", "outcome_on": "2099-01-01"}},
		}
		for _, b := range bo {
			if r := env.API("POST", orders+"/outcome", street, b.body); r.Status != 422 || cmFieldOf(r) != b.field {
				t.Errorf("%s: %d %s, want 422 naming %s", b.what, r.Status, r.Body, b.field)
			}
		}
		fmWant(t, env.API("POST", orders+"/outcome", street, map[string]any{"status": "not_rectified", "outcome": "逾期未撤回该决定，拒绝整改"}), 200, "outcome")
		if r := env.API("POST", orders+"/outcome", street, map[string]any{"status": "rectified", "outcome": "x"}); r.Status != 409 {
			t.Errorf("a second outcome: %d", r.Status)
		}
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/committee-rectifications/%d/outcome", other), street,
			map[string]any{"status": "rectified", "outcome": "已在公告栏公开账目"}), 200, "outcome of the other")
		if r := env.API("POST", fmt.Sprintf("/api/v1/committee-rectifications/%d/revocation", other), street, revoke); r.Status != 422 || cmFieldOf(r) != "rectification_id" {
			t.Errorf("revoking an order naming no decision: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", orders+"/revocation", street2, revoke); r.Status != 404 {
			t.Errorf("another street office revokes: %d", r.Status)
		}
		if r := env.API("POST", orders+"/revocation", member, revoke); r.Status != 403 {
			t.Errorf("the committee revokes: %d", r.Status)
		}
		if r := env.API("POST", orders+"/revocation", street, map[string]any{"grounds": "x"}); r.Status != 422 || cmFieldOf(r) != "basis" {
			t.Errorf("revocation without basis: %d %s", r.Status, r.Body)
		}
		var rv struct {
			DocumentID int64 `json:"document_id"`
		}
		r := env.API("POST", orders+"/revocation", street, revoke)
		fmWant(t, r, 201, "revocation")
		r.JSON(t, &rv)
		if r := env.API("POST", orders+"/revocation", street, revoke); r.Status != 422 || cmFieldOf(r) != "rectification_id" {
			t.Errorf("a second revocation: %d %s", r.Status, r.Body)
		}
		env.API("GET", base+"/oversight", street, nil).JSON(t, &ov)
		if ov.Open != 0 || ov.Overdue != 0 || ov.Revoked != 1 {
			t.Errorf("oversight after the revocation: %+v", ov)
		}
		for _, o := range ov.Rectifications {
			if o.ID == rid && (!o.Revoked || o.NoticeID == nil || *o.NoticeID != rv.DocumentID || o.Decision != 2 || o.Status != "not_rectified") {
				t.Errorf("revoked order: %+v", o)
			}
		}
		// Announced to the owners on the board, with the notice; audited.
		var n int64
		env.DB.DB.Model(&models.Announcement{}).Where("estate_id = ? AND document_id = ?", env.Demo.EstateID, rv.DocumentID).Count(&n)
		if n != 1 {
			t.Errorf("board announcements of the notice: %d", n)
		}
		var audits int64
		env.DB.DB.Table("audit_logs").Where("action LIKE ?", "committee.%").Where("action IN ?", []string{"committee.rating",
			"committee.rectification.ordered", "committee.rectification.outcome", "committee.decision.revoked"}).Count(&audits)
		if audits != 6 {
			t.Errorf("audit rows: %d, want 6", audits)
		}
		pdf := env.API("GET", fmt.Sprintf("/api/v1/documents/%d/pdf", rv.DocumentID), street, nil)
		if pdf.Status != 200 || !strings.HasPrefix(string(pdf.Body), "%PDF") {
			t.Fatalf("notice PDF: %d", pdf.Status)
		}
		if dir := os.Getenv("SAVE_PDF_DIR"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, "revocation-"+env.DB.Dialect+".pdf"), pdf.Body, 0o644)
		}

		// The pages: the committee page shows the latest rating; the oversight page the record.
		b := env.Browser()
		b.Login("street", "Demo2026street")
		if r := b.Get(fmt.Sprintf("/estates/%d/committee-office", env.Demo.EstateID)); r.Status != 200 || !strings.Contains(string(r.Body), "满意率 83.3%") {
			t.Errorf("committee page: %d", r.Status)
		}
		page := fmt.Sprintf("/estates/%d/committee-oversight", env.Demo.EstateID)
		if r := b.Get(page); r.Status != 200 || !strings.Contains(string(r.Body), "决定已撤销") || !strings.Contains(string(r.Body), "2026年上半年") {
			t.Errorf("oversight page: %d", r.Status)
		}
		// The web form: a refusal names the field and keeps the input; a good rating saves.
		if r := b.Submit(page, page+"/ratings", url.Values{"period": {"2026年下半年"}, "raters": {"5"}, "satisfied": {"1"}, "basic": {"1"}, "dissatisfied": {"1"}}); r.Status != 422 || !strings.Contains(string(r.Body), "2026年下半年") {
			t.Errorf("web rating not adding up: %d", r.Status)
		}
		if r := b.Submit(page, page+"/ratings", url.Values{"period": {"2026年下半年"}, "raters": {"5"}, "satisfied": {"4"}, "basic": {"0"}, "dissatisfied": {"1"}}); r.Status != 303 {
			t.Errorf("web rating: %d %s", r.Status, r.Body)
		}
		if r := b.Submit(page, page+"/rectifications", url.Values{"matters": {"按时召开业主委员会会议"}, "due_on": {"2099-12-31"}, "decision": {fmt.Sprintf("%d:1", mid)}}); r.Status != 303 {
			t.Errorf("web order: %d %s", r.Status, r.Body)
		}
		cb := env.Browser()
		cb.Login("committee", "Demo2026committee")
		if r := cb.Get(page); r.Status != 200 || strings.Contains(string(r.Body), page+"/rectifications\"") {
			t.Errorf("the committee sees the order form: %d", r.Status)
		}

		// Before re-election: the re-election group's page shows the ratings.
		if _, err := env.Svc.Formation.CreateGroup(context.Background(), fmSystem, env.Demo.EstateID, formation.NewGroup{Kind: models.GroupKindReelection}); err != nil {
			t.Fatalf("re-election group: %v", err)
		}
		if r := b.Get(fmt.Sprintf("/estates/%d/formation", env.Demo.EstateID)); r.Status != 200 || !strings.Contains(string(r.Body), "换届前参考") || !strings.Contains(string(r.Body), "83.3%") {
			t.Errorf("re-election group's page: %d", r.Status)
		}
		var ratings []struct {
			Period string `json:"period"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/committee-ratings", env.Demo.EstateID), community, nil).JSON(t, &ratings)
		if len(ratings) != 2 {
			t.Errorf("estate ratings: %+v", ratings)
		}
	})
}

// TestMinutesRefuseSuspendedMember (issue 12): a suspended member stays one of "all
// members" of the committee's decisions but cannot take part: ticking them present is
// refused naming "present", leaving them out of the members is refused naming
// "members", nothing is saved; the web form offers no box to tick for them.
func TestMinutesRefuseSuspendedMember(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		cid := cmSeed(t, env, 0)
		street := env.DemoToken("street")
		v := cmGet(t, env, street, cid)
		cmFounded(t, env, cid, cmMemberID(t, v, "王建国"), "N6")
		env.Clock.Set(env.Clock.Now().Add(time.Hour))
		held := env.Clock.Now().Add(-10 * time.Minute).Format(time.RFC3339)
		all := []string{"王建国", "李秀英", "刘洋", "侯红红", "张宇"}
		path := fmt.Sprintf("/api/v1/estates/%d/minutes", env.Demo.EstateID)
		body := func(members, present []string, agree int) map[string]any {
			return map[string]any{"kind": "committee", "title": "业委会会议", "held_at": held, "members": members, "present": present,
				"decisions":  []map[string]any{{"text": "同意更换电梯维保单位", "agree": agree}},
				"signatures": []map[string]any{{"name": "李秀英", "signed_at": held}}}
		}
		var before int64
		env.DB.DB.Model(&models.Minutes{}).Count(&before)
		if r := env.API("POST", path, street, body(all, all, 3)); r.Status != 422 || cmFieldOf(r) != "present" || !strings.Contains(string(r.Body), "王建国") {
			t.Errorf("suspended member present: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", path, street, body(all[1:], all[1:], 3)); r.Status != 422 || cmFieldOf(r) != "members" {
			t.Errorf("suspended member left out of all members: %d %s", r.Status, r.Body)
		}
		var after int64
		env.DB.DB.Model(&models.Minutes{}).Count(&after)
		if after != before {
			t.Errorf("refused minutes were saved: %d → %d", before, after)
		}
		// Four present of five members; 3 agree of all 5 passes (2·3 > 5), and the
		// quorum counts the suspended member among all members.
		var m struct {
			ID        int64 `json:"id"`
			Decisions []struct {
				Passed       bool `json:"passed"`
				NeededToPass int  `json:"needed_to_pass"`
			} `json:"decisions"`
			Quorum bool `json:"quorum"`
		}
		r := env.API("POST", path, street, body(all, all[1:], 3))
		fmWant(t, r, 201, "minutes")
		id := fmID(t, r, "minutes")
		env.API("GET", fmt.Sprintf("/api/v1/minutes/%d", id), street, nil).JSON(t, &m)
		if !m.Quorum || len(m.Decisions) != 1 || !m.Decisions[0].Passed || m.Decisions[0].NeededToPass != 3 {
			t.Errorf("decision counted of all five: %+v", m)
		}
		// Editing the draft is held to the same rule.
		edit := body(all, all, 3)
		delete(edit, "kind")
		if r := env.API("PUT", fmt.Sprintf("/api/v1/minutes/%d", id), street, edit); r.Status != 422 || cmFieldOf(r) != "present" {
			t.Errorf("edit with the suspended member present: %d %s", r.Status, r.Body)
		}
		b := env.Browser()
		b.Login("street", "Demo2026street")
		page := b.Get(fmt.Sprintf("/minutes/%d", id))
		if page.Status != 200 || strings.Contains(string(page.Body), `name="present" value="王建国"`) || !strings.Contains(string(page.Body), `name="present" value="李秀英"`) {
			t.Errorf("minutes form offers the suspended member a box: %d", page.Status)
		}
		// A meeting held while suspended is no absence of the suspended member.
		if _, err := env.Svc.Documents.FinaliseMinutes(context.Background(), fmSystem, id); err != nil {
			t.Fatalf("finalise: %v", err)
		}
		var att []struct {
			Name     string `json:"name"`
			Meetings int    `json:"meetings"`
			Absent   int    `json:"absent"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/committees/%d/attendance", cid), street, nil).JSON(t, &att)
		for _, a := range att {
			if want := map[bool]int{true: 0, false: 1}[a.Name == "王建国"]; a.Meetings != want || a.Absent != 0 {
				t.Errorf("attendance of %s: %+v", a.Name, a)
			}
		}
	})
}

// TestRemovalVoteDraftedFromCasePage (issue 12): the case page of a founded case links to
// the drafting form with the removal item filled in; posting it drafts the vote through
// the same service call as the API, with the removal item carrying the case.
func TestRemovalVoteDraftedFromCasePage(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		cid := cmSeed(t, env, 0)
		street := env.DemoToken("street")
		v := cmGet(t, env, street, cid)
		caseID := cmFounded(t, env, cid, cmMemberID(t, v, "王建国"), "N6")
		b := env.Browser()
		b.Login("street", "Demo2026street")
		casePage := b.Get(fmt.Sprintf("/committee-cases/%d", caseID))
		if casePage.Status != 200 || !strings.Contains(string(casePage.Body), fmt.Sprintf(`name="removal_case" value="%d"`, caseID)) {
			t.Fatalf("case page has no removal vote button: %d", casePage.Status)
		}
		form := fmt.Sprintf("/estates/%d/votes/new?removal_case=%d", env.Demo.EstateID, caseID)
		page := b.Get(form)
		body := string(page.Body)
		if page.Status != 200 || !strings.Contains(body, fmt.Sprintf(`name="item_removal_case_1" value="%d"`, caseID)) || !strings.Contains(body, "终止王建国的业主委员会委员资格") {
			t.Fatalf("drafting form not pre-filled: %d", page.Status)
		}
		if r := b.Get(fmt.Sprintf("/estates/%d/votes/new?removal_case=%d", env.Demo.EstateID, caseID+1000)); r.Status != 404 {
			t.Errorf("unknown case: %d", r.Status)
		}
		// Post the form as the browser would: the defaults and the pre-filled item.
		vals := url.Values{}
		for _, k := range []string{"title", "legal_profile", "form", "convenor", "notice_published_at", "opens_at", "closes_at", "item_title_1",
			"item_text_1", "item_matter_1", "item_removal_case_1"} {
			vals.Set(k, formValue(t, body, k))
		}
		r := b.Submit(form, fmt.Sprintf("/estates/%d/votes", env.Demo.EstateID), vals)
		if r.Status != 303 {
			t.Fatalf("drafting the removal vote: %d %s", r.Status, r.Body)
		}
		var items []struct {
			Matter        string `json:"matter"`
			RemovalCaseID int64  `json:"removal_case_id"`
		}
		var voteID int64
		env.DB.DB.Model(&models.Vote{}).Where("estate_id = ?", env.Demo.EstateID).Order("id DESC").Limit(1).Pluck("id", &voteID)
		var vote struct {
			Items any `json:"items"`
		}
		gr := env.API("GET", fmt.Sprintf("/api/v1/votes/%d", voteID), street, nil)
		gr.JSON(t, &vote)
		if !strings.Contains(string(gr.Body), fmt.Sprintf(`"removal_case_id":%d`, caseID)) {
			t.Errorf("the drafted vote has no removal item: %s", gr.Body)
		}
		_ = items
		// A removal item on a case of no founded removal is refused naming the field.
		vals.Set("item_removal_case_1", fmt.Sprint(caseID+1000))
		if r := b.Submit(form, fmt.Sprintf("/estates/%d/votes", env.Demo.EstateID), vals); r.Status != 422 {
			t.Errorf("removal item on an unknown case: %d", r.Status)
		}
	})
}

// formValue reads the value of an input or textarea or the selected option of a select
// named name from a rendered page.
func formValue(t *testing.T, page, name string) string {
	t.Helper()
	i := strings.Index(page, `name="`+name+`"`)
	if i < 0 {
		t.Fatalf("no input %s", name)
	}
	start := strings.LastIndex(page[:i], "<")
	rest := page[start:]
	switch {
	case strings.HasPrefix(rest, "<textarea"):
		open := strings.Index(rest, ">")
		end := strings.Index(rest, "</textarea>")
		return htmlUnescape(rest[open+1 : end])
	case strings.HasPrefix(rest, "<select"):
		end := strings.Index(rest, "</select>")
		sel := rest[:end]
		j := strings.Index(sel, " selected")
		if j < 0 {
			return ""
		}
		k := strings.LastIndex(sel[:j], `value="`)
		return htmlUnescape(sel[k+7 : k+7+strings.Index(sel[k+7:], `"`)])
	}
	tag := rest[:strings.Index(rest, ">")]
	k := strings.Index(tag, `value="`)
	if k < 0 {
		return ""
	}
	return htmlUnescape(tag[k+7 : k+7+strings.Index(tag[k+7:], `"`)])
}

func htmlUnescape(s string) string { return html.UnescapeString(s) }

// TestCommitteeCaseBadInputNothingChanged (issue 12 "Bad input"): a case against a member
// whose seat ended, a second open case on the same ground, a verification by the committee,
// a removal item on a case not founded, and another street office: 4xx (naming the field
// where there is one) and no row written.
func TestCommitteeCaseBadInputNothingChanged(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		cid := cmSeed(t, env, 1)
		street, member, street2 := env.DemoToken("street"), env.DemoToken("committee"), env.DemoToken("street2")
		v := cmGet(t, env, street, cid)
		zhang, wang := cmMemberID(t, v, "张宇"), cmMemberID(t, v, "王建国")
		today := env.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/committees/%d/cessations", cid), street, map[string]any{"member_id": zhang,
			"reason": "resignation", "effective_on": today, "facts": "本人书面辞职"}), 201, "cessation")
		if v := cmGet(t, env, street, cid); len(v.Former) == 0 {
			t.Fatalf("the resigned member did not leave: %+v", v)
		}
		open := fmID(t, env.API("POST", fmt.Sprintf("/api/v1/committees/%d/cases", cid), street, map[string]any{"member_id": wang,
			"grounds": []string{"N1"}, "facts": "拒不执行业主大会决定", "reporter": "owner"}), "report")
		count := func() (cases, events int64) {
			env.DB.DB.Model(&models.CommitteeCase{}).Count(&cases)
			env.DB.DB.Model(&models.CommitteeCaseEvent{}).Count(&events)
			return
		}
		c0, e0 := count()
		bad := []struct {
			what, field string
			status      int
			tok         string
			method, url string
			body        map[string]any
		}{
			{"case against a member whose seat ended", "member_id", 422, street, "POST", fmt.Sprintf("/api/v1/committees/%d/cases", cid),
				map[string]any{"member_id": zhang, "grounds": []string{"N6"}, "facts": "x", "reporter": "owner"}},
			{"second open case on the same ground", "grounds", 422, street, "POST", fmt.Sprintf("/api/v1/committees/%d/cases", cid),
				map[string]any{"member_id": wang, "grounds": []string{"N1", "N3"}, "facts": "x", "reporter": "member"}},
			{"verification by the committee", "", 403, member, "POST", fmt.Sprintf("/api/v1/cases/%d/verification", open),
				map[string]any{"founded": true, "reasons": "x"}},
			{"verification by another street office", "", 404, street2, "POST", fmt.Sprintf("/api/v1/cases/%d/verification", open),
				map[string]any{"founded": true, "reasons": "x"}},
			{"case read by another street office", "", 404, street2, "GET", fmt.Sprintf("/api/v1/cases/%d", open), nil},
			{"removal item on a case not founded", "items[0].removal_case_id", 422, member, "POST", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID),
				map[string]any{"title": "罢免", "legal_profile": "civil-code-2021", "form": "written", "notice_published_at": env.Clock.Now(),
					"opens_at": env.Clock.Now().AddDate(0, 0, 15), "closes_at": env.Clock.Now().AddDate(0, 0, 22),
					"items": []map[string]any{{"key": "removal", "title": "终止委员资格", "text": "x", "matter": "elect_committee", "removal_case_id": open}}}},
		}
		var votes0 int64
		env.DB.DB.Model(&models.Vote{}).Count(&votes0)
		for _, b := range bad {
			r := env.API(b.method, b.url, b.tok, b.body)
			if r.Status != b.status || (b.field != "" && cmFieldOf(r) != b.field) {
				t.Errorf("%s: %d %s, want %d naming %q", b.what, r.Status, r.Body, b.status, b.field)
			}
		}
		c1, e1 := count()
		var votes1 int64
		env.DB.DB.Model(&models.Vote{}).Count(&votes1)
		if c1 != c0 || e1 != e0 || votes1 != votes0 {
			t.Errorf("refused input changed rows: cases %d→%d events %d→%d votes %d→%d", c0, c1, e0, e1, votes0, votes1)
		}
		if k := cmCaseOf(t, env, street, open); k.Status != "reported" {
			t.Errorf("case after refusals: %+v", k)
		}
	})
}
