package handlers_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// Issue 16 "the committee's to-do list": the week's work (app/worklist) on the
// committee's page lists an owner's objection to answer until it is answered, and
// the committee's draft votes even when their opening is weeks away.
func TestCommitteeTodoList(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		creds, answers := objectionGuardVote(t, env)
		if r := objectionAPI(env, creds["1-1-101"].Token, answers["1-1-101"]); r.Status != 201 {
			t.Fatalf("objection: %d %s", r.Status, r.Body)
		}
		committee := env.DemoToken("committee")
		body := voteBody("civil-code-2021", defaultItems()...)
		opens := env.Clock.Now().AddDate(0, 1, 0)
		body["notice_published_at"] = env.Clock.Now().AddDate(0, 0, 5).Format("2006-01-02T15:04:05Z07:00")
		body["opens_at"] = opens.Format("2006-01-02T15:04:05Z07:00")
		body["closes_at"] = opens.AddDate(0, 0, 20).Format("2006-01-02T15:04:05Z07:00")
		body["title"] = "下月的表决草稿"
		draft := env.createVote(t, committee, body)

		b := env.Browser()
		b.Login("committee", "Demo2026committee")
		page := string(b.Get("/worklist").Body)
		for _, want := range []string{"待答复异议", "答复业主异议", "/objections#objection-", "表决草稿", fmt.Sprintf(`href="/votes/%d"`, draft), "下月的表决草稿"} {
			if !strings.Contains(page, want) {
				t.Errorf("the committee's to-do list lacks %q", want)
			}
		}
		// The street office sees the objection too, not the committee's far drafts.
		sb := env.Browser()
		sb.Login("street", "Demo2026street")
		if sp := string(sb.Get("/worklist").Body); !strings.Contains(sp, "答复业主异议") || strings.Contains(sp, "下月的表决草稿") {
			t.Error("the street office's list: objection missing or the far draft shown")
		}
		// Answered, it leaves the list.
		var list []struct {
			ID int64 `json:"id"`
		}
		r := env.API("GET", "/api/v1/votes/1/objections", committee, nil)
		r.JSON(t, &list)
		if len(list) != 1 {
			t.Fatalf("objections: %s", r.Body)
		}
		objPage := "/votes/1/objections"
		if r := b.Submit(objPage, fmt.Sprintf("/votes/1/objections/%d/answer", list[0].ID), url.Values{"answer": {"已复核，计票无误。"}}); r.Status != 303 {
			t.Fatalf("answer: %d %s", r.Status, r.Body)
		}
		if strings.Contains(string(b.Get("/worklist").Body), "答复业主异议") {
			t.Error("an answered objection still on the list")
		}
	})
}
