package api

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/documents"
	"gongzhi/handlers/httpx"
	"gongzhi/models"
)

// DocumentHandlers serves the documents endpoints: resolutions and notice batches of
// votes as PDF, stored document versions, announcements, and meeting minutes.
type DocumentHandlers struct {
	Docs     *documents.Service
	Validate *httpx.Validator
}

// Resolution serves the resolution PDF of a closed vote: staff of the estate once the
// vote is closed, anyone once its result is published: the version in force, or an
// unnumbered draft preview before one is issued (a GET never issues).
func (h *DocumentHandlers) Resolution(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Docs.Resolution(httpx.Ctx(c), optionalPrincipal(c), id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

// IssueResolution issues a vote's resolution (or its annotated version once the result
// is published): 201 with the version in force.
func (h *DocumentHandlers) IssueResolution(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Docs.IssueResolution(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f.Document)
}

type reasonRequest struct {
	Reason string `json:"reason" validate:"required,max=500"`
}

// CorrectResolution issues a corrected version of a vote's resolution: 201 with the new version.
func (h *DocumentHandlers) CorrectResolution(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req reasonRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	f, err := h.Docs.CorrectResolution(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f.Document)
}

// IssueNotices issues the notice batch of an opened vote when needed: 201 with the
// version in force (download it from notices.pdf).
func (h *DocumentHandlers) IssueNotices(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Docs.IssueNotices(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f.Document)
}

// Notices serves the batch of ballot notices of an opened vote (audited).
func (h *DocumentHandlers) Notices(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Docs.Notices(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

// RegenerateNotices issues a new version of a vote's notice batch: 201 with the new version.
func (h *DocumentHandlers) RegenerateNotices(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req reasonRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	f, err := h.Docs.RegenerateNotices(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f.Document)
}

// VoteDocuments lists every stored version of a vote's documents.
func (h *DocumentHandlers) VoteDocuments(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Docs.VoteDocuments(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// EstateDocuments lists every stored version of an estate's documents.
func (h *DocumentHandlers) EstateDocuments(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Docs.EstateDocuments(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// Document describes one stored version.
func (h *DocumentHandlers) Document(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.Docs.DocumentInfo(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// DocumentPDF serves the bytes of one stored version.
func (h *DocumentHandlers) DocumentPDF(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Docs.DocumentByID(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

// Announcements lists an estate's board: current and archived announcements.
func (h *DocumentHandlers) Announcements(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	b, err := h.Docs.StaffBoard(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(b)
}

type announcementRequest struct {
	Kind  string `json:"kind" form:"kind" validate:"omitempty,oneof=notice results committee_decision other"`
	Title string `json:"title" form:"title" validate:"required,max=200"`
	Body  string `json:"body" form:"body" validate:"max=20000"`
}

// PublishAnnouncement publishes an announcement: a JSON body {"kind","title","body"}, or a
// multipart form with those fields and an optional PDF in "file". 201 with the entry.
func (h *DocumentHandlers) PublishAnnouncement(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req announcementRequest
	in := documents.NewAnnouncement{}
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		req = announcementRequest{Kind: c.FormValue("kind"), Title: c.FormValue("title"), Body: c.FormValue("body")}
		up, err := httpx.FormFile(c, "file", documents.MaxAttachment)
		if err != nil {
			return err
		}
		if up != nil {
			in.Filename, in.PDF = up.Filename, up.Data
		}
	} else if err := httpx.BindJSON(c, &req); err != nil {
		return err
	}
	if err := h.Validate.Struct(req); err != nil {
		return err
	}
	in.Kind, in.Title, in.Body = req.Kind, req.Title, req.Body
	a, err := h.Docs.PublishAnnouncement(httpx.Ctx(c), httpx.MustPrincipal(c), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a)
}

type decisionJSON struct {
	Text    string `json:"text" validate:"max=2000"`
	Agree   int    `json:"agree" validate:"gte=0"`
	Oppose  int    `json:"oppose" validate:"gte=0"`
	Abstain int    `json:"abstain" validate:"gte=0"`
}

type signatureJSON struct {
	Name     string `json:"name" validate:"max=50"`
	SignedAt string `json:"signed_at"`
}

type minutesContentRequest struct {
	Title       string          `json:"title" validate:"max=200"`
	Place       string          `json:"place" validate:"max=200"`
	HeldAt      string          `json:"held_at"`
	Members     []string        `json:"members" validate:"max=100"`
	Present     []string        `json:"present" validate:"max=100"`
	Attendees   []string        `json:"attendees" validate:"max=100"`
	Agenda      []string        `json:"agenda" validate:"max=50"`
	Proceedings string          `json:"proceedings"`
	Decisions   []decisionJSON  `json:"decisions" validate:"max=50,dive"`
	Signatures  []signatureJSON `json:"signatures" validate:"max=50,dive"`
}

// input converts the request into the service's content.
func (r minutesContentRequest) input() (documents.MinutesInput, error) {
	in := documents.MinutesInput{Title: r.Title, Place: r.Place, Members: r.Members, Present: r.Present, Attendees: r.Attendees,
		Agenda: r.Agenda, Proceedings: r.Proceedings}
	var err error
	if in.HeldAt, err = parseTime("held_at", r.HeldAt); err != nil {
		return in, err
	}
	for _, d := range r.Decisions {
		in.Decisions = append(in.Decisions, documents.Decision{Text: d.Text, Agree: d.Agree, Oppose: d.Oppose, Abstain: d.Abstain})
	}
	for i, s := range r.Signatures {
		at, err := parseTime(fmt.Sprintf("signatures[%d].signed_at", i), s.SignedAt)
		if err != nil {
			return in, err
		}
		in.Signatures = append(in.Signatures, documents.Signature{Name: s.Name, SignedAt: at})
	}
	return in, nil
}

type createMinutesRequest struct {
	Kind   string `json:"kind" validate:"required,oneof=assembly committee"`
	VoteID int64  `json:"vote_id" validate:"gte=0"`
	minutesContentRequest
}

// CreateMinutes starts minutes of an estate's meeting: 201 {"id"}. Assembly minutes name
// a closed vote and are pre-filled from it; committee minutes take the content given.
func (h *DocumentHandlers) CreateMinutes(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req createMinutesRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	if req.Kind == models.MinutesCommittee && in.HeldAt.IsZero() {
		return app.Invalid("held_at", app.M("err.api.the_time_of_the_meeting_is_required"))
	}
	mid, err := h.Docs.CreateMinutes(httpx.Ctx(c), httpx.MustPrincipal(c), id, documents.NewMinutes{Kind: req.Kind, VoteID: req.VoteID, MinutesInput: in})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": mid})
}

type updateMinutesRequest struct {
	Revision int `json:"revision" validate:"gte=0"`
	minutesContentRequest
}

type decisionViewJSON struct {
	Text           string `json:"text"`
	Agree          int    `json:"agree"`
	Oppose         int    `json:"oppose"`
	Abstain        int    `json:"abstain"`
	Counted        bool   `json:"counted"`
	Passed         bool   `json:"passed"`
	NeededToPass   int    `json:"needed_to_pass,omitempty"`
	QuorumPresent  bool   `json:"quorum_present"`
	Outcome        string `json:"outcome,omitempty"`
	NeededToAttend int    `json:"needed_to_attend,omitempty"`
}

type signatureViewJSON struct {
	Name     string    `json:"name"`
	SignedAt time.Time `json:"signed_at"`
}

type minutesJSON struct {
	ID          int64               `json:"id"`
	EstateID    int64               `json:"estate_id"`
	Kind        string              `json:"kind"`
	VoteID      int64               `json:"vote_id,omitempty"`
	Title       string              `json:"title"`
	Place       string              `json:"place"`
	HeldAt      time.Time           `json:"held_at"`
	Members     []string            `json:"members"`
	Present     []string            `json:"present"`
	Absent      []string            `json:"absent"`
	Quorum      bool                `json:"quorum"`
	Rule        string              `json:"rule,omitempty"`
	LegalBasis  string              `json:"legal_basis,omitempty"`
	Attendees   []string            `json:"attendees"`
	Agenda      []string            `json:"agenda"`
	Proceedings string              `json:"proceedings"`
	Decisions   []decisionViewJSON  `json:"decisions"`
	Signatures  []signatureViewJSON `json:"signatures"`
	State       string              `json:"state"`
	Revision    int                 `json:"revision"`
	Document    *documents.Document `json:"document"`
	CreatedBy   string              `json:"created_by"`
	CreatedAt   time.Time           `json:"created_at"`
	UpdatedBy   string              `json:"updated_by"`
	UpdatedAt   time.Time           `json:"updated_at"`
	FinalisedAt *time.Time          `json:"finalised_at"`
	Missing     string              `json:"missing_glyphs,omitempty"`
}

// toMinutesJSON shapes minutes for the API.
func toMinutesJSON(v documents.MinutesView) minutesJSON {
	c := v.Content
	out := minutesJSON{ID: v.ID, EstateID: v.EstateID, Kind: v.Kind, VoteID: v.VoteID, Title: c.Title, Place: c.Place, HeldAt: c.HeldAt.UTC(),
		Members: nonNil(c.Members), Present: nonNil(c.Present), Absent: nonNil(v.Absent), Quorum: v.Quorum, Rule: v.Rule, LegalBasis: v.LegalBasis,
		Attendees: nonNil(c.Attendees), Agenda: nonNil(c.Agenda), Proceedings: c.Proceedings, Decisions: []decisionViewJSON{},
		Signatures: []signatureViewJSON{}, State: v.State, Revision: v.Revision, Document: v.Document, CreatedBy: v.CreatedBy,
		CreatedAt: v.CreatedAt.UTC(), UpdatedBy: v.UpdatedBy, UpdatedAt: v.UpdatedAt.UTC(), FinalisedAt: optTime(v.FinalisedAt),
		Missing: v.MissingGlyphs}
	for _, d := range v.Decisions {
		j := decisionViewJSON{Text: d.Text, Agree: d.Agree, Oppose: d.Oppose, Abstain: d.Abstain, Counted: d.Counted}
		if d.Counted {
			j.Passed, j.NeededToPass, j.QuorumPresent, j.Outcome, j.NeededToAttend = d.Passed, d.NeededToPass, d.QuorumPresent, d.Outcome, d.NeededToAttend
		}
		out.Decisions = append(out.Decisions, j)
	}
	for _, s := range c.Signatures {
		out.Signatures = append(out.Signatures, signatureViewJSON{Name: s.Name, SignedAt: s.SignedAt.UTC()})
	}
	return out
}

// GetMinutes returns minutes with the outcome of each committee decision.
func (h *DocumentHandlers) GetMinutes(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.Docs.Minutes(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toMinutesJSON(v))
}

// UpdateMinutes replaces the content of draft minutes (audited); final minutes: 409.
func (h *DocumentHandlers) UpdateMinutes(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req updateMinutesRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	v, err := h.Docs.UpdateMinutes(httpx.Ctx(c), httpx.MustPrincipal(c), id, in, req.Revision)
	if err != nil {
		return err
	}
	return c.JSON(toMinutesJSON(v))
}

// FinaliseMinutes makes minutes final and stores their PDF; again: 409.
func (h *DocumentHandlers) FinaliseMinutes(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.Docs.FinaliseMinutes(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toMinutesJSON(v))
}

// MinutesPDF serves the stored PDF of final minutes.
func (h *DocumentHandlers) MinutesPDF(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Docs.MinutesPDF(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return httpx.SendDocument(c, f)
}

type minutesSummaryJSON struct {
	ID             int64     `json:"id"`
	Kind           string    `json:"kind"`
	Title          string    `json:"title"`
	HeldAt         time.Time `json:"held_at"`
	State          string    `json:"state"`
	VoteID         int64     `json:"vote_id,omitempty"`
	DocumentID     int64     `json:"document_id,omitempty"`
	DocumentNumber string    `json:"document_number,omitempty"`
}

// ListMinutes lists an estate's minutes.
func (h *DocumentHandlers) ListMinutes(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Docs.ListMinutes(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	out := make([]minutesSummaryJSON, 0, len(list))
	for _, m := range list {
		out = append(out, minutesSummaryJSON{ID: m.ID, Kind: m.Kind, Title: m.Title, HeldAt: m.HeldAt.UTC(), State: m.State, VoteID: m.VoteID,
			DocumentID: m.DocumentID, DocumentNumber: m.DocumentNumber})
	}
	return c.JSON(out)
}
