package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/documents"
	"gongzhi/app/voting"
	"gongzhi/handlers/httpx"
	"gongzhi/models"
)

// DocumentPages serves the documents pages: an estate's documents, announcements and
// minutes, a vote's resolution and notices, the minutes editor, and the public pages
// (an estate's board, document verification, published resolutions).
type DocumentPages struct {
	*Handlers
	Docs *documents.Service
}

// docPrincipal is the signed-in staff member, if any (public routes).
func docPrincipal(c *fiber.Ctx) *app.Principal {
	if p, ok := httpx.Principal(c); ok {
		return &p
	}
	return nil
}

// docWantsJSON tells whether a public page's client asked for JSON rather than HTML.
func docWantsJSON(c *fiber.Ctx) bool {
	return c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON
}

// docKindOption is one choice of a select.
type docKindOption struct {
	Value, Label string
}

// docEstateData is an estate's documents page.
type docEstateData struct {
	Estate      models.EstateWithPath
	Board       documents.Board
	Documents   []documents.Document
	Minutes     []documents.MinutesSummary
	Votes       []voting.VoteSummary
	CanEdit     bool
	Kinds       []docKindOption
	Form        map[string]string
	KindLabel   func(string) string
	PublicPath  string
	MinutesKind func(string) string
}

func (h *DocumentPages) estateData(c *fiber.Ctx, p app.Principal, estateID int64, form map[string]string) (docEstateData, error) {
	ctx := httpx.Ctx(c)
	e, err := h.Orgs.Estate(ctx, p, estateID)
	if err != nil {
		return docEstateData{}, err
	}
	d := docEstateData{Estate: e, CanEdit: h.Docs.Permissions(p).KeepRecords, Form: form, KindLabel: documents.KindLabel,
		PublicPath: fmt.Sprintf("/public/estates/%d", e.ID), MinutesKind: documents.MinutesKindLabel}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	if d.Board, err = h.Docs.StaffBoard(ctx, p, estateID); err != nil {
		return d, err
	}
	if d.Documents, err = h.Docs.EstateDocuments(ctx, p, estateID); err != nil {
		return d, err
	}
	if d.Minutes, err = h.Docs.ListMinutes(ctx, p, estateID); err != nil {
		return d, err
	}
	if d.Votes, err = h.Docs.CountedVotes(ctx, p, estateID); err != nil {
		return d, err
	}
	for _, k := range []string{models.AnnounceOther, models.AnnounceNotice, models.AnnounceResults, models.AnnounceCommitteeDecision} {
		d.Kinds = append(d.Kinds, docKindOption{Value: k, Label: documents.AnnouncementKindLabel(k)})
	}
	return d, nil
}

// EstateDocuments shows an estate's announcements, minutes and stored documents.
func (h *DocumentPages) EstateDocuments(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	d, err := h.estateData(c, p, id, nil)
	if err != nil {
		return err
	}
	return h.Render(c, "documents_estate", h.page(c, "estates", d))
}

// PublishAnnouncement publishes an announcement with an optional PDF from the form.
func (h *DocumentPages) PublishAnnouncement(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	in := documents.NewAnnouncement{Kind: c.FormValue("kind"), Title: c.FormValue("title"), Body: c.FormValue("body")}
	up, err := httpx.FormFile(c, "file", documents.MaxAttachment)
	if err != nil {
		return err
	}
	if up != nil {
		in.Filename, in.PDF = up.Filename, up.Data
	}
	_, err = h.Docs.PublishAnnouncement(httpx.Ctx(c), p, id, in)
	load := func() (docEstateData, error) {
		return h.estateData(c, p, id, map[string]string{"kind": in.Kind, "title": in.Title, "body": in.Body})
	}
	return refuseOrRedirect(c, h.Handlers, err, "documents_estate", "estates", load,
		fmt.Sprintf("/estates/%d/documents", id), h.Views.T(Lang(c), "documents.flash_published"))
}

// docVoteData is a vote's documents page.
type docVoteData struct {
	documents.VoteOverview
	KindLabel func(string) string
}

// VoteDocuments shows a vote's resolution and notices with every stored version.
func (h *DocumentPages) VoteDocuments(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	return h.renderVote(c, p, id, nil)
}

