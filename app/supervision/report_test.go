package supervision_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/app/testkit"
	"gongzhi/app/testkit/pdfcheck"
	"gongzhi/models"
)

// now is Wednesday 2026-06-10 10:00 Beijing time.
var now = testkit.Shanghai(2026, 6, 10, 10, 0)

func ptr[T any](v T) *T { return &v }

// seed gives an estate a formed committee whose chair election is overdue and an open
// complaint received 10 days ago (past every 三三三 stage).
func seed(t *testing.T, e *testkit.Env, estateID int64, tag string) int64 {
	t.Helper()
	at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	c := models.Committee{EstateID: estateID, Status: models.CommitteeFormed, Seats: 5, MinMembers: 5, AlternatesMax: 2, FirstElectedAt: at(-240),
		FormedAt: ptr(at(-240)), ChairElectBy: ptr(at(-47)), ProfileCode: "national", ProfileVersion: "t", CreatedAt: at(-240), UpdatedAt: at(-240)}
	if err := e.DB.DB.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	co := models.PropertyCompany{Name: "物业" + tag, USCC: "91110000MA00" + tag + "XXXX", RegisteredByOrgID: 1, CreatedAt: at(-9000), UpdatedAt: at(-9000)}
	if err := e.DB.DB.Create(&co).Error; err != nil {
		t.Fatal(err)
	}
	complain(t, e, estateID, co.ID, tag)
	return co.ID
}

func complain(t *testing.T, e *testkit.Env, estateID, companyID int64, tag string) {
	t.Helper()
	at := now.Add(-240 * time.Hour)
	cp := models.Complaint{EstateID: estateID, CompanyID: companyID, Source: "phone", Category: "other", Body: "漏水", ComplainantHash: "h" + tag + at.String(),
		ReceivedAt: at, Cycle: 1, CycleStartedAt: at, CreatedAt: at, UpdatedAt: at}
	if err := e.DB.DB.Create(&cp).Error; err != nil {
		t.Fatal(err)
	}
}

