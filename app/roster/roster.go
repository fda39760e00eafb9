// Package roster keeps an estate's roster of buildings, units, areas and owners:
// it imports CSV/XLSX files atomically (validated whole by rosterfile before a
// single row is written), computes the voter register by the counting rules
// (rules.BuildRegister), freezes it for a vote (Snapshot), exports it with
// personal data masked, and lets staff edit single units and owners, audited.
package roster

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/orgs"
	"gongzhi/app/pii"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Service is the roster service.
type Service struct {
	db       *gorm.DB
	clock    app.Clock
	orgs     *orgs.Service
	pii      *pii.Protector
	observer ImportObserver // nil: none (observer.go)
	jobs     importJobs     // background imports (progress.go)
	log      *slog.Logger   // nil: discarded
}

// New builds the service; clock (nil: the system clock) stamps imports and edits.
func New(db *gorm.DB, clock app.Clock, orgSvc *orgs.Service, protector *pii.Protector) *Service {
	return &Service{db: db, clock: app.ClockOrSystem(clock), orgs: orgSvc, pii: protector}
}

// Last6Hash is the stored form of the last six characters of an ID number, used
// for the ballot identity check; input is normalised (trimmed, upper-cased).
func Last6Hash(p *pii.Protector, last6 string) string {
	return p.HashID("last6:" + strings.ToUpper(strings.TrimSpace(last6)))
}

// Last6Hash hashes an identity-check answer the way the roster stores it.
func (s *Service) Last6Hash(last6 string) string { return Last6Hash(s.pii, last6) }

// CanEditRoster tells whether p's role may change rosters (in its jurisdiction):
// access.EditRoster; district accounts and auditors only read them.
func CanEditRoster(p app.Principal) bool { return access.Can(p, access.EditRoster) }

// estateForRosterChange loads an estate whose roster p is about to change: outside
// p's jurisdiction 404, a role that only reads rosters 403.
func (s *Service) estateForRosterChange(ctx context.Context, p app.Principal, estateID int64) (models.EstateWithPath, error) {
	if err := access.Require(p, access.EditRoster); err != nil {
		return models.EstateWithPath{}, err
	}
	return s.orgs.EstateForChange(ctx, p, estateID)
}

// registerOptions are the counting options of the estate: its jurisdiction profile's
// parking choice and the co-owner rule chosen for it (C3; empty or unknown: the default).
func registerOptions(profileCode, coOwnerRule string) rules.RegisterOptions {
	prof, _ := rules.ProfileByCode(profileCode)
	rule := rules.CoOwnerRule(coOwnerRule)
	if !rule.Valid() {
		rule = rules.DefaultCoOwnerRule
	}
	return rules.RegisterOptions{CountParking: prof.CountParkingInArea, CoOwnerRule: rule}
}

// SnapshotUnit is one unit of a voter as frozen for a vote.
type SnapshotUnit struct {
	UnitID   int64
	RoomKey  string
	Building string
	Area     rules.Area
}

// SnapshotVoter is one voter as frozen for a vote: the register's voter, its units,
// the owners' names (for staff search), and the hashes of the last six ID
// characters of every owner of its units (the identity check accepts any of them).
type SnapshotVoter struct {
	rules.Voter
	Units       []SnapshotUnit
	OwnerNames  []string
	Last6Hashes []string
}

// Snapshot is the voter register of an estate at one moment (C5).
type Snapshot struct {
	EstateID    int64
	ProfileCode string
	Options     rules.RegisterOptions
	Register    rules.Register
	Voters      []SnapshotVoter // in register order
}

type unitOwnerRow struct {
	UnitID         int64
	RoomKey        string
	BuildingName   string
	Area           int64
	Delivered      bool
	Parking        bool
	OwnerID        *int64
	OwnerKind      *string
	OwnerName      *string
	IDLast6Hash    *string
	Representative *bool
}

