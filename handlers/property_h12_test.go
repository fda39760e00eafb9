package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/property"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// h12SaveHTML keeps a page under H12_HTML_DIR (when set) for looking at it in a browser.
func h12SaveHTML(t *testing.T, name string, body []byte) {
	t.Helper()
	if dir := os.Getenv("H12_HTML_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, name+".html"), body, 0o644)
	}
}

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
			"ordered_at": "2026-02-25T10:00:00+08:00", "deadline": "2026-03-10", "text": "限期恢复电梯运行"}), "order")
		env.API("GET", "/api/v1/exit-cases", street, nil).JSON(t, &cases)
		if len(cases) != 0 {
			t.Fatalf("an exit case while the order runs: %+v", cases)
		}
		prWant(t, env.API("POST", fmt.Sprintf("/api/v1/rectifications/%d/outcome", order), street,
			map[string]any{"outcome": "refused", "at": "2026-03-01T10:00:00+08:00"}), 200, "refused")
		check := prWant(t, env.API("GET", fmt.Sprintf("/api/v1/estates/%d/exit-check", estate), street, nil), 200, "exit check")
		if check["triggered"] != true || check["verified_distinct_complainants"] != float64(21) || check["refused_rectification"] != true {
			t.Fatalf("exit check: %v", check)
		}
		env.API("GET", "/api/v1/exit-cases", street, nil).JSON(t, &cases)
		if len(cases) != 1 || cases[0].EstateID != estate || cases[0].CompanyID != company {
			t.Fatalf("exit cases: %+v", cases)
		}
		exitCase := cases[0].ID
		var evidence struct {
			Evidence struct {
				Rectifications []struct {
					ID      int64  `json:"id"`
					Outcome string `json:"outcome"`
				} `json:"rectifications"`
				Complaints []struct {
					Masked string `json:"complainant_masked"`
				} `json:"complaints"`
			} `json:"evidence"`
		}
		var raw []json.RawMessage
		env.API("GET", "/api/v1/exit-cases", street, nil).JSON(t, &raw)
		if err := json.Unmarshal(raw[0], &evidence); err != nil {
			t.Fatal(err)
		}
		if ev := evidence.Evidence; len(ev.Complaints) != 21 || len(ev.Rectifications) != 1 || ev.Rectifications[0].ID != order || ev.Rectifications[0].Outcome != "refused" {
			t.Errorf("the case's evidence: %+v", ev)
		}
		// The street office's home page shows the case; its page links to the dismissal.
		home := env.Browser()
		home.Login("street", "Demo2026street")
		h12SaveHTML(t, "home-"+env.DB.Dialect, home.Get("/").Body)
		h12SaveHTML(t, "exit-cases-"+env.DB.Dialect, home.Get("/exit-cases").Body)
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

