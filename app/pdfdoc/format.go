package pdfdoc

import (
	"strconv"
	"strings"
	"time"
)

// dateTimeLayout is how every instant is printed, e.g. "2026年11月21日 14:30".
const dateTimeLayout = "2006年1月2日 15:04"

// dateLayout prints a calendar day, e.g. "2026年11月21日".
const dateLayout = "2006年1月2日"

// formatTime prints t in the renderer's zone (Asia/Shanghai); a zero time prints as "—".
func formatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format(dateTimeLayout)
}

// formatDate prints the calendar day of t in loc; a zero time prints as "—".
func formatDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format(dateLayout)
}

// formatDeadline prints the end of a period. A period ends at 24:00 of its last day
// (Civil Code art. 203), which is stored as 00:00 of the next day; that instant is printed as
// "<last day> 24:00" so the reader sees the last day on which the act can still be done.
func formatDeadline(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	local := t.In(loc)
	if local.Hour() == 0 && local.Minute() == 0 && local.Second() == 0 && local.Nanosecond() == 0 {
		return local.AddDate(0, 0, -1).Format(dateLayout) + " 24:00"
	}
	return local.Format(dateTimeLayout)
}

// chineseNumeral writes n (1..999) in Chinese numerals as used for numbering sections:
// 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一, 105 → 一百零五. Other values fall back to digits.
func chineseNumeral(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n <= 0 || n > 999:
		return strconv.Itoa(n)
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + strings.TrimPrefix(digits[n%10], "零")
	case n < 100:
		s := digits[n/10] + "十"
		if n%10 != 0 {
			s += digits[n%10]
		}
		return s
	}
	s := digits[n/100] + "百"
	switch rest := n % 100; {
	case rest == 0:
	case rest < 10:
		s += "零" + digits[rest]
	case rest < 20:
		s += "一" + chineseNumeral(rest)
	default:
		s += chineseNumeral(rest)
	}
	return s
}

// joinNames lists names with the Chinese enumeration comma, or "无" when there are none.
func joinNames(names []string) string {
	if len(names) == 0 {
		return "无"
	}
	return strings.Join(names, "、")
}
