package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gongzhi/app/testkit/fixtures"
	"gongzhi/models"
)

// apiItemResult is an item of the API.md results shape.
type apiItemResult struct {
	AgreeArea        string `json:"agree_area"`
	AgreeHeadcount   int    `json:"agree_headcount"`
	OpposeArea       string `json:"oppose_area"`
	OpposeHeadcount  int    `json:"oppose_headcount"`
	AbstainArea      string `json:"abstain_area"`
	AbstainHeadcount int    `json:"abstain_headcount"`
	Passed           bool   `json:"passed"`
}

type apiCandidate struct {
	AgreeArea      string `json:"agree_area"`
	AgreeHeadcount int    `json:"agree_headcount"`
	Qualified      bool   `json:"qualified"`
}

// apiResults is the API.md results shape after closes_at.
type apiResults struct {
	LegalProfile           string                   `json:"legal_profile"`
	QuorumMet              bool                     `json:"quorum_met"`
	TotalArea              string                   `json:"total_area"`
	TotalHeadcount         int                      `json:"total_headcount"`
	ParticipatingArea      string                   `json:"participating_area"`
	ParticipatingHeadcount int                      `json:"participating_headcount"`
	Items                  map[string]apiItemResult `json:"items"`
	Elections              map[string]struct {
		Elected         []string                `json:"elected"`
		Runoff          []string                `json:"runoff"`
		Alternates      []string                `json:"alternates"`
		CommitteeFormed bool                    `json:"committee_formed"`
		Candidates      map[string]apiCandidate `json:"candidates"`
	} `json:"elections"`
}

// loadGoldenSmall reads testdata/tally-cases.json (its types: app/testkit/fixtures);
// the test takes the cases on the small roster.
func loadGoldenSmall(t *testing.T) fixtures.Golden { return fixtures.LoadGolden(t) }

// apiItemOf is a golden item expectation in the API.md results shape.
func apiItemOf(w fixtures.ItemExpect) apiItemResult {
	return apiItemResult{AgreeArea: w.AgreeArea, AgreeHeadcount: w.AgreeHeadcount, OpposeArea: w.OpposeArea, OpposeHeadcount: w.OpposeHeadcount,
		AbstainArea: w.AbstainArea, AbstainHeadcount: w.AbstainHeadcount, Passed: w.Passed}
}

// results reads GET results as staff.
func (env *voteEnv) results(t *testing.T, token string, id int64) apiResults {
	t.Helper()
	r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/results", id), token, nil)
	if r.Status != 200 {
		t.Fatalf("results: %d %s", r.Status, r.Body)
	}
	var out apiResults
	r.JSON(t, &out)
	return out
}

