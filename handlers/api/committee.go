package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app/committee"
	"gongzhi/handlers/httpx"
)

// CommitteeHandlers serve the committee in office (issue 12): negative-list cases,
// cessation, attendance, change filing and re-election.
type CommitteeHandlers struct {
	Committee *committee.Service
	Validate  *httpx.Validator
}

type caseReportRequest struct {
	MemberID     int64      `json:"member_id"`
	Grounds      []string   `json:"grounds" validate:"max=14"`
	Facts        string     `json:"facts"`
	ReportedAt   *time.Time `json:"reported_at"`
	Reporter     string     `json:"reporter" validate:"max=16"`
	ReporterName string     `json:"reporter_name"`
}

// Report opens a negative-list case against a member: 201 {"id"}.
func (h *CommitteeHandlers) Report(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req caseReportRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	cid, err := h.Committee.Report(httpx.Ctx(c), httpx.MustPrincipal(c), id, committee.ReportInput{MemberID: req.MemberID, Grounds: req.Grounds,
		Facts: req.Facts, ReportedAt: req.ReportedAt, Reporter: req.Reporter, ReporterName: req.ReporterName})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": cid})
}

type caseVerifyRequest struct {
	Founded *bool      `json:"founded"`
	Reasons string     `json:"reasons"`
	At      *time.Time `json:"at"`
}

// Verify records the verification of a case.
func (h *CommitteeHandlers) Verify(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req caseVerifyRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Committee.Verify(httpx.Ctx(c), httpx.MustPrincipal(c), id, committee.VerifyInput{Founded: req.Founded, Reasons: req.Reasons, At: req.At}); err != nil {
		return err
	}
	return h.caseJSON(c, id)
}

type caseStepRequest struct {
	Text string     `json:"text"`
	At   *time.Time `json:"at"`
}

// Defence records the member's written defence.
func (h *CommitteeHandlers) Defence(c *fiber.Ctx) error {
	return h.stepOf(c, func(id int64, req caseStepRequest) error {
		return h.Committee.Defence(httpx.Ctx(c), httpx.MustPrincipal(c), id, committee.DefenceInput{Text: req.Text, At: req.At})
	})
}

// Propose records the proposal to the assembly.
func (h *CommitteeHandlers) Propose(c *fiber.Ctx) error {
	return h.stepOf(c, func(id int64, req caseStepRequest) error {
		return h.Committee.Propose(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Text, req.At)
	})
}

// Order records the street office's order to propose (BJ 46 ¶2).
func (h *CommitteeHandlers) Order(c *fiber.Ctx) error {
	return h.stepOf(c, func(id int64, req caseStepRequest) error {
		return h.Committee.Order(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Text, req.At)
	})
}

// Settle applies the final removal vote of a case (when finalisation did not).
func (h *CommitteeHandlers) Settle(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.Committee.Settle(httpx.Ctx(c), httpx.MustPrincipal(c), id); err != nil {
		return err
	}
	return h.caseJSON(c, id)
}

func (h *CommitteeHandlers) stepOf(c *fiber.Ctx, fn func(int64, caseStepRequest) error) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req caseStepRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := fn(id, req); err != nil {
		return err
	}
	return h.caseJSON(c, id)
}

// AddFile attaches an evidence file (multipart field "file"): 201 {"id"}.
func (h *CommitteeHandlers) AddFile(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	name, data, err := ReadUpload(c, "file", committee.MaxEvidence)
	if err != nil {
		return err
	}
	fid, err := h.Committee.AddFile(httpx.Ctx(c), httpx.MustPrincipal(c), id, name, data)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": fid})
}

