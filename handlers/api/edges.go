package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app/formation"
	"gongzhi/app/rules"
	"gongzhi/handlers/httpx"
)

// The API of issue 12's election edges and transitional body: the application date,
// the co-owner counting rule, the public lot of an alternate-place tie, and the
// transitional body (物业管理委员会).

type applicationRequest struct {
	AppliedAt *time.Time `json:"applied_at"`
	DecidedAt *time.Time `json:"decided_at"`
}

// RecordApplication records when the application to form the assembly was received and
// when the street office decided on it; the preparatory-group deadlines run from them.
func (h *FormationHandlers) RecordApplication(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req applicationRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	in := formation.ApplicationInput{DecidedAt: req.DecidedAt}
	if req.AppliedAt != nil {
		in.AppliedAt = *req.AppliedAt
	}
	p := httpx.MustPrincipal(c)
	if err := h.Formation.RecordApplication(httpx.Ctx(c), p, id, in); err != nil {
		return err
	}
	st, err := h.Formation.Status(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return c.JSON(fmToStatusJSON(st))
}

type coOwnerRuleRequest struct {
	Rule string `json:"coowner_rule" validate:"required,max=32"`
}

// SetCoOwnerRule records the co-owner counting rule (C3) chosen for the estate.
func (h *FormationHandlers) SetCoOwnerRule(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req coOwnerRuleRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	p := httpx.MustPrincipal(c)
	if err := h.Formation.SetCoOwnerRule(httpx.Ctx(c), p, id, req.Rule); err != nil {
		return err
	}
	st, err := h.Formation.Status(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	return c.JSON(fmToStatusJSON(st))
}

type lotRequest struct {
	Seed      string     `json:"seed" validate:"max=200"`
	DrawnAt   *time.Time `json:"drawn_at"`
	Place     string     `json:"place" validate:"max=200"`
	Witnesses string     `json:"witnesses" validate:"max=1000"`
}

type lotJSON struct {
	ID         int64      `json:"id"`
	ElectionID int64      `json:"election_id"`
	Places     int        `json:"places"`
	Status     string     `json:"status"`
	Tied       []string   `json:"tied"`
	Seed       string     `json:"seed"`
	Method     string     `json:"method"`
	Order      []string   `json:"order"`
	Winners    []string   `json:"winners"`
	DrawnAt    *time.Time `json:"drawn_at"`
	DrawnBy    string     `json:"drawn_by"`
	Place      string     `json:"place"`
	Witnesses  string     `json:"witnesses"`
	InsertRank int        `json:"first_rank"`
}

func toLotJSON(l formation.LotView) lotJSON {
	out := lotJSON{ID: l.ID, ElectionID: l.ElectionID, Places: l.Places, Status: l.Status, Tied: []string{}, Seed: l.Seed, Method: l.Method,
		Order: nonNil(l.OrderNames), Winners: nonNil(l.Winners), DrawnAt: l.DrawnAt, DrawnBy: l.DrawnBy, Place: l.Place, Witnesses: l.Witnesses,
		InsertRank: l.InsertRank}
	for _, t := range l.Tied {
		out.Tied = append(out.Tied, t.Name)
	}
	return out
}

// DrawLot records the public lot that settles a tie across the last alternate place.
func (h *FormationHandlers) DrawLot(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	lotID, err := PathID(c, "lot")
	if err != nil {
		return err
	}
	var req lotRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	l, err := h.Formation.DrawLot(httpx.Ctx(c), httpx.MustPrincipal(c), id, lotID, formation.LotInput{Seed: req.Seed, DrawnAt: req.DrawnAt,
		Place: req.Place, Witnesses: req.Witnesses})
	if err != nil {
		return err
	}
	return c.JSON(toLotJSON(l))
}

type transitionalMemberRequest struct {
	Role          string `json:"role" validate:"max=32"`
	Name          string `json:"name" validate:"max=64"`
	Organisation  string `json:"organisation" validate:"max=200"`
	Room          string `json:"room" validate:"max=64"`
	Leader        bool   `json:"leader"`
	MeetsCriteria bool   `json:"meets_criteria"`
}

type transitionalRequest struct {
	Kind     string                      `json:"kind" validate:"max=32"`
	Reason   string                      `json:"reason" validate:"max=1000"`
	FormedAt *time.Time                  `json:"formed_at"`
	Members  []transitionalMemberRequest `json:"members" validate:"max=15,dive"`
}

type transitionalMemberJSON struct {
	Role         string `json:"role"`
	RoleLabel    string `json:"role_label"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Room         string `json:"room"`
	Leader       bool   `json:"leader"`
}

type transitionalJSON struct {
	ID                   int64                    `json:"id"`
	EstateID             int64                    `json:"estate_id"`
	Kind                 string                   `json:"kind"`
	KindLabel            string                   `json:"kind_label"`
	Transitional         bool                     `json:"transitional"`
	Status               string                   `json:"status"`
	Acting               bool                     `json:"acting"`
	Reason               string                   `json:"reason"`
	FormedAt             time.Time                `json:"formed_at"`
	EndedAt              *time.Time               `json:"ended_at"`
	EndedReason          string                   `json:"ended_reason"`
	SuccessorCommitteeID *int64                   `json:"successor_committee_id"`
	Profile              string                   `json:"jurisdiction_profile"`
	Members              []transitionalMemberJSON `json:"members"`
}

func toTransitionalJSON(v formation.TransitionalView) transitionalJSON {
	out := transitionalJSON{ID: v.ID, EstateID: v.EstateID, Kind: v.Kind, KindLabel: v.KindLabel, Transitional: true, Status: v.Status,
		Acting: v.Acting, Reason: v.Reason, FormedAt: v.FormedAt, EndedAt: v.EndedAt, EndedReason: v.EndedReason,
		SuccessorCommitteeID: v.SuccessorCommitteeID, Profile: v.ProfileCode, Members: []transitionalMemberJSON{}}
	for _, m := range v.Members {
		out.Members = append(out.Members, transitionalMemberJSON{Role: m.Role, RoleLabel: m.RoleLabel, Name: m.Name, Organisation: m.Organisation,
			Room: m.Room, Leader: m.Leader})
	}
	return out
}

// ListTransitional lists the estate's transitional bodies, the acting one first.
func (h *FormationHandlers) ListTransitional(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Formation.Transitional(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	out := make([]transitionalJSON, 0, len(list))
	for _, v := range list {
		out = append(out, toTransitionalJSON(v))
	}
	return c.JSON(fiber.Map{"transitional_bodies": out})
}

// FormTransitional forms the estate's transitional body.
func (h *FormationHandlers) FormTransitional(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req transitionalRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	in := formation.TransitionalInput{Kind: req.Kind, Reason: req.Reason, FormedAt: req.FormedAt}
	for _, m := range req.Members {
		in.Members = append(in.Members, formation.TransitionalMemberInput{Role: rules.PrepRole(m.Role), Name: m.Name, Organisation: m.Organisation,
			Room: m.Room, Leader: m.Leader, MeetsCriteria: m.MeetsCriteria})
	}
	bodyID, err := h.Formation.FormTransitional(httpx.Ctx(c), httpx.MustPrincipal(c), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": bodyID})
}

type endTransitionalRequest struct {
	Reason string `json:"reason" validate:"max=500"`
}

// EndTransitional ends an acting transitional body.
func (h *FormationHandlers) EndTransitional(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req endTransitionalRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Formation.EndTransitional(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Reason); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id, "status": "ended"})
}
