package formation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// CandidateRef names the person behind a candidate key of a counted election item: a
// candidate of the estate (as SlateRefs gives them) or, for a vote not built from the
// slate, a name and room only (whose Party membership is then unknown and counted as not).
type CandidateRef struct {
	CandidateID int64
	Name        string
	Room        string
}

// CommitteeStatusLabel is the Chinese name of a committee status.
func CommitteeStatusLabel(status string) string {
	switch status {
	case models.CommitteeForming:
		return "未能足额选出（待决选或补选）"
	case models.CommitteeFormed:
		return "已选出，待备案"
	case models.CommitteeFiled:
		return "已备案"
	case models.CommitteeEnded:
		return "任期已结束"
	}
	return status
}

// MemberRoleLabel is the Chinese name of a committee member's role.
func MemberRoleLabel(role string) string {
	switch role {
	case models.RoleChair:
		return "主任"
	case models.RoleViceChair:
		return "副主任"
	case models.RoleMember:
		return "委员"
	case models.RoleAlternate:
		return "候补委员"
	}
	return role
}

// RecordElection is RecordElectionClosed for a vote that closed now, with the profile's
// longest term (a count recorded without its vote, as in tests).
func (s *Service) RecordElection(ctx context.Context, p app.Principal, estateID, voteID int64, itemKey string, res rules.ElectionResult,
	candidates map[string]CandidateRef) (int64, error) {
	return s.RecordElectionClosed(ctx, p, estateID, voteID, itemKey, RecordOptions{}, res, candidates)
}

// RecordOptions are the facts of a counted election besides its result.
type RecordOptions struct {
	// ClosedAt is when the election vote closed; zero means now, the future is refused.
	ClosedAt time.Time
	// TermYears is the term the rules of procedure set for the committee (SH 20, HZ 33:
	// 3-5 years); 0 means the profile's longest (TermYears). Checked by ValidateTerm; used
	// by a full election only (a runoff or by-election keeps the committee's term).
	TermYears int
}

