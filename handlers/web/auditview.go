package web

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/auditview"
	"gongzhi/handlers/httpx"
)

// AuditPages are the auditor's workspace pages (app/auditview, docs/audit.md).
type AuditPages struct {
	*Handlers
	Audit *auditview.Service
}

// pageParam reads ?page= (1 when absent).
func pageParam(c *fiber.Ctx) (int, error) {
	s := c.Query("page")
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, app.Invalid("page", app.M("err.web.must_be_a_positive_whole_number"))
	}
	return n, nil
}

// pager is the previous and next page numbers of a paged list (0: none).
type pager struct{ Prev, Next, Page, Pages int }

func newPager(page, pages int) pager {
	pg := pager{Page: page, Pages: pages}
	if page > 1 {
		pg.Prev = page - 1
	}
	if page < pages {
		pg.Next = page + 1
	}
	return pg
}

// VotesPage lists the opened votes of the jurisdiction, each linking to its workspace.
func (h *AuditPages) VotesPage(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	list, err := h.Audit.Votes(httpx.Ctx(c), p, page)
	if err != nil {
		return err
	}
	return h.Render(c, "audit_votes", h.page(c, "auditview", struct {
		List  auditview.VoteList
		Pager pager
	}{list, newPager(list.Page, list.Pages)}))
}

type auditWorkspaceData struct {
	W auditview.Workspace
}

func (h *AuditPages) workspace(c *fiber.Ctx, p app.Principal, id int64) (auditWorkspaceData, error) {
	w, err := h.Audit.Workspace(httpx.Ctx(c), p, id)
	return auditWorkspaceData{W: w}, err
}

// WorkspacePage is a vote's overview for the auditor.
func (h *AuditPages) WorkspacePage(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	d, err := h.workspace(c, p, id)
	if err != nil {
		return err
	}
	return h.Render(c, "audit_workspace", h.page(c, "auditview", d))
}

// BallotsPage is one page of a vote's ballots (?channel=, ?page=), paper and proxy
// entries with their choices beside their scans.
func (h *AuditPages) BallotsPage(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	list, err := h.Audit.Ballots(httpx.Ctx(c), p, id, c.Query("channel"), page)
	if err != nil {
		return err
	}
	return h.Render(c, "audit_ballots", h.page(c, "auditview", struct {
		B     auditview.BallotPage
		Pager pager
	}{list, newPager(list.Page, list.Pages)}))
}

// DrawSample draws a sampled paper audit from the form (size; the seed is derived by the service) and
// shows it.
func (h *AuditPages) DrawSample(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	size, convErr := strconv.Atoi(c.FormValue("size"))
	var info auditview.PaperAuditInfo
	if convErr != nil {
		err = app.Invalid("size", app.M("err.web.must_be_a_positive_whole_number"))
	} else {
		info, err = h.Audit.DrawSample(httpx.Ctx(c), p, id, size, c.FormValue("seed"))
	}
	return refuseOrRedirect(c, h.Handlers, err, "audit_workspace", "auditview", func() (auditWorkspaceData, error) { return h.workspace(c, p, id) },
		fmt.Sprintf("/votes/%d/audit/paper-audits/%d", id, info.ID), h.Views.T(Lang(c), "auditview.sample_drawn", "Seed", info.Seed))
}

type auditSampleData struct {
	A auditview.PaperAudit
}

func (h *AuditPages) sample(c *fiber.Ctx, p app.Principal, id, auditID int64) (auditSampleData, error) {
	a, err := h.Audit.PaperAudit(httpx.Ctx(c), p, id, auditID)
	return auditSampleData{A: a}, err
}

// SamplePage is one paper audit: each sampled ballot's choices beside its scans,
// with the form to record the comparison.
func (h *AuditPages) SamplePage(c *fiber.Ctx) error {
	p, id, auditID, err := principalAndIDs(c, "paudit")
	if err != nil {
		return err
	}
	d, err := h.sample(c, p, id, auditID)
	if err != nil {
		return err
	}
	return h.Render(c, "audit_sample", h.page(c, "auditview", d))
}

// RecordCheck records the outcome of one sampled ballot.
func (h *AuditPages) RecordCheck(c *fiber.Ctx) error {
	p, id, auditID, err := principalAndIDs(c, "paudit")
	if err != nil {
		return err
	}
	itemID, err := pathParamID(c, "pitem")
	if err != nil {
		return err
	}
	_, err = h.Audit.RecordCheck(httpx.Ctx(c), p, id, auditID, itemID, auditview.Check{Outcome: c.FormValue("outcome"), Note: c.FormValue("note")})
	return refuseOrRedirect(c, h.Handlers, err, "audit_sample", "auditview", func() (auditSampleData, error) { return h.sample(c, p, id, auditID) },
		fmt.Sprintf("/votes/%d/audit/paper-audits/%d#item-%d", id, auditID, itemID), h.Views.T(Lang(c), "auditview.check_recorded"))
}

// RunVerify runs the offline verifier on the vote's auditors' bundle and keeps
// the result.
func (h *AuditPages) RunVerify(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	var flash string
	vr, err := h.Audit.RunVerify(httpx.Ctx(c), p, id)
	if err == nil {
		flash = h.Views.T(Lang(c), "auditview.verify_mismatch")
		if vr.OK {
			flash = h.Views.T(Lang(c), "auditview.verify_ok")
		}
	}
	return refuseOrRedirect(c, h.Handlers, err, "audit_workspace", "auditview", func() (auditWorkspaceData, error) { return h.workspace(c, p, id) },
		fmt.Sprintf("/votes/%d/audit#verifications", id), flash)
}

// RunRecount recounts the vote and keeps the result.
func (h *AuditPages) RunRecount(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	var flash string
	rc, err := h.Audit.RunRecount(httpx.Ctx(c), p, id)
	if err == nil {
		flash = h.Views.T(Lang(c), "auditview.recount_differs")
		if rc.Matches {
			flash = h.Views.T(Lang(c), "auditview.recount_matches")
		}
	}
	return refuseOrRedirect(c, h.Handlers, err, "audit_workspace", "auditview", func() (auditWorkspaceData, error) { return h.workspace(c, p, id) },
		fmt.Sprintf("/votes/%d/audit#recounts", id), flash)
}
