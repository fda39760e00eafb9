package voting

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/roster"
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

// Now is the service's current instant (tests move it with SetClock), for pages
// that default dates or show "as of".
func (s *Service) Now() time.Time { return s.now() }

// errPassInvalid is the answer for a ballot pass that is expired, forged or meant
// for another link: the owner repeats the identity check.
func errPassInvalid() error {
	return &app.Error{Code: app.EForbidden,
		Message: "身份核验已过期，请重新输入证件号码后 6 位 / the identity check has expired: enter the last 6 characters again",
		Details: []app.Detail{{Field: "pass", Message: "expired or invalid"}}}
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
// units. A wrong answer is 403 and counts an attempt exactly as CastOnline does (the
// link locks at the profile's limit); outside the voting period it is 410; a voter
// who already voted gets 409. On success it returns a ballot pass for CheckPass and
// CastOnlineWithPass, valid for BallotPassTTL.
func (s *Service) CheckIdentity(ctx context.Context, token, idCheck string) (string, error) {
	if err := checkIDAnswer(idCheck); err != nil {
		return "", err
	}
	tokenHash := hashToken(token)
	cred, err := models.FindCredentialByTokenHash(ctx, s.db, tokenHash, "")
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", errBadLink()
	}
	if err != nil {
		return "", app.Internal(err)
	}
	if cred.Status == models.CredentialRevoked {
		return "", errRevoked()
	}
	v := cred.Vote()
	attempts := profileOf(v).IdentityCheckAttempts
	if err := acceptingBallots(v, s.now()); err != nil {
		return "", err
	}
	if err := verifyIdentity(cred, roster.Last6Hash(s.pii, idCheck), attempts); err != nil {
		if errors.Is(err, errWrongIDCheck) {
			return "", s.recordFailedCheck(ctx, cred, attempts)
		}
		return "", err
	}
	live, err := s.liveBallotOf(ctx, cred)
	if err != nil {
		return "", err
	}
	if live != nil {
		return "", errAlreadyVoted(live)
	}
	return s.sealPass(tokenHash, idCheck)
}

// CheckPass tells whether pass is a valid ballot pass for token (nil) or must be
// replaced by a new identity check (403).
func (s *Service) CheckPass(token, pass string) error {
	_, err := s.openPass(token, pass)
	return err
}

// CastOnlineWithPass casts the ballot of a personal link with the identity check
// carried by a ballot pass; everything else is CastOnline (which checks the answer
// again: 403, 409, 410 and 422 as there).
func (s *Service) CastOnlineWithPass(ctx context.Context, token, pass string, choices Choices) (Receipt, error) {
	idCheck, err := s.openPass(token, pass)
	if err != nil {
		return Receipt{}, err
	}
	return s.CastOnline(ctx, token, idCheck, choices)
}
