package formation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// PoliticalStatus is a candidate's political status (政治面貌), recorded for committee
// candidates only and published with the candidate list.
type PoliticalStatus string

// The political statuses.
const (
	PoliticalMasses          PoliticalStatus = "masses"           // 群众
	PoliticalCYLMember       PoliticalStatus = "cyl_member"       // 共青团员
	PoliticalCPCMember       PoliticalStatus = "cpc_member"       // 中共党员
	PoliticalCPCProbationary PoliticalStatus = "cpc_probationary" // 中共预备党员
	PoliticalDemocraticParty PoliticalStatus = "democratic_party" // 民主党派成员
	PoliticalIndependent     PoliticalStatus = "independent"      // 无党派人士
)

// PoliticalStatuses lists the statuses in display order.
func PoliticalStatuses() []PoliticalStatus {
	return []PoliticalStatus{PoliticalMasses, PoliticalCYLMember, PoliticalCPCMember, PoliticalCPCProbationary,
		PoliticalDemocraticParty, PoliticalIndependent}
}

// Valid tells whether s is a known status.
func (s PoliticalStatus) Valid() bool { return slices.Contains(PoliticalStatuses(), s) }

// Label is the Chinese name of the status.
func (s PoliticalStatus) Label() string {
	switch s {
	case PoliticalMasses:
		return "群众"
	case PoliticalCYLMember:
		return "共青团员"
	case PoliticalCPCMember:
		return "中共党员"
	case PoliticalCPCProbationary:
		return "中共预备党员"
	case PoliticalDemocraticParty:
		return "民主党派成员"
	case PoliticalIndependent:
		return "无党派人士"
	}
	return string(s)
}

// PartyMember tells whether the status counts for the Party-member ratio: full and
// probationary members of the Communist Party of China.
func (s PoliticalStatus) PartyMember() bool {
	return s == PoliticalCPCMember || s == PoliticalCPCProbationary
}

// CandidateStatusLabel is the Chinese name of a candidate status.
func CandidateStatusLabel(status string) string {
	switch status {
	case models.CandidateNominated:
		return "已提名"
	case models.CandidateUnderReview:
		return "资格审查中"
	case models.CandidateQualified:
		return "资格审查通过"
	case models.CandidateDisqualified:
		return "资格审查未通过"
	case models.CandidateWithdrawn:
		return "已退出"
	}
	return status
}

// NominationInput nominates a committee candidate.
type NominationInput struct {
	Name            string
	Room            string // the candidate's room key in the roster, e.g. "1-1-101"
	Kind            rules.NominationKind
	Nominators      string // joint nomination: the nominating owners; a body's nomination: the body
	PoliticalStatus PoliticalStatus
	Occupation      string
}

