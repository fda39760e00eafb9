package models

import "time"

// SupervisionTarget is the percent a district (or the city) sets for one rate in one
// year (issue 15; seeds 000 and 002 give such schedules). Percent is 0..100.
type SupervisionTarget struct {
	ID        int64 `gorm:"primaryKey"`
	OrgID     int64
	Year      int
	Indicator string
	Percent   int
	SetBy     *int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName is the table of supervision targets.
func (SupervisionTarget) TableName() string { return "supervision_targets" }

// EstatePartyFacts are the Party facts the community records for an estate: whether
// the estate has a Party organisation and whether its committee has a Party work group.
type EstatePartyFacts struct {
	EstateID       int64 `gorm:"primaryKey;autoIncrement:false"`
	HasPartyOrg    bool
	PartyWorkGroup bool
	RecordedOn     string
	RecordedBy     *int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName is the table of the estates' Party facts.
func (EstatePartyFacts) TableName() string { return "estate_party_facts" }
