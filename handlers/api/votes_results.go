package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app/voting"
	"gongzhi/handlers/httpx"
)

type voteBuildingJSON struct {
	Building               string `json:"building"`
	Units                  int    `json:"units"`
	Area                   string `json:"area"`
	Voters                 int    `json:"voters"`
	ParticipatingUnits     int    `json:"participating_units"`
	ParticipatingArea      string `json:"participating_area"`
	ParticipatingHeadcount int    `json:"participating_headcount"`
}

type voteChannelJSON struct {
	Channel   string `json:"channel"`
	Headcount int    `json:"headcount"`
	Area      string `json:"area"`
}

type voteParticipationJSON struct {
	VoteID                 int64              `json:"vote_id"`
	State                  string             `json:"state,omitempty"`
	Phase                  string             `json:"phase"`
	LegalProfile           string             `json:"legal_profile"`
	AsOf                   time.Time          `json:"as_of"`
	TotalArea              string             `json:"total_area"`
	TotalHeadcount         int                `json:"total_headcount"`
	ParticipatingArea      string             `json:"participating_area"`
	ParticipatingHeadcount int                `json:"participating_headcount"`
	QuorumRule             string             `json:"quorum_rule"`
	QuorumRuleEN           string             `json:"quorum_rule_en"`
	QuorumArea             string             `json:"quorum_area"`
	QuorumHeadcount        int                `json:"quorum_headcount"`
	QuorumReached          bool               `json:"quorum_reached"`
	Voided                 int                `json:"voided"`
	Buildings              []voteBuildingJSON `json:"buildings"`
	Channels               []voteChannelJSON  `json:"channels"`
	ClosesAt               *time.Time         `json:"closes_at,omitempty"`
}

func voteToParticipationJSON(p voting.Participation) voteParticipationJSON {
	out := voteParticipationJSON{VoteID: p.VoteID, Phase: string(p.Phase), LegalProfile: p.LegalProfile, AsOf: p.AsOf.UTC(),
		TotalArea: p.TotalArea.String(), TotalHeadcount: p.TotalHeadcount, ParticipatingArea: p.ParticipatingArea.String(),
		ParticipatingHeadcount: p.ParticipatingHeadcount, QuorumRule: p.QuorumRule, QuorumRuleEN: p.QuorumRuleEN,
		QuorumArea: p.QuorumArea.String(), QuorumHeadcount: p.QuorumHeadcount, QuorumReached: p.QuorumReached, Voided: p.Voided,
		Buildings: make([]voteBuildingJSON, 0, len(p.Buildings)), Channels: make([]voteChannelJSON, 0, len(p.Channels))}
	for _, b := range p.Buildings {
		out.Buildings = append(out.Buildings, voteBuildingJSON{Building: b.Building, Units: b.Units, Area: b.Area.String(), Voters: b.Voters,
			ParticipatingUnits: b.ParticipatingUnits, ParticipatingArea: b.ParticipatingArea.String(),
			ParticipatingHeadcount: b.ParticipatingHeadcount})
	}
	for _, ch := range p.Channels {
		out.Channels = append(out.Channels, voteChannelJSON{Channel: ch.Channel, Headcount: ch.Headcount, Area: ch.Area.String()})
	}
	return out
}

// Participation returns the live participation of a vote (no item results).
func (h *VoteHandlers) Participation(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	p, err := h.Votes.Participation(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(voteToParticipationJSON(p))
}

// voteClosedResultJSON is the stored result document with the vote's publication status.
type voteClosedResultJSON struct {
	*voting.Result
	State             string     `json:"state"`
	Phase             string     `json:"phase"`
	TallySHA256       string     `json:"tally_sha256"`
	PublishedAt       *time.Time `json:"published_at"`
	PublishDueAt      *time.Time `json:"publish_due_at"`
	PublishLate       bool       `json:"publish_late"`
	ObjectionDeadline *time.Time `json:"objection_deadline"`
	FinalisedAt       *time.Time `json:"finalised_at"`
}

// Results returns the result after closes_at, participation only before it; staff
// of the estate always, anyone once published.
func (h *VoteHandlers) Results(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	r, err := h.Votes.Results(httpx.Ctx(c), optionalPrincipal(c), id)
	if err != nil {
		return err
	}
	if r.Result == nil {
		pj := voteToParticipationJSON(*r.Participation)
		pj.State = r.State
		return c.JSON(pj)
	}
	return c.JSON(voteClosedResultJSON{Result: r.Result, State: r.State, Phase: string(r.Phase), TallySHA256: r.TallySHA256,
		PublishedAt: optTime(r.PublishedAt), PublishDueAt: optTime(r.PublishDueAt), PublishLate: r.PublishLate,
		ObjectionDeadline: optTime(r.ObjectionDeadline), FinalisedAt: optTime(r.FinalisedAt)})
}

// Recount recomputes a closed vote's tally and compares it with the stored one.
func (h *VoteHandlers) Recount(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	doc, matches, err := h.Votes.Recount(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"matches": matches, "result": doc})
}

