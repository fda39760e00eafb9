package voting

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// BuildingParticipation is the register and the participation of one building.
// A voter with units in two buildings counts in both.
type BuildingParticipation struct {
	Building               string
	Units                  int
	Area                   rules.Area
	Voters                 int
	ParticipatingUnits     int
	ParticipatingArea      rules.Area
	ParticipatingHeadcount int
}

// ChannelParticipation is the live ballots of one channel.
type ChannelParticipation struct {
	Channel   string
	Headcount int
	Area      rules.Area
}

// Participation is the live participation of an opened vote against its quorum
// lines, overall and by building. It never holds item results.
type Participation struct {
	VoteID                 int64
	Phase                  Phase
	LegalProfile           string
	AsOf                   time.Time
	TotalArea              rules.Area
	TotalHeadcount         int
	ParticipatingArea      rules.Area
	ParticipatingHeadcount int
	QuorumRule             string
	QuorumRuleEN           string
	QuorumArea             rules.Area // the least participating area that meets the quorum
	QuorumHeadcount        int        // the least participating headcount that meets the quorum
	QuorumReached          bool       // participation so far meets both lines
	Buildings              []BuildingParticipation
	Channels               []ChannelParticipation
	Voided                 int
}

// quorumLines returns the least area and headcount that meet the quorum of profile
// lp: ≥ 2/3 of the total under civil-code-2021, > 1/2 under property-law-2007.
func quorumLines(lp rules.LegalProfile, total rules.Count) (rules.Area, int) {
	if lp == rules.PropertyLaw2007 {
		return total.Area/2 + 1, total.Headcount/2 + 1
	}
	return (2*total.Area + 2) / 3, (2*total.Headcount + 2) / 3
}

// participation computes the live participation of v through db.
func (s *Service) participation(ctx context.Context, db *gorm.DB, v models.Vote) (Participation, error) {
	lp := rules.LegalProfile(v.LegalProfile)
	total := rules.Count{Area: rules.Area(v.TotalArea), Headcount: v.TotalHeadcount}
	out := Participation{VoteID: v.ID, Phase: phaseOf(v, s.now()), LegalProfile: v.LegalProfile, AsOf: s.now(),
		TotalArea: total.Area, TotalHeadcount: total.Headcount, Buildings: []BuildingParticipation{}, Channels: []ChannelParticipation{}}
	out.QuorumRule, out.QuorumRuleEN = rules.QuorumRuleText(lp)
	out.QuorumArea, out.QuorumHeadcount = quorumLines(lp, total)
	if v.State == models.VoteDraft {
		return out, nil
	}
	channels, err := models.ParticipationByChannel(ctx, db, v.ID)
	if err != nil {
		return out, err
	}
	for _, c := range channels {
		out.Channels = append(out.Channels, ChannelParticipation{Channel: c.Channel, Headcount: c.Headcount, Area: rules.Area(c.Area)})
		out.ParticipatingArea += rules.Area(c.Area)
		out.ParticipatingHeadcount += c.Headcount
	}
	buildings, err := models.ParticipationByBuilding(ctx, db, v.ID)
	if err != nil {
		return out, err
	}
	for _, b := range buildings {
		out.Buildings = append(out.Buildings, BuildingParticipation{Building: b.Building, Units: b.Units, Area: rules.Area(b.Area),
			Voters: b.Voters, ParticipatingUnits: b.ParticipatingUnits, ParticipatingArea: rules.Area(b.ParticipatingArea),
			ParticipatingHeadcount: b.ParticipatingHeadcount})
	}
	sortBuildings(out.Buildings)
	if out.Voided, err = models.CountVoids(ctx, db, v.ID); err != nil {
		return out, err
	}
	out.QuorumReached = rules.QuorumMet(lp, rules.Count{Area: out.ParticipatingArea, Headcount: out.ParticipatingHeadcount}, total)
	return out, nil
}

// sortBuildings orders buildings naturally ("2" before "10").
func sortBuildings(list []BuildingParticipation) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && rules.CompareRooms(list[j].Building, list[j-1].Building) < 0; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

// Participation is the live participation of a vote for staff and the street office:
// participating area and headcount against the quorum lines, by building and by
// channel. Item results stay hidden until the vote closes.
func (s *Service) Participation(ctx context.Context, p app.Principal, voteID int64) (Participation, error) {
	v, _, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return Participation{}, err
	}
	out, err := s.participation(ctx, s.db, v)
	if err != nil {
		return Participation{}, app.Internal(err)
	}
	return out, nil
}

