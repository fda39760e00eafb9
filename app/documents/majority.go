package documents

import (
	"fmt"

	"gongzhi/app"
)

// CommitteeVote is the count of one decision taken at an owners' committee meeting:
// how many members the committee has in all, how many were present, and how the
// present members voted.
type CommitteeVote struct {
	Members int
	Present int
	Agree   int
	Oppose  int
	Abstain int
}

// CommitteeOutcome is what the count decides (docs/rules.md §5; BJ 45, SH 26: a decision of
// the committee needs the agreement of more than half of ALL its members, not of those
// present; a meeting needs more than half of all members present).
type CommitteeOutcome struct {
	Passed         bool // 2 × agree > all members
	QuorumPresent  bool // 2 × present > all members
	NeededToPass   int  // the fewest agreeing members that pass: members/2 + 1
	NeededToAttend int  // the fewest members present for a quorum: members/2 + 1
}

// Validate checks that the count is possible: at least one member, no more present than
// members, no more votes than members present, nothing negative.
func (c CommitteeVote) Validate() error {
	switch {
	case c.Members < 1:
		return app.Invalid("members", app.M("err.documents.the_committee_has_at_least_one_member"))
	case c.Present < 0 || c.Agree < 0 || c.Oppose < 0 || c.Abstain < 0:
		return app.Invalid("decisions", app.M("err.documents.counts_cannot_be_negative"))
	case c.Present > c.Members:
		return app.Invalid("present", app.M("err.documents.more_members_present_than_the_committee_has", c.Present, c.Members))
	case c.Agree+c.Oppose+c.Abstain > c.Present:
		return app.Invalid("decisions", app.M("err.documents.more_votes_than_members_present", c.Agree+c.Oppose+c.Abstain, c.Present))
	}
	return nil
}

// DecideCommittee decides a committee decision by integer arithmetic: it passes when the
// agreeing members are more than half of all members (2·agree > members); exactly half
// fails. Absent members count against it, as the rule is of all members.
func DecideCommittee(c CommitteeVote) CommitteeOutcome {
	need := c.Members/2 + 1
	return CommitteeOutcome{
		Passed:         c.Members > 0 && 2*c.Agree > c.Members, // no members, no decision
		QuorumPresent:  c.Members > 0 && 2*c.Present > c.Members,
		NeededToPass:   need,
		NeededToAttend: need,
	}
}

// committeeRule states the rule in words for the minutes.
func committeeRule(members int) string {
	return fmt.Sprintf("业主委员会作出决定须经全体委员过半数同意（全体委员 %d 人，至少 %d 人同意）", members, members/2+1)
}

// committeeBasis is the provision a profile's committee rule comes from.
func committeeBasis(profileCode string) string {
	switch profileCode {
	case "beijing":
		return "《北京市物业管理条例》第四十五条"
	case "shanghai":
		return "《上海市住宅物业管理规定》第二十六条"
	}
	return "《业主大会和业主委员会指导规则》及业主大会议事规则"
}
