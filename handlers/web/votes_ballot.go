package web

import (
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/voting"
	"gongzhi/handlers/httpx"
	"gongzhi/views"
)

// ballotData is what the owner's ballot pages show. Pass is the sealed identity
// check carried from form to form (never the answer itself).
type ballotData struct {
	Token      string
	View       voting.BallotView
	Items      []ballotItem
	Pass       string
	AnyOver    bool
	Objection  string
	ReceiptURL string
}

// ballotPage builds a ballot page whose language switch returns to the link's
// first page (a form step cannot be fetched again).
func (h *VotePages) ballotPage(c *fiber.Ctx, d ballotData) Page {
	pg := h.page(c, "", d)
	pg.Path = "/b/" + d.Token
	return pg
}

// formPage is ballotPage for the steps that carry the pass and the choices (the ballot
// and its review): their language switch is a button of the step's form, which posts
// both to SwitchLang, so nothing is lost (issue 16, item 9).
func (h *VotePages) formPage(c *fiber.Ctx, d ballotData) Page {
	pg := h.ballotPage(c, d)
	pg.LangInForm = true
	return pg
}

// SwitchLang changes the UI language in the middle of a ballot: it keeps the identity
// check (the pass) and the choices posted with it and shows the same step again, the
// ballot (step "form") or its review (step "review"), in the other language.
func (h *VotePages) SwitchLang(c *fiber.Ctx) error {
	to := c.FormValue("to")
	if !slices.Contains(views.Languages(), to) {
		to = views.Languages()[0]
	}
	c.Cookie(&fiber.Cookie{Name: LangCookie, Value: to, Path: "/", Secure: h.CookieSecure, SameSite: "Lax", Expires: h.now().AddDate(1, 0, 0)})
	c.Locals(httpx.LocalLang, to)
	if c.Query("step") == "review" {
		return h.Review(c)
	}
	return h.Edit(c)
}

// ballotView opens a personal link: with pass (a passed identity check) what the
// voter did is shown too. An unknown or revoked link renders its message; ok is
// then false.
func (h *VotePages) ballotView(c *fiber.Ctx, token, pass string) (voting.BallotView, bool, error) {
	var view voting.BallotView
	var err error
	if pass != "" {
		view, err = h.Votes.BallotWithPass(httpx.Ctx(c), token, pass)
		if app.ErrorCode(err) == app.EForbidden && h.Votes.CheckPass(token, pass) != nil {
			view, err = h.Votes.Ballot(httpx.Ctx(c), token) // an expired pass: the check is asked again
		}
	} else {
		view, err = h.Votes.Ballot(httpx.Ctx(c), token)
	}
	if err == nil {
		return view, true, nil
	}
	switch app.ErrorCode(err) {
	case app.ENotFound, app.EForbidden:
		return view, false, h.renderRefusal(c, "ballot_message", h.page(c, "", nil), err)
	}
	return view, false, err
}

// landing renders the link's first page, with the refusal err when not nil. Only
// with a valid pass does it show what the voter did (the ballot cast, its receipt,
// their objections); without one it asks for the identity check.
func (h *VotePages) landing(c *fiber.Ctx, token, pass string, err error) error {
	view, ok, verr := h.ballotView(c, token, pass)
	if !ok {
		return verr
	}
	d := ballotData{Token: token, View: view, Objection: c.FormValue("content")}
	if view.Cast != nil {
		d.ReceiptURL = "/receipt?code=" + url.QueryEscape(view.Cast.Receipt)
	}
	pg := h.ballotPage(c, d)
	if err != nil {
		return h.renderRefusal(c, "ballot", pg, err)
	}
	return h.Render(c, "ballot", pg)
}

// BallotPage opens a personal ballot link (GET /b/{token}): the identity-check form
// while voting is open, or the state of the vote; after publication the results
// link and the objection form. Whether the owner voted shows only after the check.
func (h *VotePages) BallotPage(c *fiber.Ctx) error {
	return h.landing(c, c.Params("token"), "", nil)
}

// CheckIdentity takes the identity check and shows the full ballot, or, to an owner
// who already voted, when and how, with the receipt. A wrong answer re-renders the
// check with the attempts left (the link locks at the limit).
func (h *VotePages) CheckIdentity(c *fiber.Ctx) error {
	token := c.Params("token")
	pass, err := h.Votes.CheckIdentity(httpx.Ctx(c), token, c.FormValue("id_check"))
	if err != nil {
		return h.landing(c, token, "", err)
	}
	return h.ballotForm(c, token, pass, nil, nil)
}

// ballotForm renders the ballot with every item in full, answers preselected from
// choices; when the voter cannot vote (already voted, link locked, period over) the
// link's page with the pass.
func (h *VotePages) ballotForm(c *fiber.Ctx, token, pass string, choices voting.Choices, refusal error) error {
	view, ok, verr := h.ballotView(c, token, pass)
	if !ok {
		return verr
	}
	if !view.CanVote || !view.Checked {
		return h.landing(c, token, pass, refusal)
	}
	d := ballotData{Token: token, View: view, Pass: pass, Items: h.ballotItems(Lang(c), view.Items, choices)}
	pg := h.formPage(c, d)
	if refusal != nil {
		return h.renderRefusal(c, "ballot_form", pg, refusal)
	}
	return h.Render(c, "ballot_form", pg)
}

// passAndView checks the ballot pass of a form step and opens the link; ok is
// false when the step has already been answered (the landing page was rendered).
func (h *VotePages) passAndView(c *fiber.Ctx, token, pass string) (voting.BallotView, bool, error) {
	if err := h.Votes.CheckPass(token, pass); err != nil {
		return voting.BallotView{}, false, h.landing(c, token, "", err)
	}
	view, ok, err := h.ballotView(c, token, pass)
	if !ok {
		return view, false, err
	}
	if !view.CanVote {
		return view, false, h.landing(c, token, pass, nil)
	}
	return view, true, nil
}

