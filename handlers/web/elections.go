package web

import (
	"fmt"
	"strconv"
	"strings"
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

// voteDates reads the notice, opening and closing times of an election or runoff
// form (datetime-local, Asia/Shanghai); an empty one is the zero time, which the
// service names as missing.
func voteDates(c *fiber.Ctx) (notice, opens, closes time.Time, err error) {
	var at [3]time.Time
	for i, name := range []string{"notice_published_at", "opens_at", "closes_at"} {
		t, err := formDateTime(c, name)
		if err != nil {
			return at[0], at[1], at[2], err
		}
		if t != nil {
			at[i] = *t
		}
	}
	return at[0], at[1], at[2], nil
}

// CreateElectionVote drafts the election vote from the group's slate and opens its page.
func (h *ElectionPages) CreateElectionVote(c *fiber.Ctx) error {
	p, estateID, groupID, err := principalAndIDs(c, "group")
	if err != nil {
		return err
	}
	id, err := func() (int64, error) {
		notice, opens, closes, err := voteDates(c)
		if err != nil {
			return 0, err
		}
		if msg := h.Votes.pastNotice(c, notice); msg != "" {
			// The first assembly adds its rules items to this draft before the notice.
			return 0, &app.Error{Code: app.EInvalid, Msg: app.Plain(msg)}
		}
		seats, _ := strconv.Atoi(c.FormValue("seats"))
		alternates, _ := strconv.Atoi(c.FormValue("alternates"))
		return h.Elections.CreateFromSlate(httpx.Ctx(c), p, groupID, elections.VoteInput{Title: c.FormValue("title"),
			Form: c.FormValue("form"), Location: c.FormValue("location"), NoticePublishedAt: notice, OpensAt: opens, ClosesAt: closes,
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
		term := 0
		if v := strings.TrimSpace(c.FormValue("term_years")); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 99 {
				return "", app.Invalid("term_years", app.M("err.web.the_term_is_a_whole_number_of_years"))
			}
			term = n
		}
		if _, err := h.Elections.Record(httpx.Ctx(c), p, id, c.FormValue("item_key"), term); err != nil {
			return "", err
		}
		return h.Votes.Views.T(Lang(c), "elections.recorded"), nil
	})(c)
}

// CreateRunoff drafts the runoff vote among the tied candidates and opens its page.
func (h *ElectionPages) CreateRunoff(c *fiber.Ctx) error {
	p, voteID, err := principalAndID(c)
	if err != nil {
		return err
	}
	id, err := func() (int64, error) {
		notice, opens, closes, err := voteDates(c)
		if err != nil {
			return 0, err
		}
		return h.Elections.CreateFollowUp(httpx.Ctx(c), p, voteID, c.FormValue("item_key"), elections.FollowUpInput{
			NoticePublishedAt: notice, OpensAt: opens, ClosesAt: closes})
	}()
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return err
		}
		return h.Votes.voteDone(c, p, voteID, err, "")
	}
	return h.Votes.RedirectWithFlash(c, fmt.Sprintf("/votes/%d", id), h.Votes.Views.T(Lang(c), "elections.runoff_created"))
}
