package rules

// RoundPercent is num/den as a whole percentage rounded half up, in integers only:
// floor((200·num + den) / (2·den)). A zero denominator gives 0 (the page shows "—").
func RoundPercent(num, den int64) int64 {
	if den <= 0 || num < 0 {
		return 0
	}
	return (200*num + den) / (2 * den)
}

// MeetsTarget tells whether num/den reaches target percent exactly: 100·num ≥ target·den.
// No estates (den 0) meets no target.
func MeetsTarget(num, den, target int64) bool {
	if den <= 0 {
		return false
	}
	return 100*num >= target*den
}
