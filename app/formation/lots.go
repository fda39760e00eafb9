package formation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// LotInput records a public lot that settles a tie across the last alternate place
// (docs/rules.md "Election edges"): the seed drawn in public (e.g. the numbers drawn before
// the witnesses), when and where, and who witnessed it.
type LotInput struct {
	Seed      string
	DrawnAt   *time.Time // nil means now
	Place     string
	Witnesses string
}

// LotView is a lot with its candidates and, once drawn, its order and winners by name.
type LotView struct {
	models.CommitteeLot
	Tied       []LotCandidateView
	OrderNames []string
	Winners    []string // names
}

// LotCandidateView is one tied candidate.
type LotCandidateView struct {
	Key            string
	Name           string
	Room           string
	AgreeHeadcount int
	AgreeAreaText  string
}

// lotView decodes a stored lot.
func lotView(l models.CommitteeLot) LotView {
	v := LotView{CommitteeLot: l}
	var list []lotCandidate
	_ = json.Unmarshal([]byte(l.Candidates), &list) // written by placeAlternates
	names := map[string]string{}
	for _, c := range list {
		names[c.Key] = c.Name
		v.Tied = append(v.Tied, LotCandidateView{Key: c.Key, Name: c.Name, Room: c.Room, AgreeHeadcount: c.AgreeHeadcount,
			AgreeAreaText: rules.Area(c.AgreeArea).String()})
	}
	decode := func(s *string) []string {
		var keys []string
		if s != nil {
			_ = json.Unmarshal([]byte(*s), &keys)
		}
		var out []string
		for _, k := range keys {
			out = append(out, names[k])
		}
		return out
	}
	v.OrderNames, v.Winners = decode(l.DrawnOrder), decode(l.Winners)
	return v
}

// DrawLot settles a pending alternate-place tie of the committee by a public lot. The
// order follows from the seed by rules.DrawLot, so anyone can repeat it from the record;
// the winners become alternates in the places the tie kept, the others are not seated.
// The seed, the order, who recorded it, when and where it was drawn and the witnesses are
// stored and audited. The seed and the witnesses are required; a lot already drawn is a
// conflict.
func (s *Service) DrawLot(ctx context.Context, p app.Principal, committeeID, lotID int64, in LotInput) (LotView, error) {
	c, e, _, err := s.committeeForChange(ctx, p, committeeID, actElection)
	if err != nil {
		return LotView{}, err
	}
	seed, err := text("seed", in.Seed, 1, 200, app.M("err.formation.label_draw_seed"))
	if err != nil {
		return LotView{}, err
	}
	witnesses, err := text("witnesses", in.Witnesses, 1, 1000, app.M("err.formation.label_witnesses"))
	if err != nil {
		return LotView{}, err
	}
	place, err := text("place", in.Place, 0, 200, app.M("err.formation.label_draw_place"))
	if err != nil {
		return LotView{}, err
	}
	now := s.clock()
	at := now
	if in.DrawnAt != nil {
		at = in.DrawnAt.UTC().Truncate(time.Second)
		if at.After(now) {
			return LotView{}, app.Invalid("drawn_at", app.M("err.formation.the_draw_cannot_lie_in_the_future"))
		}
	}
	var out LotView
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var l models.CommitteeLot
		found := tx.Where("id = ? AND committee_id = ?", lotID, c.ID).Limit(1).Find(&l)
		if found.Error != nil {
			return fmt.Errorf("reading lot %d: %w", lotID, found.Error)
		}
		if found.RowsAffected == 0 {
			return app.Fail(app.ENotFound, "err.formation.no_such_lot")
		}
		if l.Status != models.LotPending {
			return app.Fail(app.EConflict, "err.formation.this_tie_was_already_drawn")
		}
		var el models.CommitteeElection
		if err := tx.Where("id = ?", l.ElectionID).First(&el).Error; err != nil {
			return fmt.Errorf("reading election %d: %w", l.ElectionID, err)
		}
		var tied []lotCandidate
		if err := json.Unmarshal([]byte(l.Candidates), &tied); err != nil {
			return fmt.Errorf("lot %d candidates: %w", l.ID, err)
		}
		keys := make([]string, 0, len(tied))
		byKey := map[string]lotCandidate{}
		for _, t := range tied {
			keys = append(keys, t.Key)
			byKey[t.Key] = t
		}
		draw := rules.DrawLot(seed, keys, l.Places)
		var rows []models.CommitteeMember
		for i, k := range draw.Winners {
			t := byKey[k]
			rows = append(rows, memberRow(c.ID, el, k, person{candidateID: t.CandidateID, name: t.Name, room: t.Room, party: t.Party},
				models.RoleAlternate, l.InsertRank+i,
				rules.CandidateResult{Key: k, Agree: rules.Count{Headcount: t.AgreeHeadcount, Area: rules.Area(t.AgreeArea)}, Qualified: true}, now))
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return fmt.Errorf("seating the lot's winners: %w", err)
			}
		}
		order, _ := json.Marshal(draw.Order)
		winners, _ := json.Marshal(draw.Winners)
		upd := tx.Model(&models.CommitteeLot{}).Where("id = ? AND status = ?", l.ID, models.LotPending).Updates(map[string]any{
			"status": models.LotDrawn, "seed": seed, "method": draw.Method, "drawn_order": string(order), "winners": string(winners),
			"drawn_at": at, "drawn_by": p.Username, "place": place, "witnesses": witnesses, "updated_at": now})
		if upd.Error != nil {
			return fmt.Errorf("recording the draw: %w", upd.Error)
		}
		if upd.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.formation.this_tie_was_already_drawn")
		}
		if err := tx.Where("id = ?", l.ID).First(&l).Error; err != nil {
			return fmt.Errorf("reading lot %d: %w", l.ID, err)
		}
		out = lotView(l)
		return record(ctx, tx, p, e, "formation.committee.lot", "committee", c.ID, map[string]any{
			"lot_id": l.ID, "election_id": l.ElectionID, "places": l.Places, "tied": keys, "seed": seed,
			"order": draw.Order, "winners": draw.Winners, "drawn_at": at.Format(time.RFC3339), "place": place, "witnesses": witnesses})
	})
	return out, err
}

// tiedNames lists the names of the candidates of the pending lots.
func tiedNames(lots []LotView) []string {
	var out []string
	for _, l := range lots {
		if l.Status != models.LotPending {
			continue
		}
		for _, t := range l.Tied {
			if !slices.Contains(out, t.Name) {
				out = append(out, t.Name)
			}
		}
	}
	return out
}
