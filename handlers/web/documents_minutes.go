package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/documents"
	"gongzhi/app/rules"
	"gongzhi/handlers/httpx"
	"gongzhi/models"
)

// Empty rows the minutes form offers for new decisions and signatures.
const docBlankRows = 3

// docDecisionRow is one decision row of the minutes form.
type docDecisionRow struct {
	Text, Agree, Oppose, Abstain string
	Outcome                      string
	Passed                       bool
	Counted                      bool
	Needed                       int
}

// docSignatureRow is one signature row of the minutes form.
type docSignatureRow struct {
	Name, Date string
}

// docMinutesForm is the content of the minutes form as the user sees and types it.
type docMinutesForm struct {
	Title, Place, HeldAt                    string
	Members, Attendees, Agenda, Proceedings string
	MemberList                              []string
	Present                                 map[string]bool
	Suspended                               map[string]bool // members suspended at the meeting: no box to tick
	Decisions                               []docDecisionRow
	Signatures                              []docSignatureRow
	Revision                                int
}

// docMinutesData is the minutes page.
type docMinutesData struct {
	View      documents.MinutesView
	Form      docMinutesForm
	Committee bool
}

// docInputTime prints an instant for a datetime-local input in Asia/Shanghai.
func docInputTime(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.In(rules.Shanghai()).Format(layout)
}

// formOf fills the form from stored minutes, with blank rows to add to.
func formOf(v documents.MinutesView) docMinutesForm {
	c := v.Content
	f := docMinutesForm{Title: c.Title, Place: c.Place, HeldAt: docInputTime(c.HeldAt, dateTimeInput),
		Members: strings.Join(c.Members, "\n"), Attendees: strings.Join(c.Attendees, "\n"), Agenda: strings.Join(c.Agenda, "\n"),
		Proceedings: c.Proceedings, MemberList: c.Members, Present: map[string]bool{}, Suspended: map[string]bool{}, Revision: v.Revision}
	for _, n := range c.Present {
		f.Present[n] = true
	}
	for _, n := range v.Suspended {
		f.Suspended[n] = true
	}
	for _, d := range v.Decisions {
		f.Decisions = append(f.Decisions, docDecisionRow{Text: d.Text, Agree: strconv.Itoa(d.Agree), Oppose: strconv.Itoa(d.Oppose),
			Abstain: strconv.Itoa(d.Abstain), Outcome: d.Outcome, Passed: d.Passed, Counted: d.Counted, Needed: d.NeededToPass})
	}
	for _, s := range c.Signatures {
		f.Signatures = append(f.Signatures, docSignatureRow{Name: s.Name, Date: docInputTime(s.SignedAt, dateInput)})
	}
	if v.CanEdit {
		for range docBlankRows {
			f.Decisions = append(f.Decisions, docDecisionRow{})
			f.Signatures = append(f.Signatures, docSignatureRow{})
		}
	}
	return f
}

