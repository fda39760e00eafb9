package api

import (
	"github.com/gofiber/fiber/v2"

	"gongzhi/app/committee"
	"gongzhi/handlers/httpx"
)

// OversightHandlers serve committee oversight (seed 003 §(六)): the owner representatives'
// ratings, the street office's rectification orders and the revocation of decisions.
type OversightHandlers struct {
	Committee *committee.Service
	Validate  *httpx.Validator
}

type ratingRequest struct {
	Period       string `json:"period" validate:"max=100"`
	RatedOn      string `json:"rated_on" validate:"max=20"`
	Raters       int    `json:"raters"`
	Satisfied    int    `json:"satisfied"`
	Basic        int    `json:"basic"`
	Dissatisfied int    `json:"dissatisfied"`
	Summary      string `json:"summary"`
}

type rectificationRequest struct {
	Matters   string `json:"matters"`
	Basis     string `json:"basis"`
	DueOn     string `json:"due_on" validate:"max=20"`
	MinutesID int64  `json:"minutes_id"`
	Decision  int    `json:"decision"`
}

type outcomeRequest struct {
	Status    string `json:"status" validate:"max=20"`
	Outcome   string `json:"outcome"`
	OutcomeOn string `json:"outcome_on" validate:"max=20"`
}

type revocationRequest struct {
	Grounds string `json:"grounds"`
	Basis   string `json:"basis"`
}

type ratingJSON struct {
	ID           int64  `json:"id"`
	Period       string `json:"period"`
	RatedOn      string `json:"rated_on"`
	Raters       int    `json:"raters"`
	Satisfied    int    `json:"satisfied"`
	Basic        int    `json:"basic"`
	Dissatisfied int    `json:"dissatisfied"`
	RatePermille int    `json:"rate_permille"`
	Summary      string `json:"summary"`
	RecordedBy   string `json:"recorded_by"`
}

type rectificationJSON struct {
	ID           int64   `json:"id"`
	Matters      string  `json:"matters"`
	Basis        string  `json:"basis"`
	IssuedOn     string  `json:"issued_on"`
	DueOn        string  `json:"due_on"`
	Status       string  `json:"status"`
	Overdue      bool    `json:"overdue"`
	Outcome      string  `json:"outcome"`
	OutcomeOn    *string `json:"outcome_on"`
	MinutesID    *int64  `json:"minutes_id"`
	Decision     int     `json:"decision,omitempty"`
	DecisionText string  `json:"decision_text,omitempty"`
	Revoked      bool    `json:"revoked"`
	NoticeID     *int64  `json:"revocation_document_id"`
}

func ratingsJSON(rs []committee.RatingView) []ratingJSON {
	out := make([]ratingJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, ratingJSON{ID: r.ID, Period: r.Period, RatedOn: r.RatedOn, Raters: r.Raters, Satisfied: r.Satisfied, Basic: r.Basic,
			Dissatisfied: r.Dissatisfied, RatePermille: r.RatePermille, Summary: r.Summary, RecordedBy: r.RecordedBy})
	}
	return out
}

// Oversight shows a committee's ratings, rectification orders and revoked decisions.
func (h *OversightHandlers) Oversight(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.Committee.Oversight(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	orders := make([]rectificationJSON, 0, len(v.Rectifications))
	for _, o := range v.Rectifications {
		j := rectificationJSON{ID: o.ID, Matters: o.Matters, Basis: o.Basis, IssuedOn: o.IssuedOn, DueOn: o.DueOn, Status: o.Status, Overdue: o.Overdue,
			Outcome: o.Outcome, OutcomeOn: o.OutcomeOn, MinutesID: o.MinutesID, DecisionText: o.DecisionText, Revoked: o.Revocation != nil}
		if o.DecisionIndex != nil {
			j.Decision = *o.DecisionIndex + 1
		}
		if o.Revocation != nil {
			j.NoticeID = o.Revocation.DocumentID
		}
		orders = append(orders, j)
	}
	return c.JSON(fiber.Map{"committee_id": v.CommitteeID, "estate_id": v.EstateID, "ratings": ratingsJSON(v.Ratings),
		"rectifications": orders, "open": v.Open, "overdue": v.OverdueCount, "revoked": v.Revoked})
}

// EstateRatings lists the ratings of every committee of an estate (read before re-election).
func (h *OversightHandlers) EstateRatings(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	rs, err := h.Committee.EstateRatings(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(ratingsJSON(rs))
}

// Rate records a period's rating by the owner representatives: 201 {"id"}.
func (h *OversightHandlers) Rate(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req ratingRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	rid, err := h.Committee.RecordRating(httpx.Ctx(c), httpx.MustPrincipal(c), id, committee.RatingInput{Period: req.Period, RatedOn: req.RatedOn,
		Raters: req.Raters, Satisfied: req.Satisfied, Basic: req.Basic, Dissatisfied: req.Dissatisfied, Summary: req.Summary})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": rid})
}

// Order records a rectification order to the committee: 201 {"id"}.
func (h *OversightHandlers) Order(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req rectificationRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	rid, err := h.Committee.OrderRectification(httpx.Ctx(c), httpx.MustPrincipal(c), id, committee.RectificationInput{Matters: req.Matters,
		Basis: req.Basis, DueOn: req.DueOn, MinutesID: req.MinutesID, Decision: req.Decision})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": rid})
}

// Outcome records whether an order was rectified.
func (h *OversightHandlers) Outcome(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req outcomeRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Committee.RecordOutcome(httpx.Ctx(c), httpx.MustPrincipal(c), id, committee.OutcomeInput{Status: req.Status, Outcome: req.Outcome,
		OutcomeOn: req.OutcomeOn}); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id, "status": req.Status})
}

// Revoke revokes the decision of a refused order and announces it: 201 {"document_id"}.
func (h *OversightHandlers) Revoke(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req revocationRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	doc, err := h.Committee.Revoke(httpx.Ctx(c), httpx.MustPrincipal(c), id, committee.RevocationInput{Grounds: req.Grounds, Basis: req.Basis})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"document_id": doc})
}