// Nominate records a candidate nominated by themselves, jointly by owners, or by the
// community Party organisation, the residents' committee or the street office (BJ 40,
// NB 30). The room must be in the estate's roster.
func (s *Service) Nominate(ctx context.Context, p app.Principal, groupID int64, in NominationInput) (int64, error) {
	g, e, _, err := s.groupForChange(ctx, p, groupID, actWork)
	if err != nil {
		return 0, err
	}
	if !in.Kind.Valid() {
		return 0, app.Invalid("nomination_kind", "提名方式须为 self、joint、party_org、residents_committee 或 street_office")
	}
	if !in.PoliticalStatus.Valid() {
		return 0, app.Invalid("political_status", "政治面貌须为 masses、cyl_member、cpc_member、cpc_probationary、democratic_party 或 independent")
	}
	name, err := text("name", in.Name, 1, 50, app.M("err.formation.label_name"))
	if err != nil {
		return 0, err
	}
	room, err := text("room", in.Room, 1, 64, app.M("err.formation.label_room"))
	if err != nil {
		return 0, err
	}
	nominators, err := text("nominators", in.Nominators, 0, 500, app.M("err.formation.label_nominators"))
	if err != nil {
		return 0, err
	}
	if in.Kind == rules.NominationJoint && nominators == "" {
		return 0, app.Invalid("nominators", app.M("err.formation.a_joint_nomination_names_its_owners"))
	}
	occupation, err := text("occupation", in.Occupation, 0, 100, app.M("err.formation.label_occupation"))
	if err != nil {
		return 0, err
	}
	now := s.clock()
	c := models.Candidate{EstateID: e.ID, GroupID: g.ID, Name: name, Room: room, NominationKind: string(in.Kind), Nominators: nominators,
		PoliticalStatus: string(in.PoliticalStatus), Occupation: occupation, Status: models.CandidateNominated,
		CreatedBy: p.Username, CreatedAt: now, UpdatedAt: now}
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if _, found, err := models.UnitOwnerNames(ctx, tx, e.ID, room); err != nil {
			return err
		} else if !found {
			return app.Invalid("room", app.M("err.formation.no_such_room_in_the_roster", room))
		}
		if err := tx.Create(&c).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.formation.already_nominated", name, room)
			}
			return fmt.Errorf("nominating: %w", err)
		}
		return record(ctx, tx, p, e, "formation.candidate.nominate", "candidate", c.ID,
			map[string]any{"group_id": g.ID, "kind": c.NominationKind})
	}))
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// candidateForChange loads a candidate of an open group the principal may work on.
func (s *Service) candidateForChange(ctx context.Context, p app.Principal, candidateID int64) (models.Candidate, models.FormationGroup, models.EstateWithPath, error) {
	var c models.Candidate
	if err := s.db.WithContext(ctx).First(&c, candidateID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return c, models.FormationGroup{}, models.EstateWithPath{}, app.Fail(app.ENotFound, "err.formation.no_such_candidate")
		}
		return c, models.FormationGroup{}, models.EstateWithPath{}, app.Internal(err)
	}
	g, e, _, err := s.groupForChange(ctx, p, c.GroupID, actWork)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			err = app.Fail(app.ENotFound, "err.formation.no_such_candidate")
		}
		return c, g, e, err
	}
	if c.Status == models.CandidateWithdrawn {
		return c, g, e, app.Fail(app.EConflict, "err.formation.the_candidate_has_withdrawn")
	}
	return c, g, e, nil
}

// CheckInput is one review of one eligibility criterion.
type CheckInput struct {
	Criterion  string // a code of rules.EligibilityCriteria
	Met        bool
	Evidence   string // what the reviewer saw: a certificate, a register extract, the signed pledge
	Reviewer   string // the person who reviewed it
	ReviewedAt *time.Time
}

// Eligibility is a candidate's standing on the checklist (rules.EvaluateEligibility).
type Eligibility struct {
	Eligible bool
	Pending  []string
	Failed   []string
}

// RecordCheck records the review of one criterion with its evidence and reviewer; it
// supersedes an earlier review of the same criterion. A candidate already decided goes
// back under review, since the decision rested on the old checklist.
func (s *Service) RecordCheck(ctx context.Context, p app.Principal, candidateID int64, in CheckInput) (Eligibility, error) {
	c, _, e, err := s.candidateForChange(ctx, p, candidateID)
	if err != nil {
		return Eligibility{}, err
	}
	if !knownCriterion(in.Criterion) {
		return Eligibility{}, app.Invalid("criterion", app.M("err.formation.unknown_criterion"))
	}
	evidence, err := text("evidence", in.Evidence, 0, 1000, app.M("err.formation.label_evidence"))
	if err != nil {
		return Eligibility{}, err
	}
	reviewer, err := text("reviewer", in.Reviewer, 1, 100, app.M("err.formation.label_reviewer"))
	if err != nil {
		return Eligibility{}, err
	}
	now := s.clock()
	reviewedAt, err := checkReviewedAt(in.ReviewedAt, now)
	if err != nil {
		return Eligibility{}, err
	}
	in.Evidence, in.Reviewer, in.ReviewedAt = evidence, reviewer, &reviewedAt
	return s.writeChecks(ctx, p, c, e, []CheckInput{in}, now, "formation.candidate.check")
}