// RecordElectionClosed records the committee from one counted election item of a vote
// that closed at opt.ClosedAt (rules.ElectionResult from rules.Tally): the elected in list
// order become members and the alternates, in rank order, alternate members (候补委员). It
// returns the committee's id.
//
// The item is one of three kinds. When the estate's committee awaits a runoff and every
// candidate of the item is among the tied, it is that runoff: its elected fill the vacant
// seats and its losers take the alternate places kept for them, ahead of the alternates
// carried from the first count (docs/rules.md "Election edges"). Otherwise, when the estate
// has a committee still forming, it is a by-election for its vacant seats; otherwise a full
// election starting the next term. The seats and alternates are checked against the profile
// (rules.ValidateElectionSeatsFor, rules.ValidateAlternates). The committee is formed when
// its members reach the profile's minimum and more than half the seats (HZ 27), a runoff
// pending or not; then the term (TermYears), the re-election start and the deadlines for the
// chair and the filing are set from closedAt, the vote's close (not the recording), and the
// previous term's committee ends. A tie across the last alternate place is recorded as a
// pending lot (DrawLot) and its places are kept. Recording the same vote item twice is a
// conflict.
func (s *Service) RecordElectionClosed(ctx context.Context, p app.Principal, estateID, voteID int64, itemKey string, opt RecordOptions,
	res rules.ElectionResult, candidates map[string]CandidateRef) (int64, error) {
	if err := access.RequireAny(p, access.PrepElection, access.ReelectionElection); err != nil {
		return 0, err // the role first; the group's kind is checked below
	}
	if voteID <= 0 {
		return 0, app.Invalid("vote_id", app.M("err.formation.vote_id_required"))
	}
	itemKey, err := text("item_key", itemKey, 1, 64, app.M("err.formation.label_item_key"))
	if err != nil {
		return 0, err
	}
	now := s.clock()
	closedAt := opt.ClosedAt
	if closedAt.IsZero() {
		closedAt = now
	}
	closedAt = closedAt.UTC().Truncate(time.Second)
	if closedAt.After(now) {
		return 0, app.Invalid("closed_at", app.M("err.formation.the_vote_has_not_closed_yet"))
	}
	groupKind := models.GroupKindPrep
	if open, err := models.OpenGroups(ctx, s.db, []int64{estateID}); err != nil {
		return 0, app.Internal(err)
	} else if g, ok := open[estateID]; ok {
		groupKind = g.Kind
	}
	e, prof, err := s.estateForChange(ctx, p, estateID, groupKind, actElection)
	if err != nil {
		return 0, err
	}
	termYears := opt.TermYears
	if termYears == 0 {
		termYears = prof.TermYears
	}
	if err := prof.ValidateTerm(termYears); err != nil {
		return 0, app.Invalid("term_years", app.MsgOf(err))
	}
	for _, list := range [][]string{res.Elected, res.Runoff, res.Alternates, res.AlternateTie} {
		for _, k := range list {
			ref, ok := candidates[k]
			if !ok || (ref.CandidateID == 0 && strings.TrimSpace(ref.Name) == "") {
				return 0, app.Invalid("candidates", app.M("err.formation.candidate_is_not_described", k))
			}
		}
	}
	deliveries, err := models.DeliveryStats(ctx, s.db, []int64{e.ID})
	if err != nil {
		return 0, app.Internal(err)
	}
	size := rules.EstateSize{Households: deliveries[e.ID].Units, Area: rules.Area(deliveries[e.ID].TotalArea)}
	var committeeID int64
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var seen int64
		if err := tx.Model(&models.CommitteeElection{}).Where("vote_id = ? AND item_key = ?", voteID, itemKey).Count(&seen).Error; err != nil {
			return fmt.Errorf("checking recorded elections: %w", err)
		}
		if seen > 0 {
			return app.Fail(app.EConflict, "err.formation.this_election_item_is_already_recorded")
		}
		c, kind, source, err := targetCommittee(ctx, tx, e.ID, res)
		if err != nil {
			return err
		}
		people, err := resolveRefs(tx, e.ID, candidates, res, kind == kindRunoff)
		if err != nil {
			return err
		}
		var members []models.CommitteeMember
		if kind != kindFull {
			if members, err = models.CommitteeMembers(ctx, tx, c.ID); err != nil {
				return err
			}
			vacant := c.Seats - countSeated(members)
			if err := rules.ValidateElectionSeatsFor(prof, res.Seats, 0, size, true, vacant); err != nil {
				return app.Invalid("seats", app.MsgOf(err))
			}
			if err := rules.ValidateAlternates(prof, len(res.Alternates), c.Seats); err != nil {
				return app.Invalid("alternates", app.MsgOf(err))
			}
		} else {
			if err := rules.ValidateElectionSeatsFor(prof, res.Seats, len(res.Alternates), size, false, 0); err != nil {
				return app.Invalid("seats", app.MsgOf(err))
			}
			open, err := models.OpenGroups(ctx, tx, []int64{e.ID})
			if err != nil {
				return err
			}
			c = models.Committee{EstateID: e.ID, Status: models.CommitteeForming, FormingEstateID: ptr(e.ID), Seats: res.Seats,
				MinMembers: prof.MinCommitteeMembersFor(size), AlternatesMax: prof.AlternatesCap(res.Seats), Households: size.Households,
				FirstElectedAt: closedAt, ProfileCode: prof.Code, ProfileVersion: prof.Version, CreatedAt: now, UpdatedAt: now}
			if g, ok := open[e.ID]; ok {
				c.GroupID = ptr(g.ID)
			}
			if err := tx.Create(&c).Error; err != nil {
				if database.IsDuplicate(err) {
					return app.Fail(app.EConflict, "err.formation.a_committee_is_already_forming")
				}
				return fmt.Errorf("creating committee: %w", err)
			}
		}
		electionKind := models.ElectionFull
		if kind != kindFull {
			electionKind = models.ElectionBy
		}
		el := models.CommitteeElection{CommitteeID: c.ID, EstateID: e.ID, VoteID: voteID, ItemKey: itemKey, Kind: electionKind, Seats: res.Seats,
			ElectedCount: len(res.Elected), AlternatesCount: len(res.Alternates), Runoff: strings.Join(res.Runoff, ","),
			VacantSeats: res.VacantSeats, CommitteeFormed: res.CommitteeFormed, InvalidBallots: res.InvalidBallots, Rule: res.Rule,
			RecordedBy: p.Username, RecordedAt: now, ClosedAt: &closedAt, AlternatesPending: res.AlternatesPending,
			AlternateTie: strings.Join(res.AlternateTie, ","), AlternateTiePlaces: res.AlternateTiePlaces}
		if err := tx.Create(&el).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.formation.this_election_item_is_already_recorded")
			}
			return fmt.Errorf("recording election: %w", err)
		}
		var rows []models.CommitteeMember
		for _, k := range res.Elected {
			rows = append(rows, memberRow(c.ID, el, k, people[k], models.RoleMember, res.Candidates[k].Rank, res.Candidates[k], now))
		}
		alts, lot, err := s.placeAlternates(ctx, tx, c, el, kind, source, res, people, now)
		if err != nil {
			return err
		}
		rows = append(rows, alts...)
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return fmt.Errorf("recording members: %w", err)
			}
		}
		if lot != nil {
			if err := tx.Create(lot).Error; err != nil {
				return fmt.Errorf("recording the alternate tie: %w", err)
			}
		}
		seated := countSeated(members) + len(res.Elected)
		wasFormed := c.Status == models.CommitteeFormed || c.Status == models.CommitteeFiled
		formed := !wasFormed && rules.CommitteeFormed(seated, c.MinMembers, c.Seats)
		var runoffNames []string
		for _, k := range res.Runoff {
			runoffNames = append(runoffNames, people[k].name)
		}
		updates := map[string]any{"runoff_pending": strings.Join(runoffNames, "\n"), "updated_at": now}
		if formed {
			termEnd := rules.TermEnd(closedAt, termYears)
			electBy, publishBy, fileBy := rules.ChairDeadlines(closedAt, prof)
			updates = map[string]any{"status": models.CommitteeFormed, "forming_estate_id": nil, "runoff_pending": strings.Join(runoffNames, "\n"),
				"formed_at": closedAt, "term_start": closedAt, "term_end": termEnd, "reelection_start": rules.ReelectionStart(termEnd, prof),
				"chair_elect_by": electBy, "officers_publish_by": publishBy, "filing_due": fileBy, "updated_at": now}
			if err := endPredecessors(tx, e.ID, c.ID, now); err != nil {
				return err
			}
		}
		if err := tx.Model(&models.Committee{}).Where("id = ?", c.ID).Updates(updates).Error; err != nil {
			return fmt.Errorf("updating committee: %w", err)
		}
		committeeID = c.ID
		detail := map[string]any{"vote_id": voteID, "item_key": itemKey, "kind": kind, "elected": len(res.Elected), "alternates": len(alts),
			"runoff": len(res.Runoff), "formed": formed || wasFormed, "closed_at": closedAt.Format(time.RFC3339),
			"profile": prof.Code + "@" + prof.Version}
		if lot != nil {
			detail["alternate_tie"] = res.AlternateTie
			detail["alternate_tie_places"] = lot.Places
		}
		return record(ctx, tx, p, e, "formation.committee.election", "committee", c.ID, detail)
	}))
	if err != nil {
		return 0, err
	}
	return committeeID, nil
}

