package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The states of a vote. A vote is drafted, opened (register frozen, credentials
// issued), closed by the system at its closing time (tally stored), published as a
// preliminary result with an objection window, and finally declared final.
const (
	VoteDraft     = "draft"
	VoteOpen      = "open"
	VoteClosed    = "closed"
	VotePublished = "published"
	VoteFinal     = "final"
)

// The channels a ballot arrives by (docs/rules.md §3).
const (
	ChannelOnline = "online"
	ChannelPaper  = "paper"
	ChannelProxy  = "proxy"
)

// The states of a ballot credential.
const (
	CredentialActive  = "active"
	CredentialRevoked = "revoked"
	CredentialLocked  = "locked"
)

// Vote is one owners' assembly meeting (业主大会会议) of an estate. The frozen totals
// and the stored tally are written once, when the vote opens and when it closes.
type Vote struct {
	ID                int64 `gorm:"primaryKey"`
	EstateID          int64
	Title             string
	LegalProfile      string
	ProfileCode       string
	ProfileVersion    string
	Form              string // "written" (书面征求意见) or "meeting" (集体讨论)
	Convenor          string // committee, preparatory_group, reelection_group, street_office
	Location          string
	NoticePublishedAt time.Time
	OpensAt           time.Time
	ClosesAt          time.Time
	FollowMajority    bool
	State             string
	AgendaRevision    int
	RegisterRule      string
	CountParking      bool
	TotalArea         int64
	TotalHeadcount    int
	OpenedAt          *time.Time
	OpenedBy          *int64
	ClosedAt          *time.Time
	BallotsCounted    int
	TallyJSON         *string `gorm:"column:tally_json"`
	TallySHA256       string  `gorm:"column:tally_sha256"`
	ReceiptsDigest    string
	PublishedAt       *time.Time
	PublishedBy       *int64
	PublishDueAt      *time.Time
	PublishLate       bool
	ObjectionDeadline *time.Time
	FinalisedAt       *time.Time
	FinalisedBy       *int64
	CreatedBy         *int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Published tells whether the vote's result is public: published as a preliminary result
// (objection window) or declared final. Anyone may read a published result and the
// resolution it makes; before that only staff of the estate.
func (v Vote) Published() bool { return v.State == VotePublished || v.State == VoteFinal }

// VoteItem is one agenda item of one agenda revision. Body is the full text shown on
// the ballot; election items carry seats, alternates and candidates.
type VoteItem struct {
	ID          int64 `gorm:"primaryKey"`
	VoteID      int64
	Revision    int
	Position    int
	ItemKey     string
	Title       string
	Body        string
	Matter      string
	Seats       int
	Alternates  int
	ByElection  bool
	VacantSeats int
	// ContractID is the service contract a hire_dismiss_manager item dismisses and
	// CompanyID the company it proposes to hire (migration 00020); nil otherwise.
	ContractID *int64
	CompanyID  *int64
	// RemovalCaseID marks an elect_committee item that decides the removal of a member
	// (agree/oppose/abstain, ordinary double majority) on a founded case (issue 12).
	RemovalCaseID *int64
}

// VoteCandidate is one candidate of an election item, in the order of the published list.
type VoteCandidate struct {
	ID           int64 `gorm:"primaryKey"`
	VoteID       int64
	ItemID       int64
	Position     int
	CandidateKey string
	Name         string
}

// VoteVoter is one voter of the register frozen when the vote opened (C5). Rooms and
// OwnerNames are joined with "、" for display and search; IDCheckHashes holds the
// keyed hashes of the last six ID characters of every owner, space-separated.
type VoteVoter struct {
	ID            int64 `gorm:"primaryKey"`
	VoteID        int64
	VoterKey      string
	Position      int
	Area          int64
	Developer     bool
	Rooms         string
	OwnerNames    string
	IDCheckHashes string
}

// VoteVoterUnit is one unit of a frozen voter.
type VoteVoterUnit struct {
	ID       int64 `gorm:"primaryKey"`
	VoteID   int64
	VoterID  int64
	UnitID   int64
	RoomKey  string
	Building string
	Area     int64
}

// VoteCredential is a voter's personal ballot link. TokenHash (SHA-256) finds it;
// TokenEnc keeps the token encrypted so staff can print it again.
type VoteCredential struct {
	ID           int64 `gorm:"primaryKey"`
	VoteID       int64
	VoterID      int64
	Generation   int
	TokenHash    string
	TokenEnc     string
	Status       string
	FailedChecks int
	IssuedAt     time.Time
	IssuedBy     *int64
	RevokedAt    *time.Time
	RevokedBy    *int64
	RevokeReason string
	LockedAt     *time.Time
}

// Ballot records WHO voted, when and by which channel; what was chosen is in
// BallotContent. It is never updated or deleted; a void is a BallotVoid.
type Ballot struct {
	ID                 int64 `gorm:"primaryKey"`
	VoteID             int64
	VoterID            int64
	Attempt            int
	Channel            string
	CredentialID       *int64
	CastAt             time.Time
	Receipt            string
	EnteredBy          *int64
	EnteredByName      string
	ProxyName          string
	ProxyIDHash        string `gorm:"column:proxy_id_hash"`
	ProxyIDMasked      string `gorm:"column:proxy_id_masked"`
	ProxyAuthorisation string
	Note               string
}

// BallotContent is WHAT a ballot chose, as canonical JSON, with the nonce that went
// into its receipt.
type BallotContent struct {
	BallotID int64 `gorm:"primaryKey;autoIncrement:false"`
	VoteID   int64
	Choices  string
	Nonce    string
}

// BallotVoid is a staff member's void of one ballot, with the reason.
type BallotVoid struct {
	ID           int64 `gorm:"primaryKey"`
	BallotID     int64
	VoteID       int64
	VoterID      int64
	Reason       string
	VoidedBy     *int64
	VoidedByName string
	VoidedAt     time.Time
}

// BallotScan is the scanned original of a paper or proxy ballot.
type BallotScan struct {
	ID             int64 `gorm:"primaryKey"`
	BallotID       int64
	VoteID         int64
	Filename       string
	ContentType    string
	SizeBytes      int64
	SHA256         string `gorm:"column:sha256"`
	Data           []byte
	UploadedBy     *int64
	UploadedByName string
	CreatedAt      time.Time
}

// ProxySlot is one principal a proxy represents in one vote.
type ProxySlot struct {
	ID          int64 `gorm:"primaryKey"`
	VoteID      int64
	ProxyIDHash string `gorm:"column:proxy_id_hash"`
	Slot        int
	VoterID     int64
	BallotID    int64
	CreatedAt   time.Time
}

// VoteObjection is an objection to a preliminary result and its answer.
type VoteObjection struct {
	ID             int64 `gorm:"primaryKey"`
	VoteID         int64
	VoterID        *int64
	CredentialID   *int64
	Submitter      string
	EnteredBy      *int64
	Content        string
	CreatedAt      time.Time
	Answer         *string
	AnsweredBy     *int64
	AnsweredByName string
	AnsweredAt     *time.Time
}

// VoteEvent is an owner-side event of a vote (identity checks, lockouts, objections
// filed by ballot link). It never holds an identity-check answer.
type VoteEvent struct {
	ID           int64 `gorm:"primaryKey"`
	VoteID       int64
	VoterID      *int64
	CredentialID *int64
	Kind         string
	At           time.Time
	Detail       string
	RequestID    string
}

// FindVote loads one vote by id.
func FindVote(ctx context.Context, db *gorm.DB, id int64) (Vote, error) {
	var v Vote
	if err := db.WithContext(ctx).Where("id = ?", id).Take(&v).Error; err != nil {
		return v, fmt.Errorf("vote %d: %w", id, err)
	}
	return v, nil
}

// VotesOfEstate lists an estate's votes, newest first.
func VotesOfEstate(ctx context.Context, db *gorm.DB, estateID int64) ([]Vote, error) {
	var list []Vote
	err := db.WithContext(ctx).Omit("tally_json").Where("estate_id = ?", estateID).
		Order("created_at DESC, id DESC").Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("votes of estate %d: %w", estateID, err)
	}
	return list, nil
}

// OpenVotes lists the votes in the open state with their closing times (the
// closer picks the due ones).
func OpenVotes(ctx context.Context, db *gorm.DB) ([]Vote, error) {
	var list []Vote
	err := db.WithContext(ctx).Select("id", "closes_at", "state").Where("state = ?", VoteOpen).
		Order("closes_at, id").Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("open votes: %w", err)
	}
	return list, nil
}

