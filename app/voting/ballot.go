package voting

import (
	"context"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// ChannelLabel is the Chinese name of a ballot channel.
func ChannelLabel(channel string) string {
	switch channel {
	case models.ChannelOnline:
		return "线上投票"
	case models.ChannelPaper:
		return "纸质选票"
	case models.ChannelProxy:
		return "委托投票"
	}
	return channel
}

// Receipt is what a voter (or the staff member entering a paper ballot) gets back:
// the receipt code binds the vote, the voter and the choices; anyone can check it
// with VerifyReceipt, which never reveals the choices.
type Receipt struct {
	Code     string
	BallotID int64
	VoteID   int64
	Channel  string
	CastAt   time.Time
}

// receiptEncoding writes receipt codes: upper-case letters and digits 2-7.
var receiptEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// receiptCode computes a ballot's receipt: a keyed hash (HMAC under the server's
// secret) of the vote, the voter, the canonical choices and a random nonce,
// shortened to 80 bits and written as four groups of four characters. The nonce
// keeps anyone from guessing the choices from the code and makes every receipt of
// a voter (a re-entry after a void) different.
func (s *Service) receiptCode(voteID int64, voterKey string, choices, nonce string) string {
	sum := s.pii.HashID("ballot-receipt|" + strconv.FormatInt(voteID, 10) + "|" + voterKey + "|" + choices + "|" + nonce)
	raw, _ := hex.DecodeString(sum[:20]) // HashID returns 64 hex digits
	code := receiptEncoding.EncodeToString(raw)
	return code[0:4] + "-" + code[4:8] + "-" + code[8:12] + "-" + code[12:16]
}

// NormalizeReceipt brings a typed receipt code to its stored form ("ABCD-EFGH-...").
func NormalizeReceipt(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if (r >= 'A' && r <= 'Z') || (r >= '2' && r <= '7') {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) != 16 {
		return s
	}
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// newBallot is a ballot about to be written.
type newBallot struct {
	voteID    int64
	voterID   int64
	voterKey  string
	channel   string
	choices   string // canonical JSON
	area      int64  // the voter's frozen area: the ballot log leaf's weight
	castAt    time.Time
	decorate  func(*models.Ballot)
	duplicate func() error // the error for a concurrent second ballot of the voter
}

// errAlreadyVoted is the 409 for a voter who holds a live ballot.
func errAlreadyVoted(m *models.LiveBallot) error {
	if m == nil {
		return app.Fail(app.EConflict, "err.voting.this_voter_has_already_voted")
	}
	return app.Fail(app.EConflict, "err.voting.this_voter_already_voted", showTime(m.CastAt), ChannelLabel(m.Channel), m.Channel)
}

// duplicateOf builds the 409 for a ballot refused by the UNIQUE key, reading the
// voter's live ballot through the same transaction (a second pooled connection
// could wait forever behind SQLite writers queued for the lock this one holds).
func duplicateOf(ctx context.Context, db *gorm.DB, voteID, voterID int64) func() error {
	return func() error {
		live, err := models.LiveBallotOf(ctx, db, voteID, voterID)
		if err != nil {
			return errAlreadyVoted(nil)
		}
		return errAlreadyVoted(&live)
	}
}

// errBadLink is the answer for a token that matches no credential.
func errBadLink() error {
	return app.Fail(app.ENotFound, "err.voting.invalid_ballot_link")
}

// errRevoked is the answer for a revoked credential.
func errRevoked() error {
	return app.Fail(app.EForbidden, "err.voting.this_ballot_link_was_revoked_use_the_new_one")
}

// errLocked is the answer for a credential locked after wrong identity checks.
func errLocked(attempts int) error {
	return app.Fail(app.EForbidden, "err.voting.locked_after_failed_identity_checks_staff_must", attempts)
}

// BallotView is what the owner's ballot page shows for a personal link: the vote,
// every item in full and the voter's rooms; after the identity check (BallotWithPass)
// also whether and when the voter has voted, the receipt, and the voter's objections.
type BallotView struct {
	VoteID            int64
	Title             string
	EstateName        string
	Form              string
	Convenor          string
	Location          string
	LegalProfile      string
	State             string
	Phase             Phase
	NoticePublishedAt time.Time
	OpensAt           time.Time
	ClosesAt          time.Time
	QuorumRule        string
	Items             []Item
	Rooms             []string
	Area              rules.Area
	CredentialStatus  string // active or locked
	AttemptsLeft      int    // identity checks left before the link locks
	Checked           bool   // the identity check passed: Cast and MyObjections are known
	Cast              *CastInfo
	CanVote           bool // voting period and credential active (and, once checked, no live ballot)
	ResultsPublished  bool
	ObjectionsOpen    bool
	ObjectionDeadline *time.Time
	MyObjections      []Objection
	// Recorded is what the ballot that counts records (checked only; recorded.go), and
	// Voided the voter's ballots that staff voided, with the reason.
	Recorded []RecordedChoice
	Voided   []VoidedBallot
}

// CastInfo describes the voter's live ballot.
type CastInfo struct {
	Channel string
	CastAt  time.Time
	Receipt string
}

// Ballot opens a personal ballot link (public, no identity check yet): it shows that
// the link is valid, the vote, its items and its state, and nothing of what the
// voter did (whether, when or how they voted, the receipt, their objections): that
// needs the identity check (BallotWithPass). A revoked link is refused with 403; an
// unknown one is 404.
func (s *Service) Ballot(ctx context.Context, token string) (BallotView, error) {
	return s.ballot(ctx, token, false)
}

// ballot builds the view of a link; checked adds what the voter did.
func (s *Service) ballot(ctx context.Context, token string, checked bool) (BallotView, error) {
	cred, err := models.FindCredentialByTokenHash(ctx, s.db, hashToken(token), "")
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return BallotView{}, errBadLink()
	}
	if err != nil {
		return BallotView{}, app.Internal(err)
	}
	if cred.Status == models.CredentialRevoked {
		return BallotView{}, errRevoked()
	}
	v, err := models.FindVote(ctx, s.db, cred.VoteID)
	if err != nil {
		return BallotView{}, app.Internal(err)
	}
	e, err := models.FindEstate(ctx, s.db, v.EstateID)
	if err != nil {
		return BallotView{}, app.Internal(err)
	}
	ag, err := s.agendaOf(ctx, s.db, v)
	if err != nil {
		return BallotView{}, app.Internal(err)
	}
	var voter models.VoteVoter
	if err := s.db.WithContext(ctx).Where("id = ?", cred.VoterID).Take(&voter).Error; err != nil {
		return BallotView{}, app.Internal(fmt.Errorf("voter %d: %w", cred.VoterID, err))
	}
	now := s.now()
	prof := profileOf(v)
	quorum, _ := rules.QuorumRuleText(rules.LegalProfile(v.LegalProfile))
	view := BallotView{VoteID: v.ID, Title: v.Title, EstateName: e.Name, Form: v.Form, Convenor: v.Convenor, Location: v.Location,
		LegalProfile: v.LegalProfile, State: v.State, Phase: phaseOf(v, now), NoticePublishedAt: v.NoticePublishedAt,
		OpensAt: v.OpensAt, ClosesAt: v.ClosesAt, QuorumRule: quorum, Items: ag.items, Rooms: splitRooms(voter.Rooms),
		Area: rules.Area(voter.Area), CredentialStatus: cred.Status,
		AttemptsLeft:     max(prof.IdentityCheckAttempts-cred.FailedChecks, 0),
		ResultsPublished: v.Published(),
	}
	if cred.Status != models.CredentialActive {
		view.AttemptsLeft = 0
	}
	view.CanVote = view.Phase == PhaseVoting && cred.Status == models.CredentialActive
	if v.State == models.VotePublished && v.ObjectionDeadline != nil {
		view.ObjectionDeadline = v.ObjectionDeadline
		view.ObjectionsOpen = now.Before(*v.ObjectionDeadline) && cred.Status == models.CredentialActive
	}
	if !checked {
		return view, nil
	}
	view.Checked = true
	live, err := s.liveBallotOf(ctx, cred)
	if err != nil {
		return BallotView{}, err
	}
	if live != nil {
		view.Cast = &CastInfo{Channel: live.Channel, CastAt: live.CastAt, Receipt: live.Receipt}
		view.CanVote = false
		if view.Recorded, err = s.recordedChoices(ctx, ag.items, live.ID); err != nil {
			return BallotView{}, err
		}
	}
	if view.Voided, err = s.voidedBallots(ctx, v.ID, cred.VoterID); err != nil {
		return BallotView{}, err
	}
	mine, err := s.objections(ctx, s.db, v.ID, objectionsOnly{voterID: cred.VoterID})
	if err != nil {
		return BallotView{}, app.Internal(err)
	}
	view.MyObjections = mine
	return view, nil
}

// checkIDAnswer validates the form of an identity-check answer: exactly six
// characters (the last six of an ID number or credit code).
func checkIDAnswer(idCheck string) error {
	if utf8.RuneCountInString(strings.TrimSpace(idCheck)) != 6 {
		return app.Invalid("id_check", app.M("err.voting.enter_the_last_6_characters_of_the_id_number"))
	}
	return nil
}

// tokenCredential finds the credential of a personal link inside tx, holding the vote
// row (MySQL: a shared lock) so that the system cannot close the vote meanwhile, and
// refuses an unknown (404) or revoked (403) link.
func (s *Service) tokenCredential(ctx context.Context, tx *gorm.DB, tokenHash string) (models.CredentialByTokenHash, error) {
	cred, err := models.FindCredentialByTokenHash(ctx, tx, tokenHash, s.dialect.ShareLock())
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return cred, errBadLink()
	}
	if err != nil {
		return cred, err
	}
	if cred.Status == models.CredentialRevoked {
		return cred, errRevoked()
	}
	return cred, nil
}