// ParticipationList lists the participating voters' rooms and areas (no choices).
func (h *VoteHandlers) ParticipationList(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Votes.ParticipationList(httpx.Ctx(c), optionalPrincipal(c), id)
	if err != nil {
		return err
	}
	type entry struct {
		Rooms []string `json:"rooms"`
		Area  string   `json:"area"`
	}
	out := make([]entry, 0, len(list))
	for _, e := range list {
		out = append(out, entry{Rooms: e.Rooms, Area: e.Area.String()})
	}
	return c.JSON(fiber.Map{"vote_id": id, "count": len(out), "voters": out})
}

// Publish publishes the preliminary result with the objection window.
func (h *VoteHandlers) Publish(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	pub, err := h.Votes.Publish(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"state": "published", "published_at": pub.PublishedAt.UTC(), "publish_due_at": pub.PublishDueAt.UTC(),
		"late": pub.Late, "objection_deadline": pub.ObjectionDeadline.UTC()})
}

// Finalise declares the result final after the objection window.
func (h *VoteHandlers) Finalise(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	at, err := h.Votes.Finalise(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"state": "final", "finalised_at": at.UTC()})
}

type voteObjectionJSON struct {
	ID         int64      `json:"id"`
	VoteID     int64      `json:"vote_id"`
	ByOwner    bool       `json:"by_owner"`
	Rooms      []string   `json:"rooms"`
	Submitter  string     `json:"submitter"`
	EnteredBy  string     `json:"entered_by"`
	Content    string     `json:"content"`
	CreatedAt  time.Time  `json:"created_at"`
	Answered   bool       `json:"answered"`
	Answer     string     `json:"answer"`
	AnsweredBy string     `json:"answered_by"`
	AnsweredAt *time.Time `json:"answered_at"`
}

func voteToObjectionJSON(o voting.Objection) voteObjectionJSON {
	return voteObjectionJSON{ID: o.ID, VoteID: o.VoteID, ByOwner: o.ByOwner, Rooms: o.Rooms, Submitter: o.Submitter, EnteredBy: o.EnteredBy,
		Content: o.Content, CreatedAt: o.CreatedAt.UTC(), Answered: o.Answered, Answer: o.Answer, AnsweredBy: o.AnsweredBy,
		AnsweredAt: optTime(o.AnsweredAt)}
}

func voteObjectionsJSON(list []voting.Objection) []voteObjectionJSON {
	out := make([]voteObjectionJSON, 0, len(list))
	for _, o := range list {
		out = append(out, voteToObjectionJSON(o))
	}
	return out
}

// Objections lists a vote's objections and answers.
func (h *VoteHandlers) Objections(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Votes.Objections(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(voteObjectionsJSON(list))
}

type voteRecordObjectionRequest struct {
	Submitter string `json:"submitter" validate:"max=100"`
	Content   string `json:"content" validate:"max=2000"`
}

// RecordObjection records an objection received on paper: 201.
func (h *VoteHandlers) RecordObjection(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req voteRecordObjectionRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	o, err := h.Votes.RecordObjection(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Submitter, req.Content)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(voteToObjectionJSON(o))
}

type voteAnswerRequest struct {
	Answer string `json:"answer" validate:"max=2000"`
}

// AnswerObjection answers an objection once.
func (h *VoteHandlers) AnswerObjection(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	objID, err := PathID(c, "objection")
	if err != nil {
		return err
	}
	var req voteAnswerRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	o, err := h.Votes.AnswerObjection(httpx.Ctx(c), httpx.MustPrincipal(c), id, objID, req.Answer)
	if err != nil {
		return err
	}
	return c.JSON(voteToObjectionJSON(o))
}

// Events lists a vote's trail: staff actions and owner-side events.
func (h *VoteHandlers) Events(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Votes.Events(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	type eventJSON struct {
		At      time.Time      `json:"at"`
		Source  string         `json:"source"`
		Kind    string         `json:"kind"`
		Actor   string         `json:"actor"`
		VoterID int64          `json:"voter_id,omitempty"`
		Detail  map[string]any `json:"detail"`
	}
	out := make([]eventJSON, 0, len(list))
	for _, e := range list {
		out = append(out, eventJSON{At: e.At.UTC(), Source: e.Source, Kind: e.Kind, Actor: e.Actor, VoterID: e.VoterID, Detail: e.Detail})
	}
	return c.JSON(out)
}
