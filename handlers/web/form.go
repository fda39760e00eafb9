package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/handlers/httpx"
)

// The form reader: every page reads what was posted through these, so a form is
// echoed, its repeated fields, dates and numbers read the same way on every page,
// urlencoded or multipart alike. (Uploads are read by httpx.FormFile and
// httpx.StreamFile.)

// isMultipart tells whether the request body is a multipart form.
func isMultipart(c *fiber.Ctx) bool {
	return strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm)
}

// formEcho keeps what the user typed, to refill the form after a refusal: every text
// field but the CSRF token (of a repeated one, the first value of a multipart form and
// the last of an urlencoded one); empty for anything but a POST.
func formEcho(c *fiber.Ctx) map[string]string {
	out := map[string]string{}
	if c.Method() != fiber.MethodPost {
		return out
	}
	if isMultipart(c) {
		if form, err := c.MultipartForm(); err == nil {
			for k, vs := range form.Value {
				if k != httpx.CSRFField && len(vs) > 0 {
					out[k] = vs[0]
				}
			}
		}
		return out
	}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if key := string(k); key != httpx.CSRFField {
			out[key] = string(v)
		}
	})
	return out
}

// formValues returns every value posted under name, in order.
func formValues(c *fiber.Ctx, name string) []string {
	if isMultipart(c) {
		if form, err := c.MultipartForm(); err == nil {
			return form.Value[name]
		}
		return nil
	}
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// formInt reads an id or number field; anything but a whole number is 0 (the service
// names the field it needs).
func formInt(c *fiber.Ctx, name string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(c.FormValue(name)), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// wholeNumber reads a whole number typed into a form; empty is 0.
func wholeNumber(value string) (int, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, true
	}
	n, err := strconv.Atoi(value)
	return n, err == nil
}

// formBool reads a checkbox ("1", "on" or "true" is ticked).
func formBool(c *fiber.Ctx, name string) bool {
	v := c.FormValue(name)
	return v == "1" || v == "on" || v == "true"
}

// The layouts of the date and datetime-local inputs.
const (
	dateInput     = time.DateOnly      // <input type="date">
	dateTimeInput = "2006-01-02T15:04" // <input type="datetime-local">
)

// localTime reads a date or time typed into a form, in Asia/Shanghai, by the first of
// layouts that fits; empty is the zero time.
func localTime(value string, layouts ...string) (time.Time, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return time.Time{}, true
	}
	for _, layout := range layouts {
		if t, err := time.ParseInLocation(layout, value, rules.Shanghai()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// formDate reads a date input as 00:00 Asia/Shanghai; empty gives nil.
func formDate(c *fiber.Ctx, name string) (*time.Time, error) {
	t, ok := localTime(c.FormValue(name), dateInput)
	if !ok {
		return nil, app.Invalid(name, app.M("err.web.date_as_yyyy_mm_dd"))
	}
	if t.IsZero() {
		return nil, nil
	}
	return &t, nil
}

// formDateTime reads a datetime-local input in Asia/Shanghai; a date alone means 09:00
// that day; empty gives nil.
func formDateTime(c *fiber.Ctx, name string) (*time.Time, error) {
	v := c.FormValue(name)
	t, ok := localTime(v, dateTimeInput, "2006-01-02 15:04")
	if !ok {
		if t, ok = localTime(v, dateInput); ok {
			t = t.Add(9 * time.Hour)
		}
	}
	if !ok {
		return nil, app.Invalid(name, app.M("err.web.time_as_yyyy_mm_ddthh_mm"))
	}
	if t.IsZero() {
		return nil, nil
	}
	return &t, nil
}

// formPastDay reads the date on which something happened: nil (now) when empty or today
// (the day of now in Asia/Shanghai), otherwise 12:00 Asia/Shanghai of that day.
func formPastDay(c *fiber.Ctx, name string, now time.Time) (*time.Time, error) {
	d, err := formDate(c, name)
	if err != nil || d == nil {
		return nil, err
	}
	if d.Format(time.DateOnly) == now.In(rules.Shanghai()).Format(time.DateOnly) {
		return nil, nil
	}
	noon := d.Add(12 * time.Hour)
	return &noon, nil
}

// pathParamID reads a positive id from the named path parameter; anything else is a
// page that does not exist.
func pathParamID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, app.Errorf(app.ENotFound, "页面不存在")
	}
	return id, nil
}

// pathID reads the :id path parameter (pathParamID).
func pathID(c *fiber.Ctx) (int64, error) { return pathParamID(c, "id") }
