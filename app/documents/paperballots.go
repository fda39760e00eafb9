package documents

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"gongzhi/app"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
)

// Printable working papers of a vote (issue 16): the paper ballots (表决票) per household
// and the list of households that have not voted yet, by building. Neither is an issued
// document: they are rendered on request, not numbered, not stored, and reading them
// changes nothing. Staff who run the vote only (voting.Households checks access.RunVote
// and jurisdiction).

// Printout is a rendered working paper.
type Printout struct {
	Filename string
	Data     []byte
}

// PaperBallots renders the paper ballots of a vote, one per household (of one building
// when building is not ""), each with the items, boxes to tick, the rooms and a QR code
// of the ballot's identity (voting.PaperBallotCode). While the vote is scheduled or open.
func (s *Service) PaperBallots(ctx context.Context, p app.Principal, voteID int64, building string) (Printout, error) {
	list, err := s.votes.Households(ctx, p, voteID, building)
	if err != nil {
		return Printout{}, err
	}
	d, err := s.votes.Vote(ctx, p, voteID)
	if err != nil {
		return Printout{}, err
	}
	switch d.Phase {
	case voting.PhaseScheduled, voting.PhaseVoting:
	default:
		return Printout{}, app.Fail(app.EConflict, "err.documents.voting_has_closed_ballots_can_no_longer_be")
	}
	if len(list.Households) == 0 {
		return Printout{}, app.Fail(app.EConflict, "err.documents.no_households_to_print")
	}
	names, err := s.namesOf(ctx, d.EstateID)
	if err != nil {
		return Printout{}, err
	}
	convenor := convenorName(d.Convenor, names)
	items := make([]pdfdoc.PaperBallotItem, 0, len(d.Items))
	for _, it := range d.Items {
		pi := pdfdoc.PaperBallotItem{Title: it.Title, Text: it.Text, IsElection: it.IsElection(), Seats: it.Seats}
		if pi.IsElection {
			pi.HowTo, _ = rules.ElectionHowTo(it.Seats)
		}
		for _, c := range it.Candidates {
			pi.Candidates = append(pi.Candidates, c.Name)
		}
		items = append(items, pi)
	}
	handIn := fmt.Sprintf("请于%s前将签名后的表决票交回%s。", rules.DeadlineText(d.ClosesAt, rules.DayLayoutZH), convenor)
	if loc := strings.TrimSpace(d.Location); loc != "" {
		handIn = fmt.Sprintf("请于%s前将签名后的表决票投入%s的票箱或交工作人员登记。", rules.DeadlineText(d.ClosesAt, rules.DayLayoutZH), loc)
	}
	ballots := make([]pdfdoc.PaperBallot, 0, len(list.Households))
	for _, h := range list.Households {
		ballots = append(ballots, pdfdoc.PaperBallot{EstateName: names.Estate.Name, MeetingTitle: d.Title, Convenor: convenor,
			OpensAt: d.OpensAt, ClosesAt: d.ClosesAt, Rooms: h.Rooms, Area: h.Area.String(), Items: items,
			BallotCode: voting.PaperBallotCode(d.ID, h.VoterID), HandIn: handIn})
	}
	data, err := s.renderBounded(ctx, subjectOf("ballots", voteID), func(ctx context.Context) ([]byte, error) {
		var buf bytes.Buffer
		if err := s.renderer.PaperBallots(ctx, &buf, ballots, pdfdoc.Meta{CreatedAt: s.now()}); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	})
	if err != nil {
		return Printout{}, err
	}
	return Printout{Filename: printName("ballots", voteID, building), Data: data}, nil
}

// NotVotedList renders the households of a vote with no ballot counting yet, by building
// (one building when building is not ""), with masked names, for door-knocking.
func (s *Service) NotVotedList(ctx context.Context, p app.Principal, voteID int64, building string) (Printout, error) {
	list, err := s.votes.Households(ctx, p, voteID, building)
	if err != nil {
		return Printout{}, err
	}
	d, err := s.votes.Vote(ctx, p, voteID)
	if err != nil {
		return Printout{}, err
	}
	doc := pdfdoc.HouseholdList{EstateName: list.EstateName, MeetingTitle: d.Title, Heading: "尚未表决住户名单", AsOf: s.now(), ClosesAt: d.ClosesAt,
		Note: "仅供召集人上门提醒使用，请勿张贴或外传；业主是否表决、如何表决由业主自主决定。"}
	doc.Groups = GroupByBuilding(list.NotVoted())
	data, err := s.renderBounded(ctx, subjectOf("not-voted", voteID), func(ctx context.Context) ([]byte, error) {
		var buf bytes.Buffer
		if err := s.renderer.Households(ctx, &buf, doc, pdfdoc.Meta{CreatedAt: s.now()}); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	})
	if err != nil {
		return Printout{}, err
	}
	return Printout{Filename: printName("not-voted", voteID, building), Data: data}, nil
}

// GroupByBuilding groups households by their first building, in the order met.
func GroupByBuilding(hs []voting.Household) []pdfdoc.HouseholdGroup {
	var out []pdfdoc.HouseholdGroup
	index := map[string]int{}
	for _, h := range hs {
		b := ""
		if len(h.Buildings) > 0 {
			b = h.Buildings[0]
		}
		i, ok := index[b]
		if !ok {
			i = len(out)
			index[b] = i
			out = append(out, pdfdoc.HouseholdGroup{Building: b})
		}
		owners := strings.Join(h.Owners, "、")
		if h.Developer {
			owners = "建设单位"
		}
		out[i].Rows = append(out[i].Rows, pdfdoc.HouseholdRow{Rooms: h.Rooms, Owners: owners, Area: h.Area.String()})
	}
	return out
}

// printName is the download name of a working paper.
func printName(kind string, voteID int64, building string) string {
	if building == "" {
		return fmt.Sprintf("vote-%d-%s.pdf", voteID, kind)
	}
	return fmt.Sprintf("vote-%d-%s-building-%s.pdf", voteID, kind, building)
}

// Households lists a vote's households (voting.Households) for the print view of those
// that have not voted yet, so the page needs this service only.
func (s *Service) Households(ctx context.Context, p app.Principal, voteID int64, building string) (voting.HouseholdList, error) {
	return s.votes.Households(ctx, p, voteID, building)
}
