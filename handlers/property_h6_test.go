package handlers_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongzhi/models"
)

// Issue 13, second half: credit, dismissal and handover through the real router.

// h6Company registers a property company and its contract with the demo estate directly
// (the companies and contracts API is another package's), returning their ids.
func h6Company(t *testing.T, env *voteEnv, name, uscc string, noticeDays int) (company, contract int64) {
	t.Helper()
	now := time.Now().UTC()
	var district models.Org
	if err := env.DB.DB.Where("kind = ?", models.OrgDistrict).Order("id").First(&district).Error; err != nil {
		t.Fatal(err)
	}
	co := models.PropertyCompany{Name: name, USCC: uscc, RegisteredByOrgID: district.ID, CreatedAt: now, UpdatedAt: now}
	if err := env.DB.DB.Create(&co).Error; err != nil {
		t.Fatal(err)
	}
	c := models.ServiceContract{EstateID: env.Demo.EstateID, CompanyID: co.ID, StartsOn: "2024-01-01", EndsOn: "2028-12-31", NoticeDays: noticeDays,
		FeeStandard: "1.80 元/平方米·月", FilingNo: "BA-2024-017", CreatedAt: now, UpdatedAt: now}
	if err := env.DB.DB.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	return co.ID, c.ID
}

// h6Each runs fn in the vote environment on both databases (every service reads
// the environment's one clock).
func h6Each(t *testing.T, fn func(t *testing.T, env *voteEnv)) {
	eachVote(t, fn)
}

