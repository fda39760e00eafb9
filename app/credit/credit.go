// Package credit keeps property service companies' credit (issue 13, docs/rules.md
// "Property companies: credit, dismissal and handover"): the grades a district's housing
// authority sets with their reasons (grade history per company), the district's red and
// black lists published monthly as a verifiable PDF and on a public page (seed 004 §(七)),
// and the consequences: a D-grade or black-listed company is refused as the applicant for
// maintenance-fund use (seed 004 §(十四); Eligibility) and flagged when an estate proposes
// to hire it (HireFlags).
package credit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/documents"
	"gongzhi/app/orgs"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Service keeps grades and lists. It is safe for concurrent use.
type Service struct {
	db    *gorm.DB
	orgs  *orgs.Service
	docs  *documents.Service
	clock app.Clock
}

// New builds the service over db. The list PDFs are documents: their QR links lead to
// docs' verification page, so the public URL (last argument) is no longer used here.
func New(db *gorm.DB, orgSvc *orgs.Service, docs *documents.Service, clock app.Clock, _ string) *Service {
	return &Service{db: db, orgs: orgSvc, docs: docs, clock: app.ClockOrSystem(clock)}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// today is the civil date in Shanghai.
func (s *Service) today() string { return s.now().In(rules.Shanghai()).Format(time.DateOnly) }

// Grades are the credit grades, best first: profile data (the national profile's
// credit_grades, A-D under seed 004). The last grade is the barred one.
func Grades() []string {
	return rules.ProfileOrDefault(rules.DefaultProfileCode).CreditGrades
}

// barredGrade is the worst grade (D): barred like a black-listed company.
func barredGrade() string {
	g := Grades()
	if len(g) == 0 {
		return ""
	}
	return g[len(g)-1]
}

const (
	maxReasons = 2000
	maxRef     = 191
)

// checkDate checks a "YYYY-MM-DD" field; empty gives today.
func (s *Service) checkDate(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return s.today(), nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return "", app.Invalid(field, app.M("err.credit.a_date_yyyy_mm_dd"))
	}
	return v, nil
}

func checkText(field, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	switch n := utf8.RuneCountInString(v); {
	case n == 0:
		return "", app.Invalid(field, app.M("err.credit.required"))
	case n > max:
		return "", app.Invalid(field, app.M("err.credit.at_most_characters", max))
	}
	return v, nil
}

// district resolves the district a grading principal acts for: a district account acts
// for its own org; the admin names one. Anything else → 404 (not in jurisdiction).
func (s *Service) district(ctx context.Context, p app.Principal, districtID int64) (models.Org, error) {
	if p.Role == app.RoleDistrict && districtID == 0 {
		districtID = p.OrgID
	}
	if districtID == 0 {
		return models.Org{}, app.Invalid("district_id", app.M("err.credit.name_the_district"))
	}
	o, err := models.FindOrg(ctx, s.db, districtID)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && (o.Kind != models.OrgDistrict || !p.CoversOrgPath(o.Path))) {
		return models.Org{}, app.Fail(app.ENotFound, "err.credit.no_such_district")
	}
	if err != nil {
		return models.Org{}, app.Internal(err)
	}
	return o, nil
}

// company loads a company or 404.
func (s *Service) company(ctx context.Context, id int64) (models.PropertyCompany, error) {
	c, err := models.FindCompany(ctx, s.db, id)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, app.Fail(app.ENotFound, "err.credit.no_such_property_company")
	}
	if err != nil {
		return c, app.Internal(err)
	}
	return c, nil
}

// GradeInput is a grade a district sets: the grade, its reasons (text) and optionally
// the credit-file entry it rests on.
type GradeInput struct {
	DistrictID     int64
	Grade          string
	Reasons        string
	CreditEntryRef string
	EffectiveOn    string // YYYY-MM-DD; empty: today
}