// ChecklistInput is a reviewer's pass over a candidate's whole checklist in one form:
// one review per criterion reviewed (criteria left out keep their current review).
type ChecklistInput struct {
	Reviewer   string
	ReviewedAt *time.Time
	Checks     []CheckInput // Reviewer and ReviewedAt of each are taken from the checklist
}

// RecordChecklist records several criteria of a candidate at once, each with its
// evidence, in one transaction: all or nothing. A refusal names every criterion at
// fault by its name (field checks.<code>.evidence / checks.<code>.criterion).
func (s *Service) RecordChecklist(ctx context.Context, p app.Principal, candidateID int64, in ChecklistInput) (Eligibility, error) {
	c, _, e, err := s.candidateForChange(ctx, p, candidateID)
	if err != nil {
		return Eligibility{}, err
	}
	reviewer, err := text("reviewer", in.Reviewer, 1, 100, app.M("err.formation.label_reviewer"))
	if err != nil {
		return Eligibility{}, err
	}
	now := s.clock()
	reviewedAt, err := checkReviewedAt(in.ReviewedAt, now)
	if err != nil {
		return Eligibility{}, err
	}
	bad := &app.Error{Code: app.EInvalid}
	seen := map[string]bool{}
	checks := make([]CheckInput, 0, len(in.Checks))
	for _, ch := range in.Checks {
		field := "checks." + ch.Criterion
		switch {
		case !knownCriterion(ch.Criterion):
			bad.Details = append(bad.Details, app.Detail{Field: field + ".criterion", Msg: app.M("err.formation.unknown_criterion")})
			continue
		case seen[ch.Criterion]:
			bad.Details = append(bad.Details, app.Detail{Field: field + ".criterion", Msg: app.M("err.formation.listed_twice", criterionName(ch.Criterion))})
			continue
		}
		seen[ch.Criterion] = true
		ev := strings.TrimSpace(ch.Evidence)
		switch {
		case len([]rune(ev)) > 1000:
			bad.Details = append(bad.Details, app.Detail{Field: field + ".evidence", Msg: app.M("err.formation.evidence_at_most_1000_characters", criterionName(ch.Criterion))})
		case ch.Met && ev == "":
			bad.Details = append(bad.Details, app.Detail{Field: field + ".evidence", Msg: app.M("err.formation.met_needs_its_evidence", criterionName(ch.Criterion))})
		}
		checks = append(checks, CheckInput{Criterion: ch.Criterion, Met: ch.Met, Evidence: ev, Reviewer: reviewer, ReviewedAt: &reviewedAt})
	}
	if len(in.Checks) == 0 {
		bad.Details = append(bad.Details, app.Detail{Field: "checks", Msg: app.M("err.formation.review_at_least_one_criterion")})
	}
	if len(bad.Details) > 0 {
		bad.Msg = bad.Details[0].Msg
		return Eligibility{}, bad
	}
	return s.writeChecks(ctx, p, c, e, checks, now, "formation.candidate.checklist")
}

// knownCriterion tells whether code is a criterion of the checklist.
func knownCriterion(code string) bool {
	for _, cr := range rules.EligibilityCriteria() {
		if cr.Code == code {
			return true
		}
	}
	return false
}

// checkReviewedAt is when a review took place: now, or a day up to today.
func checkReviewedAt(at *time.Time, now time.Time) (time.Time, error) {
	if at == nil {
		return now, nil
	}
	t := at.UTC().Truncate(time.Second)
	if rules.CalendarDaysBetween(now, t) > 0 {
		return t, app.Invalid("reviewed_at", "审查时间不能晚于今天")
	}
	return t, nil
}

