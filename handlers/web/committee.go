package web

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/committee"
	"gongzhi/handlers/httpx"
)

// CommitteePages are the committee in office (issue 12): the committee page (members,
// status, alternates, vacancies, cases), the case page with its timeline, the street
// office's list of open cases, and the public report form on the estate's public page.
type CommitteePages struct {
	*Handlers
	Committee *committee.Service
}

// cmPageData is the committee page's data.
type cmPageData struct {
	EstateID int64
	View     committee.View
	Form     map[string]string
	Labels   func(string) string
	Cessions func(string) string
	// Oversight is the committee's ratings, orders and revocations (seed 003 §(六)).
	Oversight committee.OversightView
}

func (h *CommitteePages) committeeData(c *fiber.Ctx, p app.Principal, estateID int64) (cmPageData, error) {
	v, err := h.Committee.EstateCommittee(c.UserContext(), p, estateID)
	if err != nil {
		return cmPageData{}, err
	}
	ov, err := h.Committee.Oversight(c.UserContext(), p, v.Committee.ID)
	if err != nil {
		return cmPageData{}, err
	}
	return cmPageData{EstateID: estateID, View: v, Form: formEcho(c), Labels: committee.GroundLabel, Cessions: committee.CessationLabel, Oversight: ov}, nil
}

// CommitteePage shows the committee in office of an estate.
func (h *CommitteePages) CommitteePage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "committee_office", "estates", h.committeeData)
}

// committeeAction runs one change posted from the committee page.
func (h *CommitteePages) committeeAction(flash string, do func(c *fiber.Ctx, p app.Principal, committeeID int64) (string, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, estateID, err := principalAndID(c)
		if err != nil {
			return err
		}
		d, err := h.committeeData(c, p, estateID)
		if err != nil {
			return err
		}
		to, err := do(c, p, d.View.Committee.ID)
		if to == "" {
			to = fmt.Sprintf("/estates/%d/committee-office", estateID)
		}
		return refuseOrRedirect(c, h.Handlers, err, "committee_office", "estates", func() (cmPageData, error) { return h.committeeData(c, p, estateID) },
			to, h.Views.T(Lang(c), flash))
	}
}

// Report records a report against a member from the committee page.
func (h *CommitteePages) Report(c *fiber.Ctx) error {
	return h.committeeAction("inoffice.flash.reported", func(c *fiber.Ctx, p app.Principal, cid int64) (string, error) {
		id, err := h.Committee.Report(c.UserContext(), p, cid, committee.ReportInput{MemberID: formInt(c, "member_id"), Grounds: formValues(c, "grounds"),
			Facts: c.FormValue("facts"), Reporter: c.FormValue("reporter"), ReporterName: c.FormValue("reporter_name")})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("/committee-cases/%d", id), nil
	})(c)
}

// Cessation records an automatic cessation from the committee page.
func (h *CommitteePages) Cessation(c *fiber.Ctx) error {
	return h.committeeAction("inoffice.flash.ceased", func(c *fiber.Ctx, p app.Principal, cid int64) (string, error) {
		_, err := h.Committee.Cessation(c.UserContext(), p, cid, committee.CessationInput{MemberID: formInt(c, "member_id"), Reason: c.FormValue("reason"),
			EffectiveOn: c.FormValue("effective_on"), Facts: c.FormValue("facts")})
		return "", err
	})(c)
}

// Reelection starts the re-election group of a committee flagged for re-election.
func (h *CommitteePages) Reelection(c *fiber.Ctx) error {
	return h.committeeAction("inoffice.flash.reelection", func(c *fiber.Ctx, p app.Principal, cid int64) (string, error) {
		_, err := h.Committee.StartReelection(c.UserContext(), p, cid)
		if err != nil {
			return "", err
		}
		est, _ := pathID(c)
		return fmt.Sprintf("/estates/%d/formation", est), nil
	})(c)
}

// ChangeFiling records the change filing of the pending changes.
func (h *CommitteePages) ChangeFiling(c *fiber.Ctx) error {
	return h.committeeAction("inoffice.flash.filed", func(c *fiber.Ctx, p app.Principal, cid int64) (string, error) {
		_, err := h.Committee.FileChanges(c.UserContext(), p, cid, c.FormValue("reference_no"))
		return "", err
	})(c)
}

// cmCaseData is the case page's data.
type cmCaseData struct {
	Case      committee.CaseView
	Form      map[string]string
	Labels    func(string) string
	Cessation func(string) string
}

func (h *CommitteePages) caseData(c *fiber.Ctx, p app.Principal, id int64) (cmCaseData, error) {
	v, err := h.Committee.Case(c.UserContext(), p, id)
	if err != nil {
		return cmCaseData{}, err
	}
	return cmCaseData{Case: v, Form: formEcho(c), Labels: committee.GroundLabel, Cessation: committee.CessationLabel}, nil
}

// CasePage shows one case with its timeline.
func (h *CommitteePages) CasePage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "committee_case", "estates", h.caseData)
}