// The kinds of item RecordElectionClosed tells apart.
const (
	kindFull   = "election"    // a full election: the next term
	kindBy     = "by_election" // a by-election for a forming committee's vacant seats
	kindRunoff = "runoff"      // the runoff among candidates tied across the last seat
)

// targetCommittee finds the committee an election item is recorded into and its kind: the
// committee awaiting a runoff among exactly these candidates (with the election whose tie
// it settles), else the forming committee (a by-election), else none (a full election).
func targetCommittee(ctx context.Context, tx *gorm.DB, estateID int64, res rules.ElectionResult) (models.Committee, string, *models.CommitteeElection, error) {
	var list []models.Committee
	if err := tx.WithContext(ctx).Where("estate_id = ? AND status <> ?", estateID, models.CommitteeEnded).Order("id DESC").Find(&list).Error; err != nil {
		return models.Committee{}, "", nil, fmt.Errorf("reading live committees: %w", err)
	}
	for _, c := range list {
		if c.RunoffPending == "" {
			continue
		}
		els, err := models.CommitteeElections(ctx, tx, c.ID)
		if err != nil {
			return c, "", nil, err
		}
		for i := len(els) - 1; i >= 0; i-- {
			if els[i].Runoff == "" {
				continue
			}
			tied := strings.Split(els[i].Runoff, ",")
			all := len(res.Candidates) > 0
			for k := range res.Candidates {
				if !slices.Contains(tied, k) {
					all = false
				}
			}
			if all {
				src := els[i]
				return c, kindRunoff, &src, nil
			}
			break
		}
	}
	for _, c := range list {
		if c.Status == models.CommitteeForming {
			return c, kindBy, nil, nil
		}
	}
	return models.Committee{}, kindFull, nil, nil
}

// lotCandidate is one candidate of a pending lot, as stored in CommitteeLot.Candidates.
type lotCandidate struct {
	Key            string `json:"key"`
	CandidateID    *int64 `json:"candidate_id,omitempty"`
	Name           string `json:"name"`
	Room           string `json:"room"`
	Party          bool   `json:"party"`
	AgreeHeadcount int    `json:"agree_headcount"`
	AgreeArea      int64  `json:"agree_area"`
}

