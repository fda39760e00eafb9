package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Building groups units of an estate (楼栋).
type Building struct {
	ID       int64 `gorm:"primaryKey"`
	EstateID int64
	Name     string
}

// Unit is one exclusive part (专有部分). Area is in 0.01 m² with its source (C1).
type Unit struct {
	ID         int64 `gorm:"primaryKey"`
	EstateID   int64
	BuildingID int64
	UnitNo     string
	Room       string
	RoomKey    string // "1-1-101", or "3-101" when the unit number is empty
	Area       int64
	AreaSource string
	Delivered  bool
	Parking    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Owner is a person, organisation or the developer holding units in one estate.
// The ID number is kept only as a keyed hash (for matching) and a masked form;
// the phone is encrypted, with a masked form for display.
type Owner struct {
	ID          int64 `gorm:"primaryKey"`
	EstateID    int64
	Kind        string
	Name        string
	IDHash      string `gorm:"column:id_hash"`
	IDMasked    string `gorm:"column:id_masked"`
	IDLast6Hash string `gorm:"column:id_last6_hash"`
	PhoneEnc    string
	PhoneMasked string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Ownership links an owner to a unit; Representative marks the co-owner who casts
// the unit's vote (C3); GuardianName is set for an owner without capacity.
type Ownership struct {
	ID             int64 `gorm:"primaryKey"`
	UnitID         int64
	OwnerID        int64
	Representative bool
	GuardianName   string
}

// RosterImport records who imported which roster file when, and what it held.
type RosterImport struct {
	ID          int64 `gorm:"primaryKey"`
	EstateID    int64
	UserID      *int64
	Filename    string
	FileSHA256  string `gorm:"column:file_sha256"`
	RowsCount   int
	UnitsCount  int
	VotersCount int
	TotalArea   int64
	CreatedAt   time.Time
}

// EstateUnitStats is the number of units and their total area per estate.
type EstateUnitStats struct {
	EstateID  int64
	Units     int
	TotalArea int64
}

// UnitStats counts units (parking spaces excluded) and sums their areas for the estates.
func UnitStats(ctx context.Context, db *gorm.DB, estateIDs []int64) (map[int64]EstateUnitStats, error) {
	out := map[int64]EstateUnitStats{}
	if len(estateIDs) == 0 {
		return out, nil
	}
	var rows []EstateUnitStats
	err := db.WithContext(ctx).Model(&Unit{}).
		Select("estate_id, COUNT(*) AS units, COALESCE(SUM(area), 0) AS total_area").
		Where("estate_id IN ? AND parking = ?", estateIDs, false).Group("estate_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("counting units: %w", err)
	}
	for _, r := range rows {
		out[r.EstateID] = r
	}
	return out, nil
}