// AgendaItems loads the items of one agenda revision in order, with their candidates.
func AgendaItems(ctx context.Context, db *gorm.DB, voteID int64, revision int) ([]VoteItem, map[int64][]VoteCandidate, error) {
	var items []VoteItem
	if err := db.WithContext(ctx).Where("vote_id = ? AND revision = ?", voteID, revision).
		Order("position").Find(&items).Error; err != nil {
		return nil, nil, fmt.Errorf("items of vote %d: %w", voteID, err)
	}
	cands := map[int64][]VoteCandidate{}
	var ids []int64
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	if len(ids) > 0 {
		var list []VoteCandidate
		if err := db.WithContext(ctx).Where("item_id IN ?", ids).Order("item_id, position").Find(&list).Error; err != nil {
			return nil, nil, fmt.Errorf("candidates of vote %d: %w", voteID, err)
		}
		for _, c := range list {
			cands[c.ItemID] = append(cands[c.ItemID], c)
		}
	}
	return items, cands, nil
}

// CredentialByTokenHash is a credential found by its token hash, with its vote's
// timing and state and the voter's identity-check hashes.
type CredentialByTokenHash struct {
	CredentialID   int64
	TokenHash      string
	VoteID         int64
	VoterID        int64
	Status         string
	FailedChecks   int
	State          string
	OpensAt        time.Time
	ClosesAt       time.Time
	ProfileCode    string
	LegalProfile   string
	AgendaRevision int
	VoterKey       string
	IDCheckHashes  string
	Voids          int   // voided ballots of the voter: a new ballot's attempt is Voids + 1
	Ballots        int   // every ballot of the voter, voided or not: more than Voids means one is live
	Area           int64 // the voter's frozen area, 0.01 m² (the ballot log's leaf weight)

	ObjectionDeadline *time.Time // set by the publication: objections accepted until then
}

