package web

import (
	"github.com/gofiber/fiber/v2"

	"gongzhi/app/calendar"
)

// CalendarPages are the platform administrator's holiday notices page.
type CalendarPages struct {
	*Handlers
	Calendar *calendar.Service
}

// calendarForm is what the administrator typed, kept on a refused submission.
type calendarForm struct {
	Year       string
	Basis      string
	RestDays   string
	MakeUpDays string
}

// calendarRow is one year's notice as the page lists it.
type calendarRow struct {
	calendar.Notice
	RestText, MakeUpText string
}

type calendarData struct {
	Notices []calendarRow
	Form    calendarForm
}

func (h *CalendarPages) render(c *fiber.Ctx, form calendarForm, formErr error) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	list, err := h.Calendar.List(c.UserContext(), p)
	if err != nil {
		return err
	}
	d := calendarData{Form: form}
	for _, n := range list {
		r := calendarRow{Notice: n}
		r.RestText, r.MakeUpText = calendar.Text(n.HolidayNotice)
		d.Notices = append(d.Notices, r)
	}
	pg := h.page(c, "calendar", d)
	if formErr != nil {
		return h.RenderWithError(c, "calendar", pg, formErr)
	}
	return h.Render(c, "calendar", pg)
}

// CalendarPage lists the holiday notices the platform holds, with the form to load a year.
func (h *CalendarPages) CalendarPage(c *fiber.Ctx) error { return h.render(c, calendarForm{}, nil) }

// LoadCalendar stores the year's notice typed into the form.
func (h *CalendarPages) LoadCalendar(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	form := calendarForm{Year: c.FormValue("year"), Basis: c.FormValue("basis"), RestDays: c.FormValue("rest_days"), MakeUpDays: c.FormValue("make_up_workdays")}
	year, err := calendar.ParseYear(form.Year)
	if err != nil {
		return h.render(c, form, err)
	}
	in, err := calendar.ParseText(form.Basis, form.RestDays, form.MakeUpDays)
	if err != nil {
		return h.render(c, form, err)
	}
	if _, err := h.Calendar.Load(c.UserContext(), p, year, in); err != nil {
		return h.render(c, form, err)
	}
	return h.RedirectWithFlash(c, "/holiday-calendars", h.Views.T(Lang(c), "calendar.loaded", "Year", year))
}
