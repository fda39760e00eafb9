package pii

import (
	"fmt"
	"strings"
	"testing"
)

// hiddenPositions are the 0-based indexes of a normalised ID of n characters that a
// mask must never show: the identity check (the last 6 characters) and, for resident
// IDs, the birth date (characters 7-14 of 18, 7-12 of 15).
func hiddenPositions(n int) map[int]bool {
	hidden := map[int]bool{}
	for i := max(0, n-6); i < n; i++ {
		hidden[i] = true
	}
	switch n {
	case 18:
		for i := 6; i < 14; i++ {
			hidden[i] = true
		}
	case 15:
		for i := 6; i < 12; i++ {
			hidden[i] = true
		}
	}
	return hidden
}

// A mask never shows a character of the identity check (the last six) or of a resident
// ID's birth date: it is a prefix of the ID followed by stars, as long as the ID.
func TestMaskIDHidesCheckAndBirthDate(t *testing.T) {
	ids := []string{
		"520402195605129085", "42010619540208795X", " 42010619540208795x ", "110101199003074893",
		"110101199003078515", "91110000XBGQUWLD0R", "911100001000123456", "52040256051290",
		"520402560512908", "110101900307489", "E12345678", "G1234567", "P987654321", "K1234", "AB", "",
	}
	for i := 0; i < 200; i++ { // generated resident IDs: every region, date and check digit shape
		id := fmt.Sprintf("%06d%04d%02d%02d%03d", 110000+i*3917%880000, 1930+i%90, 1+i%12, 1+i%28, i*7%1000)
		ids = append(ids, id+string("0123456789X"[i%11]))
		ids = append(ids, id[:6]+id[8:]) // the 15-character form
	}
	for _, raw := range ids {
		id := []rune(NormalizeID(raw))
		got := []rune(MaskID(raw))
		if len(got) != len(id) {
			t.Errorf("MaskID(%q) = %q: %d characters, want %d", raw, string(got), len(got), len(id))
			continue
		}
		hidden := hiddenPositions(len(id))
		stars := false
		for i, r := range got {
			if hidden[i] && r != '*' {
				t.Errorf("MaskID(%q) = %q shows character %d (%c), part of the identity check or birth date", raw, string(got), i+1, r)
				break
			}
			if r == '*' {
				stars = true
			} else if stars || r != id[i] {
				t.Errorf("MaskID(%q) = %q is not a prefix of the ID followed by stars", raw, string(got))
				break
			}
		}
		if len(id) > 0 && !strings.HasSuffix(string(got), "*") {
			t.Errorf("MaskID(%q) = %q ends in clear", raw, string(got))
		}
	}
}
