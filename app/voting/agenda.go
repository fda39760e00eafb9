package voting

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// ItemInput is one agenda item as the convenor writes it. An elect_committee item
// also has seats, alternates and candidates; a by-election fills VacantSeats at most.
type ItemInput struct {
	Key         string
	Title       string
	Text        string
	Matter      string
	Seats       int
	Alternates  int
	ByElection  bool
	VacantSeats int
	Candidates  []CandidateInput
	// ContractID names the service contract a hire_dismiss_manager item dismisses, and
	// CompanyID the company it proposes to hire (checked by checkPropertyLinks).
	ContractID *int64
	CompanyID  *int64
	// RemovalCaseID makes an elect_committee item the removal of a committee member on
	// a founded case (更换业主委员会成员, issue 12): answered agree/oppose/abstain and
	// decided by the ordinary double majority, without seats or candidates.
	RemovalCaseID int64
}

// CandidateInput is one candidate of an election item.
type CandidateInput struct {
	Key  string
	Name string
}

// Item is an agenda item as the ballot and the staff pages show it, with the rule that
// decides it under the vote's legal profile.
type Item struct {
	Key         string
	Title       string
	Text        string
	Matter      rules.Matter
	MatterLabel string            // the statutory wording of the matter (CC 278 ¶1)
	Class       rules.MatterClass // ordinary or major under the vote's legal profile
	Rule        string            // the threshold in words, Chinese
	RuleEN      string            // the threshold in words, English
	LegalBasis  string
	Seats       int
	Alternates  int
	ByElection  bool
	VacantSeats int
	Candidates  []Candidate
	ContractID  *int64 // the contract a hire_dismiss_manager item dismisses
	CompanyID   *int64 // the company a hire_dismiss_manager item proposes to hire
	// RemovalCaseID is the case a removal item decides (0: not a removal).
	RemovalCaseID int64
}

// IsElection tells whether the item is a committee election (answered by candidates).
// A removal item (RemovalCaseID) is of the same matter but answered agree/oppose/abstain.
func (it Item) IsElection() bool {
	return it.Matter == rules.MatterElectCommittee && it.RemovalCaseID == 0
}

// Candidate is one candidate of an election item.
type Candidate struct {
	Key  string
	Name string
}

// Limits of the agenda's texts.
const (
	maxTitleRunes = 200
	maxTextRunes  = 20000
	maxNameRunes  = 100
	maxItems      = 50
	maxCandidates = 60
)

