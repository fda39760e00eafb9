package voting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Result is the stored, hashed and published result document of a closed vote. Its
// JSON is the results shape of API.md (legal_profile, quorum_met, totals,
// participation, items, elections) with the rules applied in words beside each
// figure; areas are decimal strings in m².
type Result struct {
	VoteID                 int64                     `json:"vote_id"`
	Title                  string                    `json:"title"`
	LegalProfile           string                    `json:"legal_profile"`
	JurisdictionProfile    string                    `json:"jurisdiction_profile"`
	JurisdictionVersion    string                    `json:"jurisdiction_profile_version"`
	QuorumMet              bool                      `json:"quorum_met"`
	QuorumRule             string                    `json:"quorum_rule"`
	QuorumRuleEN           string                    `json:"quorum_rule_en"`
	TotalArea              string                    `json:"total_area"`
	TotalHeadcount         int                       `json:"total_headcount"`
	ParticipatingArea      string                    `json:"participating_area"`
	ParticipatingHeadcount int                       `json:"participating_headcount"`
	Items                  map[string]ItemResult     `json:"items"`
	Elections              map[string]ElectionResult `json:"elections"`
	ItemOrder              []string                  `json:"item_order"`
	FollowMajority         bool                      `json:"follow_majority"`
	BallotsCounted         int                       `json:"ballots_counted"`
	BallotsVoided          int                       `json:"ballots_voided"`
	ReceiptsDigest         string                    `json:"receipts_digest"`
	ClosesAt               time.Time                 `json:"closes_at"`
	ClosedAt               time.Time                 `json:"closed_at"`
}

// ItemResult is the count and decision of one ordinary item, with its rule in words.
type ItemResult struct {
	Title            string              `json:"title"`
	Matter           string              `json:"matter"`
	Class            string              `json:"class"`
	AgreeArea        string              `json:"agree_area"`
	AgreeHeadcount   int                 `json:"agree_headcount"`
	OpposeArea       string              `json:"oppose_area"`
	OpposeHeadcount  int                 `json:"oppose_headcount"`
	AbstainArea      string              `json:"abstain_area"`
	AbstainHeadcount int                 `json:"abstain_headcount"`
	Passed           bool                `json:"passed"`
	Rule             string              `json:"rule"`
	RuleEN           string              `json:"rule_en"`
	LegalBasis       string              `json:"legal_basis"`
	FollowMajority   *FollowMajorityJSON `json:"follow_majority,omitempty"`
}

// FollowMajorityJSON is the 从众 figure beside the raw (official) result (T2).
type FollowMajorityJSON struct {
	Applied                bool   `json:"applied"`
	NonVotersArea          string `json:"non_voters_area"`
	NonVotersHeadcount     int    `json:"non_voters_headcount"`
	AgreeArea              string `json:"agree_area"`
	AgreeHeadcount         int    `json:"agree_headcount"`
	ParticipatingArea      string `json:"participating_area"`
	ParticipatingHeadcount int    `json:"participating_headcount"`
	Passed                 bool   `json:"passed"`
}

// ElectionResult is the outcome of one committee election (rules.ElectionResult).
type ElectionResult struct {
	Title      string   `json:"title"`
	Seats      int      `json:"seats"`
	Elected    []string `json:"elected"`
	Runoff     []string `json:"runoff"`
	Alternates []string `json:"alternates"`
	// The runoff and alternate-tie figures of docs/rules.md "Election edges"; omitted when
	// zero so results stored before them keep their bytes.
	AlternatesPending  int                        `json:"alternates_pending,omitempty"`
	AlternateTie       []string                   `json:"alternate_tie,omitempty"`
	AlternateTiePlaces int                        `json:"alternate_tie_places,omitempty"`
	CommitteeFormed    bool                       `json:"committee_formed"`
	VacantSeats        int                        `json:"vacant_seats"`
	InvalidBallots     int                        `json:"invalid_ballots"`
	Rule               string                     `json:"rule"`
	RuleEN             string                     `json:"rule_en"`
	Candidates         map[string]CandidateResult `json:"candidates"`
}

// CandidateResult is one candidate's count.
type CandidateResult struct {
	Name           string `json:"name"`
	AgreeArea      string `json:"agree_area"`
	AgreeHeadcount int    `json:"agree_headcount"`
	Qualified      bool   `json:"qualified"`
	Rank           int    `json:"rank"`
}

