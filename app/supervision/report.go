// Package supervision is the supervision side of street offices and districts (issue
// 15): rates against targets and, in report*.go, the monthly supervision report PDF
// (docs/worklist.md).
package supervision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/documents"
	"gongzhi/app/rules"
	"gongzhi/app/worklist"
	"gongzhi/models"
)

// ReportRate is one rate of the monthly report: Num of Den estates, against a target in
// basis points (TargetBP < 0: no target set).
type ReportRate struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	Num      int    `json:"num"`
	Den      int    `json:"den"`
	TargetBP int    `json:"target_bp"`
}

// RatesSource gives the rates against targets of the principal's jurisdiction (the
// report's org) as of an instant: Service.ReportRates (report_rates.go), the rates
// against targets of the supervision pages.
type RatesSource interface {
	ReportRates(ctx context.Context, p app.Principal, asOf time.Time) ([]ReportRate, error)
}

// ReportSummary is what a report counts; the next month's report compares with it.
type ReportSummary struct {
	Rates   []ReportRate        `json:"rates"`
	Overdue int                 `json:"overdue"`
	DueSoon int                 `json:"due_soon"`
	ByKind  map[string]int      `json:"by_kind"` // overdue items by kind
	Open    worklist.OpenCounts `json:"open"`
}

// ReportService issues the monthly supervision report of a street office or district.
type ReportService struct {
	db    *gorm.DB
	work  *worklist.Service
	docs  *documents.Service
	rates RatesSource
	clock app.Clock
}

// NewReportService builds the service; rates nil uses FormationRates over f.
func NewReportService(db *gorm.DB, work *worklist.Service, docs *documents.Service, rates RatesSource, clock app.Clock) *ReportService {
	return &ReportService{db: db, work: work, docs: docs, rates: rates, clock: app.ClockOrSystem(clock)}
}

var monthRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// subject and code name a month's report of an org.
func subject(month string) string { return "supervision-report:" + month }
func code(month string) string    { return "SR" + month[:4] + month[5:] }

// prevMonth is the month before "YYYY-MM".
func prevMonth(month string) string {
	t, _ := time.Parse("2006-01", month)
	return t.AddDate(0, -1, 0).Format("2006-01")
}

// orgPrincipal is the system acting with the org's jurisdiction: what the report sees.
func orgPrincipal(o models.Org) app.Principal {
	role := app.RoleStreet
	if o.Kind == models.OrgDistrict {
		role = app.RoleDistrict
	}
	return app.Principal{Username: "system", Role: role, OrgID: o.ID, OrgPath: o.Path}
}

// reportOrg loads an org p may report on: a street office or district in p's
// jurisdiction (outside it: not found).
func (s *ReportService) reportOrg(ctx context.Context, p app.Principal, orgID int64) (models.Org, error) {
	if err := access.Require(p, access.SupervisionReport); err != nil {
		return models.Org{}, err
	}
	if orgID <= 0 {
		return models.Org{}, app.Invalid("org_id", app.M("err.supervision.choose_a_street_office_or_district"))
	}
	o, err := models.FindOrg(ctx, s.db, orgID)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !p.CoversOrgPath(o.Path)) {
		return models.Org{}, app.Fail(app.ENotFound, "err.supervision.org_not_found")
	}
	if err != nil {
		return models.Org{}, app.Internal(err)
	}
	if o.Kind != models.OrgStreet && o.Kind != models.OrgDistrict {
		return models.Org{}, app.Invalid("org_id", app.M("err.supervision.reports_are_per_street_office_or_district"))
	}
	return o, nil
}

// Generate issues (or serves, when nothing changed) the report of org for month
// ("YYYY-MM", not after the current month), on demand: p must hold
// access.SupervisionReport and cover the org.
func (s *ReportService) Generate(ctx context.Context, p app.Principal, orgID int64, month string) (documents.OrgFile, error) {
	o, err := s.reportOrg(ctx, p, orgID)
	if err != nil {
		return documents.OrgFile{}, err
	}
	if !monthRE.MatchString(month) {
		return documents.OrgFile{}, app.Invalid("month", app.M("err.supervision.month_must_be_yyyy_mm"))
	}
	if month > s.clock.Now().In(rules.Shanghai()).Format("2006-01") {
		return documents.OrgFile{}, app.Invalid("month", app.M("err.supervision.the_month_has_not_begun"))
	}
	return s.issue(ctx, p, o, month)
}

// Reports lists the reports of an org p may report on, newest first.
func (s *ReportService) Reports(ctx context.Context, p app.Principal, orgID int64) ([]documents.OrgFile, error) {
	o, err := s.reportOrg(ctx, p, orgID)
	if err != nil {
		return nil, err
	}
	var list []models.OrgRecord
	if err := s.db.WithContext(ctx).Select("id, org_id, subject, version, doc_number, title, sha256, size_bytes, superseded_at, created_at").
		Where("org_id = ? AND subject LIKE ?", o.ID, "supervision-report:%").Order("subject DESC, version DESC").Find(&list).Error; err != nil {
		return nil, app.Internal(err)
	}
	out := make([]documents.OrgFile, len(list))
	for i, r := range list {
		out[i] = documents.OrgFile{ID: r.ID, OrgID: r.OrgID, OrgName: o.Name, Subject: r.Subject, Number: r.DocNumber, Title: r.Title, Version: r.Version,
			SHA256: r.SHA256, Size: r.SizeBytes, CreatedAt: r.CreatedAt, SupersededAt: r.SupersededAt, InForce: r.SupersededAt == nil}
	}
	return out, nil
}

