package voting

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/ballotlog"
	"gongzhi/app/database"
	"gongzhi/app/pii"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Separators of the joined text columns of a frozen voter.
const (
	roomSep = ","
	nameSep = "、"
	hashSep = " "
)

// OpenResult describes the register frozen when a vote opened.
type OpenResult struct {
	Voters         int
	Units          int
	TotalArea      rules.Area
	TotalHeadcount int
	RegisterRule   rules.CoOwnerRule
	CountParking   bool
}

// newToken returns a ballot token: 32 random bytes (256 bits), base64url.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// newCredential builds a fresh active credential row and returns it with its token.
func (s *Service) newCredential(voteID, voterID int64, generation int, now time.Time, by *int64) (models.VoteCredential, string, error) {
	token, err := newToken()
	if err != nil {
		return models.VoteCredential{}, "", err
	}
	enc, err := s.pii.Encrypt(token)
	if err != nil {
		return models.VoteCredential{}, "", fmt.Errorf("encrypting token: %w", err)
	}
	return models.VoteCredential{VoteID: voteID, VoterID: voterID, Generation: generation, TokenHash: hashToken(token), TokenEnc: enc,
		Status: models.CredentialActive, IssuedAt: now, IssuedBy: by}, token, nil
}

// Open freezes the estate's voter register for the vote (C5) and issues one personal
// credential per voter, all in one transaction. It refuses a vote that is not a
// draft, whose closing time has passed, or whose estate has an empty roster.
func (s *Service) Open(ctx context.Context, p app.Principal, voteID int64) (OpenResult, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return OpenResult{}, err
	}
	if v.State != models.VoteDraft {
		return OpenResult{}, app.Fail(app.EConflict, "err.voting.the_vote_is_already_open")
	}
	now := s.now()
	if !now.Before(v.ClosesAt) {
		return OpenResult{}, app.Fail(app.EConflict, "err.voting.the_closing_time_has_passed_2")
	}
	var by *int64
	if p.UserID != 0 {
		uid := p.UserID
		by = &uid
	}
	var out OpenResult
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&models.Vote{}).Where("id = ? AND state = ?", v.ID, models.VoteDraft).
			Updates(map[string]any{"state": models.VoteOpen, "opened_at": now, "opened_by": by, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("opening vote: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.voting.the_vote_is_already_open")
		}
		snap, err := s.roster.Snapshot(ctx, tx, v.EstateID)
		if err != nil {
			return err
		}
		if len(snap.Voters) == 0 {
			return app.Fail(app.EConflict, "err.voting.the_estate_s_roster_is_empty_import_it_first")
		}
		reg := snap.Register
		batch := database.DialectOf(tx).InsertBatchRows()
		if err := tx.Model(&models.Vote{}).Where("id = ?", v.ID).Updates(map[string]any{
			"total_area": int64(reg.TotalArea), "total_headcount": reg.TotalHeadcount,
			"register_rule": string(reg.Rule), "count_parking": reg.CountParking}).Error; err != nil {
			return fmt.Errorf("storing totals: %w", err)
		}
		voters := make([]models.VoteVoter, len(snap.Voters))
		for i, sv := range snap.Voters {
			voters[i] = models.VoteVoter{VoteID: v.ID, VoterKey: sv.Key, Position: i + 1, Area: int64(sv.Area), Developer: sv.Developer,
				Rooms: strings.Join(sv.Rooms, roomSep), OwnerNames: strings.Join(sv.OwnerNames, nameSep),
				IDCheckHashes: strings.Join(sv.Last6Hashes, hashSep)}
		}
		if err := tx.CreateInBatches(&voters, batch).Error; err != nil {
			return fmt.Errorf("freezing voters: %w", err)
		}
		// Read the ids back rather than trusting consecutive auto-increment values.
		var ids []struct {
			ID       int64
			VoterKey string
		}
		if err := tx.Model(&models.VoteVoter{}).Select("id, voter_key").Where("vote_id = ?", v.ID).Scan(&ids).Error; err != nil {
			return fmt.Errorf("reading voter ids: %w", err)
		}
		idOf := make(map[string]int64, len(ids))
		for _, r := range ids {
			idOf[r.VoterKey] = r.ID
		}
		var units []models.VoteVoterUnit
		creds := make([]models.VoteCredential, 0, len(snap.Voters))
		for _, sv := range snap.Voters {
			voterID := idOf[sv.Key]
			for _, u := range sv.Units {
				units = append(units, models.VoteVoterUnit{VoteID: v.ID, VoterID: voterID, UnitID: u.UnitID, RoomKey: u.RoomKey,
					Building: u.Building, Area: int64(u.Area)})
			}
			c, _, err := s.newCredential(v.ID, voterID, 1, now, by)
			if err != nil {
				return err
			}
			creds = append(creds, c)
		}
		if err := tx.CreateInBatches(&units, batch).Error; err != nil {
			return fmt.Errorf("freezing units: %w", err)
		}
		if err := tx.CreateInBatches(&creds, batch).Error; err != nil {
			return fmt.Errorf("issuing credentials: %w", err)
		}
		// The empty ballot log, so that the first casts lock its row (ballotlog.go).
		if err := ballotlog.Init(ctx, tx.Statement.ConnPool, v.ID, now); err != nil {
			return err
		}
		out = OpenResult{Voters: len(voters), Units: len(units), TotalArea: reg.TotalArea, TotalHeadcount: reg.TotalHeadcount,
			RegisterRule: reg.Rule, CountParking: reg.CountParking}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.open", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"voters": out.Voters, "units": out.Units, "total_area": reg.TotalArea.String(),
				"total_headcount": reg.TotalHeadcount, "register_rule": string(reg.Rule)}})
	})
	if err != nil {
		return OpenResult{}, app.AsErrorOrNil(err)
	}
	return out, nil
}

