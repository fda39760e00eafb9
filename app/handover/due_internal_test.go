package handover

import (
	"context"
	"testing"
)

// The handover deadline counts under CC 201-203: a last day on a rest day moves to the
// next working day (2026 National Day holiday: 1-7 October, shipped notice).
func TestHandoverDueMovesOffRestDays(t *testing.T) {
	s := &Service{}
	for _, c := range []struct {
		ends string
		days int
		want string
	}{
		{"2026-06-03", 30, "2026-07-03"}, // a Friday
		{"2026-09-01", 30, "2026-10-08"}, // 1 October is a holiday
		{"2026-05-26", 10, "2026-06-05"},
	} {
		got, err := s.handoverDue(context.Background(), c.ends, c.days)
		if err != nil || got != c.want {
			t.Errorf("%s + %d: %s %v, want %s", c.ends, c.days, got, err, c.want)
		}
	}
}
