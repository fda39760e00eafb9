// Package web serves the staff web UI (Chinese first, English second) as server-
// rendered pages that work without JavaScript: sign-in, a home page per role, the
// org tree, estates, accounts and the audit log, and each capability's pages.
// Forms follow POST-redirect-GET and re-render with the input and the message when
// the service refuses them.
package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/auth"
	"gongzhi/app/calendar"
	"gongzhi/app/demo"
	"gongzhi/app/formation"
	"gongzhi/app/orgs"
	"gongzhi/app/property"
	"gongzhi/handlers/httpx"
	"gongzhi/views"
)

// Cookie names of the web UI.
const (
	SessionCookie = "gz_session"
	LangCookie    = httpx.LangCookie
	FlashCookie   = "gz_flash"
)

// Handlers holds the services and the renderer the pages use.
type Handlers struct {
	Views        *views.Renderer
	Auth         *auth.Service
	Orgs         *orgs.Service
	CookieSecure bool
	Demo         *demo.Logins       // the demo accounts listed on the sign-in page; nil outside demo mode
	Formation    *formation.Service // the formation pages, and estates due for a group on the home page
	Calendar     *calendar.Service  // the home page's warning of a year without a holiday notice
	Property     *property.Service  // the home page's banner of open exit cases (street office, district)
	Proxies      httpx.Proxies      // TRUSTED_PROXIES: the sign-in back-off counts the client behind them
	Clock        app.Clock          // the services' clock (services.Set.Clock); nil: the system clock
}

// now is the current instant of the services' clock.
func (h *Handlers) now() time.Time { return app.ClockOrSystem(h.Clock).Now() }

// Page is what every template gets: the chrome (language, principal, CSRF token,
// flash and error) and the page's own typed Data.
type Page struct {
	Lang         string
	Principal    *app.Principal
	CSRF         string
	Flash        string
	Error        string
	ErrorDetails []httpx.ErrorDetail
	// ErrorFields are the input fields a refusal names, kept as data-fields on the
	// alert (for scripts and tests) even when a detail that only repeats the message
	// is not listed again.
	ErrorFields    []string
	Path           string
	Nav            string
	CanManageUsers bool
	// LangInForm: the page's form carries the language switch (a ballot step), so the
	// layout leaves its link out.
	LangInForm bool
	Data       any
}

// Lang returns the request's UI language: the cookie, else Chinese.
func Lang(c *fiber.Ctx) string {
	if l, ok := c.Locals(httpx.LocalLang).(string); ok {
		return l
	}
	return views.Languages()[0]
}

// DetectLang puts the language from the cookie into Locals.
func DetectLang(c *fiber.Ctx) error {
	lang := views.Languages()[0]
	if v := c.Cookies(LangCookie); v != "" {
		for _, l := range views.Languages() {
			if v == l {
				lang = l
			}
		}
	}
	c.Locals(httpx.LocalLang, lang)
	return c.Next()
}

// LoadSession resolves the session cookie, if any, to the principal and its CSRF token.
func (h *Handlers) LoadSession(c *fiber.Ctx) error {
	if tok := c.Cookies(SessionCookie); tok != "" {
		p, csrf, err := h.Auth.Authenticate(httpx.Ctx(c), tok, auth.KindWeb)
		switch {
		case err == nil:
			c.Locals(httpx.LocalPrincipal, p)
			c.Locals(httpx.LocalCSRF, csrf)
		case app.ErrorCode(err) == app.EUnauthorized:
			h.clearCookie(c, SessionCookie)
		default:
			return err
		}
	}
	return c.Next()
}

