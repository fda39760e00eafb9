package web

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/property"
	"gongzhi/app/rules"
	"gongzhi/handlers/httpx"
	"gongzhi/models"
)

// PropertyPages are the pages of property companies, complaints and exit cases
// (docs/property.md), and the owners' public complaint form and follow-up link.
type PropertyPages struct {
	*Handlers
	Property  *property.Service
	PublicURL string // base of the private follow-up link shown to the owner
}

// propertyPerms tells the pages which forms to show (app/access decides).
type propertyPerms struct {
	Supervise bool // register companies, order rectifications, talks and notices
	Records   bool // contracts, complaints and their events, surveys
}

func permsOf(p app.Principal) propertyPerms {
	return propertyPerms{Supervise: access.Can(p, access.SuperviseProperty), Records: access.Can(p, access.PropertyRecords)}
}

// formInstant turns a datetime-local field (Shanghai) into the RFC 3339 text the
// service reads; what does not parse is passed on for the service to name.
func formInstant(c *fiber.Ctx, name string) string {
	v := strings.TrimSpace(c.FormValue(name))
	if t, ok := localTime(v, dateTimeInput, "2006-01-02 15:04"); ok && !t.IsZero() {
		return t.Format(time.RFC3339)
	}
	return v
}

// countdown is the remaining (or overdue) time of a stage, in the page's language.
func (h *PropertyPages) countdown(c *fiber.Ctx, d time.Duration) string {
	key := "property.left"
	if d < 0 {
		key, d = "property.overdue_by", -d
	}
	m := int(d / time.Minute)
	return h.Views.T(Lang(c), key, "D", m/(24*60), "H", m/60%24, "M", m%60)
}

func localInput(t time.Time) string { return t.In(rules.Shanghai()).Format(dateTimeInput) }

// endText shows a period's end: 00:00 of a day as 24:00 of the day before (CC 203:
// a period ends at 24:00), any other instant as date and time, in Shanghai.
func endText(t time.Time) string {
	l := t.In(rules.Shanghai())
	if l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 {
		return l.Add(-time.Minute).Format(time.DateOnly) + " 24:00"
	}
	return l.Format("2006-01-02 15:04")
}

// orderRow is a rectification order with its deadline as the page shows it.
type orderRow struct {
	property.RectificationRow
	DeadlineText string
}

func orderRows(list []property.RectificationRow) []orderRow {
	out := make([]orderRow, len(list))
	for i, o := range list {
		out[i] = orderRow{RectificationRow: o, DeadlineText: endText(o.DeadlineAt)}
	}
	return out
}

// complaintRow is a complaint as the list shows it.
type complaintRow struct {
	property.ComplaintView
	Countdown  string
	Late       bool
	NextDue    string // the next stage's deadline
	ResolveDue string // the resolution deadline (24:00 of its last day)
}

func (h *PropertyPages) rows(c *fiber.Ctx, list []property.ComplaintView) []complaintRow {
	out := make([]complaintRow, len(list))
	for i, v := range list {
		out[i] = complaintRow{ComplaintView: v, Late: v.SLA.Open && v.SLA.Remaining < 0, ResolveDue: endText(v.SLA.Resolve.Deadline)}
		if v.SLA.NextStage != "" {
			out[i].Countdown = h.countdown(c, v.SLA.Remaining)
			out[i].NextDue = endText(v.SLA.NextDue)
		}
	}
	return out
}

// CompaniesPage lists the registered companies, with the form to register one.
func (h *PropertyPages) CompaniesPage(c *fiber.Ctx) error { return h.companies(c, nil) }

func (h *PropertyPages) companies(c *fiber.Ctx, formErr error) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	list, err := h.Property.Companies(c.UserContext(), p)
	if err != nil {
		return err
	}
	d := struct {
		Companies []models.PropertyCompany
		Perms     propertyPerms
		Form      map[string]string
	}{list, permsOf(p), formEcho(c)}
	return h.RenderWithError(c, "property_companies", h.page(c, "property", d), formErr)
}

// CreateCompany registers a company from the form.
func (h *PropertyPages) CreateCompany(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	id, err := h.Property.CreateCompany(c.UserContext(), p, property.NewCompany{Name: c.FormValue("name"), USCC: c.FormValue("uscc")})
	if err != nil {
		return h.companies(c, err)
	}
	return h.RedirectWithFlash(c, "/companies/"+itoa(id), h.Views.T(Lang(c), "property.company_created"))
}

// CompanyPage is the company's file.
func (h *PropertyPages) CompanyPage(c *fiber.Ctx) error { return h.companyPage(c, nil) }

