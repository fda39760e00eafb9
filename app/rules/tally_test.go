package rules

import (
	"slices"
	"testing"
)

// sameBallots returns n ballots of the given area choosing c on item "x" ("" leaves it blank).
func sameBallots(n int, area string, c Choice) []CastBallot {
	out := make([]CastBallot, n)
	for i := range out {
		out[i] = CastBallot{Area: MustParseArea(area)}
		if c != "" {
			out[i].Choices = map[string]Choice{"x": c}
		}
	}
	return out
}

// joinBallots concatenates groups of ballots.
func joinBallots(groups ...[]CastBallot) []CastBallot {
	return slices.Concat(groups...)
}

func TestTallyThresholds(t *testing.T) {
	tests := []struct {
		name       string
		p          LegalProfile
		matter     Matter
		totalArea  string
		totalHead  int
		ballots    []CastBallot
		wantQuorum bool
		wantPassed bool
	}{
		{
			name: "civil quorum exactly 2/3, ordinary passes", p: CivilCode2021, matter: MatterHireDismissManager,
			totalArea: "90.00", totalHead: 9, ballots: sameBallots(6, "10.00", ChoiceAgree),
			wantQuorum: true, wantPassed: true,
		},
		{
			name: "civil quorum missed by headcount: nothing passes even if all agree", p: CivilCode2021, matter: MatterHireDismissManager,
			totalArea: "90.00", totalHead: 9, ballots: sameBallots(5, "12.00", ChoiceAgree),
			wantQuorum: false, wantPassed: false,
		},
		{
			name: "civil quorum missed by area", p: CivilCode2021, matter: MatterOther,
			totalArea: "90.00", totalHead: 9, ballots: sameBallots(6, "9.99", ChoiceAgree),
			wantQuorum: false, wantPassed: false,
		},
		{
			name: "civil ordinary: exactly 1/2 of participating headcount fails", p: CivilCode2021, matter: MatterHireDismissManager,
			totalArea: "100.00", totalHead: 10,
			ballots:    joinBallots(sameBallots(5, "12.00", ChoiceAgree), sameBallots(5, "8.00", ChoiceOppose)),
			wantQuorum: true, wantPassed: false,
		},
		{
			name: "civil ordinary: exactly 1/2 of participating area fails", p: CivilCode2021, matter: MatterElectCommittee,
			totalArea: "100.00", totalHead: 10,
			ballots:    joinBallots(sameBallots(6, "8.00", ChoiceAgree), sameBallots(4, "12.00", ChoiceOppose)),
			wantQuorum: true, wantPassed: false, // agree 48.00 of 96.00 with 6 of 10 heads
		},
		{
			name: "civil ordinary: abstentions count as participating and not agreeing", p: CivilCode2021, matter: MatterOther,
			totalArea: "100.00", totalHead: 10,
			ballots:    joinBallots(sameBallots(5, "10.00", ChoiceAgree), sameBallots(1, "10.00", ChoiceOppose), sameBallots(2, "10.00", ChoiceAbstain), sameBallots(2, "10.00", "")),
			wantQuorum: true, wantPassed: false,
		},
		{
			name: "civil major: exactly 3/4 of participating passes", p: CivilCode2021, matter: MatterRaiseMaintenanceFund,
			totalArea: "80.00", totalHead: 8,
			ballots:    joinBallots(sameBallots(6, "10.00", ChoiceAgree), sameBallots(2, "10.00", ChoiceOppose)),
			wantQuorum: true, wantPassed: true,
		},
		{
			name: "civil major: area one hundredth under 3/4 fails", p: CivilCode2021, matter: MatterRebuild,
			totalArea: "80.00", totalHead: 8,
			ballots:    joinBallots(sameBallots(5, "10.00", ChoiceAgree), sameBallots(1, "9.99", ChoiceAgree), sameBallots(2, "10.01", ChoiceOppose)),
			wantQuorum: true, wantPassed: false,
		},
		{
			name: "civil: change of common use is major, 60% agree fails", p: CivilCode2021, matter: MatterChangeCommonUse,
			totalArea: "100.00", totalHead: 10,
			ballots:    joinBallots(sameBallots(6, "10.00", ChoiceAgree), sameBallots(4, "10.00", ChoiceOppose)),
			wantQuorum: true, wantPassed: false,
		},
		{
			name: "property: change of common use is ordinary, 60% of total passes", p: PropertyLaw2007, matter: MatterChangeCommonUse,
			totalArea: "100.00", totalHead: 10,
			ballots:    joinBallots(sameBallots(6, "10.00", ChoiceAgree), sameBallots(4, "10.00", ChoiceOppose)),
			wantQuorum: true, wantPassed: true,
		},
		{
			name: "property major: exactly 2/3 of total passes", p: PropertyLaw2007, matter: MatterUseMaintenanceFund,
			totalArea: "90.00", totalHead: 9,
			ballots:    joinBallots(sameBallots(6, "10.00", ChoiceAgree), sameBallots(1, "10.00", ChoiceOppose)),
			wantQuorum: true, wantPassed: true,
		},
		{
			name: "property major: all participants agree but under 2/3 of total fails", p: PropertyLaw2007, matter: MatterRebuild,
			totalArea: "90.00", totalHead: 9, ballots: sameBallots(5, "10.00", ChoiceAgree),
			wantQuorum: true, wantPassed: false,
		},
		{
			name: "property ordinary: exactly 1/2 of total fails", p: PropertyLaw2007, matter: MatterHireDismissManager,
			totalArea: "100.00", totalHead: 10,
			ballots:    joinBallots(sameBallots(5, "10.00", ChoiceAgree), sameBallots(5, "10.00", ChoiceOppose)),
			wantQuorum: true, wantPassed: false,
		},
		{
			name: "property attendance exactly 1/2 fails", p: PropertyLaw2007, matter: MatterHireDismissManager,
			totalArea: "100.00", totalHead: 10, ballots: sameBallots(5, "10.00", ChoiceAgree),
			wantQuorum: false, wantPassed: false,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Tally(TallyInput{
				Profile:        tc.p,
				TotalArea:      MustParseArea(tc.totalArea),
				TotalHeadcount: tc.totalHead,
				Items:          []ItemSpec{{Key: "x", Matter: tc.matter}},
				Ballots:        tc.ballots,
			})
			if res.QuorumMet != tc.wantQuorum {
				t.Errorf("quorum = %v, want %v (participating %s/%d of %s/%d)", res.QuorumMet, tc.wantQuorum,
					res.Participating.Area, res.Participating.Headcount, res.Total.Area, res.Total.Headcount)
			}
			item := res.Items["x"]
			if item.Passed != tc.wantPassed {
				t.Errorf("passed = %v, want %v (agree %s/%d of participating %s/%d)", item.Passed, tc.wantPassed,
					item.Agree.Area, item.Agree.Headcount, res.Participating.Area, res.Participating.Headcount)
			}
			if item.Class != ClassOf(tc.p, tc.matter) || item.Rule != ThresholdOf(tc.p, tc.matter).Rule {
				t.Errorf("class %s rule %q do not match the threshold of %s", item.Class, item.Rule, tc.matter)
			}
			if item.FollowMajority != nil {
				t.Error("follow-majority reported although not enabled")
			}
		})
	}
}