// ResultsView is the answer of GET results: after the closing time the stored
// Result (closing the vote first if the closer has not yet), before it only the
// live Participation.
type ResultsView struct {
	VoteID            int64
	State             string
	Phase             Phase
	Result            *Result
	Participation     *Participation
	TallySHA256       string
	PublishedAt       *time.Time
	PublishDueAt      *time.Time
	PublishLate       bool
	ObjectionDeadline *time.Time
	FinalisedAt       *time.Time
}

// Results returns a vote's result: to staff of the estate (p non-nil) at any time,
// to anyone (p nil) once published. Before the closing time it holds participation
// only; after it, the stored result, checked against its SHA-256.
func (s *Service) Results(ctx context.Context, p *app.Principal, voteID int64) (ResultsView, error) {
	v, err := s.resultsVote(ctx, p, voteID)
	if err != nil {
		return ResultsView{}, err
	}
	if v.State == models.VoteOpen && !s.now().Before(v.ClosesAt) {
		if _, err := s.Close(ctx, v.ID); err != nil {
			return ResultsView{}, err
		}
		if v, err = models.FindVote(ctx, s.db, v.ID); err != nil {
			return ResultsView{}, app.Internal(err)
		}
	}
	out := ResultsView{VoteID: v.ID, State: v.State, Phase: phaseOf(v, s.now()), TallySHA256: v.TallySHA256, PublishedAt: v.PublishedAt,
		PublishDueAt: v.PublishDueAt, PublishLate: v.PublishLate, ObjectionDeadline: v.ObjectionDeadline, FinalisedAt: v.FinalisedAt}
	if v.TallyJSON == nil {
		part, err := s.participation(ctx, s.db, v)
		if err != nil {
			return ResultsView{}, app.Internal(err)
		}
		out.Participation = &part
		return out, nil
	}
	if out.Result, err = storedResult(v); err != nil {
		return ResultsView{}, err
	}
	return out, nil
}

// resultsVote loads a vote for a results-like read: staff by jurisdiction, anyone
// once the result is published.
func (s *Service) resultsVote(ctx context.Context, p *app.Principal, voteID int64) (models.Vote, error) {
	if p != nil {
		v, _, err := s.loadVote(ctx, *p, voteID)
		return v, err
	}
	v, err := models.FindVote(ctx, s.db, voteID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return v, ErrVoteNotFound()
	}
	if err != nil {
		return v, app.Internal(err)
	}
	if !v.Published() {
		return v, app.Fail(app.EUnauthorized, "err.voting.the_result_is_not_published_yet_sign_in")
	}
	return v, nil
}

// ParticipationEntry is one participating voter on the published list: rooms and
// area only, never choices (Beijing style).
type ParticipationEntry struct {
	Rooms []string
	Area  rules.Area
}

// ParticipationList lists the voters holding a live ballot, in register order: to
// staff of the estate (p non-nil) once the vote is open, to anyone once the result
// is published.
func (s *Service) ParticipationList(ctx context.Context, p *app.Principal, voteID int64) ([]ParticipationEntry, error) {
	v, err := s.resultsVote(ctx, p, voteID)
	if err != nil {
		return nil, err
	}
	if v.State == models.VoteDraft {
		return nil, app.Fail(app.EConflict, "err.voting.the_vote_is_not_open")
	}
	var rows []struct {
		Rooms string
		Area  int64
	}
	err = s.db.WithContext(ctx).Raw(`SELECT vv.rooms, vv.area FROM vote_voters vv
		WHERE vv.vote_id = ? AND EXISTS (SELECT 1 FROM ballots b LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id
			WHERE b.vote_id = vv.vote_id AND b.voter_id = vv.id AND bv.id IS NULL)
		ORDER BY vv.position`, v.ID).Scan(&rows).Error
	if err != nil {
		return nil, app.Internal(fmt.Errorf("participation list of vote %d: %w", v.ID, err))
	}
	out := make([]ParticipationEntry, len(rows))
	for i, r := range rows {
		out[i] = ParticipationEntry{Rooms: splitRooms(r.Rooms), Area: rules.Area(r.Area)}
	}
	return out, nil
}
