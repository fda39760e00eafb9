package rules

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"
)

// JurisdictionProfile carries every number in which cities differ (docs/rules.md §8).
// Profiles are data (profiles.json); a decision records the Code and Version it was made under.
type JurisdictionProfile struct {
	Code    string `json:"code"`
	Version string `json:"version"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en"`
	Basis   string `json:"basis"`

	// Assembly meetings.
	NoticeDays             int  `json:"notice_days"`               // notice at least this many days before opening (REG 14)
	VotingPeriodMinDays    int  `json:"voting_period_min_days"`    // shortest voting period
	VotingPeriodMaxDays    int  `json:"voting_period_max_days"`    // longest voting period (HZ 20: 5-60)
	ResultsPublishDays     int  `json:"results_publish_days"`      // publish results within this many days of closing (BJ 37)
	AnnouncementShowDays   int  `json:"announcement_show_days"`    // announcements shown at least this long (HZ 30)
	ObjectionDays          int  `json:"objection_days"`            // objection window after the preliminary result
	ProxyMaxPrincipals     int  `json:"proxy_max_principals"`      // owners one proxy may represent (Weifang 32)
	CountParkingInArea     bool `json:"count_parking_in_area"`     // parking spaces counted in voting area (C1)
	IdentityCheckAttempts  int  `json:"identity_check_attempts"`   // wrong identity checks before a credential locks
	FollowMajorityAllowed  bool `json:"follow_majority_allowed"`   // rules of procedure may enable 从众 (T2)
	RequireOfflineChannel  bool `json:"require_offline_channel"`   // an offline channel beside online (Liaocheng 16)
	OwnerProposalPercent   int  `json:"owner_proposal_percent"`    // owners proposing a temporary meeting (REG 13)
	RecordsRetentionYears  int  `json:"records_retention_years"`   // ballots, logs, documents kept at least this long
	CandidateListLeadDays  int  `json:"candidate_list_lead_days"`  // candidate list published this many days before the vote
	CandidateListShowDays  int  `json:"candidate_list_show_days"`  // and shown at least this long
	MemberListPublishDays  int  `json:"member_list_publish_days"`  // preparatory group member list published within
	PrepDeliveredPercent   int  `json:"prep_delivered_percent"`    // preparatory group due at this delivered-area share (BJ 30)
	PrepYearsSinceDelivery int  `json:"prep_years_since_delivery"` // or this many years after first delivery (SH); 0 = not used
	PrepDecideDays         int  `json:"prep_decide_days"`          // street office decides within (BJ 30)
	PrepFormDays           int  `json:"prep_form_days"`            // group formed within (SH 60)
	FirstMeetingDays       int  `json:"first_meeting_days"`        // first assembly within this many days of forming the group
	PrepPartyOrgMember     bool `json:"prep_party_org_member"`     // community Party organisation sits on the group (BJ)
	// PrepLeaderRole is the body whose representative leads the preparatory group: the
	// street office (GR 10, SH 15) or, in Beijing, a residents' committee staff member
	// appointed by the street office (BJ 31). Empty means the street office.
	PrepLeaderRole PrepRole `json:"prep_leader_role"`

	// Owners' committee.
	CommitteeMinMembers      int `json:"committee_min_members"`       // GR 31: 5
	CommitteeMaxMembers      int `json:"committee_max_members"`       // GR 31: 11
	SmallEstateMinMembers    int `json:"small_estate_min_members"`    // BJ, HZ: 3 for small estates; 0 = not allowed
	SmallEstateMaxHouseholds int `json:"small_estate_max_households"` // the small-estate limit (100)
	TermYears                int `json:"term_years"`                  // term at most this many years
	ReelectionLeadMonths     int `json:"reelection_lead_months"`      // re-election starts this long before the term ends
	AlternatesMax            int `json:"alternates_max"`              // alternate members at most (HZ 28)
	ChairElectDays           int `json:"chair_elect_days"`            // chair elected by the members within (BJ 42)
	ChairPublishDays         int `json:"chair_publish_days"`          // and published within
	FilingDays               int `json:"filing_days"`                 // filing with the street office within (REG 16)
	DecisionPublishDays      int `json:"decision_publish_days"`       // committee decisions published within (BJ 45)
	PartyRatioTargetPercent  int `json:"party_ratio_target_percent"`  // seed 003: generally not below 50%

	// Property service company.
	ExitComplaintsPerYear     int      `json:"exit_complaints_per_year"`     // seed 004 §(八): more than 20
	ExitSatisfactionPercent   int      `json:"exit_satisfaction_percent"`    // owner satisfaction below 50%
	HandoverDays              int      `json:"handover_days"`                // BJ 76: 30, HZ 57: 15, SH 50: 10
	DismissalNoticeDays       int      `json:"dismissal_notice_days"`        // CC 946: 60
	CreditGrades              []string `json:"credit_grades"`                // best first
	ComplaintResponseMinutes  int      `json:"complaint_response_minutes"`   // 三三三: 30 minutes
	ComplaintFirstResultHours int      `json:"complaint_first_result_hours"` // 3 hours
	ComplaintResolveDays      int      `json:"complaint_resolve_days"`       // 3 days
}

