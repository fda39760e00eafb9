package rules

import "testing"

func TestRoundPercentHalfUp(t *testing.T) {
	for _, c := range []struct{ num, den, want int64 }{
		{0, 0, 0}, {0, 5, 0}, {1, 8, 13}, {1, 6, 17}, {1, 3, 33}, {2, 3, 67}, {1, 200, 1}, {1, 201, 0}, {9, 10, 90}, {5, 5, 100},
		{449, 1000, 45}, {4449, 10000, 44},
	} {
		if got := RoundPercent(c.num, c.den); got != c.want {
			t.Errorf("RoundPercent(%d, %d) = %d, want %d", c.num, c.den, got, c.want)
		}
	}
	if !MeetsTarget(9, 20, 45) || MeetsTarget(8, 20, 45) || MeetsTarget(0, 0, 0) || !MeetsTarget(1, 4, 25) {
		t.Error("MeetsTarget is not the exact comparison 100·num ≥ target·den")
	}
}