// h12Multipart posts the public complaint form with files (field "files") and the CSRF
// token of the form page, as the owner's browser does.
func h12Multipart(t *testing.T, env *handlertest.Env, b *handlertest.Browser, estate int64, fields url.Values, files map[string][]byte, withCSRF bool) handlertest.Response {
	t.Helper()
	page := fmt.Sprintf("/public/estates/%d/complaint", estate)
	csrf := b.CSRF(page)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if withCSRF {
		_ = mw.WriteField("_csrf", csrf)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fw, err := mw.CreateFormFile("files", n)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(files[n])
	}
	_ = mw.Close()
	req := httptest.NewRequest("POST", page, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Cookie", strings.TrimSpace(strings.TrimPrefix(b.CookieHeader(), "Cookie: ")))
	req.Header.Set("Accept", "text/html")
	return env.Do(req)
}

// TestPropertyPublicComplaintAttachments: an owner attaches photos or a PDF to the
// public complaint form (no sign-in) within the anonymous bounds (3 files, 2 MB each,
// photo or PDF by content); more files, a larger file, another type or a missing CSRF
// token are refused naming "files" (or 403) with nothing stored. The complainant's
// number is never in the router's log, the database or the pages.
func TestPropertyPublicComplaintAttachments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		var logs bytes.Buffer
		env := handlertest.Build(t, db, handlertest.Options{Log: &logs})
		env.Clock.Set(time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC))
		street := env.DemoToken("street")
		estate := env.Demo.EstateID
		prCompanyServing(t, env, street, estate)
		const phone = "13912340987"
		owner := env.Browser()
		fields := url.Values{"complainant": {phone}, "category": {"电梯"}, "text": {"电梯困人，附照片"}}
		pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
		big := append(swPNG(t), bytes.Repeat([]byte{0}, property.MaxPublicAttachment)...)
		before := prCount(t, env, "complaints")
		for name, c := range map[string]struct {
			files map[string][]byte
			csrf  bool
			want  int
		}{
			"four files":   {map[string][]byte{"a.png": swPNG(t), "b.png": swPNG(t), "c.png": swPNG(t), "d.png": swPNG(t)}, true, 422},
			"a large file": {map[string][]byte{"big.png": big}, true, 422},
			"a text file":  {map[string][]byte{"note.txt": []byte("just text, not a photo")}, true, 422},
			"no CSRF":      {map[string][]byte{"a.png": swPNG(t)}, false, 403},
		} {
			r := h12Multipart(t, env, owner, estate, fields, c.files, c.csrf)
			if r.Status != c.want || (c.want == 422 && !strings.Contains(string(r.Body), "files")) {
				t.Errorf("%s: %d, want %d", name, r.Status, c.want)
			}
		}
		if n := prCount(t, env, "complaints"); n != before || prCount(t, env, "complaint_attachments") != 0 {
			t.Fatalf("a refused form stored something: %d complaints (before %d)", n, before)
		}
		r := h12Multipart(t, env, owner, estate, fields, map[string][]byte{"现场.png": swPNG(t), "报修单.pdf": pdf}, true)
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/c/") {
			t.Fatalf("public complaint with files: %d %s", r.Status, r.Body)
		}
		var id int64
		env.DB.DB.Raw("SELECT MAX(id) FROM complaints").Scan(&id)
		var atts []struct {
			Filename    string
			ContentType string
			SizeBytes   int
		}
		env.DB.DB.Raw("SELECT filename, content_type, size_bytes FROM complaint_attachments WHERE complaint_id = ? ORDER BY id", id).Scan(&atts)
		if len(atts) != 2 || atts[0].ContentType != "application/pdf" && atts[1].ContentType != "application/pdf" {
			t.Fatalf("attachments: %+v", atts)
		}
		// Staff see them on the complaint and may download them.
		staff := env.Browser()
		prLogin(t, env, staff, "street")
		page := staff.Get(fmt.Sprintf("/complaints/%d", id))
		if page.Status != 200 || !strings.Contains(string(page.Body), "现场.png") || !strings.Contains(string(page.Body), "报修单.pdf") {
			t.Errorf("the complaint page does not list the owner's files: %d", page.Status)
		}
		// The plain form (no files) still works.
		if r := owner.Submit(fmt.Sprintf("/public/estates/%d/complaint", estate), fmt.Sprintf("/public/estates/%d/complaint", estate), fields); r.Status != http.StatusSeeOther {
			t.Errorf("the form without files: %d", r.Status)
		}
		for _, where := range []struct{ name, text string }{{"log", logs.String()}, {"database", prDump(t, env)}, {"page", string(page.Body)}} {
			if strings.Contains(where.text, phone) || strings.Contains(where.text, "139 1234") {
				t.Errorf("the %s holds the complainant's number in clear", where.name)
			}
		}
		if !strings.Contains(logs.String(), "/public/estates/") {
			t.Errorf("the log capture saw no request (is the access log written?)")
		}
	})
}

