package voting

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/models"
)

// CastOnline casts the ballot of a personal link. The identity check is the last six
// characters of the ID number of any owner of the voter's units, admitted through
// admitCheck: a wrong answer is 403 and counts an attempt (logged without the
// answer); after the profile's number of wrong answers the link locks until staff
// reissue it, and no answer is compared any more. Outside the voting period the
// answer is 410; a voter who already voted by any channel gets 409 (said only after
// the check passed); unknown items, options or candidates are 422. Blank items count
// as abstain.
//
// Everything that can be decided from the link is decided before the ballot's
// transaction (the check of the links arriving at the same time is one batch); the
// ballot is then written by group commit with the casts arriving at the same time
// (castbatch.go), whose transaction refuses it if the link was locked or revoked
// meanwhile, and the receipt is returned once it has committed.
func (s *Service) castOnline(ctx context.Context, client, token, idCheck string, choices Choices) (Receipt, error) {
	cred, err := s.admitCheck(ctx, token, idCheck, acceptingBallots)
	if err != nil {
		return Receipt{}, err
	}
	now := s.now()
	v := cred.Vote()
	// A second tap of the submit button, or a ballot by another channel: answered
	// now, without a write (the UNIQUE key would refuse it anyway).
	live, err := s.liveBallotOf(ctx, cred)
	if err != nil {
		return Receipt{}, err
	}
	if live != nil {
		return Receipt{}, errAlreadyVoted(live)
	}
	if cred.HasLiveBallot() {
		// Voided since the credential was read: the ballot that was live is now one
		// of the voids, so the new ballot's attempt follows all the ballots read. The
		// UNIQUE key still decides against a ballot cast meanwhile.
		cred.Voids = cred.Ballots
	}
	ag, err := s.agendaOf(ctx, s.db, v)
	if err != nil {
		return Receipt{}, app.Internal(err)
	}
	canonical, err := ag.canonical(choices)
	if err != nil {
		return Receipt{}, err
	}
	nonceRaw := make([]byte, 16)
	if _, err := rand.Read(nonceRaw); err != nil {
		return Receipt{}, app.Internal(fmt.Errorf("ballot nonce: %w", err))
	}
	nonce := hex.EncodeToString(nonceRaw)
	out := Receipt{Code: s.receiptCode(v.ID, cred.VoterKey, canonical, nonce), VoteID: v.ID, Channel: models.ChannelOnline, CastAt: now}

	res := s.submitCast(&pendingCast{voteID: v.ID, voterID: cred.VoterID, attempt: cred.Voids + 1, credentialID: cred.CredentialID,
		castAt: now, receipt: out.Code, choices: canonical, nonce: nonce, area: cred.Area, clientHash: s.clientHash(client)})
	if errors.Is(res.err, errRefusedBallot) {
		// The guard refuses a vote that is no longer open, or a link locked or
		// revoked after its check passed.
		return Receipt{}, s.credentialRefusal(ctx, cred)
	}
	if res.err != nil {
		return Receipt{}, app.AsErrorOrNil(res.err)
	}
	out.BallotID = res.ballotID
	return out, nil
}

// liveBallotOf reads the voter's live ballot when the credential's counts say there
// is one (nil: none, or voided since the credential was read).
func (s *Service) liveBallotOf(ctx context.Context, cred models.CredentialByTokenHash) (*models.LiveBallot, error) {
	if !cred.HasLiveBallot() {
		return nil, nil
	}
	live, err := models.LiveBallotOf(ctx, s.db, cred.VoteID, cred.VoterID)
	switch {
	case err == nil:
		return &live, nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, nil
	}
	return nil, app.Internal(err)
}

// errRefusedBallot marks a guarded insert that wrote nothing: the vote closed, or the
// link was locked or revoked, after the link was read.
var errRefusedBallot = errors.New("ballot refused by its guard")

// clientHash is the keyed hash of a client address as written to ballots.client_hash
// (HMAC-SHA256 under the app/pii subkey "ballot-client", hex), or nil (NULL) when
// the address is unknown or no key is configured. The address itself is never
// stored; the auditor's workspace only compares these hashes.
func (s *Service) clientHash(client string) any {
	if client == "" || s.pii == nil {
		return nil
	}
	s.clientKeyOnce.Do(func() {
		s.clientKey, _ = s.pii.Subkey("ballot-client")
	})
	if len(s.clientKey) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, s.clientKey)
	m.Write([]byte(client))
	return hex.EncodeToString(m.Sum(nil))
}
