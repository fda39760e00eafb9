package web

import (
	"html/template"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app/committee"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
)

// VotePages serves the assembly-vote pages: for staff the estate's votes, drafting,
// the vote page with live participation and results, opening, credentials with QR
// codes, paper and proxy ballot entry, the ballot list with voids and the audit
// trail, publication, objections and finalisation; for owners (no sign-in) the
// personal ballot link with its identity check, review and receipt, the public
// receipt check and the published results.
type VotePages struct {
	*Handlers
	Votes *voting.Service
	// Committee, when set, lets the drafting form start from a founded removal case
	// (issue 12: /estates/:id/votes/new?removal_case=N).
	Committee *committee.Service
}

// choiceField is the form field of an item's answer: "c.<item key>"; an election
// item posts one value per agreed candidate.
func choiceField(itemKey string) string { return "c." + itemKey }

// ballotItem is one agenda item as a ballot, review or staff page shows it, with the
// answer being given (a re-rendered form keeps it) and texts in the page's language.
type ballotItem struct {
	voting.Item
	Number      int
	MatterText  string
	Rule        string
	Choice      string          // ordinary item: agree, oppose, abstain, or "" (blank: abstain)
	Picked      map[string]bool // election item: the agreed candidates
	PickedNames []string
	OverVoted   bool
}

// ruleIn picks the Chinese or the English wording.
func ruleIn(lang, zh, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return zh
}

// ballotItems shapes the agenda for a page, with the answers in choices (nil: none).
func (h *VotePages) ballotItems(lang string, items []voting.Item, choices voting.Choices) []ballotItem {
	out := make([]ballotItem, 0, len(items))
	for i, it := range items {
		bi := ballotItem{Item: it, Number: i + 1, MatterText: h.matterText(lang, it), Rule: ruleIn(lang, it.Rule, it.RuleEN),
			Picked: map[string]bool{}}
		ch := choices[it.Key]
		if it.IsElection() {
			for _, cand := range it.Candidates {
				for _, k := range ch.Candidates {
					if k == cand.Key {
						bi.Picked[cand.Key] = true
						bi.PickedNames = append(bi.PickedNames, cand.Name)
					}
				}
			}
			bi.OverVoted = len(bi.PickedNames) > it.Seats
		} else {
			switch rules.Choice(ch.Option) {
			case rules.ChoiceAgree, rules.ChoiceOppose, rules.ChoiceAbstain:
				bi.Choice = ch.Option
			}
		}
		out = append(out, bi)
	}
	return out
}

// matterText is the matter of an item in the page's language.
func (h *VotePages) matterText(lang string, it voting.Item) string {
	return h.matterName(lang, string(it.Matter))
}

// matterName is a matter's wording in the page's language (the statutory wording in Chinese).
// itemMatters are the choices of an ordinary item's matter (rules.ItemMatters).
func (h *VotePages) itemMatters(lang string) []option {
	var out []option
	for _, m := range rules.ItemMatters() {
		out = append(out, option{string(m), h.matterName(lang, string(m))})
	}
	return out
}

func (h *VotePages) matterName(lang, matter string) string {
	if lang == "en" {
		return h.Views.T(lang, "vote.matter."+matter)
	}
	return rules.Matter(matter).Label()
}

// choicesFromForm reads the answers of a ballot form for items: "c.<key>" is
// agree, oppose or abstain on an ordinary item (nothing or "" is a blank, counted as
// abstain), and one value per agreed candidate on an election item.
func choicesFromForm(c *fiber.Ctx, items []voting.Item) voting.Choices {
	out := voting.Choices{}
	for _, it := range items {
		values := formValues(c, choiceField(it.Key))
		if it.IsElection() {
			var picked []string
			seen := map[string]bool{}
			for _, v := range values {
				if v = strings.TrimSpace(v); v != "" && !seen[v] {
					seen[v] = true
					picked = append(picked, v)
				}
			}
			if len(picked) > 0 {
				out[it.Key] = voting.Choice{Candidates: picked, IsList: true}
			}
			continue
		}
		if len(values) > 0 && strings.TrimSpace(values[0]) != "" {
			out[it.Key] = voting.Choice{Option: strings.TrimSpace(values[0])}
		}
	}
	return out
}

// barView is one participation figure against its quorum line, for a CSS bar.
type barView struct {
	Percent    string       // participating share of the total, e.g. "41.20%"
	Width      template.CSS // the filled part, capped at 100%
	LinePct    string       // the quorum line's share of the total
	Line       template.CSS // where the quorum line sits
	Reached    bool
	Part, Need string // participating and needed, as shown
}

// cssPercent is "width:…" or "left:…" for a share already rendered by rules.Percent.
func cssPercent(prop string, part, whole int64) template.CSS {
	if whole <= 0 {
		return template.CSS(prop + ":0%")
	}
	if part > whole {
		part = whole
	}
	if part < 0 {
		part = 0
	}
	return template.CSS(prop + ":" + rules.Percent(part, whole)) // digits, '.', '%': safe CSS
}

func newBar(part, need, whole int64, show func(int64) string) barView {
	return barView{Percent: rules.Percent(part, whole), Width: cssPercent("width", part, whole), LinePct: rules.Percent(need, whole),
		Line: cssPercent("left", need, whole), Reached: part >= need, Part: show(part), Need: show(need)}
}

// buildingView is one building's participation.
type buildingView struct {
	voting.BuildingParticipation
	AreaPercent string
	Bar         template.CSS
}

