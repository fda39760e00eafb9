package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/formation"
	"gongzhi/app/rules"
	"gongzhi/handlers/httpx"
)

// FormationHandlers serve the formation API: the estate's formation status, the
// preparatory or re-election group, candidates with their eligibility checklist, the
// candidate list, and the committee with its officers and filing. Each handler binds,
// validates and calls one service method.
type FormationHandlers struct {
	Formation *formation.Service
	Validate  *httpx.Validator
}

// FormationDue lists the estates in the caller's jurisdiction that need a group now.
func (h *FormationHandlers) FormationDue(c *fiber.Ctx) error {
	list, err := h.Formation.EstatesDue(httpx.Ctx(c), httpx.MustPrincipal(c))
	if err != nil {
		return err
	}
	out := make([]fmStatusJSON, 0, len(list))
	for _, st := range list {
		out = append(out, fmToStatusJSON(st))
	}
	return c.JSON(out)
}

// FormationOverview returns an estate's whole formation path.
func (h *FormationHandlers) FormationOverview(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	ov, err := h.Formation.Overview(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fmToOverviewJSON(ov))
}

type fmFactsRequest struct {
	FirstDeliveryAt *time.Time `json:"first_delivery_at"`
	Note            string     `json:"note" validate:"max=500"`
}

// SetFormationFacts records when the estate's first unit was delivered.
func (h *FormationHandlers) SetFormationFacts(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmFactsRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	p := httpx.MustPrincipal(c)
	if err := h.Formation.SetFacts(httpx.Ctx(c), p, id, formation.FactsInput{FirstDeliveryAt: req.FirstDeliveryAt, Note: req.Note}); err != nil {
		return err
	}
	st, err := h.Formation.Status(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return c.JSON(fmToStatusJSON(st))
}

func fmCreated(c *fiber.Ctx, id int64) error {
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id})
}

type fmGroupRequest struct {
	Kind                  string     `json:"kind" validate:"required,oneof=prep reelection"`
	FormedAt              *time.Time `json:"formed_at"`
	PlannedMeetingAt      *time.Time `json:"planned_meeting_at"`
	DeveloperAbsentReason string     `json:"developer_absent_reason" validate:"max=500"`
}

// CreateGroup forms a preparatory or re-election group for an estate.
func (h *FormationHandlers) CreateGroup(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmGroupRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	gid, err := h.Formation.CreateGroup(httpx.Ctx(c), httpx.MustPrincipal(c), id, formation.NewGroup{Kind: req.Kind, FormedAt: req.FormedAt,
		PlannedMeetingAt: req.PlannedMeetingAt, DeveloperAbsentReason: req.DeveloperAbsentReason})
	if err != nil {
		return err
	}
	return fmCreated(c, gid)
}

// GetGroup returns a group with its members, checks, duties, objections, candidates,
// candidate lists and slate.
func (h *FormationHandlers) GetGroup(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	g, err := h.Formation.Group(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fmToGroupJSON(g))
}

type fmGroupUpdateRequest struct {
	PlannedMeetingAt      *time.Time `json:"planned_meeting_at"`
	DeveloperAbsentReason *string    `json:"developer_absent_reason" validate:"omitempty,max=500"`
}

