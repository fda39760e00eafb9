package pdfdoc

import (
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
)

// fontFiles holds the embedded TrueType font. embed.FS is read-only, so the package keeps no
// mutable state; every Renderer reads its own copy of the bytes.
//
//go:embed fonts/gbsn00lp.ttf
var fontFiles embed.FS

const (
	// fontPath is the embedded font: AR PL SungtiL GB (Arphic Public License, see fonts/LICENSE).
	fontPath = "fonts/gbsn00lp.ttf"
	// fontFamily is the family name the font is registered under in every document.
	fontFamily = "gbsn"
	// missingGlyphMark replaces characters the font has no glyph for. U+3013 (〓, GETA MARK) is
	// the conventional CJK typesetting mark for a missing character; a glyph-less rune would
	// otherwise print as a blank.
	missingGlyphMark = '〓'
	// requiredRunes must all have glyphs: digits, Latin letters and the punctuation the
	// documents print. A CJK-only font fails this check instead of printing blanks.
	requiredRunes = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,:;%/-_()=?&#+@" +
		"　，。、；：（）《》“”—第页共通过未当选候补进入重新投票年月日至" + string(missingGlyphMark)
)

// errFontFormat reports a font file whose tables cannot be read.
var errFontFormat = errors.New("pdfdoc: unreadable TrueType font")

// glyphCoverage is the set of Unicode code points (up to U+FFFF) the font maps to a real glyph.
type glyphCoverage struct {
	bits [0x10000 / 64]uint64
}

// has reports whether r has a glyph.
func (c *glyphCoverage) has(r rune) bool {
	if r < 0 || r > 0xFFFF {
		return false
	}
	return c.bits[r/64]&(1<<(uint(r)%64)) != 0
}

func (c *glyphCoverage) add(r rune) {
	c.bits[r/64] |= 1 << (uint(r) % 64)
}

// parseCoverage reads the font's Windows Unicode cmap subtable (platform 3, encoding 1,
// format 4) and returns the code points it maps to a glyph other than .notdef. gofpdf reads
// the same subtable, so this is exactly the set that prints.
func parseCoverage(ttf []byte) (*glyphCoverage, error) {
	cmap, err := findTable(ttf, "cmap")
	if err != nil {
		return nil, err
	}
	if len(cmap) < 4 {
		return nil, fmt.Errorf("%w: short cmap table", errFontFormat)
	}
	count := int(binary.BigEndian.Uint16(cmap[2:]))
	if len(cmap) < 4+8*count {
		return nil, fmt.Errorf("%w: short cmap directory", errFontFormat)
	}
	for i := range count {
		rec := cmap[4+8*i:]
		platform, encoding := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:])
		offset := int(binary.BigEndian.Uint32(rec[4:]))
		if platform != 3 || encoding != 1 || offset+2 > len(cmap) {
			continue
		}
		if binary.BigEndian.Uint16(cmap[offset:]) == 4 {
			return parseCmapFormat4(cmap[offset:])
		}
	}
	return nil, fmt.Errorf("%w: no Windows Unicode (3,1) format 4 cmap", errFontFormat)
}

// findTable returns the bytes of the table with the given tag.
func findTable(ttf []byte, tag string) ([]byte, error) {
	if len(ttf) < 12 {
		return nil, fmt.Errorf("%w: short header", errFontFormat)
	}
	if v := binary.BigEndian.Uint32(ttf); v != 0x00010000 && v != 0x74727565 {
		return nil, fmt.Errorf("%w: not a TrueType outline font (version %#x)", errFontFormat, v)
	}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	if len(ttf) < 12+16*n {
		return nil, fmt.Errorf("%w: short table directory", errFontFormat)
	}
	for i := range n {
		rec := ttf[12+16*i:]
		if string(rec[:4]) != tag {
			continue
		}
		off, length := int(binary.BigEndian.Uint32(rec[8:])), int(binary.BigEndian.Uint32(rec[12:]))
		if off < 0 || length < 0 || off+length > len(ttf) {
			return nil, fmt.Errorf("%w: table %s out of bounds", errFontFormat, tag)
		}
		return ttf[off : off+length], nil
	}
	return nil, fmt.Errorf("%w: no %s table", errFontFormat, tag)
}

// parseCmapFormat4 walks the segments of a format 4 subtable.
func parseCmapFormat4(sub []byte) (*glyphCoverage, error) {
	if len(sub) < 14 {
		return nil, fmt.Errorf("%w: short cmap subtable", errFontFormat)
	}
	segCount := int(binary.BigEndian.Uint16(sub[6:])) / 2
	endAt := 14
	startAt := endAt + 2*segCount + 2
	deltaAt := startAt + 2*segCount
	rangeAt := deltaAt + 2*segCount
	if len(sub) < rangeAt+2*segCount {
		return nil, fmt.Errorf("%w: short cmap segments", errFontFormat)
	}
	u16 := func(at int) int { return int(binary.BigEndian.Uint16(sub[at:])) }
	cov := &glyphCoverage{}
	for s := range segCount {
		start, end := u16(startAt+2*s), u16(endAt+2*s)
		delta, rangeOffset := u16(deltaAt+2*s), u16(rangeAt+2*s)
		for c := start; c <= end && c != 0xFFFF; c++ {
			glyph := 0
			if rangeOffset == 0 {
				glyph = (c + delta) & 0xFFFF
			} else {
				at := rangeAt + 2*s + rangeOffset + 2*(c-start)
				if at+2 > len(sub) {
					return nil, fmt.Errorf("%w: cmap glyph index out of bounds", errFontFormat)
				}
				if g := u16(at); g != 0 {
					glyph = (g + delta) & 0xFFFF
				}
			}
			if glyph != 0 {
				cov.add(rune(c))
			}
		}
	}
	return cov, nil
}
