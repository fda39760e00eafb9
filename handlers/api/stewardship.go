package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/credit"
	"gongzhi/app/handover"
	"gongzhi/handlers/httpx"
)

// StewardshipHandlers serve property companies' credit, dismissal and handover (issue 13).
type StewardshipHandlers struct {
	Credit   *credit.Service
	Handover *handover.Service
	Validate *httpx.Validator
}

// queryID reads an optional positive integer query parameter.
func queryID(c *fiber.Ctx, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, app.Invalid(name, app.M("err.api.a_positive_integer"))
	}
	return id, nil
}

// CompanyCredit is a company's credit file (grades history and list entries).
func (h *StewardshipHandlers) CompanyCredit(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	out, err := h.Credit.Company(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type gradeRequest struct {
	DistrictID     int64  `json:"district_id"`
	Grade          string `json:"grade" validate:"max=8"`
	Reasons        string `json:"reasons"`
	CreditEntryRef string `json:"credit_entry_ref"`
	EffectiveOn    string `json:"effective_on" validate:"max=10"`
}

// SetGrade sets a company's credit grade in a district: 201 with the grade.
func (h *StewardshipHandlers) SetGrade(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req gradeRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	g, err := h.Credit.SetGrade(httpx.Ctx(c), httpx.MustPrincipal(c), id, credit.GradeInput{DistrictID: req.DistrictID, Grade: req.Grade,
		Reasons: req.Reasons, CreditEntryRef: req.CreditEntryRef, EffectiveOn: req.EffectiveOn})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(g)
}

type listRequest struct {
	DistrictID int64  `json:"district_id"`
	List       string `json:"list" validate:"max=8"`
	ListedOn   string `json:"listed_on" validate:"max=10"`
	Reasons    string `json:"reasons"`
}

// AddToList puts a company on a district's red or black list: 201 with the entry.
func (h *StewardshipHandlers) AddToList(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req listRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	e, err := h.Credit.AddToList(httpx.Ctx(c), httpx.MustPrincipal(c), id, credit.ListInput{DistrictID: req.DistrictID, List: req.List,
		ListedOn: req.ListedOn, Reasons: req.Reasons})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

type removalRequest struct {
	RemovedOn string `json:"removed_on" validate:"max=10"`
	Reason    string `json:"reason"`
}

// RemoveFromList ends a list entry: 200.
func (h *StewardshipHandlers) RemoveFromList(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req removalRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Credit.RemoveFromList(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.RemovedOn, req.Reason); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"removed": true})
}

// DistrictLists is a district's red and black lists and publications, for anyone.
func (h *StewardshipHandlers) DistrictLists(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	out, err := h.Credit.PublicLists(httpx.Ctx(c), id, c.Query("on"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type publishListsRequest struct {
	Month string `json:"month" validate:"max=7"`
}

// PublishLists publishes a district's lists of a month as a PDF: 201 with the publication.
func (h *StewardshipHandlers) PublishLists(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req publishListsRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	pub, err := h.Credit.PublishMonth(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Month)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(pub)
}

// Eligibility tells whether a company may be the applicant for maintenance-fund use
// (GET /api/v1/companies/{id}/eligibility?estate_id=N or ?district_id=N, optional on=YYYY-MM-DD).
func (h *StewardshipHandlers) Eligibility(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	estateID, err := queryID(c, "estate_id")
	if err != nil {
		return err
	}
	districtID, err := queryID(c, "district_id")
	if err != nil {
		return err
	}
	out, err := h.Credit.Eligibility(httpx.Ctx(c), httpx.MustPrincipal(c), id, estateID, districtID, c.Query("on"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// HireFlags lists the agenda items of an estate proposing to hire a D-grade or black-listed company.
func (h *StewardshipHandlers) HireFlags(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	out, err := h.Credit.HireFlags(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// EstateContracts lists an estate's contracts with their terminations and handovers.
func (h *StewardshipHandlers) EstateContracts(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	out, err := h.Handover.EstateOverview(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type terminationRequest struct {
	VoteID       int64  `json:"vote_id"`
	Origin       string `json:"origin" validate:"max=16"`
	ExitCaseID   int64  `json:"exit_case_id"`
	Receiver     string `json:"receiver" validate:"max=16"`
	ReceiverName string `json:"receiver_name"`
}

// Terminate ends a contract by a final assembly vote: 201 with the termination.
func (h *StewardshipHandlers) Terminate(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req terminationRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	t, err := h.Handover.Terminate(httpx.Ctx(c), httpx.MustPrincipal(c), id, handover.TerminationInput{VoteID: req.VoteID, Origin: req.Origin,
		ExitCaseID: req.ExitCaseID, Receiver: req.Receiver, ReceiverName: req.ReceiverName})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(t)
}

// TerminationNotice sends the termination notice PDF.
func (h *StewardshipHandlers) TerminationNotice(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Handover.TerminationNotice(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

// GetHandover is a handover with its checklist.
func (h *StewardshipHandlers) GetHandover(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	out, err := h.Handover.Handover(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// ListHandovers lists the handovers in jurisdiction, escalated (overdue or refused) first.
func (h *StewardshipHandlers) ListHandovers(c *fiber.Ctx) error {
	out, err := h.Handover.Handovers(httpx.Ctx(c), httpx.MustPrincipal(c))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type accountRequest struct {
	Label     string `json:"label"`
	AmountFen int64  `json:"amount_fen"`
}

type handoverItemRequest struct {
	Status        string           `json:"status" validate:"max=16"`
	Note          string           `json:"note"`
	ConfirmedBy   string           `json:"confirmed_by" validate:"max=32"`
	ConfirmerName string           `json:"confirmer_name"`
	Accounts      []accountRequest `json:"accounts"`
}

// RecordHandoverItem records one checklist item with the receiving party's confirmation.
func (h *StewardshipHandlers) RecordHandoverItem(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req handoverItemRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	in := handover.ItemInput{Status: req.Status, Note: req.Note, ConfirmedBy: req.ConfirmedBy, ConfirmerName: req.ConfirmerName}
	for _, a := range req.Accounts {
		in.Accounts = append(in.Accounts, handover.AccountInput{Label: a.Label, AmountFen: a.AmountFen})
	}
	out, err := h.Handover.RecordItem(httpx.Ctx(c), httpx.MustPrincipal(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type refusalRequest struct {
	Note string `json:"note"`
}

// RefuseHandover records the company's refusal: the handover is escalated.
func (h *StewardshipHandlers) RefuseHandover(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req refusalRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	out, err := h.Handover.Refuse(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type completionRequest struct {
	ReceiverSigner string `json:"receiver_signer"`
	CompanySigner  string `json:"company_signer"`
	WitnessSigner  string `json:"witness_signer"`
}

// CompleteHandover closes the handover with the signatures and issues its record PDF.
func (h *StewardshipHandlers) CompleteHandover(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req completionRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	out, err := h.Handover.Complete(httpx.Ctx(c), httpx.MustPrincipal(c), id, handover.CompleteInput{ReceiverSigner: req.ReceiverSigner,
		CompanySigner: req.CompanySigner, WitnessSigner: req.WitnessSigner})
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// HandoverRecord sends the signed handover record PDF.
func (h *StewardshipHandlers) HandoverRecord(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Handover.HandoverRecord(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

type incomeRequest struct {
	Year  int                   `json:"year"`
	Lines []handover.IncomeLine `json:"lines"`
	Note  string                `json:"note"`
}

// DiscloseIncome publishes the year's public income and spending on the estate's board: 201.
func (h *StewardshipHandlers) DiscloseIncome(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req incomeRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	out, err := h.Handover.DiscloseIncome(httpx.Ctx(c), httpx.MustPrincipal(c), id, handover.IncomeInput{Year: req.Year, Lines: req.Lines, Note: req.Note})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

type handoverAddItemRequest struct {
	Label string `json:"label"`
}

// AddHandoverItem adds an item the contract agreed besides the fixed checklist: 201.
func (h *StewardshipHandlers) AddHandoverItem(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req handoverAddItemRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	out, err := h.Handover.AddItem(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Label)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}