// Grade is one grade of a company's history.
type Grade struct {
	ID             int64     `json:"id"`
	DistrictID     int64     `json:"district_id"`
	DistrictName   string    `json:"district_name"`
	Grade          string    `json:"grade"`
	Reasons        string    `json:"reasons"`
	CreditEntryRef string    `json:"credit_entry_ref,omitempty"`
	EffectiveOn    string    `json:"effective_on"`
	SetBy          string    `json:"set_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// SetGrade records a new grade of a company in a district; the history keeps every grade.
func (s *Service) SetGrade(ctx context.Context, p app.Principal, companyID int64, in GradeInput) (Grade, error) {
	if err := access.Require(p, access.GradeCredit); err != nil {
		return Grade{}, err
	}
	d, err := s.district(ctx, p, in.DistrictID)
	if err != nil {
		return Grade{}, err
	}
	if _, err := s.company(ctx, companyID); err != nil {
		return Grade{}, err
	}
	in.Grade = strings.ToUpper(strings.TrimSpace(in.Grade))
	if !slices.Contains(Grades(), in.Grade) {
		return Grade{}, app.Invalid("grade", app.M("err.credit.grade_one_of", strings.Join(Grades(), "、"), strings.Join(Grades(), ", ")))
	}
	if in.Reasons, err = checkText("reasons", in.Reasons, maxReasons); err != nil {
		return Grade{}, err
	}
	in.CreditEntryRef = strings.TrimSpace(in.CreditEntryRef)
	if utf8.RuneCountInString(in.CreditEntryRef) > maxRef {
		return Grade{}, app.Invalid("credit_entry_ref", app.M("err.credit.at_most_characters", maxRef))
	}
	if in.EffectiveOn, err = s.checkDate("effective_on", in.EffectiveOn); err != nil {
		return Grade{}, err
	}
	now := s.now()
	row := models.CreditGrade{CompanyID: companyID, DistrictID: d.ID, Grade: in.Grade, Reasons: in.Reasons, CreditEntryRef: in.CreditEntryRef,
		EffectiveOn: in.EffectiveOn, SetBy: uid(p), SetByName: p.Username, CreatedAt: now}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		row.ID = 0
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("grading company %d: %w", companyID, err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "credit.grade", TargetType: "property_company", TargetID: companyID,
			Detail: map[string]any{"district_id": d.ID, "grade": in.Grade, "effective_on": in.EffectiveOn, "credit_entry_ref": in.CreditEntryRef}})
	})
	if err != nil {
		return Grade{}, app.AsErrorOrNil(err)
	}
	return gradeOf(row, d.Name), nil
}

func gradeOf(g models.CreditGrade, district string) Grade {
	return Grade{ID: g.ID, DistrictID: g.DistrictID, DistrictName: district, Grade: g.Grade, Reasons: g.Reasons, CreditEntryRef: g.CreditEntryRef,
		EffectiveOn: g.EffectiveOn, SetBy: g.SetByName, CreatedAt: g.CreatedAt}
}

func uid(p app.Principal) *int64 {
	if p.UserID == 0 {
		return nil
	}
	id := p.UserID
	return &id
}

// ListInput puts a company on a district's red or black list.
type ListInput struct {
	DistrictID int64
	List       string // red or black
	ListedOn   string // YYYY-MM-DD; empty: today
	Reasons    string
}

// ListEntry is a company's entry on a list.
type ListEntry struct {
	ID            int64  `json:"id"`
	DistrictID    int64  `json:"district_id"`
	DistrictName  string `json:"district_name"`
	CompanyID     int64  `json:"company_id"`
	CompanyName   string `json:"company_name"`
	USCC          string `json:"uscc"`
	List          string `json:"list"`
	ListedOn      string `json:"listed_on"`
	RemovedOn     string `json:"removed_on,omitempty"`
	Reasons       string `json:"reasons"`
	RemovalReason string `json:"removal_reason,omitempty"`
	Grade         string `json:"grade,omitempty"`
}

// AddToList puts a company on a district's red or black list. A company is on at most
// one list of a district at a time: putting it on the other list ends the first entry.
func (s *Service) AddToList(ctx context.Context, p app.Principal, companyID int64, in ListInput) (ListEntry, error) {
	if err := access.Require(p, access.GradeCredit); err != nil {
		return ListEntry{}, err
	}
	d, err := s.district(ctx, p, in.DistrictID)
	if err != nil {
		return ListEntry{}, err
	}
	c, err := s.company(ctx, companyID)
	if err != nil {
		return ListEntry{}, err
	}
	if in.List != models.CreditListRed && in.List != models.CreditListBlack {
		return ListEntry{}, app.Invalid("list", app.M("err.credit.must_be_red_or_black"))
	}
	if in.ListedOn, err = s.checkDate("listed_on", in.ListedOn); err != nil {
		return ListEntry{}, err
	}
	if in.Reasons, err = checkText("reasons", in.Reasons, maxReasons); err != nil {
		return ListEntry{}, err
	}
	now := s.now()
	var row models.CreditListEntry
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var current []models.CreditListEntry
		if err := tx.Where("district_id = ? AND company_id = ? AND removed_on IS NULL", d.ID, companyID).Find(&current).Error; err != nil {
			return fmt.Errorf("current entries: %w", err)
		}
		for _, e := range current {
			if e.ListKind == in.List {
				return app.Fail(app.EConflict, "err.credit.already_on_this_list", listLabel(in.List))
			}
			reason := "移入" + listLabel(in.List)
			if err := tx.Model(&models.CreditListEntry{}).Where("id = ?", e.ID).
				Updates(map[string]any{"removed_on": in.ListedOn, "removal_reason": reason, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("ending entry %d: %w", e.ID, err)
			}
		}
		row = models.CreditListEntry{DistrictID: d.ID, CompanyID: companyID, ListKind: in.List, ListedOn: in.ListedOn, Reasons: in.Reasons,
			SetBy: uid(p), CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("listing company %d: %w", companyID, err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "credit.list", TargetType: "property_company", TargetID: companyID,
			Detail: map[string]any{"district_id": d.ID, "list": in.List, "listed_on": in.ListedOn}})
	})
	if err != nil {
		return ListEntry{}, app.AsErrorOrNil(err)
	}
	return ListEntry{ID: row.ID, DistrictID: d.ID, DistrictName: d.Name, CompanyID: c.ID, CompanyName: c.Name, USCC: c.USCC, List: row.ListKind,
		ListedOn: row.ListedOn, Reasons: row.Reasons}, nil
}

// RemoveFromList ends a list entry on removedOn (empty: today) with a reason.
func (s *Service) RemoveFromList(ctx context.Context, p app.Principal, entryID int64, removedOn, reason string) error {
	if err := access.Require(p, access.GradeCredit); err != nil {
		return err
	}
	var e models.CreditListEntry
	if err := s.db.WithContext(ctx).First(&e, entryID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return app.Fail(app.ENotFound, "err.credit.no_such_list_entry")
		}
		return app.Internal(err)
	}
	if _, err := s.district(ctx, p, e.DistrictID); err != nil {
		return app.Fail(app.ENotFound, "err.credit.no_such_list_entry")
	}
	var err error
	if removedOn, err = s.checkDate("removed_on", removedOn); err != nil {
		return err
	}
	if removedOn < e.ListedOn {
		return app.Invalid("removed_on", "移出日期不能早于列入日期 "+e.ListedOn+" / before the listing date")
	}
	if reason, err = checkText("reason", reason, maxReasons); err != nil {
		return err
	}
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&models.CreditListEntry{}).Where("id = ? AND removed_on IS NULL", e.ID).
			Updates(map[string]any{"removed_on": removedOn, "removal_reason": reason, "updated_at": s.now()})
		if res.Error != nil {
			return fmt.Errorf("removing entry %d: %w", e.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.credit.already_removed")
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "credit.unlist", TargetType: "property_company", TargetID: e.CompanyID,
			Detail: map[string]any{"district_id": e.DistrictID, "list": e.ListKind, "removed_on": removedOn}})
	}))
}

func listLabel(kind string) string {
	if kind == models.CreditListRed {
		return "红榜"
	}
	return "黑榜"
}

// CompanyCredit is a company's credit file: its grades in every district, newest first,
// and its list entries.
type CompanyCredit struct {
	CompanyID   int64       `json:"company_id"`
	CompanyName string      `json:"company_name"`
	USCC        string      `json:"uscc"`
	Grades      []Grade     `json:"grades"`
	Lists       []ListEntry `json:"lists"`
	GradeScale  []string    `json:"grade_scale"`
	CanGrade    bool        `json:"can_grade"`
}

// Company reads a company's credit file: any staff account may (companies serve across
// jurisdictions; the lists are public anyway).
func (s *Service) Company(ctx context.Context, p app.Principal, companyID int64) (CompanyCredit, error) {
	c, err := s.company(ctx, companyID)
	if err != nil {
		return CompanyCredit{}, err
	}
	grades, err := models.GradesOfCompany(ctx, s.db, companyID, 0)
	if err != nil {
		return CompanyCredit{}, app.Internal(err)
	}
	entries, err := models.ListEntriesOfCompany(ctx, s.db, companyID, 0)
	if err != nil {
		return CompanyCredit{}, app.Internal(err)
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return CompanyCredit{}, err
	}
	out := CompanyCredit{CompanyID: c.ID, CompanyName: c.Name, USCC: c.USCC, Grades: []Grade{}, Lists: []ListEntry{}, GradeScale: Grades(),
		CanGrade: access.Can(p, access.GradeCredit)}
	for _, g := range grades {
		out.Grades = append(out.Grades, gradeOf(g, names[g.DistrictID]))
	}
	for _, e := range entries {
		out.Lists = append(out.Lists, entryOf(e, c, names[e.DistrictID], ""))
	}
	return out, nil
}

func entryOf(e models.CreditListEntry, c models.PropertyCompany, district, grade string) ListEntry {
	le := ListEntry{ID: e.ID, DistrictID: e.DistrictID, DistrictName: district, CompanyID: c.ID, CompanyName: c.Name, USCC: c.USCC, List: e.ListKind,
		ListedOn: e.ListedOn, Reasons: e.Reasons, Grade: grade}
	if e.RemovedOn != nil {
		le.RemovedOn = *e.RemovedOn
	}
	if e.RemovalReason != nil {
		le.RemovalReason = *e.RemovalReason
	}
	return le
}

// orgNames maps every district id to its name.
func (s *Service) orgNames(ctx context.Context) (map[int64]string, error) {
	var list []models.Org
	if err := s.db.WithContext(ctx).Where("kind = ?", models.OrgDistrict).Find(&list).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("districts: %w", err))
	}
	out := map[int64]string{}
	for _, o := range list {
		out[o.ID] = o.Name
	}
	return out, nil
}

// currentGrade is the grade in force of a company in a district on day, "" when none.
func (s *Service) currentGrade(ctx context.Context, companyID, districtID int64, day string) (string, error) {
	grades, err := models.GradesOfCompany(ctx, s.db, companyID, districtID)
	if err != nil {
		return "", err
	}
	best, bestOn, bestID := "", "", int64(0)
	for _, g := range grades {
		if g.EffectiveOn > day {
			continue
		}
		if g.EffectiveOn > bestOn || (g.EffectiveOn == bestOn && g.ID > bestID) {
			best, bestOn, bestID = g.Grade, g.EffectiveOn, g.ID
		}
	}
	return best, nil
}

// districtOfPath finds the district on an org path ("/1/2/3/4/"), 0 when none.
func (s *Service) districtOfPath(ctx context.Context, path string) (int64, error) {
	var ids []int64
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	var o models.Org
	res := s.db.WithContext(ctx).Where("id IN ? AND kind = ?", ids, models.OrgDistrict).Limit(1).Find(&o)
	if res.Error != nil {
		return 0, fmt.Errorf("district of %s: %w", path, res.Error)
	}
	return o.ID, nil
}

// Standing is a company's standing in one district on a day.
type Standing struct {
	CompanyID    int64    `json:"company_id"`
	CompanyName  string   `json:"company_name"`
	DistrictID   int64    `json:"district_id"`
	DistrictName string   `json:"district_name"`
	On           string   `json:"on"`
	Grade        string   `json:"grade"` // "" when never graded
	BlackListed  bool     `json:"black_listed"`
	RedListed    bool     `json:"red_listed"`
	Barred       bool     `json:"barred"` // D grade or black list
	Reasons      []string `json:"reasons"`
}

// standing computes a company's standing in a district on day.
func (s *Service) standing(ctx context.Context, c models.PropertyCompany, districtID int64, districtName, day string) (Standing, error) {
	st := Standing{CompanyID: c.ID, CompanyName: c.Name, DistrictID: districtID, DistrictName: districtName, On: day, Reasons: []string{}}
	g, err := s.currentGrade(ctx, c.ID, districtID, day)
	if err != nil {
		return st, app.Internal(err)
	}
	st.Grade = g
	entries, err := models.ListEntriesOfCompany(ctx, s.db, c.ID, districtID)
	if err != nil {
		return st, app.Internal(err)
	}
	for _, e := range entries {
		if !e.ListedOnDay(day) {
			continue
		}
		switch e.ListKind {
		case models.CreditListBlack:
			st.BlackListed = true
			// msgconv:keep: Standing.Reasons is a JSON field of the API (reasons) (known debt)
			st.Reasons = append(st.Reasons, fmt.Sprintf("%s起列入%s黑榜：%s / black-listed since %s", e.ListedOn, districtName, e.Reasons, e.ListedOn))
		case models.CreditListRed:
			st.RedListed = true
		}
	}
	if g != "" && g == barredGrade() {
		// msgconv:keep: Standing.Reasons is a JSON field of the API (reasons) (known debt)
		st.Reasons = append(st.Reasons, fmt.Sprintf("%s信用等级为 %s / credit grade %s", districtName, g, g))
	}
	st.Barred = st.BlackListed || (g != "" && g == barredGrade())
	return st, nil
}

// Eligibility is whether a company may be the applicant for maintenance-fund use.
type Eligibility struct {
	Standing
	MaintenanceFundApplicant bool   `json:"maintenance_fund_applicant"`
	Basis                    string `json:"basis"`
}

// EligibilityBasis is the rule behind Eligibility.
const EligibilityBasis = "长治市《关于进一步解决物业领域突出问题提升物业管理工作质效的实施意见》（征求意见稿，docs/rules.md 政策 004）第（七）、（十四）项：信用等级为 D 或列入黑榜的物业服务企业，列入期间不得作为维修资金申请、使用的主体"

// Eligibility tells whether a company may apply for (be the applicant for) the use of an
// estate's maintenance fund on day (empty: today): not while it is graded D or on the
// black list of the estate's district (seed 004 §(十四)). There is no maintenance-fund
// feature yet; this is the check such a feature calls. estateID (in the principal's
// jurisdiction, else 404) names the district; without one, districtID does.
func (s *Service) Eligibility(ctx context.Context, p app.Principal, companyID, estateID, districtID int64, day string) (Eligibility, error) {
	c, err := s.company(ctx, companyID)
	if err != nil {
		return Eligibility{}, err
	}
	if day, err = s.checkDate("on", day); err != nil {
		return Eligibility{}, err
	}
	switch {
	case estateID != 0:
		e, err := s.orgs.Estate(ctx, p, estateID)
		if err != nil {
			return Eligibility{}, err
		}
		if districtID, err = s.districtOfPath(ctx, e.CommunityPath); err != nil {
			return Eligibility{}, app.Internal(err)
		}
	case districtID == 0:
		return Eligibility{}, app.Invalid("estate_id", app.M("err.credit.name_the_estate_or_the_district"))
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return Eligibility{}, err
	}
	if _, ok := names[districtID]; !ok {
		return Eligibility{}, app.Fail(app.ENotFound, "err.credit.no_such_district")
	}
	st, err := s.standing(ctx, c, districtID, names[districtID], day)
	if err != nil {
		return Eligibility{}, err
	}
	return Eligibility{Standing: st, MaintenanceFundApplicant: !st.Barred, Basis: EligibilityBasis}, nil
}

// HireFlag flags an agenda item that proposes to hire a barred company.
type HireFlag struct {
	VoteID    int64    `json:"vote_id"`
	VoteTitle string   `json:"vote_title"`
	ItemKey   string   `json:"item_key"`
	ItemTitle string   `json:"item_title"`
	Standing  Standing `json:"standing"`
}

// HireFlags lists the hire_dismiss_manager items of an estate's votes (drafts and votes
// not yet final) that name a company graded D or black-listed in the estate's district:
// the proposal is flagged, not refused (the owners decide; CC 278).
func (s *Service) HireFlags(ctx context.Context, p app.Principal, estateID int64) ([]HireFlag, error) {
	e, err := s.orgs.Estate(ctx, p, estateID)
	if err != nil {
		return nil, err
	}
	districtID, err := s.districtOfPath(ctx, e.CommunityPath)
	if err != nil {
		return nil, app.Internal(err)
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		VoteID    int64
		VoteTitle string
		ItemKey   string
		Title     string
		CompanyID int64
	}
	var rows []row
	err = s.db.WithContext(ctx).Table("vote_items").
		Select("votes.id AS vote_id, votes.title AS vote_title, vote_items.item_key, vote_items.title, vote_items.company_id").
		Joins("JOIN votes ON votes.id = vote_items.vote_id AND votes.agenda_revision = vote_items.revision").
		Where("votes.estate_id = ? AND vote_items.company_id IS NOT NULL AND votes.state <> ?", estateID, models.VoteFinal).
		Order("votes.id, vote_items.position").Scan(&rows).Error
	if err != nil {
		return nil, app.Internal(fmt.Errorf("hire items of estate %d: %w", estateID, err))
	}
	out := []HireFlag{}
	day := s.today()
	for _, r := range rows {
		c, err := s.company(ctx, r.CompanyID)
		if err != nil {
			return nil, err
		}
		st, err := s.standing(ctx, c, districtID, names[districtID], day)
		if err != nil {
			return nil, err
		}
		if st.Barred {
			out = append(out, HireFlag{VoteID: r.VoteID, VoteTitle: r.VoteTitle, ItemKey: r.ItemKey, ItemTitle: r.Title, Standing: st})
		}
	}
	return out, nil
}

// DistrictLists is a district's red and black lists on a day, with its publications.
type DistrictLists struct {
	DistrictID   int64         `json:"district_id"`
	DistrictName string        `json:"district_name"`
	On           string        `json:"on"`
	Red          []ListEntry   `json:"red"`
	Black        []ListEntry   `json:"black"`
	Publications []Publication `json:"publications"`
}

// Publication is one monthly publication of a district's lists.
type Publication struct {
	ID          int64     `json:"id"`
	Month       string    `json:"month"`
	Version     int       `json:"version"`
	Number      string    `json:"number"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	RedCount    int       `json:"red_count"`
	BlackCount  int       `json:"black_count"`
	PublishedAt time.Time `json:"published_at"`
	Path        string    `json:"path"`
}