//go:embed profiles.json
var profilesJSON []byte

// DefaultProfileCode is the profile a new estate gets when none is named.
const DefaultProfileCode = "national"

// shippedProfiles decodes the embedded profiles once; they are immutable data read
// on hot paths (every ballot). Callers get copies.
var shippedProfiles = sync.OnceValue(func() []JurisdictionProfile {
	var list []JurisdictionProfile
	if err := json.Unmarshal(profilesJSON, &list); err != nil {
		// The file is embedded and covered by tests; a parse failure is a build defect.
		panic(fmt.Sprintf("rules: profiles.json: %v", err))
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Code < list[j].Code })
	return list
})

// clone returns a copy that shares no slice with the shipped data.
func (p JurisdictionProfile) clone() JurisdictionProfile {
	p.CreditGrades = slices.Clone(p.CreditGrades)
	return p
}

// Profiles returns every shipped jurisdiction profile, sorted by code.
func Profiles() []JurisdictionProfile {
	list := shippedProfiles()
	out := make([]JurisdictionProfile, len(list))
	for i, p := range list {
		out[i] = p.clone()
	}
	return out
}

// ProfileByCode returns the profile with that code, or false when there is none.
func ProfileByCode(code string) (JurisdictionProfile, bool) {
	for _, p := range shippedProfiles() {
		if p.Code == code {
			return p.clone(), true
		}
	}
	return JurisdictionProfile{}, false
}

// ProfileOrDefault returns the profile with that code, or the default profile for an
// unknown code (a record made under a profile no longer shipped).
func ProfileOrDefault(code string) JurisdictionProfile {
	if p, ok := ProfileByCode(code); ok {
		return p
	}
	p, _ := ProfileByCode(DefaultProfileCode)
	return p
}

// CommitteeSizeAllowed tells whether a committee of size members is lawful under the
// profile for an estate of the given number of households (docs/rules.md §5): odd, within
// min..max, or the small-estate minimum where the profile allows it.
func (p JurisdictionProfile) CommitteeSizeAllowed(size, households int) bool {
	if size%2 == 0 || size > p.CommitteeMaxMembers {
		return false
	}
	if size >= p.CommitteeMinMembers {
		return true
	}
	return p.SmallEstateMinMembers > 0 && size >= p.SmallEstateMinMembers &&
		households > 0 && households <= p.SmallEstateMaxHouseholds
}

// MinCommitteeMembers is the legal minimum number of members for an estate of that size.
func (p JurisdictionProfile) MinCommitteeMembers(households int) int {
	if p.SmallEstateMinMembers > 0 && households > 0 && households <= p.SmallEstateMaxHouseholds {
		return p.SmallEstateMinMembers
	}
	return p.CommitteeMinMembers
}
