package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"gongzhi/app"
	"gongzhi/app/formation"
	"gongzhi/app/orgs"
	"gongzhi/app/rules"
	"gongzhi/app/testkit/fixtures"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// fmSystem is the platform administrator acting for set-up steps outside the HTTP API.
var fmSystem = app.Principal{Username: "system", Role: app.RoleAdmin}

// fmLawfulGroup is a national preparatory group of 7 on the small roster.
func fmLawfulGroup() []map[string]any {
	return []map[string]any{
		{"role": "owner_rep", "name": "王建国", "room": "1-1-101", "meets_criteria": true, "duty": "业主身份核对"},
		{"role": "owner_rep", "name": "李秀英", "room": "1-1-102", "meets_criteria": true},
		{"role": "owner_rep", "name": "刘洋", "room": "1-1-201", "meets_criteria": true},
		{"role": "owner_rep", "name": "陈静", "room": "1-1-202", "meets_criteria": true},
		{"role": "developer", "name": "赵开发", "organisation": "恒泰置业有限公司"},
		{"role": "street_office", "name": "周主任", "organisation": "幸福街道办事处", "leader": true, "duty": "组长"},
		{"role": "residents_committee", "name": "吴书记", "organisation": "和谐社区居委会"},
	}
}

// fmWant fails unless the response has the status.
func fmWant(t *testing.T, r handlertest.Response, status int, what string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Body)
	}
}

// fmID reads {"id"} from a 201.
func fmID(t *testing.T, r handlertest.Response, what string) int64 {
	t.Helper()
	fmWant(t, r, http.StatusCreated, what)
	var out struct {
		ID int64 `json:"id"`
	}
	r.JSON(t, &out)
	return out.ID
}

// fmFormGroup forms a prep group with the lawful members through the API.
func fmFormGroup(t *testing.T, env *handlertest.Env, tok string, estate int64) int64 {
	t.Helper()
	gid := fmID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/groups", estate), tok, map[string]any{"kind": "prep"}), "create group")
	for _, m := range fmLawfulGroup() {
		fmID(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/members", gid), tok, m), "add member")
	}
	return gid
}

// fmQualify nominates a candidate and completes the checklist and review through the API.
func fmQualify(t *testing.T, env *handlertest.Env, tok string, gid int64, name, room, political string) int64 {
	t.Helper()
	cid := fmID(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/candidates", gid), tok, map[string]any{"name": name, "room": room,
		"nomination_kind": "self", "political_status": political, "occupation": "职员"}), "nominate "+name)
	for _, c := range rules.EligibilityCriteria() {
		r := env.API("POST", fmt.Sprintf("/api/v1/candidates/%d/checks", cid), tok, map[string]any{"criterion": c.Code, "met": true,
			"evidence": "核对 " + c.Code, "reviewer": "吴书记"})
		fmWant(t, r, 200, "check "+c.Code)
	}
	fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/candidates/%d/review", cid), tok, map[string]any{"decision": "qualified",
		"party_org_reviewer": "社区党委 孙委员"}), 200, "review "+name)
	return cid
}

// fmGoldenElection is one committee election of testdata/tally-cases.json.
type fmGoldenElection = fixtures.Election

type fmCommitteeJSON struct {
	ID               int64      `json:"id"`
	Status           string     `json:"status"`
	VacantSeats      int        `json:"vacant_seats"`
	ByElectionNeeded bool       `json:"by_election_needed"`
	RunoffPending    []string   `json:"runoff_pending"`
	ChairElectBy     *time.Time `json:"chair_elect_by"`
	FilingDue        *time.Time `json:"filing_due"`
	Members          []struct {
		ID             int64  `json:"id"`
		CandidateKey   string `json:"candidate_key"`
		Name           string `json:"name"`
		Role           string `json:"role"`
		AgreeHeadcount int    `json:"agree_headcount"`
		AgreeArea      string `json:"agree_area"`
		PartyMember    bool   `json:"party_member"`
	} `json:"members"`
	Alternates []struct {
		CandidateKey   string `json:"candidate_key"`
		Rank           int    `json:"rank"`
		AgreeHeadcount int    `json:"agree_headcount"`
		AgreeArea      string `json:"agree_area"`
	} `json:"alternates"`
	PartyRatio struct {
		Party       int      `json:"party"`
		Total       int      `json:"total"`
		BelowTarget bool     `json:"below_target"`
		Warnings    []string `json:"warnings"`
	} `json:"party_ratio"`
	TermEnd *time.Time `json:"term_end"`
}

