package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongzhi/handlers/handlertest"
)

// Issue 16, defect 8: an owner sees what was recorded for them. A paper ballot entered by
// staff shows its choices on the personal link once the identity check passes (never
// before, never from the receipt code alone); a voided ballot shows its reason.
func TestOwnerSeesRecordedChoicesAndVoidReason(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		s := vwNewSchedule()
		voteID, links := vwOpenVote(t, env, s)
		vwAt(env, s.Opens.Add(time.Hour))
		tok := env.DemoToken("street")
		r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", voteID), tok, map[string]any{"room": "1-1-301",
			"choices": map[string]any{"item1": "oppose", "item2": "agree", "election": []string{"c1", "c3"}}})
		if r.Status != 201 {
			t.Fatalf("paper ballot: %d %s", r.Status, r.Body)
		}
		var paper struct {
			BallotID int64  `json:"ballot_id"`
			Receipt  string `json:"receipt"`
		}
		r.JSON(t, &paper)

		page := vwPath(t, links["1-1-301"])
		owner := env.Browser()
		if body := string(owner.Get(page).Body); strings.Contains(body, "recorded-choices") || strings.Contains(body, "刘洋") {
			t.Error("the link shows the recorded choices before the identity check")
		}
		csrf := owner.CSRF(page)
		r = owner.Post(page+"/check", url.Values{"_csrf": {csrf}, "id_check": {vwAnswer301}})
		doc := vwDoc(t, r)
		rec := doc.Find("#recorded-choices").Text()
		if r.Status != 200 || !strings.Contains(rec, "选聘新的物业服务企业") || !strings.Contains(rec, "反对") || !strings.Contains(rec, "同意") ||
			!strings.Contains(rec, "王建国、刘洋") || strings.Contains(rec, "李秀英") {
			t.Fatalf("recorded choices after the check: %d %q", r.Status, rec)
		}
		// The receipt code alone tells when and how, never what.
		if paper.Receipt != "" {
			rc := string(env.Browser().Get("/receipt?code=" + url.QueryEscape(paper.Receipt)).Body)
			if strings.Contains(rc, "王建国") || strings.Contains(rc, "recorded-choices") {
				t.Error("the receipt check shows choices")
			}
		}

		// Staff void the ballot: the owner sees the void and its reason, and may vote again.
		ballot := paper.BallotID
		if ballot == 0 {
			if err := env.DB.Raw("SELECT MIN(id) FROM ballots WHERE vote_id = ?", voteID).Scan(&ballot).Error; err != nil {
				t.Fatal(err)
			}
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/ballots/%d/void", voteID, ballot), tok, map[string]any{"reason": "纸质票签名与登记业主不符"}); r.Status != 200 {
			t.Fatalf("void: %d %s", r.Status, r.Body)
		}
		owner = env.Browser()
		csrf = owner.CSRF(page)
		r = owner.Post(page+"/check", url.Values{"_csrf": {csrf}, "id_check": {vwAnswer301}})
		doc = vwDoc(t, r)
		if r.Status != http.StatusOK || !strings.Contains(doc.Find("#voided-ballots .void-reason").Text(), "纸质票签名与登记业主不符") {
			t.Fatalf("void reason after the check: %d %q", r.Status, doc.Find("#voided-ballots").Text())
		}
		if doc.Find("#recorded-choices").Length() != 0 || doc.Find("form.ballot-form").Length() != 1 {
			t.Error("after the void the owner should see no recorded ballot and the ballot form")
		}
	})
}