// PublicDistricts lists every district that keeps lists, for the public page.
func (s *Service) PublicDistricts(ctx context.Context) ([]models.Org, error) {
	var list []models.Org
	if err := s.db.WithContext(ctx).Where("kind = ?", models.OrgDistrict).Order("name, id").Find(&list).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("districts: %w", err))
	}
	return list, nil
}

// PublicLists is a district's lists as anyone sees them (no sign-in): the entries in
// force on day (empty: today) and the monthly publications.
func (s *Service) PublicLists(ctx context.Context, districtID int64, day string) (DistrictLists, error) {
	o, err := models.FindOrg(ctx, s.db, districtID)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && o.Kind != models.OrgDistrict) {
		return DistrictLists{}, app.Fail(app.ENotFound, "err.credit.no_such_district")
	}
	if err != nil {
		return DistrictLists{}, app.Internal(err)
	}
	if day, err = s.checkDate("on", day); err != nil {
		return DistrictLists{}, err
	}
	out := DistrictLists{DistrictID: o.ID, DistrictName: o.Name, On: day, Red: []ListEntry{}, Black: []ListEntry{}, Publications: []Publication{}}
	entries, err := models.ListEntriesOfDistrict(ctx, s.db, o.ID)
	if err != nil {
		return DistrictLists{}, app.Internal(err)
	}
	var ids []int64
	for _, e := range entries {
		ids = append(ids, e.CompanyID)
	}
	companies, err := models.CompaniesByID(ctx, s.db, ids)
	if err != nil {
		return DistrictLists{}, app.Internal(err)
	}
	for _, e := range entries {
		if !e.ListedOnDay(day) {
			continue
		}
		g, err := s.currentGrade(ctx, e.CompanyID, o.ID, day)
		if err != nil {
			return DistrictLists{}, app.Internal(err)
		}
		le := entryOf(e, companies[e.CompanyID], o.Name, g)
		if e.ListKind == models.CreditListRed {
			out.Red = append(out.Red, le)
		} else {
			out.Black = append(out.Black, le)
		}
	}
	var pubs []models.CreditListPublication
	if err := s.db.WithContext(ctx).Select("id, district_id, month, version, doc_number, sha256, size_bytes, red_count, black_count, published_at").
		Where("district_id = ?", o.ID).Order("month DESC, version DESC").Find(&pubs).Error; err != nil {
		return DistrictLists{}, app.Internal(fmt.Errorf("publications: %w", err))
	}
	for _, pb := range pubs {
		out.Publications = append(out.Publications, publicationOf(pb))
	}
	return out, nil
}

