// Package elections joins the formation path to assembly votes: it turns a
// preparatory (or re-election) group's published candidate slate into the
// election item of a vote, records a counted election as the owners' committee
// (members, alternates, vacant seats), and creates the follow-up vote for a runoff
// among tied candidates or a by-election for vacant seats.
package elections

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/formation"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// ItemKey is the key of the election item in votes created here.
const ItemKey = "committee"

// Service is the election glue service.
type Service struct {
	votes     *voting.Service
	formation *formation.Service
}

// New builds the service.
func New(votes *voting.Service, f *formation.Service) *Service {
	return &Service{votes: votes, formation: f}
}

// VoteInput is what staff decide about an election vote besides its candidates.
type VoteInput struct {
	Title             string
	LegalProfile      string
	Form              string
	Location          string
	NoticePublishedAt time.Time
	OpensAt           time.Time
	ClosesAt          time.Time
	Seats             int
	Alternates        int
}

// CreateFromSlate drafts a vote of the group's estate whose election item holds the
// group's published slate, in published order. The vote validates seats against the
// profile, the notice period and the voting period.
func (s *Service) CreateFromSlate(ctx context.Context, p app.Principal, groupID int64, in VoteInput) (int64, error) {
	if err := access.RequireAny(p, access.PrepElection, access.ReelectionElection); err != nil {
		return 0, err
	}
	g, err := s.formation.Group(ctx, p, groupID)
	if err != nil {
		return 0, err
	}
	act := access.PrepElection
	if g.Kind == models.GroupKindReelection {
		act = access.ReelectionElection
	}
	if err := access.Require(p, act); err != nil {
		return 0, err
	}
	keys, refs, err := s.formation.SlateRefs(ctx, p, groupID)
	if err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, app.Fail(app.EConflict, "err.elections.the_slate_has_no_candidates")
	}
	cands := make([]voting.CandidateInput, 0, len(keys))
	for _, k := range keys {
		cands = append(cands, voting.CandidateInput{Key: k, Name: refs[k].Name})
	}
	title := strings.TrimSpace(in.Title)
	if title == "" {
		title = "选举业主委员会委员"
	}
	if in.Form == "" {
		in.Form = "written"
	}
	convenor := voting.ConvenorPreparatoryGroup
	if g.Kind == models.GroupKindReelection {
		convenor = voting.ConvenorReelectionGroup
	}
	return s.votes.Create(ctx, p, g.EstateID, voting.NewVote{
		Title: title, LegalProfile: in.LegalProfile, Form: in.Form, Convenor: convenor, Location: in.Location,
		NoticePublishedAt: in.NoticePublishedAt, OpensAt: in.OpensAt, ClosesAt: in.ClosesAt,
		Items: []voting.ItemInput{{Key: ItemKey, Title: title, Matter: string(rules.MatterElectCommittee),
			Text:  slateText(len(cands), in.Seats, in.Alternates),
			Seats: in.Seats, Alternates: in.Alternates, Candidates: cands}},
	})
}

// electionOf reads the counted election item of a closed vote and when the vote closed:
// the end of its voting period, or the moment it was closed when that came first.
func (s *Service) electionOf(ctx context.Context, p app.Principal, voteID int64, itemKey string) (voting.VoteDetail, voting.ElectionResult, time.Time, error) {
	d, err := s.votes.Vote(ctx, p, voteID)
	if err != nil {
		return d, voting.ElectionResult{}, time.Time{}, err
	}
	rv, err := s.votes.Results(ctx, &p, voteID)
	if err != nil {
		return d, voting.ElectionResult{}, time.Time{}, err
	}
	if rv.Result == nil {
		return d, voting.ElectionResult{}, time.Time{}, app.Fail(app.EConflict, "err.elections.the_vote_is_not_counted_yet")
	}
	if itemKey == "" {
		itemKey = ItemKey
	}
	er, ok := rv.Result.Elections[itemKey]
	if !ok {
		return d, voting.ElectionResult{}, time.Time{}, app.Invalid("item_key", app.M("err.elections.the_vote_has_no_election_item", itemKey))
	}
	closed := rv.Result.ClosesAt
	if !rv.Result.ClosedAt.IsZero() && rv.Result.ClosedAt.Before(closed) {
		closed = rv.Result.ClosedAt
	}
	return d, er, closed, nil
}

