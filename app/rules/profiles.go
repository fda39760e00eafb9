package rules

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"

	"gongzhi/app"
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
	PrepFormDays           int  `json:"prep_form_days"`            // group formed within (SH 15: 60 from the application; BJ 31: 30 from the decision)
	// PrepFormFrom is the event PrepFormDays runs from: PrepFormFromApplication (empty
	// means it) or PrepFormFromDecision (BJ 31).
	PrepFormFrom       string `json:"prep_form_from"`
	FirstMeetingDays   int    `json:"first_meeting_days"`    // first assembly within this many days of forming the group
	PrepPartyOrgMember bool   `json:"prep_party_org_member"` // community Party organisation sits on the group (BJ)
	// PrepLeaderRole is the body whose representative leads the preparatory group: the
	// street office (GR 10, SH 15) or, in Beijing, a residents' committee staff member
	// appointed by the street office (BJ 31). Empty means the street office.
	PrepLeaderRole PrepRole `json:"prep_leader_role"`

	// Owners' committee.
	CommitteeMinMembers      int `json:"committee_min_members"`       // GR 31: 5
	CommitteeMaxMembers      int `json:"committee_max_members"`       // GR 31: 11
	SmallEstateMinMembers    int `json:"small_estate_min_members"`    // BJ, HZ: 3 for small estates; 0 = not allowed
	SmallEstateMaxHouseholds int `json:"small_estate_max_households"` // the small-estate limit (100); 0 = not by households
	// SmallEstateMaxAreaM2 is the small-estate limit by total building area in m² (SH 20:
	// 10,000); 0 = not by area.
	SmallEstateMaxAreaM2 int `json:"small_estate_max_area_m2"`
	TermYears            int `json:"term_years"`             // term at most this many years
	TermMinYears         int `json:"term_min_years"`         // term at least this many years (SH 20, HZ 33: 3); 0 = no minimum
	ReelectionLeadMonths int `json:"reelection_lead_months"` // re-election starts this long before the term ends
	AlternatesMax        int `json:"alternates_max"`         // alternate members at most, under AlternatesFixed
	// AlternatesRule says how the number of alternates is capped: AlternatesFixed (at most
	// AlternatesMax; the default), AlternatesUpToMembers (at most the committee's seats, BJ 39)
	// or AlternatesByRules (set by the rules of procedure, no cap in the profile, HZ 28).
	AlternatesRule          string `json:"alternates_rule"`
	ChairElectDays          int    `json:"chair_elect_days"`           // chair elected by the members within (BJ 42)
	ChairPublishDays        int    `json:"chair_publish_days"`         // and published within
	FilingDays              int    `json:"filing_days"`                // filing with the street office within (REG 16)
	DecisionPublishDays     int    `json:"decision_publish_days"`      // committee decisions published within (BJ 45)
	PartyRatioTargetPercent int    `json:"party_ratio_target_percent"` // seed 003: generally not below 50%
	// The size of a transitional body (物业管理委员会): HZ 39 7-11, odd.
	TransitionalMinMembers int `json:"transitional_min_members"`
	TransitionalMaxMembers int `json:"transitional_max_members"`

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

// The ways a profile caps the number of alternate members (JurisdictionProfile.AlternatesRule).
const (
	AlternatesFixed       = "fixed"              // at most AlternatesMax
	AlternatesUpToMembers = "up_to_members"      // at most the number of members (BJ 39)
	AlternatesByRules     = "rules_of_procedure" // the rules of procedure decide; no cap (HZ 28)
)

// EstateSize is what the small-estate rules look at: the households (units, parking
// excluded) and the total area of the estate in 0.01 m² (the roster's total; 0 = unknown).
type EstateSize struct {
	Households int
	Area       Area
}

// SmallEstate tells whether the estate is small enough for the profile's small committee:
// at most SmallEstateMaxHouseholds households (BJ 39, HZ) or at most SmallEstateMaxAreaM2
// of building area (SH 20). An unknown (zero) measure never makes an estate small.
func (p JurisdictionProfile) SmallEstate(es EstateSize) bool {
	if p.SmallEstateMinMembers <= 0 {
		return false
	}
	byHouseholds := p.SmallEstateMaxHouseholds > 0 && es.Households > 0 && es.Households <= p.SmallEstateMaxHouseholds
	byArea := p.SmallEstateMaxAreaM2 > 0 && es.Area > 0 && int64(es.Area) <= int64(p.SmallEstateMaxAreaM2)*100
	return byHouseholds || byArea
}

// CommitteeSizeAllowedFor tells whether a committee of size members is lawful under the
// profile for an estate of that size (docs/rules.md §5): odd, within min..max, or the
// small-estate minimum where the estate is small (SmallEstate).
func (p JurisdictionProfile) CommitteeSizeAllowedFor(size int, es EstateSize) bool {
	if size%2 == 0 || size > p.CommitteeMaxMembers {
		return false
	}
	return size >= p.MinCommitteeMembersFor(es)
}

// MinCommitteeMembersFor is the legal minimum number of members for an estate of that size.
func (p JurisdictionProfile) MinCommitteeMembersFor(es EstateSize) int {
	if p.SmallEstate(es) {
		return p.SmallEstateMinMembers
	}
	return p.CommitteeMinMembers
}

// AlternatesCap is the most alternate members a committee of seats members may keep under
// the profile, or -1 when the profile sets no cap (AlternatesByRules).
func (p JurisdictionProfile) AlternatesCap(seats int) int {
	switch p.AlternatesRule {
	case AlternatesUpToMembers:
		return max(seats, 0)
	case AlternatesByRules:
		return -1
	}
	return p.AlternatesMax
}

// ValidateTerm checks a committee term of years against the profile: at least one year and
// TermMinYears, at most TermYears (GR 31, BJ 41: ≤ 5; SH 20, HZ 33: 3-5).
func (p JurisdictionProfile) ValidateTerm(years int) error {
	lo := max(p.TermMinYears, 1)
	if years < lo || years > p.TermYears {
		return seatsError(app.M("err.rules.term_years", years, lo, p.TermYears, p.Name, p.NameEN),
			fmt.Errorf("%w：任期 %d 年，应为 %d 至 %d 年（%s）", ErrElectionSeats, years, lo, p.TermYears, p.Name))
	}
	return nil
}

// CommitteeSizeAllowed tells whether a committee of size members is lawful under the
// profile for an estate of the given number of households (docs/rules.md §5): odd, within
// min..max, or the small-estate minimum where the profile allows it.
// The area is unknown here, so an area-based small estate (Shanghai) is not recognised:
// use CommitteeSizeAllowedFor.
func (p JurisdictionProfile) CommitteeSizeAllowed(size, households int) bool {
	return p.CommitteeSizeAllowedFor(size, EstateSize{Households: households})
}

// MinCommitteeMembers is the legal minimum number of members for an estate of that many
// households, its area unknown (MinCommitteeMembersFor).
func (p JurisdictionProfile) MinCommitteeMembers(households int) int {
	return p.MinCommitteeMembersFor(EstateSize{Households: households})
}