// TestFormationGoldenElectionsThroughAPI walks each golden election through the HTTP API:
// an estate with the election's roster, a preparatory group, seven candidates qualified
// and published, the slate as the election item; the ballots counted over the estate's
// frozen register (as the voting service does when a vote closes) and recorded; and the
// committee read back from the API with every elected member's count and the alternates
// in order.
func TestFormationGoldenElectionsThroughAPI(t *testing.T) {
	file := fixtures.LoadGolden(t)
	each(t, func(t *testing.T, env *handlertest.Env) {
		ctx := context.Background()
		tok := env.DemoToken("street")
		community := orgID(t, env, "和谐社区")
		for i, g := range file.Elections {
			t.Run(g.Name, func(t *testing.T) {
				estate, err := env.Svc.Orgs.CreateEstate(ctx, fmSystem, orgs.NewEstate{Name: "选举" + g.Name, CommunityID: community, ProfileCode: "national"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := env.Svc.Roster.Import(ctx, fmSystem, estate, g.Roster, fixture(t, g.Roster)); err != nil {
					t.Fatal(err)
				}
				snap, err := env.Svc.Roster.Snapshot(ctx, env.DB.DB, estate)
				if err != nil {
					t.Fatal(err)
				}
				gid := fmFormGroup(t, env, tok, estate)
				fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/publish", gid), tok, nil), 200, "publish members")
				// Seven candidates from the first voters' rooms; every other one a Party member.
				for j, key := range g.Candidates {
					political := "masses"
					if j%2 == 0 {
						political = "cpc_member"
					}
					fmQualify(t, env, tok, gid, "候选人"+key, snap.Register.Voters[j+1].Rooms[0], political)
				}
				vote := time.Now().AddDate(0, 0, 20)
				fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/candidate-lists", gid), tok, map[string]any{"vote_planned_at": vote}), 201, "publish list")
				var slate struct {
					Candidates []struct {
						Key         string `json:"key"`
						Name        string `json:"name"`
						Room        string `json:"room"`
						CandidateID int64  `json:"candidate_id"`
					} `json:"candidates"`
				}
				r := env.API("GET", fmt.Sprintf("/api/v1/groups/%d/slate", gid), tok, nil)
				fmWant(t, r, 200, "slate")
				r.JSON(t, &slate)
				if len(slate.Candidates) != len(g.Candidates) {
					t.Fatalf("slate has %d candidates", len(slate.Candidates))
				}
				// The fixture's keys map to the slate's keys in list order.
				toSlate, fromSlate := map[string]string{}, map[string]string{}
				refs := map[string]formation.CandidateRef{}
				var keys []string
				for j, c := range slate.Candidates {
					toSlate[g.Candidates[j]], fromSlate[c.Key] = c.Key, g.Candidates[j]
					refs[c.Key] = formation.CandidateRef{CandidateID: c.CandidateID, Name: c.Name, Room: c.Room}
					keys = append(keys, c.Key)
				}
				reg := snap.Register
				byRoom := reg.VoterIndexByRoom()
				spec := rules.ElectionSpec{Key: "committee", Seats: g.Seats, Alternates: g.Alternates, MinMembers: g.MinMembers, Candidates: keys}
				in := rules.TallyInput{Profile: rules.CivilCode2021, TotalArea: reg.TotalArea, TotalHeadcount: reg.TotalHeadcount, Elections: []rules.ElectionSpec{spec}}
				voted := map[int]bool{}
				for _, b := range g.Ballots {
					v := byRoom[b.Room]
					if voted[v] {
						continue
					}
					voted[v] = true
					var agree []string
					for _, k := range b.Agree {
						agree = append(agree, toSlate[k])
					}
					in.Ballots = append(in.Ballots, rules.CastBallot{Area: reg.Voters[v].Area, Elections: map[string][]string{"committee": agree}})
				}
				res := rules.Tally(in).Elections["committee"]
				if _, err := env.Svc.Formation.RecordElection(ctx, fmSystem, estate, int64(5000+i), "committee", res, refs); err != nil {
					t.Fatalf("record election: %v", err)
				}

				var cm fmCommitteeJSON
				r = env.API("GET", fmt.Sprintf("/api/v1/estates/%d/committee", estate), tok, nil)
				fmWant(t, r, 200, "committee")
				r.JSON(t, &cm)
				var got []string
				for _, m := range cm.Members {
					key := fromSlate[m.CandidateKey]
					got = append(got, key)
					want := g.Expect.Candidates[key]
					if m.AgreeHeadcount != want.AgreeHeadcount || m.AgreeArea != want.AgreeArea || m.Name != "候选人"+key {
						t.Errorf("member %s: %d / %s, want %d / %s", key, m.AgreeHeadcount, m.AgreeArea, want.AgreeHeadcount, want.AgreeArea)
					}
				}
				slices.Sort(got)
				want := slices.Clone(g.Expect.Elected)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("members %v, want %v", got, want)
				}
				var alternates []string
				for j, a := range cm.Alternates {
					alternates = append(alternates, fromSlate[a.CandidateKey])
					if a.Rank != j+1 || a.AgreeHeadcount != g.Expect.Candidates[fromSlate[a.CandidateKey]].AgreeHeadcount {
						t.Errorf("alternate %d: rank %d, %d agreeing", j, a.Rank, a.AgreeHeadcount)
					}
				}
				if !slices.Equal(alternates, g.Expect.Alternates) && (len(alternates) != 0 || len(g.Expect.Alternates) != 0) {
					t.Errorf("alternates %v, want %v", alternates, g.Expect.Alternates)
				}
				if (cm.Status == "formed") != g.Expect.CommitteeFormed || cm.VacantSeats != g.Expect.VacantSeats {
					t.Errorf("status %s vacant %d, want formed=%v vacant %d", cm.Status, cm.VacantSeats, g.Expect.CommitteeFormed, g.Expect.VacantSeats)
				}
				var runoff []string
				for _, k := range g.Expect.Runoff {
					runoff = append(runoff, "候选人"+k)
				}
				if !slices.Equal(cm.RunoffPending, runoff) && len(runoff)+len(cm.RunoffPending) > 0 {
					t.Errorf("runoff pending %v, want %v", cm.RunoffPending, runoff)
				}
				if cm.ByElectionNeeded != (!g.Expect.CommitteeFormed && len(g.Expect.Runoff) == 0) {
					t.Errorf("by-election needed %v", cm.ByElectionNeeded)
				}
				// The Party ratio of the elected is computed from the candidates' status.
				party := 0
				for _, m := range cm.Members {
					if m.PartyMember {
						party++
					}
				}
				if cm.PartyRatio.Party != party || cm.PartyRatio.Total != len(cm.Members) {
					t.Errorf("party ratio %+v for %d members", cm.PartyRatio, len(cm.Members))
				}
			})
		}
	})
}

func TestFormationAPIRulesAndJurisdiction(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		tok := env.DemoToken("street")
		estate := estateID(t, env, "阳光花园")

		var st struct {
			FormationDue bool   `json:"formation_due"`
			Stage        string `json:"stage"`
			Units        int    `json:"units"`
			Delivered    string `json:"delivered_percent"`
		}
		r := env.API("GET", fmt.Sprintf("/api/v1/estates/%d/formation", estate), tok, nil)
		fmWant(t, r, 200, "overview")
		var ov struct {
			Status json.RawMessage `json:"status"`
		}
		r.JSON(t, &ov)
		if err := json.Unmarshal(ov.Status, &st); err != nil || !st.FormationDue || st.Stage != "due" || st.Units != 24 || st.Delivered != "100.00%" {
			t.Fatalf("status %s", ov.Status)
		}
		var due []map[string]any
		env.API("GET", "/api/v1/formation/due", tok, nil).JSON(t, &due)
		if len(due) != 1 || due[0]["estate_name"] != "阳光花园" {
			t.Errorf("due list %v", due)
		}
		env.API("GET", "/api/v1/formation/due", env.DemoToken("street2"), nil).JSON(t, &due)
		if len(due) != 0 {
			t.Errorf("street2 sees %v", due)
		}

		gid := fmFormGroup(t, env, tok, estate)
		// An eighth member makes the size even: publication is refused naming the rule.
		extra := fmID(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/members", gid), tok,
			map[string]any{"role": "owner_rep", "name": "张宇", "room": "1-1-302", "meets_criteria": true}), "extra member")
		r = env.API("POST", fmt.Sprintf("/api/v1/groups/%d/publish", gid), tok, nil)
		if r.Status != 422 || r.ErrorCode() != "invalid" || !strings.Contains(string(r.Body), `"field":"prep_size_even"`) {
			t.Fatalf("even group published: %d %s", r.Status, r.Body)
		}
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/group-members/%d/withdraw", extra), tok, nil), 204, "withdraw")
		r = env.API("POST", fmt.Sprintf("/api/v1/groups/%d/publish", gid), tok, nil)
		fmWant(t, r, 200, "publish")
		if m := r.Map(t); m["version"] != float64(1) || m["late"] != false {
			t.Errorf("publish %v", m)
		}
		// Bad input: unknown field 400; wrong role 422; no room for an owner representative 422.
		if r := env.API("POST", fmt.Sprintf("/api/v1/groups/%d/members", gid), tok, `{"role":"owner_rep","name":"x","extra":1}`); r.Status != 400 {
			t.Errorf("unknown field: %d", r.Status)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/groups/%d/members", gid), tok, map[string]any{"role": "lawyer", "name": "x"}); r.Status != 422 {
			t.Errorf("unknown role: %d", r.Status)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/groups/%d/members", gid), tok, map[string]any{"role": "owner_rep", "name": "x", "room": "9-9-9"}); r.Status != 422 {
			t.Errorf("room not in roster: %d", r.Status)
		}

		// Candidate list: published less than 15 days before the vote is refused.
		a := fmQualify(t, env, tok, gid, "侯红红", "1-1-301", "cpc_member")
		fmQualify(t, env, tok, gid, "张宇", "1-1-302", "masses")
		fmQualify(t, env, tok, gid, "廖杰涵", "1-1-401", "masses")
		r = env.API("POST", fmt.Sprintf("/api/v1/groups/%d/candidate-lists", gid), tok, map[string]any{"vote_planned_at": time.Now().AddDate(0, 0, 10)})
		if r.Status != 422 || !strings.Contains(string(r.Body), "vote_planned_at") {
			t.Errorf("early vote: %d %s", r.Status, r.Body)
		}
		r = env.API("POST", fmt.Sprintf("/api/v1/groups/%d/candidate-lists", gid), tok, map[string]any{"vote_planned_at": time.Now().AddDate(0, 0, 20),
			"show_until": time.Now().AddDate(0, 0, 3)})
		if r.Status != 422 || !strings.Contains(string(r.Body), "show_until") {
			t.Errorf("short showing: %d %s", r.Status, r.Body)
		}
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/candidate-lists", gid), tok, map[string]any{"vote_planned_at": time.Now().AddDate(0, 0, 20)}), 201, "publish list")
		var gv struct {
			Slate struct {
				PartyRatio struct {
					Party       int      `json:"party"`
					Total       int      `json:"total"`
					BelowTarget bool     `json:"below_target"`
					Warnings    []string `json:"warnings"`
				} `json:"party_ratio"`
			} `json:"slate"`
			CurrentList struct {
				Entries []map[string]any `json:"entries"`
			} `json:"current_list"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/groups/%d", gid), tok, nil).JSON(t, &gv)
		if pr := gv.Slate.PartyRatio; pr.Party != 1 || pr.Total != 3 || !pr.BelowTarget || len(pr.Warnings) != 1 || len(gv.CurrentList.Entries) != 3 {
			t.Errorf("slate ratio %+v, %d entries", pr, len(gv.CurrentList.Entries))
		}
		// Candidate-list objection answered publicly.
		oid := fmID(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/objections", gid), tok, map[string]any{"kind": "candidate_list",
			"candidate_id": a, "content": "请说明候选人是否欠费"}), "objection")
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/formation-objections/%d/answer", oid), tok, map[string]any{"answer": "经核实无欠费。"}), 204, "answer")

		// Jurisdiction and roles.
		street2 := env.DemoToken("street2")
		for _, req := range []struct{ method, path string }{
			{"GET", fmt.Sprintf("/api/v1/groups/%d", gid)},
			{"GET", fmt.Sprintf("/api/v1/estates/%d/formation", estate)},
			{"GET", fmt.Sprintf("/api/v1/candidates/%d", a)},
		} {
			if r := env.API(req.method, req.path, street2, nil); r.Status != 404 || r.ErrorCode() != "not_found" {
				t.Errorf("street2 %s %s: %d", req.method, req.path, r.Status)
			}
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/groups/%d/members", gid), street2, fmLawfulGroup()[0]); r.Status != 404 {
			t.Errorf("street2 adds a member to another street's group: %d", r.Status)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/groups/%d/members", gid), env.DemoToken("auditor"), fmLawfulGroup()[0]); r.Status != 403 {
			t.Errorf("auditor adds a member: %d", r.Status)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/groups/%d", gid), env.DemoToken("auditor"), nil); r.Status != 200 {
			t.Errorf("auditor cannot read: %d", r.Status)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/groups/%d/members", gid), env.DemoToken("community"), fmLawfulGroup()[0]); r.Status != 403 {
			t.Errorf("community composes the group: %d", r.Status)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/estates/%d/committee", estate), tok, nil); r.Status != 404 {
			t.Errorf("committee before any election: %d", r.Status)
		}
	})
}

func TestFormationWebPages(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		page := fmt.Sprintf("/estates/%d/formation", estate)
		b := env.Browser()
		b.Login("street", "Demo2026street")

		// The street office's home lists the estate as due.
		home := b.Get("/")
		doc := fmDoc(t, home)
		if !strings.Contains(doc.Find("#formation-due").Text(), "阳光花园") {
			t.Errorf("home does not list the due estate")
		}
		if r := b.Get(fmt.Sprintf("/estates/%d", estate)); !strings.Contains(string(r.Body), page) {
			t.Errorf("estate page has no link to the formation page")
		}
		r := b.Get(page)
		fmWant(t, r, 200, "formation page")
		if !strings.Contains(fmDoc(t, r).Find("#status").Text(), "应当组建筹备组") {
			t.Errorf("status card does not say formation is due")
		}

		// Forms need the CSRF token.
		if r := b.Post(page+"/groups", url.Values{"kind": {"prep"}}); r.Status != 403 {
			t.Errorf("group created without CSRF: %d", r.Status)
		}
		r = b.Submit(page, page+"/groups", url.Values{"kind": {"prep"}})
		fmWant(t, r, 303, "create group")
		gv, err := env.Svc.Formation.Overview(context.Background(), fmSystem, estate)
		if err != nil || gv.Group == nil {
			t.Fatalf("no group after the form: %v", err)
		}
		gid := gv.Group.ID
		for _, m := range fmLawfulGroup()[:6] { // no residents' committee yet
			form := url.Values{}
			for k, v := range m {
				switch v := v.(type) {
				case bool:
					if v {
						form.Set(k, "1")
					}
				default:
					form.Set(k, fmt.Sprint(v))
				}
			}
			fmWant(t, b.Submit(page, fmt.Sprintf("%s/groups/%d/members", page, gid), form), 303, "add member")
		}
		if r := b.Post(fmt.Sprintf("%s/groups/%d/publish", page, gid), url.Values{}); r.Status != 403 {
			t.Errorf("published without CSRF: %d", r.Status)
		}
		// Publication refused: the page comes back 422 naming the rules.
		r = b.Submit(page, fmt.Sprintf("%s/groups/%d/publish", page, gid), nil)
		fmWant(t, r, 422, "publish an unlawful group")
		alert := fmDoc(t, r).Find(".flash.err").Text()
		if !strings.Contains(alert, "prep_residents_committee_missing") || !strings.Contains(alert, "prep_size_even") {
			t.Errorf("refusal does not name the rules: %q", alert)
		}
		fmWant(t, b.Submit(page, fmt.Sprintf("%s/groups/%d/members", page, gid), url.Values{"role": {"residents_committee"}, "name": {"吴书记"}}), 303, "add residents' committee")
		fmWant(t, b.Submit(page, fmt.Sprintf("%s/groups/%d/publish", page, gid), nil), 303, "publish")

		// Duties: one marked done with its evidence.
		fmWant(t, b.Submit(page, fmt.Sprintf("%s/groups/%d/duties/confirm_owners", page, gid), url.Values{"evidence": {"业主名册公示（小区公告栏）"}}), 303, "duty done")
		r = b.Get(page)
		doc = fmDoc(t, r)
		if !strings.Contains(doc.Find("#duties").Text(), "业主名册公示") || doc.Find("#members tbody tr").Length() != 7 {
			t.Errorf("duties or members not shown")
		}

		// A candidate through the web forms: nominate, checklist, review.
		fmWant(t, b.Submit(page, fmt.Sprintf("%s/groups/%d/candidates", page, gid), url.Values{"name": {"侯红红"}, "room": {"1-1-301"},
			"nomination_kind": {"party_org"}, "nominators": {"和谐社区党委"}, "political_status": {"cpc_member"}, "occupation": {"会计"}}), 303, "nominate")
		gv, _ = env.Svc.Formation.Overview(context.Background(), fmSystem, estate)
		cid := gv.Group.Candidates[0].ID
		cpage := fmt.Sprintf("%s/candidates/%d", page, cid)
		r = b.Submit(cpage, cpage+"/review", url.Values{"decision": {"qualified"}, "party_org_reviewer": {"孙委员"}})
		fmWant(t, r, 422, "qualify with an empty checklist")
		if flash := fmDoc(t, r).Find(".flash.err").Text(); !strings.Contains(flash, rules.EligibilityCriteria()[0].Title) ||
			strings.Contains(flash, rules.EligibilityCriteria()[0].Code) {
			t.Errorf("the refused review names criteria by code: %q", flash)
		}
		// Issue 16: the whole checklist in one form, each criterion with its evidence, one
		// transaction; a refusal names the criterion (by name, never by code) and stores nothing.
		crits := rules.EligibilityCriteria()
		checklist := url.Values{"reviewer": {"吴书记"}}
		for _, c := range crits {
			checklist.Set("met_"+c.Code, "1")
			checklist.Set("evidence_"+c.Code, "材料："+c.Title)
		}
		checklist.Set("evidence_"+crits[1].Code, "")
		r = b.Submit(cpage, cpage+"/checklist", checklist)
		doc = fmDoc(t, r)
		if r.Status != 422 || !strings.Contains(doc.Find(".flash.err").Text(), crits[1].Title) || strings.Contains(doc.Find(".flash.err").Text(), crits[1].Code) ||
			!doc.Find("input[name=evidence_"+crits[1].Code+"]").HasClass("invalid") || doc.Find("input[name=evidence_"+crits[0].Code+"]").AttrOr("value", "") != "材料："+crits[0].Title {
			t.Errorf("checklist without one evidence: %d %q", r.Status, doc.Find(".flash.err").Text())
		}
		var stored int64
		env.DB.Raw("SELECT COUNT(*) FROM eligibility_checks WHERE candidate_id = ?", cid).Scan(&stored)
		if stored != 0 {
			t.Errorf("a refused checklist stored %d reviews", stored)
		}
		checklist.Set("evidence_"+crits[1].Code, "材料："+crits[1].Title)
		fmWant(t, b.Submit(cpage, cpage+"/checklist", checklist), 303, "checklist")
		env.DB.Raw("SELECT COUNT(*) FROM eligibility_checks WHERE candidate_id = ? AND current_criterion IS NOT NULL", cid).Scan(&stored)
		var audits int64
		env.DB.Raw("SELECT COUNT(*) FROM audit_logs WHERE action = 'formation.candidate.checklist' AND target_id = ?", cid).Scan(&audits)
		if stored != int64(len(crits)) || audits != 1 {
			t.Errorf("one checklist post: %d reviews (want %d), %d audit entries", stored, len(crits), audits)
		}
		if doc := fmDoc(t, b.Get(cpage)); doc.Find("#checklist-form").Length() != 1 || doc.Find("form[action$='/checks']").Length() != 0 {
			t.Errorf("the candidate page should have one checklist form")
		}
		fmWant(t, b.Submit(cpage, cpage+"/review", url.Values{"decision": {"qualified"}, "party_org_reviewer": {"孙委员"}}), 303, "qualify")
		r = b.Get(cpage)
		if doc := fmDoc(t, r); doc.Find("#checklist .badge.on").Length() < 6 || !strings.Contains(doc.Find("h1").Text(), "资格审查通过") {
			t.Errorf("candidate page does not show the met checklist")
		} else {
			for _, c := range crits {
				if strings.Contains(doc.Find("main").Text(), c.Code) {
					t.Errorf("the candidate page shows the criterion code %s", c.Code)
				}
			}
		}

		// Candidate list: too close to the vote is refused on the page.
		soon := time.Now().In(rules.Shanghai()).AddDate(0, 0, 5).Format("2006-01-02T15:04")
		r = b.Submit(page, fmt.Sprintf("%s/groups/%d/candidate-lists", page, gid), url.Values{"vote_planned_at": {soon}})
		fmWant(t, r, 422, "list too close to the vote")
		later := time.Now().In(rules.Shanghai()).AddDate(0, 0, 20).Format("2006-01-02T15:04")
		fmWant(t, b.Submit(page, fmt.Sprintf("%s/groups/%d/candidate-lists", page, gid), url.Values{"vote_planned_at": {later}}), 303, "publish list")
		r = b.Get(page)
		if txt := fmDoc(t, r).Find("#slate").Text(); !strings.Contains(txt, "1 / 1") {
			t.Errorf("Party ratio panel: %q", txt)
		}

		// The public page needs no sign-in and shows the published lists.
		anon := env.Browser()
		r = anon.Get(fmt.Sprintf("/estates/%d/public/candidates", estate))
		fmWant(t, r, 200, "public page")
		doc = fmDoc(t, r)
		if doc.Find("#member-list tbody tr").Length() != 7 || !strings.Contains(doc.Find("#candidate-list").Text(), "侯红红") ||
			!strings.Contains(doc.Find("#candidate-list").Text(), "中共党员") {
			t.Errorf("public page lists: %s", doc.Find("main").Text())
		}
		if r := anon.Get(fmt.Sprintf("/estates/%d/public/candidates", estateID(t, env, "光明家园"))); r.Status != 404 {
			t.Errorf("an estate with nothing published: %d", r.Status)
		}
		// street2 cannot open the page or post to the group.
		b2 := env.Browser()
		b2.Login("street2", "Demo2026street2")
		if r := b2.Get(page); r.Status != 404 {
			t.Errorf("street2 opens 阳光花园's formation page: %d", r.Status)
		}
		own := fmt.Sprintf("/estates/%d/formation", estateID(t, env, "光明家园"))
		if r := b2.Submit(own, fmt.Sprintf("%s/groups/%d/members", own, gid), url.Values{"role": {"developer"}, "name": {"x"}}); r.Status != 404 {
			t.Errorf("street2 adds a member to 阳光花园's group: %d", r.Status)
		}

		// The committee after the election: officers and filing through the pages.
		keys, refs, err := env.Svc.Formation.SlateRefs(context.Background(), fmSystem, gid)
		if err != nil {
			t.Fatal(err)
		}
		res := rules.ElectionResult{Key: "committee", Seats: 5, Candidates: map[string]rules.CandidateResult{}, Elected: keys, Runoff: []string{}, Alternates: []string{}}
		refs2 := map[string]formation.CandidateRef{}
		for k, v := range refs {
			refs2[k] = v
		}
		for _, n := range []string{"乙", "丙", "丁", "戊"} {
			res.Elected = append(res.Elected, "k"+n)
			refs2["k"+n] = formation.CandidateRef{Name: n}
		}
		cmid, err := env.Svc.Formation.RecordElection(context.Background(), fmSystem, estate, 9001, "committee", res, refs2)
		if err != nil {
			t.Fatal(err)
		}
		cv, err := env.Svc.Formation.Committee(context.Background(), fmSystem, cmid)
		if err != nil {
			t.Fatal(err)
		}
		fmWant(t, b.Submit(page, fmt.Sprintf("%s/committees/%d/officers", page, cmid), url.Values{"chair_member_id": {fmt.Sprint(cv.Members[1].ID)},
			"vice_chair_member_id": {fmt.Sprint(cv.Members[0].ID)}}), 303, "officers")
		r = b.Get(page)
		if txt := fmDoc(t, r).Find(fmt.Sprintf("#committee-%d", cmid)).Text(); !strings.Contains(txt, "主任不是党员") {
			t.Errorf("committee panel does not warn about the chair: %q", txt)
		}
		fmWant(t, b.Submit(page, fmt.Sprintf("%s/committees/%d/filings", page, cmid), url.Values{"documents": {"选举结果公告\n委员名单"}, "reference_no": {"幸福备 001"}}), 303, "filing")
		st, err := env.Svc.Formation.Status(context.Background(), fmSystem, estate)
		if err != nil || st.Stage != formation.StageCommitteeFiled || st.OpenGroupID != 0 {
			t.Errorf("after filing: stage %s, open group %d (%v)", st.Stage, st.OpenGroupID, err)
		}
		var g models.FormationGroup
		if err := env.DB.First(&g, gid).Error; err != nil || g.Status != models.GroupDissolved {
			t.Errorf("group not dissolved: %s", g.Status)
		}

		// Every role that sees the estate gets the page; only those who may change see forms.
		for _, a := range env.Demo.Accounts {
			rb := env.Browser()
			rb.Login(a.Username, a.Password)
			r := rb.Get(page)
			if a.Username == "street2" {
				if r.Status != 404 {
					t.Errorf("%s: %d", a.Username, r.Status)
				}
				continue
			}
			fmWant(t, r, 200, "formation page for "+a.Username)
			doc := fmDoc(t, r)
			forms := doc.Find("main form").Length()
			readOnly := a.Username == "auditor" || a.Username == "district"
			if readOnly != (forms == 0) {
				t.Errorf("%s sees %d forms", a.Username, forms)
			}
			if !strings.Contains(doc.Find(fmt.Sprintf("#committee-%d", cmid)).Text(), "已备案") {
				t.Errorf("%s: committee not shown as filed", a.Username)
			}
			fmWant(t, rb.Get(cpage), 200, "candidate page for "+a.Username)
		}
	})
}

func fmDoc(t *testing.T, r handlertest.Response) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
