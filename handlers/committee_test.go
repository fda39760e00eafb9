package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongzhi/app/documents"
	"gongzhi/app/formation"
	"gongzhi/app/rules"
	"gongzhi/handlers/handlertest"
)

// The committee in office (issue 12): tests walk cases, cessations and seats through
// the API on both databases.

// cmMember is one member of the committee JSON.
type cmMember struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Room   string `json:"room"`
	Role   string `json:"role"`
	Status string `json:"status"`
}

type cmInOffice struct {
	Seats              int        `json:"seats"`
	Serving            int        `json:"serving"`
	Suspended          int        `json:"suspended"`
	Vacancies          int        `json:"vacancies"`
	ReelectionRequired bool       `json:"reelection_required"`
	Members            []cmMember `json:"members"`
	Alternates         []cmMember `json:"alternates"`
	Former             []cmMember `json:"former"`
	Changes            []struct {
		Kind       string `json:"kind"`
		MemberName string `json:"member_name"`
		DocumentID *int64 `json:"document_id"`
	} `json:"changes"`
}

type cmCase struct {
	ID            int64  `json:"id"`
	Status        string `json:"status"`
	MemberStatus  string `json:"member_status"`
	SuspensionDoc *int64 `json:"suspension_document_id"`
	OutcomeDoc    *int64 `json:"outcome_document_id"`
	Outcome       string `json:"outcome"`
	Events        []struct {
		Kind string `json:"kind"`
	} `json:"events"`
}

// cmRoster are the members and alternates seeded on the demo roster (rooms and owners
// of testdata/roster-small.csv).
var cmRoster = [][2]string{{"1-1-101", "王建国"}, {"1-1-102", "李秀英"}, {"1-1-201", "刘洋"}, {"1-1-301", "侯红红"}, {"1-1-302", "张宇"},
	{"1-1-401", "廖杰涵"}, {"1-1-402", "郭燕强"}}

// cmSeed records a formed committee of five with the given number of alternates on the
// demo estate (the election itself is tested elsewhere) and puts every service on the
// test clock. It returns the committee's id.
func cmSeed(t *testing.T, env *voteEnv, alternates int) int64 {
	t.Helper()
	res := rules.ElectionResult{Key: "committee", Seats: 5, CommitteeFormed: true, Candidates: map[string]rules.CandidateResult{}}
	refs := map[string]formation.CandidateRef{}
	for i, r := range cmRoster[:5+alternates] {
		key := fmt.Sprintf("c%d", i+1)
		refs[key] = formation.CandidateRef{Name: r[1], Room: r[0]}
		res.Candidates[key] = rules.CandidateResult{Key: key, Qualified: true, Rank: i + 1, Agree: rules.Count{Area: rules.Area(10000 - i), Headcount: 20 - i}}
		if i < 5 {
			res.Elected = append(res.Elected, key)
		} else {
			res.Alternates = append(res.Alternates, key)
		}
	}
	id, err := env.Svc.Formation.RecordElection(context.Background(), fmSystem, env.Demo.EstateID, 9100, "committee", res, refs)
	if err != nil {
		t.Fatalf("seeding the committee: %v", err)
	}
	return id
}

func cmGet(t *testing.T, env *voteEnv, tok string, committee int64) cmInOffice {
	t.Helper()
	var v cmInOffice
	r := env.API("GET", fmt.Sprintf("/api/v1/committees/%d/in-office", committee), tok, nil)
	fmWant(t, r, 200, "in office")
	r.JSON(t, &v)
	return v
}

func cmCaseOf(t *testing.T, env *voteEnv, tok string, id int64) cmCase {
	t.Helper()
	var k cmCase
	r := env.API("GET", fmt.Sprintf("/api/v1/cases/%d", id), tok, nil)
	fmWant(t, r, 200, "case")
	r.JSON(t, &k)
	return k
}

func cmMemberID(t *testing.T, v cmInOffice, name string) int64 {
	t.Helper()
	for _, m := range append(append([]cmMember{}, v.Members...), v.Alternates...) {
		if m.Name == name {
			return m.ID
		}
	}
	t.Fatalf("no serving member %s in %+v", name, v.Members)
	return 0
}