// UpdateGroup plans the meeting or records why the developer is absent.
func (h *FormationHandlers) UpdateGroup(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmGroupUpdateRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	p := httpx.MustPrincipal(c)
	if err := h.Formation.UpdateGroup(httpx.Ctx(c), p, id, formation.GroupUpdate{PlannedMeetingAt: req.PlannedMeetingAt,
		DeveloperAbsentReason: req.DeveloperAbsentReason}); err != nil {
		return err
	}
	g, err := h.Formation.Group(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return c.JSON(fmToGroupJSON(g))
}

type fmReasonRequest struct {
	Reason string `json:"reason" validate:"required,max=500"`
}

// DissolveGroup dissolves a group before its work is done.
func (h *FormationHandlers) DissolveGroup(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmReasonRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Formation.DissolveGroup(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Reason); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type fmMemberRequest struct {
	Role          string `json:"role" validate:"required,oneof=owner_rep developer street_office residents_committee party_org"`
	Name          string `json:"name" validate:"required,max=50"`
	Room          string `json:"room" validate:"max=64"`
	Organisation  string `json:"organisation" validate:"max=100"`
	Leader        bool   `json:"leader"`
	MeetsCriteria bool   `json:"meets_criteria"`
	Duty          string `json:"duty" validate:"max=100"`
}

func (r fmMemberRequest) input() formation.MemberInput {
	return formation.MemberInput{Role: rules.PrepRole(r.Role), Name: r.Name, Room: r.Room, Organisation: r.Organisation, Leader: r.Leader,
		MeetsCriteria: r.MeetsCriteria, Duty: r.Duty}
}

// AddGroupMember adds a member to a group.
func (h *FormationHandlers) AddGroupMember(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmMemberRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	mid, err := h.Formation.AddMember(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.input())
	if err != nil {
		return err
	}
	return fmCreated(c, mid)
}

// UpdateGroupMember changes a member.
func (h *FormationHandlers) UpdateGroupMember(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmMemberRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Formation.UpdateMember(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.input()); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// WithdrawGroupMember takes a member off the group.
func (h *FormationHandlers) WithdrawGroupMember(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.Formation.WithdrawMember(httpx.Ctx(c), httpx.MustPrincipal(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// PublishMemberList publishes the member list; composition violations are a 422 whose
// details name each rule (field = the rule code).
func (h *FormationHandlers) PublishMemberList(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	res, err := h.Formation.PublishMemberList(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"published_at": res.PublishedAt, "version": res.Version, "late": res.Late, "deadline": res.Deadline,
		"warnings": fmViolationsJSON(res.Warnings)})
}

type fmDutyRequest struct {
	Evidence string     `json:"evidence" validate:"required,max=1000"`
	DoneAt   *time.Time `json:"done_at"`
}

// CompleteDuty marks a checklist item done with its evidence.
func (h *FormationHandlers) CompleteDuty(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmDutyRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Formation.CompleteDuty(httpx.Ctx(c), httpx.MustPrincipal(c), id, c.Params("code"), formation.DutyInput{Evidence: req.Evidence, DoneAt: req.DoneAt}); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type fmObjectionRequest struct {
	Kind        string     `json:"kind" validate:"required,oneof=member_list candidate_list"`
	CandidateID int64      `json:"candidate_id" validate:"gte=0"`
	Content     string     `json:"content" validate:"required,max=2000"`
	Submitter   string     `json:"submitter" validate:"max=100"`
	ReceivedAt  *time.Time `json:"received_at"`
}

// AddObjection records an objection to the member list or the candidate list.
func (h *FormationHandlers) AddObjection(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmObjectionRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	oid, err := h.Formation.AddObjection(httpx.Ctx(c), httpx.MustPrincipal(c), id, formation.ObjectionInput{Kind: req.Kind,
		CandidateID: req.CandidateID, Content: req.Content, Submitter: req.Submitter, ReceivedAt: req.ReceivedAt})
	if err != nil {
		return err
	}
	return fmCreated(c, oid)
}

type fmAnswerRequest struct {
	Answer string `json:"answer" validate:"required,max=2000"`
}

// AnswerObjection records the answer to an objection.
func (h *FormationHandlers) AnswerObjection(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmAnswerRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Formation.AnswerObjection(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Answer); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type fmNominationRequest struct {
	Name            string `json:"name" validate:"required,max=50"`
	Room            string `json:"room" validate:"required,max=64"`
	NominationKind  string `json:"nomination_kind" validate:"required,oneof=self joint party_org residents_committee street_office"`
	Nominators      string `json:"nominators" validate:"max=500"`
	PoliticalStatus string `json:"political_status" validate:"required,oneof=masses cyl_member cpc_member cpc_probationary democratic_party independent"`
	Occupation      string `json:"occupation" validate:"max=100"`
}

// Nominate records a committee candidate.
func (h *FormationHandlers) Nominate(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmNominationRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	cid, err := h.Formation.Nominate(httpx.Ctx(c), httpx.MustPrincipal(c), id, formation.NominationInput{Name: req.Name, Room: req.Room,
		Kind: rules.NominationKind(req.NominationKind), Nominators: req.Nominators, PoliticalStatus: formation.PoliticalStatus(req.PoliticalStatus),
		Occupation: req.Occupation})
	if err != nil {
		return err
	}
	return fmCreated(c, cid)
}

// GetCandidate returns a candidate with the eligibility checklist.
func (h *FormationHandlers) GetCandidate(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	cv, err := h.Formation.Candidate(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fmToCandidateJSON(cv))
}

type fmCheckRequest struct {
	Criterion  string     `json:"criterion" validate:"required,max=64"`
	Met        *bool      `json:"met" validate:"required"`
	Evidence   string     `json:"evidence" validate:"max=1000"`
	Reviewer   string     `json:"reviewer" validate:"required,max=100"`
	ReviewedAt *time.Time `json:"reviewed_at"`
}

// RecordCheck records the review of one eligibility criterion.
func (h *FormationHandlers) RecordCheck(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmCheckRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	el, err := h.Formation.RecordCheck(httpx.Ctx(c), httpx.MustPrincipal(c), id, formation.CheckInput{Criterion: req.Criterion, Met: *req.Met,
		Evidence: req.Evidence, Reviewer: req.Reviewer, ReviewedAt: req.ReviewedAt})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"eligible": el.Eligible, "pending": nonNil(el.Pending), "failed": nonNil(el.Failed)})
}

type fmChecklistItem struct {
	Criterion string `json:"criterion" validate:"required"`
	Met       *bool  `json:"met" validate:"required"`
	Evidence  string `json:"evidence" validate:"max=1000"`
}

type fmChecklistRequest struct {
	Reviewer   string            `json:"reviewer" validate:"required,max=100"`
	ReviewedAt *time.Time        `json:"reviewed_at"`
	Checks     []fmChecklistItem `json:"checks" validate:"required,min=1,max=20,dive"`
}

// RecordChecklist records several criteria of a candidate at once, all or nothing (issue 16).
func (h *FormationHandlers) RecordChecklist(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmChecklistRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	in := formation.ChecklistInput{Reviewer: req.Reviewer, ReviewedAt: req.ReviewedAt}
	for _, ch := range req.Checks {
		in.Checks = append(in.Checks, formation.CheckInput{Criterion: ch.Criterion, Met: *ch.Met, Evidence: ch.Evidence})
	}
	el, err := h.Formation.RecordChecklist(httpx.Ctx(c), httpx.MustPrincipal(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"eligible": el.Eligible, "pending": nonNil(el.Pending), "failed": nonNil(el.Failed)})
}

type fmReviewRequest struct {
	Decision           string     `json:"decision" validate:"required,oneof=qualified disqualified"`
	PartyOrgReviewer   string     `json:"party_org_reviewer" validate:"required,max=100"`
	PartyOrgReviewedAt *time.Time `json:"party_org_reviewed_at"`
	Note               string     `json:"note" validate:"max=1000"`
}

// ReviewCandidate decides a candidate's qualification with the community Party organisation.
func (h *FormationHandlers) ReviewCandidate(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmReviewRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	p := httpx.MustPrincipal(c)
	if err := h.Formation.Review(httpx.Ctx(c), p, id, formation.ReviewInput{Decision: formation.Decision(req.Decision),
		PartyOrgReviewer: req.PartyOrgReviewer, PartyOrgReviewedAt: req.PartyOrgReviewedAt, Note: req.Note}); err != nil {
		return err
	}
	cv, err := h.Formation.Candidate(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return c.JSON(fmToCandidateJSON(cv))
}

type fmNoteRequest struct {
	Note string `json:"note" validate:"max=1000"`
}

// WithdrawCandidate takes a candidate off.
func (h *FormationHandlers) WithdrawCandidate(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmNoteRequest
	if len(c.Body()) > 0 {
		if err := h.Validate.Bind(c, &req); err != nil {
			return err
		}
	}
	if err := h.Formation.WithdrawCandidate(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Note); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type fmListRequest struct {
	VotePlannedAt *time.Time `json:"vote_planned_at" validate:"required"`
	PublishedAt   *time.Time `json:"published_at"`
	ShowUntil     *time.Time `json:"show_until"`
}

// PublishCandidateList publishes the qualified candidates; the lead and showing periods
// of the profile are a 422 naming the field.
func (h *FormationHandlers) PublishCandidateList(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmListRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	res, err := h.Formation.PublishCandidateList(httpx.Ctx(c), httpx.MustPrincipal(c), id, formation.ListInput{VotePlannedAt: *req.VotePlannedAt,
		PublishedAt: req.PublishedAt, ShowUntil: req.ShowUntil})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": res.ID, "version": res.Version, "show_until": res.ShowUntil})
}

// GetSlate returns the final slate as the candidates of an election item: keys in
// published order with names and rooms, for creating the vote that elects the committee.
func (h *FormationHandlers) GetSlate(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	keys, refs, err := h.Formation.SlateRefs(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	out := make([]fiber.Map, 0, len(keys))
	for _, k := range keys {
		out = append(out, fiber.Map{"key": k, "name": refs[k].Name, "room": refs[k].Room, "candidate_id": refs[k].CandidateID})
	}
	return c.JSON(fiber.Map{"candidates": out})
}

// GetEstateCommittee returns the estate's live committee.
func (h *FormationHandlers) GetEstateCommittee(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	ov, err := h.Formation.Overview(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	if ov.Committee == nil {
		return app.Fail(app.ENotFound, "err.api.no_committee_yet")
	}
	return c.JSON(fmToCommitteeJSON(*ov.Committee))
}

// GetCommittee returns one committee.
func (h *FormationHandlers) GetCommittee(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	cv, err := h.Formation.Committee(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fmToCommitteeJSON(cv))
}

type fmOfficersRequest struct {
	ChairMemberID      int64      `json:"chair_member_id" validate:"required,gt=0"`
	ViceChairMemberIDs []int64    `json:"vice_chair_member_ids" validate:"max=4,dive,gt=0"`
	ElectedAt          *time.Time `json:"elected_at"`
}

// SetOfficers records the chair and vice-chairs the members elected.
func (h *FormationHandlers) SetOfficers(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmOfficersRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	res, err := h.Formation.SetOfficers(httpx.Ctx(c), httpx.MustPrincipal(c), id, formation.OfficersInput{ChairMemberID: req.ChairMemberID,
		ViceChairMemberIDs: req.ViceChairMemberIDs, ElectedAt: req.ElectedAt})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"late": res.Late, "deadline": fmNonZeroTime(res.Deadline)})
}

type fmFilingRequest struct {
	Documents   []string   `json:"documents" validate:"required,min=1,max=50,dive,required,max=200"`
	ReferenceNo string     `json:"reference_no" validate:"max=100"`
	FiledAt     *time.Time `json:"filed_at"`
	Note        string     `json:"note" validate:"max=500"`
}

// FileCommittee records the committee's filing with the street office.
func (h *FormationHandlers) FileCommittee(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req fmFilingRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	res, err := h.Formation.FileCommittee(httpx.Ctx(c), httpx.MustPrincipal(c), id, formation.FilingInput{Documents: req.Documents,
		ReferenceNo: req.ReferenceNo, FiledAt: req.FiledAt, Note: req.Note})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"kind": res.Kind, "overdue": res.Overdue, "deadline": fmNonZeroTime(res.Deadline)})
}
