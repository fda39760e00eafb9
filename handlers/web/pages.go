package web

import (
	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/auth"
	"gongzhi/app/formation"
	"gongzhi/app/orgs"
	"gongzhi/app/property"
	"gongzhi/app/rules"
	"gongzhi/models"
)

type estateRow struct {
	ID            int64
	Name          string
	CommunityName string
	ProfileName   string
	Units         int
}

func (h *Handlers) estateRows(c *fiber.Ctx, p app.Principal) ([]estateRow, int, error) {
	list, err := h.Orgs.EstateSummaries(c.UserContext(), p)
	if err != nil {
		return nil, 0, err
	}
	rows := make([]estateRow, 0, len(list))
	total := 0
	for _, e := range list {
		prof, _ := rules.ProfileByCode(e.ProfileCode)
		rows = append(rows, estateRow{ID: e.ID, Name: e.Name, CommunityName: e.CommunityName, ProfileName: prof.Name, Units: e.Units})
		total += e.Units
	}
	return rows, total, nil
}

type homeData struct {
	OrgName     string
	OrgCount    int
	Estates     []estateRow
	UnitCount   int
	RecentAudit []orgs.AuditEntry
	// FormationDue lists, for a street office, the estates due for a preparatory or re-election group.
	FormationDue []formation.FormationStatus
	// HolidayYearMissing is a year without a loaded holiday notice (from 1 December the
	// coming one), for every staff role but the auditor (calendar.Service.Warning); 0: none.
	HolidayYearMissing int
	// HolidayMayLoad: the principal loads it (/holiday-calendars); the others ask the administrator.
	HolidayMayLoad bool
	// ExitCases are the open exit cases of the jurisdiction, for a street office or a
	// district (issue 13): a banner links each to its evidence and the dismissal.
	ExitCases []property.ExitCaseView
}

// Home lists what the signed-in person is responsible for.
func (h *Handlers) Home(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	var d homeData
	if d.OrgName, err = h.Orgs.OrgName(ctx, p); err != nil {
		return err
	}
	tree, err := h.Orgs.Tree(ctx, p)
	if err != nil {
		return err
	}
	d.OrgCount = len(orgs.Flatten(tree))
	if d.Estates, d.UnitCount, err = h.estateRows(c, p); err != nil {
		return err
	}
	if p.Role == app.RoleStreet && h.Formation != nil {
		if d.FormationDue, err = h.Formation.EstatesDue(ctx, p); err != nil {
			return err
		}
	}
	if h.Property != nil && (p.Role == app.RoleStreet || p.Role == app.RoleDistrict) {
		cases, err := h.Property.ExitCases(ctx, p)
		if err != nil {
			return err
		}
		for _, x := range cases {
			if x.Status == "open" {
				d.ExitCases = append(d.ExitCases, x)
			}
		}
	}
	if h.Calendar != nil {
		if d.HolidayYearMissing, err = h.Calendar.Warning(ctx, p); err != nil {
			return err
		}
		d.HolidayMayLoad = h.Calendar.Permissions(p).Manage
	}
	recent, err := h.Orgs.AuditLog(ctx, p, 10)
	if err != nil {
		return err
	}
	if d.RecentAudit, err = h.Orgs.DescribeAudit(ctx, recent); err != nil {
		return err
	}
	return h.Render(c, "home", h.page(c, "home", d))
}

type auditLogData struct {
	Entries []orgs.AuditEntry
	Filter  orgs.AuditFilter
	Estates []models.EstateWithPath // the jurisdiction's, for the estate filter
	Pager   listPager
	// ExportURL downloads the filtered log as XLSX (the same query, page aside).
	ExportURL string
}