// writeChecks stores checked reviews in one transaction: each supersedes the current
// review of its criterion; the candidate goes (back) under review; one audit entry.
func (s *Service) writeChecks(ctx context.Context, p app.Principal, c models.Candidate, e models.EstateWithPath, checks []CheckInput, now time.Time, action string) (Eligibility, error) {
	var out Eligibility
	err := app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		detail := map[string]any{}
		for _, in := range checks {
			if err := tx.Model(&models.EligibilityCheck{}).Where("candidate_id = ? AND current_criterion = ?", c.ID, in.Criterion).
				Updates(map[string]any{"current_criterion": nil, "superseded_at": now}).Error; err != nil {
				return fmt.Errorf("superseding check: %w", err)
			}
			check := models.EligibilityCheck{CandidateID: c.ID, Criterion: in.Criterion, CurrentCriterion: ptr(in.Criterion), Met: in.Met,
				Evidence: in.Evidence, Reviewer: in.Reviewer, ReviewedAt: *in.ReviewedAt, RecordedBy: p.Username, CreatedAt: now}
			if err := tx.Create(&check).Error; err != nil {
				if database.IsDuplicate(err) {
					return app.Fail(app.EConflict, "err.formation.recorded_concurrently")
				}
				return fmt.Errorf("recording check: %w", err)
			}
			detail[in.Criterion] = in.Met
		}
		current, err := models.CurrentChecks(ctx, tx, []int64{c.ID})
		if err != nil {
			return err
		}
		out = Eligibility{}
		out.Eligible, out.Pending, out.Failed = rules.EvaluateEligibility(ruleChecks(current))
		if c.Status != models.CandidateUnderReview {
			if err := tx.Model(&models.Candidate{}).Where("id = ?", c.ID).
				Updates(map[string]any{"status": models.CandidateUnderReview, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("putting candidate under review: %w", err)
			}
		}
		if len(checks) == 1 {
			return record(ctx, tx, p, e, action, "candidate", c.ID,
				map[string]any{"criterion": checks[0].Criterion, "met": checks[0].Met, "eligible": out.Eligible})
		}
		return record(ctx, tx, p, e, action, "candidate", c.ID, map[string]any{"criteria": detail, "eligible": out.Eligible})
	}))
	return out, err
}

// ruleChecks maps stored reviews to the rule's input.
func ruleChecks(checks []models.EligibilityCheck) []rules.CriterionCheck {
	out := make([]rules.CriterionCheck, 0, len(checks))
	for _, ch := range checks {
		out = append(out, rules.CriterionCheck{Code: ch.Criterion, Met: ptr(ch.Met), Evidence: ch.Evidence, Reviewer: ch.Reviewer})
	}
	return out
}

// Decision is the outcome of a qualification review.
type Decision string

// The review outcomes.
const (
	DecisionQualified    Decision = "qualified"
	DecisionDisqualified Decision = "disqualified"
)

// ReviewInput is the qualification review by the group with the community Party
// organisation (NB 31; seed 001 "候选人资格审议制度").
type ReviewInput struct {
	Decision           Decision
	PartyOrgReviewer   string     // who reviewed for the community Party organisation
	PartyOrgReviewedAt *time.Time // nil means now
	Note               string     // required when disqualifying: the reason
}

