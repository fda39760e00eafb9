package voting

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// PauseCastWrites holds online casts in their queue, unwritten, until the returned
// function is called: the casts that arrive meanwhile are then written together.
func (s *Service) PauseCastWrites() (resume func()) { return s.casts.pause() }

// HoldLogSequencer keeps the ballot log's sequencer from starting after commits
// until the returned function is called (which starts it for the votes held).
func (s *Service) HoldLogSequencer() (resume func()) {
	l := &s.blog
	l.mu.Lock()
	l.held = true
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		l.held = false
		l.mu.Unlock()
		s.handLeaves(nil)
	}
}

// LogSequencerIdle reports whether the ballot log's sequencer has numbered
// everything handed to it and stopped.
func (s *Service) LogSequencerIdle() bool {
	l := &s.blog
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.running && len(l.handed) == 0
}

// PauseCredentialReads holds the credential reads of online casts likewise.
func (s *Service) PauseCredentialReads() (resume func()) { return s.reads.pause() }

// RecordCastBatches makes the service note the size of every batch of casts its
// writers take, and returns the sizes noted so far on each call.
func (s *Service) RecordCastBatches() (sizes func() []int) {
	var mu sync.Mutex
	var noted []int
	serve := s.casts.serve
	s.casts.serve = func(batch []*pendingCast) {
		mu.Lock()
		noted = append(noted, len(batch))
		mu.Unlock()
		serve(batch)
	}
	return func() []int {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(noted)
	}
}

// QueuedCasts and QueuedReads tell how many casts or reads wait in their queue.
func (s *Service) QueuedCasts() int { return s.casts.queued() }
func (s *Service) QueuedReads() int { return s.reads.queued() }

// InsertCastBatch writes one batch of online ballots of a vote, one per voter, with
// receipt "R<voter id>" and choices `{"voter":<voter id>}`, through the batch path
// alone (no cast-by-cast fallback). refused reports errBatchRefused.
func (s *Service) InsertCastBatch(ctx context.Context, voteID int64, voterIDs, credentialIDs []int64) (ids []int64, refused bool, err error) {
	batch := make([]*pendingCast, len(voterIDs))
	for i, voter := range voterIDs {
		batch[i] = &pendingCast{voteID: voteID, voterID: voter, attempt: 1, credentialID: credentialIDs[i], castAt: time.Now().UTC().Truncate(time.Microsecond),
			receipt: fmt.Sprintf("R%d", voter), choices: fmt.Sprintf(`{"voter":%d}`, voter), nonce: fmt.Sprintf("%032d", voter)}
	}
	ids, err = s.insertCastBatch(ctx, batch)
	if errors.Is(err, errBatchRefused) {
		return nil, true, nil
	}
	return ids, false, err
}

func (b *batcher[T, K]) pause() (resume func()) {
	b.mu.Lock()
	workers := b.maxWorkers
	b.maxWorkers = 0
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.maxWorkers = workers
		for b.workers < b.maxWorkers && len(b.queue) > 0 {
			b.workers++
			go b.work()
		}
	}
}

func (b *batcher[T, K]) queued() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}
