package calendar

import (
	"regexp"
	"strconv"
	"strings"

	"gongzhi/app"
	"gongzhi/app/rules"
)

// The web form takes a notice as text, the way it reads in the State Council's notice:
//
//	rest days, one span per line:  2027-02-06 至 2027-02-12   (also "~", "-" with spaces, "to", or one date)
//	make-up workdays:              2027-01-31, 2027-02-20     (separated by commas, spaces or lines)
var (
	spanSep  = regexp.MustCompile(`\s*(?:至|到|~|～|—|–|\s-\s|\bto\b)\s*|\s+`)
	daySeps  = regexp.MustCompile(`[\s,，、;；]+`)
	lineSeps = regexp.MustCompile(`\r?\n`)
)

// ParseYear reads a year typed in a form or a path ("2027").
func ParseYear(s string) (int, error) {
	y, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || y < MinYear || y > MaxYear {
		return 0, app.Invalid("year", app.M("err.calendar.the_year_must_be_a_whole_number_from_to", MinYear, MaxYear))
	}
	return y, nil
}

// ParseText reads the rest-day spans and make-up workdays of the web form into an
// Input; dates themselves are checked by Load.
func ParseText(basis, restDays, makeUpDays string) (Input, error) {
	in := Input{Basis: basis}
	for i, line := range lineSeps.Split(restDays, -1) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := spanSep.Split(line, -1)
		switch len(parts) {
		case 1:
			in.RestDays = append(in.RestDays, rules.HolidaySpan{From: parts[0], To: parts[0]})
		case 2:
			in.RestDays = append(in.RestDays, rules.HolidaySpan{From: parts[0], To: parts[1]})
		default:
			return Input{}, app.Invalid("rest_days", app.M("err.calendar.line_write_from_to", i+1))
		}
		if len(in.RestDays) > maxItems {
			break
		}
	}
	for _, d := range daySeps.Split(makeUpDays, -1) {
		if d = strings.TrimSpace(d); d != "" {
			in.MakeUpWorkdays = append(in.MakeUpWorkdays, d)
		}
	}
	return in, nil
}

// Text is the form text of a notice's spans and make-up workdays, as ParseText reads it.
func Text(n rules.HolidayNotice) (restDays, makeUpDays string) {
	lines := make([]string, len(n.RestDays))
	for i, sp := range n.RestDays {
		lines[i] = sp.From + " 至 " + sp.To
	}
	return strings.Join(lines, "\n"), strings.Join(n.MakeUpWorkdays, "\n")
}
