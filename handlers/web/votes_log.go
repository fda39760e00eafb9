package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/handlers/httpx"
)

// The ballot log from the staff vote page (issue 14, h14): the auditors' bundle as
// a download for a signed-in session, and "sign a checkpoint now". The public
// bundle and the signed heads are the public API routes, linked from the page.

// AuditorBundle downloads a counted vote's auditors' bundle (rooms and channels
// added; voting.Service.AuditorBundle checks role and jurisdiction).
func (h *VotePages) AuditorBundle(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	b, err := h.Votes.AuditorBundle(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="vote-`+strconv.FormatInt(id, 10)+`-auditor-bundle.json"`)
	return c.JSON(b)
}

// LogCheckpoint signs a checkpoint of an open vote's ballot log now (the role of
// the API route, access.RunVote) and returns to the vote page.
func (h *VotePages) LogCheckpoint(c *fiber.Ctx) error {
	return h.voteAction(func(c *fiber.Ctx, p app.Principal, id int64) (string, error) {
		hd, err := h.Votes.Checkpoint(httpx.Ctx(c), p, id)
		if err != nil {
			return "", err
		}
		return h.Views.T(Lang(c), "h14.checkpoint_signed", "Size", hd.Size), nil
	})(c)
}