func TestTallyCountsAndBlankItems(t *testing.T) {
	ballots := []CastBallot{
		{Area: 1000, Choices: map[string]Choice{"a": ChoiceAgree, "b": ChoiceOppose}},
		{Area: 2000, Choices: map[string]Choice{"a": ChoiceOppose}},        // b blank → abstain
		{Area: 3000, Choices: map[string]Choice{"a": "maybe", "b": "yes"}}, // unknown choices → abstain
		{Area: 4000},
	}
	res := Tally(TallyInput{
		TotalArea:      10000,
		TotalHeadcount: 4,
		Items:          []ItemSpec{{Key: "a", Matter: MatterOther}, {Key: "b", Matter: MatterRebuild}},
		Ballots:        ballots,
	})
	if res.Profile != DefaultLegalProfile {
		t.Errorf("profile = %s, want the default", res.Profile)
	}
	if res.Participating != (Count{10000, 4}) || res.Total != (Count{10000, 4}) {
		t.Errorf("participating %+v total %+v", res.Participating, res.Total)
	}
	want := map[string][3]Count{
		"a": {{1000, 1}, {2000, 1}, {7000, 2}},
		"b": {{0, 0}, {1000, 1}, {9000, 3}},
	}
	for key, w := range want {
		got := res.Items[key]
		if got.Agree != w[0] || got.Oppose != w[1] || got.Abstain != w[2] {
			t.Errorf("%s: agree %+v oppose %+v abstain %+v, want %+v", key, got.Agree, got.Oppose, got.Abstain, w)
		}
		if got.Key != key || got.Passed {
			t.Errorf("%s: key %q passed %v", key, got.Key, got.Passed)
		}
	}
	if res.QuorumRule != "参与表决专有部分面积和人数均≥总数的2/3" || res.QuorumRuleEN == "" {
		t.Errorf("quorum rule = %q / %q", res.QuorumRule, res.QuorumRuleEN)
	}
	if res.Items["b"].LegalBasis != "《民法典》第二百七十八条" {
		t.Errorf("legal basis = %q", res.Items["b"].LegalBasis)
	}
}

