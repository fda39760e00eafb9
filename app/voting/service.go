// Package voting runs owners' assembly votes (业主大会会议表决) from draft to final
// result (docs/rules.md §2-3): agendas whose items are classified by the nine matters,
// opening (the register frozen from app/roster, one personal credential per voter),
// ballots by three equally valid channels (online after an identity check, paper and
// proxy entered by staff) under one UNIQUE one-ballot-per-voter rule, voids with a
// reason, live participation, closing by the system at the closing time with the
// tally of app/rules stored and hashed, publication with an objection window, and
// receipts anyone can check.
//
// Each use case runs in one transaction, checks the caller's jurisdiction through
// app/orgs, records staff changes in the audit trail and returns app.Error codes.
package voting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/calendar"
	"gongzhi/app/database"
	"gongzhi/app/orgs"
	"gongzhi/app/pii"
	"gongzhi/app/roster"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Service is the voting service. It is safe for concurrent use.
type Service struct {
	db        *gorm.DB
	stmts     preparedStatements              // the online cast's statements, prepared once
	casts     *batcher[*pendingCast, castKey] // group commit of online ballots
	reads     *batcher[*pendingCheck, string] // identity checks of personal links, admitted together (admission.go)
	orgs      *orgs.Service
	roster    *roster.Service
	pii       *pii.Protector
	publicURL string
	log       *slog.Logger
	dialect   database.Dialect // the locking clauses and batch sizes of s.db
	// clientKey keys the hash of a caster's address (clientHash), derived once.
	clientKeyOnce sync.Once
	clientKey     []byte

	clock app.Clock

	// agendas caches the agenda of votes that are no longer drafts: it is frozen from
	// the notice on (T3), so every instance may keep its own copy.
	agendas sync.Map // vote id → *agenda

	// calendars is the working calendar (app/calendar); nil: the shipped notices only.
	calendars calendar.Source

	observer Observer // nil: none (SetObserver)

	removals RemovalCases  // nil: no removal item is accepted (SetRemovalCases, removal.go)
	finals   FinalListener // nil: none (SetFinalListener, removal.go)
	blog     ballotLog     // the per-vote ballot log (ballotlog.go)
	// published is told of published results (SetPublishListener, publication.go).
	published PublishListener
}

// New builds the service; clock (nil: the system clock) is the only time it reads. publicURL is the base of the personal ballot links
// (PUBLIC_URL); a link is publicURL + "/b/" + token. log (nil: none) receives what
// the service notices by itself, such as a batch of ballots it had to write one by one.
func New(db *gorm.DB, clock app.Clock, orgSvc *orgs.Service, rosterSvc *roster.Service, protector *pii.Protector, publicURL string, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		log:       log,
		db:        db,
		dialect:   database.DialectOf(db),
		orgs:      orgSvc,
		roster:    rosterSvc,
		pii:       protector,
		publicURL: strings.TrimRight(publicURL, "/"),
		clock:     app.ClockOrSystem(clock),
	}
	s.blog.signer = defaultLogSigner(protector)
	// SQLite runs one writer at a time, so one batch writer; MySQL overlaps a few
	// transactions, letting InnoDB share their log flushes too.
	s.casts = &batcher[*pendingCast, castKey]{maxWorkers: 1, maxBatch: castBatchSQLite, serve: s.writeCastBatch, key: keyOfCast}
	s.reads = &batcher[*pendingCheck, string]{maxWorkers: readWorkers, maxBatch: readBatch, serve: s.admitChecks}
	if s.dialect.MySQL() {
		s.casts.maxWorkers, s.casts.maxBatch = castWritersMySQL, castBatchMySQL
	} else {
		s.reads.maxWorkers = 1 // one admission worker decides every identity check in turn (admission.go)
	}
	return s
}

// now is the current instant in UTC at the microsecond precision both databases keep.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// BallotURL is the personal link a credential's QR code holds.
func (s *Service) BallotURL(token string) string { return s.publicURL + "/b/" + token }

// hashToken is the stored lookup form of a ballot token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ErrVoteNotFound is the answer for a vote that does not exist or lies outside the
// caller's jurisdiction (existence does not leak). Sibling services that read a vote's
// record (Record) answer with it too.
func ErrVoteNotFound() error { return app.Fail(app.ENotFound, "err.voting.vote_not_found") }

// loadVote loads a vote the principal may see (read access).
func (s *Service) loadVote(ctx context.Context, p app.Principal, voteID int64) (models.Vote, models.EstateWithPath, error) {
	v, err := models.FindVote(ctx, s.db, voteID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return v, models.EstateWithPath{}, ErrVoteNotFound()
	}
	if err != nil {
		return v, models.EstateWithPath{}, app.Internal(err)
	}
	e, err := s.orgs.Estate(ctx, p, v.EstateID)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return v, e, ErrVoteNotFound()
		}
		return v, e, err
	}
	return v, e, nil
}

