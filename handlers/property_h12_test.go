package handlers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// h12VerifyKind checks that a property record's number is stored with its own kind and
// that the public verification page names that kind (not "公告附件").
func h12VerifyKind(t *testing.T, env *handlertest.Env, number, kind, label string) {
	t.Helper()
	if number == "" {
		t.Errorf("no document number for %s", kind)
		return
	}
	var d models.Document
	if err := env.DB.DB.Where("doc_number = ?", number).Take(&d).Error; err != nil {
		t.Errorf("document %s: %v", number, err)
		return
	}
	var series models.DocumentSeries
	if err := env.DB.DB.Where("id = ?", d.SeriesID).Take(&series).Error; err != nil {
		t.Errorf("series of %s: %v", number, err)
	}
	if d.Kind != kind || series.Kind != kind {
		t.Errorf("document %s has kind %q (series %q), want %q", number, d.Kind, series.Kind, kind)
	}
	page := env.Browser().Get("/verify/" + number)
	body := string(page.Body)
	if page.Status != 200 || !strings.Contains(body, label) || strings.Contains(body, "公告附件") {
		t.Errorf("/verify/%s: %d, names %q: %v, says 公告附件: %v", number, page.Status, label, strings.Contains(body, label), strings.Contains(body, "公告附件"))
	}
}

// TestDocumentsOwnerAndKindChecks: migration 00028 lets a document belong to an org
// instead of an estate, but never to neither, and only with a known kind; on both
// databases the CHECK constraints refuse the rest.
func TestDocumentsOwnerAndKindChecks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.Build(t, db, handlertest.Options{Clock: app.NewManualClock(voteT0)})
		var district models.Org
		if err := env.DB.DB.Where("kind = ?", models.OrgDistrict).Order("id").First(&district).Error; err != nil {
			t.Fatal(err)
		}
		mk := func(subject string, estateID int64, orgID *int64, kind string) error {
			s := models.DocumentSeries{Kind: kind, Subject: subject, EstateID: estateID, OrgID: orgID, Year: 2026, CreatedAt: voteT0}
			return env.DB.DB.Create(&s).Error
		}
		if err := mk("h12:neither", 0, nil, models.DocCreditList); err == nil {
			t.Errorf("a series with neither estate nor org was stored")
		}
		if err := mk("h12:bogus", 0, &district.ID, "bogus"); err == nil {
			t.Errorf("a series of an unknown kind was stored")
		}
		if err := mk("h12:org", 0, &district.ID, models.DocCreditList); err != nil {
			t.Errorf("an org-level series: %v", err)
		}
		if err := mk("h12:estate", env.Demo.EstateID, nil, models.DocTermination); err != nil {
			t.Errorf("an estate series of kind termination: %v", err)
		}
		var back models.DocumentSeries
		if err := env.DB.DB.Where("subject = ?", "h12:org").Take(&back).Error; err != nil || back.EstateID != 0 || back.OrgID == nil || *back.OrgID != district.ID {
			t.Errorf("org-level series read back: %+v %v", back, err)
		}
	})
}