func TestVoteGoldenSmallCasesEndToEnd(t *testing.T) {
	g := loadGoldenSmall(t)
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		answers := idChecks(t)
		for _, c := range g.Cases {
			if c.Roster != "roster-small.csv" {
				continue
			}
			for _, profile := range []string{"civil-code-2021", "property-law-2007"} {
				t.Run(c.Name+"/"+profile, func(t *testing.T) {
					want := c.Expect[profile]
					env.Clock.Set(voteT0)
					var items []map[string]any
					for _, it := range c.Items {
						items = append(items, map[string]any{"key": it.Key, "title": it.Title, "text": it.Title + "的具体方案全文。", "matter": it.Matter})
					}
					id := env.createVote(t, tok, voteBody(profile, items...))
					env.openVote(t, tok, id)
					creds := env.credentials(t, tok, id)
					env.Clock.Set(voteOpens().Add(time.Minute))
					rejected := 0
					for _, b := range c.Ballots {
						choices := map[string]any{}
						for k, v := range b.Choices {
							choices[k] = v
						}
						r := env.cast(creds[b.Room].Token, answers[b.Room], choices)
						switch r.Status {
						case 201:
							var rc struct {
								Receipt string `json:"receipt"`
							}
							r.JSON(t, &rc)
							if len(rc.Receipt) != 19 {
								t.Errorf("receipt %q", rc.Receipt)
							}
						case 409:
							rejected++
						default:
							t.Fatalf("cast %s: %d %s", b.Room, r.Status, r.Body)
						}
					}
					if rejected != want.RejectedDuplicates {
						t.Errorf("rejected = %d, want %d", rejected, want.RejectedDuplicates)
					}
					env.Clock.Set(voteCloses().Add(time.Second))
					res := env.results(t, tok, id)
					if res.LegalProfile != profile || res.QuorumMet != want.QuorumMet || res.TotalArea != want.TotalArea ||
						res.TotalHeadcount != want.TotalHeadcount || res.ParticipatingArea != want.ParticipatingArea ||
						res.ParticipatingHeadcount != want.ParticipatingHeadcount {
						t.Errorf("results %+v, want %+v", res, want)
					}
					for key, w := range want.Items {
						if got := res.Items[key]; got != apiItemOf(w) {
							t.Errorf("item %s = %+v, want %+v", key, got, w)
						}
					}
				})
			}
		}
		for _, e := range g.Elections {
			if e.Roster != "roster-small.csv" {
				continue
			}
			t.Run(e.Name, func(t *testing.T) {
				env.Clock.Set(voteT0)
				var cands []map[string]any
				for _, c := range e.Candidates {
					cands = append(cands, map[string]any{"key": c, "name": "候选人" + c})
				}
				item := map[string]any{"key": e.Name, "title": "选举业主委员会委员", "text": "选举第一届业主委员会委员 5 名。",
					"matter": "elect_committee", "seats": e.Seats, "alternates": e.Alternates, "candidates": cands}
				id := env.createVote(t, tok, voteBody("civil-code-2021", item))
				env.openVote(t, tok, id)
				creds := env.credentials(t, tok, id)
				env.Clock.Set(voteOpens().Add(time.Minute))
				for _, b := range e.Ballots {
					if r := env.cast(creds[b.Room].Token, answers[b.Room], map[string]any{e.Name: b.Agree}); r.Status != 201 {
						t.Fatalf("cast %s: %d %s", b.Room, r.Status, r.Body)
					}
				}
				env.Clock.Set(voteCloses().Add(time.Second))
				res := env.results(t, tok, id)
				w := e.Expect
				if res.ParticipatingArea != w.ParticipatingArea || res.ParticipatingHeadcount != w.ParticipatingHeadcount || res.QuorumMet != w.QuorumMet {
					t.Errorf("participation %s/%d quorum %v, want %s/%d %v", res.ParticipatingArea, res.ParticipatingHeadcount, res.QuorumMet,
						w.ParticipatingArea, w.ParticipatingHeadcount, w.QuorumMet)
				}
				er := res.Elections[e.Name]
				if !slices.Equal(er.Elected, w.Elected) || !slices.Equal(er.Runoff, w.Runoff) || !slices.Equal(er.Alternates, w.Alternates) ||
					er.CommitteeFormed != w.CommitteeFormed {
					t.Errorf("election %+v, want %+v", er, w)
				}
				for k, wc := range w.Candidates {
					if er.Candidates[k] != apiCandidate(wc) {
						t.Errorf("candidate %s = %+v, want %+v", k, er.Candidates[k], wc)
					}
				}
			})
		}
	})
}

