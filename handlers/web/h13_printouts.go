package web

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app/documents"
	"gongzhi/app/pdfdoc"
	"gongzhi/handlers/httpx"
)

// Issue 16 (h13): a vote's printable working papers, for staff who run it: the paper
// ballots per household (PDF) and the households that have not voted yet, by building
// (an HTML print view and a PDF). Reading them changes nothing.

// sendPrintout sends a rendered working paper as a PDF that is not cached.
func sendPrintout(c *fiber.Ctx, p documents.Printout) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="%s"`, p.Filename))
	return c.Send(p.Data)
}

// PaperBallots serves the paper ballots of a vote (?building= for one building).
func (h *DocumentPages) PaperBallots(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	out, err := h.Docs.PaperBallots(httpx.Ctx(c), p, id, strings.TrimSpace(c.Query("building")))
	if err != nil {
		return err
	}
	return sendPrintout(c, out)
}

// NotVotedPDF serves the list of households that have not voted yet as a PDF.
func (h *DocumentPages) NotVotedPDF(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	out, err := h.Docs.NotVotedList(httpx.Ctx(c), p, id, strings.TrimSpace(c.Query("building")))
	if err != nil {
		return err
	}
	return sendPrintout(c, out)
}

// notVotedData is the print view of the households that have not voted yet.
type notVotedData struct {
	VoteID    int64
	Title     string
	Estate    string
	Building  string
	Buildings []string
	Groups    []pdfdoc.HouseholdGroup
	Count     int
	Total     int
	Voted     int
}

// NotVoted shows the households that have not voted yet, by building, printable.
func (h *DocumentPages) NotVoted(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	building := strings.TrimSpace(c.Query("building"))
	list, err := h.Docs.Households(httpx.Ctx(c), p, id, building)
	if err != nil {
		return err
	}
	left := list.NotVoted()
	d := notVotedData{VoteID: list.VoteID, Title: list.Title, Estate: list.EstateName, Building: building, Buildings: list.Buildings,
		Groups: documents.GroupByBuilding(left), Count: len(left), Total: len(list.Households), Voted: list.Voted}
	return h.Render(c, "h13_not_voted", h.page(c, "estates", d))
}
