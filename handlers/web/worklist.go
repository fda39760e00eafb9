package web

import (
	"github.com/gofiber/fiber/v2"

	"gongzhi/app/formation"
	"gongzhi/app/voting"
	"gongzhi/app/worklist"
	"gongzhi/handlers/httpx"
)

// WorklistPages are the week's work and the supervision charts (issue 15,
// docs/worklist.md). The list page carries no script; the charts page loads the
// vendored ECharts and its init file (route-level httpx.AllowScripts).
type WorklistPages struct {
	*Handlers
	Worklist *worklist.Service
}

// WeekPage is the week's work: everything overdue or due within seven days, oldest first.
func (h *WorklistPages) WeekPage(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	w, err := h.Worklist.Week(httpx.Ctx(c), p)
	if err != nil {
		return err
	}
	return h.Render(c, "worklist", h.page(c, "worklist", w))
}

// WeekXLSX downloads the week's work as a workbook.
func (h *WorklistPages) WeekXLSX(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	w, err := h.Worklist.Week(httpx.Ctx(c), p)
	if err != nil {
		return err
	}
	data, err := worklist.WeekXLSX(w)
	if err != nil {
		return err
	}
	return sendXLSX(c, "worklist.xlsx", data)
}

// curveOf is one open vote's participation curve for the chart.
type curveOf struct {
	VoteID int64               `json:"vote_id"`
	Title  string              `json:"title"`
	Points []voting.CurvePoint `json:"points"`
}

// chartsData is what the charts page draws, as one JSON block.
type chartsData struct {
	Votes      []voting.OpenVote      `json:"votes"`
	Curves     []curveOf              `json:"curves"`
	Complaints []worklist.StageCount  `json:"complaints"`
	Formation  []formation.StageCount `json:"formation"`
}

// maxCurves bounds the curves drawn on the charts page (the closing-soonest votes).
const maxCurves = 8

// ChartsPage is the supervision charts: open votes' participation against the quorum
// lines and their participation curves, complaints by 三三三 stage, formation stages;
// each with its table one click away (<details>).
func (h *WorklistPages) ChartsPage(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	ctx := httpx.Ctx(c)
	var d chartsData
	if d.Votes, err = h.Worklist.OpenVotes(ctx, p); err != nil {
		return err
	}
	d.Curves = []curveOf{}
	for i, v := range d.Votes {
		if i == maxCurves {
			break
		}
		pts, err := h.Worklist.Curve(ctx, p, v.VoteID)
		if err != nil {
			return err
		}
		d.Curves = append(d.Curves, curveOf{VoteID: v.VoteID, Title: v.Title, Points: pts})
	}
	if d.Complaints, err = h.Worklist.ComplaintStages(ctx, p); err != nil {
		return err
	}
	if d.Formation, err = h.Worklist.FormationStages(ctx, p); err != nil {
		return err
	}
	return h.Render(c, "worklist_charts", h.page(c, "worklist", d))
}

// OpenVotesXLSX downloads the open votes' participation as a workbook.
func (h *WorklistPages) OpenVotesXLSX(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	list, err := h.Worklist.OpenVotes(httpx.Ctx(c), p)
	if err != nil {
		return err
	}
	data, err := worklist.OpenVotesXLSX(list)
	if err != nil {
		return err
	}
	return sendXLSX(c, "open-votes.xlsx", data)
}

// sendXLSX sends a workbook as a download.
func sendXLSX(c *fiber.Ctx, name string, data []byte) error {
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(data)
}