func TestVoteIdentityCheckAndLockout(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		cred := creds["1-1-101"]
		const wrong = "ZQ9X7W"
		for i := 1; i <= 4; i++ {
			r := env.cast(cred.Token, wrong, map[string]any{"dismiss": "agree"})
			if r.Status != 403 || !strings.Contains(errorMessage(r), fmt.Sprintf("还可尝试 %d 次", 5-i)) {
				t.Fatalf("wrong answer %d: %d %s", i, r.Status, r.Body)
			}
		}
		if r := env.cast(cred.Token, "12345", map[string]any{}); r.Status != 422 {
			t.Errorf("a 5-character answer: %d %s", r.Status, r.Body)
		}
		r := env.cast(cred.Token, wrong, map[string]any{"dismiss": "agree"})
		if r.Status != 403 || !strings.Contains(errorMessage(r), "锁定") {
			t.Fatalf("fifth wrong answer: %d %s", r.Status, r.Body)
		}
		if r := env.cast(cred.Token, answers["1-1-101"], map[string]any{"dismiss": "agree"}); r.Status != 403 || !strings.Contains(errorMessage(r), "重新发放") {
			t.Fatalf("right answer on a locked link: %d %s", r.Status, r.Body)
		}
		var view struct {
			CredentialStatus string `json:"credential_status"`
			AttemptsLeft     int    `json:"attempts_left"`
			CanVote          bool   `json:"can_vote"`
		}
		env.API("GET", "/api/v1/ballots/"+cred.Token, "", nil).JSON(t, &view)
		if view.CredentialStatus != "locked" || view.AttemptsLeft != 0 || view.CanVote {
			t.Errorf("locked ballot view %+v", view)
		}
		// The attempts are logged, never the answer.
		ev := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/events", id), env.DemoToken("auditor"), nil)
		if ev.Status != 200 || strings.Count(string(ev.Body), `"id_check_failed"`) != 5 || !strings.Contains(string(ev.Body), `"credential_locked"`) {
			t.Errorf("events: %d %s", ev.Status, ev.Body)
		}
		var leaked int64
		if err := env.DB.Model(&models.VoteEvent{}).Where("detail LIKE ?", "%"+wrong+"%").Count(&leaked).Error; err != nil {
			t.Fatal(err)
		}
		var leakedAudit int64
		if err := env.DB.Model(&models.AuditLog{}).Where("detail LIKE ?", "%"+wrong+"%").Count(&leakedAudit).Error; err != nil {
			t.Fatal(err)
		}
		if leaked+leakedAudit != 0 || strings.Contains(string(ev.Body), wrong) {
			t.Error("an identity-check answer was logged")
		}

		// Staff reissue: the old link is refused, the new one works.
		rr := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/credentials/%d/reissue", id, cred.VoterID), tok, map[string]any{"reason": "核验锁定"})
		if rr.Status != 200 {
			t.Fatalf("reissue: %d %s", rr.Status, rr.Body)
		}
		var fresh voteCredential
		rr.JSON(t, &fresh)
		if fresh.Token == cred.Token || fresh.Status != "active" || !strings.HasSuffix(fresh.URL, "/b/"+fresh.Token) || len(fresh.Token) < 43 {
			t.Errorf("reissued credential %+v", fresh)
		}
		if r := env.API("GET", "/api/v1/ballots/"+cred.Token, "", nil); r.Status != 403 {
			t.Errorf("revoked link: %d %s", r.Status, r.Body)
		}
		if r := env.cast(fresh.Token, answers["1-1-101"], map[string]any{"dismiss": "agree"}); r.Status != 201 {
			t.Errorf("cast with reissued link: %d %s", r.Status, r.Body)
		}
		// Any owner of a co-owned unit passes the check: 1-1-102 is held by 李秀英 and 张伟.
		if r := env.cast(creds["1-1-102"].Token, "125038", map[string]any{"fund": "oppose"}); r.Status != 201 {
			t.Errorf("co-owner's answer: %d %s", r.Status, r.Body)
		}
		if r := env.API("GET", "/api/v1/ballots/not-a-real-token-000000000000000000", "", nil); r.Status != 404 {
			t.Errorf("unknown link: %d", r.Status)
		}
	})
}

func TestVoteDuplicatesAcrossChannels(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("community")
		id := env.openDemoVote(t, tok)
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		paper := func(room string, proxy map[string]any) int {
			body := map[string]any{"room": room, "choices": map[string]any{"dismiss": "oppose"}}
			if proxy != nil {
				body["proxy"] = proxy
			}
			r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id), tok, body)
			if r.Status != 201 && r.Status != 409 {
				t.Fatalf("paper %s: %d %s", room, r.Status, r.Body)
			}
			return r.Status
		}
		online := func(room string) int {
			r := env.cast(creds[room].Token, answers[room], map[string]any{"dismiss": "agree"})
			if r.Status != 201 && r.Status != 409 {
				t.Fatalf("online %s: %d %s", room, r.Status, r.Body)
			}
			return r.Status
		}
		proxy := map[string]any{"name": "周代理", "id_number": "110101199003078515", "authorisation": "委托书 2026-001"}
		cases := []struct {
			name   string
			first  func() int
			second func() int
		}{
			{"online then paper", func() int { return online("1-1-101") }, func() int { return paper("1-1-101", nil) }},
			{"online then paper by the voter's other room", nil, func() int { return paper("2-1-101", nil) }}, // the voter of 1-1-101 above
			{"paper then online", func() int { return paper("1-1-102", nil) }, func() int { return online("1-1-102") }},
			{"proxy then paper", func() int { return paper("1-1-201", proxy) }, func() int { return paper("1-1-201", nil) }},
			{"proxy then online", nil, func() int { return online("1-1-201") }}, // the proxy ballot above
			{"online then proxy", func() int { return online("1-1-301") }, func() int { return paper("1-1-301", proxy) }},
		}
		for _, c := range cases {
			if c.first != nil { // nil: the first ballot is an earlier case's
				if got := c.first(); got != 201 {
					t.Errorf("%s: first = %d", c.name, got)
				}
			}
			if got := c.second(); got != 409 {
				t.Errorf("%s: second = %d, want 409", c.name, got)
			}
		}
		var n int64
		env.DB.Model(&models.Ballot{}).Where("vote_id = ?", id).Count(&n)
		if n != 4 {
			t.Errorf("%d ballots stored, want 4", n)
		}
	})
}

