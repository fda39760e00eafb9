package pii

import "strings"

// maskKeep returns s with every rune except the first head and last tail
// replaced by '*'. The caller ensures head+tail <= number of runes.
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
// (see NormalizeID) keeps at most its first 4 characters (a resident ID's province
// and city) and every character after them becomes '*', so "520402195605129085"
// shows as "5204**************" (as wide as the value). No mask shows any of the last
// 6 characters, the answer of the ballot identity check, nor a resident ID's birth
// date (characters 7-14 of 18, 7-12 of 15): a value of n characters keeps
// min(4, n-6) characters, so a passport "E12345678" shows as "E12******" and
// anything of 6 characters or fewer is all stars. The same rule holds for the
// unified social credit codes of entity owners, whose last 6 are their check too.
// Migration 00012 rewrote the masks stored before this rule with the same formula.
func MaskID(id string) string {
	runes := []rune(NormalizeID(id))
	return maskKeep(runes, maskIDHead(len(runes)), 0)
}

// maskIDHead is how many leading characters MaskID keeps of a normalised value of n
// characters: min(4, n-6), never negative.
func maskIDHead(n int) int { return max(0, min(4, n-6)) }

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
