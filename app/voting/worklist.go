package voting

import (
	"context"
	"fmt"
	"time"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// The kinds of vote work the week's work lists (app/worklist, issue 15).
const (
	DueOpen    = "open"    // a draft whose opening time has come or is near: open it
	DuePublish = "publish" // a closed vote whose result must be published (publish_due_at)
)

// VoteDue is a vote waiting for staff: to be opened, or its result to be published.
type VoteDue struct {
	VoteID     int64
	EstateID   int64
	EstateName string
	Title      string
	Kind       string // DueOpen or DuePublish
	Due        time.Time
}

// votesOfJurisdiction loads the votes in states of p's estates, with the estates' names.
func (s *Service) votesOfJurisdiction(ctx context.Context, p app.Principal, states ...string) ([]models.Vote, map[int64]string, error) {
	estates, err := s.orgs.ListEstates(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(estates))
	ids := make([]int64, 0, len(estates))
	for _, e := range estates {
		names[e.ID] = e.Name
		ids = append(ids, e.ID)
	}
	if len(ids) == 0 {
		return nil, names, nil
	}
	var list []models.Vote
	if err := s.db.WithContext(ctx).Where("estate_id IN ? AND state IN ?", ids, states).Order("id").Find(&list).Error; err != nil {
		return nil, nil, app.Internal(fmt.Errorf("votes of jurisdiction: %w", err))
	}
	return list, names, nil
}

// VotesDue lists the votes of p's estates with work falling due before until: drafts
// whose opening time comes before it (opening freezes the register and issues the
// credentials), and closed votes whose result is unpublished, due at publish_due_at (or
// at the close when none is set). Reading needs no action beyond jurisdiction.
func (s *Service) VotesDue(ctx context.Context, p app.Principal, until time.Time) ([]VoteDue, error) {
	list, names, err := s.votesOfJurisdiction(ctx, p, models.VoteDraft, models.VoteClosed)
	if err != nil {
		return nil, err
	}
	var out []VoteDue
	for _, v := range list {
		d := VoteDue{VoteID: v.ID, EstateID: v.EstateID, EstateName: names[v.EstateID], Title: v.Title}
		switch v.State {
		case models.VoteDraft:
			d.Kind, d.Due = DueOpen, v.OpensAt
		case models.VoteClosed:
			d.Kind, d.Due = DuePublish, v.ClosesAt
			if v.PublishDueAt != nil {
				d.Due = *v.PublishDueAt
			}
		}
		if d.Due.Before(until) {
			out = append(out, d)
		}
	}
	return out, nil
}

// OpenVote is an open vote of the jurisdiction with its live participation.
type OpenVote struct {
	VoteID        int64
	EstateID      int64
	EstateName    string
	Title         string
	OpensAt       time.Time
	ClosesAt      time.Time
	Participation Participation
	// AreaShare and HeadcountShare are the participating share in basis points
	// (1/10000) of the totals; the quorum lines' shares likewise.
	AreaShare, HeadcountShare        int64
	QuorumAreaShare, QuorumHeadShare int64
	AreaReached, HeadcountReached    bool
	MissingArea                      rules.Area // area still needed to reach the area line (0: reached)
	MissingHeadcount                 int        // headcount still needed to reach the headcount line
}

// share is n/total in basis points, rounded down (0 when total is 0).
func share(n, total int64) int64 {
	if total <= 0 {
		return 0
	}
	return n * 10000 / total
}

// OpenVotes lists the open votes of p's estates with their live participation by area
// and headcount against the quorum lines of each vote's legal profile, closing soonest
// first. Item results stay hidden (Participation holds none).
func (s *Service) OpenVotes(ctx context.Context, p app.Principal) ([]OpenVote, error) {
	list, names, err := s.votesOfJurisdiction(ctx, p, models.VoteOpen)
	if err != nil {
		return nil, err
	}
	out := make([]OpenVote, 0, len(list))
	for _, v := range list {
		part, err := s.participation(ctx, s.db, v)
		if err != nil {
			return nil, app.Internal(err)
		}
		ov := OpenVote{VoteID: v.ID, EstateID: v.EstateID, EstateName: names[v.EstateID], Title: v.Title, OpensAt: v.OpensAt, ClosesAt: v.ClosesAt,
			Participation: part}
		ov.AreaShare = share(int64(part.ParticipatingArea), int64(part.TotalArea))
		ov.HeadcountShare = share(int64(part.ParticipatingHeadcount), int64(part.TotalHeadcount))
		ov.QuorumAreaShare = share(int64(part.QuorumArea), int64(part.TotalArea))
		ov.QuorumHeadShare = share(int64(part.QuorumHeadcount), int64(part.TotalHeadcount))
		ov.AreaReached = part.ParticipatingArea >= part.QuorumArea
		ov.HeadcountReached = part.ParticipatingHeadcount >= part.QuorumHeadcount
		ov.MissingArea = max(part.QuorumArea-part.ParticipatingArea, 0)
		ov.MissingHeadcount = max(part.QuorumHeadcount-part.ParticipatingHeadcount, 0)
		out = append(out, ov)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ClosesAt.Before(out[j-1].ClosesAt); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// CurvePoint is the cumulative participation at the end of one time bucket.
type CurvePoint struct {
	At        time.Time
	Headcount int
	Area      rules.Area
}

// ParticipationCurve is the cumulative participation of a vote over time: its live
// ballots (not voided) by cast_at, in buckets from the opening time (an hour, or a day
// for votes open longer than three days), up to now or the close. p must see the
// vote's estate.
func (s *Service) ParticipationCurve(ctx context.Context, p app.Principal, voteID int64) ([]CurvePoint, error) {
	v, _, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return nil, err
	}
	if v.State == models.VoteDraft {
		return []CurvePoint{}, nil
	}
	// Ballots are cast from the opening time on (a vote is opened, credentials issued,
	// before it); a ballot recorded earlier (none should be) counts in the first bucket.
	start := v.OpensAt
	end := s.now()
	if end.After(v.ClosesAt) {
		end = v.ClosesAt
	}
	step := time.Hour
	if v.ClosesAt.Sub(start) > 72*time.Hour {
		step = 24 * time.Hour
	}
	type row struct {
		CastAt time.Time
		Area   int64
	}
	var rows []row
	if err := s.db.WithContext(ctx).Raw(`SELECT b.cast_at, vv.area FROM ballots b JOIN vote_voters vv ON vv.id = b.voter_id
		LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id WHERE b.vote_id = ? AND bv.id IS NULL ORDER BY b.cast_at`, v.ID).Scan(&rows).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("participation curve of vote %d: %w", v.ID, err))
	}
	out := []CurvePoint{{At: start}}
	var n int
	var area rules.Area
	i := 0
	for at := start.Add(step); ; at = at.Add(step) {
		last := !at.Before(end)
		if last {
			at = end
		}
		for i < len(rows) && !rows[i].CastAt.After(at) {
			n++
			area += rules.Area(rows[i].Area)
			i++
		}
		out = append(out, CurvePoint{At: at, Headcount: n, Area: area})
		if last || len(out) > 400 {
			break
		}
	}
	return out, nil
}