// TestPropertyWholePathExitToHandover walks issue 13's whole path through the HTTP API
// on both databases: 21 verified complaints from distinct complainants and a refused
// rectification order → the exit case is raised (with its evidence) → a dismissal vote
// linked to the contract passes with real online ballots → published, final → the
// termination from that exit case (exit_case_id validated: another estate's or another
// company's case is refused naming the field) → the termination notice PDF →
// the handover checklist confirmed by the receiver and completed → the handover record.
func TestPropertyWholePathExitToHandover(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		street := env.DemoToken("street")
		committee := env.DemoToken("committee")
		estate := env.Demo.EstateID
		company := prCompanyServing(t, env.Env, street, estate)
		var contract int64
		if err := env.DB.DB.Raw("SELECT id FROM service_contracts WHERE estate_id = ? AND company_id = ?", estate, company).Scan(&contract).Error; err != nil || contract == 0 {
			t.Fatalf("the contract: %v", err)
		}

		// 21 distinct complainants, each complaint verified (属实); one refused order.
		received := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
		for i := 0; i < 21; i++ {
			at := received.Add(time.Duration(i) * time.Hour)
			id := prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/complaints", estate), street, map[string]any{
				"complainant": fmt.Sprintf("139%08d", 10000+i), "received_at": rfc(at), "source": "12345", "text": fmt.Sprintf("电梯停运第 %d 次", i+1)}), "complaint")
			prWant(t, env.API("POST", fmt.Sprintf("/api/v1/complaints/%d/events", id), street,
				map[string]any{"kind": "verified", "at": rfc(at.Add(time.Hour)), "note": "属实"}), 200, "verify")
		}
		var cases []struct {
			ID        int64 `json:"id"`
			EstateID  int64 `json:"estate_id"`
			CompanyID int64 `json:"company_id"`
		}
		env.API("GET", "/api/v1/exit-cases", street, nil).JSON(t, &cases)
		if len(cases) != 0 {
			t.Fatalf("an exit case before the refused order: %+v", cases)
		}
		order := prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/rectifications", estate), street, map[string]any{
			"ordered_at": "2026-02-10T10:00:00+08:00", "deadline": "2026-02-20", "text": "限期恢复电梯运行"}), "order")
		prWant(t, env.API("POST", fmt.Sprintf("/api/v1/rectifications/%d/outcome", order), street,
			map[string]any{"outcome": "refused", "at": "2026-02-11T10:00:00+08:00"}), 200, "refused")
		check := prWant(t, env.API("GET", fmt.Sprintf("/api/v1/estates/%d/exit-check", estate), street, nil), 200, "exit check")
		if check["triggered"] != true || check["verified_distinct_complainants"] != float64(21) || check["refused_rectification"] != true {
			t.Fatalf("exit check: %v", check)
		}
		env.API("GET", "/api/v1/exit-cases", street, nil).JSON(t, &cases)
		if len(cases) != 1 || cases[0].EstateID != estate || cases[0].CompanyID != company {
			t.Fatalf("exit cases: %+v", cases)
		}
		exitCase := cases[0].ID
		// The street office's home page shows the case; its page links to the dismissal.
		home := env.Browser()
		home.Login("street", "Demo2026street")
		if r := home.Get("/"); !strings.Contains(string(r.Body), fmt.Sprintf(`href="/exit-cases#exit-case-%d"`, exitCase)) {
			t.Errorf("the street office's home page has no exit-case banner")
		}
		if r := home.Get("/exit-cases"); !strings.Contains(string(r.Body), fmt.Sprintf(`/estates/%d/stewardship?exit_case=%d#contracts`, estate, exitCase)) {
			t.Errorf("the exit case page does not link to the dismissal")
		}
		if r := home.Get(fmt.Sprintf("/estates/%d/stewardship?exit_case=%d", estate, exitCase)); r.Status != 200 ||
			!strings.Contains(string(r.Body), fmt.Sprintf(`name="exit_case_id" inputmode="numeric" value="%d"`, exitCase)) {
			t.Errorf("the stewardship page is not prefilled with the exit case: %d", r.Status)
		}

		// The company file and its credit file link each other; so do the estate's two
		// property pages (complaints and exit check; contracts, dismissal and handover).
		for path, want := range map[string]string{
			fmt.Sprintf("/companies/%d", company):          fmt.Sprintf(`href="/companies/%d/credit"`, company),
			fmt.Sprintf("/companies/%d/credit", company):   fmt.Sprintf(`href="/companies/%d"`, company),
			fmt.Sprintf("/estates/%d/property", estate):    fmt.Sprintf(`href="/estates/%d/stewardship"`, estate),
			fmt.Sprintf("/estates/%d/stewardship", estate): fmt.Sprintf(`href="/estates/%d/property"`, estate),
		} {
			if r := home.Get(path); r.Status != 200 || !strings.Contains(string(r.Body), want) {
				t.Errorf("%s: %d, links %s: %v", path, r.Status, want, strings.Contains(string(r.Body), want))
			}
		}

		// The dismissal vote, linked to the contract, passed with real ballots.
		item := ordinaryItem("dismiss", "hire_dismiss_manager")
		item["title"] = "解聘物业服务企业（退出案件）"
		item["contract_id"] = contract
		voteID := env.openDemoVote(t, committee, item)
		creds := env.credentials(t, committee, voteID)
		answers := idChecks(t)
		cast := map[string]bool{}
		for room, c := range creds {
			if cast[c.Token] {
				continue
			}
			cast[c.Token] = true
			if r := env.cast(c.Token, answers[room], map[string]any{"dismiss": "agree"}); r.Status != 201 {
				t.Fatalf("cast %s: %d %s", room, r.Status, r.Body)
			}
		}
		var ballots int64
		env.DB.DB.Raw("SELECT COUNT(*) FROM ballots WHERE vote_id = ?", voteID).Scan(&ballots)
		if ballots == 0 || int(ballots) != len(cast) {
			t.Fatalf("ballots stored: %d, cast %d", ballots, len(cast))
		}
		closedAt := voteCloses().Add(24 * time.Hour)
		env.Clock.Set(closedAt)
		prWant(t, env.API("POST", fmt.Sprintf("/api/v1/votes/%d/publish", voteID), committee, nil), 200, "publish")
		env.Clock.Set(closedAt.AddDate(0, 0, 10))
		prWant(t, env.API("POST", fmt.Sprintf("/api/v1/votes/%d/finalise", voteID), committee, nil), 200, "finalise")

		// exit_case_id is checked against the exit cases: unknown, another estate's,
		// another company's → 422 naming exit_case_id, nothing stored.
		other := prEstate(t, env.Env, "另一小区")
		now := env.Clock.Now()
		foreign := models.ExitCase{EstateID: other, CompanyID: company, RaisedAt: now, EvaluatedOn: "2026-03-01", Evidence: "{}", StreetOrgID: 1, DistrictOrgID: 1, Status: "open", CreatedAt: now, UpdatedAt: now}
		env.DB.DB.Raw("SELECT street_org_id, district_org_id FROM exit_cases WHERE id = ?", exitCase).Row().Scan(&foreign.StreetOrgID, &foreign.DistrictOrgID) //nolint:errcheck // checked by the insert
		if err := env.DB.DB.Create(&foreign).Error; err != nil {
			t.Fatal(err)
		}
		prSerial++
		company2 := prID(t, env.API("POST", "/api/v1/companies", street, map[string]any{"name": "另一物业公司", "uscc": prUSCC(fmt.Sprintf("9111010%010d", 900+prSerial))}), "company 2")
		otherCo := foreign
		otherCo.ID, otherCo.EstateID, otherCo.CompanyID = 0, estate, company2
		if err := env.DB.DB.Create(&otherCo).Error; err != nil {
			t.Fatal(err)
		}
		term := fmt.Sprintf("/api/v1/contracts/%d/termination", contract)
		for _, bad := range []int64{exitCase + 100000, foreign.ID, otherCo.ID} {
			prField(t, env.API("POST", term, committee, map[string]any{"vote_id": voteID, "origin": "exit_case", "exit_case_id": bad}), 422, "exit_case_id", "a foreign exit case")
		}
		if n := prCount(t, env.Env, "contract_terminations"); n != 0 {
			t.Fatalf("a refused termination stored %d rows", n)
		}
		r := env.API("POST", term, committee, map[string]any{"vote_id": voteID, "origin": "exit_case", "exit_case_id": exitCase})
		var tm struct {
			ID           int64  `json:"id"`
			Origin       string `json:"origin"`
			ExitCaseID   int64  `json:"exit_case_id"`
			NoticeDays   int    `json:"notice_days"`
			TerminatedOn string `json:"terminated_on"`
			HandoverID   int64  `json:"handover_id"`
		}
		if r.Status != 201 {
			t.Fatalf("terminate: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &tm)
		if tm.Origin != "exit_case" || tm.ExitCaseID != exitCase || tm.NoticeDays != 60 {
			t.Errorf("termination: %+v", tm)
		}
		notice := env.API("GET", fmt.Sprintf("/api/v1/terminations/%d/notice.pdf", tm.ID), committee, nil)
		if notice.Status != 200 || !strings.HasPrefix(string(notice.Body), "%PDF-") {
			t.Fatalf("notice: %d", notice.Status)
		}
		h6SavePDF(t, "path-termination-"+env.DB.Dialect+".pdf", notice.Body)
		text := pdfToText(t, notice.Body)
		for _, want := range []string{"解除物业服务合同通知书", fmt.Sprintf("退出案件第 %d 号", exitCase), tm.TerminatedOn, "60 日"} {
			if !strings.Contains(text, want) {
				t.Errorf("the notice lacks %q:\n%s", want, text)
			}
		}
		h12VerifyKind(t, env.Env, notice.Header.Get("X-Document-Number"), models.DocTermination, "解除物业服务合同通知书")

		// The handover: every item confirmed by the receiver (the committee), completed.
		hpath := fmt.Sprintf("/api/v1/handovers/%d", tm.HandoverID)
		var h struct {
			Items []struct {
				ID    int64  `json:"id"`
				Kind  string `json:"kind"`
				Money bool   `json:"money"`
			} `json:"items"`
		}
		env.API("GET", hpath, committee, nil).JSON(t, &h)
		if len(h.Items) == 0 {
			t.Fatal("no checklist")
		}
		for _, it := range h.Items {
			body := map[string]any{"status": "handed", "confirmed_by": "committee", "confirmer_name": "李主任"}
			if it.Money {
				body["accounts"] = []map[string]any{{"label": "预收物业费", "amount_fen": 100000}}
			}
			prWant(t, env.API("POST", fmt.Sprintf("/api/v1/handover-items/%d", it.ID), committee, body), 200, "item "+it.Kind)
		}
		done := prWant(t, env.API("POST", hpath+"/completion", committee, map[string]any{"receiver_signer": "李主任", "company_signer": "王经理"}), 200, "complete")
		if done["status"] != "completed" {
			t.Errorf("handover: %v", done)
		}
		rec := env.API("GET", hpath+"/record.pdf", committee, nil)
		if rec.Status != 200 || !strings.Contains(pdfToText(t, rec.Body), "物业服务交接记录") {
			t.Fatalf("handover record: %d", rec.Status)
		}
		h12VerifyKind(t, env.Env, rec.Header.Get("X-Document-Number"), models.DocHandover, "物业交接记录")
		var c models.ServiceContract
		env.DB.DB.First(&c, contract)
		if c.TerminatedOn == nil || *c.TerminatedOn != tm.TerminatedOn {
			t.Errorf("the contract's end: %v", c.TerminatedOn)
		}
	})
}
