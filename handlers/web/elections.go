package web

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/elections"
	"gongzhi/handlers/httpx"
)

// ElectionPages serve the forms that join the formation page to votes: the election
// vote from the published slate, recording a counted election as the committee, and
// the runoff vote among tied candidates.
type ElectionPages struct {
	Formation *FormationPages
	Votes     *VotePages
	Elections *elections.Service
}

// formInstant is a datetime-local form value in Asia/Shanghai; empty is the zero time
// (the service names the missing field).
type formInstant struct{ t time.Time }

func timeOrZero(c *fiber.Ctx, name string) (formInstant, error) {
	v, err := fmFormDateTime(c, name)
	if err != nil || v == nil {
		return formInstant{}, err
	}
	return formInstant{*v}, nil
}

// CreateElectionVote drafts the election vote from the group's slate and opens its page.
func (h *ElectionPages) CreateElectionVote(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	estateID, err := pathID(c)
	if err != nil {
		return err
	}
	groupID, err := pathParamID(c, "group")
	if err != nil {
		return err
	}
	id, err := func() (int64, error) {
		notice, err := timeOrZero(c, "notice_published_at")
		if err != nil {
			return 0, err
		}
		opens, err := timeOrZero(c, "opens_at")
		if err != nil {
			return 0, err
		}
		closes, err := timeOrZero(c, "closes_at")
		if err != nil {
			return 0, err
		}
		seats, _ := strconv.Atoi(c.FormValue("seats"))
		alternates, _ := strconv.Atoi(c.FormValue("alternates"))
		return h.Elections.CreateFromSlate(httpx.Ctx(c), p, groupID, elections.VoteInput{Title: c.FormValue("title"),
			Form: c.FormValue("form"), Location: c.FormValue("location"), NoticePublishedAt: notice.t, OpensAt: opens.t, ClosesAt: closes.t,
			Seats: seats, Alternates: alternates})
	}()
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return err
		}
		return h.Formation.formationDone(c, p, estateID, err, "")
	}
	return h.Formation.RedirectWithFlash(c, fmt.Sprintf("/votes/%d", id), h.Formation.Views.T(Lang(c), "elections.vote_created"))
}

// RecordCommittee records the counted election of a closed vote as the committee.
func (h *ElectionPages) RecordCommittee(c *fiber.Ctx) error {
	return h.Votes.voteAction(func(c *fiber.Ctx, p app.Principal, id int64) (string, error) {
		if _, err := h.Elections.Record(httpx.Ctx(c), p, id, c.FormValue("item_key")); err != nil {
			return "", err
		}
		return h.Votes.Views.T(Lang(c), "elections.recorded"), nil
	})(c)
}

// CreateRunoff drafts the runoff vote among the tied candidates and opens its page.
func (h *ElectionPages) CreateRunoff(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	voteID, err := pathID(c)
	if err != nil {
		return err
	}
	id, err := func() (int64, error) {
		notice, err := timeOrZero(c, "notice_published_at")
		if err != nil {
			return 0, err
		}
		opens, err := timeOrZero(c, "opens_at")
		if err != nil {
			return 0, err
		}
		closes, err := timeOrZero(c, "closes_at")
		if err != nil {
			return 0, err
		}
		return h.Elections.CreateFollowUp(httpx.Ctx(c), p, voteID, c.FormValue("item_key"), elections.FollowUpInput{
			NoticePublishedAt: notice.t, OpensAt: opens.t, ClosesAt: closes.t})
	}()
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return err
		}
		return h.Votes.voteDone(c, p, voteID, err, "")
	}
	return h.Votes.RedirectWithFlash(c, fmt.Sprintf("/votes/%d", id), h.Votes.Views.T(Lang(c), "elections.runoff_created"))
}
