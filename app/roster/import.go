package roster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/pii"
	"gongzhi/app/rosterfile"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// ImportResult summarises an imported roster (API.md: units, voters, total_area,
// total_headcount).
type ImportResult struct {
	ImportID       int64
	Rows           int
	Units          int
	Voters         int
	TotalArea      rules.Area
	TotalHeadcount int
	// Notices are what the import observer (SetImportObserver) found after the import,
	// e.g. committee members the new roster no longer lists as owners (issue 12).
	Notices []string
}

// MaxFileSize bounds an uploaded roster file.
const MaxFileSize = 64 << 20

// Import validates a roster file whole and, if it has no error, replaces the
// estate's roster with it in one transaction, recording who imported which file.
// Any bad row → an invalid error listing every bad line and column; nothing changes.
// Votes already opened keep their frozen register (see Snapshot).
func (s *Service) Import(ctx context.Context, p app.Principal, estateID int64, filename string, data []byte) (ImportResult, error) {
	e, err := s.estateForRosterChange(ctx, p, estateID)
	if err != nil {
		return ImportResult{}, err
	}
	filename, err = checkUpload(filename, data)
	if err != nil {
		return ImportResult{}, err
	}
	return s.importRoster(ctx, p, e, filename, data, nil)
}

// checkUpload refuses an empty or oversized file before anything is read; it
// returns the file's base name.
func checkUpload(filename string, data []byte) (string, error) {
	filename = filepath.Base(strings.TrimSpace(filename))
	if len(data) == 0 {
		return filename, app.Invalid("file", "请上传名册文件（CSV 或 XLSX）")
	}
	if len(data) > MaxFileSize {
		return filename, app.Invalid("file", "文件过大（上限 64 MB）")
	}
	return filename, nil
}

// importRoster is Import once the caller's right and the upload are checked;
// progress (nil: none) hears the rows checked and the rows written.
func (s *Service) importRoster(ctx context.Context, p app.Principal, e models.EstateWithPath, filename string, data []byte, progress *ImportJob) (ImportResult, error) {
	estateID := e.ID
	rows, err := rosterfile.ParseContext(ctx, bytes.NewReader(data), filename)
	if err != nil {
		return ImportResult{}, parseError(err, filename)
	}
	if len(rows) == 0 {
		return ImportResult{}, app.Invalid("file", app.M("err.roster.no_data_rows"))
	}
	progress.checked(len(rows))
	plan := planRoster(rows)
	// Hashing and encrypting the owners' personal data, and counting the register,
	// run on the other cores while the database writes buildings and units.
	protected := make(chan error, 1)
	go func() { protected <- s.protectOwners(&plan) }()
	sum := sha256.Sum256(data)
	registered := make(chan rules.Register, 1)
	go func() {
		registered <- rules.BuildRegister(plan.registerUnits(), registerOptions(e.ProfileCode, e.CoOwnerRule))
	}()
	// Each result is received once: a transaction run again (database.Tx retries a
	// MySQL deadlock) finds it kept instead of waiting on an empty channel.
	ownersReady := sync.OnceValue(func() error { return <-protected })
	register := sync.OnceValue(func() rules.Register { return <-registered })
	var res ImportResult
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := replaceRoster(ctx, tx, s.clock.Now(), estateID, &plan, ownersReady, progress.wrote); err != nil {
			return err
		}
		reg := register()
		imp := models.RosterImport{EstateID: estateID, Filename: filename, FileSHA256: hex.EncodeToString(sum[:]),
			RowsCount: len(rows), UnitsCount: len(plan.units), VotersCount: reg.TotalHeadcount,
			TotalArea: int64(reg.TotalArea), CreatedAt: s.clock.Now()}
		if p.UserID != 0 {
			uid := p.UserID
			imp.UserID = &uid
		}
		if err := tx.Create(&imp).Error; err != nil {
			return fmt.Errorf("recording import: %w", err)
		}
		res = ImportResult{ImportID: imp.ID, Rows: len(rows), Units: len(plan.units), Voters: reg.TotalHeadcount,
			TotalArea: reg.TotalArea, TotalHeadcount: reg.TotalHeadcount}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "roster.import", TargetType: "estate", TargetID: estateID,
			OrgID: e.CommunityID, EstateID: estateID, Detail: map[string]any{"file": filename, "sha256": imp.FileSHA256,
				"rows": len(rows), "units": len(plan.units), "voters": res.Voters, "total_area": res.TotalArea.String()}})
	})
	if err != nil {
		return ImportResult{}, app.AsError(err)
	}
	res.Notices = s.afterImport(ctx, p, estateID)
	return res, nil
}