// File is a report's PDF by number, for staff covering its org.
func (s *ReportService) File(ctx context.Context, p app.Principal, number string) (documents.OrgFile, error) {
	if err := access.Require(p, access.SupervisionReport); err != nil {
		return documents.OrgFile{}, err
	}
	return s.docs.OrgReportFile(ctx, p, number)
}

// issue builds the report's content as of now and issues it through documents.
func (s *ReportService) issue(ctx context.Context, p app.Principal, o models.Org, month string) (documents.OrgFile, error) {
	view := orgPrincipal(o)
	now := s.clock.Now()
	week, err := s.work.Week(ctx, view)
	if err != nil {
		return documents.OrgFile{}, err
	}
	open, err := s.work.OpenCases(ctx, view)
	if err != nil {
		return documents.OrgFile{}, err
	}
	rates, err := s.rates.ReportRates(ctx, view, now)
	if err != nil {
		return documents.OrgFile{}, err
	}
	sum := ReportSummary{Rates: rates, Overdue: week.Overdue, DueSoon: week.DueSoon, ByKind: map[string]int{}, Open: open}
	var overdue []worklist.Item
	for _, it := range week.Items {
		if it.Overdue {
			sum.ByKind[it.Kind]++
			overdue = append(overdue, it)
		}
	}
	var last *ReportSummary
	lastNumber := ""
	if f, ok, err := s.docs.LatestOrgReport(ctx, o.ID, subject(prevMonth(month))); err != nil {
		return documents.OrgFile{}, err
	} else if ok {
		var ls ReportSummary
		if json.Unmarshal([]byte(f.Summary), &ls) == nil {
			last, lastNumber = &ls, f.Number
		}
	}
	summaryJSON, err := json.Marshal(sum)
	if err != nil {
		return documents.OrgFile{}, app.Internal(err)
	}
	day := now.In(rules.Shanghai()).Format(time.DateOnly)
	basis := fmt.Sprintf("%s|%s|%s|%s", o.Name, day, summaryJSON, lastNumber)
	for _, it := range overdue {
		basis += fmt.Sprintf("|%s/%d/%s", it.Kind, it.Ref, it.DueDay)
	}
	content := reportContent{Org: o, Month: month, Day: day, Summary: sum, Last: last, LastNumber: lastNumber, Overdue: overdue}
	return s.docs.IssueOrgReport(ctx, p, documents.OrgReportIssue{OrgID: o.ID, Subject: subject(month), Code: code(month),
		Title: fmt.Sprintf("%s %s 监督月报", o.Name, month), Basis: basis, Summary: string(summaryJSON),
		Build: func(number, verifyURL string) pdfRecord { return content.record(number, verifyURL) }})
}

// RunMonthly issues, once per month and org, the previous month's report of every
// street office and district: on the first of the month, or at the first check after
// it when no instance was running then. It is idempotent across instances: an org's
// month with a report is skipped, and two instances issuing the same version store it
// once (documents.IssueOrgReport).
func (s *ReportService) RunMonthly(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.IssueDue(ctx); err != nil {
			log.Error("monthly supervision reports", "error", err)
		} else if n > 0 {
			log.Info("monthly supervision reports issued", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// IssueDue issues the previous month's report of every street office and district that
// has none yet, as the system; it returns how many it issued.
func (s *ReportService) IssueDue(ctx context.Context) (int, error) {
	month := prevMonth(s.clock.Now().In(rules.Shanghai()).Format("2006-01"))
	var orgs []models.Org
	if err := s.db.WithContext(ctx).Where("kind IN ?", []string{models.OrgStreet, models.OrgDistrict}).Order("id").Find(&orgs).Error; err != nil {
		return 0, fmt.Errorf("listing orgs: %w", err)
	}
	n := 0
	for _, o := range orgs {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		if _, ok, err := s.docs.LatestOrgReport(ctx, o.ID, subject(month)); err != nil {
			return n, err
		} else if ok {
			continue
		}
		f, err := s.issue(ctx, app.System(), o, month)
		if err != nil {
			return n, fmt.Errorf("report of org %d: %w", o.ID, err)
		}
		if f.Created {
			n++
		}
	}
	return n, nil
}

// ReportOrgs lists the street offices and districts p may report on: its own node and
// those below it (the admin: all), by path.
func (s *ReportService) ReportOrgs(ctx context.Context, p app.Principal) ([]models.Org, error) {
	if err := access.Require(p, access.SupervisionReport); err != nil {
		return nil, err
	}
	prefix := p.OrgPath
	if p.IsAdmin() {
		prefix = ""
	}
	list, err := models.OrgsUnder(ctx, s.db, prefix)
	if err != nil {
		return nil, app.Internal(err)
	}
	out := []models.Org{}
	for _, o := range list {
		if (o.Kind == models.OrgStreet || o.Kind == models.OrgDistrict) && p.CoversOrgPath(o.Path) {
			out = append(out, o)
		}
	}
	return out, nil
}

// Month is the current month in Beijing, "YYYY-MM": the default of the on-demand form.
func (s *ReportService) Month() string { return s.clock.Now().In(rules.Shanghai()).Format("2006-01") }