func (h *PropertyPages) companyPage(c *fiber.Ctx, formErr error) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	f, err := h.Property.Company(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	d := struct {
		File       property.CompanyFile
		Complaints []complaintRow
		Orders     []orderRow
		Perms      propertyPerms
		Now        string
		Form       map[string]string
	}{f, h.rows(c, f.Complaints), orderRows(f.Rectifications), permsOf(p), localInput(h.Property.Now()), formEcho(c)}
	return h.RenderWithError(c, "property_company", h.page(c, "property", d), formErr)
}

// AddCreditEntry enters a warning talk or a public notice in the company's file.
func (h *PropertyPages) AddCreditEntry(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	estate, _ := strconv.ParseInt(c.FormValue("estate_id"), 10, 64)
	_, err = h.Property.AddCreditEntry(c.UserContext(), p, id, property.NewCreditEntry{Kind: c.FormValue("kind"), At: formInstant(c, "at"),
		Text: c.FormValue("text"), EstateID: estate})
	if err != nil {
		return h.companyPage(c, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/companies/%d", id), h.Views.T(Lang(c), "property.saved"))
}

// ComplaintsPage is the staff list of complaints with their countdowns, overdue first.
func (h *PropertyPages) ComplaintsPage(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	f := property.ComplaintFilter{OpenOnly: c.Query("all") == ""}
	list, err := h.Property.Complaints(c.UserContext(), p, f)
	if err != nil {
		return err
	}
	rows := h.rows(c, list)
	var escalated []complaintRow
	for _, r := range rows {
		if r.Escalated {
			escalated = append(escalated, r)
		}
	}
	d := struct {
		Rows, Escalated []complaintRow
		All             bool
	}{rows, escalated, !f.OpenOnly}
	return h.Render(c, "property_complaints", h.page(c, "property", d))
}

// ComplaintPage shows one complaint with its clock, steps and the form to record one.
func (h *PropertyPages) ComplaintPage(c *fiber.Ctx) error { return h.complaintPage(c, nil) }

func (h *PropertyPages) complaintPage(c *fiber.Ctx, formErr error) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	v, err := h.Property.Complaint(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	d := struct {
		Row   complaintRow
		Perms propertyPerms
		Kinds []string
		Now   string
		Form  map[string]string
	}{h.rows(c, []property.ComplaintView{v})[0], permsOf(p), property.EventKinds, localInput(h.Property.Now()), formEcho(c)}
	return h.RenderWithError(c, "property_complaint", h.page(c, "property", d), formErr)
}

// AddEvent records a step of the complaint.
func (h *PropertyPages) AddEvent(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	err = h.Property.AddEvent(c.UserContext(), p, id, property.Event{Kind: c.FormValue("kind"), At: formInstant(c, "at"), Note: c.FormValue("note")})
	if err != nil {
		return h.complaintPage(c, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/complaints/%d", id), h.Views.T(Lang(c), "property.saved"))
}

// AddAttachment attaches an uploaded photo or PDF to the complaint.
func (h *PropertyPages) AddAttachment(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	up, err := httpx.FormFile(c, "file", property.MaxAttachment+1)
	if err != nil {
		return err
	}
	if up == nil {
		return h.complaintPage(c, app.Invalid("file", h.Views.T(Lang(c), "property.file_missing")))
	}
	if _, err := h.Property.AddAttachment(c.UserContext(), p, id, up.Filename, up.Data); err != nil {
		return h.complaintPage(c, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/complaints/%d", id), h.Views.T(Lang(c), "property.saved"))
}

// DownloadAttachment sends a complaint's attachment as a download.
func (h *PropertyPages) DownloadAttachment(c *fiber.Ctx) error {
	p, id, att, err := principalAndIDs(c, "att")
	if err != nil {
		return err
	}
	a, err := h.Property.Attachment(c.UserContext(), p, id, att)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="attachment-%d"; filename*=UTF-8''%s`, a.ID, url.PathEscape(a.Filename)))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(a.Data)
}

// EstatePage is an estate's property page: its contracts, complaints, orders, the
// exit check today and the forms of each record.
func (h *PropertyPages) EstatePage(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return h.estatePage(c, id, nil)
}

func (h *PropertyPages) estatePage(c *fiber.Ctx, id int64, formErr error) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	e, err := h.Orgs.Estate(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	list, err := h.Property.Complaints(c.UserContext(), p, property.ComplaintFilter{EstateID: id})
	if err != nil {
		return err
	}
	check, err := h.Property.ExitCheck(c.UserContext(), p, id, "")
	if err != nil {
		return err
	}
	companies, err := h.Property.Companies(c.UserContext(), p)
	if err != nil {
		return err
	}
	var file property.CompanyFile
	if check.CompanyID != 0 {
		if file, err = h.Property.Company(c.UserContext(), p, check.CompanyID); err != nil {
			return err
		}
	}
	contracts, err := h.Property.EstateContracts(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	var orders []property.RectificationRow
	for _, o := range file.Rectifications {
		if o.EstateID == id {
			orders = append(orders, o)
		}
	}
	d := struct {
		Estate     models.EstateWithPath
		Check      property.ExitView
		Company    models.PropertyCompany
		Companies  []models.PropertyCompany
		Contracts  []property.ContractRow
		Complaints []complaintRow
		Orders     []orderRow
		Sources    []string
		Perms      propertyPerms
		Now        string
		Form       map[string]string
	}{e, check, file.Company, companies, contracts, h.rows(c, list), orderRows(orders), property.Sources, permsOf(p), localInput(h.Property.Now()), formEcho(c)}
	return h.RenderWithError(c, "property_estate", h.page(c, "estates", d), formErr)
}

func (h *PropertyPages) estateDone(c *fiber.Ctx, id int64, err error) error {
	if err != nil {
		return h.estatePage(c, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/estates/%d/property", id), h.Views.T(Lang(c), "property.saved"))
}

// CreateContract files a service contract of the estate.
func (h *PropertyPages) CreateContract(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	company, _ := strconv.ParseInt(c.FormValue("company_id"), 10, 64)
	_, err = h.Property.CreateContract(c.UserContext(), p, id, property.NewContract{CompanyID: company, StartsOn: c.FormValue("starts_on"),
		EndsOn: c.FormValue("ends_on"), FeeStandard: c.FormValue("fee_standard"), Scope: c.FormValue("scope"), FilingNo: c.FormValue("filing_no"),
		FiledOn: c.FormValue("filed_on")})
	return h.estateDone(c, id, err)
}

// RegisterManager records a contract's project manager; back to the estate's page.
func (h *PropertyPages) RegisterManager(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	estate, _ := strconv.ParseInt(c.FormValue("estate_id"), 10, 64)
	_, err = h.Property.RegisterManager(c.UserContext(), p, id, property.NewManager{Name: c.FormValue("name"), Phone: c.FormValue("phone"),
		RegisteredOn: c.FormValue("registered_on")})
	if estate <= 0 {
		if err != nil {
			return err
		}
		return h.RedirectWithFlash(c, "/complaints", h.Views.T(Lang(c), "property.saved"))
	}
	return h.estateDone(c, estate, err)
}

// FileComplaint registers a complaint received by staff.
func (h *PropertyPages) FileComplaint(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	_, err = h.Property.FileComplaint(c.UserContext(), p, id, property.NewComplaint{Complainant: c.FormValue("complainant"),
		ReceivedAt: formInstant(c, "received_at"), Source: c.FormValue("source"), Category: c.FormValue("category"), Text: c.FormValue("text")})
	return h.estateDone(c, id, err)
}

// RecordSurvey records a paper satisfaction survey.
func (h *PropertyPages) RecordSurvey(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	if v := strings.TrimSpace(c.FormValue("vote_id")); v != "" {
		vote, _ := strconv.ParseInt(v, 10, 64)
		_, err = h.Property.RecordSurveyFromVote(c.UserContext(), p, id, vote, strings.TrimSpace(c.FormValue("item")))
		return h.estateDone(c, id, err)
	}
	respondents, okR := wholeNumber(c.FormValue("respondents"))
	satisfied, okS := wholeNumber(c.FormValue("satisfied"))
	switch {
	case !okR:
		err = app.Invalid("respondents", app.M("err.web.respondents_must_be_a_whole_number"))
	case !okS:
		err = app.Invalid("satisfied", app.M("err.web.satisfied_must_be_a_whole_number"))
	default:
		_, err = h.Property.RecordSurvey(c.UserContext(), p, id, property.NewSurvey{ClosedAt: formInstant(c, "closed_at"), Respondents: respondents, Satisfied: satisfied})
	}
	return h.estateDone(c, id, err)
}

// CreateRectification orders the estate's company to rectify.
func (h *PropertyPages) CreateRectification(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	_, err = h.Property.CreateRectification(c.UserContext(), p, id, property.NewRectification{OrderedAt: formInstant(c, "ordered_at"),
		Deadline: c.FormValue("deadline"), Text: c.FormValue("text")})
	return h.estateDone(c, id, err)
}

// RecordOutcome records an order's outcome; back to the estate's page.
func (h *PropertyPages) RecordOutcome(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	err = h.Property.RecordOutcome(c.UserContext(), p, id, property.Outcome{Outcome: c.FormValue("outcome"), At: formInstant(c, "at")})
	if err != nil {
		return err
	}
	back := "/complaints"
	if e, perr := strconv.ParseInt(c.FormValue("estate_id"), 10, 64); perr == nil && e > 0 {
		back = fmt.Sprintf("/estates/%d/property", e)
	}
	return h.RedirectWithFlash(c, back, h.Views.T(Lang(c), "property.saved"))
}

// ExitCasesPage lists the exit cases in the caller's jurisdiction with their evidence.
func (h *PropertyPages) ExitCasesPage(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	list, err := h.Property.ExitCases(c.UserContext(), p)
	if err != nil {
		return err
	}
	return h.Render(c, "property_exit_cases", h.page(c, "property", struct{ Cases []property.ExitCaseView }{list}))
}

// publicForm is the owners' complaint form of an estate.
type publicForm struct {
	EstateID   int64
	EstateName string
	Form       map[string]string
	// MaxFiles and MaxMB are the bounds of the attached photos, shown on the form.
	MaxFiles, MaxMB int
}

// PublicForm is the estate's public complaint form (no sign-in).
func (h *PropertyPages) PublicForm(c *fiber.Ctx) error { return h.publicForm(c, nil) }

func (h *PropertyPages) publicForm(c *fiber.Ctx, formErr error) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	name, err := h.Property.PublicEstate(c.UserContext(), id)
	if err != nil {
		return err
	}
	// The complainant's phone or ID number is personal data: never echoed back.
	echo := formEcho(c)
	delete(echo, "complainant")
	return h.RenderWithError(c, "property_public_form", h.page(c, "", publicForm{EstateID: id, EstateName: name, Form: echo,
		MaxFiles: property.MaxPublicAttachments, MaxMB: property.MaxPublicAttachment >> 20}), formErr)
}

// PublicFile files the owner's complaint and shows the private follow-up link once.
func (h *PropertyPages) PublicFile(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	files, err := publicUploads(c)
	if err != nil {
		return h.publicForm(c, err)
	}
	token, err := h.Property.FilePublic(c.UserContext(), id, property.NewComplaint{Complainant: c.FormValue("complainant"),
		Category: c.FormValue("category"), Text: c.FormValue("text")}, files...)
	if err != nil {
		return h.publicForm(c, err)
	}
	return c.Redirect("/c/"+url.PathEscape(token)+"?new=1", fiber.StatusSeeOther)
}

// Track is the owner's private follow-up page of a complaint (no sign-in).
func (h *PropertyPages) Track(c *fiber.Ctx) error {
	t, err := h.Property.Track(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("Cache-Control", "no-store")
	d := struct {
		T         property.Tracking
		New       bool
		Link      string
		Countdown string
	}{T: t, New: c.Query("new") != "", Link: strings.TrimSuffix(h.PublicURL, "/") + c.Path()}
	if t.SLA.NextStage != "" {
		d.Countdown = h.countdown(c, t.SLA.Remaining)
	}
	return h.Render(c, "property_track", h.page(c, "", d))
}

// publicUploads reads the files of the public complaint form (field "files"; the body
// was bounded by the route's limit before). A file input left empty sends a part with
// no name and no bytes: it is skipped. The service checks the count, sizes and types.
func publicUploads(c *fiber.Ctx) ([]property.Upload, error) {
	if !strings.HasPrefix(strings.ToLower(string(c.Request().Header.ContentType())), "multipart/form-data") {
		return nil, nil
	}
	form, err := c.MultipartForm()
	if err != nil {
		return nil, app.Invalid("files", app.M("err.web.the_files_could_not_be_read"))
	}
	var out []property.Upload
	for _, fh := range form.File["files"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		if len(out) == property.MaxPublicAttachments || fh.Size > property.MaxPublicAttachment {
			// Refused before reading more: the service names the same bound.
			return nil, app.Invalid("files", app.M("err.web.at_most_files_of_mb_each", property.MaxPublicAttachments, property.MaxPublicAttachment>>20))
		}
		f, err := fh.Open()
		if err != nil {
			return nil, app.Invalid("files", app.M("err.web.the_files_could_not_be_read"))
		}
		data, err := io.ReadAll(io.LimitReader(f, property.MaxPublicAttachment+1))
		_ = f.Close()
		if err != nil {
			return nil, app.Invalid("files", app.M("err.web.the_files_could_not_be_read"))
		}
		out = append(out, property.Upload{Filename: fh.Filename, Data: data})
	}
	return out, nil
}

// RevisitsPage is the revisit ledger (回访台账): every revisit of a resolved complaint,
// newest first, and the resolved complaints still waiting for theirs.
func (h *PropertyPages) RevisitsPage(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	var estate int64
	if v := c.Query("estate"); v != "" {
		if estate, err = strconv.ParseInt(v, 10, 64); err != nil || estate <= 0 {
			return app.Invalid("estate", app.M("err.web.a_positive_integer"))
		}
	}
	l, err := h.Property.Revisits(c.UserContext(), p, estate)
	if err != nil {
		return err
	}
	return h.Render(c, "property_revisits", h.page(c, "property", l))
}