// AuditLog shows the audit trail of the person's jurisdiction, 50 entries a page,
// filtered by account, action, date range and estate, and searched (issue 16).
func (h *Handlers) AuditLog(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	f := auditFilter(c)
	estates, err := h.Orgs.ListEstates(c.UserContext(), p)
	if err != nil {
		return err
	}
	d := auditLogData{Filter: f, Estates: estates, ExportURL: "/audit.xlsx?" + exportQuery(c)}
	res, err := h.Orgs.AuditLogPage(c.UserContext(), p, f)
	if err != nil {
		if app.ErrorCode(err) != app.EInvalid {
			return err
		}
		d.Pager = pagerAt(c, 1, 1, 0, PageSize)
		return h.RenderWithError(c, "audit", h.page(c, "audit", d), err)
	}
	entries, err := h.Orgs.DescribeAudit(c.UserContext(), res.Entries)
	if err != nil {
		return err
	}
	d.Entries, d.Pager = entries, pagerAt(c, res.Page, res.Pages, int(res.Total), PageSize)
	return h.Render(c, "audit", h.page(c, "audit", d))
}

type orgForm struct {
	Name     string
	Kind     string
	ParentID int64
}

type orgsData struct {
	Nodes     []*orgs.OrgNode
	CanCreate bool
	Kinds     []string
	Form      orgForm
}

func (h *Handlers) orgsData(c *fiber.Ctx, p app.Principal, form orgForm) (orgsData, error) {
	tree, err := h.Orgs.Tree(c.UserContext(), p)
	if err != nil {
		return orgsData{}, err
	}
	d := orgsData{Nodes: orgs.Flatten(tree), Form: form, Kinds: h.Orgs.OrgKinds(p)}
	d.CanCreate = len(d.Kinds) > 0
	return d, nil
}

// OrgsPage shows the org tree with its estates.
func (h *Handlers) OrgsPage(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	d, err := h.orgsData(c, p, orgForm{})
	if err != nil {
		return err
	}
	return h.Render(c, "orgs", h.page(c, "orgs", d))
}

// CreateOrg adds an org node from the form.
func (h *Handlers) CreateOrg(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	form := orgForm{Name: c.FormValue("name"), Kind: c.FormValue("kind"), ParentID: formInt(c, "parent_id")}
	_, err = h.Orgs.CreateOrg(c.UserContext(), p, orgs.NewOrg{Name: form.Name, Kind: form.Kind, ParentID: form.ParentID})
	return refuseOrRedirect(c, h, err, "orgs", "orgs", func() (orgsData, error) { return h.orgsData(c, p, form) },
		"/orgs", h.Views.T(Lang(c), "common.created"))
}

type estateForm struct {
	Name, Address, ProfileCode string
	CommunityID                int64
}

type estatesData struct {
	Estates     []estateRow
	CanCreate   bool
	Communities []*orgs.OrgNode
	Profiles    []rules.JurisdictionProfile
	Form        estateForm
}

func (h *Handlers) estatesData(c *fiber.Ctx, p app.Principal, form estateForm) (estatesData, error) {
	rows, _, err := h.estateRows(c, p)
	if err != nil {
		return estatesData{}, err
	}
	d := estatesData{Estates: rows, Profiles: rules.Profiles(), Form: form}
	if form.ProfileCode == "" {
		d.Form.ProfileCode = rules.DefaultProfileCode
	}
	if h.Orgs.Permissions(p).CreateEstates {
		tree, err := h.Orgs.Tree(c.UserContext(), p)
		if err != nil {
			return d, err
		}
		for _, n := range orgs.Flatten(tree) {
			if n.Kind == models.OrgCommunity {
				d.Communities = append(d.Communities, n)
			}
		}
		d.CanCreate = len(d.Communities) > 0
	}
	return d, nil
}

// EstatesPage lists the estates the person may see.
func (h *Handlers) EstatesPage(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	d, err := h.estatesData(c, p, estateForm{})
	if err != nil {
		return err
	}
	return h.Render(c, "estates", h.page(c, "estates", d))
}

// CreateEstate adds an estate from the form.
func (h *Handlers) CreateEstate(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	form := estateForm{Name: c.FormValue("name"), Address: c.FormValue("address"), ProfileCode: c.FormValue("jurisdiction_profile"),
		CommunityID: formInt(c, "community_id")}
	id, err := h.Orgs.CreateEstate(c.UserContext(), p, orgs.NewEstate{Name: form.Name, CommunityID: form.CommunityID,
		ProfileCode: form.ProfileCode, Address: form.Address})
	return refuseOrRedirect(c, h, err, "estates", "estates", func() (estatesData, error) { return h.estatesData(c, p, form) },
		"/estates/"+itoa(id), h.Views.T(Lang(c), "common.created"))
}

