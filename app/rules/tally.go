package rules

// Choice is a voter's answer on one item (docs/rules.md §2 T1).
type Choice string

// The choices on an item. A blank item on a returned ballot counts as abstain.
const (
	ChoiceAgree   Choice = "agree"
	ChoiceOppose  Choice = "oppose"
	ChoiceAbstain Choice = "abstain"
)

// Valid reports whether c is one of the three choices.
func (c Choice) Valid() bool {
	return c == ChoiceAgree || c == ChoiceOppose || c == ChoiceAbstain
}

// ItemSpec is one ordinary item of a vote: its key on the ballot and its matter.
type ItemSpec struct {
	Key    string
	Matter Matter
}

// ElectionSpec is one committee-election item (docs/rules.md §5): the seats to fill, how many
// alternates may be kept, the legal minimum of members for a formed committee, and the
// candidate keys in the order of the published candidate list.
type ElectionSpec struct {
	Key        string
	Seats      int
	Alternates int
	MinMembers int
	Candidates []string
}

// CastBallot is one accepted ballot, i.e. one voter: the caller has already mapped it to a
// voter of the register and rejected any second ballot of the same voter.
type CastBallot struct {
	Area      Area                // the voter's area in the frozen register
	Choices   map[string]Choice   // item key → choice; a missing or unknown choice is abstain
	Elections map[string][]string // election key → the candidate keys the voter agrees with
}

// TallyInput is everything a tally needs: the profile, the frozen totals (docs/rules.md §1 C4),
// the items and elections of the notice, and the accepted ballots. FollowMajority is set
// only when the assembly's rules of procedure enable 从众 (T2).
type TallyInput struct {
	Profile        LegalProfile // empty or unknown means DefaultLegalProfile
	TotalArea      Area
	TotalHeadcount int
	Items          []ItemSpec
	Elections      []ElectionSpec
	Ballots        []CastBallot
	FollowMajority bool
}

// Count is an area and a headcount counted together, as every threshold needs both.
type Count struct {
	Area      Area
	Headcount int
}

// add counts one voter of area a.
func (c *Count) add(a Area) {
	c.Area += a
	c.Headcount++
}

// FollowMajorityResult is the 从众 figure of an item (docs/rules.md §2 T2), reported beside the
// raw result, which stays the official one. Applied is true only when the real agreeing
// votes already exceed 1/2 of the total area and of the total headcount; then the
// non-voters are added to the agreeing side and counted as participating.
type FollowMajorityResult struct {
	Applied       bool
	NonVoters     Count // total minus participating
	Agree         Count // agreeing after adding the non-voters (the raw figure when not applied)
	Participating Count // participating after adding the non-voters (the raw figure when not applied)
	Passed        bool  // the item's decision on the adjusted figures (the raw decision when not applied)
}

// ItemResult is the count and decision of one item.
type ItemResult struct {
	Key                    string
	Matter                 Matter
	Class                  MatterClass
	Agree, Oppose, Abstain Count
	Passed                 bool                  // the official decision: quorum met and threshold met on the raw count
	Rule                   string                // the rule applied, in Chinese
	RuleEN                 string                // the rule applied, in English
	LegalBasis             string                // e.g. "《民法典》第二百七十八条"
	FollowMajority         *FollowMajorityResult // set only when TallyInput.FollowMajority
}

// TallyResult is the outcome of a vote: the profile it was decided under (the default when
// the input named none or an unknown one), the quorum, totals, and every item and election
// keyed by its key. When the quorum is not met nothing passes and nobody is elected, but
// every count is still reported.
type TallyResult struct {
	Profile       LegalProfile
	QuorumMet     bool
	QuorumRule    string // the participation rule, in Chinese
	QuorumRuleEN  string // the participation rule, in English
	Total         Count
	Participating Count
	Items         map[string]ItemResult
	Elections     map[string]ElectionResult
}

