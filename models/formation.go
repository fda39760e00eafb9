package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Kinds and statuses of a formation group (筹备组 / 换届小组).
const (
	GroupKindPrep       = "prep"       // preparatory group for the first assembly
	GroupKindReelection = "reelection" // re-election group for a later term

	GroupForming   = "forming"   // formed; member list not yet published
	GroupPublished = "published" // member list published
	GroupDissolved = "dissolved" // dissolved (committee filed, or ended by the street office)
)

// Statuses of a group member.
const (
	MemberActive    = "active"
	MemberWithdrawn = "withdrawn"
)

// EstateFormation holds facts about an estate's formation that the roster does not:
// when the first unit was delivered. The delivered area comes from units.delivered.
type EstateFormation struct {
	EstateID        int64 `gorm:"primaryKey;autoIncrement:false"`
	FirstDeliveryAt *time.Time
	// AppliedAt is when the street office received the owners' written application (or the
	// developer's report) to form the assembly; DecidedAt when it decided to set up the
	// group (BJ 31, SH 15). The preparatory-group deadlines run from them.
	AppliedAt *time.Time
	DecidedAt *time.Time
	Note      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName is the table of estate formation facts.
func (EstateFormation) TableName() string { return "estate_formations" }

// FormationGroup is a preparatory or re-election group. OpenEstateID equals EstateID
// while the group is not dissolved (a unique key: one open group per estate).
type FormationGroup struct {
	ID                     int64 `gorm:"primaryKey"`
	EstateID               int64
	Kind                   string
	Status                 string
	OpenEstateID           *int64
	PredecessorCommitteeID *int64
	ProfileCode            string
	ProfileVersion         string
	FormedAt               time.Time
	MemberListDeadline     time.Time
	MeetingDeadline        time.Time
	PlannedMeetingAt       *time.Time
	PublishedAt            *time.Time
	PublishedMembers       string // JSON of the member list as last published
	PublicationVersion     int
	MembersChangedAt       *time.Time
	DeveloperAbsentReason  string
	DissolvedAt            *time.Time
	DissolvedReason        string
	CreatedBy              string
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// TableName is the table of formation groups.
func (FormationGroup) TableName() string { return "formation_groups" }

// FormationGroupMember is one member of a group: an owner representative (with a room)
// or the representative of a body (with its organisation).
type FormationGroupMember struct {
	ID            int64 `gorm:"primaryKey"`
	GroupID       int64
	Role          string
	Name          string
	Room          string
	Organisation  string
	Leader        bool
	MeetsCriteria bool
	Duty          string
	Status        string
	WithdrawnAt   *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName is the table of group members.
func (FormationGroupMember) TableName() string { return "formation_group_members" }

// FormationDuty is one item of a group's checklist with its deadline.
type FormationDuty struct {
	ID        int64 `gorm:"primaryKey"`
	GroupID   int64
	Code      string
	Position  int
	Deadline  time.Time
	DoneAt    *time.Time
	Evidence  string
	DoneBy    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName is the table of group duties.
func (FormationDuty) TableName() string { return "formation_duties" }

// Candidate statuses.
const (
	CandidateNominated    = "nominated"
	CandidateUnderReview  = "under_review"
	CandidateQualified    = "qualified"
	CandidateDisqualified = "disqualified"
	CandidateWithdrawn    = "withdrawn"
)

// Candidate is a nominee for the owners' committee.
type Candidate struct {
	ID                 int64 `gorm:"primaryKey"`
	EstateID           int64
	GroupID            int64
	Name               string
	Room               string
	NominationKind     string
	Nominators         string
	PoliticalStatus    string
	Occupation         string
	Status             string
	ReviewNote         string
	PartyOrgReviewer   string
	PartyOrgReviewedAt *time.Time
	ReviewedBy         string
	ReviewedAt         *time.Time
	WithdrawnAt        *time.Time
	CreatedBy          string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// TableName is the table of candidates.
func (Candidate) TableName() string { return "candidates" }

// EligibilityCheck is one review of one criterion for one candidate. CurrentCriterion
// equals Criterion while the review is current and is nil once a later review supersedes it.
type EligibilityCheck struct {
	ID               int64 `gorm:"primaryKey"`
	CandidateID      int64
	Criterion        string
	CurrentCriterion *string
	Met              bool
	Evidence         string
	Reviewer         string
	ReviewedAt       time.Time
	RecordedBy       string
	SupersededAt     *time.Time
	CreatedAt        time.Time
}

// TableName is the table of eligibility reviews.
func (EligibilityCheck) TableName() string { return "eligibility_checks" }

// Candidate list statuses.
const (
	ListCurrent    = "current"
	ListSuperseded = "superseded"
)

// CandidateList is one publication of a group's candidate list.
type CandidateList struct {
	ID            int64 `gorm:"primaryKey"`
	GroupID       int64
	EstateID      int64
	Version       int
	Status        string
	PublishedAt   time.Time
	ShowUntil     time.Time
	VotePlannedAt time.Time
	SupersededAt  *time.Time
	PublishedBy   string
	CreatedAt     time.Time
}

// TableName is the table of candidate list publications.
func (CandidateList) TableName() string { return "candidate_lists" }

// CandidateListEntry is one candidate as published, frozen with the publication.
type CandidateListEntry struct {
	ID              int64 `gorm:"primaryKey"`
	ListID          int64
	CandidateID     int64
	Position        int
	Name            string
	Room            string
	PoliticalStatus string
	Occupation      string
}

// TableName is the table of published candidate list entries.
func (CandidateListEntry) TableName() string { return "candidate_list_entries" }

// Objection kinds and statuses.
const (
	ObjectionMemberList    = "member_list"
	ObjectionCandidateList = "candidate_list"
	ObjectionOpen          = "open"
	ObjectionAnswered      = "answered"
)

// FormationObjection is an objection to a group's member list or candidate list and its answer.
type FormationObjection struct {
	ID              int64 `gorm:"primaryKey"`
	GroupID         int64
	Kind            string
	CandidateListID *int64
	CandidateID     *int64
	Content         string
	Submitter       string
	ReceivedAt      time.Time
	Status          string
	Answer          string
	AnsweredAt      *time.Time
	AnsweredBy      string
	RecordedBy      string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName is the table of objections.
func (FormationObjection) TableName() string { return "formation_objections" }

// Committee statuses.
const (
	CommitteeForming = "forming" // elected members below the legal minimum, or a runoff pending
	CommitteeFormed  = "formed"  // formed; officers and filing follow
	CommitteeFiled   = "filed"   // filed with the street office
	CommitteeEnded   = "ended"   // succeeded by the next term's committee
)

// Committee is one term of an estate's owners' committee. FormingEstateID equals
// EstateID while the committee is forming (a unique key: one forming committee per estate).
type Committee struct {
	ID                int64 `gorm:"primaryKey"`
	EstateID          int64
	GroupID           *int64
	Status            string
	FormingEstateID   *int64
	Seats             int
	MinMembers        int
	AlternatesMax     int
	Households        int
	RunoffPending     string // the tied candidates awaiting a runoff, one name per line
	FirstElectedAt    time.Time
	FormedAt          *time.Time
	TermStart         *time.Time
	TermEnd           *time.Time
	ReelectionStart   *time.Time
	ChairElectBy      *time.Time
	OfficersPublishBy *time.Time
	FilingDue         *time.Time
	ChairElectedAt    *time.Time
	FiledAt           *time.Time
	EndedAt           *time.Time
	EndedReason       string
	ProfileCode       string
	ProfileVersion    string
	// ReelectionRequiredAt is set when serving members fall below half of the seats
	// after alternates filled in (BJ 48: 2 × serving < seats).
	ReelectionRequiredAt *time.Time
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// TableName is the table of committees.
func (Committee) TableName() string { return "committees" }

// Kinds of a recorded committee election.
const (
	ElectionFull = "election"
	ElectionBy   = "by_election" // a runoff or a by-election for vacant seats
)

// CommitteeElection is one counted election item recorded into a committee.
type CommitteeElection struct {
	ID              int64 `gorm:"primaryKey"`
	CommitteeID     int64
	EstateID        int64
	VoteID          int64
	ItemKey         string
	Kind            string
	Seats           int
	ElectedCount    int
	AlternatesCount int
	Runoff          string // candidate keys, comma separated
	VacantSeats     int
	CommitteeFormed bool
	InvalidBallots  int
	Rule            string
	RecordedBy      string
	RecordedAt      time.Time
	// ClosedAt is when the election vote closed: the deadlines that follow run from it.
	ClosedAt *time.Time
	// AlternatesPending is the alternate places kept for the losers of a pending runoff.
	AlternatesPending int
	// AlternateTie lists the candidate keys (comma separated) tied across the last
	// alternate place, AlternateTiePlaces the places they compete for.
	AlternateTie       string
	AlternateTiePlaces int
}

// TableName is the table of recorded committee elections.
func (CommitteeElection) TableName() string { return "committee_elections" }

// Committee member roles and statuses, and filing kinds.
const (
	RoleChair       = "chair"
	RoleViceChair   = "vice_chair"
	RoleMember      = "member"
	RoleAlternate   = "alternate"
	SeatServing     = "serving"
	SeatEnded       = "ended"
	FilingFormation = "formation" // the filing of a newly formed committee
	FilingChange    = "change"    // a later change (officers, members)
)

// CommitteeMember is an elected member or an alternate of a committee. ElectionRank is
// the rank in the count for members and the order of succession for alternates.
type CommitteeMember struct {
	ID             int64 `gorm:"primaryKey"`
	CommitteeID    int64
	ElectionID     int64
	VoteID         int64
	CandidateID    *int64
	CandidateKey   string
	Name           string
	Room           string
	Role           string
	ElectionRank   int
	PartyMember    bool
	AgreeHeadcount int
	AgreeArea      int64
	Status         string
	StartAt        time.Time
	EndAt          *time.Time
	// SuspendedAt is set while a founded negative-list case suspends the member (issue
	// 12): still a member, counted among all members, but taking no part.
	SuspendedAt     *time.Time
	SuspendedCaseID *int64
	EndReason       string     // why the seat ended (removed, ceased, ...)
	SeatedAt        *time.Time // when an alternate took a seat (递补)
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName is the table of committee members.
func (CommitteeMember) TableName() string { return "committee_members" }

// CommitteeFiling is one filing (备案) of a committee with the street office.
type CommitteeFiling struct {
	ID          int64 `gorm:"primaryKey"`
	CommitteeID int64
	Kind        string
	Documents   string // one document per line
	ReferenceNo string
	FiledAt     time.Time
	Overdue     bool
	Note        string
	RecordedBy  string
	CreatedAt   time.Time
}

// TableName is the table of committee filings.
func (CommitteeFiling) TableName() string { return "committee_filings" }

// EstateDelivery is the delivered and total exclusive area (parking spaces excluded)
// and the number of units of an estate, from its roster.
type EstateDelivery struct {
	EstateID      int64
	Units         int
	TotalArea     int64
	DeliveredArea int64
}

// DeliveryStats reads the unit totals of the estates, parking spaces excluded, from
// estate_unit_totals (migration 00043: one row per estate, kept in step with units
// by triggers), by estate id; an estate without units has none.
func DeliveryStats(ctx context.Context, db *gorm.DB, estateIDs []int64) (map[int64]EstateDelivery, error) {
	out := map[int64]EstateDelivery{}
	if len(estateIDs) == 0 {
		return out, nil
	}
	var rows []EstateDelivery
	err := db.WithContext(ctx).Table("estate_unit_totals").Select("estate_id, units, total_area, delivered_area").
		Where("estate_id IN ? AND units > 0", estateIDs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("reading unit totals: %w", err)
	}
	for _, r := range rows {
		out[r.EstateID] = r
	}
	return out, nil
}

// EstateFormations loads the formation facts of the estates, by estate id.
func EstateFormations(ctx context.Context, db *gorm.DB, estateIDs []int64) (map[int64]EstateFormation, error) {
	out := map[int64]EstateFormation{}
	if len(estateIDs) == 0 {
		return out, nil
	}
	var rows []EstateFormation
	if err := db.WithContext(ctx).Where("estate_id IN ?", estateIDs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("reading formation facts: %w", err)
	}
	for _, r := range rows {
		out[r.EstateID] = r
	}
	return out, nil
}

// OpenGroups loads the open (not dissolved) group of each estate that has one.
func OpenGroups(ctx context.Context, db *gorm.DB, estateIDs []int64) (map[int64]FormationGroup, error) {
	out := map[int64]FormationGroup{}
	if len(estateIDs) == 0 {
		return out, nil
	}
	var rows []FormationGroup
	if err := db.WithContext(ctx).Where("open_estate_id IN ?", estateIDs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("reading open groups: %w", err)
	}
	for _, r := range rows {
		out[r.EstateID] = r
	}
	return out, nil
}

// LiveCommittees loads the newest committee of each estate that is not ended (forming,
// formed or filed), by estate id.
func LiveCommittees(ctx context.Context, db *gorm.DB, estateIDs []int64) (map[int64]Committee, error) {
	out := map[int64]Committee{}
	if len(estateIDs) == 0 {
		return out, nil
	}
	var rows []Committee
	if err := db.WithContext(ctx).Where("estate_id IN ? AND status <> ?", estateIDs, CommitteeEnded).
		Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("reading committees: %w", err)
	}
	for _, r := range rows {
		prev, ok := out[r.EstateID]
		// A formed or filed committee outranks a successor that is still forming.
		if !ok || prev.Status == CommitteeForming || r.Status != CommitteeForming {
			out[r.EstateID] = r
		}
	}
	return out, nil
}

// FindGroup loads one group.
func FindGroup(ctx context.Context, db *gorm.DB, id int64) (FormationGroup, error) {
	var g FormationGroup
	if err := db.WithContext(ctx).First(&g, id).Error; err != nil {
		return g, fmt.Errorf("formation group %d: %w", id, err)
	}
	return g, nil
}

// GroupsOfEstate lists an estate's groups, newest first.
func GroupsOfEstate(ctx context.Context, db *gorm.DB, estateID int64) ([]FormationGroup, error) {
	var list []FormationGroup
	if err := db.WithContext(ctx).Where("estate_id = ?", estateID).Order("id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing groups of estate %d: %w", estateID, err)
	}
	return list, nil
}

// GroupMembers lists a group's members (withdrawn ones included), in the order added.
func GroupMembers(ctx context.Context, db *gorm.DB, groupID int64) ([]FormationGroupMember, error) {
	var list []FormationGroupMember
	if err := db.WithContext(ctx).Where("group_id = ?", groupID).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing members of group %d: %w", groupID, err)
	}
	return list, nil
}

// GroupDuties lists a group's checklist in its order.
func GroupDuties(ctx context.Context, db *gorm.DB, groupID int64) ([]FormationDuty, error) {
	var list []FormationDuty
	if err := db.WithContext(ctx).Where("group_id = ?", groupID).Order("position").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing duties of group %d: %w", groupID, err)
	}
	return list, nil
}

// GroupObjections lists a group's objections, oldest first.
func GroupObjections(ctx context.Context, db *gorm.DB, groupID int64) ([]FormationObjection, error) {
	var list []FormationObjection
	if err := db.WithContext(ctx).Where("group_id = ?", groupID).Order("received_at, id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing objections of group %d: %w", groupID, err)
	}
	return list, nil
}

// GroupCandidates lists a group's candidates in the order nominated.
func GroupCandidates(ctx context.Context, db *gorm.DB, groupID int64) ([]Candidate, error) {
	var list []Candidate
	if err := db.WithContext(ctx).Where("group_id = ?", groupID).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing candidates of group %d: %w", groupID, err)
	}
	return list, nil
}

// CurrentChecks lists the current (not superseded) eligibility reviews of the candidates.
func CurrentChecks(ctx context.Context, db *gorm.DB, candidateIDs []int64) ([]EligibilityCheck, error) {
	if len(candidateIDs) == 0 {
		return nil, nil
	}
	var list []EligibilityCheck
	if err := db.WithContext(ctx).Where("candidate_id IN ? AND current_criterion IS NOT NULL", candidateIDs).
		Order("candidate_id, id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("reading eligibility checks: %w", err)
	}
	return list, nil
}

// CandidateListsOfGroup lists a group's candidate list publications, newest first.
func CandidateListsOfGroup(ctx context.Context, db *gorm.DB, groupID int64) ([]CandidateList, error) {
	var list []CandidateList
	if err := db.WithContext(ctx).Where("group_id = ?", groupID).Order("version DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing candidate lists of group %d: %w", groupID, err)
	}
	return list, nil
}

// ListEntries lists the entries of a publication in published order.
func ListEntries(ctx context.Context, db *gorm.DB, listID int64) ([]CandidateListEntry, error) {
	var list []CandidateListEntry
	if err := db.WithContext(ctx).Where("list_id = ?", listID).Order("position").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing entries of candidate list %d: %w", listID, err)
	}
	return list, nil
}