// RequireLogin sends anonymous visitors to the sign-in page, and an account whose
// password was reset by someone else to the change-password page (it may only
// change the password or sign out until then).
func (h *Handlers) RequireLogin(c *fiber.Ctx) error {
	p, ok := httpx.Principal(c)
	if !ok {
		return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	if p.MustChangePassword && c.Path() != "/password" && c.Path() != "/logout" {
		return c.Redirect("/password", fiber.StatusSeeOther)
	}
	return c.Next()
}

func (h *Handlers) page(c *fiber.Ctx, nav string, data any) Page {
	pg := Page{Lang: Lang(c), Path: c.Path(), Nav: nav, Data: data}
	if p, ok := httpx.Principal(c); ok {
		pg.Principal = &p
		pg.CanManageUsers = h.Orgs.Permissions(p).ManageUsers
	}
	pg.CSRF, _ = c.Locals(httpx.LocalCSRF).(string)
	if f := c.Cookies(FlashCookie); f != "" {
		if msg, err := url.QueryUnescape(f); err == nil {
			pg.Flash = msg
		}
		h.clearCookie(c, FlashCookie)
	}
	return pg
}

// Render writes a page with status 200.
func (h *Handlers) Render(c *fiber.Ctx, name string, pg Page) error {
	c.Type("html", "utf-8")
	return h.Views.Render(c, pg.Lang, name, pg)
}

// RenderWithError re-renders a form page with the service's message, the fields it
// names and the HTTP status of the error, keeping what the user typed (with no
// error, the page as it is).
func (h *Handlers) RenderWithError(c *fiber.Ctx, name string, pg Page, err error) error {
	return h.renderRefused(c, name, pg, err, true)
}

// renderRefused renders the page with the refusal err (none: status 200), its field
// list when details; an internal error goes to the error page instead.
func (h *Handlers) renderRefused(c *fiber.Ctx, name string, pg Page, err error, details bool) error {
	if err == nil {
		return h.Render(c, name, pg)
	}
	ae := httpx.AppError(err)
	if ae.Code == app.EInternal {
		return err
	}
	pg.Error, pg.ErrorDetails = httpx.Localize(ae, h.Views.Translator(Lang(c)))
	if !details {
		pg.ErrorDetails = nil
	}
	pg.ErrorFields = nil
	for _, d := range pg.ErrorDetails {
		if d.Field != "" {
			pg.ErrorFields = append(pg.ErrorFields, d.Field)
		}
	}
	pg.ErrorDetails = beyondMessage(pg.Error, pg.ErrorDetails)
	c.Status(httpx.Status(ae.Code))
	return h.Render(c, name, pg)
}

// beyondMessage is details without those that only repeat the message msg above them
// (a refusal naming one field says it once, not again under the field's code name).
func beyondMessage(msg string, details []httpx.ErrorDetail) []httpx.ErrorDetail {
	var out []httpx.ErrorDetail
	for _, d := range details {
		if d.Row == 0 && d.Column == "" && d.Message == msg {
			continue
		}
		out = append(out, d)
	}
	return out
}

// RedirectWithFlash redirects (303) and shows msg once on the next page.
func (h *Handlers) RedirectWithFlash(c *fiber.Ctx, to, msg string) error {
	c.Cookie(&fiber.Cookie{Name: FlashCookie, Value: url.QueryEscape(msg), Path: "/", HTTPOnly: true, Secure: h.CookieSecure, SameSite: "Lax",
		Expires: h.now().Add(time.Minute)})
	return c.Redirect(to, fiber.StatusSeeOther)
}

// refuseOrRedirect finishes a form post, the one way every page does: with no error, a
// redirect (303) to `to` that shows flash once; with the service's refusal, the page
// again (its data from load, under the nav tab) with the message and the error's
// status. An internal error, or an error load meets, goes to the error page.
func refuseOrRedirect[T any](c *fiber.Ctx, h *Handlers, err error, page, nav string, load func() (T, error), to, flash string) error {
	if err == nil {
		return h.RedirectWithFlash(c, to, flash)
	}
	d, derr := load()
	if derr != nil {
		return derr
	}
	return h.RenderWithError(c, page, h.page(c, nav, d), err)
}

func (h *Handlers) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", HTTPOnly: true, Secure: h.CookieSecure, SameSite: "Lax",
		Expires: time.Unix(0, 0), MaxAge: -1})
}

// ErrorPage renders an error as a page, in the request's language.
func (h *Handlers) ErrorPage(c *fiber.Ctx, err error) error {
	ae := httpx.AppError(err)
	status := httpx.StatusOf(err)
	if ae.Code == app.EUnauthorized && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	lang := Lang(c)
	data := struct{ Title, Message, RequestID string }{
		Title:     h.Views.T(lang, "error."+string(ae.Code)),
		Message:   h.Views.Msg(lang, ae.Msg),
		RequestID: httpx.RequestID(c),
	}
	pg := h.page(c, "", data)
	c.Status(status)
	c.Type("html", "utf-8")
	return h.Views.Render(c, lang, "error", pg)
}

// SetLang switches the UI language and goes back where the user was.
func (h *Handlers) SetLang(c *fiber.Ctx) error {
	to := c.Query("to")
	ok := false
	for _, l := range views.Languages() {
		if l == to {
			ok = true
		}
	}
	if !ok {
		to = views.Languages()[0]
	}
	c.Cookie(&fiber.Cookie{Name: LangCookie, Value: to, Path: "/", Secure: h.CookieSecure, SameSite: "Lax", Expires: h.now().AddDate(1, 0, 0)})
	return c.Redirect(safeNext(c.Query("back")), fiber.StatusSeeOther)
}

// safeNext keeps redirects on this site: a path of this site, or "/". Control
// characters are refused (a CR/LF would write headers of its own, a tab is dropped
// by browsers and turns "/\t/host" into "//host"), and so is anything that parses
// with a scheme or a host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

var errNoPrincipal = errors.New("no principal")

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// renderIDPage renders a signed-in page about the record named by the :id path
// parameter, with the data load returns for the principal.
func renderIDPage[T any](c *fiber.Ctx, h *Handlers, page, nav string, load func(*fiber.Ctx, app.Principal, int64) (T, error)) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	d, err := load(c, p, id)
	if err != nil {
		return err
	}
	return h.Render(c, page, h.page(c, nav, d))
}

// principalAndIDs returns the signed-in principal, the :id path parameter and the
// path parameter named sub (a record of the :id one: a unit, a ballot, a candidate).
func principalAndIDs(c *fiber.Ctx, sub string) (app.Principal, int64, int64, error) {
	p, id, err := principalAndID(c)
	if err != nil {
		return p, id, 0, err
	}
	subID, err := pathParamID(c, sub)
	return p, id, subID, err
}

// principalAndID returns the signed-in principal and the :id path parameter.
func principalAndID(c *fiber.Ctx) (app.Principal, int64, error) {
	p, err := principal(c)
	if err != nil {
		return p, 0, err
	}
	id, err := pathID(c)
	return p, id, err
}
