package voting

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/database"
	"gongzhi/app/roster"
	"gongzhi/models"
)

// The identity check of a personal link has one door, admitCheck, used by the API's
// cast, the web's identity check, the web's cast with a ballot pass and an owner's
// objection through the link (API and web, FileObjection). It guards
// the answer, the last six characters of an owner's ID number, of which at most a
// few dozen values remain plausible: only the profile's identity_check_attempts
// wrong answers may ever be compared, and no answer may be compared once they are
// used up, however many arrive at once.
//
// Every answer is therefore counted before it is compared, in a transaction that
// holds the credential row (MySQL: SELECT ... FOR UPDATE; SQLite: the one writer)
// and reads its failure count there: an answer is compared only while fewer than
// the limit of wrong answers are counted, and a wrong answer is counted in the same
// transaction, locking the link when it reaches the limit. A right answer takes the
// attempt it was counted with back in that same transaction, so it writes nothing:
// counting, comparing and giving back are one atomic step. Checks of the links of
// the casts arriving at the same time are admitted together, one transaction per
// batch (several checks of one link in a batch are decided in their arrival order),
// so an election-day load adds one short transaction per batch, not per cast. On
// SQLite, served by one process, one admission worker decides every check in turn,
// which serialises them as the row lock does; a batch without a wrong answer is
// then decided from its read alone (admitWithoutWrites), so right answers cost what
// the read of their links cost before.
//
// The ballot of an admitted answer is written later; its transaction re-reads the
// credential under a shared lock and refuses the ballot when the link was locked
// or revoked meanwhile (castbatch.go).

// pendingCheck is an identity check waiting for its admission: the answer's hash,
// the instant of the request and the period in which the check may be made.
type pendingCheck struct {
	tokenHash string
	idHash    string
	now       time.Time
	during    func(models.Vote, time.Time) error // nil: always
	requestID string
	done      chan checkOutcome // buffered
}

// checkOutcome is what became of an identity check: the credential as read (with
// its failure count and status as of the admission), and how the check ended.
type checkOutcome struct {
	cred   models.CredentialByTokenHash
	result checkResult
	err    error // gorm.ErrRecordNotFound for an unknown link, or an internal error
}

// checkResult is the end of an identity check.
type checkResult int

const (
	checkNotMade checkResult = iota // revoked link or outside the period: nothing compared, nothing counted
	checkRefused                    // the link is locked: nothing compared
	checkWrong                      // compared and wrong: counted (and the link locked at the limit)
	checkPassed                     // compared and right
)

// admitCheck runs the identity check of a personal link for idCheck: an unknown
// link is 404, a revoked one 403, a check outside during's period its error (410),
// a locked link 403, a wrong answer 403 with the attempts left (the link locks at
// the profile's limit). It returns the credential when the answer is right.
func (s *Service) admitCheck(ctx context.Context, token, idCheck string, during func(models.Vote, time.Time) error) (models.CredentialByTokenHash, error) {
	if err := checkIDAnswer(idCheck); err != nil {
		return models.CredentialByTokenHash{}, err
	}
	req := &pendingCheck{tokenHash: hashToken(token), idHash: roster.Last6Hash(s.pii, idCheck), now: s.now(), during: during,
		requestID: app.RequestID(ctx), done: make(chan checkOutcome, 1)}
	s.reads.add(req)
	res := <-req.done
	cred := res.cred
	switch {
	case errors.Is(res.err, gorm.ErrRecordNotFound):
		return cred, errBadLink()
	case res.err != nil:
		return cred, app.Internal(res.err)
	case cred.Status == models.CredentialRevoked:
		return cred, errRevoked()
	}
	attempts := profileOf(cred.Vote()).IdentityCheckAttempts
	if during != nil {
		if err := during(cred.Vote(), req.now); err != nil {
			return cred, err
		}
	}
	switch res.result {
	case checkPassed:
		return cred, nil
	case checkWrong:
		if cred.Status == models.CredentialLocked {
			return cred, errLocked(attempts)
		}
		left := max(attempts-cred.FailedChecks, 0)
		return cred, &app.Error{Code: app.EForbidden,
			Msg:     app.M("err.voting.identity_check_failed_left", left, attemptsEN(left)),
			Details: []app.Detail{{Field: "id_check", Msg: app.M("err.voting.does_not_match")}}}
	}
	return cred, errLocked(attempts)
}

