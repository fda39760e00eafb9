package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"gongzhi/handlers/httpx"
)

// codeData is the page where an owner types the short code of the notice.
type codeData struct{ Code string }

// CodeForm shows the page where the 8-character code printed under the notice's QR
// code is typed (for owners who cannot scan it).
func (h *VotePages) CodeForm(c *fiber.Ctx) error {
	return h.Render(c, "ballot_code", h.page(c, "", codeData{}))
}

// CodeEnter finds the ballot link of a typed code and redirects to it, where the
// identity check still applies; an unknown code re-renders the form with a 404.
func (h *VotePages) CodeEnter(c *fiber.Ctx) error {
	code := strings.TrimSpace(c.FormValue("code"))
	url, err := h.Votes.BallotURLByCode(httpx.Ctx(c), code)
	if err != nil {
		return h.renderRefusal(c, "ballot_code", h.page(c, "", codeData{Code: code}), err)
	}
	return c.Redirect(url, fiber.StatusSeeOther)
}