func TestVoteNotYetOpenAndClosedAreGone(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.createVote(t, tok, voteBody("civil-code-2021", defaultItems()...))
		env.openVote(t, tok, id)
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		paperPath := fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id)
		paper := map[string]any{"room": "1-1-102", "choices": map[string]any{"dismiss": "agree"}}

		// Opened (register frozen) but before opens_at.
		if r := env.cast(creds["1-1-101"].Token, answers["1-1-101"], map[string]any{"dismiss": "agree"}); r.Status != 410 {
			t.Errorf("online before opening: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", paperPath, tok, paper); r.Status != 410 {
			t.Errorf("paper before opening: %d %s", r.Status, r.Body)
		}
		var view struct {
			Phase   string `json:"phase"`
			CanVote bool   `json:"can_vote"`
			Items   []struct {
				Key  string `json:"key"`
				Text string `json:"text"`
				Rule string `json:"rule"`
			} `json:"items"`
		}
		env.API("GET", "/api/v1/ballots/"+creds["1-1-101"].Token, "", nil).JSON(t, &view)
		if view.Phase != "scheduled" || view.CanVote || len(view.Items) != 2 || view.Items[0].Text == "" || view.Items[0].Rule == "" {
			t.Errorf("ballot before opening: %+v", view)
		}

		// After closes_at: closed, whether or not the closer has run yet.
		env.Clock.Set(voteCloses())
		if r := env.cast(creds["1-1-101"].Token, answers["1-1-101"], map[string]any{"dismiss": "agree"}); r.Status != 410 {
			t.Errorf("online at closing time: %d %s", r.Status, r.Body)
		}
		if n, err := env.Svc.Votes.CloseDue(context.Background()); err != nil || n != 1 {
			t.Errorf("CloseDue = %d, %v", n, err)
		}
		if r := env.API("POST", paperPath, tok, paper); r.Status != 410 {
			t.Errorf("paper after closing: %d %s", r.Status, r.Body)
		}
		if r := env.cast(creds["1-1-101"].Token, answers["1-1-101"], map[string]any{"dismiss": "agree"}); r.Status != 410 {
			t.Errorf("online after closing: %d %s", r.Status, r.Body)
		}
	})
}

func TestVoteResultsBeforeCloseShowParticipationOnly(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		for _, room := range []string{"1-1-101", "1-1-201"} {
			if r := env.cast(creds[room].Token, answers[room], map[string]any{"dismiss": "agree", "fund": "oppose"}); r.Status != 201 {
				t.Fatalf("cast: %d %s", r.Status, r.Body)
			}
		}
		path := fmt.Sprintf("/api/v1/votes/%d/results", id)
		r := env.API("GET", path, tok, nil)
		m := r.Map(t)
		if r.Status != 200 || m["participating_headcount"] != float64(2) || m["total_headcount"] != float64(20) ||
			m["total_area"] != "2696.04" || m["legal_profile"] != "civil-code-2021" {
			t.Fatalf("results before close: %d %s", r.Status, r.Body)
		}
		for _, hidden := range []string{"items", "elections", "quorum_met"} {
			if _, ok := m[hidden]; ok {
				t.Errorf("results before close show %q: %s", hidden, r.Body)
			}
		}
		if strings.Contains(string(r.Body), "agree_area") {
			t.Errorf("item figures leaked before close: %s", r.Body)
		}
		p := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/participation", id), env.DemoToken("street"), nil).Map(t)
		// 1-1-101 (王建国: also 2-1-101) and 1-1-201 (刘洋+陈静) participate.
		if p["participating_area"] != "425.46" || p["quorum_headcount"] != float64(14) || p["quorum_area"] != "1797.36" {
			t.Errorf("participation: %v", p)
		}
		if _, ok := p["items"]; ok {
			t.Error("participation shows items")
		}
		if r := env.API("GET", path, "", nil); r.Status != 401 {
			t.Errorf("anonymous results before publication: %d", r.Status)
		}
		env.Clock.Set(voteCloses().Add(time.Second))
		res := env.results(t, tok, id)
		if res.ParticipatingHeadcount != 2 || res.Items["dismiss"].AgreeHeadcount != 2 || res.Items["fund"].OpposeHeadcount != 2 {
			t.Errorf("results after close: %+v", res)
		}
	})
}

