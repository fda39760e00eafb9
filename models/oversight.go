package models

import "time"

// Statuses of a rectification order (committee oversight, seed 003 §(六)).
const (
	RectificationOpen         = "open"          // 整改中
	RectificationDone         = "rectified"     // 已整改
	RectificationNotRectified = "not_rectified" // 拒不整改 / 逾期未整改
)

// CommitteeRating is the owner representatives' rating of a committee's work for one
// period: how many rated and how many were satisfied, basically satisfied or
// dissatisfied (the three add up to Raters).
type CommitteeRating struct {
	ID           int64 `gorm:"primaryKey"`
	CommitteeID  int64
	EstateID     int64
	Period       string
	RatedOn      string // civil day YYYY-MM-DD
	Raters       int
	Satisfied    int
	Basic        int
	Dissatisfied int
	Summary      string
	RecordedBy   string
	CreatedAt    time.Time
}

// CommitteeRectification is a street office's order to a committee to put matters right
// by DueOn, with the outcome once checked; MinutesID and DecisionIndex name the decision
// it concerns, if any.
type CommitteeRectification struct {
	ID            int64 `gorm:"primaryKey"`
	CommitteeID   int64
	EstateID      int64
	MinutesID     *int64
	DecisionIndex *int
	Matters       string
	Basis         string
	IssuedOn      string // civil day
	DueOn         string // civil day, the last day to rectify
	IssuedBy      string
	Status        string
	Outcome       string
	OutcomeOn     *string // civil day
	OutcomeBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// CommitteeRevocation is the revocation of one committee decision (a decision of final
// committee minutes) after a refused rectification order, with its notice to the owners.
type CommitteeRevocation struct {
	ID              int64 `gorm:"primaryKey"`
	CommitteeID     int64
	EstateID        int64
	RectificationID int64
	MinutesID       int64
	DecisionIndex   int
	DecisionText    string
	Grounds         string
	Basis           string
	RevokedOn       string // civil day
	RevokedBy       string
	DocumentID      *int64
	CreatedAt       time.Time
}
