package api

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/property"
	"gongzhi/app/rules"
	"gongzhi/handlers/httpx"
)

// PropertyHandlers serve property companies, complaints and the exit check
// (API.md "Property companies, complaints and the exit check").
type PropertyHandlers struct {
	Property *property.Service
	Validate *httpx.Validator
}

func created(c *fiber.Ctx, id int64, err error) error {
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id})
}

// CreateCompany registers a company by its USCC.
func (h *PropertyHandlers) CreateCompany(c *fiber.Ctx) error {
	var req struct {
		Name string `json:"name"`
		USCC string `json:"uscc"`
	}
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	id, err := h.Property.CreateCompany(httpx.Ctx(c), httpx.MustPrincipal(c), property.NewCompany{Name: req.Name, USCC: req.USCC})
	return created(c, id, err)
}

type companyJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	USCC string `json:"uscc"`
}

// ListCompanies lists the registered companies.
func (h *PropertyHandlers) ListCompanies(c *fiber.Ctx) error {
	list, err := h.Property.Companies(httpx.Ctx(c), httpx.MustPrincipal(c))
	if err != nil {
		return err
	}
	out := make([]companyJSON, len(list))
	for i, co := range list {
		out[i] = companyJSON{ID: co.ID, Name: co.Name, USCC: co.USCC}
	}
	return c.JSON(out)
}

// CreateContract files a service contract of the estate.
func (h *PropertyHandlers) CreateContract(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		CompanyID   int64  `json:"company_id"`
		StartsOn    string `json:"starts_on"`
		EndsOn      string `json:"ends_on"`
		FeeStandard string `json:"fee_standard"`
		Scope       string `json:"scope"`
		FiledOn     string `json:"filed_on"`
		FilingNo    string `json:"filing_no"`
		NoticeDays  *int   `json:"notice_days"`
	}
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	cid, err := h.Property.CreateContract(httpx.Ctx(c), httpx.MustPrincipal(c), id, property.NewContract{CompanyID: req.CompanyID,
		StartsOn: req.StartsOn, EndsOn: req.EndsOn, FeeStandard: req.FeeStandard, Scope: req.Scope, FiledOn: req.FiledOn,
		FilingNo: req.FilingNo, NoticeDays: req.NoticeDays})
	return created(c, cid, err)
}

// RegisterManager records a contract's project manager.
func (h *PropertyHandlers) RegisterManager(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Name         string `json:"name"`
		Phone        string `json:"phone"`
		RegisteredOn string `json:"registered_on"`
	}
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	mid, err := h.Property.RegisterManager(httpx.Ctx(c), httpx.MustPrincipal(c), id, property.NewManager{Name: req.Name, Phone: req.Phone, RegisteredOn: req.RegisteredOn})
	return created(c, mid, err)
}

// FileComplaint registers a complaint of the estate.
func (h *PropertyHandlers) FileComplaint(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Complainant string `json:"complainant"`
		ReceivedAt  string `json:"received_at"`
		Source      string `json:"source"`
		Category    string `json:"category"`
		Text        string `json:"text"`
	}
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	cid, err := h.Property.FileComplaint(httpx.Ctx(c), httpx.MustPrincipal(c), id, property.NewComplaint{Complainant: req.Complainant,
		ReceivedAt: req.ReceivedAt, Source: req.Source, Category: req.Category, Text: req.Text})
	return created(c, cid, err)
}

// AddComplaintEvent records a step of a complaint.
func (h *PropertyHandlers) AddComplaintEvent(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Kind string `json:"kind"`
		At   string `json:"at"`
		Note string `json:"note"`
	}
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Property.AddEvent(httpx.Ctx(c), httpx.MustPrincipal(c), id, property.Event{Kind: req.Kind, At: req.At, Note: req.Note}); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id})
}

func shanghaiTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.In(rules.Shanghai()).Format(time.RFC3339)
	return &s
}

