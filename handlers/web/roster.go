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
	Units   []roster.UnitRow // one page of them
	Pager   listPager
	Query   string
	Imports []models.RosterImport
	CanEdit bool
	Total   int
	Sources []string
	Job     *roster.ImportJob // the latest background import of this estate, if any
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
	pg := paginate(c, len(units))
	job, err := h.Roster.LatestJob(c.UserContext(), p, estateID)
	if err != nil {
		return rosterData{}, err
	}
	return rosterData{Estate: e, Units: window(units, pg), Pager: pg, Query: q, Imports: imports, CanEdit: roster.CanEditRoster(p),
		Total: len(units), Sources: roster.AreaSources(), Job: job}, nil
}

type unitData struct {
	Estate  models.EstateWithPath
	Unit    roster.UnitRow
	CanEdit bool
	Sources []string
}

func (h *RosterPages) unitData(c *fiber.Ctx, p app.Principal, estateID, unitID int64) (unitData, error) {
	e, err := h.Orgs.Estate(c.UserContext(), p, estateID)
	if err != nil {
		return unitData{}, err
	}
	u, err := h.Roster.Unit(c.UserContext(), p, estateID, unitID)
	if err != nil {
		return unitData{}, err
	}
	return unitData{Estate: e, Unit: u, CanEdit: roster.CanEditRoster(p), Sources: roster.AreaSources()}, nil
}

// UnitPage shows one unit with its owners and, to those who may edit the roster,
// the forms correcting it (the roster list itself carries no forms).
func (h *RosterPages) UnitPage(c *fiber.Ctx) error {
	p, id, unitID, err := principalAndIDs(c, "unit")
	if err != nil {
		return err
	}
	d, err := h.unitData(c, p, id, unitID)
	if err != nil {
		return err
	}
	return h.Render(c, "roster_unit", h.page(c, "estates", d))
}

// unitDone finishes a change made from a unit's page: back to it, or the page again
// with the error.
func (h *RosterPages) unitDone(c *fiber.Ctx, p app.Principal, id, unitID int64, err error) error {
	return refuseOrRedirect(c, h.Handlers, err, "roster_unit", "estates", func() (unitData, error) { return h.unitData(c, p, id, unitID) },
		fmt.Sprintf("/estates/%d/units/%d", id, unitID), h.Views.T(Lang(c), "roster.saved"))
}

// RosterPage lists units and owners with search, the upload form and history.
func (h *RosterPages) RosterPage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "roster", "estates", h.rosterData)
}

// rosterDone finishes a change made from the roster page (refuseOrRedirect).
func (h *RosterPages) rosterDone(c *fiber.Ctx, p app.Principal, id int64, err error, to, flash string) error {
	return refuseOrRedirect(c, h.Handlers, err, "roster", "estates", func() (rosterData, error) { return h.rosterData(c, p, id) }, to, flash)
}

// Import takes an uploaded roster file and starts importing it in the background
// (roster.Service.StartImport); the answer is the import's progress page. A
// refusal before the file is read (no right, empty, too large, an import already
// running) re-renders the roster page with it.
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
	job, err := h.Roster.StartImport(httpx.Ctx(c), p, id, name, data)
	if err != nil {
		return h.rosterDone(c, p, id, err, "", "")
	}
	return c.Redirect(fmt.Sprintf("/estates/%d/roster/imports/%s", id, job.ID), fiber.StatusSeeOther)
}

type importJobData struct {
	Estate  models.EstateWithPath
	Job     roster.ImportJob
	Summary string // the imported roster in one sentence, once done
}

// ImportPage shows a background import's progress (rows checked, rows written),
// refreshing itself every two seconds while it runs (a meta refresh: no script),
// then its result or every bad line of the file. It changes nothing.
func (h *RosterPages) ImportPage(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	e, err := h.Orgs.Estate(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	job, err := h.Roster.Job(c.UserContext(), p, id, c.Params("job"))
	if err != nil {
		return err
	}
	d := importJobData{Estate: e, Job: job}
	pg := h.page(c, "estates", &d)
	switch job.State {
	case roster.JobDone:
		res := job.Result
		d.Summary = h.Views.T(Lang(c), "roster.imported", "Units", res.Units, "Voters", res.Voters, "Area", res.TotalArea.String())
		for _, n := range res.Notices { // e.g. committee members no longer listed as owners (issue 12)
			d.Summary += " " + n
		}
	case roster.JobFailed: // shown as any refused form is: the message and every bad line
		ae := httpx.AppError(job.Err)
		pg.Error, pg.ErrorDetails = httpx.Localize(ae, h.Views.Translator(Lang(c)))
		if ae.Code == app.EInternal { // its cause is logged, never shown
			pg.Error, pg.ErrorDetails = h.Views.T(Lang(c), "error.internal"), nil
		}
	}
	return h.Render(c, "roster_import", pg)
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
	return h.unitDone(c, p, id, unitID, err)
}

// UpdateOwner saves an owner correction from the roster page.
func (h *RosterPages) UpdateOwner(c *fiber.Ctx) error {
	p, id, ownerID, err := principalAndIDs(c, "owner")
	if err != nil {
		return err
	}
	err = h.Roster.UpdateOwner(c.UserContext(), p, id, ownerID, roster.OwnerEdit{Name: c.FormValue("name"), Phone: c.FormValue("phone")})
	if unitID := formInt(c, "unit"); unitID > 0 { // posted from the unit's page
		return h.unitDone(c, p, id, unitID, err)
	}
	return h.rosterDone(c, p, id, err, fmt.Sprintf("/estates/%d/roster", id), h.Views.T(Lang(c), "roster.saved"))
}

// SetRepresentative picks the co-owner who casts a unit's vote.
func (h *RosterPages) SetRepresentative(c *fiber.Ctx) error {
	p, id, unitID, err := principalAndIDs(c, "unit")
	if err != nil {
		return err
	}
	err = h.Roster.SetRepresentative(c.UserContext(), p, id, unitID, formInt(c, "owner_id"))
	if app.ErrorCode(err) == app.ENotFound {
		return err
	}
	return h.unitDone(c, p, id, unitID, err)
}