// h6SavePDF keeps a PDF under H6_PDF_DIR (when set) for looking at it as PNG.
func h6SavePDF(t *testing.T, name string, data []byte) {
	if dir := os.Getenv("H6_PDF_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
}

// TestPropertyDismissalToHandover: a dismissal vote passed with real online ballots →
// published → objection period over → final → termination (contract end date set) →
// termination notice PDF → handover checklist confirmed by the receiving party →
// completed → signed handover record PDF.
func TestPropertyDismissalToHandover(t *testing.T) {
	h6Each(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("committee")
		companyID, contractID := h6Company(t, env, "示范物业服务有限公司", "91110000600037341L", 60)
		item := ordinaryItem("dismiss", "hire_dismiss_manager")
		item["title"] = "解聘示范物业服务有限公司"
		item["contract_id"] = contractID

		// Bad links: an unknown contract, a contract on another matter.
		bad := ordinaryItem("dismiss", "hire_dismiss_manager")
		bad["contract_id"] = contractID + 1000
		r := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID), tok, voteBody("civil-code-2021", bad))
		if r.Status != 422 || !strings.Contains(string(r.Body), "items[0].contract_id") {
			t.Errorf("unknown contract: %d %s", r.Status, r.Body)
		}
		other := ordinaryItem("rules", "other")
		other["contract_id"] = contractID
		r = env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID), tok, voteBody("civil-code-2021", other))
		if r.Status != 422 || !strings.Contains(string(r.Body), "items[0].contract_id") {
			t.Errorf("contract on another matter: %d %s", r.Status, r.Body)
		}

		voteID := env.openDemoVote(t, tok, item)
		got := env.API("GET", fmt.Sprintf("/api/v1/votes/%d", voteID), tok, nil)
		if !strings.Contains(string(got.Body), fmt.Sprintf(`"contract_id":%d`, contractID)) {
			t.Errorf("the item does not carry its contract: %s", got.Body)
		}
		creds := env.credentials(t, tok, voteID)
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
		base := fmt.Sprintf("/api/v1/votes/%d", voteID)
		term := fmt.Sprintf("/api/v1/contracts/%d/termination", contractID)
		closedAt := voteCloses().Add(24 * time.Hour)
		env.Clock.Set(closedAt)
		if r := env.API("POST", base+"/publish", tok, nil); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		// Published but not final: no termination yet.
		if r := env.API("POST", term, tok, map[string]any{"vote_id": voteID}); r.Status != 409 {
			t.Errorf("termination before final: %d %s", r.Status, r.Body)
		}
		env.Clock.Set(closedAt.AddDate(0, 0, 10))
		if r := env.API("POST", base+"/finalise", tok, nil); r.Status != 200 {
			t.Fatalf("finalise: %d %s", r.Status, r.Body)
		}
		// Bad input: no vote, an unknown origin, an exit case without its id, a foreign vote id.
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{}, "vote_id"},
			{map[string]any{"vote_id": voteID, "origin": "street"}, "origin"},
			{map[string]any{"vote_id": voteID, "origin": "exit_case"}, "exit_case_id"},
			{map[string]any{"vote_id": voteID, "origin": "exit_case", "exit_case_id": 999999}, "exit_case_id"},
			{map[string]any{"vote_id": voteID + 999}, "vote_id"},
			{map[string]any{"vote_id": voteID, "receiver": "mayor"}, "receiver"},
		} {
			if r := env.API("POST", term, tok, c.body); r.Status != 422 || !strings.Contains(string(r.Body), c.field) {
				t.Errorf("termination %v: %d %s", c.body, r.Status, r.Body)
			}
		}
		if r := env.API("POST", term, env.DemoToken("district"), map[string]any{"vote_id": voteID}); r.Status != 403 {
			t.Errorf("district terminates: %d", r.Status)
		}
		r = env.API("POST", term, tok, map[string]any{"vote_id": voteID})
		if r.Status != 201 {
			t.Fatalf("terminate: %d %s", r.Status, r.Body)
		}
		var tm struct {
			ID           int64  `json:"id"`
			ServedOn     string `json:"served_on"`
			NoticeDays   int    `json:"notice_days"`
			TerminatedOn string `json:"terminated_on"`
			HandoverID   int64  `json:"handover_id"`
			HandoverDue  string `json:"handover_due_on"`
		}
		r.JSON(t, &tm)
		served := closedAt.AddDate(0, 0, 10).Format(time.DateOnly)
		if tm.ServedOn != served || tm.NoticeDays != 60 || tm.TerminatedOn != "2026-06-03" || tm.HandoverDue != "2026-07-03" {
			t.Errorf("termination: %+v (served %s)", tm, served)
		}
		var c models.ServiceContract
		env.DB.DB.First(&c, contractID)
		if c.TerminatedOn == nil || *c.TerminatedOn != tm.TerminatedOn || c.TerminationVoteID == nil || *c.TerminationVoteID != voteID {
			t.Errorf("contract row: %+v", c)
		}
		if r := env.API("POST", term, tok, map[string]any{"vote_id": voteID}); r.Status != 409 {
			t.Errorf("second termination: %d", r.Status)
		}

		// The termination notice, parsed back.
		notice := env.API("GET", fmt.Sprintf("/api/v1/terminations/%d/notice.pdf", tm.ID), tok, nil)
		if notice.Status != 200 || notice.Header.Get("X-Document-Number") == "" {
			t.Fatalf("notice: %d %s", notice.Status, notice.Body)
		}
		h6SavePDF(t, "termination-"+env.DB.Dialect+".pdf", notice.Body)
		text := pdfToText(t, notice.Body)
		for _, want := range []string{"解除物业服务合同通知书", "示范物业服务有限公司", "60 日", "2026-06-03", "第九百四十六条", "解聘示范物业服务有限公司"} {
			if !strings.Contains(text, want) {
				t.Errorf("notice lacks %q:\n%s", want, text)
			}
		}
		if again := env.API("GET", fmt.Sprintf("/api/v1/terminations/%d/notice.pdf", tm.ID), tok, nil); again.Header.Get("X-Document-Number") != notice.Header.Get("X-Document-Number") {
			t.Errorf("the notice was issued twice")
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/terminations/%d/notice.pdf", tm.ID), env.DemoToken("street2"), nil); r.Status != 404 {
			t.Errorf("another street's notice: %d", r.Status)
		}
		if v := env.API("GET", "/verify/"+notice.Header.Get("X-Document-Number"), "", nil); v.Status != 200 {
			t.Errorf("verify the notice: %d", v.Status)
		}
		// h12: the notice has its own kind, and /verify names it (not "公告附件").
		h12VerifyKind(t, env.Env, notice.Header.Get("X-Document-Number"), models.DocTermination, "解除物业服务合同通知书")

		// The handover checklist.
		hpath := fmt.Sprintf("/api/v1/handovers/%d", tm.HandoverID)
		var h struct {
			Items []struct {
				ID    int64  `json:"id"`
				Kind  string `json:"kind"`
				Money bool   `json:"money"`
			} `json:"items"`
			Status string `json:"status"`
		}
		env.API("GET", hpath, tok, nil).JSON(t, &h)
		if len(h.Items) != 8 || h.Status != "open" {
			t.Fatalf("handover: %+v", h)
		}
		if r := env.API("POST", hpath+"/items", tok, map[string]any{"label": " "}); r.Status != 422 || !strings.Contains(string(r.Body), "label") {
			t.Errorf("an item without a label: %d %s", r.Status, r.Body)
		}
		itemPath := func(id int64) string { return fmt.Sprintf("/api/v1/handover-items/%d", id) }
		first := h.Items[0]
		// A confirmation by a party that is not the receiver: 422 naming confirmed_by, nothing changed.
		r = env.API("POST", itemPath(first.ID), tok, map[string]any{"status": "handed", "confirmed_by": "new_company", "confirmer_name": "王经理"})
		if r.Status != 422 || !strings.Contains(string(r.Body), "confirmed_by") {
			t.Errorf("confirmation by a non-receiver: %d %s", r.Status, r.Body)
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"status": "lost", "confirmed_by": "committee", "confirmer_name": "李主任"}, "status"},
			{map[string]any{"status": "missing", "confirmed_by": "committee", "confirmer_name": "李主任"}, "note"},
			{map[string]any{"status": "handed", "confirmed_by": "committee"}, "confirmer_name"},
			{map[string]any{"status": "handed", "confirmed_by": "committee", "confirmer_name": "李主任", "accounts": []map[string]any{{"label": "x", "amount_fen": 1}}}, "accounts"},
		} {
			if r := env.API("POST", itemPath(first.ID), tok, c.body); r.Status != 422 || !strings.Contains(string(r.Body), c.field) {
				t.Errorf("item %v: %d %s", c.body, r.Status, r.Body)
			}
		}
		if r := env.API("POST", itemPath(first.ID), tok, map[string]any{"status": "handed", "confirmed_by": "committee", "confirmer_name": "李主任",
			"accounts": []map[string]any{{"label": "x", "amount_fen": 1.5}}}); r.Status < 400 || r.Status >= 500 {
			t.Errorf("fractional fen: %d %s", r.Status, r.Body)
		}
		var still struct {
			Pending int `json:"pending"`
		}
		env.API("GET", hpath, tok, nil).JSON(t, &still)
		if still.Pending != 8 {
			t.Errorf("a refused confirmation changed the checklist: %d pending", still.Pending)
		}
		if r := env.API("POST", hpath+"/completion", tok, map[string]any{"receiver_signer": "李主任", "company_signer": "王经理"}); r.Status != 409 {
			t.Errorf("complete with pending items: %d %s", r.Status, r.Body)
		}
		for _, it := range h.Items {
			body := map[string]any{"status": "handed", "confirmed_by": "committee", "confirmer_name": "李主任"}
			switch {
			case it.Kind == "keys_cards":
				body = map[string]any{"status": "disputed", "note": "门禁卡少 12 张，物业称已遗失", "confirmed_by": "committee", "confirmer_name": "李主任"}
			case it.Money:
				if r := env.API("POST", itemPath(it.ID), tok, body); r.Status != 422 || !strings.Contains(string(r.Body), "accounts") {
					t.Errorf("money item without accounts: %d %s", r.Status, r.Body)
				}
				body["accounts"] = []map[string]any{{"label": "2026 年 1-5 月预收物业费", "amount_fen": 12345678}, {"label": "电梯广告收入", "amount_fen": 4500000}}
			}
			if r := env.API("POST", itemPath(it.ID), tok, body); r.Status != 200 {
				t.Fatalf("item %s: %d %s", it.Kind, r.Status, r.Body)
			}
		}
		if r := env.API("GET", hpath+"/record.pdf", tok, nil); r.Status != 409 {
			t.Errorf("record before completion: %d", r.Status)
		}
		env.Clock.Set(closedAt.AddDate(0, 0, 20))
		r = env.API("POST", hpath+"/completion", tok, map[string]any{"receiver_signer": "李主任", "company_signer": "王经理", "witness_signer": "张科长"})
		if r.Status != 200 || r.Map(t)["status"] != "completed" {
			t.Fatalf("complete: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", itemPath(first.ID), tok, map[string]any{"status": "missing", "note": "x", "confirmed_by": "committee", "confirmer_name": "李主任"}); r.Status != 409 {
			t.Errorf("item after completion: %d", r.Status)
		}
		rec := env.API("GET", hpath+"/record.pdf", tok, nil)
		if rec.Status != 200 {
			t.Fatalf("record: %d %s", rec.Status, rec.Body)
		}
		h6SavePDF(t, "handover-"+env.DB.Dialect+".pdf", rec.Body)
		h12VerifyKind(t, env.Env, rec.Header.Get("X-Document-Number"), models.DocHandover, "物业交接记录")
		text = pdfToText(t, rec.Body)
		for _, want := range []string{"物业服务交接记录", "示范物业服务有限公司", "123456.78", "45000.00", "168456.78", "有争议", "门禁卡少 12 张", "李主任", "王经理", "张科长"} {
			if !strings.Contains(text, want) {
				t.Errorf("handover record lacks %q:\n%s", want, text)
			}
		}
		_ = companyID
	})
}

