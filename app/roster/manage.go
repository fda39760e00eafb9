package roster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/pii"
	"gongzhi/app/rosterfile"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// OwnerRow is an owner of a unit as staff see it: personal data masked.
type OwnerRow struct {
	OwnerID        int64
	Kind           string
	Name           string
	IDMasked       string
	PhoneMasked    string
	Representative bool
	GuardianName   string
}

// UnitRow is a unit with its owners.
type UnitRow struct {
	models.Unit
	BuildingName string
	AreaText     string
	Owners       []OwnerRow
}

type unitListRow struct {
	models.Unit
	BuildingName   string
	OwnerID        *int64
	OwnerKind      *string
	OwnerName      *string
	IDMasked       *string
	PhoneMasked    *string
	Representative *bool
	GuardianName   *string
}

// Units lists the estate's units with their owners in building/room order,
// optionally filtered by a room (prefix of the room key), a building's name or an
// owner's name (substring).
func (s *Service) Units(ctx context.Context, p app.Principal, estateID int64, query string) ([]UnitRow, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return nil, err
	}
	out, err := s.unitRows(ctx, estateID, 0)
	if err != nil {
		return nil, err
	}
	query = strings.TrimSpace(query)
	if query == "" {
		return out, nil
	}
	filtered := out[:0]
	for _, u := range out {
		if matchUnit(u, query) {
			filtered = append(filtered, u)
		}
	}
	return filtered, nil
}

// Unit is one unit of the estate with its owners (personal data masked), for its
// edit page; a unit of another estate is not found.
func (s *Service) Unit(ctx context.Context, p app.Principal, estateID, unitID int64) (UnitRow, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return UnitRow{}, err
	}
	rows, err := s.unitRows(ctx, estateID, unitID)
	if err != nil {
		return UnitRow{}, err
	}
	if len(rows) != 1 {
		return UnitRow{}, app.Fail(app.ENotFound, "err.roster.no_such_unit")
	}
	return rows[0], nil
}

// unitRows reads the estate's units (or the one unitID, if not 0) with their
// owners, in building/room order.
func (s *Service) unitRows(ctx context.Context, estateID, unitID int64) ([]UnitRow, error) {
	var rows []unitListRow
	q := s.db.WithContext(ctx).Table("units")
	if unitID != 0 {
		q = q.Where("units.id = ?", unitID)
	}
	err := q.
		Select(`units.*, buildings.name AS building_name, owners.id AS owner_id, owners.kind AS owner_kind, owners.name AS owner_name,
			owners.id_masked, owners.phone_masked, ownerships.representative, ownerships.guardian_name`).
		Joins("JOIN buildings ON buildings.id = units.building_id").
		Joins("LEFT JOIN ownerships ON ownerships.unit_id = units.id").
		Joins("LEFT JOIN owners ON owners.id = ownerships.owner_id").
		Where("units.estate_id = ?", estateID).Order("units.id, owners.id").Scan(&rows).Error
	if err != nil {
		return nil, app.Internal(fmt.Errorf("listing units: %w", err))
	}
	var out []UnitRow
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.ID {
			out = append(out, UnitRow{Unit: r.Unit, BuildingName: r.BuildingName, AreaText: rules.Area(r.Area).String()})
		}
		if r.OwnerID != nil {
			u := &out[len(out)-1]
			u.Owners = append(u.Owners, OwnerRow{OwnerID: *r.OwnerID, Kind: deref(r.OwnerKind), Name: deref(r.OwnerName),
				IDMasked: deref(r.IDMasked), PhoneMasked: deref(r.PhoneMasked), Representative: deref(r.Representative), GuardianName: deref(r.GuardianName)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return rules.CompareRooms(out[i].RoomKey, out[j].RoomKey) < 0 })
	return out, nil
}

// matchUnit: a room (prefix of the room key, so "2-" is building 2), a building's
// name, or part of an owner's name as staff see it. Never the ID number or the
// identity check: those are stored only hashed and masked.
func matchUnit(u UnitRow, q string) bool {
	if strings.HasPrefix(u.RoomKey, q) || u.BuildingName == q {
		return true
	}
	for _, o := range u.Owners {
		if strings.Contains(o.Name, q) {
			return true
		}
	}
	return false
}

// MatchVoter tells whether a register voter matches a room prefix or a name.
func MatchVoter(v SnapshotVoter, q string) bool {
	q = strings.TrimSpace(q)
	if q == "" {
		return true
	}
	for _, r := range v.Rooms {
		if strings.HasPrefix(r, q) {
			return true
		}
	}
	for _, n := range v.OwnerNames {
		if strings.Contains(n, q) {
			return true
		}
	}
	return false
}

// Imports lists the estate's roster imports, newest first.
func (s *Service) Imports(ctx context.Context, p app.Principal, estateID int64) ([]models.RosterImport, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return nil, err
	}
	var list []models.RosterImport
	if err := s.db.WithContext(ctx).Where("estate_id = ?", estateID).Order("created_at DESC, id DESC").Find(&list).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("listing imports: %w", err))
	}
	return list, nil
}

