package web

import (
	"strconv"

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

// Login signs in and starts a server-side session; an account whose password was
// reset by someone else goes to the change-password page first.
func (h *Handlers) Login(c *fiber.Ctx) error {
	username := c.FormValue("username")
	next := safeNext(c.FormValue("next"))
	s, err := h.Auth.Login(httpx.Ctx(c), auth.Credentials{Username: username, Password: c.FormValue("password"), Address: h.clientKey(c)}, auth.KindWeb)
	if err != nil {
		setRetryAfter(c, err)
		logins, lerr := h.demoLogins(c)
		if lerr != nil {
			return lerr
		}
		return h.RenderWithError(c, "login", h.page(c, "", loginData{Next: next, Username: username, Demo: logins}), err)
	}
	h.startSession(c, s)
	if s.Principal.MustChangePassword {
		return c.Redirect("/password", fiber.StatusSeeOther)
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (h *Handlers) startSession(c *fiber.Ctx, s auth.Session) {
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: s.Token, Path: "/", HTTPOnly: true, Secure: h.CookieSecure,
		SameSite: "Lax", Expires: s.ExpiresAt})
	h.clearCookie(c, httpx.CSRFCookie)
}

// clientKey is the sign-in back-off's key of the caller: the client's address as
// the login limiter sees it (behind TRUSTED_PROXIES, the forwarded client; an IPv6
// address by its /64), never fiber's c.IP(), which is the peer.
func (h *Handlers) clientKey(c *fiber.Ctx) string {
	return httpx.LimitKey(h.Proxies.ClientAddr(c))
}

// setRetryAfter tells a throttled client when to try again.
func setRetryAfter(c *fiber.Ctx, err error) {
	if secs, ok := auth.RetryAfter(err); ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	}
}

// Logout ends the session.
func (h *Handlers) Logout(c *fiber.Ctx) error {
	if err := h.Auth.Logout(httpx.Ctx(c), c.Cookies(SessionCookie)); err != nil {
		return err
	}
	h.clearCookie(c, SessionCookie)
	return h.RedirectWithFlash(c, "/login", h.Views.T(Lang(c), "flash.logged_out"))
}

type passwordData struct {
	Forced bool // the password was reset by someone else
}

// PasswordForm shows the change-password page of the signed-in account.
func (h *Handlers) PasswordForm(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	return h.Render(c, "password", h.page(c, "", passwordData{Forced: p.MustChangePassword}))
}

// ChangePassword sets the signed-in account's own password; every other session
// of the account ends and this browser gets a new one.
func (h *Handlers) ChangePassword(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	if c.FormValue("new_password") != c.FormValue("new_password_confirm") {
		return h.RenderWithError(c, "password", h.page(c, "", passwordData{Forced: p.MustChangePassword}),
			app.Invalid("new_password_confirm", h.Views.T(Lang(c), "password.mismatch")))
	}
	s, err := h.Auth.ChangePassword(httpx.Ctx(c), auth.PasswordChange{
		Credentials: auth.Credentials{Username: p.Username, Password: c.FormValue("current_password"), Address: h.clientKey(c)},
		NewPassword: c.FormValue("new_password")}, auth.KindWeb)
	if err != nil {
		setRetryAfter(c, err)
		return h.RenderWithError(c, "password", h.page(c, "", passwordData{Forced: p.MustChangePassword}), err)
	}
	h.startSession(c, s)
	return h.RedirectWithFlash(c, "/", h.Views.T(Lang(c), "password.changed"))
}

func principal(c *fiber.Ctx) (app.Principal, error) {
	p, ok := httpx.Principal(c)
	if !ok {
		return p, errNoPrincipal
	}
	return p, nil
}
