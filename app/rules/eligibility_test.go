package rules_test

import (
	"slices"
	"testing"

	"gongzhi/app/rules"
)

func TestEligibilityCriteria(t *testing.T) {
	want := []string{"owner_in_area", "full_capacity", "no_conflict_of_interest", "not_judgment_defaulter",
		"no_uncorrected_violation", "signed_pledge"}
	var codes []string
	for _, c := range rules.EligibilityCriteria() {
		if c.Title == "" || c.TitleEN == "" || c.Basis == "" {
			t.Errorf("criterion %q lacks a title or basis", c.Code)
		}
		codes = append(codes, c.Code)
	}
	if !slices.Equal(codes, want) {
		t.Errorf("codes = %v, want %v", codes, want)
	}
}

// reviewedChecks returns a met, evidenced, reviewed check for every criterion.
func reviewedChecks() []rules.CriterionCheck {
	var checks []rules.CriterionCheck
	for _, c := range rules.EligibilityCriteria() {
		met := true
		checks = append(checks, rules.CriterionCheck{Code: c.Code, Met: &met, Evidence: "不动产权证 2024-0001", Reviewer: "prep-3"})
	}
	return checks
}

func TestEvaluateEligibility(t *testing.T) {
	no, yes := false, true
	tests := []struct {
		name         string
		checks       func() []rules.CriterionCheck
		wantEligible bool
		wantPending  []string
		wantFailed   []string
	}{
		{"all met, evidenced and reviewed", reviewedChecks, true, nil, nil},
		{"nothing reviewed", func() []rules.CriterionCheck { return nil }, false,
			[]string{"owner_in_area", "full_capacity", "no_conflict_of_interest", "not_judgment_defaulter",
				"no_uncorrected_violation", "signed_pledge"}, nil},
		{"a criterion missing", func() []rules.CriterionCheck { return reviewedChecks()[:5] }, false,
			[]string{"signed_pledge"}, nil},
		{"a criterion not yet reviewed", func() []rules.CriterionCheck {
			c := reviewedChecks()
			c[3].Met = nil
			return c
		}, false, []string{"not_judgment_defaulter"}, nil},
		{"met without a reviewer", func() []rules.CriterionCheck {
			c := reviewedChecks()
			c[0].Reviewer = ""
			return c
		}, false, []string{"owner_in_area"}, nil},
		{"met with blank evidence", func() []rules.CriterionCheck {
			c := reviewedChecks()
			c[1].Evidence = "  "
			return c
		}, false, []string{"full_capacity"}, nil},
		{"a criterion not met", func() []rules.CriterionCheck {
			c := reviewedChecks()
			c[4].Met = &no
			return c
		}, false, nil, []string{"no_uncorrected_violation"}},
		{"conflicting reviews: not met wins", func() []rules.CriterionCheck {
			c := reviewedChecks()
			return append(c, rules.CriterionCheck{Code: "no_conflict_of_interest", Met: &no, Reviewer: "party-1", Evidence: "配偶任物业经理"})
		}, false, nil, []string{"no_conflict_of_interest"}},
		{"a later complete review completes a pending one", func() []rules.CriterionCheck {
			c := reviewedChecks()
			c[5].Reviewer = ""
			return append(c, rules.CriterionCheck{Code: "signed_pledge", Met: &yes, Reviewer: "prep-1", Evidence: "承诺书扫描件"})
		}, true, nil, nil},
		{"unknown codes are ignored", func() []rules.CriterionCheck {
			return append(reviewedChecks(), rules.CriterionCheck{Code: "residence_years", Met: &no})
		}, true, nil, nil},
		{"pending and failed together", func() []rules.CriterionCheck {
			c := reviewedChecks()
			c[0].Met = &no
			c[2].Met = nil
			return c
		}, false, []string{"no_conflict_of_interest"}, []string{"owner_in_area"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eligible, pending, failed := rules.EvaluateEligibility(tt.checks())
			if eligible != tt.wantEligible {
				t.Errorf("eligible = %v, want %v", eligible, tt.wantEligible)
			}
			if !slices.Equal(pending, tt.wantPending) {
				t.Errorf("pending = %v, want %v", pending, tt.wantPending)
			}
			if !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("failed = %v, want %v", failed, tt.wantFailed)
			}
		})
	}
}

func TestNominationKind(t *testing.T) {
	labels := map[rules.NominationKind]string{
		rules.NominationSelf:               "业主自荐",
		rules.NominationJoint:              "业主联名推荐",
		rules.NominationPartyOrg:           "社区党组织推荐",
		rules.NominationResidentsCommittee: "居民委员会推荐",
		rules.NominationStreetOffice:       "街道办事处推荐",
	}
	kinds := rules.NominationKinds()
	if len(kinds) != len(labels) {
		t.Fatalf("NominationKinds() has %d kinds, want %d", len(kinds), len(labels))
	}
	for _, k := range kinds {
		if !k.Valid() {
			t.Errorf("%q not valid", k)
		}
		if k.Label() != labels[k] {
			t.Errorf("%q label = %q, want %q", k, k.Label(), labels[k])
		}
	}
	for _, k := range []rules.NominationKind{"", "developer", "SELF"} {
		if k.Valid() {
			t.Errorf("%q must not be valid", k)
		}
	}
}