// parsedChoices is one distinct canonical choices string, decoded once.
type parsedChoices struct {
	items     map[string]rules.Choice
	elections map[string][]string
}

// parseChoices decodes a canonical choices string.
func parseChoices(raw []byte) (parsedChoices, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return parsedChoices{}, fmt.Errorf("stored choices: %w", err)
	}
	pc := parsedChoices{}
	for k, v := range m {
		if len(v) > 0 && v[0] == '[' {
			var list []string
			if err := json.Unmarshal(v, &list); err != nil {
				return parsedChoices{}, fmt.Errorf("stored choices of %s: %w", k, err)
			}
			if pc.elections == nil {
				pc.elections = map[string][]string{}
			}
			pc.elections[k] = list
			continue
		}
		var c string
		if err := json.Unmarshal(v, &c); err != nil {
			return parsedChoices{}, fmt.Errorf("stored choice of %s: %w", k, err)
		}
		if pc.items == nil {
			pc.items = map[string]rules.Choice{}
		}
		pc.items[k] = rules.Choice(c)
	}
	return pc, nil
}

// counted is what count read from the ballots of a vote.
type counted struct {
	result  rules.TallyResult
	counted int
	voided  int
	digest  string
}

// count reads every ballot of the vote through db and tallies the live ones with
// the frozen totals (rules.Tally). Identical ballots share one decoded choice map,
// so 100,000 ballots decode only their distinct choice strings. The digest is the
// SHA-256 over all receipts in order, each marked counted or void.
func (s *Service) count(ctx context.Context, db *gorm.DB, v models.Vote, ag *agenda) (counted, error) {
	in := rules.TallyInput{Profile: rules.LegalProfile(v.LegalProfile), TotalArea: rules.Area(v.TotalArea),
		TotalHeadcount: v.TotalHeadcount, FollowMajority: v.FollowMajority}
	// The estate's size decides the legal minimum of a committee (docs/rules.md §5), counted
	// in units as when the agenda was validated.
	var households int64
	if err := db.WithContext(ctx).Model(&models.VoteVoterUnit{}).Where("vote_id = ?", v.ID).Count(&households).Error; err != nil {
		return counted{}, fmt.Errorf("counting units of vote %d: %w", v.ID, err)
	}
	prof := profileOf(v)
	for _, it := range ag.items {
		if !it.IsElection() {
			in.Items = append(in.Items, rules.ItemSpec{Key: it.Key, Matter: it.Matter})
			continue
		}
		spec := rules.ElectionSpec{Key: it.Key, Seats: it.Seats, Alternates: it.Alternates, MinMembers: minMembers(prof, v, households)}
		if it.ByElection {
			spec.MinMembers = 0
		}
		for _, c := range it.Candidates {
			spec.Candidates = append(spec.Candidates, c.Key)
		}
		in.Elections = append(in.Elections, spec)
	}

	type mark struct {
		receipt string
		voided  bool
	}
	marks := make([]mark, 0, v.TotalHeadcount)
	in.Ballots = make([]rules.CastBallot, 0, v.TotalHeadcount)
	decoded := map[string]parsedChoices{}
	var out counted
	err := models.EachTallyRow(ctx, db, v.ID, s.dialect.MySQL(), func(r models.TallyRow) error {
		marks = append(marks, mark{receipt: r.Receipt, voided: r.Voided})
		if r.Voided {
			out.voided++
			return nil
		}
		pc, ok := decoded[string(r.Choices)]
		if !ok {
			var err error
			if pc, err = parseChoices(r.Choices); err != nil {
				return err
			}
			decoded[string(r.Choices)] = pc
		}
		in.Ballots = append(in.Ballots, rules.CastBallot{Area: rules.Area(r.Area), Choices: pc.items, Elections: pc.elections})
		return nil
	})
	if err != nil {
		return counted{}, err
	}
	out.counted = len(in.Ballots)
	out.result = rules.Tally(in)

	slices.SortFunc(marks, func(a, b mark) int { return strings.Compare(a.receipt, b.receipt) })
	h := sha256.New()
	for _, m := range marks {
		state := " counted\n"
		if m.voided {
			state = " void\n"
		}
		h.Write([]byte(m.receipt))
		h.Write([]byte(state))
	}
	out.digest = hex.EncodeToString(h.Sum(nil))
	return out, nil
}