// cmFieldOf returns the first detail field of an error body.
func cmFieldOf(r handlertest.Response) string {
	var b struct {
		Error struct {
			Details []struct {
				Field string `json:"field"`
			} `json:"details"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &b)
	if len(b.Error.Details) == 0 {
		return ""
	}
	return b.Error.Details[0].Field
}

// cmFounded reports a case against the member and verifies it as founded.
func cmFounded(t *testing.T, env *voteEnv, committee, member int64, ground string) int64 {
	t.Helper()
	street, community := env.DemoToken("street"), env.DemoToken("community")
	id := fmID(t, env.API("POST", fmt.Sprintf("/api/v1/committees/%d/cases", committee), street, map[string]any{"member_id": member,
		"grounds": []string{ground}, "facts": "经业主反映并附照片：收受物业公司购物卡", "reporter": "owner"}), "report")
	fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/cases/%d/verification", id), community, map[string]any{"founded": true,
		"reasons": "经社区与街道联合调查，情况属实"}), 200, "verify founded")
	return id
}

// cmRemovalVote runs a removal vote on the case from draft to final with every owner agreeing.
func cmRemovalVote(t *testing.T, env *voteEnv, caseID int64) int64 {
	t.Helper()
	id := cmVote(t, env, map[string]any{"key": "removal", "title": "终止委员资格", "text": "是否同意终止该委员的业主委员会委员资格。",
		"matter": "elect_committee", "removal_case_id": caseID}, "agree")
	tok := env.DemoToken("committee")
	env.Clock.Set(env.Clock.Now().AddDate(0, 0, 17))
	fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/votes/%d/finalise", id), tok, nil), 200, "finalise")
	return id
}

// cmVote runs a vote with one item to publication, every owner answering choice.
func cmVote(t *testing.T, env *voteEnv, item map[string]any, choice any) int64 {
	t.Helper()
	tok := env.DemoToken("committee")
	t0 := env.Clock.Now()
	body := map[string]any{"title": "业主大会临时会议", "legal_profile": "civil-code-2021", "form": "written",
		"notice_published_at": t0.Format(time.RFC3339), "opens_at": t0.AddDate(0, 0, 15).Format(time.RFC3339),
		"closes_at": t0.AddDate(0, 0, 22).Format(time.RFC3339), "items": []map[string]any{item}}
	r := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID), tok, body)
	id := fmID(t, r, "vote")
	key := item["key"].(string)
	env.openVote(t, tok, id)
	creds := env.credentials(t, tok, id)
	checks := idChecks(t)
	env.Clock.Set(t0.AddDate(0, 0, 15).Add(time.Hour))
	cast := map[string]bool{}
	for room, c := range creds {
		if cast[c.Token] || room != c.Rooms[0] {
			continue
		}
		cast[c.Token] = true
		if r := env.cast(c.Token, checks[room], map[string]any{key: choice}); r.Status != 201 {
			t.Fatalf("ballot of %s: %d %s", room, r.Status, r.Body)
		}
	}
	env.Clock.Set(t0.AddDate(0, 0, 23))
	fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/votes/%d/publish", id), tok, nil), 200, "publish")
	return id
}

// TestCommitteeRemovalWholePath: report → founded → suspended → defence → removal vote
// with real ballots → final → membership ended → first alternate seated → two
// resignations → a second removal leaves 2 × serving < seats → re-election required.
func TestCommitteeRemovalWholePath(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		cid := cmSeed(t, env, 1)
		street, community, member := env.DemoToken("street"), env.DemoToken("community"), env.DemoToken("committee")
		v := cmGet(t, env, street, cid)
		if v.Seats != 5 || v.Serving != 5 || len(v.Alternates) != 1 || v.ReelectionRequired {
			t.Fatalf("seeded committee: %+v", v)
		}
		wang := cmMemberID(t, v, "王建国")

		// Report by an owner, recorded by the street office.
		caseID := fmID(t, env.API("POST", fmt.Sprintf("/api/v1/committees/%d/cases", cid), street, map[string]any{"member_id": wang,
			"grounds": []string{"N6", "N4"}, "facts": "收受物业服务企业购物卡，并擅自续签物业服务合同", "reporter": "owner"}), "report")
		// Bad input: nothing changes.
		bad := []struct {
			what  string
			body  map[string]any
			field string
		}{
			{"same ground", map[string]any{"member_id": wang, "grounds": []string{"N4"}, "facts": "重复举报", "reporter": "member"}, "grounds"},
			{"not a member", map[string]any{"member_id": 999999, "grounds": []string{"N1"}, "facts": "x", "reporter": "owner"}, "member_id"},
			{"unknown ground", map[string]any{"member_id": wang, "grounds": []string{"N13"}, "facts": "x", "reporter": "owner"}, "grounds"},
			{"reporter", map[string]any{"member_id": wang, "grounds": []string{"N1"}, "facts": "x", "reporter": "neighbour"}, "reporter"},
		}
		for _, b := range bad {
			r := env.API("POST", fmt.Sprintf("/api/v1/committees/%d/cases", cid), street, b.body)
			if r.Status != 422 || cmFieldOf(r) != b.field {
				t.Errorf("%s: %d %s, want 422 naming %s", b.what, r.Status, r.Body, b.field)
			}
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/committees/%d/cases", cid), env.DemoToken("street2"), bad[0].body); r.Status != 404 {
			t.Errorf("another street office reports: %d", r.Status)
		}
		// A removal item on a case not yet verified is refused.
		t0 := env.Clock.Now()
		early := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID), member, map[string]any{"title": "罢免", "legal_profile": "civil-code-2021",
			"form": "written", "notice_published_at": t0, "opens_at": t0.AddDate(0, 0, 15), "closes_at": t0.AddDate(0, 0, 22),
			"items": []map[string]any{{"key": "removal", "title": "终止委员资格", "text": "x", "matter": "elect_committee", "removal_case_id": caseID}}})
		if early.Status != 422 || cmFieldOf(early) != "items[0].removal_case_id" {
			t.Errorf("removal item without a founded case: %d %s", early.Status, early.Body)
		}
		// Verification: the committee may not; another street office sees nothing.
		verify := map[string]any{"founded": true, "reasons": "经街道、社区调查核实，购物卡收据和合同续签记录属实"}
		if r := env.API("POST", fmt.Sprintf("/api/v1/cases/%d/verification", caseID), member, verify); r.Status != 403 {
			t.Errorf("committee verifies: %d", r.Status)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/cases/%d/verification", caseID), env.DemoToken("street2"), verify); r.Status != 404 {
			t.Errorf("street2 verifies: %d", r.Status)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/cases/%d/verification", caseID), community, map[string]any{"reasons": "x"}); r.Status != 422 || cmFieldOf(r) != "founded" {
			t.Errorf("verification without founded: %d %s", r.Status, r.Body)
		}
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/cases/%d/verification", caseID), community, verify), 200, "verify")
		k := cmCaseOf(t, env, street, caseID)
		if k.Status != "founded" || k.MemberStatus != "suspended" || k.SuspensionDoc == nil {
			t.Fatalf("after verification: %+v", k)
		}
		var fc struct {
			Members []cmMember `json:"members"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/committees/%d", cid), street, nil).JSON(t, &fc)
		suspended := 0
		for _, m := range fc.Members {
			if m.Status == "suspended" {
				suspended++
			}
		}
		if len(fc.Members) != 5 || suspended != 1 {
			t.Errorf("GET committee: suspended member counted among the members: %+v", fc.Members)
		}
		// The suspension notice is on the estate's board and verifiable.
		doc := env.API("GET", fmt.Sprintf("/api/v1/documents/%d", *k.SuspensionDoc), street, nil)
		if doc.Status != 200 || !strings.Contains(string(doc.Body), "暂停业主委员会委员履职公告") {
			t.Errorf("suspension notice: %d %s", doc.Status, doc.Body)
		}
		// The committee minutes show the suspended member; the pages show the status.
		mid, err := env.Svc.Documents.CreateMinutes(context.Background(), fmSystem, env.Demo.EstateID, documents.NewMinutes{Kind: "committee",
			MinutesInput: documents.MinutesInput{Title: "业委会会议", Place: "会议室", HeldAt: env.Clock.Now()}})
		if err != nil {
			t.Fatal(err)
		}
		b := env.Browser()
		b.Login("street", "Demo2026street")
		if r := b.Get(fmt.Sprintf("/minutes/%d", mid)); r.Status != 200 || !strings.Contains(string(r.Body), "暂停履职（计入全体委员，不参加表决）") {
			t.Errorf("minutes page: %d", r.Status)
		}
		if r := b.Get(fmt.Sprintf("/estates/%d/committee-office", env.Demo.EstateID)); r.Status != 200 || !strings.Contains(string(r.Body), "其中 1 人暂停履职") {
			t.Errorf("committee page while suspended: %d", r.Status)
		}
		// Evidence through the API and the case page.
		if r := env.Upload(fmt.Sprintf("/api/v1/cases/%d/files", caseID), street, "receipt.jpg", []byte("购物卡收据照片")); r.Status != 201 {
			t.Errorf("evidence upload: %d %s", r.Status, r.Body)
		}
		casePath := fmt.Sprintf("/committee-cases/%d", caseID)
		if r := b.SubmitFile(casePath, casePath+"/files", "file", "contract.pdf", []byte("%PDF-1.4 续签合同"), nil); r.Status != 303 {
			t.Errorf("web evidence upload: %d %s", r.Status, r.Body)
		}
		var withFiles struct {
			Files []struct {
				ID int64 `json:"id"`
			} `json:"files"`
		}
		env.API("GET", "/api/v1/cases/"+fmt.Sprint(caseID), street, nil).JSON(t, &withFiles)
		if len(withFiles.Files) != 2 {
			t.Errorf("evidence files: %+v", withFiles)
		} else if r := env.API("GET", fmt.Sprintf("/api/v1/case-files/%d", withFiles.Files[0].ID), env.DemoToken("street2"), nil); r.Status != 404 {
			t.Errorf("street2 downloads evidence: %d", r.Status)
		}
		// Defence, proposal; the street office's order comes too late (already proposed).
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/cases/%d/defence", caseID), member, map[string]any{"text": "购物卡系节日慰问，已退回。"}), 200, "defence")
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/cases/%d/order", caseID), street, map[string]any{"text": "责令业主委员会于15日内提请业主大会审议"}), 200, "order")
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/cases/%d/proposal", caseID), member, map[string]any{"text": "提请业主大会临时会议表决"}), 200, "proposal")

		removalVote := cmRemovalVote(t, env, caseID)
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", removalVote), street, nil); r.Status != 200 {
			t.Errorf("resolution of the removal vote: %d %s", r.Status, r.Body)
		} else if dir := os.Getenv("COMMITTEE_PDF_DIR"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, "resolution.pdf"), r.Body, 0o644)
		}
		var res struct {
			Items map[string]struct {
				Passed bool `json:"passed"`
			} `json:"items"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/votes/%d/results", removalVote), street, nil).JSON(t, &res)
		if !res.Items["removal"].Passed {
			t.Errorf("removal item result: %+v", res)
		}
		k = cmCaseOf(t, env, street, caseID)
		if k.Status != "removed" || k.MemberStatus != "ended" || k.OutcomeDoc == nil {
			t.Fatalf("after the final vote: %+v", k)
		}
		env.API("GET", fmt.Sprintf("/api/v1/committees/%d", cid), street, nil).JSON(t, &fc)
		statuses := map[string]string{}
		for _, m := range fc.Members {
			statuses[m.Name] = m.Status
		}
		if statuses["王建国"] != "ended" || statuses["廖杰涵"] != "serving" || len(fc.Members) != 6 {
			t.Errorf("GET committee after the removal: %+v", fc.Members)
		}
		v = cmGet(t, env, street, cid)
		if v.Serving != 5 || len(v.Alternates) != 0 || v.ReelectionRequired || cmMemberID(t, v, "廖杰涵") == 0 {
			t.Fatalf("after the first removal: %+v", v)
		}
		// A removal vote on a member already ended is refused.
		t1 := env.Clock.Now()
		again := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID), member, map[string]any{"title": "罢免", "legal_profile": "civil-code-2021",
			"form": "written", "notice_published_at": t1, "opens_at": t1.AddDate(0, 0, 15), "closes_at": t1.AddDate(0, 0, 22),
			"items": []map[string]any{{"key": "removal", "title": "终止委员资格", "text": "x", "matter": "elect_committee", "removal_case_id": caseID}}})
		if again.Status != 422 || cmFieldOf(again) != "items[0].removal_case_id" {
			t.Errorf("removal of an ended member: %d %s", again.Status, again.Body)
		}
		// Two resignations (no alternate left), then a second removal.
		for _, name := range []string{"李秀英", "刘洋"} {
			fmID(t, env.API("POST", fmt.Sprintf("/api/v1/committees/%d/cessations", cid), member, map[string]any{"member_id": cmMemberID(t, v, name),
				"reason": "resignation", "effective_on": env.Clock.Now().In(rules.Shanghai()).Format(time.DateOnly), "facts": "本人书面辞职"}), "resignation")
		}
		v = cmGet(t, env, street, cid)
		if v.Serving != 3 || v.Vacancies != 2 || v.ReelectionRequired {
			t.Fatalf("after the resignations: %+v", v)
		}
		second := cmFounded(t, env, cid, cmMemberID(t, v, "侯红红"), "N2")
		cmRemovalVote(t, env, second)
		v = cmGet(t, env, street, cid)
		if v.Serving != 2 || !v.ReelectionRequired {
			t.Fatalf("after the second removal: %+v", v)
		}
		var sup struct {
			Reelection []struct {
				CommitteeID int64 `json:"committee_id"`
			} `json:"reelection_required"`
		}
		env.API("GET", "/api/v1/cases", street, nil).JSON(t, &sup)
		if len(sup.Reelection) != 1 || sup.Reelection[0].CommitteeID != cid {
			t.Errorf("street office's list: %+v", sup)
		}
		fmID(t, env.API("POST", fmt.Sprintf("/api/v1/committees/%d/reelection", cid), street, nil), "start re-election group")
		office := b.Get(fmt.Sprintf("/estates/%d/committee-office", env.Demo.EstateID))
		casePage := b.Get(fmt.Sprintf("/committee-cases/%d", caseID))
		list := b.Get("/committee-cases")
		if office.Status != 200 || !strings.Contains(string(office.Body), "不足委员总数 5 人的二分之一") ||
			casePage.Status != 200 || !strings.Contains(string(casePage.Body), "业主大会表决：罢免") || !strings.Contains(string(casePage.Body), "暂停履职并公告") ||
			list.Status != 200 || !strings.Contains(string(list.Body), "须重新选举业主委员会的小区") {
			t.Errorf("pages: committee %d, case %d, list %d", office.Status, casePage.Status, list.Status)
		}
		if dir := os.Getenv("COMMITTEE_PDF_DIR"); dir != "" {
			for name, r := range map[string]handlertest.Response{"committee.html": office, "case.html": casePage, "cases.html": list} {
				_ = os.WriteFile(filepath.Join(dir, name), r.Body, 0o644)
			}
		}
		// A by-election for the three vacant seats through the ordinary vote path fills them.
		byID := cmVote(t, env, map[string]any{"key": "committee", "title": "补选业主委员会委员", "text": "补选 3 名委员。", "matter": "elect_committee",
			"seats": 3, "alternates": 0, "by_election": true, "vacant_seats": 3,
			"candidates": []map[string]any{{"key": "b1", "name": "钱七"}, {"key": "b2", "name": "孙八"}, {"key": "b3", "name": "周九"}}}, []string{"b1", "b2", "b3"})
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/by-election", byID), env.DemoToken("street2"), nil); r.Status != 404 {
			t.Errorf("street2 records the by-election: %d", r.Status)
		}
		fmID(t, env.API("POST", fmt.Sprintf("/api/v1/votes/%d/by-election", byID), street, nil), "record by-election")
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/by-election", byID), street, nil); r.Status != 409 {
			t.Errorf("recording the by-election twice: %d %s", r.Status, r.Body)
		}
		filled := cmGet(t, env, street, cid)
		if filled.Serving != 5 || filled.Vacancies != 0 || filled.ReelectionRequired || cmMemberID(t, filled, "周九") == 0 {
			t.Errorf("after the by-election: %+v", filled)
		}
		// The change filing (BJ 50) files every change at once.
		fmID(t, env.API("POST", fmt.Sprintf("/api/v1/committees/%d/change-filings", cid), street, map[string]any{"reference_no": "幸街备〔2026〕3号"}), "change filing")
		if len(v.Changes) != 5 {
			t.Errorf("changes: %+v", v.Changes)
		}
		if os.Getenv("COMMITTEE_PDF_DIR") != "" {
			seated := int64(0)
			for _, ch := range v.Changes {
				if ch.Kind == "seated" {
					seated = *ch.DocumentID
				}
			}
			cmSavePDFs(t, env, street, *k.SuspensionDoc, *k.OutcomeDoc, seated)
		}
	})
}

// cmSavePDFs writes the three notices for a look as PNG.
func cmSavePDFs(t *testing.T, env *voteEnv, tok string, ids ...int64) {
	for i, id := range ids {
		r := env.API("GET", fmt.Sprintf("/api/v1/documents/%d/pdf", id), tok, nil)
		if r.Status != 200 {
			t.Errorf("pdf %d: %d", id, r.Status)
			continue
		}
		_ = os.WriteFile(filepath.Join(os.Getenv("COMMITTEE_PDF_DIR"), fmt.Sprintf("notice-%d.pdf", i+1)), r.Body, 0o644)
	}
}

// TestCommitteeCaseUnfounded: an unfounded report is closed with reasons and the
// reporter told; the member is not suspended. The public form keeps the reporter masked.
func TestCommitteeCaseUnfounded(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		cid := cmSeed(t, env, 2)
		street := env.DemoToken("street")
		v := cmGet(t, env, street, cid)
		id := fmID(t, env.API("POST", fmt.Sprintf("/api/v1/committees/%d/cases", cid), env.DemoToken("committee"), map[string]any{
			"member_id": cmMemberID(t, v, "张宇"), "grounds": []string{"absence"}, "facts": "长期不参加会议", "reporter": "member"}), "report")
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/cases/%d/verification", id), street, map[string]any{"founded": false,
			"reasons": "会议记录显示该委员出席了多数会议，举报不属实"}), 200, "unfounded")
		k := cmCaseOf(t, env, street, id)
		kinds := []string{}
		for _, e := range k.Events {
			kinds = append(kinds, e.Kind)
		}
		if k.Status != "unfounded" || k.MemberStatus != "serving" || strings.Join(kinds, ",") != "reported,unfounded,reporter_told" {
			t.Fatalf("unfounded case: %+v", k)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/cases/%d/verification", id), street, map[string]any{"founded": true, "reasons": "x"}); r.Status != 409 {
			t.Errorf("verifying a closed case: %d", r.Status)
		}
		// The same ground may be reported again once the case is closed.
		fmID(t, env.API("POST", fmt.Sprintf("/api/v1/committees/%d/cases", cid), street, map[string]any{
			"member_id": cmMemberID(t, v, "张宇"), "grounds": []string{"absence"}, "facts": "再次举报", "reporter": "owner"}), "report again")
		// The same through the pages: the committee page's form, then the case page's verification.
		sb := env.Browser()
		sb.Login("street", "Demo2026street")
		office := fmt.Sprintf("/estates/%d/committee-office", env.Demo.EstateID)
		wr := sb.Submit(office, office+"/cases", map[string][]string{"member_id": {fmt.Sprint(cmMemberID(t, v, "刘洋"))}, "grounds": {"N3", "N5"},
			"reporter": {"community"}, "facts": {"擅自使用业委会印章"}})
		if wr.Status != 303 || !strings.HasPrefix(wr.Header.Get("Location"), "/committee-cases/") {
			t.Fatalf("web report: %d %s", wr.Status, wr.Header.Get("Location"))
		}
		casePath := wr.Header.Get("Location")
		if r := sb.Submit(casePath, casePath+"/verification", map[string][]string{"reasons": {"x"}}); r.Status != 422 || !strings.Contains(string(r.Body), `data-fields="founded`) {
			t.Errorf("web verification without a choice: %d", r.Status)
		}
		if r := sb.Submit(casePath, casePath+"/verification", map[string][]string{"founded": {"false"}, "reasons": {"印章使用有登记，不属实"}}); r.Status != 303 {
			t.Errorf("web verification: %d", r.Status)
		}
		if page := sb.Get(casePath); !strings.Contains(string(page.Body), "不属实，已结案") {
			t.Errorf("case page after the web verification lacks the status")
		}
		// The public form: reporter kept as hash and mask only.
		b := env.Browser()
		page := fmt.Sprintf("/public/estates/%d/committee-report", env.Demo.EstateID)
		r := b.Submit(page, page, map[string][]string{"member_id": {fmt.Sprint(cmMemberID(t, v, "王建国"))}, "grounds": {"N8"},
			"facts": {"泄露业主电话号码"}, "reporter_name": {"赵大海"}, "contact": {"13800138000"}})
		if r.Status != 200 || !strings.Contains(string(r.Body), "已收到") {
			t.Fatalf("public report: %d %s", r.Status, r.Body)
		}
		var open struct {
			Cases []struct {
				ID int64 `json:"id"`
			} `json:"cases"`
		}
		env.API("GET", "/api/v1/cases", street, nil).JSON(t, &open)
		last := open.Cases[len(open.Cases)-1].ID
		raw := env.API("GET", fmt.Sprintf("/api/v1/cases/%d", last), street, nil)
		if strings.Contains(string(raw.Body), "13800138000") || strings.Contains(string(raw.Body), "赵大海") || !strings.Contains(string(raw.Body), `"reporter":"public"`) {
			t.Errorf("public reporter not masked: %s", raw.Body)
		}
		// The committee whose member is reported never sees who reported, not even masked.
		if !strings.Contains(string(raw.Body), `"reporter_mask"`) {
			t.Errorf("the street office sees no reporter mask: %s", raw.Body)
		}
		byCommittee := env.API("GET", fmt.Sprintf("/api/v1/cases/%d", last), env.DemoToken("committee"), nil)
		if byCommittee.Status != 200 || strings.Contains(string(byCommittee.Body), "reporter_mask") || strings.Contains(string(byCommittee.Body), "举报人（已脱敏）") {
			t.Errorf("the committee sees the reporter: %d %s", byCommittee.Status, byCommittee.Body)
		}
	})
}

