package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Kinds and states of a case against a committee member (issue 12, docs/committee.md).
const (
	CaseRemoval   = "removal"   // a negative-list (or absence, ineligibility) case ending in an assembly vote
	CaseCessation = "cessation" // automatic cessation (BJ 46 ¶1, HZ 32)

	CaseReported   = "reported"  // reported, awaiting verification
	CaseFounded    = "founded"   // verified as founded: the member is suspended
	CaseProposed   = "proposed"  // proposed to the assembly
	CaseVoting     = "voting"    // a removal item is on a vote
	CaseRemoved    = "removed"   // the assembly removed the member
	CaseRetained   = "retained"  // the removal item did not pass
	CaseUnfounded  = "unfounded" // verified as unfounded and closed
	CasePending    = "pending"   // a cessation detected (roster import) awaiting the street office
	CaseCeased     = "ceased"    // a cessation in effect, to be confirmed by the next assembly
	CaseDismissed  = "dismissed" // a detected cessation the street office did not confirm
	ChangeEnded    = "ended"     // a member's seat ended
	ChangeSeated   = "seated"    // an alternate took a seat (递补)
	OutcomeRemoved = "removed"   // outcome of a removal vote
	OutcomeKept    = "retained"  // outcome of a removal vote that did not pass
)

// CommitteeCase is one case against one committee member.
type CommitteeCase struct {
	ID                  int64 `gorm:"primaryKey"`
	CommitteeID         int64
	EstateID            int64
	MemberID            int64
	Kind                string
	Grounds             string // comma separated: N1..N12, absence, ineligible
	CessationReason     string
	Facts               string
	ReporterKind        string
	ReporterName        string
	ReporterHash        string
	ReporterMask        string
	ReportedAt          time.Time
	ReportedBy          string
	Status              string
	VerifyDue           *time.Time
	VerifiedAt          *time.Time
	VerifiedBy          string
	VerificationReasons string
	SuspendedAt         *time.Time
	SuspensionDocID     *int64
	DefenceDue          *time.Time
	Defence             string
	DefenceAt           *time.Time
	ProposeDue          *time.Time
	ProposedAt          *time.Time
	ProposedBy          string
	OrderedAt           *time.Time
	OrderedBy           string
	OrderText           string
	RemovalVoteID       *int64
	Outcome             string
	OutcomeAt           *time.Time
	OutcomeDocID        *int64
	EffectiveOn         *string
	ConfirmedAt         *time.Time
	ConfirmedBy         string
	ClosedAt            *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// TableName is the table of cases.
func (CommitteeCase) TableName() string { return "committee_cases" }

// Open tells whether the case is still running.
func (c CommitteeCase) Open() bool {
	switch c.Status {
	case CaseReported, CaseFounded, CaseProposed, CaseVoting, CasePending:
		return true
	}
	return false
}

// CommitteeCaseEvent is one dated step of a case's timeline.
type CommitteeCaseEvent struct {
	ID         int64 `gorm:"primaryKey"`
	CaseID     int64
	Kind       string
	At         time.Time
	ByName     string
	Note       string
	DocumentID *int64
	CreatedAt  time.Time
}

// TableName is the table of case events.
func (CommitteeCaseEvent) TableName() string { return "committee_case_events" }

// CommitteeCaseFile is one evidence file of a case.
type CommitteeCaseFile struct {
	ID          int64 `gorm:"primaryKey"`
	CaseID      int64
	Filename    string
	ContentType string
	SHA256      string `gorm:"column:sha256"`
	SizeBytes   int64
	Data        []byte
	UploadedBy  string
	CreatedAt   time.Time
}

// TableName is the table of evidence files.
func (CommitteeCaseFile) TableName() string { return "committee_case_files" }

// CommitteeChange is one change of members: a seat ended or an alternate seated, with
// its notice and the change filing due (BJ 50: 30 days).
type CommitteeChange struct {
	ID          int64 `gorm:"primaryKey"`
	CommitteeID int64
	EstateID    int64
	CaseID      *int64
	MemberID    int64
	Kind        string
	At          time.Time
	DocumentID  *int64
	FilingDue   time.Time
	FilingID    *int64
	CreatedAt   time.Time
}

// TableName is the table of member changes.
func (CommitteeChange) TableName() string { return "committee_changes" }

// FindCommitteeCase loads one case.
func FindCommitteeCase(ctx context.Context, db *gorm.DB, id int64) (CommitteeCase, error) {
	var c CommitteeCase
	if err := db.WithContext(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		return c, fmt.Errorf("committee case %d: %w", id, err)
	}
	return c, nil
}

// CasesOfCommittee lists a committee's cases, newest first.
func CasesOfCommittee(ctx context.Context, db *gorm.DB, committeeID int64) ([]CommitteeCase, error) {
	var list []CommitteeCase
	if err := db.WithContext(ctx).Where("committee_id = ?", committeeID).Order("id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("cases of committee %d: %w", committeeID, err)
	}
	return list, nil
}

// OpenCasesOfEstates lists the open cases of the estates, oldest first.
func OpenCasesOfEstates(ctx context.Context, db *gorm.DB, estateIDs []int64) ([]CommitteeCase, error) {
	if len(estateIDs) == 0 {
		return nil, nil
	}
	var list []CommitteeCase
	if err := db.WithContext(ctx).Where("estate_id IN ? AND status IN ?", estateIDs,
		[]string{CaseReported, CaseFounded, CaseProposed, CaseVoting, CasePending}).Order("reported_at, id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	return list, nil
}

// CaseEvents lists a case's timeline in order.
func CaseEvents(ctx context.Context, db *gorm.DB, caseID int64) ([]CommitteeCaseEvent, error) {
	var list []CommitteeCaseEvent
	if err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("at, id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("events of case %d: %w", caseID, err)
	}
	return list, nil
}

// CaseFiles lists a case's evidence files without their bytes.
func CaseFiles(ctx context.Context, db *gorm.DB, caseID int64) ([]CommitteeCaseFile, error) {
	var list []CommitteeCaseFile
	if err := db.WithContext(ctx).Select("id, case_id, filename, content_type, sha256, size_bytes, uploaded_by, created_at").
		Where("case_id = ?", caseID).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("files of case %d: %w", caseID, err)
	}
	return list, nil
}

// ChangesOfCommittee lists a committee's changes of members, oldest first.
func ChangesOfCommittee(ctx context.Context, db *gorm.DB, committeeID int64) ([]CommitteeChange, error) {
	var list []CommitteeChange
	if err := db.WithContext(ctx).Where("committee_id = ?", committeeID).Order("at, id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("changes of committee %d: %w", committeeID, err)
	}
	return list, nil
}

// FindCommitteeMemberByID loads one committee member.
func FindCommitteeMemberByID(ctx context.Context, db *gorm.DB, id int64) (CommitteeMember, error) {
	var m CommitteeMember
	if err := db.WithContext(ctx).Where("id = ?", id).Take(&m).Error; err != nil {
		return m, fmt.Errorf("committee member %d: %w", id, err)
	}
	return m, nil
}
