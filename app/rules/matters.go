package rules

// LegalProfile names the set of voting thresholds a vote is decided under (docs/rules.md §2).
type LegalProfile string

// The legal profiles.
const (
	// CivilCode2021 is Civil Code art. 278 (in force 2021-01-01): a 2/3 participation quorum,
	// thresholds measured against the participating area and headcount.
	CivilCode2021 LegalProfile = "civil-code-2021"
	// PropertyLaw2007 is Property Law art. 76 with Property Management Regulations art. 12, for
	// decisions on facts before 2021-01-01: thresholds measured against the total.
	PropertyLaw2007 LegalProfile = "property-law-2007"
)

// DefaultLegalProfile is the profile of a new vote.
const DefaultLegalProfile = CivilCode2021

// Valid reports whether p is a known legal profile.
func (p LegalProfile) Valid() bool {
	return p == CivilCode2021 || p == PropertyLaw2007
}

// orDefault returns p, or DefaultLegalProfile when p is not a known profile.
func (p LegalProfile) orDefault() LegalProfile {
	if p.Valid() {
		return p
	}
	return DefaultLegalProfile
}

// LegalProfiles returns the known legal profiles, the default first.
func LegalProfiles() []LegalProfile {
	return []LegalProfile{CivilCode2021, PropertyLaw2007}
}

// Matter is the kind of item an assembly decides (Civil Code art. 278 ¶1, items 1-9).
type Matter string

// The nine matters, in the order of Civil Code art. 278 ¶1.
const (
	MatterAmendRulesOfProcedure Matter = "amend_rules_of_procedure" // (1) 制定和修改业主大会议事规则
	MatterAmendManagementRules  Matter = "amend_management_rules"   // (2) 制定和修改管理规约
	MatterElectCommittee        Matter = "elect_committee"          // (3) 选举或更换业主委员会成员
	MatterHireDismissManager    Matter = "hire_dismiss_manager"     // (4) 选聘和解聘物业服务企业
	MatterUseMaintenanceFund    Matter = "use_maintenance_fund"     // (5) 使用维修资金
	MatterRaiseMaintenanceFund  Matter = "raise_maintenance_fund"   // (6) 筹集维修资金
	MatterRebuild               Matter = "rebuild"                  // (7) 改建、重建
	MatterChangeCommonUse       Matter = "change_common_use"        // (8) 改变共有部分用途或经营
	MatterOther                 Matter = "other"                    // (9) 其他重大事项
)

// Matters returns the nine matters in statutory order.
func Matters() []Matter {
	return []Matter{
		MatterAmendRulesOfProcedure,
		MatterAmendManagementRules,
		MatterElectCommittee,
		MatterHireDismissManager,
		MatterUseMaintenanceFund,
		MatterRaiseMaintenanceFund,
		MatterRebuild,
		MatterChangeCommonUse,
		MatterOther,
	}
}

// Valid reports whether m is one of the nine matters.
func (m Matter) Valid() bool {
	return m.Label() != ""
}

// Label is the matter's statutory wording in Chinese (Civil Code art. 278 ¶1), or "" for an
// unknown matter.
func (m Matter) Label() string {
	switch m {
	case MatterAmendRulesOfProcedure:
		return "制定和修改业主大会议事规则"
	case MatterAmendManagementRules:
		return "制定和修改管理规约"
	case MatterElectCommittee:
		return "选举业主委员会或者更换业主委员会成员"
	case MatterHireDismissManager:
		return "选聘和解聘物业服务企业或者其他管理人"
	case MatterUseMaintenanceFund:
		return "使用建筑物及其附属设施的维修资金"
	case MatterRaiseMaintenanceFund:
		return "筹集建筑物及其附属设施的维修资金"
	case MatterRebuild:
		return "改建、重建建筑物及其附属设施"
	case MatterChangeCommonUse:
		return "改变共有部分的用途或者利用共有部分从事经营活动"
	case MatterOther:
		return "有关共有和共同管理权利的其他重大事项"
	}
	return ""
}

// MatterClass is the threshold class of a matter under a profile.
type MatterClass string

// The threshold classes.
const (
	ClassOrdinary MatterClass = "ordinary" // simple double majority
	ClassMajor    MatterClass = "major"    // qualified double majority (3/4 of participating, or 2/3 of total)
)

// ClassOf returns the class of matter m under profile p. Under civil-code-2021 raising the
// maintenance fund, rebuilding and changing common use are major (CC 278 ¶2); under
// property-law-2007 raising or using the maintenance fund and rebuilding are major (Property
// Law 76). Every other matter, an unknown one included, is ordinary. An unknown profile is
// read as DefaultLegalProfile.
func ClassOf(p LegalProfile, m Matter) MatterClass {
	switch p.orDefault() {
	case PropertyLaw2007:
		switch m {
		case MatterUseMaintenanceFund, MatterRaiseMaintenanceFund, MatterRebuild:
			return ClassMajor
		}
	default:
		switch m {
		case MatterRaiseMaintenanceFund, MatterRebuild, MatterChangeCommonUse:
			return ClassMajor
		}
	}
	return ClassOrdinary
}

