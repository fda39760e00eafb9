package pii

import "strings"

// maskKeep returns s with every rune except the first head and last tail
// replaced by '*'. The caller ensures head+tail < number of runes.
func maskKeep(runes []rune, head, tail int) string {
	var b strings.Builder
	b.Grow(len(runes) + 8)
	for i, r := range runes {
		if i < head || i >= len(runes)-tail {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// MaskID masks an ID number or credit code for display: the normalised value
// (see NormalizeID) keeps its first 4 and last 4 characters and every character
// between becomes '*', so "520402195605129085" shows as "5204**********9085".
// Values of 8 characters or fewer, which are not valid IDs, keep a quarter of
// their length at each end (rounded down), so nothing short is shown whole.
func MaskID(id string) string {
	runes := []rune(NormalizeID(id))
	n := len(runes)
	if n > 8 {
		return maskKeep(runes, 4, 4)
	}
	return maskKeep(runes, n/4, n/4)
}

// MaskPhone masks a telephone number for display: surrounding white space is
// removed, then numbers of 8 characters or more keep the first 3 and last 4
// ("17711029976" shows as "177****9976"); shorter ones keep only their last
// quarter (rounded down). The empty string stays empty.
func MaskPhone(p string) string {
	runes := []rune(strings.TrimSpace(p))
	n := len(runes)
	if n >= 8 {
		return maskKeep(runes, 3, 4)
	}
	return maskKeep(runes, 0, n/4)
}

// MaskName masks an owner's name for display, by its length in characters
// (runes) after trimming:
//
//   - 1: "*"
//   - 2: first character and one star ("李秀" → "李*")
//   - 3 or 4: first and last character, stars between ("王建国" → "王*国",
//     "欧阳娜娜" → "欧**娜")
//   - 5 or more (entity names, long or transliterated names): first two and last
//     two characters, stars between ("恒泰置业有限公司" → "恒泰****公司")
//
// The empty string stays empty. Names of entities are not personal
// information; callers that know the owner is an entity may show it in full.
func MaskName(n string) string {
	runes := []rune(strings.TrimSpace(n))
	switch l := len(runes); {
	case l == 0:
		return ""
	case l == 1:
		return "*"
	case l == 2:
		return maskKeep(runes, 1, 0)
	case l <= 4:
		return maskKeep(runes, 1, 1)
	default:
		return maskKeep(runes, 2, 2)
	}
}

// IDLast6 returns the last 6 characters of the normalised ID number
// (see NormalizeID), the answer an owner gives in the ballot identity check.
// A shorter value is returned whole.
func IDLast6(id string) string {
	runes := []rune(NormalizeID(id))
	if len(runes) <= 6 {
		return string(runes)
	}
	return string(runes[len(runes)-6:])
}