// parseError turns what rosterfile.Parse returned into the answer the user sees.
func parseError(err error, filename string) error {
	var pe *rosterfile.ParseError
	if errors.As(err, &pe) {
		out := &app.Error{Code: app.EInvalid, Msg: app.M("err.roster.roster_has_errors", pe.Total)}
		for _, re := range pe.Errors {
			out.Details = append(out.Details, app.Detail{Row: re.Line, Column: re.Column, Msg: re.Msg})
		}
		return out
	}
	if errors.Is(err, rosterfile.ErrUnsupportedType) {
		return app.Invalid("file", app.M("err.roster.csv_or_xlsx_only"))
	}
	if errors.Is(err, rosterfile.ErrTooLarge) {
		return &app.Error{Code: app.EInvalid, Err: err,
			Msg: app.Plain(fmt.Sprintf("文件“%s”解压后超过 %d MB 或压缩比超过 %d 倍，不是正常的名册文件，已拒绝", filename,
				rosterfile.MaxUnpackedXLSX>>20, rosterfile.MaxCompressionRatio)),
			Details: []app.Detail{{Field: "file", Msg: app.Plain(fmt.Sprintf("解压后最多 %d MB，压缩比最多 %d 倍",
				rosterfile.MaxUnpackedXLSX>>20, rosterfile.MaxCompressionRatio))}}}
	}
	if errors.Is(err, rosterfile.ErrUnreadable) {
		return app.Invalid("file", "无法读取该文件，请确认它是有效的 CSV 或 XLSX 文件")
	}
	return app.Internal(err)
}

type plannedUnit struct {
	building, unitNo, room, key, source string
	area                                int64
	delivered, parking                  bool
}

type plannedOwner struct {
	kind, name                                         string
	idNumber                                           string // in clear, as read: protectOwners turns it into the fields below
	phone                                              string // likewise
	idHash, idMasked, last6Hash, phoneEnc, phoneMasked string
}

type plannedOwnership struct {
	unit, owner    int // indexes in rosterPlan.units and rosterPlan.owners
	guardian       string
	representative bool
}

type rosterPlan struct {
	buildings  []string
	units      []plannedUnit
	owners     []plannedOwner
	ownerships []plannedOwnership
}

// planRoster turns validated rows into the rows to insert: buildings, units and
// owners each once, and the ownerships linking them. The owners' personal data is
// protected separately (protectOwners).
func planRoster(rows []rosterfile.Row) rosterPlan {
	var pl rosterPlan
	seenBuilding := map[string]bool{}
	unitIndex := map[string]int{}  // room key → index in pl.units
	ownerIndex := map[string]int{} // normalised ID number → index in pl.owners
	for _, r := range rows {
		if !seenBuilding[r.Building] {
			seenBuilding[r.Building] = true
			pl.buildings = append(pl.buildings, r.Building)
		}
		key := rosterfile.RoomKey(r.Building, r.Unit, r.Room)
		unit, ok := unitIndex[key]
		if !ok {
			unit = len(pl.units)
			unitIndex[key] = unit
			pl.units = append(pl.units, plannedUnit{building: r.Building, unitNo: r.Unit, room: r.Room, key: key, source: r.AreaSource,
				area: int64(r.Area), delivered: r.Delivered, parking: r.Parking})
		}
		id := pii.NormalizeID(r.IDNumber)
		owner, ok := ownerIndex[id]
		if !ok {
			owner = len(pl.owners)
			ownerIndex[id] = owner
			pl.owners = append(pl.owners, plannedOwner{kind: string(r.OwnerKind), name: r.OwnerName, idNumber: r.IDNumber, phone: r.Phone})
		}
		pl.ownerships = append(pl.ownerships, plannedOwnership{unit: unit, owner: owner, representative: r.Representative, guardian: r.Guardian})
	}
	return pl
}

// protectOwners computes the stored forms of the owners' ID numbers and phones
// (keyed hashes, masks, encryption), spread over the cores: the CPU-heavy part of
// an import. It writes only those fields, so the plan's other fields may be read
// meanwhile.
func (s *Service) protectOwners(pl *rosterPlan) error {
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(pl.owners) + workers - 1) / workers
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(pl.owners))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func(w, lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				o := &pl.owners[i]
				o.idHash, o.idMasked, o.last6Hash = s.pii.HashID(o.idNumber), pii.MaskID(o.idNumber), Last6Hash(s.pii, pii.IDLast6(o.idNumber))
				if o.phone != "" {
					enc, err := s.pii.Encrypt(o.phone)
					if err != nil {
						errs[w] = fmt.Errorf("encrypting phone: %w", err)
						return
					}
					o.phoneEnc, o.phoneMasked = enc, pii.MaskPhone(o.phone)
				}
			}
		}(w, lo, hi)
	}
	wg.Wait()
	return errors.Join(errs...)
}

// registerUnits is the plan as the register sees it, units and owners numbered by
// their place in the plan (owners are already one per ID number), so the register
// can be counted before the rows have database ids.
func (pl rosterPlan) registerUnits() []rules.RegisterUnit {
	units := make([]rules.RegisterUnit, len(pl.units))
	for i, u := range pl.units {
		units[i] = rules.RegisterUnit{UnitID: int64(i + 1), Room: u.key, Area: rules.Area(u.area), Parking: u.parking, Delivered: u.delivered}
	}
	for _, os := range pl.ownerships {
		units[os.unit].Owners = append(units[os.unit].Owners, rules.RegisterOwner{OwnerID: int64(os.owner + 1), Kind: rules.OwnerKind(pl.owners[os.owner].kind)})
	}
	return units
}