// Tally counts the ballots of a vote and decides each item and election (docs/rules.md §2, §3, §5).
//
// Every ballot is one participating voter (T1). On each item a ballot agrees, opposes or
// abstains; a missing or unknown choice abstains. civil-code-2021 needs participating area and
// headcount each ≥ 2/3 of the total; an ordinary item then passes with agreeing area and
// headcount each > 1/2 of the participating, a major item with each ≥ 3/4 of it.
// property-law-2007 needs attendance > 1/2 of the total; a major item passes with agreeing
// area and headcount each ≥ 2/3 of the total, an ordinary item with each > 1/2 of the total.
// All comparisons are integer cross-multiplications.
func Tally(in TallyInput) TallyResult {
	p := in.Profile.orDefault()
	res := TallyResult{
		Profile:   p,
		Total:     Count{Area: in.TotalArea, Headcount: in.TotalHeadcount},
		Items:     make(map[string]ItemResult, len(in.Items)),
		Elections: make(map[string]ElectionResult, len(in.Elections)),
	}
	for _, b := range in.Ballots {
		res.Participating.add(b.Area)
	}
	res.QuorumMet = QuorumMet(p, res.Participating, res.Total)
	res.QuorumRule, res.QuorumRuleEN = QuorumRuleText(p)

	// counts[i] holds the agree, oppose and abstain counts of item i.
	counts := make([][3]Count, len(in.Items))
	for _, b := range in.Ballots {
		for i := range in.Items {
			counts[i][choiceSlot(b.Choices[in.Items[i].Key])].add(b.Area)
		}
	}

	for i, it := range in.Items {
		class := ClassOf(p, it.Matter)
		t := thresholdOfClass(p, class)
		r := ItemResult{
			Key:        it.Key,
			Matter:     it.Matter,
			Class:      class,
			Agree:      counts[i][0],
			Oppose:     counts[i][1],
			Abstain:    counts[i][2],
			Rule:       t.Rule,
			RuleEN:     t.RuleEN,
			LegalBasis: t.LegalBasis,
		}
		r.Passed = res.QuorumMet && thresholdMet(p, class, r.Agree, res.Participating, res.Total)
		if in.FollowMajority {
			fm := followMajority(p, class, r.Agree, res.Participating, res.Total, r.Passed)
			r.FollowMajority = &fm
		}
		res.Items[it.Key] = r
	}

	for _, spec := range in.Elections {
		res.Elections[spec.Key] = tallyElection(p, spec, in.Ballots, res.Participating, res.Total, res.QuorumMet)
	}
	return res
}

// choiceSlot is the index of a choice in an item's counts: 0 agree, 1 oppose, 2 abstain.
func choiceSlot(c Choice) int {
	switch c {
	case ChoiceAgree:
		return 0
	case ChoiceOppose:
		return 1
	}
	return 2
}

// followMajority computes the 从众 figures of one item (docs/rules.md §2 T2): only when the real
// agreeing area and headcount each exceed 1/2 of the total are the non-voters added to the
// agreeing side, and then every voter counts as participating.
func followMajority(p LegalProfile, class MatterClass, agree, participating, total Count, rawPassed bool) FollowMajorityResult {
	nonVoters := Count{
		Area:      max(total.Area-participating.Area, 0),
		Headcount: max(total.Headcount-participating.Headcount, 0),
	}
	fm := FollowMajorityResult{NonVoters: nonVoters, Agree: agree, Participating: participating, Passed: rawPassed}
	if 2*int64(agree.Area) <= int64(total.Area) || 2*agree.Headcount <= total.Headcount {
		return fm
	}
	fm.Applied = true
	fm.Agree = Count{Area: agree.Area + nonVoters.Area, Headcount: agree.Headcount + nonVoters.Headcount}
	fm.Participating = Count{Area: participating.Area + nonVoters.Area, Headcount: participating.Headcount + nonVoters.Headcount}
	fm.Passed = QuorumMet(p, fm.Participating, total) && thresholdMet(p, class, fm.Agree, fm.Participating, total)
	return fm
}