// Record records the counted election item of a closed vote as the estate's
// committee (formation.RecordElection): elected members, alternates in rank order,
// a pending runoff or vacant seats. The candidates must come from a formation slate.
//
// termYears is the term the rules of procedure set (0: the profile's longest); the
// deadlines that follow run from the vote's close.
func (s *Service) Record(ctx context.Context, p app.Principal, voteID int64, itemKey string, termYears int) (int64, error) {
	if err := access.RequireAny(p, access.PrepElection, access.ReelectionElection); err != nil {
		return 0, err
	}
	if itemKey == "" {
		itemKey = ItemKey
	}
	d, er, closedAt, err := s.electionOf(ctx, p, voteID, itemKey)
	if err != nil {
		return 0, err
	}
	res := rules.ElectionResult{Key: itemKey, Seats: er.Seats, Elected: er.Elected, Runoff: er.Runoff, Alternates: er.Alternates,
		AlternatesPending: er.AlternatesPending, AlternateTie: nonNil(er.AlternateTie), AlternateTiePlaces: er.AlternateTiePlaces,
		CommitteeFormed: er.CommitteeFormed, VacantSeats: er.VacantSeats, InvalidBallots: er.InvalidBallots, Rule: er.Rule, RuleEN: er.RuleEN,
		Candidates: map[string]rules.CandidateResult{}}
	refs := map[string]formation.CandidateRef{}
	for key, cr := range er.Candidates {
		area, err := rules.ParseArea(cr.AgreeArea)
		if err != nil {
			return 0, app.Internal(fmt.Errorf("vote %d candidate %s area %q: %w", voteID, key, cr.AgreeArea, err))
		}
		res.Candidates[key] = rules.CandidateResult{Key: key, Agree: rules.Count{Area: area, Headcount: cr.AgreeHeadcount},
			Qualified: cr.Qualified, Rank: cr.Rank}
		id, ok := formation.CandidateIDOfKey(key)
		if !ok {
			return 0, app.Fail(app.EConflict, "err.elections.candidate_is_not_from_a_published_slate", cr.Name, key)
		}
		c, err := s.formation.Candidate(ctx, p, id)
		if err != nil {
			return 0, err
		}
		if c.EstateID != d.EstateID {
			return 0, app.Fail(app.EConflict, "err.elections.candidate_belongs_to_another_estate", cr.Name, key)
		}
		refs[key] = formation.CandidateRef{CandidateID: id, Name: c.Name, Room: c.Room}
	}
	return s.formation.RecordElectionClosed(ctx, p, d.EstateID, voteID, itemKey, formation.RecordOptions{ClosedAt: closedAt, TermYears: termYears}, res, refs)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// FollowUpInput is the timing of a runoff or by-election vote.
type FollowUpInput struct {
	NoticePublishedAt time.Time
	OpensAt           time.Time
	ClosesAt          time.Time
	LegalProfile      string
	Form              string
}

// CreateFollowUp drafts the runoff vote among the candidates tied across the last
// seat, for the seats left vacant, keeping as many alternate places as the count kept
// for the runoff's losers (AlternatesPending): the runoff ranks them. (Seats vacant
// without a tie are filled by a by-election from a newly published slate: CreateFromSlate.)
func (s *Service) CreateFollowUp(ctx context.Context, p app.Principal, voteID int64, itemKey string, in FollowUpInput) (int64, error) {
	if err := access.Require(p, access.RunVote); err != nil {
		return 0, err
	}
	if itemKey == "" {
		itemKey = ItemKey
	}
	d, er, _, err := s.electionOf(ctx, p, voteID, itemKey)
	if err != nil {
		return 0, err
	}
	if len(er.Runoff) == 0 {
		return 0, app.Fail(app.EConflict, "err.elections.no_runoff_fill_vacant_seats_by_a_by_election")
	}
	if in.Form == "" {
		in.Form = d.Form
	}
	if in.LegalProfile == "" {
		in.LegalProfile = d.LegalProfile
	}
	cands := make([]voting.CandidateInput, 0, len(er.Runoff))
	for _, k := range er.Runoff {
		cands = append(cands, voting.CandidateInput{Key: k, Name: er.Candidates[k].Name})
	}
	title := strings.TrimSpace(er.Title) + "（决选）"
	return s.votes.Create(ctx, p, d.EstateID, voting.NewVote{
		Title: title, LegalProfile: in.LegalProfile, Form: in.Form, Convenor: d.Convenor,
		NoticePublishedAt: in.NoticePublishedAt, OpensAt: in.OpensAt, ClosesAt: in.ClosesAt,
		Items: []voting.ItemInput{{Key: ItemKey, Title: title, Matter: string(rules.MatterElectCommittee),
			Text: fmt.Sprintf("第 %d 号表决中以下候选人同意票数和面积并列，争夺剩余 %d 个席位，现进行决选；未当选者依决选结果排在原有候补委员之前，递补候补委员 %d 名。",
				voteID, er.VacantSeats, er.AlternatesPending),
			Seats: er.VacantSeats, Alternates: er.AlternatesPending, ByElection: true, VacantSeats: er.VacantSeats, Candidates: cands}},
	})
}

// slateText is the text of the election item made from a slate: the seats (alternates
// only when there are any) and how the item is answered, in the words of the ballot,
// the notice and the resolution (rules.ElectionSeatsLine, rules.ElectionHowTo).
func slateText(candidates, seats, alternates int) string {
	line, _ := rules.ElectionSeatsLine(seats, alternates)
	how, _ := rules.ElectionHowTo(seats)
	return fmt.Sprintf("从经资格审查并公示的 %d 名候选人中选举业主委员会委员：%s。%s", candidates, line, how)
}
