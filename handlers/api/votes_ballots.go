package api

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/handlers/httpx"
)

type voteBallotViewJSON struct {
	VoteID            int64          `json:"vote_id"`
	Title             string         `json:"title"`
	EstateName        string         `json:"estate_name"`
	Form              string         `json:"form"`
	Convenor          string         `json:"convenor"`
	Location          string         `json:"location"`
	LegalProfile      string         `json:"legal_profile"`
	State             string         `json:"state"`
	Phase             string         `json:"phase"`
	NoticePublishedAt time.Time      `json:"notice_published_at"`
	OpensAt           time.Time      `json:"opens_at"`
	ClosesAt          time.Time      `json:"closes_at"`
	QuorumRule        string         `json:"quorum_rule"`
	Items             []voteItemJSON `json:"items"`
	Rooms             []string       `json:"rooms"`
	Area              string         `json:"area"`
	CredentialStatus  string         `json:"credential_status"`
	AttemptsLeft      int            `json:"attempts_left"`
	CanVote           bool           `json:"can_vote"`
	ResultsPublished  bool           `json:"results_published"`
	ObjectionsOpen    bool           `json:"objections_open"`
	ObjectionDeadline *time.Time     `json:"objection_deadline"`
}

// Ballot shows a personal ballot link: that it is valid, the vote's title, items and
// state. It takes no identity check, so it shows nothing of what the voter did
// (whether, when or how they voted, the receipt, their objections): a cast answers
// 409 with when and how once the check passed.
func (h *VoteHandlers) Ballot(c *fiber.Ctx) error {
	v, err := h.Votes.Ballot(httpx.Ctx(c), c.Params("token"))
	if err != nil {
		return err
	}
	out := voteBallotViewJSON{VoteID: v.VoteID, Title: v.Title, EstateName: v.EstateName, Form: v.Form, Convenor: v.Convenor,
		Location: v.Location, LegalProfile: v.LegalProfile, State: v.State, Phase: string(v.Phase),
		NoticePublishedAt: v.NoticePublishedAt.UTC(), OpensAt: v.OpensAt.UTC(), ClosesAt: v.ClosesAt.UTC(), QuorumRule: v.QuorumRule,
		Items: voteItemsJSON(v.Items), Rooms: v.Rooms, Area: v.Area.String(), CredentialStatus: v.CredentialStatus,
		AttemptsLeft: v.AttemptsLeft, CanVote: v.CanVote, ResultsPublished: v.ResultsPublished, ObjectionsOpen: v.ObjectionsOpen,
		ObjectionDeadline: optTime(v.ObjectionDeadline)}
	return c.JSON(out)
}

type voteCastRequest struct {
	IDCheck string                     `json:"id_check" validate:"max=32"`
	Choices map[string]json.RawMessage `json:"choices"`
}

// Cast casts the ballot of a personal link: 201 {"receipt"}; wrong id_check 403,
// already voted 409, not open or closed 410.
func (h *VoteHandlers) Cast(c *fiber.Ctx) error {
	var req voteCastRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	choices, err := voteDecodeChoices(req.Choices)
	if err != nil {
		return err
	}
	r, err := h.Votes.CastOnlineFrom(httpx.Ctx(c), httpx.LimitKey(h.Proxies.ClientAddr(c)), c.Params("token"), req.IDCheck, choices)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(voteToReceiptJSON(r))
}

type voteOwnerObjectionRequest struct {
	IDCheck string `json:"id_check" validate:"max=32"`
	Content string `json:"content" validate:"max=2000"`
}

// FileObjection files an owner's objection to a published result through the
// personal link (identity checked): 201.
func (h *VoteHandlers) FileObjection(c *fiber.Ctx) error {
	var req voteOwnerObjectionRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	o, err := h.Votes.FileObjection(httpx.Ctx(c), c.Params("token"), req.IDCheck, req.Content)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(voteToObjectionJSON(o))
}

// VerifyReceipt tells anyone what a receipt code proves: the vote, when and how the
// ballot was cast, and whether it was voided or counted; never the choices.
func (h *VoteHandlers) VerifyReceipt(c *fiber.Ctx) error {
	r, err := h.Votes.VerifyReceipt(httpx.Ctx(c), c.Params("code"))
	if err != nil {
		return err
	}
	out := fiber.Map{"receipt": r.Code, "vote_id": r.VoteID, "vote_title": r.VoteTitle, "estate_name": r.EstateName,
		"channel": r.Channel, "cast_at": r.CastAt.UTC(), "voided": r.Voided, "voided_at": optTime(r.VoidedAt), "counted": r.Counted}
	// The ballot log (issue 14): the leaf, its inclusion proof and the signed head.
	if p, ok, err := h.Votes.ReceiptProof(httpx.Ctx(c), r.Code); err != nil {
		return err
	} else if ok {
		out["log"] = logProofJSON(p)
	}
	return c.JSON(out)
}
