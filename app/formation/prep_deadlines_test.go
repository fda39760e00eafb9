package formation_test

import (
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/formation"
)

// The preparatory-group deadlines run from the owners' application or the street office's
// decision (BJ 31, SH 15), never from today: looking again ten days later shows the same
// last days.
func TestPrepDeadlinesDoNotMoveWithToday(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street")
		before, err := f.svc.Status(f.ctx, street, f.estate)
		f.must(err)
		if !before.Due.Due {
			t.Fatalf("the demo estate is not due: %s", before.Due.Reason)
		}
		f.clock.Set(sh(2026, 3, 12, 10, 0))
		after, err := f.svc.Status(f.ctx, street, f.estate)
		f.must(err)
		if before.DecideByDay != after.DecideByDay || before.FormByDay != after.FormByDay {
			t.Errorf("deadlines moved with today: decide by %q → %q, form by %q → %q",
				before.DecideByDay, after.DecideByDay, before.FormByDay, after.FormByDay)
		}
	})
}

// Beijing: the decision within 30 days of the application, the group within 30 days of
// the decision (BJ 31); bad dates name their field and change nothing.
func TestPrepDeadlinesFromApplicationAndDecision(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street2")
		f.importRoster(f.other, "roster-small.csv")
		applied, decided := sh(2026, 2, 2, 9, 0), sh(2026, 2, 9, 15, 0)
		ae := wantCode(t, f.svc.RecordApplication(f.ctx, street, f.other, formation.ApplicationInput{AppliedAt: applied, DecidedAt: &[]time.Time{sh(2026, 1, 5, 9, 0)}[0]}), app.EInvalid)
		if fields := detailFields(ae); len(fields) != 1 || fields[0] != "decided_at" {
			t.Errorf("decision before the application: %v", fields)
		}
		wantCode(t, f.svc.RecordApplication(f.ctx, street, f.other, formation.ApplicationInput{AppliedAt: sh(2026, 4, 1, 9, 0)}), app.EInvalid)
		wantCode(t, f.svc.RecordApplication(f.ctx, f.who("street"), f.other, formation.ApplicationInput{AppliedAt: applied}), app.ENotFound)
		f.must(f.svc.RecordApplication(f.ctx, street, f.other, formation.ApplicationInput{AppliedAt: applied, DecidedAt: &decided}))
		st, err := f.svc.Status(f.ctx, street, f.other)
		f.must(err)
		// Mon Feb 2 + 30 = Wed Mar 4; Mon Feb 9 + 30 = Wed Mar 11.
		if st.DecideByDay != "2026-03-04" || st.FormByDay != "2026-03-11" || st.DecidedDay != "2026-02-09" || st.DecideOverdue {
			t.Errorf("beijing: decide by %s form by %s decided %s overdue %v", st.DecideByDay, st.FormByDay, st.DecidedDay, st.DecideOverdue)
		}
		f.clock.Set(sh(2026, 3, 12, 9, 0))
		st, err = f.svc.Status(f.ctx, street, f.other)
		f.must(err)
		if !st.FormOverdue || st.FormByDay != "2026-03-11" {
			t.Errorf("after the last day: form overdue %v by %s", st.FormOverdue, st.FormByDay)
		}
	})
}