// resultDocument shapes the stored result of a vote.
func resultDocument(v models.Vote, ag *agenda, c counted, closedAt time.Time) Result {
	r := c.result
	doc := Result{VoteID: v.ID, Title: v.Title, LegalProfile: string(r.Profile), JurisdictionProfile: v.ProfileCode,
		JurisdictionVersion: v.ProfileVersion, QuorumMet: r.QuorumMet, QuorumRule: r.QuorumRule, QuorumRuleEN: r.QuorumRuleEN,
		TotalArea: r.Total.Area.String(), TotalHeadcount: r.Total.Headcount,
		ParticipatingArea: r.Participating.Area.String(), ParticipatingHeadcount: r.Participating.Headcount,
		Items: map[string]ItemResult{}, Elections: map[string]ElectionResult{}, ItemOrder: []string{},
		FollowMajority: v.FollowMajority, BallotsCounted: c.counted, BallotsVoided: c.voided, ReceiptsDigest: c.digest,
		ClosesAt: v.ClosesAt.UTC(), ClosedAt: closedAt.UTC()}
	for _, it := range ag.items {
		doc.ItemOrder = append(doc.ItemOrder, it.Key)
		if it.IsElection() {
			er := r.Elections[it.Key]
			out := ElectionResult{Title: it.Title, Seats: er.Seats, Elected: er.Elected, Runoff: er.Runoff, Alternates: er.Alternates,
				AlternatesPending: er.AlternatesPending, AlternateTie: er.AlternateTie, AlternateTiePlaces: er.AlternateTiePlaces,
				CommitteeFormed: er.CommitteeFormed, VacantSeats: er.VacantSeats, InvalidBallots: er.InvalidBallots,
				Rule: er.Rule, RuleEN: er.RuleEN, Candidates: map[string]CandidateResult{}}
			for _, cand := range it.Candidates {
				cr := er.Candidates[cand.Key]
				out.Candidates[cand.Key] = CandidateResult{Name: cand.Name, AgreeArea: cr.Agree.Area.String(),
					AgreeHeadcount: cr.Agree.Headcount, Qualified: cr.Qualified, Rank: cr.Rank}
			}
			doc.Elections[it.Key] = out
			continue
		}
		ir := r.Items[it.Key]
		out := ItemResult{Title: it.Title, Matter: string(ir.Matter), Class: string(ir.Class),
			AgreeArea: ir.Agree.Area.String(), AgreeHeadcount: ir.Agree.Headcount,
			OpposeArea: ir.Oppose.Area.String(), OpposeHeadcount: ir.Oppose.Headcount,
			AbstainArea: ir.Abstain.Area.String(), AbstainHeadcount: ir.Abstain.Headcount,
			Passed: ir.Passed, Rule: ir.Rule, RuleEN: ir.RuleEN, LegalBasis: ir.LegalBasis}
		if fm := ir.FollowMajority; fm != nil {
			out.FollowMajority = &FollowMajorityJSON{Applied: fm.Applied, NonVotersArea: fm.NonVoters.Area.String(),
				NonVotersHeadcount: fm.NonVoters.Headcount, AgreeArea: fm.Agree.Area.String(), AgreeHeadcount: fm.Agree.Headcount,
				ParticipatingArea: fm.Participating.Area.String(), ParticipatingHeadcount: fm.Participating.Headcount, Passed: fm.Passed}
		}
		doc.Items[it.Key] = out
	}
	return doc
}

// encodeResult is the stored JSON of a result and its SHA-256.
func encodeResult(doc Result) (string, string, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return "", "", fmt.Errorf("encoding result: %w", err)
	}
	sum := sha256.Sum256(b)
	return string(b), hex.EncodeToString(sum[:]), nil
}

