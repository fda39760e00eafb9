package voting

import (
	"context"
	"errors"
	"sync"
	"time"

	"gorm.io/gorm"

	"gongzhi/app/ballotlog"
	"gongzhi/app/pii"
	"gongzhi/models"
)

// The per-vote ballot log (app/ballotlog, docs/bundle.md): every ballot written by
// the ballot store and every void gets a leaf, whose content is the ballot's own
// row. Online casts write nothing more than their ballots (group commits of one
// vote share no row): once their transaction has committed they hand their leaves
// to the sequencer (sequencer.go), which numbers them in a transaction of its own.
// Paper and proxy entries and voids, which are few, are numbered in their own
// transaction (their receipt is provable at once). Tree heads are signed at
// checkpoints while a vote is open and in the close's transaction, each after
// numbering, in that same transaction, every ballot still without a leaf.

// ballotLog is the service's log settings and its sequencer's state.
type ballotLog struct {
	signer *ballotlog.Signer // signs tree heads; nil: heads are not signed
	off    bool              // benchmarks only: leaves are not written (SetBallotLogForTesting)

	mu      sync.Mutex
	handed  map[int64][]ballotlog.Leaf // leaves of committed casts, by vote, not yet taken by the sequencer
	running bool                       // a sequencer goroutine is at work
	held    bool                       // tests only: the sequencer is not started (HoldLogSequencer)
	work    sync.Mutex                 // held while handed leaves are numbered (FlushLog waits for the sequencer's)
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

// appendLeaves numbers leaves of one vote in the caller's transaction (paper and
// proxy entries, whose ballots that transaction writes).
func (s *Service) appendLeaves(ctx context.Context, c ballotlog.Conn, voteID int64, leaves ...ballotlog.Leaf) error {
	if s.blog.off {
		return nil
	}
	_, _, err := ballotlog.Append(ctx, c, s.logLocks(true), s.now(), voteID, leaves)
	return err
}

// logLocks are the clauses the log is written with: on MySQL the vote's state row
// is locked, and a transaction at REPEATABLE READ (fresh) reads ballots and leaves
// with locking reads, which see the latest committed rows (the sequencer's own
// transactions run at READ COMMITTED, whose plain reads already do).
// With the log switched off (SetBallotLogForTesting) heads number nothing.
func (s *Service) logLocks(fresh bool) ballotlog.Locks {
	l := ballotlog.Locks{NoSweep: s.blog.off}
	if s.dialect.MySQL() {
		l.State = " FOR UPDATE"
		if fresh {
			l.Read = s.dialect.ShareLock()
		}
	}
	return l
}

// castLeaves are the leaves of a group commit's casts, by vote.
func castLeaves(batch []*pendingCast, ids []int64) map[int64][]ballotlog.Leaf {
	out := map[int64][]ballotlog.Leaf{}
	for i, p := range batch {
		out[p.voteID] = append(out[p.voteID], ballotLeaf(ids[i], models.ChannelOnline, p.receipt, p.area, p.choices, p.castAt))
	}
	return out
}

// errNoLogKey is returned when a head must be signed but no key was set.
var errNoLogKey = errors.New("ballot log: no signing key set")

// signHead numbers every committed ballot of the vote still without a leaf and
// signs and stores its checkpoint head, in the caller's transaction, which runs at
// READ COMMITTED (checkpointTx): its reads see the latest committed ballots without
// locking them.
func (s *Service) signHead(ctx context.Context, c ballotlog.Conn, voteID int64, kind string, now time.Time) (ballotlog.Head, bool, error) {
	if s.blog.signer == nil {
		return ballotlog.Head{}, false, errNoLogKey
	}
	return ballotlog.SignHead(ctx, c, s.blog.signer, s.logLocks(false), voteID, kind, now)
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

// appendVoidLeaf numbers the void of ballot b in the void's transaction, after
// the ballot's own leaf if the sequencer has not numbered it yet.
func (s *Service) appendVoidLeaf(ctx context.Context, tx *gorm.DB, b models.Ballot, now time.Time) error {
	if s.blog.off {
		return nil
	}
	_, _, err := ballotlog.Sweep(ctx, tx.Statement.ConnPool, s.logLocks(true), now, b.VoteID, b.ID)
	return err
}

// signClosingHead signs the closing head in the close's transaction (which runs once
// per vote: the conditional UPDATE lets one caller close it), binding the tree, the
// recount spec's SHA-256 and the published result document's SHA-256.
func (s *Service) signClosingHead(ctx context.Context, tx *gorm.DB, voteID int64, now time.Time, specSHA256, resultsSHA256 string) error {
	if s.blog.signer == nil {
		s.log.Warn("vote closed without a signed closing head: no ballot log key", "vote_id", voteID)
		if s.blog.off {
			return nil
		}
		_, _, err := ballotlog.Sweep(ctx, tx.Statement.ConnPool, s.logLocks(true), now, voteID, 0)
		return err
	}
	_, err := ballotlog.SignClosingHead(ctx, tx.Statement.ConnPool, s.blog.signer, s.logLocks(true), voteID, now, specSHA256, resultsSHA256)
	return err
}