type slaJSON struct {
	RespondedMet        bool    `json:"responded_met"`
	FirstResultMet      bool    `json:"first_result_met"`
	ResolvedMet         bool    `json:"resolved_met"`
	ResolveDeadline     string  `json:"resolve_deadline"`
	ResponseDeadline    string  `json:"response_deadline"`
	FirstResultDeadline string  `json:"first_result_deadline"`
	Overdue             bool    `json:"overdue"`
	NextStage           string  `json:"next_stage,omitempty"`
	NextDue             *string `json:"next_due,omitempty"`
	RemainingSeconds    *int64  `json:"remaining_seconds,omitempty"`
}

type complaintEventJSON struct {
	Kind  string `json:"kind"`
	At    string `json:"at"`
	Cycle int    `json:"cycle"`
	Note  string `json:"note"`
	By    string `json:"by"`
}

type complaintJSON struct {
	ID              int64                `json:"id"`
	EstateID        int64                `json:"estate_id"`
	CompanyID       int64                `json:"company_id"`
	CompanyName     string               `json:"company_name"`
	Source          string               `json:"source"`
	Category        string               `json:"category"`
	Text            string               `json:"text"`
	Complainant     string               `json:"complainant_masked"`
	ReceivedAt      string               `json:"received_at"`
	Cycle           int                  `json:"cycle"`
	CycleStartedAt  string               `json:"cycle_started_at"`
	RespondedAt     *string              `json:"responded_at"`
	FirstResultAt   *string              `json:"first_result_at"`
	ResolvedAt      *string              `json:"resolved_at"`
	Verification    string               `json:"verification"`
	Escalated       bool                 `json:"escalated"`
	EscalatedStages string               `json:"escalated_stages"`
	SLA             slaJSON              `json:"sla"`
	Events          []complaintEventJSON `json:"events"`
	Attachments     []attachmentJSON     `json:"attachments"`
}

