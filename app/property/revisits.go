package property

import (
	"context"
	"time"

	"gongzhi/app"
	"gongzhi/models"
)

// RevisitRow is one line of the revisit ledger (回访台账): a revisit of a resolved
// complaint, or a resolved complaint still waiting for its revisit (At nil). The
// complainant appears only as the stored mask.
type RevisitRow struct {
	ComplaintID     int64      `json:"complaint_id"`
	EstateID        int64      `json:"estate_id"`
	EstateName      string     `json:"estate_name"`
	CompanyName     string     `json:"company_name"`
	ComplainantMask string     `json:"complainant_masked"`
	Category        string     `json:"category"`
	Cycle           int        `json:"cycle"`
	ResolvedAt      *time.Time `json:"resolved_at"`
	At              *time.Time `json:"revisited_at"` // nil: not yet revisited in this cycle
	Note            string     `json:"note"`
	By              string     `json:"by"`
	Reopened        bool       `json:"reopened"` // the complaint was reopened after this revisit
}

// RevisitLedger is the revisit ledger of the estates p may see (estateID 0: all of them):
// every revisit, newest first, and the resolved complaints not yet revisited.
type RevisitLedger struct {
	Revisits []RevisitRow `json:"revisits"`
	Pending  []RevisitRow `json:"pending"`
}

// maxLedgerRows bounds the ledger's revisits (the newest are shown).
const maxLedgerRows = 2000

// Revisits is the revisit ledger (回访台账) of the complaints of the estates p may see.
func (s *Service) Revisits(ctx context.Context, p app.Principal, estateID int64) (RevisitLedger, error) {
	ids, by, err := s.visibleEstates(ctx, p)
	if err != nil {
		return RevisitLedger{}, err
	}
	if estateID != 0 {
		if _, ok := by[estateID]; !ok {
			return RevisitLedger{}, notFound("小区")
		}
		ids = []int64{estateID}
	}
	out := RevisitLedger{Revisits: []RevisitRow{}, Pending: []RevisitRow{}}
	if len(ids) == 0 {
		return out, nil
	}
	var events []models.ComplaintEvent
	if err := s.db.WithContext(ctx).Where("kind = ? AND complaint_id IN (SELECT id FROM complaints WHERE estate_id IN ?)", EventRevisited, ids).
		Order("at DESC, id DESC").Limit(maxLedgerRows).Find(&events).Error; err != nil {
		return out, app.Internal(err)
	}
	cids := map[int64]bool{}
	for _, e := range events {
		cids[e.ComplaintID] = true
	}
	var pending []models.Complaint
	if err := s.db.WithContext(ctx).Where("estate_id IN ? AND resolved_at IS NOT NULL", ids).
		Where("NOT EXISTS (SELECT 1 FROM complaint_events ev WHERE ev.complaint_id = complaints.id AND ev.kind = ? AND ev.cycle = complaints.cycle)", EventRevisited).
		Order("resolved_at, id").Limit(maxLedgerRows).Find(&pending).Error; err != nil {
		return out, app.Internal(err)
	}
	list := make([]int64, 0, len(cids))
	for id := range cids {
		list = append(list, id)
	}
	complaints := map[int64]models.Complaint{}
	if len(list) > 0 {
		var cs []models.Complaint
		if err := s.db.WithContext(ctx).Where("id IN ?", list).Find(&cs).Error; err != nil {
			return out, app.Internal(err)
		}
		for _, c := range cs {
			complaints[c.ID] = c
		}
	}
	names := map[int64]string{}
	company := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		if co, err := s.company(ctx, s.db, id, ""); err == nil {
			names[id] = co.Name
		}
		return names[id]
	}
	row := func(c models.Complaint) RevisitRow {
		return RevisitRow{ComplaintID: c.ID, EstateID: c.EstateID, EstateName: by[c.EstateID].Name, CompanyName: company(c.CompanyID),
			ComplainantMask: c.ComplainantMask, Category: c.Category, Cycle: c.Cycle, ResolvedAt: c.ResolvedAt}
	}
	for _, e := range events {
		c := complaints[e.ComplaintID]
		r := row(c)
		at := e.At
		r.At, r.Note, r.By, r.Cycle = &at, e.Note, e.CreatedByName, e.Cycle
		r.Reopened = c.Cycle > e.Cycle
		out.Revisits = append(out.Revisits, r)
	}
	for _, c := range pending {
		out.Pending = append(out.Pending, row(c))
	}
	return out, nil
}
