package rosterfile

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"gongzhi/app"
	"io"
	"strings"
	"unicode/utf8"
)

// Bounds on what one roster file may hold. Every value that is stored ends up on
// the roster and register pages, in exports and in every voter's notice PDF, so a
// value is capped where it enters, not where it is printed.
const (
	// MaxNameRunes caps an owner's or a guardian's name, in characters: a person's
	// name, a transliterated minority name or a company's full registered name
	// (rarely over 40 characters) fits; the database column holds 191.
	MaxNameRunes = 64
	// MaxAddressRunes caps a building, unit or room, in characters ("12号楼",
	// "A座", "1502"); the database columns for unit and room hold 32.
	MaxAddressRunes = 32
	// MaxCodeRunes caps the other columns, in characters: the area (at most 15
	// significant digits), the ID number (18 characters, typed in groups with
	// spaces), the phone (11 digits with +86 and separators) and the yes/no and
	// kind columns, whose accepted values are a few characters long.
	MaxCodeRunes = 32
	// MaxRows is the most data rows (owner rows) a file may hold: well above
	// the largest estates (tens of thousands of owners), low enough that a file
	// is checked in seconds.
	MaxRows = 200_000
	// MaxColumns is the right-most column a file may use: room for every known
	// column besides the other columns property-management exports carry.
	MaxColumns = 256
	// MaxUnpackedXLSX bounds the total uncompressed size of a workbook's parts.
	// A 100,000-row roster unpacks to about 52 MB, so MaxRows rows fit with room
	// for cell formatting.
	MaxUnpackedXLSX = 200 << 20
	// MaxCompressionRatio bounds how much one part of a workbook may expand:
	// real worksheets compress about tenfold, a "zip bomb" a thousandfold.
	// Parts that unpack to less than ratioFloor are not held to it.
	MaxCompressionRatio = 100
	ratioFloor          = 1 << 20
	// maxZipEntries bounds the parts of a workbook (a roster has about ten).
	maxZipEntries = 10_000
)

// ErrTooLarge reports a workbook whose parts would unpack beyond
// MaxUnpackedXLSX, or expand more than MaxCompressionRatio times: refused before
// anything is unpacked.
var ErrTooLarge = errors.New("rosterfile: workbook unpacks too large")

// maxRunes is the cap of column c in characters.
func (c column) maxRunes() int {
	switch c {
	case colOwnerName, colGuardian:
		return MaxNameRunes
	case colBuilding, colUnit, colRoom:
		return MaxAddressRunes
	}
	return MaxCodeRunes
}

// text is the trimmed value of column c, or "" when the file lacks the column
// or the record is short. A value over the column's cap is recorded as an error
// (never quoted: it may be personal data, and it is long) and ok is false.
func (p *parser) text(line int, cells []string, c column) (string, bool) {
	s := p.cell(cells, c)
	limit := c.maxRunes()
	if len(s) <= limit { // at most as many runes as bytes
		return s, true
	}
	if n := utf8.RuneCountInString(s); n > limit {
		p.errs.add(line, c, app.M("err.rosterfile.too_long", c.title(), n, limit))
		return "", false
	}
	return s, true
}

// checkWidth records an error when a record has content right of MaxColumns.
func (p *parser) checkWidth(line int, cells []string) {
	if len(cells) <= MaxColumns {
		return
	}
	for i := len(cells) - 1; i >= MaxColumns; i-- {
		if strings.TrimSpace(cells[i]) != "" {
			p.errs.add(line, noColumn, app.M("err.rosterfile.too_many_columns", i+1, MaxColumns))
			return
		}
	}
}

// checkZip reads a workbook's central directory, without unpacking anything, and
// refuses it (ErrTooLarge) when its parts would unpack to more than
// MaxUnpackedXLSX in all, or one part expands more than MaxCompressionRatio
// times. The declared sizes can be trusted: archive/zip, which excelize reads
// through, fails a part that unpacks to more than it declares.
func checkZip(r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("%w: xlsx: %w", ErrUnreadable, err)
	}
	if len(zr.File) > maxZipEntries {
		return fmt.Errorf("%w: %d parts, at most %d", ErrTooLarge, len(zr.File), maxZipEntries)
	}
	var total uint64
	for _, f := range zr.File {
		u := f.UncompressedSize64
		if total += u; u > MaxUnpackedXLSX || total > MaxUnpackedXLSX {
			return fmt.Errorf("%w: more than %d bytes unpacked (part %q declares %d)", ErrTooLarge, MaxUnpackedXLSX, f.Name, u)
		}
		if u > ratioFloor && u/max(f.CompressedSize64, 1) > MaxCompressionRatio {
			return fmt.Errorf("%w: part %q expands %d times (%d to %d bytes), at most %d", ErrTooLarge, f.Name,
				u/max(f.CompressedSize64, 1), f.CompressedSize64, u, MaxCompressionRatio)
		}
	}
	return nil
}

// workbookBytes gives the workbook as a ReaderAt for checkZip and as a Reader for
// excelize, reading r into memory only when it cannot seek (a *bytes.Reader, as
// the import passes, is used in place).
func workbookBytes(r io.Reader) (io.ReaderAt, int64, io.Reader, error) {
	if rs, ok := r.(interface {
		io.ReaderAt
		io.ReadSeeker
	}); ok {
		start, err := rs.Seek(0, io.SeekCurrent)
		if err == nil {
			end, err := rs.Seek(0, io.SeekEnd)
			if err == nil {
				if _, err = rs.Seek(start, io.SeekStart); err == nil && start == 0 {
					return rs, end, rs, nil
				}
			}
		}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("rosterfile: read xlsx: %w", err)
	}
	br := bytes.NewReader(data)
	return br, int64(len(data)), br, nil
}
