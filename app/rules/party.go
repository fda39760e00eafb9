package rules

import "fmt"

// PartyMember is one person on a candidate slate or an elected committee, as far as the
// Party-member ratio is concerned.
type PartyMember struct {
	Key     string
	IsParty bool
	IsChair bool
}

// PartyRatio is the share of Communist Party members on a slate or committee and what it
// means against the policy target (docs/rules.md §5; seed 003: generally not below 50%, the
// chair generally a Party member). It is policy, not statute: it informs and warns and
// never invalidates a lawful election.
type PartyRatio struct {
	Party         int
	Total         int
	Percent       string // display only, via Percent
	TargetPercent int
	BelowTarget   bool // 100*Party < TargetPercent*Total
	ChairKnown    bool // some member is marked as chair
	ChairNotParty bool // a member marked as chair is not a Party member
	Warnings      []string
	WarningsEN    []string
}

// ComputePartyRatio counts Party members and compares the share with targetPercent by
// integer cross-multiplication (exactly the target is not below it). ChairNotParty is set
// only when a chair is marked. A non-positive target sets no target. It never fails.
func ComputePartyRatio(members []PartyMember, targetPercent int) PartyRatio {
	r := PartyRatio{Total: len(members), TargetPercent: targetPercent}
	chairs := 0
	for _, m := range members {
		if m.IsParty {
			r.Party++
		}
		if m.IsChair {
			chairs++
			if !m.IsParty {
				r.ChairNotParty = true
			}
		}
	}
	r.ChairKnown = chairs > 0
	r.Percent = Percent(int64(r.Party), int64(r.Total))
	warn := func(zh, en string) {
		r.Warnings = append(r.Warnings, zh)
		r.WarningsEN = append(r.WarningsEN, en)
	}
	if r.Total == 0 {
		warn("名单为空，无法计算党员比例", "the list is empty; no Party-member ratio can be computed")
		return r
	}
	if targetPercent > 0 && 100*r.Party < targetPercent*r.Total {
		r.BelowTarget = true
		warn(fmt.Sprintf("党员 %d 人，占 %d 人的 %s，低于一般不低于 %d%% 的要求", r.Party, r.Total, r.Percent, targetPercent),
			fmt.Sprintf("%d Party members of %d (%s) is below the %d%% target", r.Party, r.Total, r.Percent, targetPercent))
	}
	if chairs > 1 {
		warn(fmt.Sprintf("有 %d 人被标为主任", chairs), fmt.Sprintf("%d members are marked as chair", chairs))
	}
	if r.ChairNotParty {
		warn("主任不是党员；政策要求主任一般由党员担任", "the chair is not a Party member; policy expects the chair generally to be one")
	}
	return r
}