// Threshold describes the rule a matter is decided by, in words for notices and results.
type Threshold struct {
	Profile    LegalProfile
	Class      MatterClass
	Rule       string // the rule in Chinese, e.g. "参与表决专有部分面积和人数均≥2/3；同意面积和人数均≥参与表决的3/4"
	RuleEN     string // the same rule in English
	LegalBasis string // the article it comes from, e.g. "《民法典》第二百七十八条"
}

// The legal bases of the two profiles.
const (
	basisCivilCode   = "《民法典》第二百七十八条"
	basisPropertyLaw = "《物权法》第七十六条；《物业管理条例》第十二条"
)

// The quorum (civil-code-2021) and attendance (property-law-2007) rules in words.
const (
	quorumCivilZH    = "参与表决专有部分面积和人数均≥总数的2/3"
	quorumCivilEN    = "participating exclusive area and headcount each at least 2/3 of the total"
	quorumPropertyZH = "参加表决专有部分面积和人数均>总数的1/2"
	quorumPropertyEN = "participating exclusive area and headcount each more than 1/2 of the total"
)

// ThresholdOf returns the threshold of matter m under profile p (an unknown profile is read
// as DefaultLegalProfile).
func ThresholdOf(p LegalProfile, m Matter) Threshold {
	p = p.orDefault()
	return thresholdOfClass(p, ClassOf(p, m))
}

// thresholdOfClass describes the rule of a class under a known profile.
func thresholdOfClass(p LegalProfile, class MatterClass) Threshold {
	t := Threshold{Profile: p, Class: class}
	switch {
	case p == PropertyLaw2007 && class == ClassMajor:
		t.Rule = quorumPropertyZH + "；同意面积和人数均≥总数的2/3"
		t.RuleEN = quorumPropertyEN + "; agreeing area and headcount each at least 2/3 of the total"
		t.LegalBasis = basisPropertyLaw
	case p == PropertyLaw2007:
		t.Rule = quorumPropertyZH + "；同意面积和人数均>总数的1/2"
		t.RuleEN = quorumPropertyEN + "; agreeing area and headcount each more than 1/2 of the total"
		t.LegalBasis = basisPropertyLaw
	case class == ClassMajor:
		t.Rule = "参与表决专有部分面积和人数均≥2/3；同意面积和人数均≥参与表决的3/4"
		t.RuleEN = "participating exclusive area and headcount each at least 2/3 of the total; " +
			"agreeing area and headcount each at least 3/4 of the participating"
		t.LegalBasis = basisCivilCode
	default:
		t.Rule = "参与表决专有部分面积和人数均≥2/3；同意面积和人数均>参与表决的1/2"
		t.RuleEN = "participating exclusive area and headcount each at least 2/3 of the total; " +
			"agreeing area and headcount each more than 1/2 of the participating"
		t.LegalBasis = basisCivilCode
	}
	return t
}

// QuorumRuleText returns the participation rule of profile p in Chinese and English.
func QuorumRuleText(p LegalProfile) (zh, en string) {
	if p.orDefault() == PropertyLaw2007 {
		return quorumPropertyZH, quorumPropertyEN
	}
	return quorumCivilZH, quorumCivilEN
}

// QuorumMet decides whether participation is enough for the vote to decide anything:
// under civil-code-2021 participating area and headcount each ≥ 2/3 of the total (CC 278 ¶2),
// under property-law-2007 each > 1/2 of the total (REG 12). An unknown profile is read as
// DefaultLegalProfile.
func QuorumMet(p LegalProfile, participating, total Count) bool {
	if p.orDefault() == PropertyLaw2007 {
		return 2*int64(participating.Area) > int64(total.Area) &&
			2*participating.Headcount > total.Headcount
	}
	return 3*int64(participating.Area) >= 2*int64(total.Area) &&
		3*participating.Headcount >= 2*total.Headcount
}

// thresholdMet decides an item of the given class on its agreeing count, assuming the quorum
// is met: civil-code-2021 measures against participating, property-law-2007 against total.
func thresholdMet(p LegalProfile, class MatterClass, agree, participating, total Count) bool {
	switch {
	case p == PropertyLaw2007 && class == ClassMajor:
		return 3*int64(agree.Area) >= 2*int64(total.Area) && 3*agree.Headcount >= 2*total.Headcount
	case p == PropertyLaw2007:
		return 2*int64(agree.Area) > int64(total.Area) && 2*agree.Headcount > total.Headcount
	case class == ClassMajor:
		return 4*int64(agree.Area) >= 3*int64(participating.Area) &&
			4*agree.Headcount >= 3*participating.Headcount
	default:
		return 2*int64(agree.Area) > int64(participating.Area) &&
			2*agree.Headcount > participating.Headcount
	}
}

// ItemMatters are the matters an ordinary agenda item may take: all but electing the
// committee, which goes through an election item with seats and candidates.
func ItemMatters() []Matter {
	out := make([]Matter, 0, len(Matters())-1)
	for _, m := range Matters() {
		if m != MatterElectCommittee {
			out = append(out, m)
		}
	}
	return out
}
