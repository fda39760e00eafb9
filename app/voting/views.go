package voting

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// VoteSummary is one vote in an estate's list.
type VoteSummary struct {
	ID                     int64
	EstateID               int64
	Title                  string
	LegalProfile           string
	Form                   string
	Convenor               string
	State                  string
	Phase                  Phase
	NoticePublishedAt      time.Time
	OpensAt                time.Time
	ClosesAt               time.Time
	Items                  int
	TotalArea              rules.Area
	TotalHeadcount         int
	ParticipatingHeadcount int // live ballots so far
	// RegisterRule is the co-owner counting rule (C3) the vote's register was frozen
	// under; empty before the vote opens.
	RegisterRule string
	CreatedAt    time.Time
}

// VoteDetail is everything a vote's staff page shows besides the live figures.
type VoteDetail struct {
	VoteSummary
	EstateName         string
	ProfileCode        string
	ProfileVersion     string
	ProfileName        string
	Location           string
	FollowMajority     bool
	AgendaRevision     int
	AgendaEditable     bool // a draft before its notice: items may still be added or changed
	CanChange          bool // the principal may change the vote (not an auditor)
	QuorumRule         string
	QuorumRuleEN       string
	NoticeDays         int
	ProxyMaxPrincipals int
	Items              []Item
	OpenedAt           *time.Time
	ClosedAt           *time.Time
	PublishedAt        *time.Time
	PublishDueAt       *time.Time
	PublishLate        bool
	ObjectionDeadline  *time.Time
	FinalisedAt        *time.Time
	BallotsCounted     int
	TallySHA256        string
	ReceiptsDigest     string
}

// summarise shapes one vote's summary.
func summarise(v models.Vote, now time.Time, items, participating int) VoteSummary {
	return VoteSummary{ID: v.ID, EstateID: v.EstateID, Title: v.Title, LegalProfile: v.LegalProfile, Form: v.Form, Convenor: v.Convenor,
		State: v.State, Phase: phaseOf(v, now), NoticePublishedAt: v.NoticePublishedAt, OpensAt: v.OpensAt, ClosesAt: v.ClosesAt,
		Items: items, TotalArea: rules.Area(v.TotalArea), TotalHeadcount: v.TotalHeadcount, ParticipatingHeadcount: participating,
		RegisterRule: v.RegisterRule, CreatedAt: v.CreatedAt}
}

