// Package supervision is the supervision side of street offices and districts (issue
// 15): rates against targets and, in report*.go, the monthly supervision report PDF
// (docs/worklist.md).
package supervision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
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
	Month   string              `json:"month"`
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

// subject names a month's report of an org: its document series (kind supervision).
func subject(orgID int64, month string) string {
	return fmt.Sprintf("supervision-report:%d:%s", orgID, month)
}

// MonthlyReport is one stored version of a monthly report in an org's list.
type MonthlyReport struct {
	Month string `json:"month"`
	documents.Document
}

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
// It returns the file and whether this call issued a new version.
func (s *ReportService) Generate(ctx context.Context, p app.Principal, orgID int64, month string) (documents.File, bool, error) {
	o, err := s.reportOrg(ctx, p, orgID)
	if err != nil {
		return documents.File{}, false, err
	}
	if !monthRE.MatchString(month) {
		return documents.File{}, false, app.Invalid("month", app.M("err.supervision.month_must_be_yyyy_mm"))
	}
	if month > s.clock.Now().In(rules.Shanghai()).Format("2006-01") {
		return documents.File{}, false, app.Invalid("month", app.M("err.supervision.the_month_has_not_begun"))
	}
	return s.issue(ctx, p, o, month)
}

// Reports lists the reports of an org p may report on, newest first.
func (s *ReportService) Reports(ctx context.Context, p app.Principal, orgID int64) ([]MonthlyReport, error) {
	o, err := s.reportOrg(ctx, p, orgID)
	if err != nil {
		return nil, err
	}
	docs, err := s.docs.OrgDocuments(ctx, p, o.ID, models.DocSupervision)
	if err != nil {
		return nil, err
	}
	out := make([]MonthlyReport, 0, len(docs))
	for _, d := range docs {
		month := ""
		if d.Summary != nil {
			var rs ReportSummary
			if json.Unmarshal(d.Summary.Report, &rs) == nil {
				month = rs.Month
			}
		}
		out = append(out, MonthlyReport{Month: month, Document: d})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Month > out[j].Month })
	return out, nil
}

// File is a report's PDF by number, for staff covering its org (others, and numbers
// of other documents: not found).
func (s *ReportService) File(ctx context.Context, p app.Principal, number string) (documents.File, error) {
	if err := access.Require(p, access.SupervisionReport); err != nil {
		return documents.File{}, err
	}
	f, err := s.docs.Download(ctx, &p, number)
	if err != nil {
		return documents.File{}, err
	}
	if f.Kind != models.DocSupervision || f.OrgID == 0 {
		return documents.File{}, app.Fail(app.ENotFound, "err.documents.document_not_found")
	}
	return f, nil
}

// issue builds the report's content as of now and issues it through documents.
func (s *ReportService) issue(ctx context.Context, p app.Principal, o models.Org, month string) (documents.File, bool, error) {
	view := orgPrincipal(o)
	now := s.clock.Now()
	week, err := s.work.Week(ctx, view)
	if err != nil {
		return documents.File{}, false, err
	}
	open, err := s.work.OpenCases(ctx, view)
	if err != nil {
		return documents.File{}, false, err
	}
	rates, err := s.rates.ReportRates(ctx, view, now)
	if err != nil {
		return documents.File{}, false, err
	}
	sum := ReportSummary{Month: month, Rates: rates, Overdue: week.Overdue, DueSoon: week.DueSoon, ByKind: map[string]int{}, Open: open}
	var overdue []worklist.Item
	for _, it := range week.Items {
		if it.Overdue {
			sum.ByKind[it.Kind]++
			overdue = append(overdue, it)
		}
	}
	var last *ReportSummary
	lastNumber := ""
	if number, detail, ok, err := s.docs.OrgRecordDetail(ctx, models.DocSupervision, subject(o.ID, prevMonth(month))); err != nil {
		return documents.File{}, false, err
	} else if ok {
		var ls ReportSummary
		if json.Unmarshal(detail, &ls) == nil {
			last, lastNumber = &ls, number
		}
	}
	summaryJSON, err := json.Marshal(sum)
	if err != nil {
		return documents.File{}, false, app.Internal(err)
	}
	day := now.In(rules.Shanghai()).Format(time.DateOnly)
	basis := fmt.Sprintf("%s|%s|%s|%s", o.Name, day, summaryJSON, lastNumber)
	for _, it := range overdue {
		basis += fmt.Sprintf("|%s/%d/%s", it.Kind, it.Ref, it.DueDay)
	}
	content := reportContent{Org: o, Month: month, Day: day, Summary: sum, Last: last, LastNumber: lastNumber, Overdue: overdue}
	return s.docs.IssueOrgRecord(ctx, p, documents.OrgRecordIssue{OrgID: o.ID, Kind: models.DocSupervision, Subject: subject(o.ID, month),
		Title: fmt.Sprintf("%s %s 监督月报", o.Name, month), Basis: basisDigest(basis), Detail: summaryJSON,
		Build: func(number, verifyURL string) pdfRecord { return content.record(number, verifyURL) }})
}

// basisDigest is what a report's basis is stored as: its SHA-256 (the basis names every
// overdue item and would not fit the column; migration 00036 kept the digests of the
// reports issued before).
func basisDigest(basis string) string {
	sum := sha256.Sum256([]byte(basis))
	return hex.EncodeToString(sum[:])
}

// RunMonthly issues, once per month and org, the previous month's report of every
// street office and district: on the first of the month, or at the first check after
// it when no instance was running then. It is idempotent across instances: an org's
// month with a report is skipped, and two instances issuing the same version store it
// once (documents.IssueOrgRecord).
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
		if _, _, ok, err := s.docs.OrgRecordDetail(ctx, models.DocSupervision, subject(o.ID, month)); err != nil {
			return n, err
		} else if ok {
			continue
		}
		_, created, err := s.issue(ctx, app.System(), o, month)
		if err != nil {
			return n, fmt.Errorf("report of org %d: %w", o.ID, err)
		}
		if created {
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
