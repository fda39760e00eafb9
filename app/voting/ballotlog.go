package voting

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"

	"gongzhi/app/ballotlog"
	"gongzhi/app/pii"
	"gongzhi/models"
)

// The per-vote ballot log (app/ballotlog, docs/bundle.md): every ballot written by
// the ballot store and every void is appended as a leaf in the same transaction as
// the ballot; a group commit appends its batch's leaves with one multi-row INSERT per
// vote. Tree heads are signed at checkpoints while a vote is open and in the close's
// transaction.

// ballotLog is the service's log settings.
type ballotLog struct {
	signer *ballotlog.Signer // signs tree heads; nil: heads are not signed
	off    bool              // benchmarks only: leaves are not written (SetBallotLogForTesting)

	// states remembers each vote's tree as this instance last wrote it, so that an
	// append updates the stored state where it still equals it instead of reading
	// it under lock first (ballotlog.AppendCached: a stale entry costs the read).
	mu     sync.Mutex
	states map[int64]ballotlog.State
}

// SetLogSigner sets the platform key that signs tree heads.
func (s *Service) SetLogSigner(signer *ballotlog.Signer) { s.blog.signer = signer }

// LogSigner is the platform key that signs tree heads (nil: none set).
func (s *Service) LogSigner() *ballotlog.Signer { return s.blog.signer }

// SetBallotLogForTesting turns the writing of leaves off (on false) or back on. It
// exists for the cast benchmark, which measures casts with and without the log in
// one run, and for the resolution's byte-for-byte golden test (receipts are random,
// so a log of them has a different root each run; without leaves the closing root is
// the empty tree's). Nothing else may call it: a vote cast without its log cannot be
// verified.
func (s *Service) SetBallotLogForTesting(on bool) { s.blog.off = !on }

// ballotLeaf is the leaf of a ballot (kind = its channel).
func ballotLeaf(ballotID int64, channel, receipt string, area int64, choices string, at time.Time) ballotlog.Leaf {
	return ballotlog.Leaf{Kind: channel, Receipt: receipt, Area: area, Headcount: 1, Choices: choices, Time: at, BallotID: ballotID}
}

// appendLeaves appends leaves of one vote in the caller's transaction.
func (s *Service) appendLeaves(ctx context.Context, c ballotlog.Conn, voteID int64, leaves ...ballotlog.Leaf) error {
	if s.blog.off {
		return nil
	}
	l := &s.blog
	l.mu.Lock()
	known, ok := l.states[voteID]
	l.mu.Unlock()
	var from *ballotlog.State
	if ok {
		from = &known
	}
	next, err := ballotlog.AppendCached(ctx, c, s.dialect.ForUpdate(), s.now(), voteID, leaves, from)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.states == nil {
		l.states = map[int64]ballotlog.State{}
	}
	if err != nil {
		delete(l.states, voteID)
		return err
	}
	l.states[voteID] = next
	return nil
}

// appendCastLeaves appends the leaves of a group commit's casts, one multi-row
// INSERT per vote, the votes' logs locked in ascending vote order.
func (s *Service) appendCastLeaves(ctx context.Context, c ballotlog.Conn, batch []*pendingCast, ids []int64) error {
	if s.blog.off {
		return nil
	}
	byVote := map[int64][]ballotlog.Leaf{}
	var votes []int64
	for i, p := range batch {
		if _, ok := byVote[p.voteID]; !ok {
			votes = append(votes, p.voteID)
		}
		byVote[p.voteID] = append(byVote[p.voteID], ballotLeaf(ids[i], models.ChannelOnline, p.receipt, p.area, p.choices, p.castAt))
	}
	slices.Sort(votes)
	for _, v := range votes {
		if err := s.appendLeaves(ctx, c, v, byVote[v]...); err != nil {
			return err
		}
	}
	return nil
}

// errNoLogKey is returned when a head must be signed but no key was set.
var errNoLogKey = errors.New("ballot log: no signing key set")

// signHead signs and stores the vote's current head in the caller's transaction.
func (s *Service) signHead(ctx context.Context, c ballotlog.Conn, voteID int64, kind string, now time.Time) (ballotlog.Head, bool, error) {
	if s.blog.signer == nil {
		return ballotlog.Head{}, false, errNoLogKey
	}
	return ballotlog.SignHead(ctx, c, s.blog.signer, voteID, kind, now)
}

// defaultLogSigner derives a signing key from the server's secret (a server started
// by main replaces it with the key file's, see SetLogSigner); nil without one.
func defaultLogSigner(protector *pii.Protector) *ballotlog.Signer {
	if protector == nil {
		return nil
	}
	seed, err := protector.Subkey("ballotlog/ed25519/v1")
	if err != nil || len(seed) < 32 {
		return nil
	}
	return ballotlog.SignerFromSeed(seed)
}

// appendVoidLeaf appends the void of ballot b in the void's transaction.
func (s *Service) appendVoidLeaf(ctx context.Context, tx *gorm.DB, b models.Ballot, now time.Time) error {
	if s.blog.off {
		return nil
	}
	var area int64
	if err := tx.WithContext(ctx).Raw("SELECT area FROM vote_voters WHERE id = ?", b.VoterID).Row().Scan(&area); err != nil {
		return fmt.Errorf("area of voter %d: %w", b.VoterID, err)
	}
	return s.appendLeaves(ctx, tx.Statement.ConnPool, b.VoteID,
		ballotlog.Leaf{Kind: ballotlog.KindVoid, Receipt: b.Receipt, Area: area, Headcount: 1, Time: now, BallotID: b.ID})
}

// signClosingHead signs the closing head in the close's transaction (which runs once
// per vote: the conditional UPDATE lets one caller close it), binding the tree, the
// recount spec's SHA-256 and the published result document's SHA-256.
func (s *Service) signClosingHead(ctx context.Context, tx *gorm.DB, voteID int64, now time.Time, specSHA256, resultsSHA256 string) error {
	if s.blog.signer == nil {
		s.log.Warn("vote closed without a signed closing head: no ballot log key", "vote_id", voteID)
		return nil
	}
	_, err := ballotlog.SignClosingHead(ctx, tx.Statement.ConnPool, s.blog.signer, voteID, now, specSHA256, resultsSHA256)
	return err
}
