// Package auditview is the auditor's workspace of one vote (docs/audit.md): the
// ballots by channel with their times, paper and proxy entries with who entered them
// and their scans, voids with reasons, failed identity checks and credential
// reissues, flags worth a look, sampled paper audits and kept recounts. It reads the
// voting tables and writes only the auditor's own records (paper_audits,
// paper_audit_items, audit_recounts), each with an audit.Record in its transaction.
// Every method checks the role (access.AuditVotes: admin, street, auditor) and then
// the jurisdiction (a vote outside it is 404).
package auditview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/orgs"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// PageSize is the number of ballots on one page of the workspace.
const PageSize = 50

// Thresholds tune the flags; the defaults are Defaults().
type Thresholds struct {
	// ClusterWindow and ClusterMin: ClusterMin or more online ballots cast within
	// ClusterWindow form a burst, whatever their addresses.
	ClusterWindow time.Duration
	ClusterMin    int
	// AddressWindow and AddressMin: AddressMin or more online ballots from one
	// client address (compared by ballots.client_hash, a keyed hash) within
	// AddressWindow form a FlagAddress.
	AddressWindow time.Duration
	AddressMin    int
	// AfterReissue: a ballot cast on a reissued credential within this long of its issue.
	AfterReissue time.Duration
}

// Defaults are the thresholds the server uses: 10 online ballots within 2 minutes,
// a ballot within 10 minutes of a reissue.
func Defaults() Thresholds {
	return Thresholds{ClusterWindow: 2 * time.Minute, ClusterMin: 10, AfterReissue: 10 * time.Minute,
		AddressWindow: AddressWindow, AddressMin: AddressMin}
}

// The default of the "many ballots from one address in a short time" flag:
// AddressMin or more online ballots from one client address within AddressWindow.
// A household or a shared office connection sends a few; five within ten minutes
// is worth a look, not a finding (docs/audit.md).
const (
	AddressMin    = 5
	AddressWindow = 10 * time.Minute
)

// Recounter recounts a closed vote (voting.Service.Recount).
type Recounter interface {
	Recount(ctx context.Context, p app.Principal, voteID int64) (voting.Result, bool, error)
}

// Service is the workspace.
type Service struct {
	db     *gorm.DB
	orgs   *orgs.Service
	votes  Recounter
	clock  app.Clock
	limits Thresholds
	verify VerifySources // the verifier's inputs (verify.go)
}

// New builds the service.
func New(db *gorm.DB, orgSvc *orgs.Service, votes Recounter, clock app.Clock) *Service {
	return &Service{db: db, orgs: orgSvc, votes: votes, clock: app.ClockOrSystem(clock), limits: Defaults()}
}

// SetThresholds changes the flags' thresholds (tests).
func (s *Service) SetThresholds(t Thresholds) { s.limits = t }

// errVoteNotFound is the answer for a vote that does not exist or lies outside the
// principal's jurisdiction.
func errVoteNotFound() error { return app.Fail(app.ENotFound, "err.auditview.vote_not_found") }

// loadVote checks the role first (403 whatever the vote), then the jurisdiction (404).
func (s *Service) loadVote(ctx context.Context, p app.Principal, voteID int64) (models.Vote, models.EstateWithPath, error) {
	if err := access.Require(p, access.AuditVotes); err != nil {
		return models.Vote{}, models.EstateWithPath{}, err
	}
	v, err := models.FindVote(ctx, s.db, voteID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return v, models.EstateWithPath{}, errVoteNotFound()
	}
	if err != nil {
		return v, models.EstateWithPath{}, app.Internal(err)
	}
	e, err := s.orgs.Estate(ctx, p, v.EstateID)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return v, e, errVoteNotFound()
		}
		return v, e, err
	}
	return v, e, nil
}

// VoteHead is what every workspace page shows of the vote.
type VoteHead struct {
	ID        int64     `json:"id"`
	EstateID  int64     `json:"estate_id"`
	Estate    string    `json:"estate"`
	Title     string    `json:"title"`
	State     string    `json:"state"`
	OpensAt   time.Time `json:"opens_at"`
	ClosesAt  time.Time `json:"closes_at"`
	Published bool      `json:"published"`
}

func headOf(v models.Vote, e models.EstateWithPath) VoteHead {
	return VoteHead{ID: v.ID, EstateID: v.EstateID, Estate: e.Name, Title: v.Title, State: v.State,
		OpensAt: v.OpensAt, ClosesAt: v.ClosesAt, Published: v.Published()}
}

// ChannelCount is the number of ballots of one channel.
type ChannelCount struct {
	Channel string     `json:"channel"`
	Live    int        `json:"live"`
	Voided  int        `json:"voided"`
	First   *time.Time `json:"first,omitempty"`
	Last    *time.Time `json:"last,omitempty"`
}