// Review decides a candidate's qualification. Qualified needs every criterion of the
// checklist satisfied (rules.EvaluateEligibility); otherwise the 422 names the pending and
// failed criteria. The community Party organisation's reviewer is recorded either way.
func (s *Service) Review(ctx context.Context, p app.Principal, candidateID int64, in ReviewInput) error {
	c, _, e, err := s.candidateForChange(ctx, p, candidateID)
	if err != nil {
		return err
	}
	if in.Decision != DecisionQualified && in.Decision != DecisionDisqualified {
		return app.Invalid("decision", "审查结论须为 qualified 或 disqualified")
	}
	reviewer, err := text("party_org_reviewer", in.PartyOrgReviewer, 1, 100, app.M("err.formation.label_party_org_reviewer"))
	if err != nil {
		return err
	}
	note, err := text("note", in.Note, 0, 1000, app.M("err.formation.label_review_note"))
	if err != nil {
		return err
	}
	if in.Decision == DecisionDisqualified && note == "" {
		return app.Invalid("note", app.M("err.formation.give_the_reason_for_disqualifying"))
	}
	now := s.clock()
	reviewedAt := now
	if in.PartyOrgReviewedAt != nil {
		reviewedAt = in.PartyOrgReviewedAt.UTC().Truncate(time.Second)
		if rules.CalendarDaysBetween(now, reviewedAt) > 0 {
			return app.Invalid("party_org_reviewed_at", "审查时间不能晚于今天")
		}
	}
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		checks, err := models.CurrentChecks(ctx, tx, []int64{c.ID})
		if err != nil {
			return err
		}
		eligible, pending, failed := rules.EvaluateEligibility(ruleChecks(checks))
		if in.Decision == DecisionQualified && !eligible {
			ae := &app.Error{Code: app.EInvalid, Msg: app.M("err.formation.the_checklist_is_not_complete")}
			for _, code := range failed {
				ae.Details = append(ae.Details, app.Detail{Field: code, Msg: app.M("err.formation.criterion_failed", criterionTitle(code))})
			}
			for _, code := range pending {
				ae.Details = append(ae.Details, app.Detail{Field: code, Msg: app.M("err.formation.criterion_pending", criterionTitle(code))})
			}
			return ae
		}
		if err := tx.Model(&models.Candidate{}).Where("id = ?", c.ID).Updates(map[string]any{
			"status": string(in.Decision), "review_note": note, "party_org_reviewer": reviewer, "party_org_reviewed_at": reviewedAt,
			"reviewed_by": p.Username, "reviewed_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("recording review: %w", err)
		}
		return record(ctx, tx, p, e, "formation.candidate.review", "candidate", c.ID, map[string]any{"decision": string(in.Decision)})
	}))
}

// WithdrawCandidate takes a candidate off; a published list then needs publishing again.
func (s *Service) WithdrawCandidate(ctx context.Context, p app.Principal, candidateID int64, note string) error {
	c, _, e, err := s.candidateForChange(ctx, p, candidateID)
	if err != nil {
		return err
	}
	note, err = text("note", note, 0, 1000, app.M("err.formation.label_explanation"))
	if err != nil {
		return err
	}
	now := s.clock()
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		updates := map[string]any{"status": models.CandidateWithdrawn, "withdrawn_at": now, "updated_at": now}
		if note != "" {
			updates["review_note"] = strings.TrimSpace(c.ReviewNote + "\n退出：" + note)
		}
		if err := tx.Model(&models.Candidate{}).Where("id = ?", c.ID).Updates(updates).Error; err != nil {
			return fmt.Errorf("withdrawing candidate: %w", err)
		}
		return record(ctx, tx, p, e, "formation.candidate.withdraw", "candidate", c.ID, nil)
	}))
}

// criterionTitle is the Chinese title of a criterion code.
// criterionName is a criterion's name in the reader's language (issue 16: by name, never by code).
func criterionName(code string) app.Msg { return app.M("formation.criterion." + code) }

// criterionTitle is a criterion's title in a message: both languages, the catalogue
// picking the reader's.
func criterionTitle(code string) app.Msg {
	for _, c := range rules.EligibilityCriteria() {
		if c.Code == code {
			return app.M("err.formation.criterion_title", c.Title, c.TitleEN)
		}
	}
	return app.Plain(code)
}

// CheckView is one criterion of a candidate's checklist with its current review.
type CheckView struct {
	rules.Criterion
	Check *models.EligibilityCheck // nil when not yet reviewed
	State string                   // met, failed or pending
}

// CandidateView is a candidate with the checklist and labels.
type CandidateView struct {
	models.Candidate
	StatusLabel     string
	NominationLabel string
	PoliticalLabel  string
	PartyMember     bool
	Checks          []CheckView
	Eligibility     Eligibility
	RosterOwners    []string // the owners of the room in the roster, for the reviewer
	RosterMatch     bool     // the candidate's name is among them
}