// BallotMark says that and how a voter has a live (not voided) ballot.
type BallotMark struct {
	BallotID int64
	Channel  string
	CastAt   time.Time
}

// Credential is a voter's current personal ballot link, for printing notices with QR
// codes. Owners are masked names.
type Credential struct {
	VoterID      int64
	Rooms        []string
	Area         rules.Area
	Owners       []string
	Developer    bool
	Token        string
	URL          string
	Code         string // the short code typed at CodeURL instead of the URL (shortcode.go)
	CodeURL      string
	Status       string // active or locked
	FailedChecks int
	AttemptsLeft int
	Generation   int
	IssuedAt     time.Time
	Voted        *BallotMark
}

// maskedNames splits stored owner names and masks each for display.
func maskedNames(joined string) []string {
	if joined == "" {
		return []string{}
	}
	names := strings.Split(joined, nameSep)
	for i, n := range names {
		names[i] = pii.MaskName(n)
	}
	return names
}

// splitRooms splits stored room keys.
func splitRooms(joined string) []string {
	if joined == "" {
		return []string{}
	}
	return strings.Split(joined, roomSep)
}

// liveBallots maps each voter with a live ballot in the vote to that ballot.
func liveBallots(ctx context.Context, db *gorm.DB, voteID int64) (map[int64]BallotMark, error) {
	return liveBallotsOf(ctx, db, voteID, nil)
}

// liveBallotsOf is liveBallots restricted to some voters (nil: all voters).
func liveBallotsOf(ctx context.Context, db *gorm.DB, voteID int64, voterIDs []int64) (map[int64]BallotMark, error) {
	var rows []struct {
		ID      int64
		VoterID int64
		Channel string
		CastAt  time.Time
	}
	q := db.WithContext(ctx).Table("ballots b").Select("b.id, b.voter_id, b.channel, b.cast_at").
		Joins("LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id").Where("b.vote_id = ? AND bv.id IS NULL", voteID)
	if voterIDs != nil {
		if len(voterIDs) == 0 {
			return map[int64]BallotMark{}, nil
		}
		q = q.Where("b.voter_id IN ?", voterIDs)
	}
	err := q.Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("live ballots of vote %d: %w", voteID, err)
	}
	out := make(map[int64]BallotMark, len(rows))
	for _, r := range rows {
		out[r.VoterID] = BallotMark{BallotID: r.ID, Channel: r.Channel, CastAt: r.CastAt}
	}
	return out, nil
}

// credentialRow is a current credential joined with its voter.
type credentialRow struct {
	models.VoteCredential
	Rooms      string
	Area       int64
	OwnerNames string
	Developer  bool
}

// toCredential decrypts the token and shapes one credential.
func (s *Service) toCredential(r credentialRow, maxAttempts int, live map[int64]BallotMark) (Credential, error) {
	token, err := s.pii.Decrypt(r.TokenEnc)
	if err != nil {
		return Credential{}, fmt.Errorf("decrypting credential %d: %w", r.ID, err)
	}
	c := Credential{VoterID: r.VoterID, Rooms: splitRooms(r.Rooms), Area: rules.Area(r.Area), Owners: maskedNames(r.OwnerNames),
		Developer: r.Developer, Token: token, URL: s.BallotURL(token), Code: ShortCode(token), CodeURL: s.CodeURL(), Status: r.Status, FailedChecks: r.FailedChecks,
		AttemptsLeft: max(maxAttempts-r.FailedChecks, 0), Generation: r.Generation, IssuedAt: r.IssuedAt}
	if r.Status != models.CredentialActive {
		c.AttemptsLeft = 0
	}
	if m, ok := live[r.VoterID]; ok {
		c.Voted = &m
	}
	return c, nil
}