// TestCommitteeCessationRoles: the committee records a member's own resignation, but
// may not end a colleague's membership for another reason (inability, criminal
// liability, no longer an owner): 403, nothing changed; the street office may.
func TestCommitteeCessationRoles(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		cid := cmSeed(t, env, 1)
		street, committee := env.DemoToken("street"), env.DemoToken("committee")
		v := cmGet(t, env, street, cid)
		today := env.Clock.Now().In(rules.Shanghai()).Format(time.DateOnly)
		path := fmt.Sprintf("/api/v1/committees/%d/cessations", cid)
		for _, reason := range []string{"inability", "criminal", "not_owner"} {
			if r := env.API("POST", path, committee, map[string]any{"member_id": cmMemberID(t, v, "张宇"), "reason": reason,
				"effective_on": today, "facts": "委员会认为其不能履职"}); r.Status != 403 {
				t.Errorf("committee cessation %s: %d %s", reason, r.Status, r.Body)
			}
		}
		if after := cmGet(t, env, street, cid); after.Serving != v.Serving || cmMemberID(t, after, "张宇") == 0 {
			t.Fatalf("a refused cessation changed the committee: %+v", after)
		}
		fmID(t, env.API("POST", path, committee, map[string]any{"member_id": cmMemberID(t, v, "张宇"), "reason": "resignation",
			"effective_on": today, "facts": "本人书面辞职"}), "resignation by the committee")
		fmID(t, env.API("POST", path, street, map[string]any{"member_id": cmMemberID(t, v, "刘洋"), "reason": "inability",
			"effective_on": today, "facts": "长期住院，不能履职"}), "inability by the street office")
	})
}

