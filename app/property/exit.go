package property

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Evidence is what stands behind each condition of an exit check: the counted
// complaints (the first of each complainant in the year, complainant masked), the
// refused or lapsed orders, and the survey that decided satisfaction.
type Evidence struct {
	On                           string                  `json:"on"`
	WindowFrom                   string                  `json:"window_from"`
	VerifiedDistinctComplainants int                     `json:"verified_distinct_complainants"`
	RefusedRectification         bool                    `json:"refused_rectification"`
	SatisfactionBelow            *bool                   `json:"satisfaction_below"`
	Triggered                    bool                    `json:"triggered"`
	Complaints                   []EvidenceComplaint     `json:"complaints"`
	Rectifications               []EvidenceRectification `json:"rectifications"`
	Survey                       *EvidenceSurvey         `json:"survey"`
}

// EvidenceComplaint is one counted complaint.
type EvidenceComplaint struct {
	ID          int64     `json:"id"`
	ReceivedAt  time.Time `json:"received_at"`
	Complainant string    `json:"complainant_masked"`
}

// EvidenceRectification is one refused or lapsed order.
type EvidenceRectification struct {
	ID        int64     `json:"id"`
	OrderedAt time.Time `json:"ordered_at"`
	Deadline  time.Time `json:"deadline"`
	Outcome   string    `json:"outcome"` // refused, or "lapsed" when the deadline passed without one
}

// EvidenceSurvey is the survey that decided satisfaction.
type EvidenceSurvey struct {
	ID          int64     `json:"id"`
	ClosedAt    time.Time `json:"closed_at"`
	Respondents int       `json:"respondents"`
	Satisfied   int       `json:"satisfied"`
}

// ExitView is the exit check of an estate on a date.
type ExitView struct {
	EstateID  int64
	CompanyID int64 // 0: no company served the estate that day
	Evidence
}

// evaluate runs the exit check of the estate's company on day, as of asOf, through db.
func evaluate(ctx context.Context, db *gorm.DB, e models.EstateWithPath, companyID int64, day string, asOf time.Time) (Evidence, error) {
	profile := profileOf(e)
	from, _, err := rules.ExitWindow(day)
	if err != nil {
		return Evidence{}, err
	}
	lo, err := time.ParseInLocation(time.DateOnly, from, rules.Shanghai())
	if err != nil {
		return Evidence{}, err
	}
	in := rules.ExitInput{On: day, AsOf: asOf, ComplaintsPerYear: profile.ExitComplaintsPerYear, SatisfactionPct: profile.ExitSatisfactionPercent}
	var complaints []models.Complaint
	if err := db.WithContext(ctx).Where("estate_id = ? AND company_id = ? AND received_at >= ? AND received_at <= ?", e.ID, companyID, lo.UTC(), asOf).
		Find(&complaints).Error; err != nil {
		return Evidence{}, err
	}
	byID := map[string]models.Complaint{}
	for _, c := range complaints {
		ref := fmt.Sprintf("%012d", c.ID)
		byID[ref] = c
		verified := c.Verification == EventVerified && c.VerifiedAt != nil && !c.VerifiedAt.After(asOf)
		in.Complaints = append(in.Complaints, rules.ExitComplaint{Ref: ref, Complainant: c.ComplainantHash, ReceivedAt: c.ReceivedAt, Verified: verified})
	}
	var orders []models.RectificationOrder
	if err := db.WithContext(ctx).Where("estate_id = ? AND company_id = ? AND ordered_at >= ? AND ordered_at <= ?", e.ID, companyID, lo.UTC(), asOf).
		Find(&orders).Error; err != nil {
		return Evidence{}, err
	}
	ordersByID := map[string]models.RectificationOrder{}
	for _, o := range orders {
		ref := fmt.Sprintf("%012d", o.ID)
		ordersByID[ref] = o
		r := rules.ExitRectification{Ref: ref, OrderedAt: o.OrderedAt, Deadline: o.DeadlineAt, Outcome: o.Outcome}
		if o.OutcomeAt != nil {
			r.OutcomeAt = *o.OutcomeAt
		}
		in.Rectifications = append(in.Rectifications, r)
	}
	var surveys []models.SatisfactionSurvey
	if err := db.WithContext(ctx).Where("estate_id = ? AND company_id = ? AND closed_at >= ? AND closed_at <= ?", e.ID, companyID, lo.UTC(), asOf).
		Find(&surveys).Error; err != nil {
		return Evidence{}, err
	}
	surveysByID := map[string]models.SatisfactionSurvey{}
	for _, sv := range surveys {
		ref := fmt.Sprintf("%012d", sv.ID)
		surveysByID[ref] = sv
		in.Surveys = append(in.Surveys, rules.ExitSurvey{Ref: ref, ClosedAt: sv.ClosedAt, Respondents: sv.Respondents, Satisfied: sv.Satisfied})
	}
	res, err := rules.ExitCheck(in)
	if err != nil {
		return Evidence{}, err
	}
	ev := Evidence{On: day, WindowFrom: res.WindowFrom, VerifiedDistinctComplainants: res.VerifiedDistinctComplainants,
		RefusedRectification: res.RefusedRectification, SatisfactionBelow: res.SatisfactionBelow, Triggered: res.Triggered,
		Complaints: []EvidenceComplaint{}, Rectifications: []EvidenceRectification{}}
	for _, ref := range res.Complaints {
		c := byID[ref]
		ev.Complaints = append(ev.Complaints, EvidenceComplaint{ID: c.ID, ReceivedAt: c.ReceivedAt, Complainant: c.ComplainantMask})
	}
	for _, ref := range res.Rectifications {
		o := ordersByID[ref]
		out := o.Outcome
		if out != rules.RectificationRefused {
			out = "lapsed"
		}
		ev.Rectifications = append(ev.Rectifications, EvidenceRectification{ID: o.ID, OrderedAt: o.OrderedAt, Deadline: o.DeadlineAt, Outcome: out})
	}
	if res.Survey != "" {
		sv := surveysByID[res.Survey]
		ev.Survey = &EvidenceSurvey{ID: sv.ID, ClosedAt: sv.ClosedAt, Respondents: sv.Respondents, Satisfied: sv.Satisfied}
	}
	return ev, nil
}

