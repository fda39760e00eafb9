package rules

import "time"

// Day layouts for DeadlineText.
const (
	DayLayoutZH = "2006年1月2日"
	DayLayoutEN = "2006-01-02"
)

// DeadlineText prints the end of a period in Shanghai time with dayLayout for the day.
// A period ends at 24:00 of its last day (Civil Code art. 203), stored as 00:00 of the
// next day: that instant prints as "<last day> 24:00", so the reader sees the last day on
// which the act can still be done (the web, the board and the PDFs print it alike; issue
// 16). Any other instant prints as "<day> HH:MM"; a zero time as "—".
func DeadlineText(t time.Time, dayLayout string) string {
	if t.IsZero() {
		return "—"
	}
	local := t.In(Shanghai())
	if local.Hour() == 0 && local.Minute() == 0 && local.Second() == 0 && local.Nanosecond() == 0 {
		return local.AddDate(0, 0, -1).Format(dayLayout) + " 24:00"
	}
	return local.Format(dayLayout + " 15:04")
}