// replaceRoster deletes the estate's current roster rows and inserts the plan
// with multi-row INSERTs, resolving generated ids by their natural keys. It waits
// for ownersReady (the owners' protected personal data) only after the units.
func replaceRoster(ctx context.Context, tx *gorm.DB, now time.Time, estateID int64, pl *rosterPlan, ownersReady func() error, wrote func(int)) error {
	tx = tx.WithContext(ctx)
	written := 0 // rows inserted so far in this run of the transaction (it may run again)
	wrote(0)
	// MySQL runs a DELETE with an IN subquery as a scan of every estate's
	// ownerships; its multi-table DELETE walks the estate's units instead.
	clearOwnerships := "DELETE FROM ownerships WHERE unit_id IN (SELECT id FROM units WHERE estate_id = ?)"
	if database.DialectOf(tx).MySQL() {
		clearOwnerships = "DELETE os FROM ownerships os JOIN units u ON u.id = os.unit_id WHERE u.estate_id = ?"
	}
	steps := []struct{ what, sql string }{
		{"ownerships", clearOwnerships},
		{"owners", "DELETE FROM owners WHERE estate_id = ?"},
		{"units", "DELETE FROM units WHERE estate_id = ?"},
		{"buildings", "DELETE FROM buildings WHERE estate_id = ?"},
	}
	for _, st := range steps {
		if err := tx.Exec(st.sql, estateID).Error; err != nil {
			return fmt.Errorf("clearing %s: %w", st.what, err)
		}
	}
	// Buildings.
	bArgs := make([][]any, 0, len(pl.buildings))
	for _, b := range pl.buildings {
		bArgs = append(bArgs, []any{estateID, b})
	}
	if err := database.BulkInsert(ctx, tx, "buildings", []string{"estate_id", "name"}, bArgs); err != nil {
		return err
	}
	written += len(bArgs)
	wrote(written)
	buildingIDs, err := idsByKey(tx, "SELECT id, name FROM buildings WHERE estate_id = ?", estateID)
	if err != nil {
		return err
	}
	// Units.
	uArgs := make([][]any, 0, len(pl.units))
	for _, u := range pl.units {
		uArgs = append(uArgs, []any{estateID, buildingIDs[u.building], u.unitNo, u.room, u.key, u.area, u.source, u.delivered, u.parking, now, now})
	}
	if err := database.BulkInsert(ctx, tx, "units", []string{"estate_id", "building_id", "unit_no", "room", "room_key", "area", "area_source", "delivered", "parking", "created_at", "updated_at"}, uArgs); err != nil {
		return err
	}
	written += len(uArgs)
	wrote(written)
	unitIDs, err := idsByKey(tx, "SELECT id, room_key FROM units WHERE estate_id = ?", estateID)
	if err != nil {
		return err
	}
	// Owners.
	if err := ownersReady(); err != nil {
		return err
	}
	// In the order of their unique key (estate, ID hash): the index then grows at
	// its end instead of splitting pages all over for random hashes.
	byHash := make([]int, len(pl.owners))
	for i := range byHash {
		byHash[i] = i
	}
	slices.SortFunc(byHash, func(a, b int) int { return strings.Compare(pl.owners[a].idHash, pl.owners[b].idHash) })
	oArgs := make([][]any, 0, len(pl.owners))
	for _, i := range byHash {
		o := &pl.owners[i]
		oArgs = append(oArgs, []any{estateID, o.kind, o.name, o.idHash, o.idMasked, o.last6Hash, o.phoneEnc, o.phoneMasked, now, now})
	}
	if err := database.BulkInsert(ctx, tx, "owners", []string{"estate_id", "kind", "name", "id_hash", "id_masked", "id_last6_hash", "phone_enc", "phone_masked", "created_at", "updated_at"}, oArgs); err != nil {
		return err
	}
	written += len(oArgs)
	wrote(written)
	ownerIDs, err := idsByKey(tx, "SELECT id, id_hash FROM owners WHERE estate_id = ?", estateID)
	if err != nil {
		return err
	}
	// Ownerships.
	osArgs := make([][]any, 0, len(pl.ownerships))
	for _, o := range pl.ownerships {
		osArgs = append(osArgs, []any{unitIDs[pl.units[o.unit].key], ownerIDs[pl.owners[o.owner].idHash], o.representative, o.guardian})
	}
	if err := database.BulkInsert(ctx, tx, "ownerships", []string{"unit_id", "owner_id", "representative", "guardian_name"}, osArgs); err != nil {
		return err
	}
	wrote(written + len(osArgs))
	return nil
}

// idsByKey maps a natural key column to generated ids.
func idsByKey(tx *gorm.DB, query string, args ...any) (map[string]int64, error) {
	rows, err := tx.Raw(query, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("reading ids: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, fmt.Errorf("reading ids: %w", err)
		}
		out[key] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading ids: %w", err)
	}
	return out, nil
}