// ExitCheck evaluates the exit trigger for the company serving the estate on day
// ("YYYY-MM-DD"; empty: today in Shanghai), as of the end of that day or now,
// whichever comes first.
func (s *Service) ExitCheck(ctx context.Context, p app.Principal, estateID int64, day string) (ExitView, error) {
	e, err := s.orgs.Estate(ctx, p, estateID)
	if err != nil {
		return ExitView{}, err
	}
	now := s.now()
	if strings.TrimSpace(day) == "" {
		day = dayOf(now)
	}
	if day, err = parseDay("on", day); err != nil {
		return ExitView{}, err
	}
	end, err := rules.EndOfShanghaiDate(day)
	if err != nil {
		return ExitView{}, app.Invalid("on", app.M("err.property.bad_date"))
	}
	asOf := end.Add(-time.Nanosecond) // 24:00 of the day is the next day's first instant
	if now.Before(asOf) {
		asOf = now
	}
	company, ok, err := companyOn(ctx, s.db, e.ID, day)
	if err != nil {
		return ExitView{}, app.Internal(err)
	}
	v := ExitView{EstateID: e.ID}
	if !ok {
		from, _, _ := rules.ExitWindow(day)
		v.Evidence = Evidence{On: day, WindowFrom: from, Complaints: []EvidenceComplaint{}, Rectifications: []EvidenceRectification{}}
		return v, nil
	}
	v.CompanyID = company
	if v.Evidence, err = evaluate(ctx, s.db, e, company, day, asOf); err != nil {
		return v, app.Internal(err)
	}
	return v, nil
}

// reevaluate runs the exit check of the estate's company today, inside the change's
// transaction, and raises the exit case the first time it holds: the street office
// and the district of the estate are alerted (their exit-case pages list it).
func (s *Service) reevaluate(ctx context.Context, tx *gorm.DB, estateID, companyID int64) error {
	e, err := models.FindEstate(ctx, tx, estateID)
	if err != nil {
		return err
	}
	now := s.now()
	ev, err := evaluate(ctx, tx, e, companyID, dayOf(now), now)
	if err != nil {
		return err
	}
	if !ev.Triggered {
		return nil
	}
	var n int64
	if err := tx.Model(&models.ExitCase{}).Where("estate_id = ? AND company_id = ?", estateID, companyID).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	street, district, err := alertedOrgs(ctx, tx, e.CommunityPath)
	if err != nil {
		return err
	}
	xc := models.ExitCase{EstateID: estateID, CompanyID: companyID, RaisedAt: now, EvaluatedOn: ev.On, Evidence: string(data),
		StreetOrgID: street, DistrictOrgID: district, Status: "open", CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&xc).Error; err != nil {
		if database.IsDuplicate(err) {
			return nil
		}
		return err
	}
	s.log.Info("exit case raised", "exit_case", xc.ID, "estate", estateID, "company", companyID, "street_org", street, "district_org", district)
	return audit.Record(ctx, tx, app.System(), audit.Entry{Action: "exit_case.raise", TargetType: "exit_case", TargetID: xc.ID,
		OrgID: street, EstateID: estateID, Detail: map[string]any{"company_id": companyID, "on": ev.On,
			"verified_distinct_complainants": ev.VerifiedDistinctComplainants}})
}

// alertedOrgs finds the street office and the district above a community path.
func alertedOrgs(ctx context.Context, tx *gorm.DB, path string) (street, district int64, err error) {
	var ids []int64
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return 0, 0, nil
	}
	var list []models.Org
	if err := tx.WithContext(ctx).Where("id IN ?", ids).Find(&list).Error; err != nil {
		return 0, 0, fmt.Errorf("orgs above %s: %w", path, err)
	}
	for _, o := range list {
		switch o.Kind {
		case models.OrgStreet:
			street = o.ID
		case models.OrgDistrict:
			district = o.ID
		}
	}
	return street, district, nil
}

