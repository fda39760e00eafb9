package pdfdoc

import (
	"context"
	"fmt"
	"time"
	// The display zone must load on machines without a system zoneinfo database.
	_ "time/tzdata"
)

// displayZone is the zone every time is printed in (docs/rules.md §6).
const displayZone = "Asia/Shanghai"

// Renderer renders the platform's documents. It holds the embedded font (read once) and the
// display zone; it is immutable after NewRenderer and safe for concurrent use.
type Renderer struct {
	font     []byte
	coverage *glyphCoverage
	zone     *time.Location
}

// Meta is document metadata that is not part of the content. CreatedAt becomes the PDF's
// creation and modification date; with it fixed, equal input renders to identical bytes.
// A zero CreatedAt stamps the current time.
type Meta struct {
	CreatedAt time.Time
}

// NewRenderer reads the embedded font, checks that it has glyphs for digits, Latin letters and
// the documents' fixed text, and loads the Asia/Shanghai zone.
func NewRenderer() (*Renderer, error) {
	font, err := fontFiles.ReadFile(fontPath)
	if err != nil {
		return nil, fmt.Errorf("pdfdoc: read embedded font: %w", err)
	}
	coverage, err := parseCoverage(font)
	if err != nil {
		return nil, fmt.Errorf("pdfdoc: %s: %w", fontPath, err)
	}
	for _, r := range requiredRunes {
		if !coverage.has(r) {
			return nil, fmt.Errorf("pdfdoc: %s has no glyph for %q", fontPath, r)
		}
	}
	zone, err := time.LoadLocation(displayZone)
	if err != nil {
		return nil, fmt.Errorf("pdfdoc: load zone %s: %w", displayZone, err)
	}
	r := &Renderer{font: font, coverage: coverage, zone: zone}
	// Parse the font the way every document will, so a broken font fails here and not later.
	if _, err := r.newLayout(context.Background(), Meta{CreatedAt: time.Unix(0, 0)}, ""); err != nil {
		return nil, err
	}
	return r, nil
}

// MissingGlyphs returns, in order of first appearance, the characters of text that the font
// cannot print (it covers GB 2312: rarer name characters such as 喆 or 玥 are missing). The
// documents print such a character as 〓; callers can use this to warn before printing.
func (r *Renderer) MissingGlyphs(text string) []rune {
	var missing []rune
	seen := make(map[rune]bool)
	for _, c := range text {
		if c == '\n' || c == '\r' || c == '\t' || r.coverage.has(c) || seen[c] {
			continue
		}
		seen[c] = true
		missing = append(missing, c)
	}
	return missing
}