// Review shows the answers for checking before the ballot is cast.
func (h *VotePages) Review(c *fiber.Ctx) error {
	token, pass := c.Params("token"), c.FormValue("pass")
	view, ok, err := h.passAndView(c, token, pass)
	if !ok {
		return err
	}
	items := h.ballotItems(Lang(c), view.Items, choicesFromForm(c, view.Items))
	d := ballotData{Token: token, View: view, Pass: pass, Items: items}
	for _, it := range items {
		d.AnyOver = d.AnyOver || it.OverVoted
	}
	return h.Render(c, "ballot_review", h.formPage(c, d))
}

// Edit goes back from the review to the ballot with the answers kept.
func (h *VotePages) Edit(c *fiber.Ctx) error {
	token, pass := c.Params("token"), c.FormValue("pass")
	view, ok, err := h.passAndView(c, token, pass)
	if !ok {
		return err
	}
	return h.ballotForm(c, token, pass, choicesFromForm(c, view.Items), nil)
}

// Cast casts the reviewed ballot and shows the receipt at once (the receipt is
// shown only to whoever holds the pass, so it is not left behind a GET). An expired
// check, a closed vote or a ballot already cast (by any channel) re-renders the
// link's page with the reason and its status (403, 410, 409); with a valid pass
// that page shows the ballot already cast and its receipt.
func (h *VotePages) Cast(c *fiber.Ctx) error {
	token, pass := c.Params("token"), c.FormValue("pass")
	view, ok, err := h.ballotView(c, token, "")
	if !ok {
		return err
	}
	choices := choicesFromForm(c, view.Items)
	if _, err := h.Votes.CastOnlineWithPassFrom(httpx.Ctx(c), httpx.LimitKey(h.Proxies.ClientAddr(c)), token, pass, choices); err != nil {
		if app.ErrorCode(err) == app.EInvalid {
			return h.ballotForm(c, token, pass, choices, err)
		}
		if h.Votes.CheckPass(token, pass) != nil {
			pass = ""
		}
		return h.landing(c, token, pass, err)
	}
	view, ok, err = h.ballotView(c, token, pass)
	if !ok {
		return err
	}
	if view.Cast == nil { // voided at once by staff: the link's page says so
		return h.landing(c, token, pass, nil)
	}
	d := ballotData{Token: token, View: view, ReceiptURL: "/receipt?code=" + url.QueryEscape(view.Cast.Receipt)}
	return h.Render(c, "ballot_receipt", h.ballotPage(c, d))
}

// ReceiptPage (GET /b/{token}/receipt) leads to the link's page: the receipt is
// shown right after the cast and, later, after the identity check, never to whoever
// merely holds the link.
func (h *VotePages) ReceiptPage(c *fiber.Ctx) error {
	return c.Redirect("/b/"+c.Params("token"), fiber.StatusSeeOther)
}

// FileObjection files an owner's objection to the published preliminary result
// through the link, with the same identity check as the ballot.
func (h *VotePages) FileObjection(c *fiber.Ctx) error {
	token := c.Params("token")
	if _, err := h.Votes.FileObjection(httpx.Ctx(c), token, c.FormValue("id_check"), c.FormValue("content")); err != nil {
		return h.landing(c, token, "", err)
	}
	return h.RedirectWithFlash(c, "/b/"+token, h.Views.T(Lang(c), "ballot.objection_filed"))
}

// receiptCheckData is the public receipt check page.
type receiptCheckData struct {
	Code   string
	Result *voting.ReceiptCheck
	Log    *voting.LogProof // the ballot's place in the vote's log (issue 14)
}

// ReceiptCheck is the public receipt check (GET /receipt?code=…): the vote, when and
// by which channel the ballot was cast, and whether it was voided or counted; never
// the choices.
func (h *VotePages) ReceiptCheck(c *fiber.Ctx) error {
	code := strings.TrimSpace(c.Query("code"))
	d := receiptCheckData{Code: code}
	if code == "" {
		return h.Render(c, "receipt_check", h.page(c, "", d))
	}
	r, err := h.Votes.VerifyReceipt(httpx.Ctx(c), code)
	if err != nil {
		return h.renderRefusal(c, "receipt_check", h.page(c, "", d), err)
	}
	d.Result = &r
	if p, ok, err := h.Votes.ReceiptProof(httpx.Ctx(c), r.Code); err != nil {
		return h.renderRefusal(c, "receipt_check", h.page(c, "", d), err)
	} else if ok {
		d.Log = &p
	}
	return h.Render(c, "receipt_check", h.page(c, "", d))
}

// publicData is the public page of a published result.
type publicData struct {
	VoteID  int64
	Results voting.ResultsView
	View    *resultsView
	List    []voting.ParticipationEntry
}

// PublicResults shows a published result and the participation list (rooms and
// areas only) to anyone; before publication it is 404.
func (h *VotePages) PublicResults(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	res, err := h.Votes.Results(httpx.Ctx(c), nil, id)
	if err != nil {
		if app.ErrorCode(err) == app.EUnauthorized {
			return app.Errorf(app.ENotFound, "%s", h.Views.T(Lang(c), "vote.public_not_published"))
		}
		return err
	}
	list, err := h.Votes.ParticipationList(httpx.Ctx(c), nil, id)
	if err != nil {
		return err
	}
	d := publicData{VoteID: id, Results: res, View: h.newResultsView(Lang(c), res.Result, nil), List: list}
	return h.Render(c, "vote_public", h.page(c, "", d))
}