// keyPattern is what item and candidate keys look like: they appear in JSON ballots.
var keyPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$`)

// details collects field errors of one input.
type details []app.Detail

func (d *details) add(field, message string) {
	*d = append(*d, app.Detail{Field: field, Message: message})
}

// err returns the collected details as one invalid error, or nil.
func (d details) err() error {
	if len(d) == 0 {
		return nil
	}
	return &app.Error{Code: app.EInvalid, Message: d[0].Field + ": " + d[0].Message, Details: d}
}

// textField checks a required text of at most max characters.
func textField(d *details, field, value string, max int) string {
	value = strings.TrimSpace(value)
	switch n := utf8.RuneCountInString(value); {
	case n == 0:
		d.add(field, "必填 / required")
	case n > max:
		d.add(field, fmt.Sprintf("不能超过 %d 个字符 / at most %d characters", max, max))
	}
	return value
}

// validateItems checks an agenda and returns the cleaned items. households is asked
// for (once) only when an election item needs the estate's size.
func validateItems(d *details, in []ItemInput, prof rules.JurisdictionProfile, households func() (rules.EstateSize, error), removal func(caseID int64) error) ([]ItemInput, error) {
	if len(in) == 0 {
		d.add("items", "至少需要一个表决事项 / at least one item")
		return nil, nil
	}
	if len(in) > maxItems {
		d.add("items", fmt.Sprintf("表决事项不能超过 %d 个 / at most %d items", maxItems, maxItems))
		return nil, nil
	}
	out := make([]ItemInput, len(in))
	seen := map[string]int{}
	houses := rules.EstateSize{Households: -1}
	for i, it := range in {
		f := fmt.Sprintf("items[%d]", i)
		it.Key = strings.TrimSpace(it.Key)
		switch {
		case it.Key == "":
			d.add(f+".key", "必填 / required")
		case !keyPattern.MatchString(it.Key):
			d.add(f+".key", "只能包含字母、数字、点、下划线和连字符，最长 64 个字符 / letters, digits, '.', '_' and '-', at most 64")
		default:
			if j, dup := seen[it.Key]; dup {
				d.add(f+".key", fmt.Sprintf("与 items[%d] 的 key 重复 / duplicates the key of items[%d]", j, j))
			} else {
				seen[it.Key] = i
			}
		}
		it.Title = textField(d, f+".title", it.Title, maxTitleRunes)
		it.Text = textField(d, f+".text", it.Text, maxTextRunes)
		m := rules.Matter(strings.TrimSpace(it.Matter))
		it.Matter = string(m)
		if m == "" {
			d.add(f+".matter", "请选择事项类别 / choose the item's matter")
			out[i] = it
			continue
		}
		if !m.Valid() {
			d.add(f+".matter", "须为九类事项之一 / must be one of: "+matterList())
			out[i] = it
			continue
		}
		if m != rules.MatterHireDismissManager && (it.ContractID != nil || it.CompanyID != nil) {
			d.add(f+".contract_id", "只有 hire_dismiss_manager 事项可以指定物业服务合同或企业 / only hire_dismiss_manager items name a contract or company")
		}
		if it.RemovalCaseID != 0 {
			if m != rules.MatterElectCommittee {
				d.add(f+".removal_case_id", "罢免委员的事项须为 elect_committee / a removal item is of matter elect_committee")
			} else if it.Seats != 0 || it.Alternates != 0 || len(it.Candidates) > 0 || it.ByElection || it.VacantSeats != 0 {
				d.add(f+".removal_case_id", "罢免委员的事项没有席位和候选人 / a removal item has no seats or candidates")
			} else if err := removalCheck(removal, it.RemovalCaseID); err != nil {
				d.add(f+".removal_case_id", err.Error())
			}
			out[i] = it
			continue
		}
		if m != rules.MatterElectCommittee {
			if it.Seats != 0 || it.Alternates != 0 || len(it.Candidates) > 0 || it.ByElection || it.VacantSeats != 0 {
				d.add(f+".matter", "只有 elect_committee 事项可以有席位和候选人 / only elect_committee items have seats and candidates")
			}
			out[i] = it
			continue
		}
		if it.Seats <= 0 {
			d.add(f+".seats", "选举事项须有应选席位 / an election needs seats")
		}
		if it.Alternates < 0 {
			d.add(f+".alternates", "不能为负数 / must not be negative")
		}
		if it.Seats > 0 && it.Alternates >= 0 {
			if houses.Households < 0 {
				n, err := households()
				if err != nil {
					return nil, err
				}
				houses = n
			}
			if err := rules.ValidateElectionSeatsFor(prof, it.Seats, it.Alternates, houses, it.ByElection, it.VacantSeats); err != nil {
				d.add(f+".seats", err.Error())
			}
		}
		if len(it.Candidates) == 0 {
			d.add(f+".candidates", "选举事项须有候选人 / an election needs candidates")
		}
		if len(it.Candidates) > maxCandidates {
			d.add(f+".candidates", fmt.Sprintf("候选人不能超过 %d 名 / at most %d candidates", maxCandidates, maxCandidates))
		}
		cands := make([]CandidateInput, len(it.Candidates))
		seenCand := map[string]int{}
		for j, c := range it.Candidates {
			cf := fmt.Sprintf("%s.candidates[%d]", f, j)
			c.Key = strings.TrimSpace(c.Key)
			switch {
			case c.Key == "":
				d.add(cf+".key", "必填 / required")
			case !keyPattern.MatchString(c.Key):
				d.add(cf+".key", "只能包含字母、数字、点、下划线和连字符，最长 64 个字符 / letters, digits, '.', '_' and '-', at most 64")
			default:
				if k, dup := seenCand[c.Key]; dup {
					d.add(cf+".key", fmt.Sprintf("与 candidates[%d] 重复 / duplicates candidates[%d]", k, k))
				} else {
					seenCand[c.Key] = j
				}
			}
			c.Name = textField(d, cf+".name", c.Name, maxNameRunes)
			cands[j] = c
		}
		it.Candidates = cands
		out[i] = it
	}
	return out, nil
}

func matterList() string {
	var names []string
	for _, m := range rules.Matters() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}

// insertAgenda writes one agenda revision of a vote.
func insertAgenda(ctx context.Context, tx *gorm.DB, voteID int64, revision int, items []ItemInput) error {
	for i, it := range items {
		row := models.VoteItem{VoteID: voteID, Revision: revision, Position: i + 1, ItemKey: it.Key, Title: it.Title, Body: it.Text,
			Matter: it.Matter, Seats: it.Seats, Alternates: it.Alternates, ByElection: it.ByElection, VacantSeats: it.VacantSeats,
			ContractID: it.ContractID, CompanyID: it.CompanyID}
		if it.RemovalCaseID != 0 {
			id := it.RemovalCaseID
			row.RemovalCaseID = &id
		}
		if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
			return fmt.Errorf("writing item %s: %w", it.Key, err)
		}
		if len(it.Candidates) == 0 {
			continue
		}
		cands := make([]models.VoteCandidate, len(it.Candidates))
		for j, c := range it.Candidates {
			cands[j] = models.VoteCandidate{VoteID: voteID, ItemID: row.ID, Position: j + 1, CandidateKey: c.Key, Name: c.Name}
		}
		if err := tx.WithContext(ctx).Create(&cands).Error; err != nil {
			return fmt.Errorf("writing candidates of %s: %w", it.Key, err)
		}
	}
	return nil
}

// agenda is the current agenda of a vote, ready for ballots.
type agenda struct {
	revision int
	items    []Item
	byKey    map[string]int
	// candidatePos maps an election item's key to its candidates' positions.
	candidatePos map[string]map[string]int
}

// buildAgenda turns stored rows into the agenda under the vote's legal profile.
func buildAgenda(v models.Vote, rows []models.VoteItem, cands map[int64][]models.VoteCandidate) *agenda {
	lp := rules.LegalProfile(v.LegalProfile)
	ag := &agenda{revision: v.AgendaRevision, byKey: map[string]int{}, candidatePos: map[string]map[string]int{}}
	for i, r := range rows {
		m := rules.Matter(r.Matter)
		t := rules.ThresholdOf(lp, m)
		it := Item{Key: r.ItemKey, Title: r.Title, Text: r.Body, Matter: m, MatterLabel: m.Label(), Class: t.Class,
			Rule: t.Rule, RuleEN: t.RuleEN, LegalBasis: t.LegalBasis,
			Seats: r.Seats, Alternates: r.Alternates, ByElection: r.ByElection, VacantSeats: r.VacantSeats,
			ContractID: r.ContractID, CompanyID: r.CompanyID}
		if r.RemovalCaseID != nil {
			it.RemovalCaseID = *r.RemovalCaseID
		}
		if it.IsElection() {
			pos := map[string]int{}
			for j, c := range cands[r.ID] {
				it.Candidates = append(it.Candidates, Candidate{Key: c.CandidateKey, Name: c.Name})
				pos[c.CandidateKey] = j
			}
			ag.candidatePos[r.ItemKey] = pos
		}
		ag.items = append(ag.items, it)
		ag.byKey[r.ItemKey] = i
	}
	return ag
}

// agendaOf returns the current agenda of v, read through db. Agendas of votes that are
// no longer drafts are frozen and cached.
func (s *Service) agendaOf(ctx context.Context, db *gorm.DB, v models.Vote) (*agenda, error) {
	if v.State != models.VoteDraft {
		if cached, ok := s.agendas.Load(v.ID); ok {
			return cached.(*agenda), nil
		}
	}
	rows, cands, err := models.AgendaItems(ctx, db, v.ID, v.AgendaRevision)
	if err != nil {
		return nil, err
	}
	ag := buildAgenda(v, rows, cands)
	if v.State != models.VoteDraft {
		s.agendas.Store(v.ID, ag)
	}
	return ag, nil
}

// Choice is a voter's answer on one item: Option on an ordinary item, the agreed
// Candidates on an election item. IsList says the answer was given as a list.
type Choice struct {
	Option     string
	Candidates []string
	IsList     bool
}

// Choices are the answers of one ballot keyed by item key. A missing item, an empty
// option or an empty list is a blank, counted as abstain (T1).
type Choices map[string]Choice

// canonical validates the choices against the agenda and returns the canonical JSON
// stored for the ballot: sorted item keys; an option string for an ordinary item, the
// agreed candidate keys in the order of the candidate list for an election item;
// blanks left out. Agreeing with more candidates than seats is accepted and stored:
// the tally counts such an item as over-voted (docs/rules.md §3).
func (ag *agenda) canonical(ch Choices) (string, error) {
	var d details
	out := make(map[string]any, len(ch))
	keys := make([]string, 0, len(ch))
	for k := range ch {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		c := ch[key]
		field := "choices." + key
		i, ok := ag.byKey[key]
		if !ok {
			d.add(field, "没有这个表决事项 / no such item on this ballot")
			continue
		}
		it := ag.items[i]
		if !it.IsElection() {
			if c.IsList {
				d.add(field, "须为 agree、oppose 或 abstain / must be agree, oppose or abstain")
				continue
			}
			switch rules.Choice(c.Option) {
			case rules.ChoiceAgree, rules.ChoiceOppose, rules.ChoiceAbstain:
				out[key] = c.Option
			case "":
			default:
				d.add(field, "须为 agree、oppose 或 abstain / must be agree, oppose or abstain")
			}
			continue
		}
		if !c.IsList {
			if c.Option != "" {
				d.add(field, "选举事项须为候选人编号列表 / an election takes a list of candidate keys")
			}
			continue
		}
		pos := ag.candidatePos[key]
		picked := make([]string, 0, len(c.Candidates))
		seen := map[string]bool{}
		bad := false
		for _, ck := range c.Candidates {
			if _, ok := pos[ck]; !ok {
				d.add(field, fmt.Sprintf("没有候选人 %q / unknown candidate %q", ck, ck))
				bad = true
				continue
			}
			if seen[ck] {
				d.add(field, fmt.Sprintf("候选人 %q 重复 / candidate %q repeated", ck, ck))
				bad = true
				continue
			}
			seen[ck] = true
			picked = append(picked, ck)
		}
		if bad || len(picked) == 0 {
			continue
		}
		slices.SortFunc(picked, func(a, b string) int { return pos[a] - pos[b] })
		out[key] = picked
	}
	if err := d.err(); err != nil {
		return "", err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", app.Internal(fmt.Errorf("encoding choices: %w", err))
	}
	return string(b), nil
}
