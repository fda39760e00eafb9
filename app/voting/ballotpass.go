package voting

import (
	"context"
	"strconv"
	"strings"
	"time"

	"gongzhi/app"
	"gongzhi/models"
)

// The owner's ballot pages (phone first, no JavaScript, no login) walk through
// several forms: identity check, ballot, review, confirmation. The identity check
// passes from step to step as a ballot pass: the answer sealed (AES-256-GCM under
// the server's secret, so it is both secret and tamper-proof) together with the
// link it was given for and an expiry. The answer never travels in a URL or in
// clear in a page, and the final cast checks it again through CastOnline.

// BallotPassTTL is how long a ballot pass stays valid after the identity check.
const BallotPassTTL = 30 * time.Minute

// passPrefix versions the sealed content of a ballot pass.
const passPrefix = "ballot-pass/v1"

// Now is the service's current instant (the clock given to New), for pages
// that default dates or show "as of".
func (s *Service) Now() time.Time { return s.now() }

// errPassInvalid is the answer for a ballot pass that is expired, forged or meant
// for another link: the owner repeats the identity check.
func errPassInvalid() error {
	return &app.Error{Code: app.EForbidden,
		Msg:     app.M("err.voting.the_identity_check_has_expired_enter_the_last_6"),
		Details: []app.Detail{{Field: "pass", Msg: app.Plain("expired or invalid")}}}
}

// sealPass seals the identity-check answer given for a link into a ballot pass.
func (s *Service) sealPass(tokenHash, idCheck string) (string, error) {
	expires := s.now().Add(BallotPassTTL).Unix()
	sealed, err := s.pii.Encrypt(passPrefix + "|" + tokenHash + "|" + strconv.FormatInt(expires, 10) + "|" + strings.TrimSpace(idCheck))
	if err != nil {
		return "", app.Internal(err)
	}
	return sealed, nil
}

// openPass returns the identity-check answer sealed in pass for token, refusing an
// expired, forged or foreign pass with 403.
func (s *Service) openPass(token, pass string) (string, error) {
	plain, err := s.pii.Decrypt(strings.TrimSpace(pass))
	if err != nil || plain == "" {
		return "", errPassInvalid()
	}
	parts := strings.SplitN(plain, "|", 4)
	if len(parts) != 4 || parts[0] != passPrefix || parts[1] != hashToken(token) {
		return "", errPassInvalid()
	}
	expires, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || !s.now().Before(time.Unix(expires, 0)) {
		return "", errPassInvalid()
	}
	return parts[3], nil
}

// CheckIdentity runs the identity check of a personal ballot link before the ballot
// is shown: the last six characters of the ID number of any owner of the voter's
// units, through the same door as CastOnline (admitCheck): a wrong answer is 403 and
// counts an attempt (the link locks at the profile's limit); before the voting
// period it is 410. On success it returns a ballot pass for CheckPass,
// BallotWithPass and CastOnlineWithPass, valid for BallotPassTTL, whether or not
// the voter has voted: what the owner has done (the ballot, its receipt, their
// objections and the answers) is shown only with the pass, during the voting period
// and after it.
func (s *Service) CheckIdentity(ctx context.Context, token, idCheck string) (string, error) {
	if _, err := s.admitCheck(ctx, token, idCheck, votingStarted); err != nil {
		return "", err
	}
	return s.sealPass(hashToken(token), idCheck)
}

// votingStarted refuses an identity check before the voting period with 410: the
// ballot page has nothing to show behind the check yet.
func votingStarted(v models.Vote, now time.Time) error {
	switch phaseOf(v, now) {
	case PhaseDraft, PhaseScheduled:
		return acceptingBallots(v, now)
	}
	return nil
}

// CheckPass tells whether pass is a valid ballot pass for token (nil) or must be
// replaced by a new identity check (403).
func (s *Service) CheckPass(token, pass string) error {
	_, err := s.openPass(token, pass)
	return err
}

// BallotWithPass is the ballot page of a personal link after its identity check
// passed (the pass of CheckIdentity): Ballot with whether, when and how the voter
// voted, the receipt, and the voter's objections.
func (s *Service) BallotWithPass(ctx context.Context, token, pass string) (BallotView, error) {
	if _, err := s.openPass(token, pass); err != nil {
		return BallotView{}, err
	}
	return s.ballot(ctx, token, true)
}

// CastOnlineWithPass casts the ballot of a personal link with the identity check
// carried by a ballot pass; everything else is CastOnline (which checks the answer
// again, counted as any other: 403, 409, 410 and 422 as there).
func (s *Service) CastOnlineWithPass(ctx context.Context, token, pass string, choices Choices) (Receipt, error) {
	return s.CastOnlineWithPassFrom(ctx, "", token, pass, choices)
}

// CastOnlineWithPassFrom is CastOnlineWithPass sent from client (see CastOnlineFrom).
func (s *Service) CastOnlineWithPassFrom(ctx context.Context, client, token, pass string, choices Choices) (Receipt, error) {
	idCheck, err := s.openPass(token, pass)
	if err != nil {
		return Receipt{}, err
	}
	return s.CastOnlineFrom(ctx, client, token, idCheck, choices)
}