// renderVote renders the vote's documents page, with the refusal of a form if any.
func (h *DocumentPages) renderVote(c *fiber.Ctx, p app.Principal, id int64, refusal error) error {
	o, err := h.Docs.VoteOverview(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return h.RenderWithError(c, "documents_vote", h.page(c, "estates", docVoteData{VoteOverview: o, KindLabel: documents.KindLabel}), refusal)
}

// Resolution serves the resolution PDF of a closed vote: staff of the estate once the
// vote is closed, anyone once its result is published (public route).
func (h *DocumentPages) Resolution(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	f, err := h.Docs.Resolution(httpx.Ctx(c), docPrincipal(c), id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

// IssueResolution issues the vote's resolution (or its annotated version).
func (h *DocumentPages) IssueResolution(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	f, err := h.Docs.IssueResolution(httpx.Ctx(c), p, id)
	if err != nil {
		return h.renderVote(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/votes/%d/documents", id), h.Views.T(Lang(c), "h13.resolution_issued", "Number", f.Number))
}

// CorrectResolution issues a corrected resolution with the reason from the form.
func (h *DocumentPages) CorrectResolution(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	f, err := h.Docs.CorrectResolution(httpx.Ctx(c), p, id, c.FormValue("reason"))
	if err != nil {
		return h.renderVote(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/votes/%d/documents", id), h.Views.T(Lang(c), "documents.flash_corrected", "Number", f.Number))
}

// Notices serves the batch of ballot notices of an opened vote (audited).
func (h *DocumentPages) Notices(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	f, err := h.Docs.Notices(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

// IssueNotices issues the notice batch when needed, then offers its download.
func (h *DocumentPages) IssueNotices(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	f, err := h.Docs.IssueNotices(httpx.Ctx(c), p, id)
	if err != nil {
		return h.renderVote(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/votes/%d/documents", id), h.Views.T(Lang(c), "h13.notices_issued", "Number", f.Number))
}

// RegenerateNotices issues a new version of the notices with the reason from the form.
func (h *DocumentPages) RegenerateNotices(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	f, err := h.Docs.RegenerateNotices(httpx.Ctx(c), p, id, c.FormValue("reason"))
	if err != nil {
		return h.renderVote(c, p, id, err)
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/votes/%d/documents", id), h.Views.T(Lang(c), "documents.flash_regenerated", "Number", f.Number))
}

// DownloadByID serves a stored version to staff of its estate.
func (h *DocumentPages) DownloadByID(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	f, err := h.Docs.DocumentByID(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

// docPublicData is an estate's public board.
type docPublicData struct {
	Board documents.Board
}

// PublicEstate shows an estate's announcements to anyone: those within their showing
// period, then the archive (public route; JSON on request).
func (h *DocumentPages) PublicEstate(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	b, err := h.Docs.PublicBoard(httpx.Ctx(c), id)
	if err != nil {
		return err
	}
	if docWantsJSON(c) {
		return c.JSON(b)
	}
	return h.Render(c, "public_estate", h.page(c, "", docPublicData{Board: b}))
}

// docVerifyData is the verification page: a document by number, or the answer to an upload.
type docVerifyData struct {
	Number    string
	Result    *documents.Verification
	Upload    *documents.UploadCheck
	KindLabel func(string) string
}

// VerifyForm shows the verification page with its forms only (public route).
func (h *DocumentPages) VerifyForm(c *fiber.Ctx) error {
	if n := strings.TrimSpace(c.Query("number")); n != "" {
		return c.Redirect("/verify/"+documents.NormaliseNumber(n), fiber.StatusSeeOther)
	}
	return h.Render(c, "verify", h.page(c, "", docVerifyData{KindLabel: documents.KindLabel}))
}

// Verify shows a document by its number: its SHA-256, its status (in force, or superseded
// by which version), a download link, and for a published resolution the tally (public
// route; the QR code on every resolution and minutes opens it; JSON on request).
func (h *DocumentPages) Verify(c *fiber.Ctx) error {
	number := c.Params("code")
	v, err := h.Docs.Verify(httpx.Ctx(c), docPrincipal(c), number)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound && !docWantsJSON(c) {
			c.Status(fiber.StatusNotFound)
			pg := h.page(c, "", docVerifyData{Number: documents.NormaliseNumber(number), KindLabel: documents.KindLabel})
			return h.RenderWithError(c, "verify", pg, err)
		}
		return err
	}
	if docWantsJSON(c) {
		return c.JSON(v)
	}
	return h.Render(c, "verify", h.page(c, "", docVerifyData{Number: v.Document.Number, Result: &v, KindLabel: documents.KindLabel}))
}

// VerifyUpload answers whether an uploaded PDF is byte-identical to a stored document
// (public route, rate-limited; JSON on request).
func (h *DocumentPages) VerifyUpload(c *fiber.Ctx) error {
	// Hashed as it streams in: a public upload is never held in memory.
	sum, size := sha256.New(), int64(0)
	say := func(c *fiber.Ctx, id string, args ...any) string { return h.Views.T(Lang(c), id, args...) }
	err := httpx.StreamFile(c, say, "file", app.M("err.web.choose_the_pdf_to_check"), func(_ string, r io.Reader) error {
		n, err := io.Copy(sum, r)
		size = n
		return err
	})
	if app.ErrorCode(err) == app.EInvalid && httpx.StatusOf(err) == fiber.StatusUnprocessableEntity && !docWantsJSON(c) {
		return h.RenderWithError(c, "verify", h.page(c, "", docVerifyData{KindLabel: documents.KindLabel}), err)
	}
	if err != nil {
		return err
	}
	check, err := h.Docs.VerifyDigest(httpx.Ctx(c), docPrincipal(c), hex.EncodeToString(sum.Sum(nil)), size)
	if err != nil {
		return err
	}
	if docWantsJSON(c) {
		return c.JSON(check)
	}
	return h.Render(c, "verify", h.page(c, "", docVerifyData{Upload: &check, KindLabel: documents.KindLabel}))
}

// Download serves a document by number: anyone once it is published, staff of its estate
// always (public route).
func (h *DocumentPages) Download(c *fiber.Ctx) error {
	f, err := h.Docs.Download(httpx.Ctx(c), docPrincipal(c), c.Params("code"))
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}