// participationView is the live participation of a vote for its page.
type participationView struct {
	voting.Participation
	Rule      string
	Area      barView
	Headcount barView
	Buildings []buildingView
}

func newParticipationView(lang string, p voting.Participation) participationView {
	out := participationView{Participation: p, Rule: ruleIn(lang, p.QuorumRule, p.QuorumRuleEN),
		Area: newBar(int64(p.ParticipatingArea), int64(p.QuorumArea), int64(p.TotalArea), func(v int64) string { return rules.Area(v).String() }),
		Headcount: newBar(int64(p.ParticipatingHeadcount), int64(p.QuorumHeadcount), int64(p.TotalHeadcount),
			func(v int64) string { return itoa(v) })}
	for _, b := range p.Buildings {
		out.Buildings = append(out.Buildings, buildingView{BuildingParticipation: b,
			AreaPercent: rules.Percent(int64(b.ParticipatingArea), int64(b.Area)),
			Bar:         cssPercent("width", int64(b.ParticipatingArea), int64(b.Area))})
	}
	return out
}

// resultItem is one item of a stored result, in agenda order.
type resultItem struct {
	Number     int
	Key        string
	Title      string
	MatterText string
	Class      string
	Rule       string
	LegalBasis string
	Item       *voting.ItemResult
	Election   *electionView
}

// electionView is one committee election's outcome with names for keys.
type electionView struct {
	voting.ElectionResult
	ElectedNames   []string
	RunoffNames    []string
	AlternateNames []string
	// AlternateTieNames are the candidates tied across the last alternate place (issue 12).
	AlternateTieNames []string
	Candidates        []candidateView
}

// candidateView is one candidate's count, in ballot order.
type candidateView struct {
	Key string
	voting.CandidateResult
}

// resultsView is a closed vote's result for its page.
type resultsView struct {
	Res        *voting.Result
	QuorumRule string
	Items      []resultItem
}

// newResultsView shapes a stored result; the agenda (may be nil on public pages)
// puts candidates in ballot order, otherwise they follow their rank.
func (h *VotePages) newResultsView(lang string, res *voting.Result, agenda []voting.Item) *resultsView {
	if res == nil {
		return nil
	}
	byKey := map[string]voting.Item{}
	for _, it := range agenda {
		byKey[it.Key] = it
	}
	out := &resultsView{Res: res, QuorumRule: ruleIn(lang, res.QuorumRule, res.QuorumRuleEN)}
	order := res.ItemOrder
	if len(order) == 0 {
		for _, it := range agenda {
			order = append(order, it.Key)
		}
	}
	for i, key := range order {
		ri := resultItem{Number: i + 1, Key: key}
		if ir, ok := res.Items[key]; ok {
			ir := ir
			ri.Item = &ir
			ri.Title, ri.Class, ri.LegalBasis = ir.Title, ir.Class, ir.LegalBasis
			ri.MatterText = h.matterName(lang, ir.Matter)
			ri.Rule = ruleIn(lang, ir.Rule, ir.RuleEN)
		}
		if er, ok := res.Elections[key]; ok {
			ri.Title = er.Title
			ri.MatterText = h.matterName(lang, string(rules.MatterElectCommittee))
			ri.Rule = ruleIn(lang, er.Rule, er.RuleEN)
			ri.Election = newElectionView(er, byKey[key].Candidates)
		}
		out.Items = append(out.Items, ri)
	}
	return out
}

// newElectionView names an election's outcome; candidates follow ballot (else rank) order.
func newElectionView(er voting.ElectionResult, ballotOrder []voting.Candidate) *electionView {
	ev := &electionView{ElectionResult: er}
	name := func(k string) string {
		if c, ok := er.Candidates[k]; ok {
			return c.Name
		}
		return k
	}
	for _, k := range er.Elected {
		ev.ElectedNames = append(ev.ElectedNames, name(k))
	}
	for _, k := range er.Runoff {
		ev.RunoffNames = append(ev.RunoffNames, name(k))
	}
	for _, k := range er.Alternates {
		ev.AlternateNames = append(ev.AlternateNames, name(k))
	}
	for _, k := range er.AlternateTie {
		ev.AlternateTieNames = append(ev.AlternateTieNames, name(k))
	}
	seen := map[string]bool{}
	for _, cand := range ballotOrder {
		if cr, ok := er.Candidates[cand.Key]; ok {
			ev.Candidates = append(ev.Candidates, candidateView{Key: cand.Key, CandidateResult: cr})
			seen[cand.Key] = true
		}
	}
	var rest []candidateView
	for k, cr := range er.Candidates {
		if !seen[k] {
			rest = append(rest, candidateView{Key: k, CandidateResult: cr})
		}
	}
	rankOrder := func(r int) int { // unranked (0) last
		if r <= 0 {
			return int(^uint(0) >> 1)
		}
		return r
	}
	sort.Slice(rest, func(i, j int) bool {
		if a, b := rankOrder(rest[i].Rank), rankOrder(rest[j].Rank); a != b {
			return a < b
		}
		return rest[i].Key < rest[j].Key
	})
	ev.Candidates = append(ev.Candidates, rest...)
	return ev
}

// renderRefusal re-renders a page with the service's refusal and its status,
// without the field list (owners' pages explain in words).
func (h *VotePages) renderRefusal(c *fiber.Ctx, name string, pg Page, err error) error {
	return h.renderRefused(c, name, pg, err, false)
}
