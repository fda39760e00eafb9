package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app/elections"
	"gongzhi/handlers/httpx"
)

// ElectionHandlers serve the endpoints joining formation and votes.
type ElectionHandlers struct {
	Elections *elections.Service
	Validate  *httpx.Validator
}

type electionVoteRequest struct {
	Title             string `json:"title" validate:"max=200"`
	LegalProfile      string `json:"legal_profile" validate:"omitempty,oneof=civil-code-2021 property-law-2007"`
	Form              string `json:"form" validate:"omitempty,oneof=written meeting"`
	Location          string `json:"location" validate:"max=200"`
	NoticePublishedAt string `json:"notice_published_at" validate:"required"`
	OpensAt           string `json:"opens_at" validate:"required"`
	ClosesAt          string `json:"closes_at" validate:"required"`
	Seats             int    `json:"seats" validate:"required,gt=0"`
	Alternates        int    `json:"alternates" validate:"gte=0"`
}

// voteTimes are the notice, opening and closing instants of a vote request.
type voteTimes struct{ notice, opens, closes time.Time }

func readTimes(notice, opens, closes string) (voteTimes, error) {
	var vt voteTimes
	var err error
	if vt.notice, err = parseTime("notice_published_at", notice); err != nil {
		return vt, err
	}
	if vt.opens, err = parseTime("opens_at", opens); err != nil {
		return vt, err
	}
	vt.closes, err = parseTime("closes_at", closes)
	return vt, err
}

// CreateElectionVote drafts the vote that elects the committee from a group's published slate.
func (h *ElectionHandlers) CreateElectionVote(c *fiber.Ctx) error {
	groupID, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req electionVoteRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	vt, err := readTimes(req.NoticePublishedAt, req.OpensAt, req.ClosesAt)
	if err != nil {
		return err
	}
	id, err := h.Elections.CreateFromSlate(httpx.Ctx(c), httpx.MustPrincipal(c), groupID, elections.VoteInput{Title: req.Title,
		LegalProfile: req.LegalProfile, Form: req.Form, Location: req.Location, NoticePublishedAt: vt.notice, OpensAt: vt.opens, ClosesAt: vt.closes,
		Seats: req.Seats, Alternates: req.Alternates})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id, "item_key": elections.ItemKey})
}

type recordElectionRequest struct {
	ItemKey   string `json:"item_key" validate:"max=64"`
	TermYears int    `json:"term_years" validate:"min=0,max=99"`
}

// RecordElection records a closed vote's election item as the estate's committee.
func (h *ElectionHandlers) RecordElection(c *fiber.Ctx) error {
	voteID, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req recordElectionRequest
	if len(c.Body()) > 0 {
		if err := h.Validate.Bind(c, &req); err != nil {
			return err
		}
	}
	committeeID, err := h.Elections.Record(httpx.Ctx(c), httpx.MustPrincipal(c), voteID, req.ItemKey, req.TermYears)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"committee_id": committeeID})
}

type runoffRequest struct {
	ItemKey           string `json:"item_key" validate:"max=64"`
	LegalProfile      string `json:"legal_profile" validate:"omitempty,oneof=civil-code-2021 property-law-2007"`
	Form              string `json:"form" validate:"omitempty,oneof=written meeting"`
	NoticePublishedAt string `json:"notice_published_at" validate:"required"`
	OpensAt           string `json:"opens_at" validate:"required"`
	ClosesAt          string `json:"closes_at" validate:"required"`
}

// CreateRunoff drafts the runoff vote among the candidates tied across the last seat.
func (h *ElectionHandlers) CreateRunoff(c *fiber.Ctx) error {
	voteID, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req runoffRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	vt, err := readTimes(req.NoticePublishedAt, req.OpensAt, req.ClosesAt)
	if err != nil {
		return err
	}
	id, err := h.Elections.CreateFollowUp(httpx.Ctx(c), httpx.MustPrincipal(c), voteID, req.ItemKey, elections.FollowUpInput{
		NoticePublishedAt: vt.notice, OpensAt: vt.opens, ClosesAt: vt.closes, LegalProfile: req.LegalProfile, Form: req.Form})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id, "item_key": elections.ItemKey})
}
