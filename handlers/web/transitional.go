package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/formation"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// The pages and forms of issue 12's election edges and transitional body: the estate's
// transitional body page, and the formation page's forms for the application date, the
// co-owner counting rule and the public lot of an alternate-place tie.

// transitionalRows is the number of member rows the transitional body form offers.
const transitionalRows = 11

// transitionalData is the transitional body page's data.
type transitionalData struct {
	Estate  models.EstateWithPath
	Status  formation.FormationStatus
	Bodies  []formation.TransitionalView
	CanEdit bool
	Roles   []rules.PrepRole
	Rows    []int
	Kinds   []string
	Form    map[string]string
}

func (h *FormationPages) transitionalData(c *fiber.Ctx, p app.Principal, estateID int64) (transitionalData, error) {
	ov, err := h.Formation.Overview(c.UserContext(), p, estateID)
	if err != nil {
		return transitionalData{}, err
	}
	rows := make([]int, transitionalRows)
	for i := range rows {
		rows[i] = i
	}
	return transitionalData{Estate: ov.Status.Estate, Status: ov.Status, Bodies: ov.Transitional, CanEdit: ov.CanTransitional,
		Roles: []rules.PrepRole{rules.PrepRoleStreetOffice, rules.PrepRoleResidentsCommittee, rules.PrepRoleOwnerRep, rules.PrepRoleDeveloper,
			rules.PrepRolePartyOrg},
		Rows: rows, Kinds: []string{models.TransitionalPMC, models.TransitionalSelf}, Form: formEcho(c)}, nil
}

// TransitionalPage shows the estate's transitional body (物业管理委员会), marked transitional,
// with the form to form or end one.
func (h *FormationPages) TransitionalPage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "transitional", "estates", h.transitionalData)
}

// transitionalDone redirects back to the transitional page, or re-renders it with the refusal.
func (h *FormationPages) transitionalDone(c *fiber.Ctx, p app.Principal, estateID int64, err error, flash string) error {
	return refuseOrRedirect(c, h.Handlers, err, "transitional", "estates", func() (transitionalData, error) { return h.transitionalData(c, p, estateID) },
		fmt.Sprintf("/estates/%d/transitional", estateID), h.Views.T(Lang(c), flash))
}

// FormTransitional forms the transitional body from the form's member rows; empty rows
// are skipped, the leader is the row chosen by the "leader" radio.
func (h *FormationPages) FormTransitional(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	estateID, err := pathID(c)
	if err != nil {
		return err
	}
	in := formation.TransitionalInput{Kind: c.FormValue("kind"), Reason: c.FormValue("reason")}
	formed, err := formPastDay(c, "formed_at", h.now())
	if err == nil {
		in.FormedAt = formed
		leader := c.FormValue("leader")
		for i := range transitionalRows {
			n := strconv.Itoa(i)
			name := strings.TrimSpace(c.FormValue("name_" + n))
			if name == "" {
				continue
			}
			in.Members = append(in.Members, formation.TransitionalMemberInput{Role: rules.PrepRole(c.FormValue("role_" + n)), Name: name,
				Organisation: c.FormValue("organisation_" + n), Room: c.FormValue("room_" + n), Leader: leader == n,
				MeetsCriteria: c.FormValue("criteria_"+n) != ""})
		}
		_, err = h.Formation.FormTransitional(c.UserContext(), p, estateID, in)
	}
	return h.transitionalDone(c, p, estateID, err, "h4.flash.transitional_formed")
}

// EndTransitional ends the acting transitional body with a reason.
func (h *FormationPages) EndTransitional(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	estateID, err := pathID(c)
	if err != nil {
		return err
	}
	bodyID, err := pathParamID(c, "bid")
	if err != nil {
		return err
	}
	err = h.Formation.EndTransitional(c.UserContext(), p, bodyID, c.FormValue("reason"))
	return h.transitionalDone(c, p, estateID, err, "h4.flash.transitional_ended")
}

// RecordApplication records when the application was received and the decision taken.
func (h *FormationPages) RecordApplication(c *fiber.Ctx) error {
	return h.formationAction("", "formation.flash.saved", func(c *fiber.Ctx, p app.Principal, id int64) error {
		applied, err := formDate(c, "applied_at")
		if err != nil {
			return err
		}
		decided, err := formDate(c, "decided_at")
		if err != nil {
			return err
		}
		in := formation.ApplicationInput{DecidedAt: noonOf(decided)}
		if applied != nil {
			in.AppliedAt = *noonOf(applied)
		}
		return h.Formation.RecordApplication(c.UserContext(), p, id, in)
	})(c)
}

// noonOf is noon of a day (a date input), so the day stays the same in any zone; nil stays nil.
func noonOf(d *time.Time) *time.Time {
	if d == nil {
		return nil
	}
	t := d.Add(12 * time.Hour)
	return &t
}

// SetCoOwnerRule records the estate's co-owner counting rule.
func (h *FormationPages) SetCoOwnerRule(c *fiber.Ctx) error {
	return h.formationAction("", "formation.flash.saved", func(c *fiber.Ctx, p app.Principal, id int64) error {
		return h.Formation.SetCoOwnerRule(c.UserContext(), p, id, c.FormValue("coowner_rule"))
	})(c)
}

// DrawLot records the public lot of an alternate-place tie.
func (h *FormationPages) DrawLot(c *fiber.Ctx) error {
	return h.formationAction("cmid", "h4.flash.lot_drawn", func(c *fiber.Ctx, p app.Principal, committeeID int64) error {
		lotID, err := pathParamID(c, "lot")
		if err != nil {
			return err
		}
		at, err := formDateTime(c, "drawn_at")
		if err != nil {
			return err
		}
		_, err = h.Formation.DrawLot(c.UserContext(), p, committeeID, lotID, formation.LotInput{Seed: c.FormValue("seed"), DrawnAt: at,
			Place: c.FormValue("place"), Witnesses: c.FormValue("witnesses")})
		return err
	})(c)
}
