package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Area is an exclusive floor area in hundredths of a square metre (0.01 m²).
// All arithmetic on areas is integer arithmetic; decimals exist only at the edges.
type Area int64

// ErrAreaFormat reports an area that is not a non-negative decimal with at most two places.
var ErrAreaFormat = errors.New("area must be a number with at most two decimal places")

// ParseArea reads a decimal string such as "89.37", "90" or "90.5" into an Area.
// It rejects signs, exponents, more than two decimals and values that overflow.
func ParseArea(s string) (Area, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrAreaFormat
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && (frac == "" || len(frac) > 2)) {
		return 0, ErrAreaFormat
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, ErrAreaFormat
		}
	}
	if len(whole) > 13 {
		return 0, ErrAreaFormat
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrAreaFormat, err)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrAreaFormat, err)
	}
	return Area(w*100 + f), nil
}

// MustParseArea is ParseArea for constants in tests and seed data; it panics on bad input.
func MustParseArea(s string) Area {
	a, err := ParseArea(s)
	if err != nil {
		panic(fmt.Sprintf("rules.MustParseArea(%q): %v", s, err))
	}
	return a
}

// String renders the area with exactly two decimals, e.g. "2696.04".
func (a Area) String() string {
	sign := ""
	v := int64(a)
	if v < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Percent renders part/whole as a percentage with two decimals for display only
// (never for a decision), e.g. "66.67%". A zero whole renders "0.00%".
func Percent(part, whole int64) string {
	if whole == 0 {
		return "0.00%"
	}
	// round half up on the 1/10000 unit
	v := (part*100000/whole + 5) / 10
	return fmt.Sprintf("%d.%02d%%", v/100, v%100)
}