// ObjectionDue is an owner's objection to a published result not answered yet.
type ObjectionDue struct {
	ObjectionID int64
	VoteID      int64
	EstateID    int64
	EstateName  string
	Title       string    // the vote's
	FiledAt     time.Time // when it was recorded
	Due         time.Time // the vote's objection deadline (answers are public before the result is final)
}

// ObjectionsDue lists the unanswered objections of p's estates' published votes,
// each due by its vote's objection deadline (issue 16: the committee's to-do list).
// Reading needs no action beyond jurisdiction.
func (s *Service) ObjectionsDue(ctx context.Context, p app.Principal) ([]ObjectionDue, error) {
	list, names, err := s.votesOfJurisdiction(ctx, p, models.VotePublished)
	if err != nil {
		return nil, err
	}
	byVote := make(map[int64]models.Vote, len(list))
	ids := make([]int64, 0, len(list))
	for _, v := range list {
		byVote[v.ID] = v
		ids = append(ids, v.ID)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []models.VoteObjection
	if err := s.db.WithContext(ctx).Where("vote_id IN ? AND answer IS NULL", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("objections due: %w", err))
	}
	out := make([]ObjectionDue, 0, len(rows))
	for _, o := range rows {
		v := byVote[o.VoteID]
		due := o.CreatedAt
		if v.ObjectionDeadline != nil {
			due = *v.ObjectionDeadline
		}
		out = append(out, ObjectionDue{ObjectionID: o.ID, VoteID: v.ID, EstateID: v.EstateID, EstateName: names[v.EstateID],
			Title: v.Title, FiledAt: o.CreatedAt, Due: due})
	}
	return out, nil
}

// Drafts lists the draft votes of p's estates, due at their opening time.
func (s *Service) Drafts(ctx context.Context, p app.Principal) ([]VoteDue, error) {
	list, names, err := s.votesOfJurisdiction(ctx, p, models.VoteDraft)
	if err != nil {
		return nil, err
	}
	out := make([]VoteDue, 0, len(list))
	for _, v := range list {
		out = append(out, VoteDue{VoteID: v.ID, EstateID: v.EstateID, EstateName: names[v.EstateID], Title: v.Title, Kind: DueOpen, Due: v.OpensAt})
	}
	return out, nil
}
