package rules

import (
	"gongzhi/app"
)

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
	Field   string  // "members" or "leader"
	Message app.Msg // what is wrong, a catalogue message
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
		out = append(out, TransitionalProblem{"members", app.M("err.rules.members_an_odd_number_from_to", n, lo, hi, p.Name)})
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
		out = append(out, TransitionalProblem{"members", app.M("err.rules.a_street_office_representative_is_required")})
	}
	if rc == 0 {
		out = append(out, TransitionalProblem{"members", app.M("err.rules.a_residents_committee_representative_is_required")})
	}
	if 2*owners < n || owners == 0 {
		out = append(out, TransitionalProblem{"members", app.M("err.rules.owner_representatives_must_be_at_least_half_of", owners)})
	}
	if unfit > 0 {
		out = append(out, TransitionalProblem{"members", app.M("err.rules.owner_representatives_do_not_meet_the_candidate", unfit)})
	}
	if leaders != 1 || streetLeaders != 1 {
		out = append(out, TransitionalProblem{"leader", app.M("err.rules.exactly_one_leader_the_street_office_s")})
	}
	return out
}
