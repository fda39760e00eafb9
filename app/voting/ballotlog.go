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
// the ballot store and every void is queued as a leaf in the same transaction as
// the ballot (ballotlog.Enqueue: no row shared between transactions, so group
// commits of one vote do not wait on each other). Online casts leave their leaves
// queued: the sequencer (sequencer.go) numbers them right after each commit, in a
// transaction of its own. Paper and proxy entries and voids, which are few, are
// numbered in their own transaction (their receipt is provable at once). Tree heads
// are signed at checkpoints while a vote is open and in the close's transaction,
// each after numbering everything queued in that same transaction.

// ballotLog is the service's log settings and its sequencer's state.
type ballotLog struct {
	signer *ballotlog.Signer // signs tree heads; nil: heads are not signed
	off    bool              // benchmarks only: leaves are not written (SetBallotLogForTesting)

	mu      sync.Mutex
	votes   map[int64]bool // votes with leaves queued since the sequencer last took them
	running bool           // a sequencer goroutine is at work
	held    bool           // tests only: the sequencer is not started (HoldLogSequencer)
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

// queueLeaves queues leaves of one vote in the caller's transaction; the caller
// hands the vote to the sequencer once the transaction has committed (kickSequencer).
func (s *Service) queueLeaves(ctx context.Context, c ballotlog.Conn, voteID int64, leaves ...ballotlog.Leaf) error {
	if s.blog.off {
		return nil
	}
	return ballotlog.Enqueue(ctx, c, voteID, leaves)
}

// appendLeaves queues leaves of one vote and numbers the vote's queue, all in the
// caller's transaction (paper and proxy entries, voids).
func (s *Service) appendLeaves(ctx context.Context, c ballotlog.Conn, voteID int64, leaves ...ballotlog.Leaf) error {
	if s.blog.off {
		return nil
	}
	if err := ballotlog.Enqueue(ctx, c, voteID, leaves); err != nil {
		return err
	}
	_, _, err := ballotlog.Integrate(ctx, c, s.logLocks(false), s.now(), voteID)
	return err
}

// logLocks are the clauses the log is sequenced with: on MySQL the vote's state row
// is locked, and queued leaves of transactions not yet committed are passed over
// unless all must be waited for (the close, whose head covers every ballot).
func (s *Service) logLocks(waitAll bool) ballotlog.Locks {
	if !s.dialect.MySQL() {
		return ballotlog.Locks{}
	}
	if waitAll {
		return ballotlog.Locks{State: " FOR UPDATE", Pending: " FOR UPDATE"}
	}
	return ballotlog.Locks{State: " FOR UPDATE", Pending: " FOR UPDATE SKIP LOCKED"}
}

// queueCastLeaves queues the leaves of a group commit's casts, one multi-row INSERT
// per vote in ascending vote order, and returns the votes.
func (s *Service) queueCastLeaves(ctx context.Context, c ballotlog.Conn, batch []*pendingCast, ids []int64) error {
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
		if err := ballotlog.Enqueue(ctx, c, v, byVote[v]); err != nil {
			return err
		}
	}
	return nil
}

// errNoLogKey is returned when a head must be signed but no key was set.
var errNoLogKey = errors.New("ballot log: no signing key set")

// signHead numbers the vote's queued leaves and signs and stores its head, in the
// caller's transaction: a closing head waits for every queued leaf, a checkpoint
// passes over those of transactions not yet committed.
func (s *Service) signHead(ctx context.Context, c ballotlog.Conn, voteID int64, kind string, now time.Time) (ballotlog.Head, bool, error) {
	if s.blog.signer == nil {
		return ballotlog.Head{}, false, errNoLogKey
	}
	return ballotlog.SignHead(ctx, c, s.blog.signer, s.logLocks(kind == ballotlog.HeadClose), voteID, kind, now)
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
		_, _, err := ballotlog.Integrate(ctx, tx.Statement.ConnPool, s.logLocks(true), now, voteID)
		return err
	}
	_, err := ballotlog.SignClosingHead(ctx, tx.Statement.ConnPool, s.blog.signer, s.logLocks(true), voteID, now, specSHA256, resultsSHA256)
	return err
}