// HasLiveBallot tells whether the voter held a ballot that is not voided when the
// row was read.
func (c CredentialByTokenHash) HasLiveBallot() bool { return c.Ballots > c.Voids }

// Vote returns the part of the credential's vote the row holds: id, state, timing
// (with the objection deadline), profiles and agenda revision.
func (c CredentialByTokenHash) Vote() Vote {
	return Vote{ID: c.VoteID, State: c.State, OpensAt: c.OpensAt, ClosesAt: c.ClosesAt, ObjectionDeadline: c.ObjectionDeadline,
		ProfileCode: c.ProfileCode, LegalProfile: c.LegalProfile, AgendaRevision: c.AgendaRevision}
}

// CredentialByTokenHashQuery is the SQL of FindCredentialByTokenHash: one
// parameter, the token hash; lockSuffix ("" or a dialect's shared-lock clause) is
// appended so that a cast can hold the vote row against a concurrent close.
func CredentialByTokenHashQuery(lockSuffix string) string {
	return credentialSelect + "WHERE c.token_hash = ?" + lockSuffix
}

// CredentialsByTokenHashesQuery reads the credentials of n token hashes (its n
// parameters) in one query, in the columns of CredentialByTokenHashQuery.
func CredentialsByTokenHashesQuery(n int) string {
	return credentialSelect + "WHERE c.token_hash IN (" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// credentialSelect is what a ballot cast needs to know of a credential, its vote and
// its voter; ScanCredentialRow reads a row of it.
const credentialSelect = `SELECT c.id, c.token_hash, c.vote_id, c.voter_id, c.status, c.failed_checks,
			v.state, v.opens_at, v.closes_at, v.objection_deadline, v.profile_code, v.legal_profile, v.agenda_revision, vv.voter_key, vv.id_check_hashes,
			(SELECT COUNT(*) FROM ballot_voids bv WHERE bv.vote_id = c.vote_id AND bv.voter_id = c.voter_id),
			(SELECT COUNT(*) FROM ballots b WHERE b.vote_id = c.vote_id AND b.voter_id = c.voter_id), vv.area
		FROM vote_credentials c
		JOIN votes v ON v.id = c.vote_id
		JOIN vote_voters vv ON vv.id = c.voter_id
		`

// ScanCredential reads the first row of CredentialByTokenHashQuery and closes rows;
// no row is gorm.ErrRecordNotFound.
func ScanCredential(rows *sql.Rows) (CredentialByTokenHash, error) {
	defer rows.Close()
	var row CredentialByTokenHash
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return row, fmt.Errorf("credential: %w", err)
		}
		return row, fmt.Errorf("credential: %w", gorm.ErrRecordNotFound)
	}
	return ScanCredentialRow(rows)
}