// Credentials lists the current credential of every voter of an opened vote, in
// register order, with token and URL. Only staff who may change the vote see them
// (a token lets its holder vote).
func (s *Service) Credentials(ctx context.Context, p app.Principal, voteID int64) ([]Credential, error) {
	v, _, err := s.loadVoteFor(ctx, p, voteID, access.ReadBallotLinks)
	if err != nil {
		return nil, err
	}
	if v.State == models.VoteDraft {
		return nil, app.Fail(app.EConflict, "err.voting.the_vote_is_not_open_no_credentials_yet")
	}
	var rows []credentialRow
	err = s.db.WithContext(ctx).Table("vote_credentials").
		Select("vote_credentials.*, vote_voters.rooms, vote_voters.area, vote_voters.owner_names, vote_voters.developer").
		Joins("JOIN vote_voters ON vote_voters.id = vote_credentials.voter_id").
		Where("vote_credentials.vote_id = ? AND vote_credentials.status <> ?", v.ID, models.CredentialRevoked).
		Order("vote_voters.position").Scan(&rows).Error
	if err != nil {
		return nil, app.Internal(fmt.Errorf("credentials of vote %d: %w", v.ID, err))
	}
	live, err := liveBallots(ctx, s.db, v.ID)
	if err != nil {
		return nil, app.Internal(err)
	}
	maxAttempts := profileOf(v).IdentityCheckAttempts
	out := make([]Credential, 0, len(rows))
	for _, r := range rows {
		c, err := s.toCredential(r, maxAttempts, live)
		if err != nil {
			return nil, app.Internal(err)
		}
		out = append(out, c)
	}
	return out, nil
}

// RevokeAndReissue revokes a voter's current credential (lost, or locked after wrong
// identity checks) and issues a new one, while the vote has not closed. The reason
// is kept with the revoked credential and in the audit trail.
func (s *Service) RevokeAndReissue(ctx context.Context, p app.Principal, voteID, voterID int64, reason string) (Credential, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return Credential{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Credential{}, app.Invalid("reason", app.M("err.voting.give_a_reason"))
	}
	if utf8.RuneCountInString(reason) > 200 {
		return Credential{}, app.Invalid("reason", app.M("err.voting.at_most_200_characters"))
	}
	now := s.now()
	switch phaseOf(v, now) {
	case PhaseScheduled, PhaseVoting:
	case PhaseDraft:
		return Credential{}, app.Fail(app.EConflict, "err.voting.the_vote_is_not_open")
	default:
		return Credential{}, app.Fail(app.EConflict, "err.voting.voting_has_closed")
	}
	var by *int64
	if p.UserID != 0 {
		uid := p.UserID
		by = &uid
	}
	var row credentialRow
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var voter models.VoteVoter
		if err := tx.Where("id = ? AND vote_id = ?", voterID, v.ID).Take(&voter).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return app.Fail(app.ENotFound, "err.voting.no_such_voter_in_this_vote")
			}
			return fmt.Errorf("voter %d: %w", voterID, err)
		}
		var gen int
		if err := tx.Model(&models.VoteCredential{}).Select("COALESCE(MAX(generation), 0)").
			Where("vote_id = ? AND voter_id = ?", v.ID, voterID).Scan(&gen).Error; err != nil {
			return fmt.Errorf("credential generation: %w", err)
		}
		if err := tx.Model(&models.VoteCredential{}).
			Where("vote_id = ? AND voter_id = ? AND status <> ?", v.ID, voterID, models.CredentialRevoked).
			Updates(map[string]any{"status": models.CredentialRevoked, "revoked_at": now, "revoked_by": by, "revoke_reason": reason}).Error; err != nil {
			return fmt.Errorf("revoking credential: %w", err)
		}
		c, _, err := s.newCredential(v.ID, voterID, gen+1, now, by)
		if err != nil {
			return err
		}
		if err := tx.Create(&c).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.voting.the_credential_was_reissued_meanwhile")
			}
			return fmt.Errorf("issuing credential: %w", err)
		}
		row = credentialRow{VoteCredential: c, Rooms: voter.Rooms, Area: voter.Area, OwnerNames: voter.OwnerNames, Developer: voter.Developer}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.credential.reissue", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"voter_id": voterID, "rooms": voter.Rooms, "generation": gen + 1, "reason": reason}})
	})
	if err != nil {
		return Credential{}, app.AsErrorOrNil(err)
	}
	live, err := liveBallotsOf(ctx, s.db, v.ID, []int64{voterID})
	if err != nil {
		return Credential{}, app.Internal(err)
	}
	c, err := s.toCredential(row, profileOf(v).IdentityCheckAttempts, live)
	if err != nil {
		return Credential{}, app.Internal(err)
	}
	return c, nil
}