// caseAction runs one step posted from the case page.
func (h *CommitteePages) caseAction(flash string, do func(c *fiber.Ctx, p app.Principal, id int64) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, id, err := principalAndID(c)
		if err != nil {
			return err
		}
		err = do(c, p, id)
		return refuseOrRedirect(c, h.Handlers, err, "committee_case", "estates", func() (cmCaseData, error) { return h.caseData(c, p, id) },
			fmt.Sprintf("/committee-cases/%d", id), h.Views.T(Lang(c), flash))
	}
}

// Verify records the verification from the case page.
func (h *CommitteePages) Verify(c *fiber.Ctx) error {
	return h.caseAction("inoffice.flash.verified", func(c *fiber.Ctx, p app.Principal, id int64) error {
		var founded *bool
		switch c.FormValue("founded") {
		case "true":
			t := true
			founded = &t
		case "false":
			f := false
			founded = &f
		}
		return h.Committee.Verify(c.UserContext(), p, id, committee.VerifyInput{Founded: founded, Reasons: c.FormValue("reasons")})
	})(c)
}

// Defence records the member's defence from the case page.
func (h *CommitteePages) Defence(c *fiber.Ctx) error {
	return h.caseAction("inoffice.flash.saved", func(c *fiber.Ctx, p app.Principal, id int64) error {
		return h.Committee.Defence(c.UserContext(), p, id, committee.DefenceInput{Text: c.FormValue("text")})
	})(c)
}

// Propose records the proposal to the assembly from the case page.
func (h *CommitteePages) Propose(c *fiber.Ctx) error {
	return h.caseAction("inoffice.flash.saved", func(c *fiber.Ctx, p app.Principal, id int64) error {
		return h.Committee.Propose(c.UserContext(), p, id, c.FormValue("text"), nil)
	})(c)
}

// Order records the street office's order from the case page.
func (h *CommitteePages) Order(c *fiber.Ctx) error {
	return h.caseAction("inoffice.flash.saved", func(c *fiber.Ctx, p app.Principal, id int64) error {
		return h.Committee.Order(c.UserContext(), p, id, c.FormValue("text"), nil)
	})(c)
}

// ConfirmCessation confirms or dismisses a detected cessation from the case page.
func (h *CommitteePages) ConfirmCessation(c *fiber.Ctx) error {
	return h.caseAction("inoffice.flash.saved", func(c *fiber.Ctx, p app.Principal, id int64) error {
		confirm := c.FormValue("confirm") == "true"
		if c.FormValue("confirm") == "" {
			return h.Committee.ConfirmCessation(c.UserContext(), p, id, committee.ConfirmInput{Reasons: c.FormValue("reasons")})
		}
		return h.Committee.ConfirmCessation(c.UserContext(), p, id, committee.ConfirmInput{Confirm: &confirm, Reasons: c.FormValue("reasons"),
			EffectiveOn: c.FormValue("effective_on")})
	})(c)
}

// OpenCases is the street office's list: open cases (overdue first) and estates
// whose committee must be re-elected.
func (h *CommitteePages) OpenCases(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	sv, err := h.Committee.Open(c.UserContext(), p)
	if err != nil {
		return err
	}
	return h.Render(c, "committee_cases", h.page(c, "cases", sv))
}

// cmPublicData is the public report form's data.
type cmPublicData struct {
	Form   committee.PublicForm
	Echo   map[string]string
	Labels func(string) string
	Done   bool
}

// PublicForm shows the public report form of an estate (no sign-in).
func (h *CommitteePages) PublicForm(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	f, err := h.Committee.PublicReportForm(httpx.Ctx(c), id)
	if err != nil {
		return err
	}
	return h.Render(c, "committee_report", h.page(c, "", cmPublicData{Form: f, Echo: formEcho(c), Labels: committee.GroundLabel}))
}

// PublicReport takes a report from the public form; the reporter's name and contact
// are kept only as a keyed hash and masks.
func (h *CommitteePages) PublicReport(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	f, err := h.Committee.PublicReportForm(httpx.Ctx(c), id)
	if err != nil {
		return err
	}
	_, err = h.Committee.PublicReport(httpx.Ctx(c), id, committee.PublicReportInput{MemberID: formInt(c, "member_id"), Grounds: formValues(c, "grounds"),
		Facts: c.FormValue("facts"), ReporterName: c.FormValue("reporter_name"), Contact: strings.TrimSpace(c.FormValue("contact"))})
	d := cmPublicData{Form: f, Echo: formEcho(c), Labels: committee.GroundLabel, Done: err == nil}
	if err == nil {
		d.Echo = map[string]string{}
	}
	return h.RenderWithError(c, "committee_report", h.page(c, "", d), err)
}

// AddFile attaches an evidence file from the case page.
func (h *CommitteePages) AddFile(c *fiber.Ctx) error {
	return h.caseAction("inoffice.flash.saved", func(c *fiber.Ctx, p app.Principal, id int64) error {
		up, err := httpx.FormFile(c, "file", committee.MaxEvidence)
		if err != nil {
			return err
		}
		var name string
		var data []byte
		if up != nil {
			name, data = up.Filename, up.Data
		}
		_, err = h.Committee.AddFile(c.UserContext(), p, id, name, data)
		return err
	})(c)
}

// File downloads an evidence file of a case.
func (h *CommitteePages) File(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	f, err := h.Committee.File(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/octet-stream")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="evidence-%d"`, f.ID))
	return c.Send(f.Data)
}