// ListVotes lists the votes of an estate the principal may see, newest first.
func (s *Service) ListVotes(ctx context.Context, p app.Principal, estateID int64) ([]VoteSummary, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return nil, err
	}
	votes, err := models.VotesOfEstate(ctx, s.db, estateID)
	if err != nil {
		return nil, app.Internal(err)
	}
	out := make([]VoteSummary, 0, len(votes))
	if len(votes) == 0 {
		return out, nil
	}
	ids := make([]int64, len(votes))
	for i, v := range votes {
		ids[i] = v.ID
	}
	var itemCounts []struct {
		VoteID   int64
		Revision int
		N        int
	}
	if err := s.db.WithContext(ctx).Model(&models.VoteItem{}).Select("vote_id, revision, COUNT(*) AS n").
		Where("vote_id IN ?", ids).Group("vote_id, revision").Scan(&itemCounts).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("counting items: %w", err))
	}
	items := map[string]int{}
	for _, c := range itemCounts {
		items[strconv.FormatInt(c.VoteID, 10)+"/"+strconv.Itoa(c.Revision)] = c.N
	}
	var partCounts []struct {
		VoteID int64
		N      int
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT b.vote_id, COUNT(*) AS n FROM ballots b
		LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id WHERE b.vote_id IN ? AND bv.id IS NULL GROUP BY b.vote_id`, ids).
		Scan(&partCounts).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("counting ballots: %w", err))
	}
	part := map[int64]int{}
	for _, c := range partCounts {
		part[c.VoteID] = c.N
	}
	now := s.now()
	for _, v := range votes {
		out = append(out, summarise(v, now, items[strconv.FormatInt(v.ID, 10)+"/"+strconv.Itoa(v.AgendaRevision)], part[v.ID]))
	}
	return out, nil
}

// Vote returns one vote with its agenda, as its staff page shows it.
func (s *Service) Vote(ctx context.Context, p app.Principal, voteID int64) (VoteDetail, error) {
	v, e, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return VoteDetail{}, err
	}
	ag, err := s.agendaOf(ctx, s.db, v)
	if err != nil {
		return VoteDetail{}, app.Internal(err)
	}
	var participating int64
	if err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM ballots b LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id
		WHERE b.vote_id = ? AND bv.id IS NULL`, v.ID).Scan(&participating).Error; err != nil {
		return VoteDetail{}, app.Internal(fmt.Errorf("counting ballots: %w", err))
	}
	now := s.now()
	prof := profileOf(v)
	d := VoteDetail{VoteSummary: summarise(v, now, len(ag.items), int(participating)), EstateName: e.Name,
		ProfileCode: v.ProfileCode, ProfileVersion: v.ProfileVersion, ProfileName: prof.Name, Location: v.Location,
		FollowMajority: v.FollowMajority, AgendaRevision: v.AgendaRevision, AgendaEditable: agendaEditable(v, now),
		CanChange: access.Can(p, access.RunVote), NoticeDays: prof.NoticeDays, ProxyMaxPrincipals: prof.ProxyMaxPrincipals, Items: ag.items,
		OpenedAt: v.OpenedAt, ClosedAt: v.ClosedAt, PublishedAt: v.PublishedAt, PublishDueAt: v.PublishDueAt,
		PublishLate: v.PublishLate, ObjectionDeadline: v.ObjectionDeadline, FinalisedAt: v.FinalisedAt,
		BallotsCounted: v.BallotsCounted, TallySHA256: v.TallySHA256, ReceiptsDigest: v.ReceiptsDigest}
	d.QuorumRule, d.QuorumRuleEN = rules.QuorumRuleText(rules.LegalProfile(v.LegalProfile))
	return d, nil
}

// Event is one entry of a vote's trail: a staff action from the audit log, or an
// owner-side event (identity checks, lockouts, objections by link).
type Event struct {
	At      time.Time
	Source  string // "staff" or "owner"
	Kind    string // e.g. vote.open, ballot.void, id_check_failed
	Actor   string // the staff username, or the voter's rooms
	VoterID int64
	Detail  map[string]any
}

// Events lists a vote's trail for auditors and staff, oldest first.
func (s *Service) Events(ctx context.Context, p app.Principal, voteID int64) ([]Event, error) {
	v, _, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return nil, err
	}
	var logs []models.AuditLog
	if err := s.db.WithContext(ctx).Where("target_type = ? AND target_id = ?", "vote", strconv.FormatInt(v.ID, 10)).
		Order("id").Find(&logs).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("audit trail of vote %d: %w", v.ID, err))
	}
	var evs []struct {
		models.VoteEvent
		Rooms *string
	}
	if err := s.db.WithContext(ctx).Table("vote_events").Select("vote_events.*, vote_voters.rooms").
		Joins("LEFT JOIN vote_voters ON vote_voters.id = vote_events.voter_id").
		Where("vote_events.vote_id = ?", v.ID).Order("vote_events.id").Scan(&evs).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("events of vote %d: %w", v.ID, err))
	}
	out := make([]Event, 0, len(logs)+len(evs))
	for _, l := range logs {
		ev := Event{At: l.At, Source: "staff", Kind: l.Action, Actor: l.Username, Detail: map[string]any{}}
		if l.Detail != "" {
			if err := json.Unmarshal([]byte(l.Detail), &ev.Detail); err != nil {
				ev.Detail = map[string]any{"text": l.Detail}
			}
		}
		out = append(out, ev)
	}
	for _, e := range evs {
		ev := Event{At: e.At, Source: "owner", Kind: e.Kind, Detail: map[string]any{"text": e.Detail}}
		if e.Rooms != nil {
			ev.Actor = *e.Rooms
		}
		if e.VoterID != nil {
			ev.VoterID = *e.VoterID
		}
		out = append(out, ev)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
