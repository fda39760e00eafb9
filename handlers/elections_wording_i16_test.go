package handlers_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongzhi/app/rules"
	"gongzhi/app/testkit/pdfcheck"
	"gongzhi/views"
)

// Issue 16 defect 5: an election item is described one way, the way it is counted
// (approval: a tick per agreed candidate, at most the seats; more ticks invalidate the
// item): the staff vote page, the ballot form, the notice PDF, the results page and the
// resolution PDF all carry rules.ElectionHowTo, never agree/oppose/abstain per candidate,
// and no alternates line when there are none.
func TestI16ElectionOneWording(t *testing.T) {
	renderer, err := views.New()
	if err != nil {
		t.Fatal(err)
	}
	howZH, howEN := rules.ElectionHowTo(5)
	if got := renderer.T("zh-CN", "i16.election_how", "N", 5); got != howZH {
		t.Fatalf("catalogue wording %q differs from the rule's %q", got, howZH)
	}
	if got := renderer.T("en", "i16.election_how", "N", 5); got != howEN {
		t.Fatalf("catalogue wording (en) %q differs from the rule's %q", got, howEN)
	}
	if zh, _ := rules.ElectionSeatsLine(5, 0); renderer.T("zh-CN", "i16.seats_only", "Seats", 5) != zh {
		t.Fatalf("seats line %q", zh)
	}
	if zh, _ := rules.ElectionSeatsLine(5, 2); renderer.T("zh-CN", "i16.seats_alternates", "Seats", 5, "Alternates", 2) != zh {
		t.Fatalf("seats and alternates line %q", zh)
	}
	pdfcheck.RequireTools(t)
	flat := pdfcheck.Squeeze
	pdfText := func(t *testing.T, name string, data []byte) string {
		return pdfcheck.Text(t, pdfcheck.Save(t, "DOCS_PREVIEW_DIR", name, data), 0)
	}
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		election := map[string]any{"key": "election", "title": "选举第二届业主委员会委员", "matter": "elect_committee", "seats": 5, "alternates": 0,
			"text": "从下列 6 名候选人中选举。",
			"candidates": []map[string]string{{"key": "c1", "name": "王建国"}, {"key": "c2", "name": "李秀英"}, {"key": "c3", "name": "刘洋"},
				{"key": "c4", "name": "侯红红"}, {"key": "c5", "name": "张宇"}, {"key": "c6", "name": "廖杰涵"}}}
		id := env.createVote(t, tok, voteBody("civil-code-2021", election))
		b := env.Browser()
		b.Login("street", "Demo2026street")
		page := fmt.Sprintf("/votes/%d", id)
		item := i16Doc(t, b.Get(page).Body).Find("#item-election").Text()
		if !strings.Contains(item, howZH) || !strings.Contains(item, "应选委员 5 名") || strings.Contains(item, "候补") {
			t.Errorf("vote page election item: %q", item)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/open", id), tok, nil); r.Status != 200 {
			t.Fatalf("open: %d %s", r.Status, r.Body)
		}
		// The ballot form (as staff enter a paper ballot): tick boxes under the one wording,
		// and no "agree, oppose or abstain" note over an election-only ballot.
		env.Clock.Set(voteOpens().Add(time.Hour))
		paper := i16Doc(t, b.Get(page+"/paper?room=1-1-101").Body)
		if !strings.Contains(paper.Find("#item-election").Text(), howZH) || paper.Find("#item-election input[type=checkbox]").Length() != 6 ||
			paper.Find("#item-election input[type=radio]").Length() != 0 || strings.Contains(paper.Text(), "“同意”“反对”或“弃权”") {
			t.Errorf("ballot form: %q", paper.Find("#item-election").Text())
		}
		// The notice PDF.
		env.Clock.Set(voteT0)
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/notices", id), tok, nil); r.Status != 201 {
			t.Fatalf("issue notices: %d %s", r.Status, r.Body)
		}
		pdf := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), tok, nil)
		if pdf.Status != 200 {
			t.Fatalf("notices.pdf: %d", pdf.Status)
		}
		notice := flat(pdfText(t, "notices.pdf", pdf.Body))
		if !strings.Contains(notice, flat(howZH)) || strings.Contains(notice, "表示同意、反对或弃权") || strings.Contains(notice, "候补委员") ||
			!strings.Contains(notice, "应选委员5名") {
			t.Errorf("notice PDF does not word the election as counted: %.600s", notice)
		}
		// Results and resolution after the close.
		env.Clock.Set(voteCloses().Add(time.Second))
		env.results(t, tok, id)
		res := i16Doc(t, b.Get(page).Body).Find("#results").Text()
		if !strings.Contains(res, howZH) {
			t.Errorf("results page lacks the wording: %q", res)
		}
		// Publishing from the page needs the ticked confirmation (issue 16 defect 4).
		if r := b.Submit(page, page+"/publish", nil); r.Status != 422 || !strings.Contains(string(r.Body), "请先勾选确认") {
			t.Errorf("publish unconfirmed: %d", r.Status)
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM votes WHERE id = ? AND published_at IS NULL", id); n != 1 {
			t.Fatal("an unconfirmed publish published")
		}
		if r := b.Submit(page, page+"/publish", url.Values{"confirm": {"1"}}); r.Status != 303 {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		res2 := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", id), "", nil)
		if res2.Status != 200 {
			t.Fatalf("resolution: %d", res2.Status)
		}
		if text := flat(pdfText(t, "resolution.pdf", res2.Body)); !strings.Contains(text, flat(howZH)) || strings.Contains(text, "反对") {
			t.Errorf("resolution PDF: %.800s", text)
		}
	})
}

// Withdrawing a group member from the formation page is irreversible: the form asks for
// a ticked confirmation, and without it nothing changes.
func TestI16WithdrawMemberNeedsConfirmation(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		estate := estateID(t, env.Env, "阳光花园")
		gid := fmFormGroup(t, env.Env, tok, estate)
		var mid int64
		if err := env.DB.Raw("SELECT id FROM formation_group_members WHERE group_id = ? AND name = ?", gid, "陈静").Scan(&mid).Error; err != nil || mid == 0 {
			t.Fatalf("member: %v", err)
		}
		b := env.Browser()
		b.Login("street", "Demo2026street")
		page := fmt.Sprintf("/estates/%d/formation", estate)
		action := fmt.Sprintf("%s/members/%d/withdraw", page, mid)
		if doc := i16Doc(t, b.Get(page).Body); doc.Find(fmt.Sprintf("form[action='%s'] input[name=confirm][required]", action)).Length() != 1 {
			t.Error("the withdraw form has no required confirmation")
		}
		if r := b.Submit(page, action, nil); r.Status != 422 || !strings.Contains(string(r.Body), "请先勾选确认") {
			t.Errorf("withdraw unconfirmed: %d", r.Status)
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM formation_group_members WHERE id = ? AND status = 'active'", mid); n != 1 {
			t.Fatal("an unconfirmed withdrawal withdrew")
		}
		if r := b.Submit(page, action, url.Values{"confirm": {"1"}}); r.Status != 303 {
			t.Fatalf("withdraw: %d %s", r.Status, r.Body)
		}
		if n := i16Count(t, env, "SELECT COUNT(*) FROM formation_group_members WHERE id = ? AND status = 'active'", mid); n != 0 {
			t.Error("the confirmed withdrawal did not withdraw")
		}
	})
}