// Close closes a vote whose closing time has passed and stores its tally, result
// document and hashes, in one transaction. It is idempotent and safe with several
// instances: a conditional UPDATE ... WHERE state = 'open' lets exactly one caller
// close the vote (the others get false). Nobody closes a vote early: before its
// closing time the answer is 409.
func (s *Service) Close(ctx context.Context, voteID int64) (bool, error) {
	v, err := models.FindVote(ctx, s.db, voteID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, ErrVoteNotFound()
	}
	if err != nil {
		return false, app.Internal(err)
	}
	if v.State != models.VoteOpen {
		return false, nil
	}
	if s.now().Before(v.ClosesAt) {
		return false, app.Fail(app.EConflict, "err.voting.a_vote_closes_by_itself_at_its_closing_time", showTime(v.ClosesAt))
	}
	closedNow := false
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		closedNow = false
		now := s.now()
		res := tx.Model(&models.Vote{}).Where("id = ? AND state = ?", v.ID, models.VoteOpen).
			Updates(map[string]any{"state": models.VoteClosed, "closed_at": now, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("closing vote %d: %w", v.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // another instance closed it
		}
		cur, err := models.FindVote(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		ag, err := s.agendaOf(ctx, tx, cur)
		if err != nil {
			return err
		}
		c, err := s.count(ctx, tx, cur, ag)
		if err != nil {
			return err
		}
		body, sum, err := encodeResult(resultDocument(cur, ag, c, now))
		if err != nil {
			return err
		}
		if err := tx.Model(&models.Vote{}).Where("id = ?", v.ID).Updates(map[string]any{
			"tally_json": body, "tally_sha256": sum, "receipts_digest": c.digest, "ballots_counted": c.counted}).Error; err != nil {
			return fmt.Errorf("storing tally of vote %d: %w", v.ID, err)
		}
		spec, err := s.voteSpec(ctx, tx, cur, ag)
		if err != nil {
			return err
		}
		specSum, err := spec.SpecSHA256()
		if err != nil {
			return fmt.Errorf("spec of vote %d: %w", v.ID, err)
		}
		if err := s.signClosingHead(ctx, tx, v.ID, now, specSum, sum); err != nil {
			return err
		}
		closedNow = true
		return audit.Record(ctx, tx, app.System(), audit.Entry{Action: "vote.close", TargetType: "vote", TargetID: v.ID, EstateID: v.EstateID,
			Detail: map[string]any{"ballots_counted": c.counted, "ballots_voided": c.voided, "tally_sha256": sum,
				"receipts_digest": c.digest, "quorum_met": c.result.QuorumMet}})
	})
	if err != nil {
		return false, app.AsErrorOrNil(err)
	}
	return closedNow, nil
}

// CloseDue closes every open vote whose closing time has passed and returns how
// many this call closed.
func (s *Service) CloseDue(ctx context.Context) (int, error) {
	open, err := models.OpenVotes(ctx, s.db)
	if err != nil {
		return 0, app.Internal(err)
	}
	now := s.now()
	n := 0
	var errs []error
	for _, v := range open {
		if now.Before(v.ClosesAt) {
			continue
		}
		closed, err := s.Close(ctx, v.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("vote %d: %w", v.ID, err))
			continue
		}
		if closed {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// Recount recomputes the tally of a closed vote from its ballots and tells whether it
// equals the stored result (same SHA-256), for auditors.
func (s *Service) Recount(ctx context.Context, p app.Principal, voteID int64) (Result, bool, error) {
	v, _, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return Result{}, false, err
	}
	if v.ClosedAt == nil || v.TallyJSON == nil {
		return Result{}, false, app.Fail(app.EConflict, "err.voting.the_vote_has_not_been_counted_yet")
	}
	ag, err := s.agendaOf(ctx, s.db, v)
	if err != nil {
		return Result{}, false, app.Internal(err)
	}
	c, err := s.count(ctx, s.db, v, ag)
	if err != nil {
		return Result{}, false, app.Internal(err)
	}
	doc := resultDocument(v, ag, c, *v.ClosedAt)
	_, sum, err := encodeResult(doc)
	if err != nil {
		return Result{}, false, app.Internal(err)
	}
	return doc, sum == v.TallySHA256, nil
}

// minMembers is the formed test's minimum number of members for an election of v:
// by households and, where the profile allows a smaller committee for a small
// estate (Shanghai), by the vote's total area. The count and the bundle's recount
// spec (logproofs.go) both read it.
func minMembers(prof rules.JurisdictionProfile, v models.Vote, households int64) int {
	return prof.MinCommitteeMembersFor(rules.EstateSize{Households: int(households), Area: rules.Area(v.TotalArea)})
}
