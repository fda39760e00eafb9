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

func (d *details) add(field string, message app.Msg) {
	*d = append(*d, app.Detail{Field: field, Msg: message})
}

// err returns the collected details as one invalid error, or nil.
func (d details) err() error {
	if len(d) == 0 {
		return nil
	}
	return app.InvalidDetails(d)
}

// textField checks a required text of at most max characters.
func textField(d *details, field, value string, max int) string {
	value = strings.TrimSpace(value)
	switch n := utf8.RuneCountInString(value); {
	case n == 0:
		d.add(field, app.M("err.voting.required"))
	case n > max:
		d.add(field, app.M("err.voting.at_most_characters", max))
	}
	return value
}

// validateItems checks an agenda and returns the cleaned items. households is asked
// for (once) only when an election item needs the estate's size.
func validateItems(d *details, in []ItemInput, prof rules.JurisdictionProfile, households func() (rules.EstateSize, error), removal func(caseID int64) error) ([]ItemInput, error) {
	if len(in) == 0 {
		d.add("items", app.M("err.voting.at_least_one_item"))
		return nil, nil
	}
	if len(in) > maxItems {
		d.add("items", app.M("err.voting.at_most_items", maxItems))
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
			d.add(f+".key", app.M("err.voting.required"))
		case !keyPattern.MatchString(it.Key):
			d.add(f+".key", app.M("err.voting.letters_digits_and_at_most_64"))
		default:
			if j, dup := seen[it.Key]; dup {
				d.add(f+".key", app.M("err.voting.duplicates_the_key_of_items", j))
			} else {
				seen[it.Key] = i
			}
		}
		it.Title = textField(d, f+".title", it.Title, maxTitleRunes)
		it.Text = textField(d, f+".text", it.Text, maxTextRunes)
		m := rules.Matter(strings.TrimSpace(it.Matter))
		it.Matter = string(m)
		if m == "" {
			d.add(f+".matter", app.M("err.voting.choose_the_item_s_matter"))
			out[i] = it
			continue
		}
		if !m.Valid() {
			d.add(f+".matter", app.M("err.voting.must_be_one_of", matterList()))
			out[i] = it
			continue
		}
		if m != rules.MatterHireDismissManager && (it.ContractID != nil || it.CompanyID != nil) {
			d.add(f+".contract_id", app.M("err.voting.only_hire_dismiss_manager_items_name_a_contract"))
		}
		if it.RemovalCaseID != 0 {
			if m != rules.MatterElectCommittee {
				d.add(f+".removal_case_id", app.M("err.voting.a_removal_item_is_of_matter_elect_committee"))
			} else if it.Seats != 0 || it.Alternates != 0 || len(it.Candidates) > 0 || it.ByElection || it.VacantSeats != 0 {
				d.add(f+".removal_case_id", app.M("err.voting.a_removal_item_has_no_seats_or_candidates"))
			} else if err := removalCheck(removal, it.RemovalCaseID); err != nil {
				d.add(f+".removal_case_id", app.MsgOf(err))
			}
			out[i] = it
			continue
		}
		if m != rules.MatterElectCommittee {
			if it.Seats != 0 || it.Alternates != 0 || len(it.Candidates) > 0 || it.ByElection || it.VacantSeats != 0 {
				d.add(f+".matter", app.M("err.voting.only_elect_committee_items_have_seats_and"))
			}
			out[i] = it
			continue
		}
		if it.Seats <= 0 {
			d.add(f+".seats", app.M("err.voting.an_election_needs_seats"))
		}
		if it.Alternates < 0 {
			d.add(f+".alternates", app.M("err.voting.must_not_be_negative"))
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
				d.add(f+".seats", app.MsgOf(err))
			}
		}
		if len(it.Candidates) == 0 {
			d.add(f+".candidates", app.M("err.voting.an_election_needs_candidates"))
		}
		if len(it.Candidates) > maxCandidates {
			d.add(f+".candidates", app.M("err.voting.at_most_candidates", maxCandidates))
		}
		cands := make([]CandidateInput, len(it.Candidates))
		seenCand := map[string]int{}
		for j, c := range it.Candidates {
			cf := fmt.Sprintf("%s.candidates[%d]", f, j)
			c.Key = strings.TrimSpace(c.Key)
			switch {
			case c.Key == "":
				d.add(cf+".key", app.M("err.voting.required"))
			case !keyPattern.MatchString(c.Key):
				d.add(cf+".key", app.M("err.voting.letters_digits_and_at_most_64"))
			default:
				if k, dup := seenCand[c.Key]; dup {
					d.add(cf+".key", app.M("err.voting.duplicates_candidates", k))
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
			d.add(field, app.M("err.voting.no_such_item_on_this_ballot"))
			continue
		}
		it := ag.items[i]
		if !it.IsElection() {
			if c.IsList {
				d.add(field, app.M("err.voting.must_be_agree_oppose_or_abstain"))
				continue
			}
			switch rules.Choice(c.Option) {
			case rules.ChoiceAgree, rules.ChoiceOppose, rules.ChoiceAbstain:
				out[key] = c.Option
			case "":
			default:
				d.add(field, app.M("err.voting.must_be_agree_oppose_or_abstain"))
			}
			continue
		}
		if !c.IsList {
			if c.Option != "" {
				d.add(field, app.M("err.voting.an_election_takes_a_list_of_candidate_keys"))
			}
			continue
		}
		pos := ag.candidatePos[key]
		picked := make([]string, 0, len(c.Candidates))
		seen := map[string]bool{}
		bad := false
		for _, ck := range c.Candidates {
			if _, ok := pos[ck]; !ok {
				d.add(field, app.M("err.voting.unknown_candidate", ck))
				bad = true
				continue
			}
			if seen[ck] {
				d.add(field, app.M("err.voting.candidate_repeated", ck))
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