func publicationOf(pb models.CreditListPublication) Publication {
	return Publication{ID: pb.ID, Month: pb.Month, Version: pb.Version, Number: pb.DocNumber, SHA256: pb.SHA256, Size: pb.SizeBytes,
		RedCount: pb.RedCount, BlackCount: pb.BlackCount, PublishedAt: pb.PublishedAt, Path: "/credit-lists/pdf/" + pb.DocNumber}
}

// PublishMonth publishes a district's lists for a month ("YYYY-MM"; empty: this month)
// as a PDF: the entries in force on the day of publication. Publishing again in the same
// month (the lists are adjusted in real time, seed 004 §(七)) adds a new version.
func (s *Service) PublishMonth(ctx context.Context, p app.Principal, districtID int64, month string) (Publication, error) {
	if err := access.Require(p, access.GradeCredit); err != nil {
		return Publication{}, err
	}
	d, err := s.district(ctx, p, districtID)
	if err != nil {
		return Publication{}, err
	}
	now := s.now()
	today := now.In(rules.Shanghai()).Format(time.DateOnly)
	if month == "" {
		month = today[:7]
	}
	if _, err := time.Parse("2006-01", month); err != nil || len(month) != 7 {
		return Publication{}, app.Invalid("month", app.M("err.credit.a_month_yyyy_mm"))
	}
	if month > today[:7] {
		return Publication{}, app.Invalid("month", app.M("err.credit.a_future_month"))
	}
	lists, err := s.PublicLists(ctx, d.ID, today)
	if err != nil {
		return Publication{}, err
	}
	// The PDF is an org-level document of the district (migration 00028): numbered,
	// stored and verified at /verify/<number> like every other; the publication row
	// with its counts is written in the same transaction. Each publication in a month
	// is a new version of that month's document, superseding the one before.
	var pub models.CreditListPublication
	_, _, err = s.docs.IssueOrgRecord(ctx, p, documents.OrgRecordIssue{
		OrgID: d.ID, Kind: models.DocCreditList, Subject: fmt.Sprintf("credit-list:%d:%s", d.ID, month),
		Title: fmt.Sprintf("%s物业服务企业红黑榜（%s）", d.Name, month), Basis: "credit-list:" + month, Force: true, Public: true,
		Build: func(number, verifyURL string) pdfdoc.Record {
			return listRecord(lists, month, today, number, verifyURL)
		},
		Within: func(tx *gorm.DB, doc models.Document) error {
			pub = models.CreditListPublication{DistrictID: d.ID, Month: month, Version: doc.Version, DocNumber: doc.DocNumber, SHA256: doc.SHA256,
				SizeBytes: doc.SizeBytes, PDF: []byte{}, RedCount: len(lists.Red), BlackCount: len(lists.Black), PublishedBy: uid(p), PublishedAt: now}
			if err := tx.Create(&pub).Error; err != nil {
				return err
			}
			return audit.Record(ctx, tx, p, audit.Entry{Action: "credit.publish", TargetType: "credit_list_publication", TargetID: pub.ID,
				Detail: map[string]any{"district_id": d.ID, "month": month, "number": doc.DocNumber, "sha256": pub.SHA256}})
		},
	})
	if err != nil {
		return Publication{}, err
	}
	return publicationOf(pub), nil
}