// FindCommittee loads one committee.
func FindCommittee(ctx context.Context, db *gorm.DB, id int64) (Committee, error) {
	var c Committee
	if err := db.WithContext(ctx).First(&c, id).Error; err != nil {
		return c, fmt.Errorf("committee %d: %w", id, err)
	}
	return c, nil
}

// CommitteesOfEstate lists an estate's committees, newest first.
func CommitteesOfEstate(ctx context.Context, db *gorm.DB, estateID int64) ([]Committee, error) {
	var list []Committee
	if err := db.WithContext(ctx).Where("estate_id = ?", estateID).Order("id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing committees of estate %d: %w", estateID, err)
	}
	return list, nil
}

// CommitteeMembers lists a committee's members and alternates: members by rank, then
// alternates in order of succession.
func CommitteeMembers(ctx context.Context, db *gorm.DB, committeeID int64) ([]CommitteeMember, error) {
	var list []CommitteeMember
	if err := db.WithContext(ctx).Where("committee_id = ?", committeeID).
		Order("CASE WHEN role = 'alternate' THEN 1 ELSE 0 END, election_rank, id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing members of committee %d: %w", committeeID, err)
	}
	return list, nil
}

// CommitteeElections lists the elections recorded into a committee, oldest first.
func CommitteeElections(ctx context.Context, db *gorm.DB, committeeID int64) ([]CommitteeElection, error) {
	var list []CommitteeElection
	if err := db.WithContext(ctx).Where("committee_id = ?", committeeID).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing elections of committee %d: %w", committeeID, err)
	}
	return list, nil
}