// ScanCredentialRow reads the current row of a credential query.
func ScanCredentialRow(rows *sql.Rows) (CredentialByTokenHash, error) {
	var row CredentialByTokenHash
	if err := rows.Scan(&row.CredentialID, &row.TokenHash, &row.VoteID, &row.VoterID, &row.Status, &row.FailedChecks, &row.State, &row.OpensAt,
		&row.ClosesAt, &row.ObjectionDeadline, &row.ProfileCode, &row.LegalProfile, &row.AgendaRevision, &row.VoterKey, &row.IDCheckHashes, &row.Voids, &row.Ballots, &row.Area); err != nil {
		return row, fmt.Errorf("credential: %w", err)
	}
	return row, nil
}

// FindCredentialByTokenHash loads a credential with what a ballot cast needs, in one
// query (see CredentialByTokenHashQuery).
func FindCredentialByTokenHash(ctx context.Context, db *gorm.DB, tokenHash, lockSuffix string) (CredentialByTokenHash, error) {
	rows, err := db.WithContext(ctx).Raw(CredentialByTokenHashQuery(lockSuffix), tokenHash).Rows()
	if err != nil {
		return CredentialByTokenHash{}, fmt.Errorf("credential: %w", err)
	}
	return ScanCredential(rows)
}

// LiveBallot is a voter's ballot that has not been voided.
type LiveBallot struct {
	ID      int64
	Channel string
	CastAt  time.Time
	Receipt string
}

// LiveBallotOf returns the voter's live ballot, or gorm.ErrRecordNotFound.
func LiveBallotOf(ctx context.Context, db *gorm.DB, voteID, voterID int64) (LiveBallot, error) {
	var b LiveBallot
	res := db.WithContext(ctx).Raw(`SELECT b.id, b.channel, b.cast_at, b.receipt FROM ballots b
		LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id
		WHERE b.vote_id = ? AND b.voter_id = ? AND bv.id IS NULL ORDER BY b.attempt DESC`, voteID, voterID).Limit(1).Scan(&b)
	if res.Error != nil {
		return b, fmt.Errorf("live ballot of voter %d: %w", voterID, res.Error)
	}
	if res.RowsAffected == 0 {
		return b, fmt.Errorf("live ballot of voter %d: %w", voterID, gorm.ErrRecordNotFound)
	}
	return b, nil
}

// TallyRow is one ballot of a vote as the tally reads it: its receipt, whether it
// was voided, the voter's frozen area and the canonical choices (valid only during
// the callback that receives it).
type TallyRow struct {
	Receipt string
	Voided  bool
	Area    int64
	Choices []byte
}

// EachTallyRow streams every ballot of a vote, voided ones included (100,000 rows
// and more). The caller says which plan suits the database (database.DialectOf):
// on SQLite one four-way join (its rowid lookups are cheap); on MySQL (scans true)
// four single-table scans joined in memory, several times faster there than
// looking up every ballot's voter and contents by primary key.
func EachTallyRow(ctx context.Context, db *gorm.DB, voteID int64, scans bool, fn func(TallyRow) error) error {
	if scans {
		return eachTallyRowScans(ctx, db, voteID, fn)
	}
	rows, err := db.WithContext(ctx).Raw(`SELECT b.receipt, CASE WHEN bv.id IS NULL THEN 0 ELSE 1 END, vv.area, bc.choices
		FROM ballots b
		JOIN vote_voters vv ON vv.id = b.voter_id
		JOIN ballot_contents bc ON bc.ballot_id = b.id
		LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id
		WHERE b.vote_id = ?`, voteID).Rows()
	if err != nil {
		return fmt.Errorf("ballots of vote %d: %w", voteID, err)
	}
	defer rows.Close()
	var (
		row     TallyRow
		voided  int
		choices sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&row.Receipt, &voided, &row.Area, &choices); err != nil {
			return fmt.Errorf("ballots of vote %d: %w", voteID, err)
		}
		row.Voided, row.Choices = voided != 0, choices
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ballots of vote %d: %w", voteID, err)
	}
	return nil
}