// TestCommitteeCessationFromRoster: a roster import that no longer lists a member as
// owner says so and opens a cessation; the street office confirms it, the first
// alternate takes the seat, and the cessation awaits the next assembly's confirmation.
func TestCommitteeCessationFromRoster(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		cid := cmSeed(t, env, 2)
		street := env.DemoToken("street")
		data, err := os.ReadFile(filepath.Join("..", "testdata", "roster-small.csv"))
		if err != nil {
			t.Fatal(err)
		}
		sold := strings.Replace(string(data), "1,1,301,65.50,侯红红,510402198211155426,15869664946", "1,1,301,65.50,张宇,140402196008236396,18653141736", 1)
		r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", env.Demo.EstateID), street, "roster.csv", []byte(sold))
		if r.Status != 200 || !strings.Contains(string(r.Body), "侯红红") {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		var sup struct {
			Cases []struct {
				ID     int64  `json:"id"`
				Kind   string `json:"kind"`
				Status string `json:"status"`
			} `json:"cases"`
		}
		env.API("GET", "/api/v1/cases", street, nil).JSON(t, &sup)
		if len(sup.Cases) != 1 || sup.Cases[0].Kind != "cessation" || sup.Cases[0].Status != "pending" {
			t.Fatalf("open cases after import: %+v", sup)
		}
		// Importing again does not open a second one.
		if r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", env.Demo.EstateID), street, "roster.csv", []byte(sold)); r.Status != 200 {
			t.Fatalf("second import: %d", r.Status)
		}
		env.API("GET", "/api/v1/cases", street, nil).JSON(t, &sup)
		if len(sup.Cases) != 1 {
			t.Fatalf("second import opened another case: %+v", sup)
		}
		id := sup.Cases[0].ID
		if r := env.API("POST", fmt.Sprintf("/api/v1/cases/%d/cessation-confirmation", id), env.DemoToken("committee"), map[string]any{"confirm": true}); r.Status != 403 {
			t.Errorf("committee confirms: %d", r.Status)
		}
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/cases/%d/cessation-confirmation", id), street, map[string]any{"confirm": true,
			"reasons": "经核实房屋已于上月过户"}), 200, "confirm")
		v := cmGet(t, env, street, cid)
		if v.Serving != 5 || len(v.Alternates) != 1 || cmMemberID(t, v, "廖杰涵") == 0 || len(v.Former) != 1 || v.Former[0].Name != "侯红红" {
			t.Fatalf("after the cessation: %+v", v)
		}
		var full struct {
			Await []struct {
				ID int64 `json:"id"`
			} `json:"awaiting_assembly_confirmation"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/committees/%d/in-office", cid), street, nil).JSON(t, &full)
		if len(full.Await) != 1 || full.Await[0].ID != id {
			t.Errorf("awaiting the assembly's confirmation: %+v", full)
		}
	})
}

// TestCommitteeAbsenceFromMinutes: a member absent from more than half of the
// committee's meetings in the past year is flagged; one absent from half is not.
func TestCommitteeAbsenceFromMinutes(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		cid := cmSeed(t, env, 0)
		ctx := context.Background()
		all := []string{"王建国", "李秀英", "刘洋", "侯红红", "张宇"}
		present := [][]string{
			{"王建国", "李秀英", "刘洋", "侯红红"},
			{"王建国", "李秀英", "刘洋"},
			{"王建国", "李秀英", "刘洋", "张宇"},
			{"王建国", "李秀英", "刘洋"},
		}
		for i, p := range present {
			env.Clock.Set(voteT0.AddDate(0, 0, 10*(i+1)))
			mid, err := env.Svc.Documents.CreateMinutes(ctx, fmSystem, env.Demo.EstateID, documents.NewMinutes{Kind: "committee",
				MinutesInput: documents.MinutesInput{Title: fmt.Sprintf("第 %d 次会议", i+1), Place: "会议室", HeldAt: env.Clock.Now().Add(-time.Hour),
					Members: all, Present: p, Signatures: []documents.Signature{{Name: "王建国", SignedAt: env.Clock.Now()}}}})
			if err != nil {
				t.Fatalf("minutes: %v", err)
			}
			if _, err := env.Svc.Documents.FinaliseMinutes(ctx, fmSystem, mid); err != nil {
				t.Fatalf("finalise minutes: %v", err)
			}
		}
		var att []struct {
			Name     string `json:"name"`
			Meetings int    `json:"meetings"`
			Absent   int    `json:"absent"`
			Flagged  bool   `json:"flagged"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/committees/%d/attendance", cid), env.DemoToken("street"), nil).JSON(t, &att)
		got := map[string]string{}
		for _, a := range att {
			got[a.Name] = fmt.Sprintf("%d/%d %v", a.Absent, a.Meetings, a.Flagged)
		}
		want := map[string]string{"王建国": "0/4 false", "李秀英": "0/4 false", "刘洋": "0/4 false", "侯红红": "3/4 true", "张宇": "3/4 true"}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s, want %s", k, got[k], w)
			}
		}
		// A year later the meetings no longer count.
		env.Clock.Set(voteT0.AddDate(1, 2, 0))
		env.API("GET", fmt.Sprintf("/api/v1/committees/%d/attendance", cid), env.DemoToken("street"), nil).JSON(t, &att)
		for _, a := range att {
			if a.Flagged || a.Meetings != 0 {
				t.Errorf("a year later: %+v", a)
			}
		}
	})
}
