package rules

import (
	"testing"
	"time"
)

func TestDeadlineText(t *testing.T) {
	sh := Shanghai()
	for _, c := range []struct {
		at     time.Time
		layout string
		want   string
	}{
		{time.Date(2026, 12, 15, 0, 0, 0, 0, sh), DayLayoutZH, "2026年12月14日 24:00"},
		{time.Date(2026, 12, 15, 0, 0, 0, 0, sh), DayLayoutEN, "2026-12-14 24:00"},
		{time.Date(2026, 12, 15, 9, 30, 0, 0, sh), DayLayoutZH, "2026年12月15日 09:30"},
		{time.Date(2026, 12, 14, 16, 0, 0, 0, time.UTC), DayLayoutZH, "2026年12月14日 24:00"},
		{time.Time{}, DayLayoutZH, "—"},
	} {
		if got := DeadlineText(c.at, c.layout); got != c.want {
			t.Errorf("DeadlineText(%v, %q) = %q, want %q", c.at, c.layout, got, c.want)
		}
	}
}