// candidateViews lists the candidates of a group with their checklists.
func (s *Service) candidateViews(ctx context.Context, g models.FormationGroup) ([]CandidateView, error) {
	cands, err := models.GroupCandidates(ctx, s.db, g.ID)
	if err != nil {
		return nil, app.Internal(err)
	}
	ids := make([]int64, 0, len(cands))
	for _, c := range cands {
		ids = append(ids, c.ID)
	}
	checks, err := models.CurrentChecks(ctx, s.db, ids)
	if err != nil {
		return nil, app.Internal(err)
	}
	byCand := map[int64][]models.EligibilityCheck{}
	for _, ch := range checks {
		byCand[ch.CandidateID] = append(byCand[ch.CandidateID], ch)
	}
	out := make([]CandidateView, 0, len(cands))
	for _, c := range cands {
		v, err := s.candidateView(ctx, c, byCand[c.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// candidateView assembles one candidate's view from its current reviews.
func (s *Service) candidateView(ctx context.Context, c models.Candidate, checks []models.EligibilityCheck) (CandidateView, error) {
	ps := PoliticalStatus(c.PoliticalStatus)
	v := CandidateView{Candidate: c, StatusLabel: CandidateStatusLabel(c.Status), NominationLabel: rules.NominationKind(c.NominationKind).Label(),
		PoliticalLabel: ps.Label(), PartyMember: ps.PartyMember()}
	v.Eligibility.Eligible, v.Eligibility.Pending, v.Eligibility.Failed = rules.EvaluateEligibility(ruleChecks(checks))
	for _, cr := range rules.EligibilityCriteria() {
		cv := CheckView{Criterion: cr, State: "pending"}
		for i := range checks {
			if checks[i].Criterion == cr.Code {
				cv.Check = &checks[i]
			}
		}
		switch {
		case slices.Contains(v.Eligibility.Failed, cr.Code):
			cv.State = "failed"
		case !slices.Contains(v.Eligibility.Pending, cr.Code):
			cv.State = "met"
		}
		v.Checks = append(v.Checks, cv)
	}
	names, _, err := models.UnitOwnerNames(ctx, s.db, c.EstateID, c.Room)
	if err != nil {
		return v, app.Internal(err)
	}
	v.RosterOwners = names
	v.RosterMatch = slices.Contains(names, c.Name)
	return v, nil
}

// Candidate loads one candidate in the principal's jurisdiction with its checklist.
func (s *Service) Candidate(ctx context.Context, p app.Principal, candidateID int64) (CandidateView, error) {
	var c models.Candidate
	if err := s.db.WithContext(ctx).First(&c, candidateID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return CandidateView{}, app.Fail(app.ENotFound, "err.formation.no_such_candidate")
		}
		return CandidateView{}, app.Internal(err)
	}
	if _, err := s.orgs.Estate(ctx, p, c.EstateID); err != nil {
		return CandidateView{}, outOfSight(err, app.Fail(app.ENotFound, "err.formation.no_such_candidate"))
	}
	checks, err := models.CurrentChecks(ctx, s.db, []int64{c.ID})
	if err != nil {
		return CandidateView{}, app.Internal(err)
	}
	return s.candidateView(ctx, c, checks)
}

// CheckHistory lists every review of a candidate's criteria, superseded ones included,
// oldest first.
func (s *Service) CheckHistory(ctx context.Context, p app.Principal, candidateID int64) ([]models.EligibilityCheck, error) {
	if _, err := s.Candidate(ctx, p, candidateID); err != nil {
		return nil, err
	}
	var list []models.EligibilityCheck
	if err := s.db.WithContext(ctx).Where("candidate_id = ?", candidateID).Order("id").Find(&list).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("reading check history: %w", err))
	}
	return list, nil
}
