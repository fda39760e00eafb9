package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Kinds and states of meeting minutes.
const (
	MinutesAssembly  = "assembly"  // 业主大会会议
	MinutesCommittee = "committee" // 业主委员会会议
	MinutesDraft     = "draft"
	MinutesFinal     = "final"
)

// Minutes is the record of an owners' assembly or owners' committee meeting (会议记录).
// Lists are stored one entry per line; decisions and signatures as JSON. A draft is
// edited (each edit raises Revision and is audited); once final nothing changes.
type Minutes struct {
	ID             int64 `gorm:"primaryKey"`
	EstateID       int64
	Kind           string
	VoteID         *int64
	Title          string
	Place          string
	HeldAt         time.Time
	Members        string // committee: every member of the committee
	Present        string // committee: the members present
	Attendees      string // others attending (convenor's staff, street office, observers)
	Agenda         string
	Proceedings    string
	DecisionsJSON  string `gorm:"column:decisions_json"`
	SignaturesJSON string `gorm:"column:signatures_json"`
	State          string
	Revision       int
	DocumentID     *int64
	CreatedBy      *int64
	CreatedByName  string
	CreatedAt      time.Time
	UpdatedBy      *int64
	UpdatedByName  string
	UpdatedAt      time.Time
	FinalisedBy    *int64
	FinalisedAt    *time.Time
}

// TableName is the table of minutes.
func (Minutes) TableName() string { return "minutes" }

// FindMinutes loads one record.
func FindMinutes(ctx context.Context, db *gorm.DB, id int64) (Minutes, error) {
	var m Minutes
	if err := db.WithContext(ctx).Where("id = ?", id).Take(&m).Error; err != nil {
		return m, fmt.Errorf("minutes %d: %w", id, err)
	}
	return m, nil
}

// MinutesOfEstate lists an estate's minutes, newest meeting first.
func MinutesOfEstate(ctx context.Context, db *gorm.DB, estateID int64) ([]Minutes, error) {
	var list []Minutes
	if err := db.WithContext(ctx).Where("estate_id = ?", estateID).Order("held_at DESC, id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("minutes of estate %d: %w", estateID, err)
	}
	return list, nil
}