// placeAlternates builds the alternate rows of a recorded item and the pending lot of a
// tie across the last alternate place. Ranks order the succession; the places of a pending
// runoff's losers and of a pending lot are kept (their ranks stay free until settled):
//   - a full election or by-election: the alternates after the places kept for its runoff's
//     losers (AlternatesPending), then the tie; a by-election's after the existing ones;
//   - a runoff: its losers take the places kept for them (ranks 1..AlternatesPending of the
//     election whose tie it settles): those qualified in the runoff in rank order, then a
//     tie among them, then the others by their agreeing headcount and area in the runoff.
//
// The committee's cap (AlternatesMax, -1 for none) bounds the places used.
func (s *Service) placeAlternates(ctx context.Context, tx *gorm.DB, c models.Committee, el models.CommitteeElection, kind string,
	source *models.CommitteeElection, res rules.ElectionResult, people map[string]person, now time.Time) ([]models.CommitteeMember, *models.CommitteeLot, error) {
	var rows []models.CommitteeMember
	var lot *models.CommitteeLot
	newLot := func(keys []string, places, at int) {
		var list []lotCandidate
		for _, k := range keys {
			who := people[k]
			cr := res.Candidates[k]
			list = append(list, lotCandidate{Key: k, CandidateID: who.candidateID, Name: who.name, Room: who.room, Party: who.party,
				AgreeHeadcount: cr.Agree.Headcount, AgreeArea: int64(cr.Agree.Area)})
		}
		data, _ := json.Marshal(list)
		lot = &models.CommitteeLot{CommitteeID: c.ID, ElectionID: el.ID, Places: places, InsertRank: at, Candidates: string(data),
			Status: models.LotPending, CreatedAt: now, UpdatedAt: now}
	}
	if kind == kindRunoff {
		places := source.AlternatesPending
		rank := 0
		for _, k := range res.Alternates {
			if rank >= places {
				break
			}
			rank++
			rows = append(rows, memberRow(c.ID, el, k, people[k], models.RoleAlternate, rank, res.Candidates[k], now))
		}
		if len(res.AlternateTie) > 0 && rank < places {
			n := min(res.AlternateTiePlaces, places-rank)
			newLot(res.AlternateTie, n, rank+1)
			rank += n
		}
		var rest []string
		for k := range res.Candidates {
			if !slices.Contains(res.Elected, k) && !slices.Contains(res.Alternates, k) && !slices.Contains(res.AlternateTie, k) {
				rest = append(rest, k)
			}
		}
		slices.SortFunc(rest, func(a, b string) int {
			ca, cb := res.Candidates[a].Agree, res.Candidates[b].Agree
			if ca.Headcount != cb.Headcount {
				return cb.Headcount - ca.Headcount
			}
			if ca.Area != cb.Area {
				return int(cb.Area - ca.Area)
			}
			return strings.Compare(a, b)
		})
		for _, k := range rest {
			if rank >= places {
				break
			}
			if who := people[k]; who.candidateID == nil && who.name == "" {
				continue // not described: cannot be seated
			}
			rank++
			rows = append(rows, memberRow(c.ID, el, k, people[k], models.RoleAlternate, rank, res.Candidates[k], now))
		}
		return rows, lot, nil
	}
	// After every alternate already held and every place already kept.
	base, used, err := alternatesHeld(ctx, tx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	capLeft := func() int {
		if c.AlternatesMax < 0 {
			return 1 << 30
		}
		return c.AlternatesMax - used
	}
	pending := min(res.AlternatesPending, max(capLeft(), 0))
	used += pending
	rank := base + pending
	for _, k := range res.Alternates {
		if capLeft() <= 0 {
			break
		}
		used++
		rank++
		rows = append(rows, memberRow(c.ID, el, k, people[k], models.RoleAlternate, rank, res.Candidates[k], now))
	}
	if len(res.AlternateTie) > 0 && capLeft() > 0 {
		n := min(res.AlternateTiePlaces, capLeft())
		newLot(res.AlternateTie, n, rank+1)
	}
	return rows, lot, nil
}

// alternatesHeld is the highest alternate rank in use (serving alternates and the places
// kept by pending lots) and the number of places in use.
func alternatesHeld(ctx context.Context, tx *gorm.DB, committeeID int64) (top, used int, err error) {
	members, err := models.CommitteeMembers(ctx, tx, committeeID)
	if err != nil {
		return 0, 0, err
	}
	for _, m := range members {
		if m.Role == models.RoleAlternate && m.Status == models.SeatServing {
			used++
			top = max(top, m.ElectionRank)
		}
	}
	lots, err := models.CommitteeLots(ctx, tx, committeeID)
	if err != nil {
		return 0, 0, err
	}
	for _, l := range lots {
		if l.Status == models.LotPending {
			used += l.Places
			top = max(top, l.InsertRank+l.Places-1)
		}
	}
	return top, used, nil
}

// person is who a candidate key stands for.
type person struct {
	candidateID *int64
	name, room  string
	party       bool
}

// resolveRefs looks up the candidates behind the result's keys; a candidate id must be a
// candidate of the estate.
func resolveRefs(tx *gorm.DB, estateID int64, refs map[string]CandidateRef, res rules.ElectionResult, everyCandidate bool) (map[string]person, error) {
	out := map[string]person{}
	keys := slices.Concat(res.Elected, res.Runoff, res.Alternates, res.AlternateTie)
	if everyCandidate {
		// A runoff's losers become alternates whether or not they qualified in it.
		for k := range res.Candidates {
			if _, ok := refs[k]; ok && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	for _, k := range keys {
		ref := refs[k]
		if ref.CandidateID == 0 {
			out[k] = person{name: strings.TrimSpace(ref.Name), room: strings.TrimSpace(ref.Room)}
			continue
		}
		var c models.Candidate
		if err := tx.Where("id = ? AND estate_id = ?", ref.CandidateID, estateID).First(&c).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, app.Invalid("candidates", app.M("err.formation.not_a_candidate_of_this_estate", k))
			}
			return nil, fmt.Errorf("reading candidate %d: %w", ref.CandidateID, err)
		}
		out[k] = person{candidateID: ptr(c.ID), name: c.Name, room: c.Room, party: PoliticalStatus(c.PoliticalStatus).PartyMember()}
	}
	return out, nil
}

func memberRow(committeeID int64, el models.CommitteeElection, key string, who person, role string, rank int, count rules.CandidateResult, now time.Time) models.CommitteeMember {
	return models.CommitteeMember{CommitteeID: committeeID, ElectionID: el.ID, VoteID: el.VoteID, CandidateID: who.candidateID, CandidateKey: key,
		Name: who.name, Room: who.room, Role: role, ElectionRank: rank, PartyMember: who.party, AgreeHeadcount: count.Agree.Headcount,
		AgreeArea: int64(count.Agree.Area), Status: models.SeatServing, StartAt: now, CreatedAt: now, UpdatedAt: now}
}

// countSeated counts the serving members who hold a seat (alternates do not).
func countSeated(members []models.CommitteeMember) int {
	n := 0
	for _, m := range members {
		if m.Status == models.SeatServing && m.Role != models.RoleAlternate {
			n++
		}
	}
	return n
}

// endPredecessors ends the estate's earlier committees when the next one is formed.
func endPredecessors(tx *gorm.DB, estateID, successorID int64, now time.Time) error {
	var old []models.Committee
	if err := tx.Where("estate_id = ? AND id <> ? AND status IN ?", estateID, successorID,
		[]string{models.CommitteeFormed, models.CommitteeFiled}).Find(&old).Error; err != nil {
		return fmt.Errorf("reading previous committees: %w", err)
	}
	for _, c := range old {
		if err := tx.Model(&models.Committee{}).Where("id = ?", c.ID).Updates(map[string]any{"status": models.CommitteeEnded,
			"ended_at": now, "ended_reason": fmt.Sprintf("换届选举产生新一届业主委员会（#%d）", successorID), "updated_at": now}).Error; err != nil {
			return fmt.Errorf("ending committee %d: %w", c.ID, err)
		}
		if err := tx.Model(&models.CommitteeMember{}).Where("committee_id = ? AND status = ?", c.ID, models.SeatServing).
			Updates(map[string]any{"status": models.SeatEnded, "end_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("ending members of committee %d: %w", c.ID, err)
		}
	}
	return nil
}

// committeeForChange loads a committee in the principal's jurisdiction.
func (s *Service) committeeForChange(ctx context.Context, p app.Principal, committeeID int64, act action) (models.Committee, models.EstateWithPath, rules.JurisdictionProfile, error) {
	c, err := models.FindCommittee(ctx, s.db, committeeID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, models.EstateWithPath{}, rules.JurisdictionProfile{}, app.Fail(app.ENotFound, "err.formation.no_such_committee")
	}
	if err != nil {
		return c, models.EstateWithPath{}, rules.JurisdictionProfile{}, app.Internal(err)
	}
	// A committee's own actions (officers, filing) are allowed by role alone, whatever
	// kind of group formed it.
	e, prof, err := s.estateForChange(ctx, p, c.EstateID, "", act)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			err = app.Fail(app.ENotFound, "err.formation.no_such_committee")
		}
		return c, e, prof, err
	}
	if p, ok := rules.ProfileByCode(c.ProfileCode); ok {
		prof = p
	}
	return c, e, prof, nil
}