// listRecord shapes the monthly list PDF.
func listRecord(l DistrictLists, month, day, number, verifyURL string) pdfdoc.Record {
	cols := []pdfdoc.RecordColumn{{Header: "序号", Width: 12, Align: "C"}, {Header: "企业名称", Width: 60, Align: "L"},
		{Header: "统一社会信用代码", Width: 46, Align: "C"}, {Header: "信用等级", Width: 18, Align: "C"}, {Header: "列入日期", Width: 26, Align: "C"},
		{Header: "理由", Width: 60, Align: "L"}}
	rows := func(list []ListEntry) [][]string {
		out := [][]string{}
		for i, e := range list {
			g := e.Grade
			if g == "" {
				g = "—"
			}
			out = append(out, []string{strconv.Itoa(i + 1), e.CompanyName, e.USCC, g, e.ListedOn, e.Reasons})
		}
		return out
	}
	y, m, _ := strings.Cut(month, "-")
	return pdfdoc.Record{
		Issuer: l.DistrictName + "住房和城乡建设主管部门", Title: "物业服务企业红黑榜", Subtitle: fmt.Sprintf("%s年%s月", y, strings.TrimPrefix(m, "0")),
		Fields: []pdfdoc.RecordField{{Label: "公布范围", Value: l.DistrictName}, {Label: "名单日期", Value: day},
			{Label: "依据", Value: "长治市《关于进一步解决物业领域突出问题提升物业管理工作质效的实施意见》（征求意见稿）第（七）项：各县（区）建立物业服务企业动态红黑榜，每月调整并向社会公布；第（十四）项：列入黑榜的企业在列入期间不得作为维修资金申请、使用的主体"}},
		Sections: []pdfdoc.RecordSection{
			{Heading: fmt.Sprintf("红榜（%d 家）", len(l.Red)), Columns: cols, Rows: rows(l.Red)},
			{Heading: fmt.Sprintf("黑榜（%d 家）", len(l.Black)), Columns: cols, Rows: rows(l.Black)},
		},
		SignedBy: l.DistrictName + "住房和城乡建设主管部门", SignedOn: day, DocNumber: number, VerifyURL: verifyURL,
	}
}

// PublicationFile is a published list PDF by its number, for anyone.
func (s *Service) PublicationFile(ctx context.Context, number string) (Publication, []byte, error) {
	var pb models.CreditListPublication
	res := s.db.WithContext(ctx).Where("doc_number = ?", strings.ToUpper(strings.TrimSpace(number))).Limit(1).Find(&pb)
	if res.Error != nil {
		return Publication{}, nil, app.Internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return Publication{}, nil, app.Fail(app.ENotFound, "err.credit.no_such_publication")
	}
	if len(pb.PDF) > 0 { // published before migration 00028: the bytes are in the row
		return publicationOf(pb), pb.PDF, nil
	}
	f, err := s.docs.Download(ctx, nil, pb.DocNumber)
	if err != nil {
		return Publication{}, nil, err
	}
	return publicationOf(pb), f.Data, nil
}