// GetFile downloads an evidence file.
func (h *CommitteeHandlers) GetFile(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Committee.File(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/octet-stream")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="evidence-`+strconv.FormatInt(f.ID, 10)+`"`)
	c.Set("X-Content-SHA256", f.SHA256)
	return c.Send(f.Data)
}

type caseEventJSON struct {
	Kind       string    `json:"kind"`
	At         time.Time `json:"at"`
	By         string    `json:"by"`
	Note       string    `json:"note"`
	DocumentID *int64    `json:"document_id"`
}

type caseFileJSON struct {
	ID       int64  `json:"id"`
	Filename string `json:"filename"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
}

type caseJSON struct {
	ID              int64           `json:"id"`
	CommitteeID     int64           `json:"committee_id"`
	EstateID        int64           `json:"estate_id"`
	MemberID        int64           `json:"member_id"`
	MemberName      string          `json:"member_name"`
	MemberStatus    string          `json:"member_status"`
	Kind            string          `json:"kind"`
	Grounds         []string        `json:"grounds"`
	CessationReason string          `json:"cessation_reason,omitempty"`
	Facts           string          `json:"facts"`
	Reporter        string          `json:"reporter"`
	ReporterMask    string          `json:"reporter_mask,omitempty"`
	ReportedAt      time.Time       `json:"reported_at"`
	Status          string          `json:"status"`
	StatusLabel     string          `json:"status_label"`
	VerifyDue       *time.Time      `json:"verify_due"`
	VerifiedAt      *time.Time      `json:"verified_at"`
	Reasons         string          `json:"verification_reasons"`
	SuspendedAt     *time.Time      `json:"suspended_at"`
	SuspensionDoc   *int64          `json:"suspension_document_id"`
	DefenceDue      *time.Time      `json:"defence_due"`
	DefenceAt       *time.Time      `json:"defence_at"`
	ProposeDue      *time.Time      `json:"propose_due"`
	ProposedAt      *time.Time      `json:"proposed_at"`
	OrderedAt       *time.Time      `json:"ordered_at"`
	RemovalVoteID   *int64          `json:"removal_vote_id"`
	RemovalVotes    []int64         `json:"removal_votes"`
	Outcome         string          `json:"outcome"`
	OutcomeDoc      *int64          `json:"outcome_document_id"`
	EffectiveOn     *string         `json:"effective_on"`
	ConfirmedAt     *time.Time      `json:"confirmed_at"`
	ClosedAt        *time.Time      `json:"closed_at"`
	Overdue         bool            `json:"overdue"`
	OverdueWhat     string          `json:"overdue_what,omitempty"`
	Events          []caseEventJSON `json:"events"`
	Files           []caseFileJSON  `json:"files"`
}

func (h *CommitteeHandlers) caseJSON(c *fiber.Ctx, id int64) error {
	v, err := h.Committee.Case(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	k := v.CommitteeCase
	out := caseJSON{ID: k.ID, CommitteeID: k.CommitteeID, EstateID: k.EstateID, MemberID: k.MemberID, MemberName: v.MemberName, MemberStatus: v.MemberShown,
		Kind: k.Kind, Grounds: splitNonEmpty(k.Grounds), CessationReason: k.CessationReason, Facts: k.Facts, Reporter: k.ReporterKind,
		ReporterMask: k.ReporterMask, ReportedAt: k.ReportedAt, Status: k.Status, StatusLabel: v.StatusLabel, VerifyDue: k.VerifyDue,
		VerifiedAt: k.VerifiedAt, Reasons: k.VerificationReasons, SuspendedAt: k.SuspendedAt, SuspensionDoc: k.SuspensionDocID,
		DefenceDue: k.DefenceDue, DefenceAt: k.DefenceAt, ProposeDue: k.ProposeDue, ProposedAt: k.ProposedAt, OrderedAt: k.OrderedAt,
		RemovalVoteID: k.RemovalVoteID, RemovalVotes: append([]int64{}, v.RemovalVotes...), Outcome: k.Outcome, OutcomeDoc: k.OutcomeDocID,
		EffectiveOn: k.EffectiveOn, ConfirmedAt: k.ConfirmedAt, ClosedAt: k.ClosedAt, Overdue: v.Overdue, OverdueWhat: v.OverdueWhat,
		Events: []caseEventJSON{}, Files: []caseFileJSON{}}
	for _, e := range v.Events {
		out.Events = append(out.Events, caseEventJSON{Kind: e.Kind, At: e.At, By: e.ByName, Note: e.Note, DocumentID: e.DocumentID})
	}
	for _, f := range v.Files {
		out.Files = append(out.Files, caseFileJSON{ID: f.ID, Filename: f.Filename, SHA256: f.SHA256, Size: f.SizeBytes})
	}
	return c.JSON(out)
}

// GetCase returns one case with its timeline.
func (h *CommitteeHandlers) GetCase(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	return h.caseJSON(c, id)
}

type caseSummaryJSON struct {
	ID          int64      `json:"id"`
	EstateID    int64      `json:"estate_id"`
	EstateName  string     `json:"estate_name"`
	CommitteeID int64      `json:"committee_id"`
	MemberID    int64      `json:"member_id"`
	MemberName  string     `json:"member_name"`
	Kind        string     `json:"kind"`
	Grounds     string     `json:"grounds"`
	Status      string     `json:"status"`
	ReportedAt  time.Time  `json:"reported_at"`
	NextDue     *time.Time `json:"next_due"`
	Overdue     bool       `json:"overdue"`
}

func caseSummaries(list []committee.CaseSummary) []caseSummaryJSON {
	out := make([]caseSummaryJSON, 0, len(list))
	for _, k := range list {
		out = append(out, caseSummaryJSON{ID: k.ID, EstateID: k.EstateID, EstateName: k.EstateName, CommitteeID: k.CommitteeID, MemberID: k.MemberID,
			MemberName: k.MemberName, Kind: k.Kind, Grounds: k.GroundsText, Status: k.Status, ReportedAt: k.ReportedAt, NextDue: k.NextDue, Overdue: k.Overdue})
	}
	return out
}

type inOfficeMemberJSON struct {
	ID       int64      `json:"id"`
	Name     string     `json:"name"`
	Room     string     `json:"room"`
	Role     string     `json:"role"`
	Status   string     `json:"status"`
	Rank     int        `json:"rank"`
	SeatedAt *time.Time `json:"seated_at,omitempty"`
	EndAt    *time.Time `json:"end_at,omitempty"`
	Reason   string     `json:"end_reason,omitempty"`
}

func inOfficeMembers(list []committee.MemberView) []inOfficeMemberJSON {
	out := make([]inOfficeMemberJSON, 0, len(list))
	for _, m := range list {
		out = append(out, inOfficeMemberJSON{ID: m.ID, Name: m.Name, Room: m.Room, Role: m.Role, Status: m.Shown, Rank: m.ElectionRank,
			SeatedAt: m.SeatedAt, EndAt: m.EndAt, Reason: m.EndReason})
	}
	return out
}

// InOffice returns the committee in office: members with their status (serving,
// suspended, ended), alternates in order, vacancies, re-election flag, cases, changes.
func (h *CommitteeHandlers) InOffice(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.Committee.Committee(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	type changeJSON struct {
		Kind          string    `json:"kind"`
		MemberID      int64     `json:"member_id"`
		MemberName    string    `json:"member_name"`
		At            time.Time `json:"at"`
		DocumentID    *int64    `json:"document_id"`
		FilingDue     time.Time `json:"filing_due"`
		FilingID      *int64    `json:"filing_id"`
		FilingOverdue bool      `json:"filing_overdue"`
		CaseID        *int64    `json:"case_id"`
	}
	changes := []changeJSON{}
	for _, ch := range v.Changes {
		changes = append(changes, changeJSON{Kind: ch.Kind, MemberID: ch.MemberID, MemberName: ch.MemberName, At: ch.At, DocumentID: ch.DocumentID,
			FilingDue: ch.FilingDue, FilingID: ch.FilingID, FilingOverdue: ch.FilingOverdue, CaseID: ch.CaseID})
	}
	return c.JSON(fiber.Map{"id": v.Committee.ID, "estate_id": v.Committee.EstateID, "status": v.Committee.Status, "seats": v.Committee.Seats,
		"serving": v.Serving, "suspended": v.Suspended, "vacancies": v.Vacancies, "reelection_required": v.ReelectionRequired,
		"reelection_required_at": v.Committee.ReelectionRequiredAt, "members": inOfficeMembers(v.Members), "alternates": inOfficeMembers(v.Alternates),
		"former": inOfficeMembers(v.Former), "cases": caseSummaries(v.Cases), "awaiting_assembly_confirmation": caseSummaries(v.AwaitConfirmation),
		"changes": changes})
}

// Attendance lists the seated members' attendance of the past year.
func (h *CommitteeHandlers) Attendance(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Committee.Attendance(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	type row struct {
		MemberID int64  `json:"member_id"`
		Name     string `json:"name"`
		Meetings int    `json:"meetings"`
		Absent   int    `json:"absent"`
		Flagged  bool   `json:"flagged"`
	}
	out := make([]row, 0, len(list))
	for _, a := range list {
		out = append(out, row{MemberID: a.MemberID, Name: a.Name, Meetings: a.Meetings, Absent: a.Absent, Flagged: a.Flagged})
	}
	return c.JSON(out)
}

type cessationRequest struct {
	MemberID    int64  `json:"member_id"`
	Reason      string `json:"reason" validate:"max=32"`
	EffectiveOn string `json:"effective_on" validate:"max=10"`
	Facts       string `json:"facts"`
}

// Cessation records an automatic cessation: 201 {"id"}.
func (h *CommitteeHandlers) Cessation(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req cessationRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	cid, err := h.Committee.Cessation(httpx.Ctx(c), httpx.MustPrincipal(c), id, committee.CessationInput{MemberID: req.MemberID, Reason: req.Reason,
		EffectiveOn: req.EffectiveOn, Facts: req.Facts})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": cid})
}

type confirmRequest struct {
	Confirm     *bool  `json:"confirm"`
	EffectiveOn string `json:"effective_on" validate:"max=10"`
	Reasons     string `json:"reasons"`
}

// ConfirmCessation confirms or dismisses a cessation found by a roster import.
func (h *CommitteeHandlers) ConfirmCessation(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req confirmRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Committee.ConfirmCessation(httpx.Ctx(c), httpx.MustPrincipal(c), id, committee.ConfirmInput{Confirm: req.Confirm,
		EffectiveOn: req.EffectiveOn, Reasons: req.Reasons}); err != nil {
		return err
	}
	return h.caseJSON(c, id)
}

type assemblyConfirmRequest struct {
	VoteID int64  `json:"vote_id"`
	Note   string `json:"note"`
}

// AssemblyConfirmation records the assembly's confirmation of a cessation.
func (h *CommitteeHandlers) AssemblyConfirmation(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req assemblyConfirmRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Committee.AssemblyConfirmation(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.VoteID, req.Note); err != nil {
		return err
	}
	return h.caseJSON(c, id)
}

type changeFilingRequest struct {
	ReferenceNo string `json:"reference_no"`
}

// FileChanges records the change filing of the pending changes: 201 {"id"}.
func (h *CommitteeHandlers) FileChanges(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req changeFilingRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	fid, err := h.Committee.FileChanges(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.ReferenceNo)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": fid})
}

// StartReelection forms the re-election group of a committee flagged for re-election: 201 {"id"}.
func (h *CommitteeHandlers) StartReelection(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	gid, err := h.Committee.StartReelection(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": gid})
}

// OpenCases lists the open cases (overdue first) and the estates flagged for re-election.
func (h *CommitteeHandlers) OpenCases(c *fiber.Ctx) error {
	sv, err := h.Committee.Open(httpx.Ctx(c), httpx.MustPrincipal(c))
	if err != nil {
		return err
	}
	type flag struct {
		EstateID    int64     `json:"estate_id"`
		EstateName  string    `json:"estate_name"`
		CommitteeID int64     `json:"committee_id"`
		Serving     int       `json:"serving"`
		Seats       int       `json:"seats"`
		Since       time.Time `json:"since"`
	}
	flags := []flag{}
	for _, f := range sv.Reelection {
		flags = append(flags, flag{EstateID: f.EstateID, EstateName: f.EstateName, CommitteeID: f.CommitteeID, Serving: f.Serving, Seats: f.Seats, Since: f.Since})
	}
	return c.JSON(fiber.Map{"cases": caseSummaries(sv.Cases), "reelection_required": flags})
}

func splitNonEmpty(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

type byElectionRequest struct {
	ItemKey string `json:"item_key" validate:"max=64"`
}

// RecordByElection records a counted by-election into the committee in office: 201 {"id"} (the committee).
func (h *CommitteeHandlers) RecordByElection(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req byElectionRequest
	if len(c.Body()) > 0 {
		if err := h.Validate.Bind(c, &req); err != nil {
			return err
		}
	}
	cid, err := h.Committee.RecordByElection(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.ItemKey)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": cid})
}