// admitChecks serves a batch of identity checks: it reads their links in one
// query, then admits, compares and counts them in one transaction holding the
// credentials that are checked, and answers each.
func (s *Service) admitChecks(batch []*pendingCheck) {
	defer func() { // as in writeCastBatch
		if r := recover(); r != nil {
			err := fmt.Errorf("identity checks: panic: %v", r)
			for _, req := range batch {
				select {
				case req.done <- checkOutcome{err: err}:
				default:
				}
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hashes := make([]string, len(batch))
	for i, req := range batch {
		hashes[i] = req.tokenHash
	}
	found, err := s.credentialsByTokenHash(ctx, hashes)
	if err != nil {
		for _, req := range batch {
			req.done <- checkOutcome{err: err}
		}
		return
	}
	out := make([]checkOutcome, len(batch))
	var checked []int // the requests whose answer is to be compared
	for i, req := range batch {
		cred, ok := found[req.tokenHash]
		switch {
		case !ok:
			out[i] = checkOutcome{err: fmt.Errorf("credential: %w", gorm.ErrRecordNotFound)}
		case cred.Status == models.CredentialRevoked:
			out[i] = checkOutcome{cred: cred}
		case req.during != nil && req.during(cred.Vote(), req.now) != nil:
			out[i] = checkOutcome{cred: cred}
		default:
			out[i] = checkOutcome{cred: cred}
			checked = append(checked, i)
		}
	}
	if len(checked) > 0 && !s.admitWithoutWrites(batch, checked, out) {
		err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
			for _, i := range checked { // a retried transaction decides again
				out[i].result = checkNotMade
				out[i].cred = found[batch[i].tokenHash]
			}
			return s.admitChecksTx(ctx, tx, batch, checked, out)
		})
		if err != nil {
			for _, i := range checked {
				out[i] = checkOutcome{err: err}
			}
		}
	}
	for i, req := range batch {
		req.done <- out[i]
	}
}

// admitWithoutWrites decides the checks of batch listed in checked from the
// credentials as just read, when that needs no write and no lock: on SQLite only,
// where one process serves the database and its one admission worker is the only
// place that counts ballots' and web checks' answers, so the counts it read are
// those its earlier batches committed. It reports false, deciding nothing, when an
// answer is wrong (the transaction of admitChecksTx counts it) or on MySQL, where
// several instances may admit checks of one link at once.
func (s *Service) admitWithoutWrites(batch []*pendingCheck, checked []int, out []checkOutcome) bool {
	if s.dialect.MySQL() {
		return false
	}
	result := make([]checkResult, len(checked))
	for n, i := range checked {
		cred := out[i].cred
		switch {
		case cred.Status != models.CredentialActive || cred.FailedChecks >= profileOf(cred.Vote()).IdentityCheckAttempts:
			result[n] = checkRefused
		case slices.Contains(strings.Fields(cred.IDCheckHashes), batch[i].idHash):
			result[n] = checkPassed
		default:
			return false
		}
	}
	for n, i := range checked {
		out[i].result = result[n]
	}
	return true
}

// admitChecksTx decides the checks of batch listed in checked, in arrival order,
// against the credentials read under lock through tx, and counts the wrong answers.
func (s *Service) admitChecksTx(ctx context.Context, tx *gorm.DB, batch []*pendingCheck, checked []int, out []checkOutcome) error {
	ids := make([]int64, 0, len(checked))
	for _, i := range checked {
		if !slices.Contains(ids, out[i].cred.CredentialID) {
			ids = append(ids, out[i].cred.CredentialID)
		}
	}
	type counts struct {
		status string
		failed int
		added  int
	}
	state := make(map[int64]*counts, len(ids))
	rows, err := tx.WithContext(ctx).Raw("SELECT id, status, failed_checks FROM vote_credentials WHERE id IN ?"+s.dialect.ForUpdate(), ids).Rows()
	if err != nil {
		return fmt.Errorf("locking credentials: %w", err)
	}
	for rows.Next() {
		var id int64
		var c counts
		if err := rows.Scan(&id, &c.status, &c.failed); err != nil {
			rows.Close()
			return fmt.Errorf("locking credentials: %w", err)
		}
		state[id] = &c
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("locking credentials: %w", err)
	}

	type event struct {
		i      int
		kind   string
		detail string
	}
	var events []event
	for _, i := range checked {
		cred := &out[i].cred
		c := state[cred.CredentialID]
		if c == nil {
			return fmt.Errorf("credential %d vanished", cred.CredentialID)
		}
		attempts := profileOf(cred.Vote()).IdentityCheckAttempts
		switch {
		case c.status == models.CredentialRevoked:
			out[i].result = checkNotMade
		case c.status != models.CredentialActive || c.failed >= attempts:
			out[i].result = checkRefused
		case slices.Contains(strings.Fields(cred.IDCheckHashes), batch[i].idHash):
			out[i].result = checkPassed
		default:
			out[i].result = checkWrong
			c.failed++
			c.added++
			events = append(events, event{i, "id_check_failed", fmt.Sprintf("attempt %d of %d", c.failed, attempts)})
			if c.failed >= attempts {
				c.status = models.CredentialLocked
				events = append(events, event{i, "credential_locked", fmt.Sprintf("locked after %d failed identity checks", c.failed)})
			}
		}
		cred.Status, cred.FailedChecks = c.status, c.failed
	}
	if len(events) == 0 {
		return nil
	}
	now := batch[events[0].i].now
	for _, id := range ids {
		c := state[id]
		if c.added == 0 {
			continue
		}
		var lockedAt *time.Time
		if c.status == models.CredentialLocked {
			lockedAt = &now
		}
		if err := tx.WithContext(ctx).Exec("UPDATE vote_credentials SET failed_checks = ?, status = ?, locked_at = COALESCE(locked_at, ?) WHERE id = ?",
			c.failed, c.status, lockedAt, id).Error; err != nil {
			return fmt.Errorf("counting failed identity checks: %w", err)
		}
	}
	rowsOfEvents := make([]models.VoteEvent, 0, len(events))
	for _, ev := range events {
		cred, req := out[ev.i].cred, batch[ev.i]
		voterID, credID := cred.VoterID, cred.CredentialID
		rowsOfEvents = append(rowsOfEvents, models.VoteEvent{VoteID: cred.VoteID, VoterID: &voterID, CredentialID: &credID,
			Kind: ev.kind, At: req.now, Detail: ev.detail, RequestID: req.requestID})
	}
	if err := tx.WithContext(ctx).Create(&rowsOfEvents).Error; err != nil {
		return fmt.Errorf("recording failed identity checks: %w", err)
	}
	return nil
}

// credentialsByTokenHash reads the credentials of links in one query (no lock).
func (s *Service) credentialsByTokenHash(ctx context.Context, hashes []string) (map[string]models.CredentialByTokenHash, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, fmt.Errorf("database handle: %w", err)
	}
	args := make([]any, 0, len(hashes))
	for _, h := range hashes {
		if !slices.Contains(args, any(h)) {
			args = append(args, h)
		}
	}
	rows, err := sqlDB.QueryContext(ctx, models.CredentialsByTokenHashesQuery(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("reading credentials: %w", err)
	}
	defer rows.Close()
	found := make(map[string]models.CredentialByTokenHash, len(args))
	for rows.Next() {
		cred, err := models.ScanCredentialRow(rows)
		if err != nil {
			return nil, err
		}
		found[cred.TokenHash] = cred
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading credentials: %w", err)
	}
	return found, nil
}

// credentialRefusal is the answer for a ballot refused by its guard
// (errRefusedBallot): the link's current state tells why (403 locked or revoked, or
// 410 closed).
func (s *Service) credentialRefusal(ctx context.Context, cred models.CredentialByTokenHash) error {
	var c models.VoteCredential
	if err := s.db.WithContext(ctx).Where("id = ?", cred.CredentialID).Take(&c).Error; err != nil {
		return app.Internal(fmt.Errorf("credential %d: %w", cred.CredentialID, err))
	}
	switch c.Status {
	case models.CredentialRevoked:
		return errRevoked()
	case models.CredentialLocked:
		return errLocked(profileOf(cred.Vote()).IdentityCheckAttempts)
	}
	return app.Fail(app.EGone, "err.voting.voting_closed", showTime(cred.ClosesAt))
}

// attemptsEN is "1 attempt" or "N attempts" (issue 16: no "1 attempts").
func attemptsEN(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}
