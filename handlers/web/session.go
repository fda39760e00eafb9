package web

import (
	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/auth"
	"gongzhi/app/demo"
	"gongzhi/handlers/httpx"
)

type loginData struct {
	Next     string
	Username string
	Demo     []demo.Account
}

// demoLogins lists the demo accounts that still have their demo passwords (none
// outside demo mode): the service decides from the stored password hashes.
func (h *Handlers) demoLogins(c *fiber.Ctx) ([]demo.Account, error) {
	return h.Demo.Current(httpx.Ctx(c))
}

// LoginForm shows the sign-in page.
func (h *Handlers) LoginForm(c *fiber.Ctx) error {
	if _, ok := httpx.Principal(c); ok {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	logins, err := h.demoLogins(c)
	if err != nil {
		return err
	}
	return h.Render(c, "login", h.page(c, "", loginData{Next: safeNext(c.Query("next")), Demo: logins}))
}

// Login signs in and starts a server-side session.
func (h *Handlers) Login(c *fiber.Ctx) error {
	username := c.FormValue("username")
	next := safeNext(c.FormValue("next"))
	s, err := h.Auth.Login(httpx.Ctx(c), username, c.FormValue("password"), auth.KindWeb)
	if err != nil {
		logins, lerr := h.demoLogins(c)
		if lerr != nil {
			return lerr
		}
		return h.RenderWithError(c, "login", h.page(c, "", loginData{Next: next, Username: username, Demo: logins}), err)
	}
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: s.Token, Path: "/", HTTPOnly: true, Secure: h.CookieSecure,
		SameSite: "Lax", Expires: s.ExpiresAt})
	h.clearCookie(c, httpx.CSRFCookie)
	return c.Redirect(next, fiber.StatusSeeOther)
}

// Logout ends the session.
func (h *Handlers) Logout(c *fiber.Ctx) error {
	if err := h.Auth.Logout(httpx.Ctx(c), c.Cookies(SessionCookie)); err != nil {
		return err
	}
	h.clearCookie(c, SessionCookie)
	return h.RedirectWithFlash(c, "/login", h.Views.T(Lang(c), "flash.logged_out"))
}

func principal(c *fiber.Ctx) (app.Principal, error) {
	p, ok := httpx.Principal(c)
	if !ok {
		return p, errNoPrincipal
	}
	return p, nil
}
