package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/credit"
	"gongzhi/app/handover"
	"gongzhi/handlers/httpx"
	"gongzhi/models"
)

// StewardshipPages are the pages of property companies' credit, dismissal and handover
// (issue 13, second half): a company's grade history, the public red and black lists,
// an estate's contracts with the termination form, hire flags and the public-income
// form, the handover checklist and the handovers list of the street office and district.
type StewardshipPages struct {
	*Handlers
	Credit   *credit.Service
	Handover *handover.Service
}

// CreditListsIndex lists the districts whose red and black lists are public (public route).
func (h *StewardshipPages) CreditListsIndex(c *fiber.Ctx) error {
	list, err := h.Credit.PublicDistricts(httpx.Ctx(c))
	if err != nil {
		return err
	}
	return h.Render(c, "credit_lists", h.page(c, "", creditListsData{Districts: list}))
}

type creditListsData struct {
	Districts []models.Org
	Lists     *credit.DistrictLists
	CanGrade  bool
}

// CreditLists shows a district's red and black lists and their monthly PDFs to anyone.
func (h *StewardshipPages) CreditLists(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return h.renderLists(c, id, nil)
}

func (h *StewardshipPages) renderLists(c *fiber.Ctx, id int64, formErr error) error {
	l, err := h.Credit.PublicLists(httpx.Ctx(c), id, "")
	if err != nil {
		return err
	}
	d := creditListsData{Lists: &l}
	if p, ok := httpx.Principal(c); ok {
		d.CanGrade = access.Can(p, access.GradeCredit) && (p.IsAdmin() || p.OrgID == id)
	}
	return h.RenderWithError(c, "credit_lists", h.page(c, "", d), formErr)
}

// CreditListPDF sends a published list PDF by its number (public route).
func (h *StewardshipPages) CreditListPDF(c *fiber.Ctx) error {
	pub, data, err := h.Credit.PublicationFile(httpx.Ctx(c), c.Params("code"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, `"`+pub.SHA256+`"`)
	c.Set("X-Document-Number", pub.Number)
	c.Set("X-Document-SHA256", pub.SHA256)
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+pub.Number+`.pdf"`)
	c.Type("pdf")
	return c.Send(data)
}