// TestPropertyCreditListsEligibility: grades with reasons and history, red and black
// lists, the monthly PDF (public, verifiable by its SHA-256), the maintenance-fund
// eligibility check and the flag on a hire proposal naming a barred company.
func TestPropertyCreditListsEligibility(t *testing.T) {
	h6Each(t, func(t *testing.T, env *voteEnv) {
		dist := env.DemoToken("district")
		good, _ := h6Company(t, env, "示范物业服务有限公司", "91110000600037341L", 60)
		var badID int64
		{
			var district models.Org
			env.DB.DB.Where("kind = ?", models.OrgDistrict).First(&district)
			co := models.PropertyCompany{Name: "劣质物业管理有限公司", USCC: "91110000MA01234567", RegisteredByOrgID: district.ID, CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := env.DB.DB.Create(&co).Error; err != nil {
				t.Fatal(err)
			}
			badID = co.ID
		}
		var district models.Org
		env.DB.DB.Where("kind = ?", models.OrgDistrict).First(&district)
		grade := func(id int64, g, reasons string) {
			t.Helper()
			r := env.API("POST", fmt.Sprintf("/api/v1/companies/%d/grades", id), dist, map[string]any{"grade": g, "reasons": reasons, "credit_entry_ref": "信用档案 2026-031"})
			if r.Status != 201 {
				t.Fatalf("grade: %d %s", r.Status, r.Body)
			}
		}
		// Bad input and refused roles.
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"grade": "E", "reasons": "x"}, "grade"},
			{map[string]any{"grade": "B"}, "reasons"},
			{map[string]any{"grade": "B", "reasons": "x", "effective_on": "2026-13-01"}, "effective_on"},
		} {
			if r := env.API("POST", fmt.Sprintf("/api/v1/companies/%d/grades", good), dist, c.body); r.Status != 422 || !strings.Contains(string(r.Body), c.field) {
				t.Errorf("grade %v: %d %s", c.body, r.Status, r.Body)
			}
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/companies/%d/grades", good), env.DemoToken("street"), map[string]any{"grade": "A", "reasons": "x"}); r.Status != 403 {
			t.Errorf("street grades: %d", r.Status)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/companies/%d/grades", good), env.DemoToken("admin"), map[string]any{"grade": "A", "reasons": "x"}); r.Status != 422 || !strings.Contains(string(r.Body), "district_id") {
			t.Errorf("admin without a district: %d %s", r.Status, r.Body)
		}
		grade(good, "B", "投诉处理及时")
		grade(good, "A", "年度考评优秀")
		grade(badID, "C", "整改不及时")
		grade(badID, "D", "拒不整改，约谈两次")
		var file struct {
			Grades []struct {
				Grade   string `json:"grade"`
				Reasons string `json:"reasons"`
			} `json:"grades"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/companies/%d/credit", badID), env.DemoToken("committee"), nil).JSON(t, &file)
		if len(file.Grades) != 2 || file.Grades[0].Grade != "D" || file.Grades[1].Grade != "C" || file.Grades[0].Reasons != "拒不整改，约谈两次" {
			t.Errorf("grade history: %+v", file.Grades)
		}
		// Lists.
		if r := env.API("POST", fmt.Sprintf("/api/v1/companies/%d/list-entries", badID), dist, map[string]any{"list": "grey", "reasons": "x"}); r.Status != 422 || !strings.Contains(string(r.Body), "list") {
			t.Errorf("bad list: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/companies/%d/list-entries", good), dist, map[string]any{"list": "red", "reasons": "服务质量优"}); r.Status != 201 {
			t.Fatalf("red list: %d %s", r.Status, r.Body)
		}
		// Eligibility before the black list: D grade already bars.
		elig := func(id int64) map[string]any {
			t.Helper()
			r := env.API("GET", fmt.Sprintf("/api/v1/companies/%d/eligibility?estate_id=%d", id, env.Demo.EstateID), env.DemoToken("street"), nil)
			if r.Status != 200 {
				t.Fatalf("eligibility: %d %s", r.Status, r.Body)
			}
			return r.Map(t)
		}
		if e := elig(good); e["maintenance_fund_applicant"] != true || e["grade"] != "A" {
			t.Errorf("good company: %v", e)
		}
		if e := elig(badID); e["maintenance_fund_applicant"] != false || e["grade"] != "D" || e["black_listed"] != false {
			t.Errorf("D company: %v", e)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/companies/%d/eligibility", good), env.DemoToken("street"), nil); r.Status != 422 || !strings.Contains(string(r.Body), "estate_id") {
			t.Errorf("eligibility without an estate: %d %s", r.Status, r.Body)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/companies/%d/eligibility?estate_id=%d", good, env.Demo.EstateID), env.DemoToken("street2"), nil); r.Status != 404 {
			t.Errorf("eligibility for another street's estate: %d", r.Status)
		}
		r := env.API("POST", fmt.Sprintf("/api/v1/companies/%d/list-entries", badID), dist, map[string]any{"list": "black", "reasons": "一年内属实投诉 25 件，拒不整改"})
		if r.Status != 201 {
			t.Fatalf("black list: %d %s", r.Status, r.Body)
		}
		blackEntry := int64(r.Map(t)["id"].(float64))
		if e := elig(badID); e["black_listed"] != true || e["maintenance_fund_applicant"] != false {
			t.Errorf("black-listed company: %v", e)
		}
		// The hire flag: a draft vote proposing to hire the barred company.
		hire := ordinaryItem("hire", "hire_dismiss_manager")
		hire["company_id"] = badID
		env.createVote(t, env.DemoToken("committee"), voteBody("civil-code-2021", hire))
		var flags []struct {
			ItemKey  string `json:"item_key"`
			Standing struct {
				CompanyID int64 `json:"company_id"`
				Barred    bool  `json:"barred"`
			} `json:"standing"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/hire-flags", env.Demo.EstateID), env.DemoToken("committee"), nil).JSON(t, &flags)
		if len(flags) != 1 || flags[0].ItemKey != "hire" || flags[0].Standing.CompanyID != badID || !flags[0].Standing.Barred {
			t.Errorf("hire flags: %+v", flags)
		}
		// Publish the month; the PDF is public and hashed.
		r = env.API("POST", fmt.Sprintf("/api/v1/districts/%d/credit-lists", district.ID), dist, map[string]any{"month": "2026-13"})
		if r.Status != 422 || !strings.Contains(string(r.Body), "month") {
			t.Errorf("bad month: %d %s", r.Status, r.Body)
		}
		r = env.API("POST", fmt.Sprintf("/api/v1/districts/%d/credit-lists", district.ID), dist, map[string]any{})
		if r.Status != 201 {
			t.Fatalf("publish lists: %d %s", r.Status, r.Body)
		}
		var pub struct {
			Number string `json:"number"`
			SHA256 string `json:"sha256"`
			Path   string `json:"path"`
		}
		r.JSON(t, &pub)
		pdf := env.Browser().Get(pub.Path)
		if pdf.Status != 200 || !strings.HasPrefix(string(pdf.Body), "%PDF-") {
			t.Fatalf("public list PDF: %d", pdf.Status)
		}
		h6SavePDF(t, "lists-"+env.DB.Dialect+".pdf", pdf.Body)
		// h12: the lists are an org-level document of the district, verifiable at /verify
		// like every estate document, and downloadable there by anyone.
		h12VerifyKind(t, env.Env, pub.Number, models.DocCreditList, "物业服务企业红黑榜")
		if v := env.Browser().Get("/verify/" + pub.Number); !strings.Contains(string(v.Body), `id="doc-issuer">`+district.Name) {
			t.Errorf("/verify does not name the issuing district %s", district.Name)
		}
		// Published again in the month: a new version that supersedes the first.
		again := env.API("POST", fmt.Sprintf("/api/v1/districts/%d/credit-lists", district.ID), dist, map[string]any{})
		var pub2 struct {
			Number string `json:"number"`
		}
		again.JSON(t, &pub2)
		if again.Status != 201 || pub2.Number != strings.TrimSuffix(pub.Number, "V1")+"V2" {
			t.Errorf("republication: %d %s (first %s)", again.Status, again.Body, pub.Number)
		}
		if v := env.Browser().Get("/verify/" + pub.Number); !strings.Contains(string(v.Body), `data-status="superseded"`) || !strings.Contains(string(v.Body), pub2.Number) {
			t.Errorf("/verify of the first publication does not say it was superseded by %s", pub2.Number)
		}
		var listDoc models.Document
		if err := env.DB.DB.Where("doc_number = ?", pub.Number).Take(&listDoc).Error; err != nil {
			t.Fatalf("the list document: %v", err)
		}
		if listDoc.EstateID != 0 || listDoc.OrgID == nil || *listDoc.OrgID != district.ID {
			t.Errorf("the list document belongs to estate %d, org %v; want the district %d", listDoc.EstateID, listDoc.OrgID, district.ID)
		}
		if dl := env.Browser().Get("/verify/" + pub.Number + "/download"); dl.Status != 200 || string(dl.Body) != string(pdf.Body) {
			t.Errorf("download through /verify: %d, identical %v", dl.Status, string(dl.Body) == string(pdf.Body))
		}
		text := pdfToText(t, pdf.Body)
		for _, want := range []string{"物业服务企业红黑榜", "红榜（1 家）", "黑榜（1 家）", "示范物业服务有限公司", "劣质物业管理有限公司", "91110000MA01234567", pub.Number} {
			if !strings.Contains(text, want) {
				t.Errorf("list PDF lacks %q:\n%s", want, text)
			}
		}
		var lists struct {
			Red   []map[string]any `json:"red"`
			Black []map[string]any `json:"black"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/districts/%d/credit-lists", district.ID), "", nil).JSON(t, &lists)
		if len(lists.Red) != 1 || len(lists.Black) != 1 || lists.Black[0]["grade"] != "D" {
			t.Errorf("public lists: %+v", lists)
		}
		page := env.Browser().Get(fmt.Sprintf("/credit-lists/%d", district.ID))
		if page.Status != 200 || !strings.Contains(string(page.Body), "劣质物业管理有限公司") || !strings.Contains(string(page.Body), pub.SHA256) {
			t.Errorf("public list page: %d", page.Status)
		}
		// Removal from the black list: eligibility follows the grade again (still D).
		if r := env.API("POST", fmt.Sprintf("/api/v1/credit-list-entries/%d/removal", blackEntry), dist, map[string]any{"reason": "已整改", "removed_on": "2020-01-01"}); r.Status != 422 || !strings.Contains(string(r.Body), "removed_on") {
			t.Errorf("removal before listing: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/credit-list-entries/%d/removal", blackEntry), dist, map[string]any{"reason": "已整改"}); r.Status != 200 {
			t.Errorf("removal: %d %s", r.Status, r.Body)
		}
		if e := elig(badID); e["black_listed"] != false || e["maintenance_fund_applicant"] != false {
			t.Errorf("after removal: %v", e)
		}
	})
}

// TestPropertyPublicIncomeDisclosure: the committee publishes the year's public income per
// item in integer fen on the estate's board with a verifiable PDF; bad input names its field.
func TestPropertyPublicIncomeDisclosure(t *testing.T) {
	h6Each(t, func(t *testing.T, env *voteEnv) {
		env.Clock.Set(time.Date(2026, 1, 20, 2, 0, 0, 0, time.UTC))
		tok := env.DemoToken("committee")
		path := fmt.Sprintf("/api/v1/estates/%d/public-income", env.Demo.EstateID)
		lines := []map[string]any{{"item": "电梯广告", "income_fen": 3600000, "spending_fen": 120000},
			{"item": "地面停车", "income_fen": 8800050, "spending_fen": 2500000}}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"year": 2030, "lines": lines}, "year"},
			{map[string]any{"year": 2025}, "lines"},
			{map[string]any{"year": 2025, "lines": []map[string]any{{"item": "广告", "income_fen": -1}}}, "lines[0].income_fen"},
			{map[string]any{"year": 2025, "lines": []map[string]any{{"item": "", "income_fen": 1}}}, "lines[0].item"},
		} {
			if r := env.API("POST", path, tok, c.body); r.Status != 422 || !strings.Contains(string(r.Body), c.field) {
				t.Errorf("disclosure %v: %d %s", c.body, r.Status, r.Body)
			}
		}
		if r := env.API("POST", path, tok, map[string]any{"year": 2025, "lines": []map[string]any{{"item": "广告", "income_fen": 10.5}}}); r.Status < 400 || r.Status >= 500 {
			t.Errorf("fractional fen: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", path, env.DemoToken("auditor"), map[string]any{"year": 2025, "lines": lines}); r.Status != 403 {
			t.Errorf("auditor discloses: %d", r.Status)
		}
		r := env.API("POST", path, tok, map[string]any{"year": 2025, "lines": lines})
		if r.Status != 201 {
			t.Fatalf("disclose: %d %s", r.Status, r.Body)
		}
		var d struct {
			IncomeFen      int64  `json:"income_fen"`
			SpendingFen    int64  `json:"spending_fen"`
			DocumentNumber string `json:"document_number"`
		}
		r.JSON(t, &d)
		if d.IncomeFen != 12400050 || d.SpendingFen != 2620000 {
			t.Errorf("totals: %+v", d)
		}
		if r := env.API("POST", path, tok, map[string]any{"year": 2025, "lines": lines}); r.Status != 409 {
			t.Errorf("second disclosure of a year: %d", r.Status)
		}
		board := env.Browser().Get(fmt.Sprintf("/public/estates/%d", env.Demo.EstateID))
		if !strings.Contains(string(board.Body), "2025 年度公共收益收支情况公示") || !strings.Contains(string(board.Body), "124000.50") {
			t.Errorf("the board does not show the disclosure: %d", board.Status)
		}
		pdf := env.Browser().Get("/verify/" + d.DocumentNumber + "/download")
		if pdf.Status != 200 {
			t.Fatalf("public download: %d", pdf.Status)
		}
		h6SavePDF(t, "income-"+env.DB.Dialect+".pdf", pdf.Body)
		h12VerifyKind(t, env.Env, d.DocumentNumber, models.DocPublicIncome, "公共收益年度公示")
		text := pdfToText(t, pdf.Body)
		for _, want := range []string{"公共收益收支情况公示", "电梯广告", "36000.00", "88000.50", "124000.50", "63000.50", "97800.50"} {
			if !strings.Contains(text, want) {
				t.Errorf("disclosure PDF lacks %q:\n%s", want, text)
			}
		}
	})
}

// h6SweepSeed adds the objects of issue 13's second half to the roles sweep's seed: a
// company with a contract of the seeded estate, a black-list entry, and a termination
// (by the published vote, written directly) with its open handover and checklist.
func h6SweepSeed(t *testing.T, env *voteEnv, ids *swIDs) {
	t.Helper()
	company, contract := h6Company(t, env, "巡检物业服务有限公司", "91110000SWEEP00001", 60)
	ids.company, ids.contract = company, contract
	var district models.Org
	if err := env.DB.DB.Where("kind = ?", models.OrgDistrict).Order("id").First(&district).Error; err != nil {
		t.Fatal(err)
	}
	ids.district = district.ID
	now := time.Now().UTC()
	entry := models.CreditListEntry{DistrictID: district.ID, CompanyID: company, ListKind: models.CreditListBlack, ListedOn: "2026-01-05",
		Reasons: "巡检", CreatedAt: now, UpdatedAt: now}
	if err := env.DB.DB.Create(&entry).Error; err != nil {
		t.Fatal(err)
	}
	ids.listEntry = entry.ID
	tm := models.ContractTermination{ContractID: contract, EstateID: ids.estate, CompanyID: company, VoteID: ids.done, ItemKey: "dismiss",
		Origin: models.DismissalByCommittee, ServedOn: "2026-04-01", NoticeDays: 60, TerminatedOn: "2026-05-31", CreatedAt: now}
	if err := env.DB.DB.Create(&tm).Error; err != nil {
		t.Fatal(err)
	}
	ids.termination = tm.ID
	h := models.Handover{TerminationID: tm.ID, EstateID: ids.estate, ContractID: contract, CompanyID: company, Receiver: models.ReceiverCommittee,
		ReceiverName: "业主委员会", DueOn: "2026-06-30", Status: models.HandoverOpen, CreatedAt: now, UpdatedAt: now}
	if err := env.DB.DB.Create(&h).Error; err != nil {
		t.Fatal(err)
	}
	ids.handover = h.ID
	item := models.HandoverItem{HandoverID: h.ID, Position: 1, Kind: "premises", Label: "物业服务用房", Status: models.ItemPending}
	if err := env.DB.DB.Create(&item).Error; err != nil {
		t.Fatal(err)
	}
	ids.handoverItem = item.ID
}

// h6FinalDismissal runs a dismissal vote of the contract to its final result (every voter
// agrees online) and returns the vote's id; the clock ends ten days after closing.
func h6FinalDismissal(t *testing.T, env *voteEnv, contractID int64) int64 {
	t.Helper()
	tok := env.DemoToken("committee")
	item := ordinaryItem("dismiss", "hire_dismiss_manager")
	item["contract_id"] = contractID
	voteID := env.openDemoVote(t, tok, item)
	creds := env.credentials(t, tok, voteID)
	answers := idChecks(t)
	done := map[string]bool{}
	for room, c := range creds {
		if !done[c.Token] {
			done[c.Token] = true
			if r := env.cast(c.Token, answers[room], map[string]any{"dismiss": "agree"}); r.Status != 201 {
				t.Fatalf("cast: %d %s", r.Status, r.Body)
			}
		}
	}
	env.Clock.Set(voteCloses().Add(24 * time.Hour))
	if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/publish", voteID), tok, nil); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	env.Clock.Set(voteCloses().AddDate(0, 0, 11))
	if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/finalise", voteID), tok, nil); r.Status != 200 {
		t.Fatalf("finalise: %d %s", r.Status, r.Body)
	}
	return voteID
}

// TestPropertyWebPages: the committee terminates from the estate's property page, works
// the checklist on its page (a forged confirmation by another party is refused naming
// confirmed_by), the company's refusal and the overdue handover are flagged on the
// street office's and the district's handovers page, and every page renders in Chinese
// and in English.
func TestPropertyWebPages(t *testing.T) {
	h6Each(t, func(t *testing.T, env *voteEnv) {
		companyID, contractID := h6Company(t, env, "示范物业服务有限公司", "91110000600037341L", 45)
		voteID := h6FinalDismissal(t, env, contractID)
		b := env.Browser()
		pw := ""
		for _, a := range env.Demo.Accounts {
			if a.Username == "committee" {
				pw = a.Password
			}
		}
		b.Login("committee", pw)
		page := fmt.Sprintf("/estates/%d/stewardship", env.Demo.EstateID)
		if r := b.Get(page); r.Status != 200 || !strings.Contains(string(r.Body), "出具解除合同通知书") ||
			!strings.Contains(string(r.Body), fmt.Sprintf(`<option value="%d">`, voteID)) {
			t.Fatalf("property page: %d", r.Status)
		}
		r := b.Submit(page, fmt.Sprintf("/contracts/%d/termination", contractID), url.Values{"vote_id": {"abc"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), "vote_id") {
			t.Errorf("bad vote id: %d", r.Status)
		}
		r = b.Submit(page, fmt.Sprintf("/contracts/%d/termination", contractID), url.Values{"vote_id": {fmt.Sprint(voteID)}, "origin": {"committee"}, "receiver": {"committee"}})
		if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/handovers/") {
			t.Fatalf("terminate: %d %s", r.Status, r.Body)
		}
		hpage := r.Header.Get("Location")
		var tm models.ContractTermination
		env.DB.DB.Where("contract_id = ?", contractID).First(&tm)
		if n := b.Get(fmt.Sprintf("/terminations/%d/notice.pdf", tm.ID)); n.Status != 200 || !strings.HasPrefix(string(n.Body), "%PDF-") ||
			!strings.Contains(pdfToText(t, n.Body), "45 日") {
			t.Errorf("notice download from the page: %d", n.Status)
		}
		body := string(b.Get(hpage).Body)
		if !strings.Contains(body, "交接清单") || !strings.Contains(body, "物业服务用房") || !strings.Contains(body, "8 项待交接") {
			t.Fatalf("checklist page: %s", body)
		}
		var h models.Handover
		env.DB.DB.Where("contract_id = ?", contractID).First(&h)
		if h.DueOn != "2026-06-18" {
			t.Errorf("due on %s (45 days' notice + 30)", h.DueOn)
		}
		var items []models.HandoverItem
		env.DB.DB.Where("handover_id = ?", h.ID).Order("position").Find(&items)
		forged := url.Values{"status": {"handed"}, "confirmed_by": {"new_company"}, "confirmer_name": {"王经理"}}
		r = b.Submit(hpage, fmt.Sprintf("%s/items/%d", hpage, items[0].ID), forged)
		if r.Status != 422 || !strings.Contains(string(r.Body), "confirmed_by") {
			t.Errorf("forged confirmation: %d", r.Status)
		}
		ok := url.Values{"status": {"handed"}, "confirmed_by": {"committee"}, "confirmer_name": {"李主任"}}
		if r := b.Submit(hpage, fmt.Sprintf("%s/items/%d", hpage, items[0].ID), ok); r.Status != 303 {
			t.Errorf("confirm: %d %s", r.Status, r.Body)
		}
		money := url.Values{"status": {"handed"}, "confirmed_by": {"committee"}, "confirmer_name": {"李主任"}, "accounts": {"预收物业费, 1234.5\n车位费，0.07"}}
		if r := b.Submit(hpage, fmt.Sprintf("%s/items/%d", hpage, items[6].ID), money); r.Status != 303 {
			t.Errorf("money item: %d %s", r.Status, r.Body)
		}
		var accounts []models.HandoverAccount
		env.DB.DB.Where("item_id = ?", items[6].ID).Order("position").Find(&accounts)
		if len(accounts) != 2 || accounts[0].AmountFen != 123450 || accounts[1].AmountFen != 7 {
			t.Errorf("accounts in fen: %+v", accounts)
		}
		if r := b.Submit(hpage, fmt.Sprintf("%s/items/%d", hpage, items[6].ID), url.Values{"status": {"handed"}, "confirmed_by": {"committee"},
			"confirmer_name": {"李主任"}, "accounts": {"预收物业费, 12.345"}}); r.Status != 422 {
			t.Errorf("three decimals: %d", r.Status)
		}
		if r := b.Submit(hpage, hpage+"/items", url.Values{"label": {"电梯年检报告"}}); r.Status != 303 {
			t.Errorf("add an item: %d %s", r.Status, r.Body)
		}
		if page := string(b.Get(hpage).Body); !strings.Contains(page, "电梯年检报告") || !strings.Contains(page, "7 项待交接") {
			t.Errorf("the added item is not on the checklist")
		}
		if r := b.Submit(hpage, hpage+"/refusal", url.Values{"note": {"物业拒绝移交钥匙"}}); r.Status != 303 {
			t.Errorf("refusal: %d %s", r.Status, r.Body)
		}
		// The street office and the district see it flagged.
		for _, name := range []string{"street", "district"} {
			sb := env.Browser()
			for _, a := range env.Demo.Accounts {
				if a.Username == name {
					sb.Login(name, a.Password)
				}
			}
			list := string(sb.Get("/handovers").Body)
			if !strings.Contains(list, "拒绝交接") || !strings.Contains(list, "示范物业服务有限公司") {
				t.Errorf("%s's handovers page lacks the flag", name)
			}
		}
		other := env.Browser()
		for _, a := range env.Demo.Accounts {
			if a.Username == "street2" {
				other.Login("street2", a.Password)
			}
		}
		if strings.Contains(string(other.Get("/handovers").Body), "示范物业服务有限公司") {
			t.Errorf("another street sees the handover")
		}
		// Overdue: past the due date the page says so.
		env.Clock.Set(time.Date(2026, 6, 19, 2, 0, 0, 0, time.UTC))
		var list []map[string]any
		env.API("GET", "/api/v1/handovers", env.DemoToken("street"), nil).JSON(t, &list)
		if len(list) != 1 || list[0]["overdue"] != true || list[0]["escalated"] != true {
			t.Errorf("overdue: %v", list)
		}
		// Every page in both languages.
		for _, p := range []string{page, hpage, fmt.Sprintf("/companies/%d/credit", companyID), "/handovers"} {
			zh := b.Get(p)
			en := b.Get("/lang?to=en&back=" + url.QueryEscape(p))
			if zh.Status != 200 || (en.Status != 200 && en.Status != 303) {
				t.Errorf("%s: %d / %d", p, zh.Status, en.Status)
			}
			en = b.Get(p)
			if en.Status != 200 || !strings.Contains(string(en.Body), `lang="en"`) {
				t.Errorf("%s in English: %d", p, en.Status)
			}
			if p == hpage && (!strings.Contains(string(en.Body), "Service premises") || strings.Contains(string(en.Body), "物业服务用房")) {
				t.Errorf("the English checklist shows Chinese item names")
			}
			b.Get("/lang?to=zh-CN&back=/")
		}
		anon := env.Browser()
		if r := anon.Get("/credit-lists"); r.Status != 200 || !strings.Contains(string(r.Body), "示范区") {
			t.Errorf("public lists index: %d", r.Status)
		}
	})
}