func TestMonthlyReport(t *testing.T) {
	pdfcheck.RequireTools(t)
	testkit.Each(t, func(t *testing.T, e *testkit.Env) {
		tr := testkit.NewTree(t, e.Svc.Orgs, e.Svc.Auth, []testkit.TreeEstate{{Name: "甲小区", Community: "communityA1"}, {Name: "乙小区", Community: "communityB1"}},
			[]testkit.TreeUser{{Name: "rp-street-a", Role: app.RoleStreet, Org: "streetA"}, {Name: "rp-community", Role: app.RoleCommunity, Org: "communityA1"}},
			"Pass-word-2026")
		e.Clock.Set(now)
		coA := seed(t, e, tr.Estate["甲小区"], "A")
		seed(t, e, tr.Estate["乙小区"], "B")
		street := e.Principal(t, "rp-street-a")
		rs := e.Svc.Reports

		f, created, err := rs.Generate(e.Ctx, street, tr.Org["streetA"], "2026-06")
		if err != nil {
			t.Fatal(err)
		}
		if !created || f.Version != 1 || f.Kind != models.DocSupervision || f.OrgID != tr.Org["streetA"] || !strings.HasPrefix(f.Number, "GZ-2026-") ||
			!strings.HasSuffix(f.Number, "-V1") || f.VerifyURL != testkit.PublicURL+"/verify/"+f.Number {
			t.Errorf("first report %+v", f)
		}
		path := pdfcheck.Save(t, "REPORT_PREVIEW_DIR", "report.pdf", f.Data)
		text := pdfcheck.Squeeze(pdfcheck.Text(t, path, 0))
		for _, want := range []string{"业主自治监督月报", "streetA", "2026年06月", "一、比率与目标", "业主委员会组建率", "二、与上月相比", "三、逾期事项",
			"甲小区", "选举主任", "投诉（三三三）", "四、逾期事项按类别", f.Number} {
			if !strings.Contains(text, pdfcheck.Squeeze(want)) {
				t.Errorf("report lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "乙小区") {
			t.Errorf("street A's report names 乙小区 of street B")
		}
		if qr := qrCodes(t, path); !slices.Contains(qr, testkit.PublicURL+"/verify/"+f.Number) {
			t.Errorf("QR %v, want the verification URL of %s", qr, f.Number)
		}

		// unchanged: the same version is served
		again, created, err := rs.Generate(e.Ctx, street, tr.Org["streetA"], "2026-06")
		if err != nil || created || again.Number != f.Number {
			t.Errorf("unchanged report: %v %+v", err, again)
		}
		// changed: a new version supersedes it, and verification says so
		complain(t, e, tr.Estate["甲小区"], coA, "A2")
		e.Clock.Set(now.Add(time.Hour))
		v2, created, err := rs.Generate(e.Ctx, street, tr.Org["streetA"], "2026-06")
		if err != nil || !created || v2.Version != 2 {
			t.Fatalf("changed report: %v %+v", err, v2)
		}
		ver, err := e.Svc.Documents.Verify(e.Ctx, nil, strings.ToLower(f.Number))
		if err != nil {
			t.Fatal(err)
		}
		if ver.Document.Status != models.DocSuperseded || ver.SupersededBy == nil || ver.SupersededBy.Number != v2.Number ||
			ver.Document.SHA256 != f.SHA256 || ver.CanDownload {
			t.Errorf("verification of v1: %+v", ver)
		}
		if _, err := e.Svc.Documents.Verify(e.Ctx, nil, "GZ-2099-999999-V1"); app.ErrorCode(err) != app.ENotFound {
			t.Errorf("unknown number: %v", err)
		}
		list, err := rs.Reports(e.Ctx, street, tr.Org["streetA"])
		if err != nil || len(list) != 2 || list[0].Month != "2026-06" || list[0].Number != v2.Number || list[1].Status != models.DocSuperseded {
			t.Errorf("reports of street A: %v %+v", err, list)
		}
		if _, err := rs.Reports(e.Ctx, street, tr.Org["streetB"]); app.ErrorCode(err) != app.ENotFound {
			t.Errorf("street A listing street B's reports: %v", err)
		}

		// jurisdiction and role
		if _, _, err := rs.Generate(e.Ctx, street, tr.Org["streetB"], "2026-06"); app.ErrorCode(err) != app.ENotFound {
			t.Errorf("street A reporting on street B: %v", err)
		}
		if _, err := rs.File(e.Ctx, e.Principal(t, "street2"), v2.Number); app.ErrorCode(err) != app.ENotFound {
			t.Errorf("demo street2 downloading street A's report: %v", err)
		}
		if _, _, err := rs.Generate(e.Ctx, e.Principal(t, "rp-community"), tr.Org["streetA"], "2026-06"); app.ErrorCode(err) != app.EForbidden {
			t.Errorf("community: %v", err)
		}
		for _, bad := range []string{"2026-13", "June", "2026-07"} {
			if _, _, err := rs.Generate(e.Ctx, street, tr.Org["streetA"], bad); app.ErrorCode(err) != app.EInvalid {
				t.Errorf("month %q: %v", bad, err)
			}
		}

		// the first of July: the worker issues June's report of every street office and
		// district that has none (street A has one), once, however often it runs
		e.Clock.Set(time.Date(2026, 7, 1, 0, 30, 0, 0, rules.Shanghai()))
		var orgs int64
		e.DB.DB.Model(&models.Org{}).Where("kind IN ?", []string{models.OrgStreet, models.OrgDistrict}).Count(&orgs)
		n, err := rs.IssueDue(e.Ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != int(orgs)-1 {
			t.Errorf("issued %d reports, want %d (every street office and district but street A)", n, orgs-1)
		}
		if n, err := rs.IssueDue(e.Ctx); err != nil || n != 0 {
			t.Errorf("second run issued %d (%v), want 0", n, err)
		}
		// July's report compares with June's
		jul, _, err := rs.Generate(e.Ctx, street, tr.Org["streetA"], "2026-07")
		if err != nil {
			t.Fatal(err)
		}
		jp := pdfcheck.Save(t, "REPORT_PREVIEW_DIR", "report-july.pdf", jul.Data)
		if jt := pdfcheck.Squeeze(pdfcheck.Text(t, jp, 0)); !strings.Contains(jt, "上月报告："+v2.Number) {
			t.Errorf("July's report does not cite June's %s:\n%s", v2.Number, jt)
		}
	})
}

// qrCodes decodes the QR codes of every page of a PDF.
func qrCodes(t *testing.T, path string) []string {
	t.Helper()
	dir := t.TempDir()
	pdfcheck.Run(t, "pdftoppm", "-r", "150", "-mono", path, filepath.Join(dir, "page"))
	files, err := filepath.Glob(filepath.Join(dir, "page*.pbm"))
	if err != nil || len(files) == 0 {
		t.Fatalf("pdftoppm: %v %v", files, err)
	}
	var out []string
	for _, codes := range pdfcheck.DecodeQR(t, files, "--nodbus") {
		out = append(out, codes...)
	}
	return out
}