type estateData struct {
	Estate    models.EstateWithPath
	Profile   rules.JurisdictionProfile
	Units     int
	TotalArea string
}

// EstatePage shows one estate in the person's jurisdiction.
func (h *Handlers) EstatePage(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	e, err := h.Orgs.EstateSummary(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	prof, _ := rules.ProfileByCode(e.ProfileCode)
	d := estateData{Estate: e.EstateWithPath, Profile: prof, Units: e.Units, TotalArea: e.TotalArea.String()}
	return h.Render(c, "estate", h.page(c, "estates", d))
}

type userForm struct {
	Username, DisplayName, Role string
	OrgID, EstateID             int64
}

// userRow is a listed account and whether the viewer may reset, disable or enable it.
type userRow struct {
	models.UserWithOrg
	CanManage bool
}

type usersData struct {
	Users   []userRow
	Roles   []app.Role
	Orgs    []*orgs.OrgNode
	Estates []models.EstateWithPath
	Form    userForm
}

func (h *Handlers) usersData(c *fiber.Ctx, p app.Principal, form userForm) (usersData, error) {
	ctx := c.UserContext()
	list, err := h.Auth.ListUsers(ctx, p)
	if err != nil {
		return usersData{}, err
	}
	tree, err := h.Orgs.Tree(ctx, p)
	if err != nil {
		return usersData{}, err
	}
	estates, err := h.Orgs.ListEstates(ctx, p)
	if err != nil {
		return usersData{}, err
	}
	d := usersData{Orgs: orgs.Flatten(tree), Estates: estates, Form: form}
	for _, u := range list {
		d.Users = append(d.Users, userRow{UserWithOrg: u, CanManage: auth.CanManage(p, u)})
	}
	for _, r := range app.Roles() {
		if auth.CanCreateRole(p, r) {
			d.Roles = append(d.Roles, r)
		}
	}
	return d, nil
}

// UsersPage lists and creates accounts (admin, district, street and community staff).
func (h *Handlers) UsersPage(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	d, err := h.usersData(c, p, userForm{})
	if err != nil {
		return err
	}
	return h.Render(c, "users", h.page(c, "users", d))
}

// CreateUser adds an account from the form.
func (h *Handlers) CreateUser(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	form := userForm{Username: c.FormValue("username"), DisplayName: c.FormValue("display_name"), Role: c.FormValue("role"),
		OrgID: formInt(c, "org_id"), EstateID: formInt(c, "estate_id")}
	_, err = h.Auth.CreateUser(c.UserContext(), p, auth.NewUser{Username: form.Username, Password: c.FormValue("password"),
		DisplayName: form.DisplayName, Role: app.Role(form.Role), OrgID: form.OrgID, EstateID: form.EstateID})
	return refuseOrRedirect(c, h, err, "users", "users", func() (usersData, error) { return h.usersData(c, p, form) },
		"/users", h.Views.T(Lang(c), "users.created"))
}

// SetUserDisabled disables or enables an account.
func (h *Handlers) SetUserDisabled(disabled bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, id, err := principalAndID(c)
		if err != nil {
			return err
		}
		if err := h.Auth.SetDisabled(c.UserContext(), p, id, disabled); err != nil {
			return err
		}
		return h.RedirectWithFlash(c, "/users", h.Views.T(Lang(c), "users.updated"))
	}
}

// ResetUserPassword sets a new password for an account.
func (h *Handlers) ResetUserPassword(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	err = h.Auth.ResetPassword(c.UserContext(), p, id, c.FormValue("password"))
	return refuseOrRedirect(c, h, err, "users", "users", func() (usersData, error) { return h.usersData(c, p, userForm{}) },
		"/users", h.Views.T(Lang(c), "users.updated"))
}
