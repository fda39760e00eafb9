package models

import "time"

// Complaint is one entry of an estate's complaints register against the property
// company serving it on the day of receipt (seed 004 §(十三)). The complainant is
// kept only as a keyed hash of the normalised identity (phone or ID number) and a
// mask. Cycle counts the clock's runs: a reopening restarts the 三三三 clock at
// CycleStartedAt and clears the stage times of the cycle; the events keep them all.
type Complaint struct {
	ID              int64 `gorm:"primaryKey"`
	EstateID        int64
	CompanyID       int64
	Source          string
	Category        string
	Body            string
	ComplainantHash string
	ComplainantMask string
	ReceivedAt      time.Time
	Cycle           int
	CycleStartedAt  time.Time
	RespondedAt     *time.Time
	FirstResultAt   *time.Time
	ResolvedAt      *time.Time
	Verification    string // "", "verified" (属实) or "unfounded"
	VerifiedAt      *time.Time
	EscalatedAt     *time.Time // when a missed stage of this cycle was escalated to the street office
	EscalatedStages string     // comma-separated stages escalated in this cycle
	PublicTokenHash *string    // SHA-256 of the owner's private follow-up link, if filed from the public page
	CreatedBy       *int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName is complaints.
func (Complaint) TableName() string { return "complaints" }

// ComplaintEvent is one step of a complaint: responded, first_result, resolved,
// verified, unfounded, revisited (回访) or reopened.
type ComplaintEvent struct {
	ID            int64 `gorm:"primaryKey"`
	ComplaintID   int64
	Kind          string
	At            time.Time
	Cycle         int
	Note          string
	CreatedByName string
	CreatedAt     time.Time
}

// TableName is complaint_events.
func (ComplaintEvent) TableName() string { return "complaint_events" }

// RectificationOrder is an order to the company to rectify by a deadline; the
// outcome is "completed" or "refused" (a deadline passed without an outcome counts
// as refused: lapsed).
type RectificationOrder struct {
	ID         int64 `gorm:"primaryKey"`
	EstateID   int64
	CompanyID  int64
	OrderedAt  time.Time
	DeadlineAt time.Time
	Body       string
	Outcome    string
	OutcomeAt  *time.Time
	CreatedBy  *int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName is rectification_orders.
func (RectificationOrder) TableName() string { return "rectification_orders" }

// CompanyCreditEntry is a warning talk (约谈, kind "talk") or a public notice
// (通报, kind "notice") entered in the company's credit file.
type CompanyCreditEntry struct {
	ID             int64 `gorm:"primaryKey"`
	CompanyID      int64
	EstateID       *int64
	Kind           string
	HeldAt         time.Time
	Body           string
	CreatedBy      *int64
	CreatedByOrgID int64
	CreatedAt      time.Time
}

// TableName is company_credit_entries.
func (CompanyCreditEntry) TableName() string { return "company_credit_entries" }

// SatisfactionSurvey is the result of an owner satisfaction survey of an estate's
// company: satisfied of respondents, recorded from paper or from a survey ballot.
type SatisfactionSurvey struct {
	ID          int64 `gorm:"primaryKey"`
	EstateID    int64
	CompanyID   int64
	ClosedAt    time.Time
	Respondents int
	Satisfied   int
	Source      string
	VoteID      *int64
	CreatedBy   *int64
	CreatedAt   time.Time
}

// TableName is satisfaction_surveys.
func (SatisfactionSurvey) TableName() string { return "satisfaction_surveys" }

// ExitCase is raised the first time the exit check holds for an estate's company:
// the street office and the district are alerted, with the evidence (JSON) behind
// each condition.
type ExitCase struct {
	ID            int64 `gorm:"primaryKey"`
	EstateID      int64
	CompanyID     int64
	RaisedAt      time.Time
	EvaluatedOn   string
	Evidence      string
	StreetOrgID   int64
	DistrictOrgID int64
	Status        string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName is exit_cases.
func (ExitCase) TableName() string { return "exit_cases" }

// ComplaintAttachment is a photo or document attached to a complaint.
type ComplaintAttachment struct {
	ID            int64 `gorm:"primaryKey"`
	ComplaintID   int64
	Filename      string
	ContentType   string
	SizeBytes     int
	Data          []byte // loaded only for download
	CreatedByName string
	CreatedAt     time.Time
}

// TableName is complaint_attachments.
func (ComplaintAttachment) TableName() string { return "complaint_attachments" }

// ComplaintSummary is one estate's complaints received in one Shanghai year and their
// 三三三 stages decided by a recorded instant (app/property complaint_summary.go).
type ComplaintSummary struct {
	EstateID     int64 `gorm:"primaryKey;autoIncrement:false"`
	Year         int   `gorm:"primaryKey;autoIncrement:false"`
	Received     int64
	ResponseMet  int64
	ResponseLate int64
	ResolveMet   int64
	ResolveLate  int64
}

// TableName is complaint_summaries.
func (ComplaintSummary) TableName() string { return "complaint_summaries" }
