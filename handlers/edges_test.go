package handlers_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCoOwnerRuleAndTransitionalBodyThroughTheAPI walks issue 12's per-estate counting rule
// and transitional body through the API and the pages, on both databases: the co-owner rule
// changes the register and is recorded on the vote opened under it; a vote convened by a
// transitional body is refused until one acts; bad bodies get 422 naming the field and
// store nothing; the body and the formation pages show it as transitional.
func TestCoOwnerRuleAndTransitionalBodyThroughTheAPI(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		estate := env.Demo.EstateID
		type register struct {
			TotalHeadcount int    `json:"total_headcount"`
			Rule           string `json:"coowner_rule"`
		}
		var before, after register
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/register", estate), tok, nil).JSON(t, &before)
		if r := env.API("PUT", fmt.Sprintf("/api/v1/estates/%d/coowner-rule", estate), tok, map[string]any{"coowner_rule": "everyone"}); r.Status != 422 ||
			!strings.Contains(string(r.Body), `"coowner_rule"`) {
			t.Errorf("unknown rule: %d %s", r.Status, r.Body)
		}
		if r := env.API("PUT", fmt.Sprintf("/api/v1/estates/%d/coowner-rule", estate), env.DemoToken("street2"), map[string]any{"coowner_rule": "any-shared-owner"}); r.Status != 404 {
			t.Errorf("another street's estate: %d", r.Status)
		}
		fmWant(t, env.API("PUT", fmt.Sprintf("/api/v1/estates/%d/coowner-rule", estate), tok, map[string]any{"coowner_rule": "any-shared-owner"}), 200, "set rule")
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/register", estate), tok, nil).JSON(t, &after)
		if before.Rule != "coowner-set" || after.Rule != "any-shared-owner" || after.TotalHeadcount >= before.TotalHeadcount {
			t.Errorf("register: %+v → %+v (a person owning one unit alone and one jointly becomes one voter)", before, after)
		}

		// A vote convened by a transitional body needs one.
		body := voteBody("civil-code-2021", defaultItems()...)
		body["convenor"] = "transitional_body"
		if r := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", estate), tok, body); r.Status != 422 || !strings.Contains(string(r.Body), `"convenor"`) {
			t.Errorf("convened by a body that does not exist: %d %s", r.Status, r.Body)
		}

		// Bad bodies name their fields; nothing is stored.
		members := []map[string]any{
			{"role": "street_office", "name": "周主任", "organisation": "幸福街道办事处", "leader": true},
			{"role": "residents_committee", "name": "吴书记", "organisation": "和谐社区居委会"},
			{"role": "owner_rep", "name": "王建国", "room": "1-1-101", "meets_criteria": true},
			{"role": "owner_rep", "name": "李秀英", "room": "1-1-102", "meets_criteria": true},
			{"role": "owner_rep", "name": "刘洋", "room": "1-1-201", "meets_criteria": true},
		}
		r := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/transitional-bodies", estate), tok, map[string]any{"members": members[:4]})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"reason"`) || !strings.Contains(string(r.Body), `"members"`) {
			t.Errorf("4 members, no reason: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/transitional-bodies", estate), env.DemoToken("community"), map[string]any{}); r.Status != 403 {
			t.Errorf("community forms a body: %d", r.Status)
		}
		var list struct {
			Bodies []struct {
				ID           int64  `json:"id"`
				Transitional bool   `json:"transitional"`
				Acting       bool   `json:"acting"`
				KindLabel    string `json:"kind_label"`
				Members      []any  `json:"members"`
			} `json:"transitional_bodies"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/transitional-bodies", estate), tok, nil).JSON(t, &list)
		if len(list.Bodies) != 0 {
			t.Fatalf("refused requests stored %d bodies", len(list.Bodies))
		}
		bodyID := fmID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/transitional-bodies", estate), tok, map[string]any{
			"reason": "首次业主大会两次未能选出业主委员会", "members": members}), "form body")
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/transitional-bodies", estate), env.DemoToken("auditor"), nil).JSON(t, &list)
		if len(list.Bodies) != 1 || !list.Bodies[0].Transitional || !list.Bodies[0].Acting || len(list.Bodies[0].Members) != 5 {
			t.Errorf("bodies: %+v", list.Bodies)
		}
		var st struct {
			Status struct {
				Stage              string `json:"stage"`
				TransitionalBodyID *int64 `json:"transitional_body_id"`
				CoOwnerRule        string `json:"coowner_rule"`
			} `json:"status"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/formation", estate), tok, nil).JSON(t, &st)
		if st.Status.Stage != "transitional" || st.Status.TransitionalBodyID == nil || *st.Status.TransitionalBodyID != bodyID || st.Status.CoOwnerRule != "any-shared-owner" {
			t.Errorf("formation status: %+v", st.Status)
		}

		// Now the body convenes the vote; it opens under the estate's rule and records it.
		id := env.createVote(t, tok, body)
		env.openVote(t, tok, id)
		var vote struct {
			Convenor     string `json:"convenor"`
			RegisterRule string `json:"register_rule"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/votes/%d", id), tok, nil).JSON(t, &vote)
		if vote.Convenor != "transitional_body" || vote.RegisterRule != "any-shared-owner" {
			t.Errorf("vote: %+v", vote)
		}

		// The pages, signed in as the street office.
		b := env.Browser()
		b.Login("street", "Demo2026street")
		page := b.Get(fmt.Sprintf("/estates/%d/transitional", estate))
		if page.Status != 200 || !strings.Contains(string(page.Body), "物业管理委员会") || !strings.Contains(string(page.Body), "过渡") ||
			!strings.Contains(string(page.Body), "周主任") {
			t.Errorf("transitional page: %d", page.Status)
		}
		fp := b.Get(fmt.Sprintf("/estates/%d/formation", estate))
		if !strings.Contains(string(fp.Body), `id="transitional-banner"`) || !strings.Contains(string(fp.Body), "有共同业主的房屋合并计为一人") {
			t.Errorf("formation page lacks the transitional banner or the co-owner rule")
		}
		vp := b.Get(fmt.Sprintf("/votes/%d", id))
		if !strings.Contains(string(vp.Body), "物业管理委员会（过渡）") || !strings.Contains(string(vp.Body), "有共同业主的房屋合并计为一人") {
			t.Errorf("vote page lacks the transitional convenor or the counting rule")
		}
		// The web form refuses a second body with a 409 and ends the acting one.
		tp := fmt.Sprintf("/estates/%d/transitional", estate)
		if wr := b.Submit(tp, fmt.Sprintf("/estates/%d/transitional/%d/end", estate, bodyID), url.Values{"reason": {""}}); wr.Status != 422 {
			t.Errorf("end without a reason: %d", wr.Status)
		}
		if wr := b.Submit(tp, fmt.Sprintf("/estates/%d/transitional/%d/end", estate, bodyID), url.Values{"reason": {"街道决定另行组织选举"}}); wr.Status != 303 {
			t.Errorf("end: %d", wr.Status)
		}
		form := url.Values{"kind": {"self_governance"}, "reason": {"业主大会未能召开"}, "formed_at": {env.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)}, "leader": {"0"}}
		for i, m := range members {
			n := fmt.Sprint(i)
			form.Set("role_"+n, m["role"].(string))
			form.Set("name_"+n, m["name"].(string))
			if room, ok := m["room"].(string); ok {
				form.Set("room_"+n, room)
				form.Set("criteria_"+n, "1")
			}
		}
		if wr := b.Submit(tp, tp, form); wr.Status != 303 {
			t.Errorf("web form: %d %.300s", wr.Status, wr.Body)
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/transitional-bodies", estate), tok, nil).JSON(t, &list)
		if len(list.Bodies) != 2 || !list.Bodies[0].Acting || list.Bodies[0].KindLabel != "小区自管组织" || list.Bodies[1].Acting {
			t.Errorf("after the web form: %+v", list.Bodies)
		}
	})
}
