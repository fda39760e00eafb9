package rules

import "testing"

func TestMattersAreTheNineOfCivilCode278(t *testing.T) {
	ms := Matters()
	if len(ms) != 9 {
		t.Fatalf("%d matters, want 9", len(ms))
	}
	labels := make(map[string]bool)
	for _, m := range ms {
		if !m.Valid() {
			t.Errorf("%s not valid", m)
		}
		if m.Label() == "" || labels[m.Label()] {
			t.Errorf("%s: label %q empty or repeated", m, m.Label())
		}
		labels[m.Label()] = true
	}
	for _, m := range []Matter{"", "elect", "Rebuild"} {
		if m.Valid() || m.Label() != "" {
			t.Errorf("%q should be invalid with no label", m)
		}
	}
	if ms[0] != MatterAmendRulesOfProcedure || ms[8] != MatterOther {
		t.Errorf("matters not in statutory order: %v", ms)
	}
}

func TestLegalProfileValid(t *testing.T) {
	for _, p := range LegalProfiles() {
		if !p.Valid() {
			t.Errorf("%s not valid", p)
		}
	}
	if DefaultLegalProfile != CivilCode2021 {
		t.Errorf("default = %s, want civil-code-2021", DefaultLegalProfile)
	}
	for _, p := range []LegalProfile{"", "civil-code", "property-law-2020"} {
		if p.Valid() {
			t.Errorf("%q should be invalid", p)
		}
	}
}

func TestClassOf(t *testing.T) {
	// Civil Code 278 ¶2: items 6-8 major. Property Law 76: items (5) fund (raise or use) and (6) rebuild major.
	major := map[LegalProfile]map[Matter]bool{
		CivilCode2021:   {MatterRaiseMaintenanceFund: true, MatterRebuild: true, MatterChangeCommonUse: true},
		PropertyLaw2007: {MatterUseMaintenanceFund: true, MatterRaiseMaintenanceFund: true, MatterRebuild: true},
	}
	for p, majors := range major {
		for _, m := range Matters() {
			want := ClassOrdinary
			if majors[m] {
				want = ClassMajor
			}
			if got := ClassOf(p, m); got != want {
				t.Errorf("ClassOf(%s, %s) = %s, want %s", p, m, got, want)
			}
		}
	}
	if got := ClassOf("", MatterChangeCommonUse); got != ClassMajor {
		t.Errorf("an empty profile should read as the default: got %s", got)
	}
	if got := ClassOf(CivilCode2021, "unknown"); got != ClassOrdinary {
		t.Errorf("unknown matter class = %s, want ordinary", got)
	}
}

func TestThresholdOf(t *testing.T) {
	tests := []struct {
		p     LegalProfile
		m     Matter
		rule  string
		basis string
	}{
		{CivilCode2021, MatterRebuild, "参与表决专有部分面积和人数均≥2/3；同意面积和人数均≥参与表决的3/4", "《民法典》第二百七十八条"},
		{CivilCode2021, MatterHireDismissManager, "参与表决专有部分面积和人数均≥2/3；同意面积和人数均>参与表决的1/2", "《民法典》第二百七十八条"},
		{PropertyLaw2007, MatterUseMaintenanceFund, "参加表决专有部分面积和人数均>总数的1/2；同意面积和人数均≥总数的2/3", "《物权法》第七十六条；《物业管理条例》第十二条"},
		{PropertyLaw2007, MatterChangeCommonUse, "参加表决专有部分面积和人数均>总数的1/2；同意面积和人数均>总数的1/2", "《物权法》第七十六条；《物业管理条例》第十二条"},
	}
	for _, tc := range tests {
		th := ThresholdOf(tc.p, tc.m)
		if th.Rule != tc.rule || th.LegalBasis != tc.basis || th.RuleEN == "" || th.Profile != tc.p {
			t.Errorf("ThresholdOf(%s, %s) = %+v, want rule %q basis %q", tc.p, tc.m, th, tc.rule, tc.basis)
		}
	}
}

func TestQuorumMet(t *testing.T) {
	total := Count{Area: MustParseArea("90.00"), Headcount: 9}
	tests := []struct {
		name          string
		p             LegalProfile
		participating Count
		want          bool
	}{
		{"civil: exactly 2/3 of area and headcount meets", CivilCode2021, Count{6000, 6}, true},
		{"civil: area one hundredth short", CivilCode2021, Count{5999, 6}, false},
		{"civil: headcount short", CivilCode2021, Count{9000, 5}, false},
		{"property: exactly 1/2 of area does not attend", PropertyLaw2007, Count{4500, 5}, false},
		{"property: just over 1/2 of both attends", PropertyLaw2007, Count{4501, 5}, true},
		{"property: headcount 4 of 9 does not attend", PropertyLaw2007, Count{9000, 4}, false},
		{"unknown profile reads as civil", "bogus", Count{6000, 6}, true},
	}
	for _, tc := range tests {
		if got := QuorumMet(tc.p, tc.participating, total); got != tc.want {
			t.Errorf("%s: QuorumMet = %v, want %v", tc.name, got, tc.want)
		}
	}
	if zh, en := QuorumRuleText(PropertyLaw2007); zh == "" || en == "" {
		t.Error("property-law quorum text empty")
	}
}
