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

// CodeEnter opens the ballot of a typed code and identity check (both right: the
// ballot form, as after the link's own check); anything wrong re-renders the form
// with one answer (404), telling nothing about whether the code exists.
func (h *VotePages) CodeEnter(c *fiber.Ctx) error {
	code := strings.TrimSpace(c.FormValue("code"))
	token, pass, err := h.Votes.OpenByCode(httpx.Ctx(c), code, c.FormValue("id_check"))
	if err != nil {
		return h.renderRefusal(c, "ballot_code", h.page(c, "", codeData{Code: code}), err)
	}
	return h.ballotForm(c, token, pass, nil, nil)
}
