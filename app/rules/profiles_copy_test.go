package rules_test

import (
	"testing"

	"gongzhi/app/rules"
)

// The shipped profiles are decoded once and shared; a caller that changes its copy
// must not change what the next caller gets.
func TestProfilesAreCopies(t *testing.T) {
	p, ok := rules.ProfileByCode("beijing")
	if !ok || len(p.CreditGrades) == 0 {
		t.Fatalf("beijing profile: %v %+v", ok, p.CreditGrades)
	}
	p.NoticeDays = 1
	p.CreditGrades[0] = "Z"
	list := rules.Profiles()
	list[0].NoticeDays = 2
	again, _ := rules.ProfileByCode("beijing")
	if again.NoticeDays != 15 || again.CreditGrades[0] != "A" {
		t.Fatalf("a caller's change leaked into the shipped profile: %d %v", again.NoticeDays, again.CreditGrades)
	}
	if rules.Profiles()[0].NoticeDays == 2 {
		t.Fatal("Profiles returned shared data")
	}
}

func TestProfileOrDefault(t *testing.T) {
	if got := rules.ProfileOrDefault("shanghai").Code; got != "shanghai" {
		t.Errorf("shanghai → %s", got)
	}
	if got := rules.ProfileOrDefault("atlantis").Code; got != rules.DefaultProfileCode {
		t.Errorf("unknown code → %s, want %s", got, rules.DefaultProfileCode)
	}
}
