package rules

import "strings"

// Criterion is one eligibility condition for owners' committee members and candidates
// (docs/rules.md §5); each is reviewed as a checklist item with evidence and a reviewer.
type Criterion struct {
	Code    string
	Title   string
	TitleEN string
	Basis   string
}

// EligibilityCriteria lists the conditions a committee candidate must meet (GR 31, REG 16,
// BJ 39, SH 20, HZ 25). A fresh slice is returned on every call.
func EligibilityCriteria() []Criterion {
	return []Criterion{
		{
			Code:    "owner_in_area",
			Title:   "本物业管理区域内的业主（单位业主为其授权的自然人代表）",
			TitleEN: "Owner in this property management area (or the authorised representative of an entity owner)",
			Basis:   "《物业管理条例》第十六条；指导规则第三十一条；北京第三十九条",
		},
		{
			Code:    "full_capacity",
			Title:   "具有完全民事行为能力",
			TitleEN: "Full civil capacity",
			Basis:   "指导规则第三十一条；北京第三十九条第（二）项；杭州第二十五条",
		},
		{
			Code:    "no_conflict_of_interest",
			Title:   "本人、配偶及近亲属与为本区域服务的物业服务企业无利益关系、未在其任职",
			TitleEN: "No conflict of interest: neither the owner, the spouse nor close relatives work for or deal with the property company",
			Basis:   "北京第三十九条第（四）项；上海第二十条第二款；杭州第二十五条第（四）项",
		},
		{
			Code:    "not_judgment_defaulter",
			Title:   "未被列为失信被执行人",
			TitleEN: "Not listed as a judgment defaulter",
			Basis:   "北京第三十九条第（五）项",
		},
		{
			Code:    "no_uncorrected_violation",
			Title:   "无损坏房屋承重结构、违法搭建、欠交物业费或专项维修资金、擅自改变房屋用途等未改正的行为",
			TitleEN: "No uncorrected violation: structural damage, illegal building, fee or maintenance-fund arrears, illegal change of use",
			Basis:   "上海第二十条第二款；北京第三十九条第（六）项；杭州第二十五条第（三）项",
		},
		{
			Code:    "signed_pledge",
			Title:   "已签署书面承诺",
			TitleEN: "Signed written pledge",
			Basis:   "上海第二十条第三款",
		},
	}
}

// CriterionCheck is the review of one criterion for one candidate.
type CriterionCheck struct {
	Code     string
	Met      *bool // nil = not yet reviewed
	Evidence string
	Reviewer string
}

// EvaluateEligibility decides a candidate's eligibility from the reviews of the criteria.
// A criterion fails when any review of it says not met; it is satisfied when a review says
// met and names both its evidence and its reviewer; otherwise (missing, unreviewed, or
// met without evidence or reviewer) it is pending. The candidate is eligible only when
// every criterion is satisfied. Pending and failed list criterion codes in the order of
// EligibilityCriteria; checks with unknown codes are ignored.
func EvaluateEligibility(checks []CriterionCheck) (eligible bool, pending []string, failed []string) {
	for _, c := range EligibilityCriteria() {
		satisfied, rejected := false, false
		for _, check := range checks {
			if check.Code != c.Code || check.Met == nil {
				continue
			}
			if !*check.Met {
				rejected = true
				continue
			}
			if strings.TrimSpace(check.Evidence) != "" && strings.TrimSpace(check.Reviewer) != "" {
				satisfied = true
			}
		}
		switch {
		case rejected:
			failed = append(failed, c.Code)
		case !satisfied:
			pending = append(pending, c.Code)
		}
	}
	return len(pending) == 0 && len(failed) == 0, pending, failed
}

// NominationKind is how a candidate came forward (BJ 40, NB 30).
type NominationKind string

// The ways a committee candidate may be nominated.
const (
	NominationSelf               NominationKind = "self"                // 业主自荐
	NominationJoint              NominationKind = "joint"               // 业主联名推荐
	NominationPartyOrg           NominationKind = "party_org"           // 社区党组织推荐
	NominationResidentsCommittee NominationKind = "residents_committee" // 居民委员会推荐
	NominationStreetOffice       NominationKind = "street_office"       // 街道办事处推荐
)

// NominationKinds lists every nomination kind in display order.
func NominationKinds() []NominationKind {
	return []NominationKind{NominationSelf, NominationJoint, NominationPartyOrg, NominationResidentsCommittee, NominationStreetOffice}
}

// Valid reports whether k is a known nomination kind.
func (k NominationKind) Valid() bool {
	switch k {
	case NominationSelf, NominationJoint, NominationPartyOrg, NominationResidentsCommittee, NominationStreetOffice:
		return true
	}
	return false
}

// Label is the Chinese name of the nomination kind; an unknown kind shows as itself.
func (k NominationKind) Label() string {
	switch k {
	case NominationSelf:
		return "业主自荐"
	case NominationJoint:
		return "业主联名推荐"
	case NominationPartyOrg:
		return "社区党组织推荐"
	case NominationResidentsCommittee:
		return "居民委员会推荐"
	case NominationStreetOffice:
		return "街道办事处推荐"
	}
	return string(k)
}
