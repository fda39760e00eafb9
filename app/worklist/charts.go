package worklist

import (
	"context"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/formation"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// OpenVotes are the open votes of p's jurisdiction with live participation by area and
// headcount against their quorum lines (voting.OpenVotes), closing soonest first.
func (s *Service) OpenVotes(ctx context.Context, p app.Principal) ([]voting.OpenVote, error) {
	if err := access.Require(p, access.WorkList); err != nil {
		return nil, err
	}
	return s.votes.OpenVotes(ctx, p)
}

// Curve is one vote's cumulative participation over time (voting.ParticipationCurve).
func (s *Service) Curve(ctx context.Context, p app.Principal, voteID int64) ([]voting.CurvePoint, error) {
	if err := access.Require(p, access.WorkList); err != nil {
		return nil, err
	}
	return s.votes.ParticipationCurve(ctx, p, voteID)
}

// StageCount is the open complaints waiting at one 三三三 stage: on time and past it.
type StageCount struct {
	Stage   string `json:"stage"`
	Label   string `json:"label"`
	LabelEN string `json:"label_en"`
	OnTime  int    `json:"on_time"`
	Overdue int    `json:"overdue"`
}

// ComplaintStages counts the open complaints of p's jurisdiction by the 三三三 stage
// they wait at (response, first result, resolution), on time and overdue.
func (s *Service) ComplaintStages(ctx context.Context, p app.Principal) ([]StageCount, error) {
	if err := access.Require(p, access.WorkList); err != nil {
		return nil, err
	}
	list, err := s.property.OpenComplaints(ctx, p)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := []StageCount{}
	idx := map[string]int{}
	for _, st := range []string{"response", "first_result", "resolve"} {
		idx[st] = len(out)
		out = append(out, StageCount{Stage: st, Label: stageDetail[st][0], LabelEN: stageDetail[st][1]})
	}
	for _, c := range list {
		i, ok := idx[c.SLA.NextStage]
		if !c.SLA.Open || !ok {
			continue
		}
		if !now.Before(c.SLA.NextDue) {
			out[i].Overdue++
		} else {
			out[i].OnTime++
		}
	}
	return out, nil
}

// FormationStages counts p's estates by formation stage (formation.StageCounts).
func (s *Service) FormationStages(ctx context.Context, p app.Principal) ([]formation.StageCount, error) {
	if err := access.Require(p, access.WorkList); err != nil {
		return nil, err
	}
	return s.formation.StageCounts(ctx, p)
}

// OpenCounts are the open cases of a jurisdiction, whatever their deadlines.
type OpenCounts struct {
	Cases      int `json:"cases"`      // negative-list and cessation cases not closed
	Reelection int `json:"reelection"` // committees flagged "re-election required"
	Complaints int `json:"complaints"` // complaints not resolved in their cycle
	Overdue    int `json:"complaints_overdue"`
	ExitCases  int `json:"exit_cases"` // open exit cases
	Handovers  int `json:"handovers"`  // handovers not completed
	Refused    int `json:"handovers_refused"`
}

// OpenCases counts the open cases of p's jurisdiction: the monthly report's last part.
func (s *Service) OpenCases(ctx context.Context, p app.Principal) (OpenCounts, error) {
	var out OpenCounts
	if err := access.Require(p, access.WorkList); err != nil {
		return out, err
	}
	if p.Role != app.RoleCommittee {
		sup, err := s.committee.Open(ctx, p)
		if err != nil {
			return out, err
		}
		out.Cases, out.Reelection = len(sup.Cases), len(sup.Reelection)
	}
	stages, err := s.ComplaintStages(ctx, p)
	if err != nil {
		return out, err
	}
	for _, st := range stages {
		out.Complaints += st.OnTime + st.Overdue
		out.Overdue += st.Overdue
	}
	exits, err := s.property.ExitCases(ctx, p)
	if err != nil {
		return out, err
	}
	for _, x := range exits {
		if x.Status == "open" {
			out.ExitCases++
		}
	}
	hs, err := s.handover.Handovers(ctx, p)
	if err != nil {
		return out, err
	}
	for _, h := range hs {
		if h.Status != models.HandoverCompleted {
			out.Handovers++
		}
		if h.Refused {
			out.Refused++
		}
	}
	return out, nil
}