// docAt returns list[i] or "".
func docAt(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// docLines splits a textarea into lines.
func docLines(s string) []string {
	return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

// docCount reads a count typed into a decision row ("" is 0).
func docCount(field, s string) (int, error) {
	n, ok := wholeNumber(s)
	if !ok || n < 0 {
		return 0, app.Invalid(field, app.M("err.web.a_count_must_be_a_whole_number"))
	}
	return n, nil
}

// parseMinutesForm reads the posted form: what the user typed (to show it again) and the
// content for the service.
func parseMinutesForm(c *fiber.Ctx) (docMinutesForm, documents.MinutesInput, error) {
	f := docMinutesForm{Title: c.FormValue("title"), Place: c.FormValue("place"), HeldAt: c.FormValue("held_at"),
		Members: c.FormValue("members"), Attendees: c.FormValue("attendees"), Agenda: c.FormValue("agenda"),
		Proceedings: c.FormValue("proceedings"), Present: map[string]bool{}}
	f.Revision, _ = strconv.Atoi(c.FormValue("revision"))
	in := documents.MinutesInput{Title: f.Title, Place: f.Place, Members: docLines(f.Members), Attendees: docLines(f.Attendees),
		Agenda: docLines(f.Agenda), Proceedings: f.Proceedings}
	for _, m := range in.Members {
		if m = strings.TrimSpace(m); m != "" {
			f.MemberList = append(f.MemberList, m)
		}
	}
	for _, n := range formValues(c, "present") {
		f.Present[n] = true
		in.Present = append(in.Present, n)
	}
	var firstErr error
	keep := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	if f.HeldAt != "" {
		t, ok := localTime(f.HeldAt, dateTimeInput)
		if !ok {
			keep(app.Invalid("held_at", app.M("err.web.the_time_of_the_meeting_is_not_a_date_and_time")))
		}
		in.HeldAt = t
	}
	texts, agrees, opposes, abstains := formValues(c, "decision_text"), formValues(c, "decision_agree"),
		formValues(c, "decision_oppose"), formValues(c, "decision_abstain")
	for i := range texts {
		row := docDecisionRow{Text: texts[i], Agree: docAt(agrees, i), Oppose: docAt(opposes, i), Abstain: docAt(abstains, i)}
		f.Decisions = append(f.Decisions, row)
		d := documents.Decision{Text: row.Text}
		var err error
		field := fmt.Sprintf("decisions[%d]", i)
		if d.Agree, err = docCount(field, row.Agree); err != nil {
			keep(err)
		}
		if d.Oppose, err = docCount(field, row.Oppose); err != nil {
			keep(err)
		}
		if d.Abstain, err = docCount(field, row.Abstain); err != nil {
			keep(err)
		}
		in.Decisions = append(in.Decisions, d)
	}
	names, dates := formValues(c, "signature_name"), formValues(c, "signature_date")
	for i := range names {
		row := docSignatureRow{Name: names[i], Date: docAt(dates, i)}
		f.Signatures = append(f.Signatures, row)
		s := documents.Signature{Name: row.Name}
		t, ok := localTime(row.Date, dateInput)
		if !ok {
			keep(app.Invalid(fmt.Sprintf("signatures[%d]", i), app.M("err.web.the_date_is_not_a_date")))
		}
		s.SignedAt = t
		in.Signatures = append(in.Signatures, s)
	}
	return f, in, firstErr
}

// MinutesPage shows minutes: an editable form while draft, the record and its PDF once final.
func (h *DocumentPages) MinutesPage(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	v, err := h.Docs.Minutes(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	d := docMinutesData{View: v, Form: formOf(v), Committee: v.Kind == models.MinutesCommittee}
	return h.Render(c, "minutes", h.page(c, "estates", d))
}

// SaveMinutes saves the edited draft; a refusal shows the form again with what was typed.
func (h *DocumentPages) SaveMinutes(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	form, in, perr := parseMinutesForm(c)
	err = perr
	if err == nil {
		_, err = h.Docs.UpdateMinutes(httpx.Ctx(c), p, id, in, form.Revision)
	}
	if err != nil {
		v, verr := h.Docs.Minutes(httpx.Ctx(c), p, id)
		if verr != nil {
			return verr
		}
		if !v.CanEdit {
			return err
		}
		d := docMinutesData{View: v, Form: form, Committee: v.Kind == models.MinutesCommittee}
		return h.RenderWithError(c, "minutes", h.page(c, "estates", d), err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/minutes/%d", id), h.Views.T(Lang(c), "documents.flash_saved"))
}

// FinaliseMinutes makes the minutes final and stores their PDF.
func (h *DocumentPages) FinaliseMinutes(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	v, err := h.Docs.FinaliseMinutes(httpx.Ctx(c), p, id)
	number := ""
	if err == nil && v.Document != nil {
		number = v.Document.Number
	}
	load := func() (docMinutesData, error) {
		cur, err := h.Docs.Minutes(httpx.Ctx(c), p, id)
		return docMinutesData{View: cur, Form: formOf(cur), Committee: cur.Kind == models.MinutesCommittee}, err
	}
	return refuseOrRedirect(c, h.Handlers, err, "minutes", "estates", load,
		fmt.Sprintf("/minutes/%d", id), h.Views.T(Lang(c), "documents.flash_finalised", "Number", number))
}

// MinutesPDF serves the stored PDF of final minutes.
func (h *DocumentPages) MinutesPDF(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	f, err := h.Docs.MinutesPDF(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

// CreateMinutes starts minutes from the estate's documents page: a committee meeting with
// its title and time, or an assembly meeting of a counted vote.
func (h *DocumentPages) CreateMinutes(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	in := documents.NewMinutes{Kind: c.FormValue("kind"), VoteID: formInt(c, "vote_id")}
	in.Title, in.Place = c.FormValue("title"), c.FormValue("place")
	if at := strings.TrimSpace(c.FormValue("held_at")); at != "" {
		t, ok := localTime(at, dateTimeInput)
		if !ok {
			err = app.Invalid("held_at", app.M("err.web.the_time_of_the_meeting_is_not_a_date_and_time"))
		}
		in.HeldAt = t
	} else if in.Kind == models.MinutesCommittee {
		err = app.Invalid("held_at", app.M("err.web.the_time_of_the_meeting_is_required"))
	}
	var mid int64
	if err == nil {
		mid, err = h.Docs.CreateMinutes(httpx.Ctx(c), p, id, in)
	}
	load := func() (docEstateData, error) {
		return h.estateData(c, p, id, map[string]string{"minutes_title": in.Title, "minutes_place": in.Place,
			"minutes_held_at": c.FormValue("held_at")})
	}
	return refuseOrRedirect(c, h.Handlers, err, "documents_estate", "estates", load,
		fmt.Sprintf("/minutes/%d", mid), h.Views.T(Lang(c), "documents.flash_minutes_created"))
}

// CreateAssemblyMinutes starts the minutes of a counted vote from its documents page.
func (h *DocumentPages) CreateAssemblyMinutes(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	o, err := h.Docs.VoteOverview(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	mid, err := h.Docs.CreateMinutes(httpx.Ctx(c), p, o.Vote.EstateID, documents.NewMinutes{Kind: models.MinutesAssembly, VoteID: id})
	if err != nil {
		return h.renderVote(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/minutes/%d", mid), h.Views.T(Lang(c), "documents.flash_minutes_created"))
}
