// Package formation runs the path from a new estate to its filed owners' committee
// (docs/rules.md §4-5), and later terms' re-elections: whether an estate is due to form its
// assembly; the preparatory group (筹备组) or re-election group (换届小组) with its
// composition rules, member-list publication, objections and duties checklist; the
// committee candidates with their eligibility checklist, qualification review with the
// community Party organisation and the published candidate list; the Party-member ratio
// of the slate and of the committee (it informs, never blocks); and the committee
// recorded from a counted election with its officers, filing, term and re-election date.
//
// The legal rules come from app/rules; this package stores facts and decisions. Every use
// case runs in one transaction, is audited in it, and checks the principal's
// jurisdiction (app/orgs). Auditors and district staff only read; the street office
// leads; community staff do the candidate and checklist work; a committee account may run
// its own estate's re-election. Nothing is deleted: rows are withdrawn, superseded,
// dissolved or ended.
package formation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/orgs"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Service is the formation service.
type Service struct {
	db   *gorm.DB
	orgs *orgs.Service
	clk  app.Clock // read through clock()
}

// New builds the service; clock (nil: the system clock) dates what it records.
func New(db *gorm.DB, clock app.Clock, orgSvc *orgs.Service) *Service {
	return &Service{db: db, orgs: orgSvc, clk: app.ClockOrSystem(clock)}
}

// clock is the current instant in UTC, to the second (both databases keep it exactly).
func (s *Service) clock() time.Time { return s.clk.Now().UTC().Truncate(time.Second) }

// action is a kind of change, for the role check.
type action int

const (
	actCompose  action = iota // create, compose, publish and dissolve a group
	actWork                   // facts, duties, objections, candidates, eligibility, candidate lists
	actElection               // record a counted election into the committee
	actOfficers               // record the chair and vice-chairs the members elected
	actFiling                 // accept the filing (备案) as the street office
)

// policy is the platform's action (app/access) for an action on a group of that kind.
// The street office leads the group (GR 10) and receives the filing (REG 16); community
// staff sit on the group and review candidates with the Party organisation; a committee
// account records its own officers and may run its own estate's re-election, but never
// accepts its own filing (docs/roles.md).
func policy(groupKind string, act action) access.Action {
	reelection := groupKind == models.GroupKindReelection
	switch act {
	case actCompose:
		if reelection {
			return access.ReelectionCompose
		}
		return access.PrepCompose
	case actWork:
		if reelection {
			return access.ReelectionWork
		}
		return access.PrepWork
	case actElection:
		if reelection {
			return access.ReelectionElection
		}
		return access.PrepElection
	case actOfficers:
		return access.CommitteeOfficers
	}
	return access.CommitteeFiling
}

// allowed tells whether the role may take the action on a group of that kind.
func allowed(p app.Principal, groupKind string, act action) bool {
	return access.Can(p, policy(groupKind, act))
}

func forbidden(act action) error {
	switch act {
	case actCompose:
		return app.Fail(app.EForbidden, "err.formation.only_the_street_office_composes_the_group")
	case actFiling:
		return app.Fail(app.EForbidden, "err.formation.only_the_street_office_accepts_the_filing")
	}
	return app.Fail(app.EForbidden, "err.formation.not_allowed_for_your_role")
}

// Permissions tell the pages which forms to show; the service checks again on every change.
type Permissions struct {
	Compose  bool
	Work     bool
	Election bool
	Officers bool
	Filing   bool
}

// permissionsFor lists what the principal may do on an estate whose open group has kind
// groupKind (prep when there is none).
func permissionsFor(p app.Principal, groupKind string) Permissions {
	return Permissions{
		Compose:  allowed(p, groupKind, actCompose),
		Work:     allowed(p, groupKind, actWork),
		Election: allowed(p, groupKind, actElection),
		Officers: allowed(p, groupKind, actOfficers),
		Filing:   allowed(p, groupKind, actFiling),
	}
}

// estateForChange loads the estate the principal may change and checks the role.
func (s *Service) estateForChange(ctx context.Context, p app.Principal, estateID int64, groupKind string, act action) (models.EstateWithPath, rules.JurisdictionProfile, error) {
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return e, rules.JurisdictionProfile{}, err
	}
	if !allowed(p, groupKind, act) {
		return e, rules.JurisdictionProfile{}, forbidden(act)
	}
	prof, ok := rules.ProfileByCode(e.ProfileCode)
	if !ok {
		return e, prof, app.Internal(fmt.Errorf("estate %d: unknown profile %q", e.ID, e.ProfileCode))
	}
	return e, prof, nil
}

