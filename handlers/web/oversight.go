package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/committee"
)

// OversightPages are committee oversight (seed 003 §(六)): the owner representatives'
// ratings, the street office's rectification orders with their outcome, and the
// revocation of a decision the committee refused to rectify.
type OversightPages struct {
	*Handlers
	Committee *committee.Service
}

// ovPageData is the oversight page's data.
type ovPageData struct {
	EstateID int64
	View     committee.OversightView
	Form     map[string]string
}

func (h *OversightPages) data(c *fiber.Ctx, p app.Principal, estateID int64) (ovPageData, error) {
	v, err := h.Committee.EstateOversight(c.UserContext(), p, estateID)
	if err != nil {
		return ovPageData{}, err
	}
	return ovPageData{EstateID: estateID, View: v, Form: formEcho(c)}, nil
}

// Page shows the oversight record of an estate's committee.
func (h *OversightPages) Page(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "committee_oversight", "estates", h.data)
}

// action runs one change posted from the oversight page and returns to it.
func (h *OversightPages) action(flash string, do func(c *fiber.Ctx, p app.Principal, v committee.OversightView) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, estateID, err := principalAndID(c)
		if err != nil {
			return err
		}
		d, err := h.data(c, p, estateID)
		if err != nil {
			return err
		}
		err = do(c, p, d.View)
		return refuseOrRedirect(c, h.Handlers, err, "committee_oversight", "estates", func() (ovPageData, error) { return h.data(c, p, estateID) },
			fmt.Sprintf("/estates/%d/committee-oversight", estateID), h.Views.T(Lang(c), flash))
	}
}

// Rate records a rating from the page.
func (h *OversightPages) Rate(c *fiber.Ctx) error {
	return h.action("oversight.flash.rated", func(c *fiber.Ctx, p app.Principal, v committee.OversightView) error {
		in := committee.RatingInput{Period: c.FormValue("period"), RatedOn: c.FormValue("rated_on"), Summary: c.FormValue("summary")}
		for _, f := range []struct {
			name string
			to   *int
		}{{"raters", &in.Raters}, {"satisfied", &in.Satisfied}, {"basic", &in.Basic}, {"dissatisfied", &in.Dissatisfied}} {
			n, ok := wholeNumber(c.FormValue(f.name))
			if !ok {
				return app.Invalid(f.name, app.M("err.web.a_count_must_be_a_whole_number"))
			}
			*f.to = n
		}
		_, err := h.Committee.RecordRating(c.UserContext(), p, v.CommitteeID, in)
		return err
	})(c)
}

// Order records a rectification order from the page; the decision is chosen as
// "minutes:number".
func (h *OversightPages) Order(c *fiber.Ctx) error {
	return h.action("oversight.flash.ordered", func(c *fiber.Ctx, p app.Principal, v committee.OversightView) error {
		in := committee.RectificationInput{Matters: c.FormValue("matters"), Basis: c.FormValue("basis"), DueOn: c.FormValue("due_on")}
		if d := c.FormValue("decision"); d != "" {
			if _, err := fmt.Sscanf(d, "%d:%d", &in.MinutesID, &in.Decision); err != nil {
				return app.Invalid("decision", app.M("err.web.choose_the_decision_from_the_list"))
			}
		}
		_, err := h.Committee.OrderRectification(c.UserContext(), p, v.CommitteeID, in)
		return err
	})(c)
}

// orderOf reads the :rid of an order of the page's committee (another's: 404).
func orderOf(c *fiber.Ctx, v committee.OversightView) (int64, error) {
	rid, err := pathParamID(c, "rid")
	if err != nil {
		return 0, err
	}
	for _, o := range v.Rectifications {
		if o.ID == rid {
			return rid, nil
		}
	}
	return 0, app.Fail(app.ENotFound, "err.web.no_such_rectification_order")
}

// Outcome records the outcome of an order from the page.
func (h *OversightPages) Outcome(c *fiber.Ctx) error {
	return h.action("oversight.flash.outcome", func(c *fiber.Ctx, p app.Principal, v committee.OversightView) error {
		rid, err := orderOf(c, v)
		if err != nil {
			return err
		}
		return h.Committee.RecordOutcome(c.UserContext(), p, rid, committee.OutcomeInput{Status: c.FormValue("status"), Outcome: c.FormValue("outcome"),
			OutcomeOn: c.FormValue("outcome_on")})
	})(c)
}

// Revoke revokes the decision of a refused order from the page.
func (h *OversightPages) Revoke(c *fiber.Ctx) error {
	return h.action("oversight.flash.revoked", func(c *fiber.Ctx, p app.Principal, v committee.OversightView) error {
		rid, err := orderOf(c, v)
		if err != nil {
			return err
		}
		_, err = h.Committee.Revoke(c.UserContext(), p, rid, committee.RevocationInput{Grounds: c.FormValue("grounds"), Basis: c.FormValue("basis")})
		return err
	})(c)
}