type attachmentJSON struct {
	ID          int64  `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

func complaintOf(v property.ComplaintView, withEvents bool) complaintJSON {
	at := func(t time.Time) string { return t.In(rules.Shanghai()).Format(time.RFC3339) }
	j := complaintJSON{ID: v.ID, EstateID: v.EstateID, CompanyID: v.CompanyID, CompanyName: v.CompanyName, Source: v.Source, Category: v.Category,
		Text: v.Body, Complainant: v.ComplainantMask, ReceivedAt: at(v.ReceivedAt), Cycle: v.Cycle, CycleStartedAt: at(v.CycleStartedAt),
		RespondedAt: shanghaiTime(v.RespondedAt), FirstResultAt: shanghaiTime(v.FirstResultAt), ResolvedAt: shanghaiTime(v.ResolvedAt),
		Verification: v.Verification, Escalated: v.Escalated, EscalatedStages: v.EscalatedStages, Events: []complaintEventJSON{},
		Attachments: []attachmentJSON{}}
	for _, a := range v.Attachments {
		j.Attachments = append(j.Attachments, attachmentJSON{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.SizeBytes})
	}
	s := v.SLA
	j.SLA = slaJSON{RespondedMet: s.Response.Met(), FirstResultMet: s.FirstResult.Met(), ResolvedMet: s.Resolve.Met(),
		ResolveDeadline: at(s.Resolve.Deadline), ResponseDeadline: at(s.Response.Deadline), FirstResultDeadline: at(s.FirstResult.Deadline),
		Overdue: s.Overdue, NextStage: s.NextStage}
	if s.NextStage != "" {
		due := at(s.NextDue)
		secs := int64(s.Remaining / time.Second)
		j.SLA.NextDue, j.SLA.RemainingSeconds = &due, &secs
	}
	if withEvents {
		for _, e := range v.Events {
			j.Events = append(j.Events, complaintEventJSON{Kind: e.Kind, At: at(e.At), Cycle: e.Cycle, Note: e.Note, By: e.CreatedByName})
		}
	}
	return j
}

// GetComplaint returns a complaint with its 三三三 clock ("sla") and events.
func (h *PropertyHandlers) GetComplaint(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.Property.Complaint(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(complaintOf(v, true))
}

// ListComplaints lists the complaints of the estate, overdue first.
func (h *PropertyHandlers) ListComplaints(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Property.Complaints(httpx.Ctx(c), httpx.MustPrincipal(c), property.ComplaintFilter{EstateID: id})
	if err != nil {
		return err
	}
	out := make([]complaintJSON, len(list))
	for i, v := range list {
		out[i] = complaintOf(v, false)
	}
	return c.JSON(out)
}

// CreateRectification orders the estate's company to rectify.
func (h *PropertyHandlers) CreateRectification(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		OrderedAt string `json:"ordered_at"`
		Deadline  string `json:"deadline"`
		Text      string `json:"text"`
	}
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	oid, err := h.Property.CreateRectification(httpx.Ctx(c), httpx.MustPrincipal(c), id, property.NewRectification{OrderedAt: req.OrderedAt, Deadline: req.Deadline, Text: req.Text})
	return created(c, oid, err)
}

// RecordOutcome records a rectification order's outcome.
func (h *PropertyHandlers) RecordOutcome(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Outcome string `json:"outcome"`
		At      string `json:"at"`
	}
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Property.RecordOutcome(httpx.Ctx(c), httpx.MustPrincipal(c), id, property.Outcome{Outcome: req.Outcome, At: req.At}); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id})
}

// AddCreditEntry enters a warning talk or a public notice in a company's file.
func (h *PropertyHandlers) AddCreditEntry(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Kind     string `json:"kind"`
		At       string `json:"at"`
		Text     string `json:"text"`
		EstateID int64  `json:"estate_id"`
	}
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	eid, err := h.Property.AddCreditEntry(httpx.Ctx(c), httpx.MustPrincipal(c), id, property.NewCreditEntry{Kind: req.Kind, At: req.At, Text: req.Text, EstateID: req.EstateID})
	return created(c, eid, err)
}

// RecordSurvey records a satisfaction survey's result.
func (h *PropertyHandlers) RecordSurvey(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		ClosedAt    string `json:"closed_at"`
		Respondents int    `json:"respondents"`
		Satisfied   int    `json:"satisfied"`
		VoteID      int64  `json:"vote_id"`
		Item        string `json:"item"`
	}
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if req.VoteID != 0 || req.Item != "" {
		sid, err := h.Property.RecordSurveyFromVote(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.VoteID, req.Item)
		return created(c, sid, err)
	}
	sid, err := h.Property.RecordSurvey(httpx.Ctx(c), httpx.MustPrincipal(c), id, property.NewSurvey{ClosedAt: req.ClosedAt, Respondents: req.Respondents, Satisfied: req.Satisfied})
	return created(c, sid, err)
}

type exitCheckJSON struct {
	VerifiedDistinctComplainants int               `json:"verified_distinct_complainants"`
	RefusedRectification         bool              `json:"refused_rectification"`
	SatisfactionBelow            *bool             `json:"satisfaction_below"`
	Triggered                    bool              `json:"triggered"`
	On                           string            `json:"on"`
	WindowFrom                   string            `json:"window_from"`
	CompanyID                    *int64            `json:"company_id"`
	Evidence                     property.Evidence `json:"evidence"`
}

// ExitCheck evaluates the exit trigger for the estate's company on ?on=YYYY-MM-DD.
func (h *PropertyHandlers) ExitCheck(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.Property.ExitCheck(httpx.Ctx(c), httpx.MustPrincipal(c), id, c.Query("on"))
	if err != nil {
		return err
	}
	j := exitCheckJSON{VerifiedDistinctComplainants: v.VerifiedDistinctComplainants, RefusedRectification: v.RefusedRectification,
		SatisfactionBelow: v.SatisfactionBelow, Triggered: v.Triggered, On: v.On, WindowFrom: v.WindowFrom, Evidence: v.Evidence}
	if v.CompanyID != 0 {
		j.CompanyID = &v.CompanyID
	}
	return c.JSON(j)
}

type exitCaseJSON struct {
	ID            int64             `json:"id"`
	EstateID      int64             `json:"estate_id"`
	CompanyID     int64             `json:"company_id"`
	RaisedAt      string            `json:"raised_at"`
	EvaluatedOn   string            `json:"evaluated_on"`
	StreetOrgID   int64             `json:"street_org_id"`
	DistrictOrgID int64             `json:"district_org_id"`
	Status        string            `json:"status"`
	Evidence      property.Evidence `json:"evidence"`
}

// ExitCases lists the exit cases in the caller's jurisdiction.
func (h *PropertyHandlers) ExitCases(c *fiber.Ctx) error {
	list, err := h.Property.ExitCases(httpx.Ctx(c), httpx.MustPrincipal(c))
	if err != nil {
		return err
	}
	out := make([]exitCaseJSON, len(list))
	for i, x := range list {
		out[i] = exitCaseJSON{ID: x.ID, EstateID: x.EstateID, CompanyID: x.CompanyID, RaisedAt: x.RaisedAt.In(rules.Shanghai()).Format(time.RFC3339),
			EvaluatedOn: x.EvaluatedOn, StreetOrgID: x.StreetOrgID, DistrictOrgID: x.DistrictOrgID, Status: x.Status, Evidence: x.Evidence}
	}
	return c.JSON(out)
}

// AddAttachment attaches a photo or PDF (multipart field "file") to a complaint.
func (h *PropertyHandlers) AddAttachment(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	name, data, err := ReadUpload(c, "file", property.MaxAttachment+1)
	if err != nil {
		return err
	}
	aid, err := h.Property.AddAttachment(httpx.Ctx(c), httpx.MustPrincipal(c), id, name, data)
	return created(c, aid, err)
}

// DownloadAttachment sends a complaint's attachment.
func (h *PropertyHandlers) DownloadAttachment(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	att, err := PathID(c, "att")
	if err != nil {
		return err
	}
	a, err := h.Property.Attachment(httpx.Ctx(c), httpx.MustPrincipal(c), id, att)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="attachment-%d"; filename*=UTF-8''%s`, a.ID, url.PathEscape(a.Filename)))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(a.Data)
}