// loadUnits reads every unit of the estate with its owners, through db (a
// transaction when called from a use case).
func loadUnits(ctx context.Context, db *gorm.DB, estateID int64) ([]unitOwnerRow, error) {
	var rows []unitOwnerRow
	err := db.WithContext(ctx).Table("units").
		Select(`units.id AS unit_id, units.room_key, buildings.name AS building_name, units.area, units.delivered, units.parking,
			owners.id AS owner_id, owners.kind AS owner_kind, owners.name AS owner_name, owners.id_last6_hash, ownerships.representative`).
		Joins("JOIN buildings ON buildings.id = units.building_id").
		Joins("LEFT JOIN ownerships ON ownerships.unit_id = units.id").
		Joins("LEFT JOIN owners ON owners.id = ownerships.owner_id").
		Where("units.estate_id = ?", estateID).
		Order("units.id, owners.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("reading units of estate %d: %w", estateID, err)
	}
	return rows, nil
}

// buildSnapshot computes the register from the rows.
func buildSnapshot(estateID int64, profileCode, coOwnerRule string, rows []unitOwnerRow) Snapshot {
	opt := registerOptions(profileCode, coOwnerRule)
	type unitOwner struct {
		id          int64
		name, last6 string
	}
	type unitInfo struct {
		SnapshotUnit
		owners []unitOwner
	}
	var units []rules.RegisterUnit
	info := map[int64]*unitInfo{}
	for _, r := range rows {
		u, ok := info[r.UnitID]
		if !ok {
			u = &unitInfo{SnapshotUnit: SnapshotUnit{UnitID: r.UnitID, RoomKey: r.RoomKey, Building: r.BuildingName, Area: rules.Area(r.Area)}}
			info[r.UnitID] = u
			units = append(units, rules.RegisterUnit{UnitID: r.UnitID, Room: r.RoomKey, Area: rules.Area(r.Area), Parking: r.Parking, Delivered: r.Delivered})
		}
		if r.OwnerID != nil {
			ru := &units[len(units)-1]
			ru.Owners = append(ru.Owners, rules.RegisterOwner{OwnerID: *r.OwnerID, Kind: rules.OwnerKind(deref(r.OwnerKind))})
			u.owners = append(u.owners, unitOwner{id: *r.OwnerID, name: deref(r.OwnerName), last6: deref(r.IDLast6Hash)})
		}
	}
	reg := rules.BuildRegister(units, opt)
	snap := Snapshot{EstateID: estateID, ProfileCode: profileCode, Options: opt, Register: reg}
	for _, v := range reg.Voters {
		sv := SnapshotVoter{Voter: v}
		seenName, seenHash := map[string]bool{}, map[string]bool{}
		for _, id := range v.UnitIDs {
			u := info[id]
			sv.Units = append(sv.Units, u.SnapshotUnit)
			// Only the voter's own owners name it and answer its identity check: the
			// developer voter's undelivered units may have buyers, who do not vote them.
			for _, o := range u.owners {
				if !slices.Contains(v.OwnerIDs, o.id) {
					continue
				}
				if !seenName[o.name] {
					seenName[o.name] = true
					sv.OwnerNames = append(sv.OwnerNames, o.name)
				}
				if o.last6 != "" && !seenHash[o.last6] {
					seenHash[o.last6] = true
					sv.Last6Hashes = append(sv.Last6Hashes, o.last6)
				}
			}
		}
		snap.Voters = append(snap.Voters, sv)
	}
	return snap
}

// Snapshot freezes the estate's voter register as it stands in tx: the voting
// service calls it inside the transaction that opens a vote and stores the result
// with the vote, so later roster edits never change an open or closed vote.
func (s *Service) Snapshot(ctx context.Context, tx *gorm.DB, estateID int64) (Snapshot, error) {
	e, err := models.FindEstate(ctx, tx, estateID)
	if err != nil {
		return Snapshot{}, fmt.Errorf("snapshot: %w", err)
	}
	rows, err := loadUnits(ctx, tx, estateID)
	if err != nil {
		return Snapshot{}, err
	}
	return buildSnapshot(estateID, e.ProfileCode, e.CoOwnerRule, rows), nil
}

// Register computes the current voter register of an estate the principal may see.
func (s *Service) Register(ctx context.Context, p app.Principal, estateID int64) (Snapshot, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return Snapshot{}, err
	}
	snap, err := s.Snapshot(ctx, s.db, estateID)
	if err != nil {
		return Snapshot{}, app.Internal(err)
	}
	return snap, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