// loadVoteForChange loads a vote the principal may run (access.RunVote).
func (s *Service) loadVoteForChange(ctx context.Context, p app.Principal, voteID int64) (models.Vote, models.EstateWithPath, error) {
	return s.loadVoteFor(ctx, p, voteID, access.RunVote)
}

// loadVoteFor loads a vote for an action: the role is checked first (403 whatever the
// vote's state or existence), then the jurisdiction (404 outside it).
func (s *Service) loadVoteFor(ctx context.Context, p app.Principal, voteID int64, act access.Action) (models.Vote, models.EstateWithPath, error) {
	if err := access.Require(p, act); err != nil {
		return models.Vote{}, models.EstateWithPath{}, err
	}
	return s.loadVote(ctx, p, voteID)
}

// lockVote re-reads the vote inside tx, holding it (MySQL: a shared row lock) so that
// the system cannot close it while the transaction adds or voids a ballot.
func (s *Service) lockVote(ctx context.Context, tx *gorm.DB, voteID int64) (models.Vote, error) {
	var v models.Vote
	res := tx.WithContext(ctx).Raw("SELECT * FROM votes WHERE id = ?"+s.dialect.ShareLock(), voteID).Scan(&v)
	if res.Error != nil {
		return v, fmt.Errorf("locking vote %d: %w", voteID, res.Error)
	}
	if res.RowsAffected == 0 {
		return v, ErrVoteNotFound()
	}
	return v, nil
}

// profileOf returns the jurisdiction profile a vote was created under.
func profileOf(v models.Vote) rules.JurisdictionProfile {
	return rules.ProfileOrDefault(v.ProfileCode)
}

// Phase describes where a vote stands at an instant, finer than its stored state.
type Phase string

// The phases of a vote.
const (
	PhaseDraft     Phase = "draft"     // agenda being prepared; no register yet
	PhaseScheduled Phase = "scheduled" // opened (register frozen, credentials issued), voting not yet started
	PhaseVoting    Phase = "voting"    // ballots accepted
	PhaseCounting  Phase = "counting"  // closing time passed; the closer has not yet stored the tally
	PhaseClosed    Phase = "closed"    // tally stored, not yet published
	PhasePublished Phase = "published" // preliminary result published; objection window
	PhaseFinal     Phase = "final"     // final result
)

// phaseOf computes the phase of v at now.
func phaseOf(v models.Vote, now time.Time) Phase {
	switch v.State {
	case models.VoteDraft:
		return PhaseDraft
	case models.VoteOpen:
		switch {
		case now.Before(v.OpensAt):
			return PhaseScheduled
		case now.Before(v.ClosesAt):
			return PhaseVoting
		}
		return PhaseCounting
	case models.VoteClosed:
		return PhaseClosed
	case models.VotePublished:
		return PhasePublished
	}
	return PhaseFinal
}

// acceptingBallots refuses a ballot or a void outside the voting period with 410.
func acceptingBallots(v models.Vote, now time.Time) error {
	switch phaseOf(v, now) {
	case PhaseVoting:
		return nil
	case PhaseDraft, PhaseScheduled:
		return app.Fail(app.EGone, "err.voting.voting_has_not_started_yet", showTime(v.OpensAt))
	}
	return app.Fail(app.EGone, "err.voting.voting_closed", showTime(v.ClosesAt))
}

// showTime formats an instant for messages, in Asia/Shanghai.
func showTime(t time.Time) string {
	return t.In(rules.Shanghai()).Format("2006-01-02 15:04")
}

// recordEvent writes an owner-side event of a vote through tx.
func recordEvent(ctx context.Context, tx *gorm.DB, ev models.VoteEvent) error {
	ev.RequestID = app.RequestID(ctx)
	if err := tx.WithContext(ctx).Create(&ev).Error; err != nil {
		return fmt.Errorf("recording vote event %s: %w", ev.Kind, err)
	}
	return nil
}

// RunCloser closes due votes every interval until ctx ends: at once on start (so a
// vote whose closing time passed while no instance ran is closed on restart), then
// on each tick. Several instances may run it: exactly one closes each vote.
func (s *Service) RunCloser(ctx context.Context, interval time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	if interval <= 0 {
		interval = 30 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.CloseDue(ctx); err != nil {
			log.Error("closing due votes", "error", err)
		} else if n > 0 {
			log.Info("closed votes", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
