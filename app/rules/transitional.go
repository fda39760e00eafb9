package rules

import "fmt"

// TransitionalMember is one member of a transitional body (docs/rules.md "Transitional
// body"): the body they represent, whether they lead it, and for an owner representative
// whether they meet the committee candidate criteria (HZ 39 ¶2).
type TransitionalMember struct {
	Role          PrepRole
	Leader        bool
	MeetsCriteria bool
}

// TransitionalProblem is one reason a transitional body's composition is unlawful.
type TransitionalProblem struct {
	Field   string // "members" or "leader"
	Message string // Chinese first, then English
}

// ValidateTransitionalBody checks the composition of a transitional body (物业管理委员会,
// HZ 39; 小区自管组织, seed 003 §(四)): an odd number of members within the profile's
// TransitionalMinMembers..TransitionalMaxMembers; a representative of the street office and
// of the residents' committee; owner representatives at least half of the members, each
// meeting the committee candidate criteria; exactly one leader, the street office's
// representative (the street office forms and leads it). It returns every problem.
func ValidateTransitionalBody(p JurisdictionProfile, members []TransitionalMember) []TransitionalProblem {
	var out []TransitionalProblem
	n := len(members)
	lo, hi := max(p.TransitionalMinMembers, 1), p.TransitionalMaxMembers
	if hi <= 0 {
		hi = p.CommitteeMaxMembers
	}
	if n%2 == 0 || n < lo || n > hi {
		out = append(out, TransitionalProblem{"members", fmt.Sprintf("成员 %d 人，应为 %d 至 %d 之间的单数（%s）/ %d members: an odd number from %d to %d",
			n, lo, hi, p.Name, n, lo, hi)})
	}
	var street, rc, owners, leaders, streetLeaders, unfit int
	for _, m := range members {
		switch m.Role {
		case PrepRoleStreetOffice:
			street++
			if m.Leader {
				streetLeaders++
			}
		case PrepRoleResidentsCommittee:
			rc++
		case PrepRoleOwnerRep:
			owners++
			if !m.MeetsCriteria {
				unfit++
			}
		}
		if m.Leader {
			leaders++
		}
	}
	if street == 0 {
		out = append(out, TransitionalProblem{"members", "须有街道办事处（乡镇人民政府）的代表 / a street office representative is required"})
	}
	if rc == 0 {
		out = append(out, TransitionalProblem{"members", "须有居民委员会的代表 / a residents' committee representative is required"})
	}
	if 2*owners < n || owners == 0 {
		out = append(out, TransitionalProblem{"members", fmt.Sprintf("业主代表 %d 人，不得少于成员的二分之一 / owner representatives must be at least half of the members", owners)})
	}
	if unfit > 0 {
		out = append(out, TransitionalProblem{"members", fmt.Sprintf("%d 名业主代表不符合业主委员会委员候选人条件 / %d owner representatives do not meet the candidate criteria", unfit, unfit)})
	}
	if leaders != 1 || streetLeaders != 1 {
		out = append(out, TransitionalProblem{"leader", "须由街道办事处的一名代表担任负责人 / exactly one leader, the street office's representative"})
	}
	return out
}