// ExitCaseView is an exit case with its names and decoded evidence.
type ExitCaseView struct {
	models.ExitCase
	EstateName  string
	CompanyName string
	Evidence    Evidence
}

// ExitCases lists the exit cases of the estates p may see, newest first.
func (s *Service) ExitCases(ctx context.Context, p app.Principal) ([]ExitCaseView, error) {
	ids, by, err := s.visibleEstates(ctx, p)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var list []models.ExitCase
	if err := s.db.WithContext(ctx).Where("estate_id IN ?", ids).Order("raised_at DESC, id DESC").Find(&list).Error; err != nil {
		return nil, app.Internal(err)
	}
	out := make([]ExitCaseView, len(list))
	for i, xc := range list {
		out[i] = ExitCaseView{ExitCase: xc, EstateName: by[xc.EstateID].Name}
		if co, err := s.company(ctx, s.db, xc.CompanyID, ""); err == nil {
			out[i].CompanyName = co.Name
		}
		if err := json.Unmarshal([]byte(xc.Evidence), &out[i].Evidence); err != nil {
			return nil, app.Internal(err)
		}
	}
	return out, nil
}

// CompanyFile is a company's file as p may see it: its contracts, complaints,
// rectification orders, warning talks and public notices, surveys and exit cases
// (the records of estates outside p's jurisdiction left out).
type CompanyFile struct {
	Company        models.PropertyCompany
	Contracts      []ContractRow
	Complaints     []ComplaintView
	Rectifications []RectificationRow
	Talks          []models.CompanyCreditEntry
	Notices        []models.CompanyCreditEntry
	Surveys        []models.SatisfactionSurvey
	ExitCases      []ExitCaseView
}

// RectificationRow is an order with its state as of now.
type RectificationRow struct {
	models.RectificationOrder
	EstateName string
	Lapsed     bool // deadline passed without an outcome in time
}

// Company returns the company's file.
func (s *Service) Company(ctx context.Context, p app.Principal, id int64) (CompanyFile, error) {
	co, err := s.company(ctx, s.db, id, "")
	if err != nil {
		return CompanyFile{}, err
	}
	f := CompanyFile{Company: co}
	ids, by, err := s.visibleEstates(ctx, p)
	if err != nil {
		return f, err
	}
	names := map[int64]string{}
	for id, e := range by {
		names[id] = e.Name
	}
	if f.Contracts, err = s.contracts(ctx, ids, co.ID, names); err != nil {
		return f, err
	}
	all, err := s.Complaints(ctx, p, ComplaintFilter{CompanyID: co.ID})
	if err != nil {
		return f, err
	}
	f.Complaints = all
	if len(ids) > 0 {
		var orders []models.RectificationOrder
		if err := s.db.WithContext(ctx).Where("company_id = ? AND estate_id IN ?", co.ID, ids).Order("ordered_at DESC").Find(&orders).Error; err != nil {
			return f, app.Internal(err)
		}
		now := s.now()
		for _, o := range orders {
			r := rules.ExitRectification{OrderedAt: o.OrderedAt, Deadline: o.DeadlineAt, Outcome: o.Outcome}
			if o.OutcomeAt != nil {
				r.OutcomeAt = *o.OutcomeAt
			}
			f.Rectifications = append(f.Rectifications, RectificationRow{RectificationOrder: o, EstateName: names[o.EstateID],
				Lapsed: o.Outcome != rules.RectificationRefused && r.RefusedAsOf(now)})
		}
		if err := s.db.WithContext(ctx).Where("company_id = ? AND estate_id IN ?", co.ID, ids).Order("closed_at DESC").Find(&f.Surveys).Error; err != nil {
			return f, app.Internal(err)
		}
	}
	var entries []models.CompanyCreditEntry
	if err := s.db.WithContext(ctx).Where("company_id = ?", co.ID).Order("held_at DESC").Find(&entries).Error; err != nil {
		return f, app.Internal(err)
	}
	for _, en := range entries {
		if en.EstateID != nil {
			if _, ok := by[*en.EstateID]; !ok {
				continue
			}
		}
		if en.Kind == CreditTalk {
			f.Talks = append(f.Talks, en)
		} else {
			f.Notices = append(f.Notices, en)
		}
	}
	cases, err := s.ExitCases(ctx, p)
	if err != nil {
		return f, err
	}
	for _, c := range cases {
		if c.CompanyID == co.ID {
			f.ExitCases = append(f.ExitCases, c)
		}
	}
	return f, nil
}

// BelowState is "yes" or "no" for the satisfaction condition, "none" without a survey.
func (e Evidence) BelowState() string {
	switch {
	case e.SatisfactionBelow == nil:
		return "none"
	case *e.SatisfactionBelow:
		return "yes"
	}
	return "no"
}

// DeadlineText is the order's deadline in Shanghai, a midnight written as 24:00 of
// the day before (a deadline given as a date ends at 24:00 of that date).
func (r EvidenceRectification) DeadlineText() string {
	l := r.Deadline.In(rules.Shanghai())
	if l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 {
		return l.Add(-time.Minute).Format(time.DateOnly) + " 24:00"
	}
	return l.Format("2006-01-02 15:04")
}