// Void is one voided ballot with its reason.
type Void struct {
	BallotID int64     `json:"ballot_id"`
	Channel  string    `json:"channel"`
	Rooms    string    `json:"rooms"`
	CastAt   time.Time `json:"cast_at"`
	Reason   string    `json:"reason"`
	By       string    `json:"by" gorm:"column:by_name"`
	At       time.Time `json:"at" gorm:"column:voided_at"`
}

// Event is an owner-side event of the vote: a failed identity check or a locked link.
type Event struct {
	Kind   string    `json:"kind"`
	Rooms  string    `json:"rooms"`
	At     time.Time `json:"at"`
	Detail string    `json:"detail"`
}

// Reissue is a credential reissued by staff, from the audit log.
type Reissue struct {
	At         time.Time `json:"at"`
	By         string    `json:"by"`
	Rooms      string    `json:"rooms"`
	Generation int       `json:"generation"`
	Reason     string    `json:"reason"`
}

// Flag kinds.
const (
	FlagBurst        = "burst"         // many online ballots in a short time
	FlagAddress      = "address"       // many online ballots from one client address in a short time
	FlagAfterReissue = "after_reissue" // a ballot right after a credential reissue
	FlagProxyLimit   = "proxy_limit"   // a proxy representing the most principals allowed
	FlagPaperLate    = "paper_late"    // a paper or proxy ballot entered at or after the close
)

// Flag is something worth a look; it accuses nobody.
type Flag struct {
	Kind      string    `json:"kind"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Count     int       `json:"count"`
	BallotIDs []int64   `json:"ballot_ids"`
	Detail    string    `json:"detail"`
}

// Workspace is the overview of a vote for the auditor.
type Workspace struct {
	Vote        VoteHead         `json:"vote"`
	Channels    []ChannelCount   `json:"channels"`
	Flags       []Flag           `json:"flags"`
	Voids       []Void           `json:"voids"`
	Events      []Event          `json:"events"`
	Reissues    []Reissue        `json:"reissues"`
	PaperAudits []PaperAuditInfo `json:"paper_audits"`
	Recounts    []Recount        `json:"recounts"`
	// Verifications are the kept runs of the offline verifier (verify.go).
	Verifications []Verification `json:"verifications"`
	ProxyLimit    int            `json:"proxy_limit"`
	CanRecount    bool           `json:"can_recount"`
	PaperBallots  int            `json:"paper_ballots"`
}

// Workspace reads the overview of a vote.
func (s *Service) Workspace(ctx context.Context, p app.Principal, voteID int64) (Workspace, error) {
	v, e, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return Workspace{}, err
	}
	w := Workspace{Vote: headOf(v, e), ProxyLimit: rules.ProfileOrDefault(v.ProfileCode).ProxyMaxPrincipals,
		CanRecount: v.ClosedAt != nil && v.TallyJSON != nil}
	steps := []func() error{
		func() (err error) { w.Channels, err = s.channels(ctx, v.ID); return },
		func() (err error) { w.Flags, err = s.flags(ctx, v, w.ProxyLimit); return },
		func() (err error) { w.Voids, err = s.voids(ctx, v.ID); return },
		func() (err error) { w.Events, err = s.events(ctx, v.ID); return },
		func() (err error) { w.Reissues, err = s.reissues(ctx, v.ID); return },
		func() (err error) { w.PaperAudits, err = s.paperAudits(ctx, v.ID); return },
		func() (err error) { w.Recounts, err = s.recounts(ctx, v.ID); return },
		func() (err error) { w.Verifications, err = s.verifications(ctx, v.ID); return },
		func() (err error) { w.PaperBallots, err = s.paperPopulationCount(ctx, v.ID); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return Workspace{}, app.Internal(err)
		}
	}
	return w, nil
}

func (s *Service) channels(ctx context.Context, voteID int64) ([]ChannelCount, error) {
	var rows []struct {
		Channel string
		Voided  int
		N       int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT b.channel, CASE WHEN v.id IS NULL THEN 0 ELSE 1 END AS voided, COUNT(*) AS n
		FROM ballots b LEFT JOIN ballot_voids v ON v.ballot_id = b.id WHERE b.vote_id = ?
		GROUP BY b.channel, CASE WHEN v.id IS NULL THEN 0 ELSE 1 END`, voteID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("ballots by channel: %w", err)
	}
	by := map[string]*ChannelCount{}
	out := []ChannelCount{}
	for _, ch := range []string{models.ChannelOnline, models.ChannelPaper, models.ChannelProxy} {
		out = append(out, ChannelCount{Channel: ch})
	}
	for i := range out {
		by[out[i].Channel] = &out[i]
	}
	for _, r := range rows {
		c := by[r.Channel]
		if c == nil {
			continue
		}
		if r.Voided == 1 {
			c.Voided += r.N
		} else {
			c.Live += r.N
		}
	}
	for i := range out {
		var times []time.Time
		if err := s.db.WithContext(ctx).Model(&models.Ballot{}).Where("vote_id = ? AND channel = ?", voteID, out[i].Channel).
			Order("cast_at").Limit(1).Pluck("cast_at", &times).Error; err != nil {
			return nil, fmt.Errorf("first ballot: %w", err)
		}
		if len(times) == 1 {
			out[i].First = &times[0]
		}
		times = nil
		if err := s.db.WithContext(ctx).Model(&models.Ballot{}).Where("vote_id = ? AND channel = ?", voteID, out[i].Channel).
			Order("cast_at DESC").Limit(1).Pluck("cast_at", &times).Error; err != nil {
			return nil, fmt.Errorf("last ballot: %w", err)
		}
		if len(times) == 1 {
			out[i].Last = &times[0]
		}
	}
	return out, nil
}