// groupForChange loads a group in the principal's jurisdiction that is still open.
func (s *Service) groupForChange(ctx context.Context, p app.Principal, groupID int64, act action) (models.FormationGroup, models.EstateWithPath, rules.JurisdictionProfile, error) {
	g, err := models.FindGroup(ctx, s.db, groupID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return g, models.EstateWithPath{}, rules.JurisdictionProfile{}, app.Fail(app.ENotFound, "err.formation.no_such_group")
	}
	if err != nil {
		return g, models.EstateWithPath{}, rules.JurisdictionProfile{}, app.Internal(err)
	}
	e, prof, err := s.estateForChange(ctx, p, g.EstateID, g.Kind, act)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			err = app.Fail(app.ENotFound, "err.formation.no_such_group")
		}
		return g, e, prof, err
	}
	if g.Status == models.GroupDissolved {
		return g, e, prof, app.Fail(app.EConflict, "err.formation.the_group_is_dissolved")
	}
	return g, e, prof, nil
}

// groupProfile is the profile the group was formed under (its recorded version), falling
// back to the estate's current profile.
func groupProfile(g models.FormationGroup, estateProfile rules.JurisdictionProfile) rules.JurisdictionProfile {
	if p, ok := rules.ProfileByCode(g.ProfileCode); ok {
		return p
	}
	return estateProfile
}

// text trims s and checks its length in characters.
func text(field, s string, min, max int, label app.Msg) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n < min {
		return "", app.Invalid(field, app.M("err.formation.label_required", label))
	}
	if n > max {
		return "", app.Invalid(field, app.M("err.formation.at_most_characters", label, max))
	}
	return s, nil
}

func ptr[T any](v T) *T { return &v }

// outOfSight answers a failed estate check for a record of that estate: an estate
// outside the principal's jurisdiction (404) hides the record with notFound; any
// other failure is passed on, never disguised as a missing record.
func outOfSight(err, notFound error) error {
	if app.ErrorCode(err) == app.ENotFound {
		return notFound
	}
	return app.AsError(err)
}

// day renders an instant as its Asia/Shanghai date.
func day(t time.Time) string { return t.In(rules.Shanghai()).Format(time.DateOnly) }

// lastDay renders the last day of a period that ends at the instant t (24:00 of that day).
func lastDay(t time.Time) string { return day(t.Add(-time.Nanosecond)) }

// record writes the audit entry of a change to an estate.
func record(ctx context.Context, tx *gorm.DB, p app.Principal, e models.EstateWithPath, action, targetType string, targetID int64, detail map[string]any) error {
	return audit.Record(ctx, tx, p, audit.Entry{Action: action, TargetType: targetType, TargetID: targetID,
		OrgID: e.CommunityID, EstateID: e.ID, Detail: detail})
}

// noRestDays is a calendar without rest days, for periods that must simply last a number
// of days (a publication shown for at least 7 days), unlike deadlines that move to the
// next working day.
type noRestDays struct{}

// IsRestDay reports that no day is a rest day.
func (noRestDays) IsRestDay(time.Time) bool { return false }

// FormationStatus is where an estate stands on its way to a filed committee.
type FormationStatus struct {
	Estate          models.EstateWithPath
	Profile         rules.JurisdictionProfile
	Units           int
	TotalArea       rules.Area
	DeliveredArea   rules.Area
	FirstDeliveryAt *time.Time
	Note            string
	Due             rules.FormationStatus
	Stage           Stage
	OpenGroupID     int64
	OpenGroupKind   string
	CommitteeID     int64
	ReelectionStart *time.Time
	ReelectionDue   bool // a formed committee's re-election should have started and no group is open
	// The acting transitional body (物业管理委员会), if any: shown as transitional on every
	// page of the estate until a committee is filed.
	TransitionalID    int64
	TransitionalKind  string
	TransitionalLabel string
	// CoOwnerRule is the co-owner counting rule the estate's register uses (C3), with its label.
	CoOwnerRule      string
	CoOwnerRuleLabel string
	// Dates for display, Asia/Shanghai; empty while unknown.
	FirstDeliveryDay   string
	AppliedDay         string // the day the owners' application (or developer's report) was received
	DecidedDay         string // the day the street office decided to set up the group
	DecideByDay        string // the last day for the street office's decision
	FormByDay          string // the last day for forming the group
	DecideOverdue      bool   // the decision is past its last day and not recorded
	FormOverdue        bool   // the group is past its last day and not formed
	ReelectionStartDay string
}