// CompanyOn answers which company served the estate on ?on=YYYY-MM-DD (default
// today): {"on","company_id","name"}, company_id null when no contract covers the day.
func (h *PropertyHandlers) CompanyOn(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	on := c.Query("on")
	if on == "" {
		on = h.Property.Now().In(rules.Shanghai()).Format(time.DateOnly)
	}
	p := httpx.MustPrincipal(c)
	company, ok, err := h.Property.CompanyOn(httpx.Ctx(c), p, id, on)
	if err != nil {
		return err
	}
	out := fiber.Map{"on": on, "company_id": nil, "name": nil}
	if ok {
		list, err := h.Property.Companies(httpx.Ctx(c), p)
		if err != nil {
			return err
		}
		out["company_id"] = company
		for _, co := range list {
			if co.ID == company {
				out["name"] = co.Name
			}
		}
	}
	return c.JSON(out)
}

// Revisits is the revisit ledger (回访台账) of the estates the caller may see, or of one
// estate with ?estate_id=: every revisit and the resolved complaints not yet revisited.
func (h *PropertyHandlers) Revisits(c *fiber.Ctx) error {
	var estate int64
	if v := c.Query("estate_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return app.Invalid("estate_id", app.M("err.api.a_positive_integer"))
		}
		estate = id
	}
	l, err := h.Property.Revisits(httpx.Ctx(c), httpx.MustPrincipal(c), estate)
	if err != nil {
		return err
	}
	return c.JSON(l)
}
