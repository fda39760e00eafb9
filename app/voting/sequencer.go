package voting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gongzhi/app/ballotlog"
	"gongzhi/app/database"
)

// The ballot log's sequencer numbers the leaves online casts queued
// (ballotlog.Integrate): right after each commit that queued some (kickSequencer,
// which starts a goroutine when none is at work; it ends when no vote is left), and
// on a short ticker that also takes over queues left by another instance or by a
// restart (RunLogSequencer). Each vote is sequenced in a transaction of its own,
// holding the vote's state row only for that short transaction: two instances take
// turns on it. On MySQL the transaction reads at READ COMMITTED, so that reading
// the queue locks the rows it takes and no gaps (casts keep queueing meanwhile), and
// passes over the leaves of casts not yet committed (SKIP LOCKED).

// sequencerDelay is how long a sequencer just started waits for more commits to
// number together (one transaction for the leaves of several group commits).
const sequencerDelay = 20 * time.Millisecond

// kickSequencer hands votes with newly committed queued leaves to the sequencer.
func (s *Service) kickSequencer(votes ...int64) {
	if s.blog.off {
		return
	}
	l := &s.blog
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.votes == nil {
		l.votes = map[int64]bool{}
	}
	for _, v := range votes {
		l.votes[v] = true
	}
	if !l.running && !l.held && len(l.votes) > 0 {
		l.running = true
		go s.runSequencer()
	}
}

// runSequencer numbers the queues of the votes handed to it until none is left.
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
		l.mu.Lock()
		votes := l.votes
		l.votes = nil
		if len(votes) == 0 {
			l.running = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		for v := range votes {
			if _, err := s.sequenceVote(ctx, v); err != nil {
				// The ticker (RunLogSequencer) or the next head takes the leaves.
				s.log.Warn("ballot log sequencer", "vote_id", v, "error", err)
			}
		}
		cancel()
	}
}

// sequenceVote numbers the vote's committed queued leaves in a transaction of its
// own and returns how many it numbered.
func (s *Service) sequenceVote(ctx context.Context, voteID int64) (int, error) {
	var n int
	err := database.SQLTxOpts(ctx, s.db, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, func(tx *sql.Tx) error {
		var err error
		_, n, err = ballotlog.Integrate(ctx, tx, s.logLocks(false), s.now(), voteID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sequencing the ballot log of vote %d: %w", voteID, err)
	}
	return n, nil
}

// SequenceLogs numbers the queued leaves of every vote now, each vote in a
// transaction of its own, and returns how many it numbered (the ticker's pass; tests
// call it to have every committed ballot provable).
func (s *Service) SequenceLogs(ctx context.Context) (int, error) {
	c, err := s.sqlConn()
	if err != nil {
		return 0, err
	}
	votes, err := ballotlog.PendingVotes(ctx, c)
	if err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	for _, v := range votes {
		n, err := s.sequenceVote(ctx, v)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// RunLogSequencer numbers queued leaves every interval until ctx ends.
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