// OfficersInput records the chair and vice-chairs the members elected.
type OfficersInput struct {
	ChairMemberID      int64
	ViceChairMemberIDs []int64
	ElectedAt          *time.Time // nil means now
}

// OfficersResult says whether the election of the officers was late.
type OfficersResult struct {
	Late     bool // after ChairElectDays from the committee's election (BJ 42: 7 days)
	Deadline time.Time
}

// SetOfficers records the chair and vice-chairs elected by the members (BJ 42). The chair
// and vice-chairs must be elected members; an alternate cannot hold office. An election
// after the deadline is recorded and flagged late. The names are due for publication
// ChairPublishDays after the chair election's date (ElectedAt), not after the recording.
func (s *Service) SetOfficers(ctx context.Context, p app.Principal, committeeID int64, in OfficersInput) (OfficersResult, error) {
	c, e, prof, err := s.committeeForChange(ctx, p, committeeID, actOfficers)
	if err != nil {
		return OfficersResult{}, err
	}
	if c.Status != models.CommitteeFormed && c.Status != models.CommitteeFiled {
		return OfficersResult{}, app.Fail(app.EConflict, "err.formation.the_committee_is_not_formed")
	}
	if in.ChairMemberID == 0 {
		return OfficersResult{}, app.Invalid("chair_member_id", app.M("err.formation.choose_the_chair"))
	}
	now := s.clock()
	at := now
	if in.ElectedAt != nil {
		at = in.ElectedAt.UTC().Truncate(time.Second)
		if rules.CalendarDaysBetween(now, at) > 0 || (c.FormedAt != nil && at.Before(*c.FormedAt)) {
			return OfficersResult{}, app.Invalid("elected_at", "选举时间须在业主委员会选出之后、今天之前")
		}
	}
	var res OfficersResult
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		members, err := models.CommitteeMembers(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		seated := map[int64]models.CommitteeMember{}
		for _, m := range members {
			if m.Status == models.SeatServing && m.Role != models.RoleAlternate {
				seated[m.ID] = m
			}
		}
		if _, ok := seated[in.ChairMemberID]; !ok {
			return app.Invalid("chair_member_id", app.M("err.formation.the_chair_must_be_an_elected_member"))
		}
		vice := map[int64]bool{}
		for _, id := range in.ViceChairMemberIDs {
			if _, ok := seated[id]; !ok || id == in.ChairMemberID || vice[id] {
				return app.Invalid("vice_chair_member_ids", app.M("err.formation.vice_chairs_are_other_elected_members"))
			}
			vice[id] = true
		}
		if err := tx.Model(&models.CommitteeMember{}).Where("committee_id = ? AND status = ? AND role <> ?", c.ID, models.SeatServing, models.RoleAlternate).
			Updates(map[string]any{"role": models.RoleMember, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("resetting roles: %w", err)
		}
		if err := tx.Model(&models.CommitteeMember{}).Where("id = ?", in.ChairMemberID).
			Updates(map[string]any{"role": models.RoleChair, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("setting chair: %w", err)
		}
		if len(in.ViceChairMemberIDs) > 0 {
			if err := tx.Model(&models.CommitteeMember{}).Where("id IN ?", in.ViceChairMemberIDs).
				Updates(map[string]any{"role": models.RoleViceChair, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("setting vice-chairs: %w", err)
			}
		}
		if err := tx.Model(&models.Committee{}).Where("id = ?", c.ID).
			Updates(map[string]any{"chair_elected_at": at, "officers_publish_by": rules.OfficersPublishBy(at, prof), "updated_at": now}).Error; err != nil {
			return fmt.Errorf("recording officers: %w", err)
		}
		if c.ChairElectBy != nil {
			res = OfficersResult{Late: !at.Before(*c.ChairElectBy), Deadline: *c.ChairElectBy}
		}
		return record(ctx, tx, p, e, "formation.committee.officers", "committee", c.ID, map[string]any{
			"chair_member_id": in.ChairMemberID, "vice_chair_member_ids": in.ViceChairMemberIDs, "late": res.Late})
	}))
	return res, err
}

// FilingInput records a filing (备案) received by the street office.
type FilingInput struct {
	Documents   []string   // the documents filed, one per entry
	ReferenceNo string     // the street office's filing number
	FiledAt     *time.Time // nil means now
	Note        string
}

// FilingResult says whether the filing was late.
type FilingResult struct {
	Kind     string
	Overdue  bool // after FilingDays from the committee's election (REG 16: 30 days)
	Deadline time.Time
}

// FileCommittee records the committee's filing with the street office (REG 16). The
// first filing of a formed committee, whose officers must have been elected, makes it
// filed and dissolves the group that organised its election (SH 16, BJ 43); later
// filings record changes. A filing after the deadline is recorded and flagged.
func (s *Service) FileCommittee(ctx context.Context, p app.Principal, committeeID int64, in FilingInput) (FilingResult, error) {
	c, e, _, err := s.committeeForChange(ctx, p, committeeID, actFiling)
	if err != nil {
		return FilingResult{}, err
	}
	if c.Status != models.CommitteeFormed && c.Status != models.CommitteeFiled {
		return FilingResult{}, app.Fail(app.EConflict, "err.formation.the_committee_is_not_formed_2")
	}
	if c.ChairElectedAt == nil {
		return FilingResult{}, app.Fail(app.EConflict, "err.formation.record_the_officers_first")
	}
	var docs []string
	for _, d := range in.Documents {
		if d = strings.TrimSpace(d); d != "" {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return FilingResult{}, app.Invalid("documents", app.M("err.formation.list_the_documents_filed"))
	}
	joined, err := text("documents", strings.Join(docs, "\n"), 1, 2000, app.M("err.formation.label_filing_documents"))
	if err != nil {
		return FilingResult{}, err
	}
	ref, err := text("reference_no", in.ReferenceNo, 0, 100, app.M("err.formation.label_reference_no"))
	if err != nil {
		return FilingResult{}, err
	}
	note, err := text("note", in.Note, 0, 500, app.M("err.formation.label_note"))
	if err != nil {
		return FilingResult{}, err
	}
	now := s.clock()
	filedAt := now
	if in.FiledAt != nil {
		filedAt = in.FiledAt.UTC().Truncate(time.Second)
		if rules.CalendarDaysBetween(now, filedAt) > 0 || (c.FormedAt != nil && filedAt.Before(*c.FormedAt)) {
			return FilingResult{}, app.Invalid("filed_at", "备案时间须在业主委员会选出之后、今天之前")
		}
	}
	res := FilingResult{Kind: models.FilingChange}
	if c.Status == models.CommitteeFormed {
		res.Kind = models.FilingFormation
		if c.FilingDue != nil {
			res.Deadline = *c.FilingDue
			res.Overdue = !filedAt.Before(*c.FilingDue)
		}
	}
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		f := models.CommitteeFiling{CommitteeID: c.ID, Kind: res.Kind, Documents: joined, ReferenceNo: ref, FiledAt: filedAt,
			Overdue: res.Overdue, Note: note, RecordedBy: p.Username, CreatedAt: now}
		if err := tx.Create(&f).Error; err != nil {
			return fmt.Errorf("recording filing: %w", err)
		}
		if res.Kind == models.FilingFormation {
			upd := tx.Model(&models.Committee{}).Where("id = ? AND status = ?", c.ID, models.CommitteeFormed).
				Updates(map[string]any{"status": models.CommitteeFiled, "filed_at": filedAt, "updated_at": now})
			if upd.Error != nil {
				return fmt.Errorf("marking committee filed: %w", upd.Error)
			}
			if upd.RowsAffected == 0 {
				return app.Fail(app.EConflict, "err.formation.already_filed")
			}
			open, err := models.OpenGroups(ctx, tx, []int64{e.ID})
			if err != nil {
				return err
			}
			// The transitional body, if any, ends with the filing of a committee.
			if _, err := endTransitional(tx, e.ID, fmt.Sprintf("业主委员会（#%d）已备案", c.ID), ptr(c.ID), now); err != nil {
				return err
			}
			// Only the group that organised this committee's election dissolves: an earlier
			// committee filing late must not end its successor's re-election group.
			if g, ok := open[e.ID]; ok && c.GroupID != nil && *c.GroupID == g.ID {
				if err := dissolve(tx, g.ID, "业主委员会已备案，"+KindLabel(g.Kind)+"解散", now); err != nil {
					return err
				}
			}
		}
		return record(ctx, tx, p, e, "formation.committee.filing", "committee", c.ID, map[string]any{
			"kind": res.Kind, "overdue": res.Overdue, "documents": len(docs)})
	}))
	return res, err
}