// Export writes the estate's roster as XLSX with ID numbers and phones masked.
func (s *Service) Export(ctx context.Context, p app.Principal, estateID int64, w io.Writer) error {
	units, err := s.Units(ctx, p, estateID, "")
	if err != nil {
		return err
	}
	var rows []rosterfile.ExportRow
	for _, u := range units {
		for _, o := range u.Owners {
			rows = append(rows, rosterfile.ExportRow{Building: u.BuildingName, Unit: u.UnitNo, Room: u.Room, Area: u.AreaText,
				AreaSource: SourceLabel(u.AreaSource), OwnerName: o.Name, IDMasked: o.IDMasked, PhoneMasked: o.PhoneMasked,
				OwnerKind: KindLabel(o.Kind), Representative: yesNo(o.Representative)})
		}
	}
	if err := rosterfile.WriteXLSX(w, rows); err != nil {
		return app.Internal(fmt.Errorf("writing roster export: %w", err))
	}
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		return audit.Record(ctx, tx, p, audit.Entry{Action: "roster.export", TargetType: "estate", TargetID: estateID, EstateID: estateID,
			Detail: map[string]any{"rows": len(rows)}})
	})
}

// AreaSources are the sources a unit's area may come from, in order of preference.
func AreaSources() []string {
	return []string{rosterfile.AreaRegistered, rosterfile.AreaSurveyed, rosterfile.AreaContract}
}

// SourceLabel is the Chinese name of an area source.
func SourceLabel(s string) string {
	switch s {
	case "registered":
		return "登记"
	case "surveyed":
		return "实测"
	case "contract":
		return "合同"
	}
	return s
}

// KindLabel is the Chinese name of an owner kind.
func KindLabel(k string) string {
	switch k {
	case "person":
		return "个人"
	case "org":
		return "单位"
	case "developer":
		return "建设单位"
	}
	return k
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// UnitEdit is a staff correction of one unit.
type UnitEdit struct {
	Area       string // "89.37"
	AreaSource string
	Delivered  bool
	Parking    bool
}

func (s *Service) unitInEstate(ctx context.Context, tx *gorm.DB, estateID, unitID int64) (models.Unit, error) {
	var u models.Unit
	err := tx.WithContext(ctx).Where("id = ? AND estate_id = ?", unitID, estateID).First(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, app.Errorf(app.ENotFound, "房屋不存在")
	}
	if err != nil {
		return u, app.Internal(err)
	}
	return u, nil
}

// UpdateUnit corrects a unit's area, its source, delivery and parking flags, audited
// with the old and new values. Open votes keep their frozen register.
func (s *Service) UpdateUnit(ctx context.Context, p app.Principal, estateID, unitID int64, in UnitEdit) error {
	e, err := s.estateForRosterChange(ctx, p, estateID)
	if err != nil {
		return err
	}
	area, err := rules.ParseArea(in.Area)
	if err != nil || area <= 0 {
		return app.Invalid("area", "面积须大于 0，最多两位小数")
	}
	if !slices.Contains(AreaSources(), in.AreaSource) {
		return app.Invalid("area_source", "面积来源须为 registered（登记）、surveyed（实测）或 contract（合同）")
	}
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		u, err := s.unitInEstate(ctx, tx, estateID, unitID)
		if err != nil {
			return err
		}
		if err := tx.Model(&models.Unit{}).Where("id = ?", u.ID).Select("area", "area_source", "delivered", "parking", "updated_at").
			Updates(map[string]any{"area": int64(area), "area_source": in.AreaSource, "delivered": in.Delivered, "parking": in.Parking,
				"updated_at": s.clock.Now()}).Error; err != nil {
			return fmt.Errorf("updating unit: %w", err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "roster.unit.update", TargetType: "unit", TargetID: u.ID, OrgID: e.CommunityID, EstateID: estateID,
			Detail: map[string]any{"room": u.RoomKey,
				"before": map[string]any{"area": rules.Area(u.Area).String(), "area_source": u.AreaSource, "delivered": u.Delivered, "parking": u.Parking},
				"after":  map[string]any{"area": area.String(), "area_source": in.AreaSource, "delivered": in.Delivered, "parking": in.Parking}}})
	}))
}