// Stage is the step an estate has reached.
type Stage string

// The stages, in order.
const (
	StageNotDue           Stage = "not_due"           // formation not yet due
	StageDue              Stage = "due"               // due; no group formed yet
	StageGroup            Stage = "group"             // a preparatory group is working
	StageCommitteeForming Stage = "committee_forming" // elected too few: runoff or by-election pending
	StageCommitteeFormed  Stage = "committee_formed"  // formed; officers and filing follow
	StageCommitteeFiled   Stage = "committee_filed"   // filed with the street office
	StageReelection       Stage = "reelection"        // a re-election group is working
	// StageTransitional: no committee could be formed; a transitional body (物业管理委员会)
	// acts until a committee is filed.
	StageTransitional Stage = "transitional"
)

// Label is the Chinese name of the stage.
func (s Stage) Label() string {
	switch s {
	case StageNotDue:
		return "尚未达到成立条件"
	case StageDue:
		return "应当组建筹备组"
	case StageGroup:
		return "筹备组工作中"
	case StageCommitteeForming:
		return "业主委员会未能足额选出，待决选或补选"
	case StageCommitteeFormed:
		return "业主委员会已选出，待选举主任并备案"
	case StageCommitteeFiled:
		return "业主委员会已备案"
	case StageReelection:
		return "换届小组工作中"
	case StageTransitional:
		return "未能成立业主委员会，物业管理委员会（过渡）履职中"
	}
	return string(s)
}

// statusOf decides an estate's stage from what is stored.
func statusOf(e models.EstateWithPath, prof rules.JurisdictionProfile, d models.EstateDelivery, f models.EstateFormation,
	g *models.FormationGroup, c *models.Committee, now time.Time) FormationStatus {
	st := FormationStatus{Estate: e, Profile: prof, Units: d.Units, TotalArea: rules.Area(d.TotalArea),
		DeliveredArea: rules.Area(d.DeliveredArea), FirstDeliveryAt: f.FirstDeliveryAt, Note: f.Note}
	var first time.Time
	if f.FirstDeliveryAt != nil {
		first = *f.FirstDeliveryAt
	}
	st.CoOwnerRule = e.CoOwnerRule
	if st.CoOwnerRule == "" {
		st.CoOwnerRule = string(rules.DefaultCoOwnerRule)
	}
	st.CoOwnerRuleLabel = CoOwnerRuleLabel(st.CoOwnerRule)
	var dates rules.PrepDates
	if f.AppliedAt != nil {
		dates.AppliedAt = *f.AppliedAt
		st.AppliedDay = day(*f.AppliedAt)
	}
	if f.DecidedAt != nil {
		dates.DecidedAt = *f.DecidedAt
		st.DecidedDay = day(*f.DecidedAt)
	}
	st.Due = rules.FormationDue(prof, st.DeliveredArea, st.TotalArea, first, now, dates)
	st.DecideOverdue = !st.Due.DecideBy.IsZero() && f.DecidedAt == nil && !now.Before(st.Due.DecideBy)
	st.FormOverdue = !st.Due.FormBy.IsZero() && g == nil && c == nil && !now.Before(st.Due.FormBy)
	if f.FirstDeliveryAt != nil {
		st.FirstDeliveryDay = day(*f.FirstDeliveryAt)
	}
	if !st.Due.DecideBy.IsZero() {
		st.DecideByDay = lastDay(st.Due.DecideBy)
	}
	if !st.Due.FormBy.IsZero() {
		st.FormByDay = lastDay(st.Due.FormBy)
	}
	if g != nil {
		st.OpenGroupID, st.OpenGroupKind = g.ID, g.Kind
	}
	if c != nil {
		st.CommitteeID = c.ID
		st.ReelectionStart = c.ReelectionStart
		if c.ReelectionStart != nil {
			st.ReelectionStartDay = day(*c.ReelectionStart)
		}
	}
	switch {
	case g != nil && g.Kind == models.GroupKindReelection:
		st.Stage = StageReelection
	case c != nil && c.Status == models.CommitteeForming:
		st.Stage = StageCommitteeForming
	case c != nil && c.Status == models.CommitteeFormed:
		st.Stage = StageCommitteeFormed
	case c != nil && c.Status == models.CommitteeFiled:
		st.Stage = StageCommitteeFiled
	case g != nil:
		st.Stage = StageGroup
	case st.Due.Due:
		st.Stage = StageDue
	default:
		st.Stage = StageNotDue
	}
	if g == nil && c != nil && c.Status != models.CommitteeForming && c.ReelectionStart != nil && !now.Before(*c.ReelectionStart) {
		st.ReelectionDue = true
	}
	return st
}

