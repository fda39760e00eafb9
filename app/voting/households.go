package voting

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Households of a vote for the paper channel and for door-knocking (issue 16): every
// voter of the frozen register with its rooms, buildings, masked owner names and whether a
// ballot counts for it now, optionally only those of one building. Reading it changes
// nothing. Staff who run the vote only (access.RunVote), in jurisdiction.

// Household is one voter of a vote.
type Household struct {
	VoterID   int64
	Position  int
	Buildings []string
	Rooms     []string
	Area      rules.Area
	Owners    []string // masked (pii.MaskName)
	Developer bool
	Voted     bool
	Channel   string // of the ballot that counts, when Voted
}

// HouseholdList is a vote's households, with the buildings to choose from.
type HouseholdList struct {
	VoteID     int64
	Title      string
	EstateName string
	State      string
	Building   string   // "" for all
	Buildings  []string // every building of the register, in order
	Households []Household
	Voted      int // among Households
}

// PaperBallotCode is the identity a printed paper ballot carries in its QR code: the
// vote and the voter, nothing that lets anyone vote. Staff scan it back to find the voter
// when they enter the ballot (ParsePaperBallotCode).
func PaperBallotCode(voteID, voterID int64) string {
	return fmt.Sprintf("GZ-BALLOT-%d-%d", voteID, voterID)
}

// ParsePaperBallotCode reads the vote and voter from a paper ballot's code.
func ParsePaperBallotCode(code string) (voteID, voterID int64, ok bool) {
	var a, b int64
	if n, err := fmt.Sscanf(code, "GZ-BALLOT-%d-%d", &a, &b); err != nil || n != 2 || PaperBallotCode(a, b) != code {
		return 0, 0, false
	}
	return a, b, true
}

// Households lists the households of an opened vote, of one building when building is
// not "" (an unknown building is refused with 422 naming the field).
func (s *Service) Households(ctx context.Context, p app.Principal, voteID int64, building string) (HouseholdList, error) {
	if err := access.Require(p, access.RunVote); err != nil {
		return HouseholdList{}, err
	}
	v, e, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return HouseholdList{}, err
	}
	if v.State == models.VoteDraft {
		return HouseholdList{}, app.Fail(app.EConflict, "err.voting.the_vote_is_not_open_no_register_yet")
	}
	var units []models.VoteVoterUnit
	if err := s.db.WithContext(ctx).Where("vote_id = ?", v.ID).Order("id").Find(&units).Error; err != nil {
		return HouseholdList{}, app.Internal(fmt.Errorf("register units: %w", err))
	}
	byVoter := map[int64][]string{}
	seen := map[string]bool{}
	var buildings []string
	for _, u := range units {
		b := u.Building
		if !seen[b] {
			seen[b] = true
			buildings = append(buildings, b)
		}
		list := byVoter[u.VoterID]
		if len(list) == 0 || list[len(list)-1] != b {
			byVoter[u.VoterID] = append(list, b)
		}
	}
	sort.SliceStable(buildings, func(i, j int) bool { return buildingLess(buildings[i], buildings[j]) })
	if building != "" && !seen[building] {
		return HouseholdList{}, app.Invalid("building", app.M("err.voting.no_such_building_in_the_register"))
	}
	var voters []models.VoteVoter
	if err := s.db.WithContext(ctx).Where("vote_id = ?", v.ID).Order("position").Find(&voters).Error; err != nil {
		return HouseholdList{}, app.Internal(fmt.Errorf("register: %w", err))
	}
	live, err := liveBallots(ctx, s.db, v.ID)
	if err != nil {
		return HouseholdList{}, app.Internal(err)
	}
	out := HouseholdList{VoteID: v.ID, Title: v.Title, EstateName: e.Name, State: v.State, Building: building, Buildings: buildings,
		Households: []Household{}}
	for _, vv := range voters {
		bs := byVoter[vv.ID]
		if building != "" && !slices.Contains(bs, building) {
			continue
		}
		h := Household{VoterID: vv.ID, Position: vv.Position, Buildings: bs, Rooms: splitRooms(vv.Rooms), Area: rules.Area(vv.Area),
			Owners: maskedNames(vv.OwnerNames), Developer: vv.Developer}
		if b, ok := live[vv.ID]; ok {
			h.Voted, h.Channel = true, b.Channel
			out.Voted++
		}
		out.Households = append(out.Households, h)
	}
	return out, nil
}

// NotVoted keeps the households for which no ballot counts yet.
func (l HouseholdList) NotVoted() []Household {
	out := make([]Household, 0, len(l.Households)-l.Voted)
	for _, h := range l.Households {
		if !h.Voted {
			out = append(out, h)
		}
	}
	return out
}

// buildingLess orders buildings numerically when both are numbers ("2" before "10").
func buildingLess(a, b string) bool {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA == nil && errB == nil {
		return x < y
	}
	return a < b
}