func (s *Service) voids(ctx context.Context, voteID int64) ([]Void, error) {
	var out []Void
	err := s.db.WithContext(ctx).Raw(`SELECT b.id AS ballot_id, b.channel, vv.rooms, b.cast_at, v.reason, v.voided_by_name AS by_name, v.voided_at
		FROM ballot_voids v JOIN ballots b ON b.id = v.ballot_id JOIN vote_voters vv ON vv.id = b.voter_id
		WHERE v.vote_id = ? ORDER BY v.voided_at, v.id`, voteID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("voids: %w", err)
	}
	return out, nil
}

// maxEvents bounds the events listed on the overview (newest first).
const maxEvents = 500

func (s *Service) events(ctx context.Context, voteID int64) ([]Event, error) {
	var out []Event
	err := s.db.WithContext(ctx).Raw(`SELECT e.kind, COALESCE(vv.rooms, '') AS rooms, e.at, e.detail
		FROM vote_events e LEFT JOIN vote_voters vv ON vv.id = e.voter_id
		WHERE e.vote_id = ? AND e.kind IN ('id_check_failed', 'credential_locked') ORDER BY e.at DESC, e.id DESC LIMIT ?`, voteID, maxEvents).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return out, nil
}

func (s *Service) reissues(ctx context.Context, voteID int64) ([]Reissue, error) {
	var logs []models.AuditLog
	if err := s.db.WithContext(ctx).Where("action = ? AND target_type = ? AND target_id = ?", "vote.credential.reissue", "vote", fmt.Sprint(voteID)).
		Order("seq").Find(&logs).Error; err != nil {
		return nil, fmt.Errorf("reissues: %w", err)
	}
	out := make([]Reissue, 0, len(logs))
	for _, l := range logs {
		var d struct {
			Rooms      string `json:"rooms"`
			Generation int    `json:"generation"`
			Reason     string `json:"reason"`
		}
		_ = json.Unmarshal([]byte(l.Detail), &d) // a detail of another shape shows empty
		out = append(out, Reissue{At: l.At, By: l.Username, Rooms: d.Rooms, Generation: d.Generation, Reason: d.Reason})
	}
	return out, nil
}

// VoteRow is one vote of the workspace's list.
type VoteRow struct {
	ID       int64     `json:"id"`
	Estate   string    `json:"estate"`
	Title    string    `json:"title"`
	State    string    `json:"state"`
	OpensAt  time.Time `json:"opens_at"`
	ClosesAt time.Time `json:"closes_at"`
}

// VoteList is a page of the votes in the principal's jurisdiction that have opened.
type VoteList struct {
	Page  int       `json:"page"`
	Pages int       `json:"pages"`
	Total int64     `json:"total"`
	Votes []VoteRow `json:"votes"`
}

// Votes lists a page (from 1) of the opened votes in the principal's jurisdiction,
// newest first.
func (s *Service) Votes(ctx context.Context, p app.Principal, page int) (VoteList, error) {
	if err := access.Require(p, access.AuditVotes); err != nil {
		return VoteList{}, err
	}
	if page < 1 {
		return VoteList{}, app.Invalid("page", app.M("err.auditview.must_be_a_positive_whole_number"))
	}
	q := s.db.WithContext(ctx).Table("votes").Joins("JOIN estates ON estates.id = votes.estate_id").
		Joins("JOIN orgs ON orgs.id = estates.community_id").Where("votes.state <> ?", "draft")
	if !p.IsAdmin() {
		q = q.Where("orgs.path LIKE ?", p.OrgPath+"%")
	}
	out := VoteList{Page: page, Votes: []VoteRow{}}
	if err := q.Count(&out.Total).Error; err != nil {
		return VoteList{}, app.Internal(err)
	}
	out.Pages = int((out.Total + PageSize - 1) / PageSize)
	if err := q.Select("votes.id, estates.name AS estate, votes.title, votes.state, votes.opens_at, votes.closes_at").
		Order("votes.opens_at DESC, votes.id DESC").Offset((page - 1) * PageSize).Limit(PageSize).Scan(&out.Votes).Error; err != nil {
		return VoteList{}, app.Internal(err)
	}
	return out, nil
}
