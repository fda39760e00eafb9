package api

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/roster"
	"gongzhi/app/rules"
	"gongzhi/handlers/httpx"
)

// RosterHandlers serves the roster and register endpoints.
type RosterHandlers struct {
	Roster   *roster.Service
	Validate *httpx.Validator
}

// ReadUpload reads the multipart field "file" into memory, at most max+1 bytes (the
// service refuses a file past max by name); the route's body limit and the reading
// after sign-in and the role check are httpx's (body.go).
func ReadUpload(c *fiber.Ctx, field string, max int) (string, []byte, error) {
	up, err := httpx.FormFile(c, field, max)
	if err != nil {
		return "", nil, err
	}
	if up == nil {
		return "", nil, app.Invalid(field, "请以 multipart/form-data 上传字段 "+field+" / upload the file in multipart field "+field)
	}
	return up.Filename, up.Data, nil
}

// Import replaces the estate's roster with an uploaded CSV or XLSX file.
func (h *RosterHandlers) Import(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	name, data, err := ReadUpload(c, "file", roster.MaxFileSize)
	if err != nil {
		return err
	}
	res, err := h.Roster.Import(httpx.Ctx(c), httpx.MustPrincipal(c), id, name, data)
	if err != nil {
		return err
	}
	out := fiber.Map{"units": res.Units, "voters": res.Voters, "total_area": res.TotalArea.String(),
		"total_headcount": res.TotalHeadcount, "rows": res.Rows, "import_id": res.ImportID}
	if len(res.Notices) > 0 {
		out["notices"] = res.Notices
	}
	return c.JSON(out)
}

type voterJSON struct {
	ID        int      `json:"id"`
	Key       string   `json:"key"`
	Rooms     []string `json:"rooms"`
	Area      string   `json:"area"`
	Developer bool     `json:"developer"`
}

// Register returns the estate's voter register computed by the counting rules.
func (h *RosterHandlers) Register(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	snap, err := h.Roster.Register(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	voters := make([]voterJSON, 0, len(snap.Voters))
	for i, v := range snap.Voters {
		voters = append(voters, voterJSON{ID: i + 1, Key: v.Key, Rooms: v.Rooms, Area: v.Area.String(), Developer: v.Developer})
	}
	return c.JSON(fiber.Map{"total_area": snap.Register.TotalArea.String(), "total_headcount": snap.Register.TotalHeadcount,
		"coowner_rule": snap.Register.Rule, "jurisdiction_profile": snap.ProfileCode, "voters": voters})
}

type ownerJSON struct {
	ID             int64  `json:"id"`
	Kind           string `json:"kind"`
	Name           string `json:"name"`
	IDNumber       string `json:"id_number_masked"`
	Phone          string `json:"phone_masked"`
	Representative bool   `json:"representative"`
}

type unitJSON struct {
	ID         int64       `json:"id"`
	Room       string      `json:"room"`
	Building   string      `json:"building"`
	Area       string      `json:"area"`
	AreaSource string      `json:"area_source"`
	Delivered  bool        `json:"delivered"`
	Parking    bool        `json:"parking"`
	Owners     []ownerJSON `json:"owners"`
}

// Units lists the estate's units with owners (masked), filtered by ?q= room or name.
func (h *RosterHandlers) Units(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	units, err := h.Roster.Units(httpx.Ctx(c), httpx.MustPrincipal(c), id, c.Query("q"))
	if err != nil {
		return err
	}
	out := make([]unitJSON, 0, len(units))
	for _, u := range units {
		j := unitJSON{ID: u.ID, Room: u.RoomKey, Building: u.BuildingName, Area: u.AreaText, AreaSource: u.AreaSource,
			Delivered: u.Delivered, Parking: u.Parking, Owners: []ownerJSON{}}
		for _, o := range u.Owners {
			j.Owners = append(j.Owners, ownerJSON{ID: o.OwnerID, Kind: o.Kind, Name: o.Name, IDNumber: o.IDMasked, Phone: o.PhoneMasked, Representative: o.Representative})
		}
		out = append(out, j)
	}
	return c.JSON(out)
}

// Export downloads the roster as XLSX with personal data masked.
func (h *RosterHandlers) Export(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := h.Roster.Export(httpx.Ctx(c), httpx.MustPrincipal(c), id, &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="roster-%d.xlsx"`, id))
	return c.Send(buf.Bytes())
}

type unitEditRequest struct {
	Area       string `json:"area" validate:"required"`
	AreaSource string `json:"area_source" validate:"required,oneof=registered surveyed contract"`
	Delivered  *bool  `json:"delivered" validate:"required"`
	Parking    *bool  `json:"parking" validate:"required"`
}

// UpdateUnit corrects one unit.
func (h *RosterHandlers) UpdateUnit(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	unitID, err := PathID(c, "unit")
	if err != nil {
		return err
	}
	var req unitEditRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if _, err := rules.ParseArea(req.Area); err != nil {
		return app.Invalid("area", app.M("err.api.area_must_be_0_with_at_most_two_decimals"))
	}
	err = h.Roster.UpdateUnit(httpx.Ctx(c), httpx.MustPrincipal(c), id, unitID, roster.UnitEdit{Area: req.Area, AreaSource: req.AreaSource,
		Delivered: *req.Delivered, Parking: *req.Parking})
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type ownerEditRequest struct {
	Name  string `json:"name" validate:"required,max=64"` // rosterfile.MaxNameRunes
	Phone string `json:"phone" validate:"max=20"`
}

// UpdateOwner corrects one owner's name or phone.
func (h *RosterHandlers) UpdateOwner(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	ownerID, err := PathID(c, "owner")
	if err != nil {
		return err
	}
	var req ownerEditRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Roster.UpdateOwner(httpx.Ctx(c), httpx.MustPrincipal(c), id, ownerID, roster.OwnerEdit{Name: req.Name, Phone: req.Phone}); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// Imports lists who imported which roster file when.
func (h *RosterHandlers) Imports(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Roster.Imports(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	out := make([]fiber.Map, 0, len(list))
	for _, im := range list {
		out = append(out, fiber.Map{"id": im.ID, "filename": im.Filename, "sha256": im.FileSHA256, "rows": im.RowsCount,
			"units": im.UnitsCount, "voters": im.VotersCount, "total_area": rules.Area(im.TotalArea).String(),
			"user_id": im.UserID, "created_at": im.CreatedAt})
	}
	return c.JSON(out)
}
