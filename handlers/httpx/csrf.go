package httpx

import (
	"crypto/rand"
	"encoding/base64"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
)

// CSRFCookie carries the anonymous CSRF token (double-submit) for forms shown
// before sign-in; signed-in forms use the token stored with the session.
const CSRFCookie = "gz_csrf"

// CSRFField is the form field every state-changing form posts.
const CSRFField = "_csrf"

// AnonCSRF makes sure an anonymous visitor has a CSRF cookie and puts the token in
// Locals for the page to embed. A signed-in request already has the session's token.
func AnonCSRF(secure bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if _, ok := c.Locals(LocalCSRF).(string); ok {
			return c.Next()
		}
		tok := c.Cookies(CSRFCookie)
		if len(tok) < 32 {
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return app.Internal(err)
			}
			tok = base64.RawURLEncoding.EncodeToString(b)
			c.Cookie(&fiber.Cookie{Name: CSRFCookie, Value: tok, Path: "/", HTTPOnly: true, Secure: secure, SameSite: "Lax"})
		}
		c.Locals(LocalCSRF, tok)
		return c.Next()
	}
}

// CheckCSRF refuses a state-changing request whose form token does not match the
// token of its session (or, before sign-in, of its CSRF cookie). On an upload route
// the token travels in a body that is read only after sign-in and the role check:
// ReadUpload (on each signed-in upload route) or StreamFile (the public one) checks it
// there (body.go).
func CheckCSRF() fiber.Handler {
	return func(c *fiber.Ctx) error {
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
			return c.Next()
		}
		if uploadPending(c) {
			c.Locals(localUploadCSRF, true)
			return c.Next()
		}
		if !csrfMatches(c, c.FormValue(CSRFField)) {
			return errCSRF()
		}
		return c.Next()
	}
}

func errCSRF() error {
	return app.Fail(app.EForbidden, "err.httpx.the_form_expired_reload_the_page_and_try_again")
}