// Status reports where an estate stands: the delivered share against the profile's
// trigger (rules.FormationDue), the open group and the live committee.
func (s *Service) Status(ctx context.Context, p app.Principal, estateID int64) (FormationStatus, error) {
	e, err := s.orgs.Estate(ctx, p, estateID)
	if err != nil {
		return FormationStatus{}, err
	}
	list, err := s.statuses(ctx, []models.EstateWithPath{e}, false)
	if err != nil {
		return FormationStatus{}, err
	}
	return list[0], nil
}

// statuses computes the status of each estate with five queries in all. With lean,
// the delivered areas (a sum over the units, the heaviest read at city scale) are read
// only for the estates whose stage and deadlines depend on them: no open group, no live
// committee, no acting transitional body; the others' Units and areas stay zero. The
// week's work and the stages chart use lean; the pages that show the areas do not.
func (s *Service) statuses(ctx context.Context, estates []models.EstateWithPath, lean bool) ([]FormationStatus, error) {
	ids := make([]int64, 0, len(estates))
	for _, e := range estates {
		ids = append(ids, e.ID)
	}
	facts, err := models.EstateFormations(ctx, s.db, ids)
	if err != nil {
		return nil, app.Internal(err)
	}
	groups, err := models.OpenGroups(ctx, s.db, ids)
	if err != nil {
		return nil, app.Internal(err)
	}
	committees, err := models.LiveCommittees(ctx, s.db, ids)
	if err != nil {
		return nil, app.Internal(err)
	}
	bodies, err := models.ActingTransitionalBodies(ctx, s.db, ids)
	if err != nil {
		return nil, app.Internal(err)
	}
	need := ids
	if lean {
		need = make([]int64, 0, len(ids))
		for _, id := range ids {
			_, g := groups[id]
			_, c := committees[id]
			_, b := bodies[id]
			if !g && !c && !b {
				need = append(need, id)
			}
		}
	}
	deliveries, err := models.DeliveryStats(ctx, s.db, need)
	if err != nil {
		return nil, app.Internal(err)
	}
	now := s.clock()
	out := make([]FormationStatus, 0, len(estates))
	for _, e := range estates {
		prof, _ := rules.ProfileByCode(e.ProfileCode)
		var g *models.FormationGroup
		if v, ok := groups[e.ID]; ok {
			g = &v
		}
		var c *models.Committee
		if v, ok := committees[e.ID]; ok {
			c = &v
		}
		st := statusOf(e, prof, deliveries[e.ID], facts[e.ID], g, c, now)
		if b, ok := bodies[e.ID]; ok {
			st.TransitionalID, st.TransitionalKind, st.TransitionalLabel = b.ID, b.Kind, TransitionalKindLabel(b.Kind)
			if st.Stage == StageNotDue || st.Stage == StageDue || st.Stage == StageCommitteeForming {
				st.Stage = StageTransitional
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// EstatesDue lists the estates in the principal's jurisdiction that need a group now:
// formation is due and no group or committee exists yet, or a committee's re-election
// should have started and no re-election group is open.
func (s *Service) EstatesDue(ctx context.Context, p app.Principal) ([]FormationStatus, error) {
	estates, err := s.orgs.ListEstates(ctx, p)
	if err != nil {
		return nil, err
	}
	all, err := s.statuses(ctx, estates, false)
	if err != nil {
		return nil, err
	}
	var due []FormationStatus
	for _, st := range all {
		if st.Stage == StageDue || st.ReelectionDue {
			due = append(due, st)
		}
	}
	return due, nil
}

// ApplicationInput records the events the preparatory-group deadlines run from (BJ 31,
// SH 15): the day the street office received the owners' written application or the
// developer's report, and the day it decided to set up the group (nil: not yet).
type ApplicationInput struct {
	AppliedAt time.Time
	DecidedAt *time.Time
}

// RecordApplication records when the application to form the owners' assembly was received
// and when the street office decided on it. The deadlines for the decision and for forming
// the group run from these dates (rules.PrepDeadlines), not from the recording. Neither
// date may lie in the future, and the decision may not precede the application.
func (s *Service) RecordApplication(ctx context.Context, p app.Principal, estateID int64, in ApplicationInput) error {
	e, _, err := s.estateForChange(ctx, p, estateID, models.GroupKindPrep, actCompose)
	if err != nil {
		return err
	}
	now := s.clock()
	if in.AppliedAt.IsZero() {
		return app.Invalid("applied_at", app.M("err.formation.the_application_date_is_required"))
	}
	applied := in.AppliedAt.UTC().Truncate(time.Second)
	if applied.After(now) {
		return app.Invalid("applied_at", app.M("err.formation.the_application_cannot_lie_in_the_future"))
	}
	var decided *time.Time
	if in.DecidedAt != nil {
		t := in.DecidedAt.UTC().Truncate(time.Second)
		switch {
		case t.After(now):
			return app.Invalid("decided_at", app.M("err.formation.the_decision_cannot_lie_in_the_future"))
		case t.Before(applied):
			return app.Invalid("decided_at", app.M("err.formation.the_decision_cannot_precede_the_application"))
		}
		decided = &t
	}
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var row models.EstateFormation
		res := tx.Where("estate_id = ?", e.ID).Limit(1).Find(&row)
		if res.Error != nil {
			return fmt.Errorf("reading formation facts: %w", res.Error)
		}
		row.EstateID, row.AppliedAt, row.DecidedAt, row.UpdatedAt = e.ID, &applied, decided, now
		if res.RowsAffected == 0 {
			row.CreatedAt = now
			if err := tx.Create(&row).Error; err != nil {
				if database.IsDuplicate(err) {
					return app.Fail(app.EConflict, "err.formation.changed_concurrently")
				}
				return fmt.Errorf("saving the application: %w", err)
			}
		} else if err := tx.Model(&row).Select("applied_at", "decided_at", "updated_at").Updates(&row).Error; err != nil {
			return fmt.Errorf("saving the application: %w", err)
		}
		detail := map[string]any{"applied_at": day(applied), "decided_at": nil}
		if decided != nil {
			detail["decided_at"] = day(*decided)
		}
		return record(ctx, tx, p, e, "formation.application", "estate", e.ID, detail)
	})
}

// FactsInput are the formation facts staff record for an estate.
type FactsInput struct {
	FirstDeliveryAt *time.Time // when the first unit was delivered; nil when unknown
	Note            string
}

// SetFacts records when the estate's first unit was delivered (SH 13 counts two years
// from it); the delivered area comes from the roster's units.
func (s *Service) SetFacts(ctx context.Context, p app.Principal, estateID int64, in FactsInput) error {
	e, _, err := s.estateForChange(ctx, p, estateID, models.GroupKindPrep, actWork)
	if err != nil {
		return err
	}
	note, err := text("note", in.Note, 0, 500, app.M("err.formation.label_note"))
	if err != nil {
		return err
	}
	now := s.clock()
	if in.FirstDeliveryAt != nil {
		t := in.FirstDeliveryAt.UTC().Truncate(time.Second)
		if t.After(now) {
			return app.Invalid("first_delivery_at", app.M("err.formation.the_first_delivery_cannot_lie_in_the_future"))
		}
		in.FirstDeliveryAt = &t
	}
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var row models.EstateFormation
		res := tx.Where("estate_id = ?", e.ID).Limit(1).Find(&row)
		if res.Error != nil {
			return app.Internal(fmt.Errorf("reading formation facts: %w", res.Error))
		}
		row.EstateID, row.FirstDeliveryAt, row.Note, row.UpdatedAt = e.ID, in.FirstDeliveryAt, note, now
		if res.RowsAffected == 0 {
			row.CreatedAt = now
			if err := tx.Create(&row).Error; err != nil {
				if database.IsDuplicate(err) {
					return app.Fail(app.EConflict, "err.formation.changed_concurrently")
				}
				return app.Internal(fmt.Errorf("saving formation facts: %w", err))
			}
		} else if err := tx.Model(&row).Select("first_delivery_at", "note", "updated_at").Updates(&row).Error; err != nil {
			return app.Internal(fmt.Errorf("saving formation facts: %w", err))
		}
		detail := map[string]any{"first_delivery_at": nil}
		if in.FirstDeliveryAt != nil {
			detail["first_delivery_at"] = day(*in.FirstDeliveryAt)
		}
		return record(ctx, tx, p, e, "formation.facts", "estate", e.ID, detail)
	}))
}
