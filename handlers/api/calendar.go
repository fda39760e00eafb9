package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app/calendar"
	"gongzhi/app/rules"
	"gongzhi/handlers/httpx"
)

// CalendarHandlers serve the holiday notices (platform administrator only).
type CalendarHandlers struct {
	Calendar *calendar.Service
	Validate *httpx.Validator
}

type holidaySpanJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type holidayCalendarRequest struct {
	Basis          string            `json:"basis"`
	RestDays       []holidaySpanJSON `json:"rest_days"`
	MakeUpWorkdays []string          `json:"make_up_workdays"`
}

type holidayCalendarJSON struct {
	Year           int               `json:"year"`
	Basis          string            `json:"basis"`
	RestDays       []holidaySpanJSON `json:"rest_days"`
	MakeUpWorkdays []string          `json:"make_up_workdays"`
	BuiltIn        bool              `json:"built_in"`
	LoadedBy       string            `json:"loaded_by,omitempty"`
	LoadedAt       *time.Time        `json:"loaded_at,omitempty"`
}

func holidayCalendarOf(n calendar.Notice) holidayCalendarJSON {
	j := holidayCalendarJSON{Year: n.Year, Basis: n.Basis, RestDays: []holidaySpanJSON{}, MakeUpWorkdays: []string{},
		BuiltIn: n.BuiltIn, LoadedBy: n.LoadedByName, LoadedAt: n.LoadedAt}
	for _, sp := range n.RestDays {
		j.RestDays = append(j.RestDays, holidaySpanJSON{From: sp.From, To: sp.To})
	}
	j.MakeUpWorkdays = append(j.MakeUpWorkdays, n.MakeUpWorkdays...)
	return j
}

// ListHolidayCalendars lists every year the platform holds a holiday notice for.
func (h *CalendarHandlers) ListHolidayCalendars(c *fiber.Ctx) error {
	list, err := h.Calendar.List(httpx.Ctx(c), httpx.MustPrincipal(c))
	if err != nil {
		return err
	}
	out := make([]holidayCalendarJSON, len(list))
	for i, n := range list {
		out[i] = holidayCalendarOf(n)
	}
	return c.JSON(out)
}

// LoadHolidayCalendar stores the State Council's holiday notice of the path's year
// (the service validates every field and names the wrong ones).
func (h *CalendarHandlers) LoadHolidayCalendar(c *fiber.Ctx) error {
	p := httpx.MustPrincipal(c)
	year, err := calendar.ParseYear(c.Params("year"))
	if err != nil {
		return err
	}
	var req holidayCalendarRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	in := calendar.Input{Basis: req.Basis, MakeUpWorkdays: req.MakeUpWorkdays}
	for _, sp := range req.RestDays {
		in.RestDays = append(in.RestDays, rules.HolidaySpan{From: sp.From, To: sp.To})
	}
	n, err := h.Calendar.Load(httpx.Ctx(c), p, year, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(holidayCalendarOf(n))
}