func TestTallyFollowMajority(t *testing.T) {
	tests := []struct {
		name          string
		p             LegalProfile
		matter        Matter
		totalHead     int
		ballots       []CastBallot
		rawPassed     bool
		applied       bool
		agree         Count
		participating Count
		passed        bool
	}{
		{
			name: "civil: quorum missed, 6 of 10 agree: non-voters follow, ordinary passes on the adjusted figures",
			p:    CivilCode2021, matter: MatterHireDismissManager, totalHead: 10,
			ballots:   sameBallots(6, "10.00", ChoiceAgree),
			rawPassed: false, applied: true, agree: Count{10000, 10}, participating: Count{10000, 10}, passed: true,
		},
		{
			name: "civil major: 11 of 20 agree, 2 oppose, 7 absent: quorum missed, adjusted 18 of 20 ≥ 3/4 passes",
			p:    CivilCode2021, matter: MatterRaiseMaintenanceFund, totalHead: 20,
			ballots:   joinBallots(sameBallots(11, "5.00", ChoiceAgree), sameBallots(2, "5.00", ChoiceOppose)),
			rawPassed: false, applied: true, agree: Count{9000, 18}, participating: Count{10000, 20}, passed: true,
		},
		{
			name: "civil major: 11 of 20 agree, 6 oppose, 3 absent: adjusted 14 of 20 < 3/4 still fails",
			p:    CivilCode2021, matter: MatterChangeCommonUse, totalHead: 20,
			ballots:   joinBallots(sameBallots(11, "5.00", ChoiceAgree), sameBallots(6, "5.00", ChoiceOppose)),
			rawPassed: false, applied: true, agree: Count{7000, 14}, participating: Count{10000, 20}, passed: false,
		},
		{
			name: "civil major: 11 of 20 agree, 9 oppose: nobody is absent, adjusted fails like raw",
			p:    CivilCode2021, matter: MatterRebuild, totalHead: 20,
			ballots:   joinBallots(sameBallots(11, "5.00", ChoiceAgree), sameBallots(9, "5.00", ChoiceOppose)),
			rawPassed: false, applied: true, agree: Count{5500, 11}, participating: Count{10000, 20}, passed: false,
		},
		{
			name: "agree exactly 1/2 of the total: not applied, raw figures reported",
			p:    CivilCode2021, matter: MatterHireDismissManager, totalHead: 10,
			ballots:   joinBallots(sameBallots(5, "10.00", ChoiceAgree), sameBallots(2, "10.00", ChoiceOppose)),
			rawPassed: true, applied: false, agree: Count{5000, 5}, participating: Count{7000, 7}, passed: true,
		},
		{
			name: "property major: 6 of 10 agree: adjusted 10 of 10 passes, raw fails",
			p:    PropertyLaw2007, matter: MatterRebuild, totalHead: 10,
			ballots:   sameBallots(6, "10.00", ChoiceAgree),
			rawPassed: false, applied: true, agree: Count{10000, 10}, participating: Count{10000, 10}, passed: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Tally(TallyInput{
				Profile:        tc.p,
				TotalArea:      MustParseArea("100.00"),
				TotalHeadcount: tc.totalHead,
				Items:          []ItemSpec{{Key: "x", Matter: tc.matter}},
				Ballots:        tc.ballots,
				FollowMajority: true,
			})
			item := res.Items["x"]
			if item.Passed != tc.rawPassed {
				t.Errorf("raw passed = %v, want %v", item.Passed, tc.rawPassed)
			}
			fm := item.FollowMajority
			if fm == nil {
				t.Fatal("no follow-majority result")
			}
			if fm.Applied != tc.applied || fm.Agree != tc.agree || fm.Participating != tc.participating || fm.Passed != tc.passed {
				t.Errorf("follow-majority = %+v, want applied %v agree %+v participating %+v passed %v",
					*fm, tc.applied, tc.agree, tc.participating, tc.passed)
			}
			if want := (Count{res.Total.Area - res.Participating.Area, res.Total.Headcount - res.Participating.Headcount}); fm.NonVoters != want {
				t.Errorf("non-voters = %+v, want %+v", fm.NonVoters, want)
			}
		})
	}
}