// CommitteeMemberView is a member with labels.
type CommitteeMemberView struct {
	models.CommitteeMember
	RoleLabel     string
	AgreeAreaText string // the agreeing area in m², two decimals
}

// FilingView is a filing with its documents split.
type FilingView struct {
	models.CommitteeFiling
	DocumentList []string
}

// CommitteeView is everything about one committee.
type CommitteeView struct {
	models.Committee
	StatusLabel      string
	Profile          rules.JurisdictionProfile
	Members          []CommitteeMemberView // elected members holding a seat
	Alternates       []CommitteeMemberView // in order of succession
	Former           []CommitteeMemberView // whose service ended
	Elections        []models.CommitteeElection
	Filings          []FilingView
	Ratio            rules.PartyRatio
	VacantSeats      int
	ByElectionNeeded bool     // forming, no runoff pending: a by-election fills the vacant seats
	RunoffPending    []string // the tied candidates awaiting a runoff
	// AlternatesPending is the alternate places kept for the losers of the pending runoff.
	AlternatesPending int
	// Lots are the ties across the last alternate place, pending or drawn; AlternateTie
	// names the candidates of the pending ones.
	Lots          []LotView
	AlternateTie  []string
	ChairOverdue  bool
	FilingOverdue bool
	ReelectionDue bool
	// The dates in Asia/Shanghai: the last days of the term and of the deadlines, and the
	// day the re-election starts; empty while unknown.
	TermEndDay         string
	ReelectionStartDay string
	ChairElectByDay    string
	PublishByDay       string
	FilingDueDay       string
}