// CommitteeFilings lists a committee's filings, oldest first.
func CommitteeFilings(ctx context.Context, db *gorm.DB, committeeID int64) ([]CommitteeFiling, error) {
	var list []CommitteeFiling
	if err := db.WithContext(ctx).Where("committee_id = ?", committeeID).Order("filed_at, id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing filings of committee %d: %w", committeeID, err)
	}
	return list, nil
}

// UnitOwnerNames returns the names of the owners of the estate's unit with that room
// key, and whether such a unit exists.
func UnitOwnerNames(ctx context.Context, db *gorm.DB, estateID int64, roomKey string) ([]string, bool, error) {
	var unit Unit
	res := db.WithContext(ctx).Where("estate_id = ? AND room_key = ?", estateID, roomKey).Limit(1).Find(&unit)
	if res.Error != nil {
		return nil, false, fmt.Errorf("finding room %s: %w", roomKey, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, false, nil
	}
	var names []string
	err := db.WithContext(ctx).Table("owners").Select("owners.name").
		Joins("JOIN ownerships ON ownerships.owner_id = owners.id").
		Where("ownerships.unit_id = ?", unit.ID).Order("owners.id").Scan(&names).Error
	if err != nil {
		return nil, true, fmt.Errorf("owners of room %s: %w", roomKey, err)
	}
	return names, true, nil
}

// Committee lot statuses.
const (
	LotPending = "pending" // the tie awaits its public draw
	LotDrawn   = "drawn"   // drawn and recorded
)

// CommitteeLot is a tie across the last alternate place of a recorded election and its
// settlement by a public lot. Candidates, DrawnOrder and Winners are JSON; the draw is
// repeatable from Seed by Method (rules.DrawLot).
type CommitteeLot struct {
	ID          int64 `gorm:"primaryKey"`
	CommitteeID int64
	ElectionID  int64
	Places      int
	InsertRank  int    // the alternate rank the first winner takes; the places after it are kept for the winners
	Candidates  string // JSON: the tied candidates, each with key, name, room, candidate id and count
	Status      string
	Seed        string
	Method      string
	DrawnOrder  *string // JSON list of keys, winners first
	Winners     *string // JSON list of keys
	DrawnAt     *time.Time
	DrawnBy     string
	Place       string
	Witnesses   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName is the table of alternate-place lots.
func (CommitteeLot) TableName() string { return "committee_lots" }

// CommitteeLots lists a committee's lots, oldest first.
func CommitteeLots(ctx context.Context, db *gorm.DB, committeeID int64) ([]CommitteeLot, error) {
	var list []CommitteeLot
	if err := db.WithContext(ctx).Where("committee_id = ?", committeeID).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing lots of committee %d: %w", committeeID, err)
	}
	return list, nil
}

// Transitional body kinds and statuses.
const (
	TransitionalPMC    = "property_management_committee" // 物业管理委员会 (HZ 38-40, BJ)
	TransitionalSelf   = "self_governance"               // 小区自管组织 (seed 003 §(四))
	TransitionalActing = "acting"
	TransitionalEnded  = "ended"
)

// TransitionalBody is the body the street office forms where no committee can be formed.
// OpenEstateID equals EstateID while it acts (a unique key: one acting body per estate).
type TransitionalBody struct {
	ID                   int64 `gorm:"primaryKey"`
	EstateID             int64
	OpenEstateID         *int64
	Kind                 string
	Reason               string
	Status               string
	FormedAt             time.Time
	ListPublishedAt      *time.Time
	ProfileCode          string
	ProfileVersion       string
	EndedAt              *time.Time
	EndedReason          string
	SuccessorCommitteeID *int64
	CreatedBy            string
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// TableName is the table of transitional bodies.
func (TransitionalBody) TableName() string { return "transitional_bodies" }

// TransitionalBodyMember is one member of a transitional body, in list order.
type TransitionalBodyMember struct {
	ID           int64 `gorm:"primaryKey"`
	BodyID       int64
	Position     int
	Role         string
	Name         string
	Organisation string
	Room         string
	Leader       bool
	CreatedAt    time.Time
}

// TableName is the table of transitional body members.
func (TransitionalBodyMember) TableName() string { return "transitional_body_members" }

// ActingTransitionalBodies loads the acting transitional body of each estate that has one.
func ActingTransitionalBodies(ctx context.Context, db *gorm.DB, estateIDs []int64) (map[int64]TransitionalBody, error) {
	out := map[int64]TransitionalBody{}
	if len(estateIDs) == 0 {
		return out, nil
	}
	var rows []TransitionalBody
	if err := db.WithContext(ctx).Where("open_estate_id IN ?", estateIDs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("reading transitional bodies: %w", err)
	}
	for _, r := range rows {
		out[r.EstateID] = r
	}
	return out, nil
}
