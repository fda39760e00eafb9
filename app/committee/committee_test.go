package committee

import (
	"testing"
	"time"

	"gongzhi/models"
)

func TestCleanGrounds(t *testing.T) {
	got, err := cleanGrounds([]string{"absence", "N10", "N2", "N2"})
	if err != nil || len(got) != 3 || got[0] != "N2" || got[1] != "N10" || got[2] != "absence" {
		t.Fatalf("cleanGrounds: %v %v", got, err)
	}
	for _, bad := range [][]string{nil, {"N13"}, {"n1"}} {
		if _, err := cleanGrounds(bad); err == nil {
			t.Errorf("cleanGrounds(%v) accepted", bad)
		}
	}
}

func TestSummariseOverdue(t *testing.T) {
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	cases := []struct {
		k       models.CommitteeCase
		overdue bool
	}{
		{models.CommitteeCase{Status: models.CaseReported, VerifyDue: &past}, true},
		{models.CommitteeCase{Status: models.CaseReported, VerifyDue: &future}, false},
		{models.CommitteeCase{Status: models.CaseFounded, ProposeDue: &future, DefenceDue: &past}, true},
		{models.CommitteeCase{Status: models.CaseFounded, ProposeDue: &future, DefenceDue: &past, DefenceAt: &past}, false},
		{models.CommitteeCase{Status: models.CaseRemoved, VerifyDue: &past}, false},
	}
	for i, c := range cases {
		if got := summarise(c.k, "", "", now).Overdue; got != c.overdue {
			t.Errorf("case %d: overdue %v, want %v", i, got, c.overdue)
		}
	}
}

func TestDeadlinesFor(t *testing.T) {
	if DeadlinesFor("beijing").VerifyDays != 10 || DeadlinesFor("national").ChangeFilingDays != 30 {
		t.Errorf("deadlines: %+v %+v", DeadlinesFor("beijing"), DeadlinesFor("national"))
	}
}