// Committee loads a committee in the principal's jurisdiction.
func (s *Service) Committee(ctx context.Context, p app.Principal, committeeID int64) (CommitteeView, error) {
	c, err := models.FindCommittee(ctx, s.db, committeeID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return CommitteeView{}, app.Fail(app.ENotFound, "err.formation.no_such_committee")
	}
	if err != nil {
		return CommitteeView{}, app.Internal(err)
	}
	if _, err := s.orgs.Estate(ctx, p, c.EstateID); err != nil {
		return CommitteeView{}, outOfSight(err, app.Fail(app.ENotFound, "err.formation.no_such_committee"))
	}
	return s.committeeView(ctx, c)
}

// committeeView assembles a committee's view.
func (s *Service) committeeView(ctx context.Context, c models.Committee) (CommitteeView, error) {
	now := s.clock()
	prof, _ := rules.ProfileByCode(c.ProfileCode)
	v := CommitteeView{Committee: c, StatusLabel: CommitteeStatusLabel(c.Status), Profile: prof}
	members, err := models.CommitteeMembers(ctx, s.db, c.ID)
	if err != nil {
		return v, app.Internal(err)
	}
	var ratioInput []rules.PartyMember
	for _, m := range members {
		mv := CommitteeMemberView{CommitteeMember: m, RoleLabel: MemberRoleLabel(m.Role), AgreeAreaText: rules.Area(m.AgreeArea).String()}
		switch {
		case m.Status != models.SeatServing:
			v.Former = append(v.Former, mv)
		case m.Role == models.RoleAlternate:
			v.Alternates = append(v.Alternates, mv)
		default:
			v.Members = append(v.Members, mv)
			ratioInput = append(ratioInput, rules.PartyMember{Key: m.CandidateKey, IsParty: m.PartyMember, IsChair: m.Role == models.RoleChair})
		}
	}
	v.Ratio = rules.ComputePartyRatio(ratioInput, prof.PartyRatioTargetPercent)
	if v.Elections, err = models.CommitteeElections(ctx, s.db, c.ID); err != nil {
		return v, app.Internal(err)
	}
	filings, err := models.CommitteeFilings(ctx, s.db, c.ID)
	if err != nil {
		return v, app.Internal(err)
	}
	for _, f := range filings {
		v.Filings = append(v.Filings, FilingView{CommitteeFiling: f, DocumentList: strings.Split(f.Documents, "\n")})
	}
	v.VacantSeats = max(c.Seats-len(v.Members), 0)
	if c.RunoffPending != "" {
		v.RunoffPending = strings.Split(c.RunoffPending, "\n")
		for i := len(v.Elections) - 1; i >= 0; i-- {
			if v.Elections[i].Runoff != "" {
				v.AlternatesPending = v.Elections[i].AlternatesPending
				break
			}
		}
	}
	lots, err := models.CommitteeLots(ctx, s.db, c.ID)
	if err != nil {
		return v, app.Internal(err)
	}
	for _, l := range lots {
		v.Lots = append(v.Lots, lotView(l))
	}
	v.AlternateTie = tiedNames(v.Lots)
	v.ByElectionNeeded = c.Status == models.CommitteeForming && c.RunoffPending == ""
	v.ChairOverdue = c.ChairElectedAt == nil && c.ChairElectBy != nil && c.Status != models.CommitteeEnded && !now.Before(*c.ChairElectBy)
	v.FilingOverdue = c.FiledAt == nil && c.FilingDue != nil && c.Status == models.CommitteeFormed && !now.Before(*c.FilingDue)
	lastOf := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return lastDay(*t)
	}
	v.TermEndDay, v.ChairElectByDay, v.PublishByDay, v.FilingDueDay = lastOf(c.TermEnd), lastOf(c.ChairElectBy), lastOf(c.OfficersPublishBy), lastOf(c.FilingDue)
	if c.ReelectionStart != nil {
		v.ReelectionStartDay = day(*c.ReelectionStart)
	}
	v.ReelectionDue = c.ReelectionStart != nil && (c.Status == models.CommitteeFormed || c.Status == models.CommitteeFiled) && !now.Before(*c.ReelectionStart)
	return v, nil
}