// TestPropertyRevisitLedger: the revisit ledger (回访台账) lists every revisit of a
// resolved complaint and the resolved complaints still waiting for one, by page and by
// API, with the complainant masked; another street office sees none of it.
func TestPropertyRevisitLedger(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.New(t, db)
		env.Clock.Set(time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC))
		tok := env.DemoToken("street")
		estate := env.Demo.EstateID
		prCompanyServing(t, env, tok, estate)
		file := func(phone, text string) int64 {
			id := prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/complaints", estate), tok, map[string]any{
				"complainant": phone, "received_at": "2026-06-29T09:00:00+08:00", "source": "phone", "text": text}), "complaint")
			for _, ev := range []struct{ kind, at string }{{"responded", "2026-06-29T09:10:00+08:00"}, {"first_result", "2026-06-29T11:00:00+08:00"}, {"resolved", "2026-06-30T10:00:00+08:00"}} {
				prWant(t, env.API("POST", fmt.Sprintf("/api/v1/complaints/%d/events", id), tok, map[string]any{"kind": ev.kind, "at": ev.at}), 200, ev.kind)
			}
			return id
		}
		revisited := file("13911112222", "楼道漏水")
		waiting := file("13933334444", "路灯不亮")
		prWant(t, env.API("POST", fmt.Sprintf("/api/v1/complaints/%d/events", revisited), tok,
			map[string]any{"kind": "revisited", "at": "2026-07-01T09:00:00+08:00", "note": "业主表示满意"}), 200, "revisit")
		var l struct {
			Revisits []struct {
				ComplaintID int64  `json:"complaint_id"`
				Mask        string `json:"complainant_masked"`
				Note        string `json:"note"`
			} `json:"revisits"`
			Pending []struct {
				ComplaintID int64 `json:"complaint_id"`
			} `json:"pending"`
		}
		r := env.API("GET", "/api/v1/revisits", tok, nil)
		r.JSON(t, &l)
		if len(l.Revisits) != 1 || l.Revisits[0].ComplaintID != revisited || l.Revisits[0].Mask != "139****2222" || l.Revisits[0].Note != "业主表示满意" ||
			len(l.Pending) != 1 || l.Pending[0].ComplaintID != waiting {
			t.Errorf("ledger: %s", r.Body)
		}
		prField(t, env.API("GET", "/api/v1/revisits?estate_id=x", tok, nil), 422, "estate_id", "a bad estate id")
		staff := env.Browser()
		prLogin(t, env, staff, "street")
		page := staff.Get("/revisits")
		h12SaveHTML(t, "revisits-"+env.DB.Dialect, page.Body)
		body := string(page.Body)
		if page.Status != 200 || !strings.Contains(body, "回访台账") || !strings.Contains(body, "业主表示满意") || !strings.Contains(body, "139****4444") ||
			strings.Contains(body, "13911112222") || strings.Contains(body, "13933334444") {
			t.Errorf("ledger page: %d", page.Status)
		}
		if list := staff.Get("/complaints"); !strings.Contains(string(list.Body), `href="/revisits"`) {
			t.Errorf("the complaint list does not link the ledger")
		}
		var other struct {
			Revisits []any `json:"revisits"`
			Pending  []any `json:"pending"`
		}
		env.API("GET", "/api/v1/revisits", env.DemoToken("street2"), nil).JSON(t, &other)
		if len(other.Revisits)+len(other.Pending) != 0 {
			t.Errorf("another street office sees the ledger: %+v", other)
		}
	})
}

// TestPropertyTalksAndNoticesInCreditFile: warning talks (约谈) and public notices (通报)
// enter the company's file beside its contracts, complaints and orders; a bad kind or
// an empty text is 422 naming the field with nothing stored; a committee may not.
func TestPropertyTalksAndNoticesInCreditFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.New(t, db)
		env.Clock.Set(time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC))
		tok := env.DemoToken("street")
		company := prCompanyServing(t, env, tok, env.Demo.EstateID)
		path := fmt.Sprintf("/api/v1/companies/%d/credit-entries", company)
		prField(t, env.API("POST", path, tok, map[string]any{"kind": "fine", "at": "2026-06-30T10:00:00+08:00", "text": "x"}), 422, "kind", "bad kind")
		prField(t, env.API("POST", path, tok, map[string]any{"kind": "talk", "at": "2026-06-30T10:00:00+08:00", "text": " "}), 422, "text", "no text")
		if n := prCount(t, env, "company_credit_entries"); n != 0 {
			t.Fatalf("refused entries stored: %d", n)
		}
		if r := env.API("POST", path, env.DemoToken("committee"), map[string]any{"kind": "talk", "at": "2026-06-30T10:00:00+08:00", "text": "约谈"}); r.Status != 403 {
			t.Errorf("a committee records a talk: %d", r.Status)
		}
		prID(t, env.API("POST", path, tok, map[string]any{"kind": "talk", "at": "2026-06-30T10:00:00+08:00", "text": "约谈项目经理：电梯维保不到位", "estate_id": env.Demo.EstateID}), "talk")
		prID(t, env.API("POST", path, tok, map[string]any{"kind": "notice", "at": "2026-06-30T15:00:00+08:00", "text": "通报批评：拒不整改"}), "notice")
		staff := env.Browser()
		prLogin(t, env, staff, "street")
		page := string(staff.Get(fmt.Sprintf("/companies/%d", company)).Body)
		for _, want := range []string{"约谈项目经理：电梯维保不到位", "通报批评：拒不整改"} {
			if !strings.Contains(page, want) {
				t.Errorf("the company file lacks %q", want)
			}
		}
	})
}

// TestH12CatalogueKeysMatch: the h12 catalogues carry the same keys in both languages.
func TestH12CatalogueKeysMatch(t *testing.T) {
	read := func(name string) map[string]string {
		b, err := os.ReadFile("../views/i18n/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	zh, en := read("h12.zh-CN.json"), read("h12.en.json")
	for k := range zh {
		if en[k] == "" {
			t.Errorf("%s missing in English", k)
		}
	}
	for k := range en {
		if zh[k] == "" {
			t.Errorf("%s missing in Chinese", k)
		}
	}
}