func TestVoteItemAddedAfterNoticeRefused(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		// A draft whose notice goes up tomorrow: items may still change.
		body := voteBody("civil-code-2021", defaultItems()...)
		body["notice_published_at"] = voteT0.AddDate(0, 0, 1).Format(time.RFC3339)
		body["opens_at"] = voteT0.AddDate(0, 0, 16).Format(time.RFC3339)
		id := env.createVote(t, tok, body)
		itemsPath := fmt.Sprintf("/api/v1/votes/%d/items", id)
		if r := env.API("POST", itemsPath, tok, ordinaryItem("rules", "amend_management_rules")); r.Status != 201 || r.Map(t)["agenda_revision"] != float64(2) {
			t.Fatalf("add before notice: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", itemsPath, tok, ordinaryItem("rules", "other")); r.Status != 422 {
			t.Errorf("duplicate key: %d %s", r.Status, r.Body)
		}
		replace := map[string]any{"items": []map[string]any{ordinaryItem("dismiss", "hire_dismiss_manager"), ordinaryItem("parking", "change_common_use")}}
		if r := env.API("PUT", itemsPath, tok, replace); r.Status != 200 {
			t.Fatalf("replace before notice: %d %s", r.Status, r.Body)
		}
		var detail struct {
			AgendaEditable bool `json:"agenda_editable"`
			Items          []struct {
				Key   string `json:"key"`
				Class string `json:"class"`
			} `json:"items"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/votes/%d", id), tok, nil).JSON(t, &detail)
		if !detail.AgendaEditable || len(detail.Items) != 2 || detail.Items[1].Key != "parking" || detail.Items[1].Class != "major" {
			t.Errorf("detail after replace: %+v", detail)
		}

		// Once the notice is out (T3), nothing is added or changed.
		env.Clock.Set(voteT0.AddDate(0, 0, 1).Add(time.Minute))
		r := env.API("POST", itemsPath, tok, ordinaryItem("late", "other"))
		if r.Status != 409 || !strings.Contains(errorMessage(r), "不得增加或修改表决事项") {
			t.Errorf("add after notice: %d %s", r.Status, r.Body)
		}
		if r := env.API("PUT", itemsPath, tok, replace); r.Status != 409 {
			t.Errorf("replace after notice: %d %s", r.Status, r.Body)
		}
		// A vote whose paper notice went up in the past is noticed already.
		env.Clock.Set(voteT0)
		past := voteBody("civil-code-2021", defaultItems()...)
		past["notice_published_at"] = voteT0.AddDate(0, 0, -3).Format(time.RFC3339)
		id2 := env.createVote(t, tok, past)
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/items", id2), tok, ordinaryItem("late", "other")); r.Status != 409 {
			t.Errorf("add to a vote noticed in the past: %d %s", r.Status, r.Body)
		}
	})
}

func TestVoteCreateValidation(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		path := fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID)
		election := map[string]any{"key": "elect", "title": "选举", "text": "选举委员", "matter": "elect_committee", "seats": 4, "alternates": 0,
			"candidates": []map[string]any{{"key": "A", "name": "甲"}}}
		cases := []struct {
			name   string
			mutate func(map[string]any)
			field  string
		}{
			{"unknown matter", func(b map[string]any) {
				b["items"] = []map[string]any{ordinaryItem("a", "other"), ordinaryItem("b", "other"), ordinaryItem("c", "paint_walls")}
			}, "items[2].matter"},
			{"duplicate keys", func(b map[string]any) {
				b["items"] = []map[string]any{ordinaryItem("a", "other"), ordinaryItem("a", "other")}
			}, "items[1].key"},
			{"empty key", func(b map[string]any) { b["items"] = []map[string]any{ordinaryItem("", "other")} }, "items[0].key"},
			{"no items", func(b map[string]any) { b["items"] = []map[string]any{} }, "items"},
			{"notice too late", func(b map[string]any) { b["notice_published_at"] = voteT0.AddDate(0, 0, 1).Format(time.RFC3339) }, "opens_at"},
			{"period too long", func(b map[string]any) { b["closes_at"] = voteOpens().AddDate(0, 0, 61).Format(time.RFC3339) }, "closes_at"},
			{"closes before opening", func(b map[string]any) { b["closes_at"] = voteOpens().Add(-time.Hour).Format(time.RFC3339) }, "closes_at"},
			{"bad time", func(b map[string]any) { b["opens_at"] = "next monday" }, "opens_at"},
			{"legal profile", func(b map[string]any) { b["legal_profile"] = "civil-code-2020" }, "legal_profile"},
			{"form", func(b map[string]any) { b["form"] = "online" }, "form"},
			{"even seats", func(b map[string]any) { b["items"] = []map[string]any{election} }, "items[0].seats"},
			{"seats on an ordinary item", func(b map[string]any) {
				it := ordinaryItem("a", "other")
				it["seats"] = 5
				b["items"] = []map[string]any{it}
			}, "items[0].matter"},
			{"follow majority not allowed", func(b map[string]any) { b["follow_majority"] = true }, "follow_majority"},
			{"missing title", func(b map[string]any) { b["title"] = " " }, "title"},
		}
		for _, c := range cases {
			body := voteBody("civil-code-2021", defaultItems()...)
			c.mutate(body)
			r := env.API("POST", path, tok, body)
			var eb struct {
				Error struct {
					Code    string `json:"code"`
					Details []struct {
						Field string `json:"field"`
					} `json:"details"`
				} `json:"error"`
			}
			r.JSON(t, &eb)
			found := false
			for _, d := range eb.Error.Details {
				found = found || d.Field == c.field
			}
			if r.Status != 422 || eb.Error.Code != "invalid" || !found {
				t.Errorf("%s: %d %s (want field %s)", c.name, r.Status, r.Body, c.field)
			}
		}
		if r := env.API("POST", path, tok, `{"title": 5}`); r.Status != 400 {
			t.Errorf("wrong type: %d", r.Status)
		}
	})
}

func TestVoteChoicesValidation(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		election := map[string]any{"key": "elect", "title": "选举业主委员会", "text": "应选 5 名", "matter": "elect_committee", "seats": 5, "alternates": 1,
			"candidates": []map[string]any{{"key": "A", "name": "甲"}, {"key": "B", "name": "乙"}, {"key": "C", "name": "丙"},
				{"key": "D", "name": "丁"}, {"key": "E", "name": "戊"}, {"key": "F", "name": "己"}}}
		id := env.openDemoVote(t, tok, ordinaryItem("dismiss", "hire_dismiss_manager"), election)
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		bad := []struct {
			name    string
			choices string
			field   string
		}{
			{"unknown item", `{"paint": "agree"}`, "choices.paint"},
			{"unknown option", `{"dismiss": "yes"}`, "choices.dismiss"},
			{"list on an ordinary item", `{"dismiss": ["agree"]}`, "choices.dismiss"},
			{"option on an election", `{"elect": "agree"}`, "choices.elect"},
			{"unknown candidate", `{"elect": ["A", "Z"]}`, "choices.elect"},
			{"repeated candidate", `{"elect": ["A", "A"]}`, "choices.elect"},
			{"number", `{"dismiss": 1}`, "choices.dismiss"},
		}
		token := creds["1-1-101"].Token
		for _, c := range bad {
			r := env.API("POST", "/api/v1/ballots/"+token, "", `{"id_check": "`+answers["1-1-101"]+`", "choices": `+c.choices+`}`)
			if r.Status != 422 || !strings.Contains(string(r.Body), c.field) {
				t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
			}
		}
		// Blank items are allowed (abstain); agreeing with more candidates than seats is
		// stored and counted as an over-voted, invalid item.
		if r := env.cast(token, answers["1-1-101"], map[string]any{"elect": []string{"A", "B", "C", "D", "E", "F"}}); r.Status != 201 {
			t.Fatalf("over-voted ballot: %d %s", r.Status, r.Body)
		}
		if r := env.cast(creds["1-1-102"].Token, answers["1-1-102"], map[string]any{"dismiss": nil}); r.Status != 201 {
			t.Fatalf("blank ballot: %d %s", r.Status, r.Body)
		}
		if r := env.cast(creds["1-1-201"].Token, answers["1-1-201"], map[string]any{"dismiss": "agree", "elect": []string{"B", "A"}}); r.Status != 201 {
			t.Fatalf("ballot: %d %s", r.Status, r.Body)
		}
		env.Clock.Set(voteCloses().Add(time.Second))
		r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/results", id), tok, nil)
		var res struct {
			Items map[string]struct {
				AgreeHeadcount   int  `json:"agree_headcount"`
				AbstainHeadcount int  `json:"abstain_headcount"`
				Passed           bool `json:"passed"`
				Rule             string
			} `json:"items"`
			Elections map[string]struct {
				InvalidBallots int `json:"invalid_ballots"`
				Candidates     map[string]struct {
					AgreeHeadcount int `json:"agree_headcount"`
				} `json:"candidates"`
			} `json:"elections"`
		}
		r.JSON(t, &res)
		if res.Items["dismiss"].AgreeHeadcount != 1 || res.Items["dismiss"].AbstainHeadcount != 2 {
			t.Errorf("dismiss: %+v", res.Items["dismiss"])
		}
		if e := res.Elections["elect"]; e.InvalidBallots != 1 || e.Candidates["A"].AgreeHeadcount != 1 || e.Candidates["F"].AgreeHeadcount != 0 {
			t.Errorf("election: %+v", e)
		}
	})
}

func TestVoteVoidAndReentry(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		room := "1-1-302"
		r := env.cast(creds[room].Token, answers[room], map[string]any{"dismiss": "oppose"})
		if r.Status != 201 {
			t.Fatalf("cast: %d %s", r.Status, r.Body)
		}
		var first struct {
			Receipt  string `json:"receipt"`
			BallotID int64  `json:"ballot_id"`
		}
		r.JSON(t, &first)
		voidPath := fmt.Sprintf("/api/v1/votes/%d/ballots/%d/void", id, first.BallotID)
		if r := env.API("POST", voidPath, tok, map[string]any{"reason": ""}); r.Status != 422 {
			t.Errorf("void without reason: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", voidPath, env.DemoToken("auditor"), map[string]any{"reason": "x"}); r.Status != 403 {
			t.Errorf("auditor void: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", voidPath, tok, map[string]any{"reason": "业主本人到场声明误操作，申请重投"}); r.Status != 200 {
			t.Fatalf("void: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", voidPath, tok, map[string]any{"reason": "again"}); r.Status != 409 {
			t.Errorf("second void: %d %s", r.Status, r.Body)
		}
		rc := env.API("GET", "/api/v1/receipts/"+strings.ToLower(strings.ReplaceAll(first.Receipt, "-", "")), "", nil).Map(t)
		if rc["voided"] != true || rc["channel"] != "online" || rc["counted"] != false {
			t.Errorf("receipt of a voided ballot: %v", rc)
		}
		var view struct {
			Cast    any  `json:"cast"`
			CanVote bool `json:"can_vote"`
		}
		env.API("GET", "/api/v1/ballots/"+creds[room].Token, "", nil).JSON(t, &view)
		if view.Cast != nil || !view.CanVote {
			t.Errorf("ballot view after void: %+v", view)
		}
		// Re-entry: by paper this time; then any further ballot is a duplicate.
		pr := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id), tok, map[string]any{"room": room, "choices": map[string]any{"dismiss": "agree"},
			"scan": map[string]any{"filename": "ballot-1-1-302.pdf", "data": []byte("%PDF-1.4\n% scanned ballot\n")}})
		if pr.Status != 201 {
			t.Fatalf("re-entry: %d %s", pr.Status, pr.Body)
		}
		if r := env.cast(creds[room].Token, answers[room], map[string]any{"dismiss": "oppose"}); r.Status != 409 {
			t.Errorf("online after re-entry: %d %s", r.Status, r.Body)
		}
		var ballots []struct {
			ID      int64  `json:"id"`
			Channel string `json:"channel"`
			Attempt int    `json:"attempt"`
			Scans   []struct {
				ID     int64  `json:"id"`
				SHA256 string `json:"sha256"`
			} `json:"scans"`
			Void *struct {
				Reason string `json:"reason"`
				By     string `json:"by"`
			} `json:"void"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/votes/%d/ballots", id), env.DemoToken("auditor"), nil).JSON(t, &ballots)
		if len(ballots) != 2 || ballots[0].Attempt != 2 || ballots[0].Channel != "paper" || len(ballots[0].Scans) != 1 ||
			ballots[1].Void == nil || ballots[1].Void.By != "street" || ballots[0].Void != nil {
			t.Fatalf("ballots: %+v", ballots)
		}
		scan := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/scans/%d", id, ballots[0].Scans[0].ID), env.DemoToken("auditor"), nil)
		if scan.Status != 200 || !strings.HasPrefix(string(scan.Body), "%PDF-1.4") || scan.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("scan download: %d %q", scan.Status, scan.Header.Get("Content-Type"))
		}
		env.Clock.Set(voteCloses().Add(time.Second))
		res := env.results(t, tok, id)
		if res.ParticipatingHeadcount != 1 || res.Items["dismiss"].AgreeHeadcount != 1 || res.Items["dismiss"].OpposeHeadcount != 0 {
			t.Errorf("results after void and re-entry: %+v", res)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/ballots/%d/void", id, ballots[0].ID), tok, map[string]any{"reason": "too late"}); r.Status != 409 {
			t.Errorf("void after closing: %d %s", r.Status, r.Body)
		}
		var voids int64
		env.DB.Model(&models.BallotVoid{}).Count(&voids)
		var audits int64
		env.DB.Model(&models.AuditLog{}).Where("action = ?", "ballot.void").Count(&audits)
		if voids != 1 || audits != 1 {
			t.Errorf("voids %d, audit entries %d", voids, audits)
		}
	})
}