// PublishCreditLists publishes the district's lists of the month as a PDF.
func (h *StewardshipPages) PublishCreditLists(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	pub, err := h.Credit.PublishMonth(httpx.Ctx(c), p, id, strings.TrimSpace(c.FormValue("month")))
	if err != nil {
		return h.renderLists(c, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/credit-lists/%d", id), h.Views.T(Lang(c), "h6.lists_published", "Number", pub.Number))
}

type companyCreditData struct {
	File credit.CompanyCredit
}

// CompanyCredit is a company's credit page: grade history and list entries, with the
// district's forms.
func (h *StewardshipPages) CompanyCredit(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	return h.renderCompany(c, p, id, nil)
}

func (h *StewardshipPages) renderCompany(c *fiber.Ctx, p app.Principal, id int64, formErr error) error {
	f, err := h.Credit.Company(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return h.RenderWithError(c, "company_credit", h.page(c, "", companyCreditData{File: f}), formErr)
}

// formID reads an optional positive integer form field.
func formID(c *fiber.Ctx, name string) (int64, error) {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, app.Invalid(name, app.M("err.web.a_positive_integer"))
	}
	return id, nil
}

// SetGrade sets a grade from the company page.
func (h *StewardshipPages) SetGrade(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	district, err := formID(c, "district_id")
	if err == nil {
		_, err = h.Credit.SetGrade(httpx.Ctx(c), p, id, credit.GradeInput{DistrictID: district, Grade: c.FormValue("grade"), Reasons: c.FormValue("reasons"),
			CreditEntryRef: c.FormValue("credit_entry_ref"), EffectiveOn: c.FormValue("effective_on")})
	}
	if err != nil {
		return h.renderCompany(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/companies/%d/credit", id), h.Views.T(Lang(c), "h6.saved"))
}

// AddToList puts the company on a list from the company page.
func (h *StewardshipPages) AddToList(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	district, err := formID(c, "district_id")
	if err == nil {
		_, err = h.Credit.AddToList(httpx.Ctx(c), p, id, credit.ListInput{DistrictID: district, List: c.FormValue("list"), ListedOn: c.FormValue("listed_on"),
			Reasons: c.FormValue("reasons")})
	}
	if err != nil {
		return h.renderCompany(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/companies/%d/credit", id), h.Views.T(Lang(c), "h6.saved"))
}

type estatePropertyData struct {
	Overview handover.Overview
	Flags    []credit.HireFlag
	Year     int
	// ExitCase prefills the termination forms when the page is opened from an exit
	// case's "start dismissal" link (?exit_case=<id>); the service checks it on submit.
	ExitCase int64
}

// EstateProperty is an estate's property page: contracts, terminations and handovers,
// hire flags and the public-income disclosure form.
func (h *StewardshipPages) EstateProperty(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	return h.renderEstate(c, p, id, nil)
}

func (h *StewardshipPages) renderEstate(c *fiber.Ctx, p app.Principal, id int64, formErr error) error {
	o, err := h.Handover.EstateOverview(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	flags, err := h.Credit.HireFlags(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	d := estatePropertyData{Overview: o, Flags: flags}
	if v, err := strconv.ParseInt(c.Query("exit_case", c.FormValue("exit_case_id")), 10, 64); err == nil && v > 0 {
		d.ExitCase = v
	}
	return h.RenderWithError(c, "estate_property", h.page(c, "estates", d), formErr)
}

// Terminate ends a contract from the estate's property page.
func (h *StewardshipPages) Terminate(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	estateID, err := h.Handover.ContractEstate(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	vote, err := formID(c, "vote_id")
	var exitCase int64
	if err == nil {
		exitCase, err = formID(c, "exit_case_id")
	}
	var t handover.Termination
	if err == nil {
		t, err = h.Handover.Terminate(httpx.Ctx(c), p, id, handover.TerminationInput{VoteID: vote, Origin: c.FormValue("origin"), ExitCaseID: exitCase,
			Receiver: c.FormValue("receiver"), ReceiverName: c.FormValue("receiver_name")})
	}
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return err
		}
		return h.renderEstate(c, p, estateID, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/handovers/%d", t.HandoverID), h.Views.T(Lang(c), "h6.terminated", "Date", t.TerminatedOn))
}

// TerminationNotice downloads the termination notice PDF.
func (h *StewardshipPages) TerminationNotice(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	f, err := h.Handover.TerminationNotice(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

// parseYuan reads an amount in yuan with at most two decimals as integer fen, without
// floating point ("12.5" → 1250).
func parseYuan(field, v string) (int64, error) {
	v = strings.TrimSpace(strings.ReplaceAll(v, ",", ""))
	if v == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > 2 || whole == "" {
		return 0, app.Invalid(field, app.M("err.web.yuan_with_at_most_two_decimals"))
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n < 0 {
		return 0, app.Invalid(field, app.M("err.web.yuan_with_at_most_two_decimals"))
	}
	return n, nil
}

// DiscloseIncome publishes the year's public income from the estate's property page.
// The lines are "item, income, spending" per line, amounts in yuan.
func (h *StewardshipPages) DiscloseIncome(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	in := handover.IncomeInput{Note: c.FormValue("note")}
	in.Year, err = strconv.Atoi(strings.TrimSpace(c.FormValue("year")))
	if err != nil {
		err = app.Invalid("year", app.M("err.web.the_year"))
	}
	if err == nil {
		for i, line := range strings.Split(strings.ReplaceAll(c.FormValue("lines"), "\r\n", "\n"), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			parts := strings.Split(strings.ReplaceAll(line, "，", ","), ",")
			f := fmt.Sprintf("lines[%d]", i)
			if len(parts) != 3 {
				err = app.Invalid(f, app.M("err.web.item_income_spending"))
				break
			}
			l := handover.IncomeLine{Item: strings.TrimSpace(parts[0])}
			if l.IncomeFen, err = parseYuan(f+".income", parts[1]); err != nil {
				break
			}
			if l.SpendingFen, err = parseYuan(f+".spending", parts[2]); err != nil {
				break
			}
			in.Lines = append(in.Lines, l)
		}
	}
	if err == nil {
		_, err = h.Handover.DiscloseIncome(httpx.Ctx(c), p, id, in)
	}
	if err != nil {
		return h.renderEstate(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/estates/%d/stewardship", id), h.Views.T(Lang(c), "h6.disclosed", "Year", in.Year))
}

type handoversData struct {
	List []handover.Escalation
}

// Handovers lists the handovers in jurisdiction, escalated ones first and flagged.
func (h *StewardshipPages) Handovers(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	list, err := h.Handover.Handovers(httpx.Ctx(c), p)
	if err != nil {
		return err
	}
	return h.Render(c, "handovers", h.page(c, "handovers", handoversData{List: list}))
}

type handoverData struct {
	H handover.Handover
}

// HandoverPage is the handover checklist.
func (h *StewardshipPages) HandoverPage(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	return h.renderHandover(c, p, id, nil)
}

func (h *StewardshipPages) renderHandover(c *fiber.Ctx, p app.Principal, id int64, formErr error) error {
	v, err := h.Handover.Handover(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return h.RenderWithError(c, "handover", h.page(c, "handovers", handoverData{H: v}), formErr)
}

// RecordItem records one item of the checklist; account lines are "label, yuan" per line.
func (h *StewardshipPages) RecordItem(c *fiber.Ctx) error {
	p, id, item, err := principalAndIDs(c, "item")
	if err != nil {
		return err
	}
	in := handover.ItemInput{Status: c.FormValue("status"), Note: c.FormValue("note"), ConfirmedBy: c.FormValue("confirmed_by"),
		ConfirmerName: c.FormValue("confirmer_name")}
	for i, line := range strings.Split(strings.ReplaceAll(c.FormValue("accounts"), "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		label, amount, ok := strings.Cut(strings.ReplaceAll(line, "，", ","), ",")
		f := fmt.Sprintf("accounts[%d]", i)
		if !ok {
			err = app.Invalid(f, app.M("err.web.label_amount"))
			break
		}
		var fen int64
		if fen, err = parseYuan(f+".amount", amount); err != nil {
			break
		}
		in.Accounts = append(in.Accounts, handover.AccountInput{Label: strings.TrimSpace(label), AmountFen: fen})
	}
	if err == nil {
		var v handover.Handover
		v, err = h.Handover.Handover(httpx.Ctx(c), p, id)
		if err == nil {
			found := false
			for _, it := range v.Items {
				found = found || it.ID == item
			}
			if !found {
				return app.Fail(app.ENotFound, "err.web.no_such_handover_item")
			}
			_, err = h.Handover.RecordItem(httpx.Ctx(c), p, item, in)
		}
	}
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return err
		}
		return h.renderHandover(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/handovers/%d", id), h.Views.T(Lang(c), "h6.saved"))
}

// Refuse records the company's refusal.
func (h *StewardshipPages) Refuse(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	if _, err := h.Handover.Refuse(httpx.Ctx(c), p, id, c.FormValue("note")); err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return err
		}
		return h.renderHandover(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/handovers/%d", id), h.Views.T(Lang(c), "h6.saved"))
}

// Complete closes the handover with its signatures.
func (h *StewardshipPages) Complete(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	_, err = h.Handover.Complete(httpx.Ctx(c), p, id, handover.CompleteInput{ReceiverSigner: c.FormValue("receiver_signer"),
		CompanySigner: c.FormValue("company_signer"), WitnessSigner: c.FormValue("witness_signer")})
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return err
		}
		return h.renderHandover(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/handovers/%d", id), h.Views.T(Lang(c), "h6.completed"))
}

// HandoverRecord downloads the signed handover record PDF.
func (h *StewardshipPages) HandoverRecord(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	f, err := h.Handover.HandoverRecord(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

// AddItem adds an item agreed in the contract to the checklist.
func (h *StewardshipPages) AddItem(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	if _, err := h.Handover.AddItem(httpx.Ctx(c), p, id, c.FormValue("label")); err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return err
		}
		return h.renderHandover(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/handovers/%d", id), h.Views.T(Lang(c), "h6.saved"))
}