// OwnerEdit is a staff correction of one owner's name or phone (ID numbers are
// corrected by re-importing the roster, so their hash stays consistent).
type OwnerEdit struct {
	Name  string
	Phone string // empty keeps the current phone; "-" clears it
}

// UpdateOwner corrects an owner's name or phone, audited (the phone only masked).
func (s *Service) UpdateOwner(ctx context.Context, p app.Principal, estateID, ownerID int64, in OwnerEdit) error {
	e, err := s.estateForRosterChange(ctx, p, estateID)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(in.Name)
	// The roster file's cap (rosterfile.MaxNameRunes): the name is printed on every
	// page and notice that lists the owner.
	if n := utf8.RuneCountInString(name); n == 0 || n > rosterfile.MaxNameRunes {
		return app.Invalid("name", fmt.Sprintf("业主姓名须为 1 到 %d 个字符", rosterfile.MaxNameRunes))
	}
	updates := map[string]any{"name": name, "updated_at": s.clock.Now()}
	phone := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(in.Phone))
	switch {
	case in.Phone == "-":
		updates["phone_enc"], updates["phone_masked"] = "", ""
	case phone != "":
		if len(phone) != 11 || phone[0] != '1' || phone[1] < '3' || strings.Trim(phone, "0123456789") != "" {
			return app.Invalid("phone", "手机号须为 11 位大陆手机号码")
		}
		enc, err := s.pii.Encrypt(phone)
		if err != nil {
			return app.Internal(err)
		}
		updates["phone_enc"], updates["phone_masked"] = enc, pii.MaskPhone(phone)
	}
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var o models.Owner
		err := tx.Where("id = ? AND estate_id = ?", ownerID, estateID).First(&o).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return app.Errorf(app.ENotFound, "业主不存在")
		}
		if err != nil {
			return fmt.Errorf("reading owner: %w", err)
		}
		if err := tx.Model(&models.Owner{}).Where("id = ?", o.ID).Updates(updates).Error; err != nil {
			return fmt.Errorf("updating owner: %w", err)
		}
		detail := map[string]any{"before": map[string]any{"name": o.Name, "phone": o.PhoneMasked}, "after": map[string]any{"name": name}}
		if v, ok := updates["phone_masked"]; ok {
			detail["after"].(map[string]any)["phone"] = v
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "roster.owner.update", TargetType: "owner", TargetID: o.ID, OrgID: e.CommunityID, EstateID: estateID, Detail: detail})
	}))
}

// SetRepresentative makes one co-owner the unit's representative (C3), audited.
func (s *Service) SetRepresentative(ctx context.Context, p app.Principal, estateID, unitID, ownerID int64) error {
	e, err := s.estateForRosterChange(ctx, p, estateID)
	if err != nil {
		return err
	}
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		u, err := s.unitInEstate(ctx, tx, estateID, unitID)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&models.Ownership{}).Where("unit_id = ? AND owner_id = ?", u.ID, ownerID).Count(&n).Error; err != nil {
			return fmt.Errorf("reading ownership: %w", err)
		}
		if n == 0 {
			return app.Invalid("owner_id", "该业主不是这套房屋的业主")
		}
		if err := tx.Model(&models.Ownership{}).Where("unit_id = ?", u.ID).Update("representative", false).Error; err != nil {
			return fmt.Errorf("clearing representative: %w", err)
		}
		if err := tx.Model(&models.Ownership{}).Where("unit_id = ? AND owner_id = ?", u.ID, ownerID).Update("representative", true).Error; err != nil {
			return fmt.Errorf("setting representative: %w", err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "roster.representative.set", TargetType: "unit", TargetID: u.ID, OrgID: e.CommunityID, EstateID: estateID,
			Detail: map[string]any{"room": u.RoomKey, "owner_id": ownerID}})
	}))
}
