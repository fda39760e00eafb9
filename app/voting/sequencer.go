package voting

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"gongzhi/app/ballotlog"
	"gongzhi/app/database"
)

// The ballot log's sequencer numbers the leaves of online casts right after their
// commit: the writer hands it the leaves it built (handLeaves, which starts a
// goroutine when none is at work; it ends when nothing is left), and the sequencer
// numbers each vote's in one short transaction of its own (ballotlog.Append),
// holding the vote's state row only for that transaction: two instances take turns
// on it. The transaction reads at READ COMMITTED on MySQL, so it sees what a sweep
// of another instance numbered meanwhile and skips it. Nothing is lost when a
// process stops between a cast's commit and its numbering: the ballot is the leaf's
// record, and the recovery pass (RunLogSequencer, on a ticker, over the open votes
// whose tree is short of their ballots) or the next signed head numbers it.

// sequencerDelay is how long a sequencer just started waits for more commits to
// number together: one transaction for the leaves of many group commits. Each of
// its commits is one more durable commit on the database (on SQLite, one more fsync
// on the single writer's turn, which the casts wait for), so fewer, larger ones cost
// the casts less; a leaf numbered a tenth of a second later changes nothing for its
// owner, whose proof waits for the next signed head anyway.
const sequencerDelay = 100 * time.Millisecond

// handLeaves hands the leaves of committed casts to the sequencer.
func (s *Service) handLeaves(byVote map[int64][]ballotlog.Leaf) {
	if s.blog.off {
		return
	}
	l := &s.blog
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.handed == nil {
		l.handed = map[int64][]ballotlog.Leaf{}
	}
	for v, leaves := range byVote {
		l.handed[v] = append(l.handed[v], leaves...)
	}
	if !l.running && !l.held && len(l.handed) > 0 {
		l.running = true
		go s.runSequencer()
	}
}

// runSequencer numbers the leaves handed to it until none is left.
func (s *Service) runSequencer() {
	l := &s.blog
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("ballot log sequencer: panic", "panic", r)
			l.mu.Lock()
			l.running = false
			l.mu.Unlock()
		}
	}()
	for {
		time.Sleep(sequencerDelay)
		if !s.sequenceRound() {
			return
		}
	}
}

// sequenceRound numbers the leaves handed since the last round and reports whether
// there were any (none: the sequencer stops). work is taken before the leaves, so
// that a FlushLog waiting on it finds them numbered; it is released on a panic too.
func (s *Service) sequenceRound() bool {
	l := &s.blog
	l.work.Lock()
	defer l.work.Unlock()
	l.mu.Lock()
	handed := l.handed
	l.handed = nil
	if len(handed) == 0 {
		l.running = false
		l.mu.Unlock()
		return false
	}
	l.mu.Unlock()
	_ = s.numberHanded(context.Background(), handed) // logged there
	return true
}

// numberHanded numbers handed leaves, each vote's in a transaction of its own. A
// vote whose transaction fails is left to the recovery pass (RunLogSequencer) or the
// next head, which number every ballot without a leaf; its error is logged and the
// first returned.
func (s *Service) numberHanded(ctx context.Context, handed map[int64][]ballotlog.Leaf) error {
	var first error
	for v, leaves := range handed {
		// Two group commits may be handed out of their ballots' order.
		slices.SortFunc(leaves, func(a, b ballotlog.Leaf) int { return cmp.Compare(a.BallotID, b.BallotID) })
		// Each vote has its own minute: one waiting out a lock does not cancel the others.
		vctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := database.SQLTxOpts(vctx, s.db, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, func(tx *sql.Tx) error {
			_, _, err := ballotlog.Append(vctx, tx, s.logLocks(false), s.now(), v, leaves)
			return err
		})
		cancel()
		if err != nil {
			s.log.Warn("ballot log sequencer", "vote_id", v, "error", err)
			if first == nil {
				first = fmt.Errorf("numbering ballot log leaves of vote %d: %w", v, err)
			}
		}
	}
	return first
}

// FlushLog numbers now, in the caller's goroutine, the leaves handed to the
// sequencer and not yet taken (a stopping server's last casts, so that the next
// start need not find them; the cast benchmark, which counts this work in the
// casts' time). It returns once the leaves a running sequencer had already taken
// are numbered too.
func (s *Service) FlushLog(ctx context.Context) error {
	l := &s.blog
	l.work.Lock()
	defer l.work.Unlock()
	l.mu.Lock()
	handed := l.handed
	l.handed = nil
	l.mu.Unlock()
	if len(handed) == 0 {
		return nil
	}
	return s.numberHanded(ctx, handed)
}

// sweepVote numbers, in a transaction of its own, every committed ballot and void
// of the vote still without a leaf, and returns how many it numbered.
func (s *Service) sweepVote(ctx context.Context, voteID int64) (int, error) {
	var n int
	err := database.SQLTxOpts(ctx, s.db, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, func(tx *sql.Tx) error {
		var err error
		_, n, err = ballotlog.Sweep(ctx, tx, s.logLocks(false), s.now(), voteID, 0)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("numbering the ballot log of vote %d: %w", voteID, err)
	}
	return n, nil
}

// SequenceLogs numbers now every committed ballot of an open vote that has no leaf
// yet, each vote in a transaction of its own, and returns how many it numbered (the
// recovery pass; tests call it to have every committed ballot provable). A vote
// whose tree is as large as its ballots and voids are many is passed over.
func (s *Service) SequenceLogs(ctx context.Context) (int, error) {
	if s.blog.off {
		return 0, nil
	}
	c, err := s.sqlConn()
	if err != nil {
		return 0, err
	}
	var votes []int64
	if err := s.db.WithContext(ctx).Raw("SELECT id FROM votes WHERE state = 'open' ORDER BY id").Scan(&votes).Error; err != nil {
		return 0, fmt.Errorf("open votes: %w", err)
	}
	total := 0
	var errs []error
	for _, v := range votes {
		short, err := ballotlog.Unnumbered(ctx, c, v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !short {
			continue
		}
		n, err := s.sweepVote(ctx, v)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// RunLogSequencer runs the recovery pass every interval until ctx ends.
func (s *Service) RunLogSequencer(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.SequenceLogs(ctx); err != nil {
				log.Error("sequencing ballot logs", "error", err)
			}
		}
	}
}