// eachTallyRowScans is EachTallyRow by single-table scans joined in memory.
func eachTallyRowScans(ctx context.Context, db *gorm.DB, voteID int64, fn func(TallyRow) error) error {
	wrap := func(err error) error { return fmt.Errorf("ballots of vote %d: %w", voteID, err) }
	areas := map[int64]int64{}
	if err := scanRows(ctx, db, "SELECT id, area FROM vote_voters WHERE vote_id = ?", voteID, func(rows *sql.Rows) error {
		var id, area int64
		if err := rows.Scan(&id, &area); err != nil {
			return err
		}
		areas[id] = area
		return nil
	}); err != nil {
		return wrap(err)
	}
	voided := map[int64]bool{}
	if err := scanRows(ctx, db, "SELECT ballot_id FROM ballot_voids WHERE vote_id = ?", voteID, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		voided[id] = true
		return nil
	}); err != nil {
		return wrap(err)
	}
	type ballot struct {
		area    int64
		receipt string
	}
	ballots := make(map[int64]ballot, len(areas))
	if err := scanRows(ctx, db, "SELECT id, voter_id, receipt FROM ballots WHERE vote_id = ?", voteID, func(rows *sql.Rows) error {
		var id, voterID int64
		var receipt string
		if err := rows.Scan(&id, &voterID, &receipt); err != nil {
			return err
		}
		ballots[id] = ballot{area: areas[voterID], receipt: receipt}
		return nil
	}); err != nil {
		return wrap(err)
	}
	seen := 0
	err := scanRows(ctx, db, "SELECT ballot_id, choices FROM ballot_contents WHERE vote_id = ?", voteID, func(rows *sql.Rows) error {
		var id int64
		var choices sql.RawBytes
		if err := rows.Scan(&id, &choices); err != nil {
			return err
		}
		b, ok := ballots[id]
		if !ok {
			return fmt.Errorf("contents of ballot %d without a ballot", id)
		}
		seen++
		return fn(TallyRow{Receipt: b.receipt, Voided: voided[id], Area: b.area, Choices: choices})
	})
	if err != nil {
		return wrap(err)
	}
	if seen != len(ballots) {
		return wrap(fmt.Errorf("%d ballots but %d contents", len(ballots), seen))
	}
	return nil
}

// scanRows runs a query with one argument and calls fn for every row.
func scanRows(ctx context.Context, db *gorm.DB, query string, arg any, fn func(*sql.Rows) error) error {
	rows, err := db.WithContext(ctx).Raw(query, arg).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// BuildingParticipation is the register and the participation of one building.
type BuildingParticipation struct {
	Building               string
	Units                  int
	Area                   int64
	Voters                 int
	ParticipatingUnits     int
	ParticipatingArea      int64
	ParticipatingHeadcount int
}

// ParticipationByBuilding counts, per building of the frozen register, the units,
// their area and voters, and those of voters holding a live ballot. A voter with
// units in two buildings counts in both.
func ParticipationByBuilding(ctx context.Context, db *gorm.DB, voteID int64) ([]BuildingParticipation, error) {
	var rows []BuildingParticipation
	err := db.WithContext(ctx).Raw(`SELECT u.building,
			COUNT(*) AS units, COALESCE(SUM(u.area), 0) AS area, COUNT(DISTINCT u.voter_id) AS voters,
			COUNT(lb.voter_id) AS participating_units,
			COALESCE(SUM(CASE WHEN lb.voter_id IS NULL THEN 0 ELSE u.area END), 0) AS participating_area,
			COUNT(DISTINCT lb.voter_id) AS participating_headcount
		FROM vote_voter_units u
		LEFT JOIN (SELECT DISTINCT b.voter_id FROM ballots b LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id
			WHERE b.vote_id = ? AND bv.id IS NULL) lb ON lb.voter_id = u.voter_id
		WHERE u.vote_id = ?
		GROUP BY u.building`, voteID, voteID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("participation by building of vote %d: %w", voteID, err)
	}
	return rows, nil
}

// ChannelCount is the number of live ballots of one channel, with their area.
type ChannelCount struct {
	Channel   string
	Headcount int
	Area      int64
}

// ParticipationByChannel counts the live ballots of a vote per channel.
func ParticipationByChannel(ctx context.Context, db *gorm.DB, voteID int64) ([]ChannelCount, error) {
	var rows []ChannelCount
	err := db.WithContext(ctx).Raw(`SELECT b.channel, COUNT(*) AS headcount, COALESCE(SUM(vv.area), 0) AS area
		FROM ballots b JOIN vote_voters vv ON vv.id = b.voter_id
		LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id
		WHERE b.vote_id = ? AND bv.id IS NULL GROUP BY b.channel`, voteID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("participation by channel of vote %d: %w", voteID, err)
	}
	return rows, nil
}

// CountVoids counts the voided ballots of a vote.
func CountVoids(ctx context.Context, db *gorm.DB, voteID int64) (int, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&BallotVoid{}).Where("vote_id = ?", voteID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("voids of vote %d: %w", voteID, err)
	}
	return int(n), nil
}