func TestVoteProxyLimit(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("committee")
		id := env.openDemoVote(t, tok)
		path := fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id)
		proxyX := map[string]any{"name": "周代理", "id_number": "110101199003078515", "authorisation": "委托书 A"}
		proxyY := map[string]any{"name": "吴代理", "id_number": "110101199003073511", "authorisation": "委托书 B"}
		enter := func(room string, proxy map[string]any) (int, int64) {
			r := env.API("POST", path, tok, map[string]any{"room": room, "choices": map[string]any{"dismiss": "agree"}, "proxy": proxy})
			var out struct {
				BallotID int64 `json:"ballot_id"`
			}
			if r.Status == 201 {
				r.JSON(t, &out)
			}
			return r.Status, out.BallotID
		}
		var first int64
		for i, room := range []string{"1-1-301", "1-1-302", "1-1-401"} {
			st, b := enter(room, proxyX)
			if st != 201 {
				t.Fatalf("principal %d: %d", i+1, st)
			}
			if i == 0 {
				first = b
			}
		}
		r := env.API("POST", path, tok, map[string]any{"room": "1-1-402", "choices": map[string]any{}, "proxy": proxyX})
		if r.Status != 409 || !strings.Contains(string(r.Body), "proxy.id_number") {
			t.Errorf("fourth principal: %d %s", r.Status, r.Body)
		}
		if st, _ := enter("1-1-402", proxyY); st != 201 {
			t.Errorf("another proxy: %d", st)
		}
		// A voided principal's re-entry by the same proxy keeps its slot.
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/ballots/%d/void", id, first), tok, map[string]any{"reason": "委托书签名不符，重新录入"}); r.Status != 200 {
			t.Fatalf("void: %d %s", r.Status, r.Body)
		}
		if st, _ := enter("1-1-301", proxyX); st != 201 {
			t.Errorf("re-entry by the same proxy: %d", st)
		}
		if st, _ := enter("1-1-501", proxyX); st != 409 {
			t.Errorf("fourth principal after a void: %d", st)
		}
		bad := map[string]any{"name": "钱代理", "id_number": "110101199003078514", "authorisation": "委托书 C"}
		if r := env.API("POST", path, tok, map[string]any{"room": "1-1-501", "choices": map[string]any{}, "proxy": bad}); r.Status != 422 {
			t.Errorf("invalid proxy ID: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", path, tok, map[string]any{"room": "9-9-999", "choices": map[string]any{}}); r.Status != 422 {
			t.Errorf("unknown room: %d %s", r.Status, r.Body)
		}
		var ballots []struct {
			Proxy *struct {
				IDMasked string `json:"id_masked"`
			} `json:"proxy"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/votes/%d/ballots", id), tok, nil).JSON(t, &ballots)
		if len(ballots) == 0 || ballots[0].Proxy == nil || ballots[0].Proxy.IDMasked != "1101**************" {
			t.Errorf("proxy identity stored masked: %+v", ballots)
		}
		var clear int64
		env.DB.Model(&models.Ballot{}).Where("proxy_id_hash = ? OR proxy_id_masked = ?", "110101199003078515", "110101199003078515").Count(&clear)
		if clear != 0 {
			t.Error("proxy ID number stored in clear")
		}
	})
}
