package web

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/roster"
	"gongzhi/handlers/httpx"
	"gongzhi/models"
)

// RosterPages serves the roster, register and unit-edit pages.
type RosterPages struct {
	*Handlers
	Roster *roster.Service
}

type rosterData struct {
	Estate  models.EstateWithPath
	Units   []roster.UnitRow
	Query   string
	Imports []models.RosterImport
	CanEdit bool
	Total   int
	Sources []string
}

func (h *RosterPages) rosterData(c *fiber.Ctx, p app.Principal, estateID int64) (rosterData, error) {
	e, err := h.Orgs.Estate(c.UserContext(), p, estateID)
	if err != nil {
		return rosterData{}, err
	}
	q := c.Query("q")
	units, err := h.Roster.Units(c.UserContext(), p, estateID, q)
	if err != nil {
		return rosterData{}, err
	}
	imports, err := h.Roster.Imports(c.UserContext(), p, estateID)
	if err != nil {
		return rosterData{}, err
	}
	if len(imports) > 10 {
		imports = imports[:10]
	}
	return rosterData{Estate: e, Units: units, Query: q, Imports: imports, CanEdit: roster.CanEditRoster(p),
		Total: len(units), Sources: roster.AreaSources()}, nil
}

// RosterPage lists units and owners with search, the upload form and history.
func (h *RosterPages) RosterPage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "roster", "estates", h.rosterData)
}

// rosterDone finishes a change made from the roster page (refuseOrRedirect).
func (h *RosterPages) rosterDone(c *fiber.Ctx, p app.Principal, id int64, err error, to, flash string) error {
	return refuseOrRedirect(c, h.Handlers, err, "roster", "estates", func() (rosterData, error) { return h.rosterData(c, p, id) }, to, flash)
}

// Import takes an uploaded roster file; errors re-render the page listing every bad line.
func (h *RosterPages) Import(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	var name string
	var data []byte
	up, err := httpx.FormFile(c, "file", roster.MaxFileSize)
	if err != nil {
		return err
	}
	if up != nil {
		name, data = up.Filename, up.Data
	}
	res, err := h.Roster.Import(c.UserContext(), p, id, name, data)
	msg := ""
	if err == nil {
		msg = h.Views.T(Lang(c), "roster.imported", "Units", res.Units, "Voters", res.Voters, "Area", res.TotalArea.String())
		for _, n := range res.Notices { // e.g. committee members no longer listed as owners (issue 12)
			msg += " " + n
		}
	}
	return h.rosterDone(c, p, id, err, fmt.Sprintf("/estates/%d/roster", id), msg)
}

// Export downloads the masked roster as XLSX.
func (h *RosterPages) Export(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := h.Roster.Export(c.UserContext(), p, id, &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="roster-%d.xlsx"`, id))
	return c.Send(buf.Bytes())
}

type registerData struct {
	Estate models.EstateWithPath
	Snap   roster.Snapshot
	Voters []roster.SnapshotVoter
	Query  string
	Total  string
}

// RegisterPage shows the voter register with totals and a room/name search.
func (h *RosterPages) RegisterPage(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	e, err := h.Orgs.Estate(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	snap, err := h.Roster.Register(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	q := c.Query("q")
	var voters []roster.SnapshotVoter
	for _, v := range snap.Voters {
		if roster.MatchVoter(v, q) {
			voters = append(voters, v)
		}
	}
	d := registerData{Estate: e, Snap: snap, Voters: voters, Query: q, Total: snap.Register.TotalArea.String()}
	return h.Render(c, "register", h.page(c, "estates", d))
}

// UpdateUnit saves a unit correction from the roster page.
func (h *RosterPages) UpdateUnit(c *fiber.Ctx) error {
	p, id, unitID, err := principalAndIDs(c, "unit")
	if err != nil {
		return err
	}
	in := roster.UnitEdit{Area: c.FormValue("area"), AreaSource: c.FormValue("area_source"),
		Delivered: c.FormValue("delivered") == "1", Parking: c.FormValue("parking") == "1"}
	err = h.Roster.UpdateUnit(c.UserContext(), p, id, unitID, in)
	return h.rosterDone(c, p, id, err, fmt.Sprintf("/estates/%d/roster", id), h.Views.T(Lang(c), "roster.saved"))
}

// UpdateOwner saves an owner correction from the roster page.
func (h *RosterPages) UpdateOwner(c *fiber.Ctx) error {
	p, id, ownerID, err := principalAndIDs(c, "owner")
	if err != nil {
		return err
	}
	err = h.Roster.UpdateOwner(c.UserContext(), p, id, ownerID, roster.OwnerEdit{Name: c.FormValue("name"), Phone: c.FormValue("phone")})
	return h.rosterDone(c, p, id, err, fmt.Sprintf("/estates/%d/roster", id), h.Views.T(Lang(c), "roster.saved"))
}

// SetRepresentative picks the co-owner who casts a unit's vote.
func (h *RosterPages) SetRepresentative(c *fiber.Ctx) error {
	p, id, unitID, err := principalAndIDs(c, "unit")
	if err != nil {
		return err
	}
	if err := h.Roster.SetRepresentative(c.UserContext(), p, id, unitID, formInt(c, "owner_id")); err != nil {
		return err
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/estates/%d/roster?q=", id), h.Views.T(Lang(c), "roster.saved"))
}
