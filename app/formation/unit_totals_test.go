package formation_test

import (
	"fmt"
	"testing"

	"gongzhi/app/database/dbtest"
	"gongzhi/app/roster"
	"gongzhi/models"
)

// TestUnitTotalsKeptInStep: the per-estate unit totals the formation stages read
// (estate_unit_totals, migration 00043, kept by triggers on units) equal the sums of
// the unit rows, parking spaces excluded, after a roster import, staff corrections
// of area, delivery and parking, a re-import that replaces every unit, and on an
// estate that never had units.
func TestUnitTotalsKeptInStep(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		empty := f.newEstate("无房屋小区", "national")
		check := func(when string) {
			t.Helper()
			type sums struct {
				EstateID                 int64
				Units                    int
				TotalArea, DeliveredArea int64
			}
			var live []sums
			if err := db.Raw(`SELECT estate_id, COUNT(*) AS units, SUM(area) AS total_area,
				SUM(CASE WHEN delivered THEN area ELSE 0 END) AS delivered_area
				FROM units WHERE parking = ? GROUP BY estate_id`, false).Scan(&live).Error; err != nil {
				t.Fatal(err)
			}
			ids := []int64{empty}
			want := map[int64]string{}
			for _, s := range live {
				ids = append(ids, s.EstateID)
				want[s.EstateID] = fmt.Sprintf("%d units, %d, delivered %d", s.Units, s.TotalArea, s.DeliveredArea)
			}
			if len(live) == 0 {
				t.Fatalf("%s: no units at all", when)
			}
			got, err := models.DeliveryStats(f.ctx, db.DB, ids)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := got[empty]; ok {
				t.Errorf("%s: totals for an estate without units: %+v", when, got[empty])
			}
			for id, w := range want {
				g := got[id]
				if s := fmt.Sprintf("%d units, %d, delivered %d", g.Units, g.TotalArea, g.DeliveredArea); s != w {
					t.Errorf("%s: estate %d: totals %s, units sum to %s", when, id, s, w)
				}
			}
		}
		check("after the import")

		street := f.who("street")
		var us []models.Unit
		if err := db.Where("estate_id = ?", f.estate).Order("id").Limit(3).Find(&us).Error; err != nil || len(us) < 3 {
			t.Fatalf("units: %v %d", err, len(us))
		}
		edits := []roster.UnitEdit{
			{Area: "123.45", AreaSource: "surveyed", Delivered: true},
			{Area: "88.00", AreaSource: "registered", Delivered: false},
			{Area: "12.50", AreaSource: "registered", Delivered: true, Parking: true},
		}
		for i, e := range edits {
			f.must(f.set.Roster.UpdateUnit(f.ctx, street, f.estate, us[i].ID, e))
		}
		check("after the corrections")
		// Back from parking and undelivered to an ordinary delivered unit.
		f.must(f.set.Roster.UpdateUnit(f.ctx, street, f.estate, us[2].ID, roster.UnitEdit{Area: "70.00", AreaSource: "registered", Delivered: true}))
		f.must(f.set.Roster.UpdateUnit(f.ctx, street, f.estate, us[1].ID, roster.UnitEdit{Area: "88.00", AreaSource: "registered", Delivered: true}))
		check("after undoing them")

		f.importRoster(f.estate, "roster-medium.csv")
		check("after a re-import")
	})
}
