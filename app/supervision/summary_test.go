package supervision_test

import (
	"testing"
	"time"

	"gongzhi/app/property"
	"gongzhi/app/supervision"
	"gongzhi/app/testkit"
	"gongzhi/models"
)

// summaryRows reads the complaint summary, keyed by estate and year.
func summaryRows(t *testing.T, e *testkit.Env) map[[2]int64]models.ComplaintSummary {
	t.Helper()
	var list []models.ComplaintSummary
	if err := e.DB.DB.Find(&list).Error; err != nil {
		t.Fatal(err)
	}
	out := map[[2]int64]models.ComplaintSummary{}
	for _, r := range list {
		if r != (models.ComplaintSummary{EstateID: r.EstateID, Year: r.Year}) { // all-zero rows are as good as none
			out[[2]int64{r.EstateID, int64(r.Year)}] = r
		}
	}
	return out
}

// TestComplaintSummaryKeptInStep drives complaints through the service (filed,
// answered late, resolved, resolved without an answer, reopened) and checks that the
// summary kept in step equals the one the backfill recomputes from the complaints, and
// that the rates read through the summary equal those read from every complaint
// (the path before the backfill), with the street office's figures worked out here.
func TestComplaintSummaryKeptInStep(t *testing.T) {
	testkit.Each(t, func(t *testing.T, e *testkit.Env) {
		tr := handTree(t, e) // 2026-06-15 10:00 Shanghai; a1 has a filed contract in force
		a1 := tr.Estate["a1"]
		ps := e.Svc.Property
		file := func(at time.Time, who string) int64 {
			t.Helper()
			id, err := ps.FileComplaint(e.Ctx, e.Admin, a1, property.NewComplaint{Complainant: who, ReceivedAt: at.Format(time.RFC3339),
				Source: "phone", Text: "漏水"})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		event := func(id int64, kind string, at time.Time) {
			t.Helper()
			if err := ps.AddEvent(e.Ctx, e.Admin, id, property.Event{Kind: kind, At: at.Format(time.RFC3339)}); err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
		}
		r := testkit.Shanghai(2026, 6, 8, 9, 0) // a Monday
		c1 := file(r, "13800000001")
		event(c1, property.EventResponded, r.Add(50*time.Minute)) // late
		event(c1, property.EventResolved, r.Add(30*time.Hour))    // met
		c2 := file(r, "13800000002")
		event(c2, property.EventResolved, r.Add(5*time.Hour)) // resolved, never answered: response missed
		c3 := file(r, "13800000003")
		event(c3, property.EventResponded, r.Add(5*time.Minute))
		event(c3, property.EventResolved, r.Add(6*time.Hour))
		event(c3, property.EventReopened, r.Add(24*time.Hour)) // a new cycle: both stages open again, then missed
		c4 := file(testkit.Shanghai(2026, 6, 15, 9, 50), "13800000004")
		event(c4, property.EventResponded, testkit.Shanghai(2026, 6, 15, 9, 55)) // met; resolve pending

		kept := summaryRows(t, e)
		if _, err := property.BuildComplaintSummary(e.Ctx, e.DB.DB, e.Svc.Calendar); err != nil {
			t.Fatal(err)
		}
		rebuilt := summaryRows(t, e)
		if len(kept) != len(rebuilt) {
			t.Fatalf("summary kept in step %v, rebuilt %v", kept, rebuilt)
		}
		for k, v := range rebuilt {
			if kept[k] != v {
				t.Errorf("estate %d year %d: kept %+v, rebuilt %+v", k[0], k[1], kept[k], v)
			}
		}
		// a1 in 2026 by hand: the hand tree's two (met/met; late/open) and c1 (late/met),
		// c2 (open/met), c3 (reopened: open/open), c4 (met/open).
		want := models.ComplaintSummary{EstateID: a1, Year: 2026, Received: 6, ResponseMet: 2, ResponseLate: 2, ResolveMet: 3}
		if got := rebuilt[[2]int64{a1, 2026}]; got != want {
			t.Errorf("a1 2026: %+v, want %+v", got, want)
		}

		street := e.Principal(t, "h9street")
		through, err := e.Svc.Supervision.Rates(e.Ctx, street, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		// Street office A: response decided = hand tree 2 + c1 late + c2 missed + c3 missed
		// (cycle 2 from 06-09 09:00) + c4 met = 6, met 1 + 1 = 2; resolve decided =
		// hand tree 2 (met, missed) + c1 met + c2 met + c3 missed (3 working days) = 5, met 3.
		want2 := func(c supervision.Cell, num, den int64) {
			t.Helper()
			if c.Rate.Num != num || c.Rate.Den != den {
				t.Errorf("%s: %d/%d, want %d/%d", c.Indicator, c.Rate.Num, c.Rate.Den, num, den)
			}
		}
		want2(through.Total.Cell(supervision.ComplaintsAccepted), 2, 6)
		want2(through.Total.Cell(supervision.ComplaintsOnTime), 3, 5)

		if err := e.DB.DB.Exec("UPDATE complaint_summary_state SET built = ? WHERE id = 1", false).Error; err != nil {
			t.Fatal(err)
		}
		scanned, err := e.Svc.Supervision.Rates(e.Ctx, street, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range append([]supervision.Row{through.Total}, through.Rows...) {
			other := scanned.Total
			if i > 0 {
				other = scanned.Rows[i-1]
			}
			for _, c := range row.Cells {
				if o := other.Cell(c.Indicator); o.Rate != c.Rate {
					t.Errorf("org %d %s: through the summary %v, from every complaint %v", row.OrgID, c.Indicator, c.Rate, o.Rate)
				}
			}
		}
	})
}
