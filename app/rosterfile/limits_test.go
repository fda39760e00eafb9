package rosterfile

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestFieldCaps: every column holds at most its cap in characters (not bytes); one
// character more is an error naming the line and the column, stating the cap and never
// quoting the value, and the value takes part in no other check.
func TestFieldCaps(t *testing.T) {
	const header = "building,unit,room,area,area_source,owner_name,id_number,phone,owner_kind,representative,delivered,parking,guardian\n"
	base := map[column]string{colBuilding: "1", colUnit: "1", colRoom: "101", colArea: "89.37", colAreaSource: "registered",
		colOwnerName: "王建国", colIDNumber: idA, colPhone: "17711029976", colOwnerKind: "person", colRepresentative: "1",
		colDelivered: "1", colParking: "0", colGuardian: ""}
	line := func(over column, value string) string {
		cells := make([]string, 0, numColumns)
		for c := column(0); c < numColumns; c++ {
			v := base[c]
			if c == over {
				v = value
			}
			cells = append(cells, v)
		}
		return header + strings.Join(cells, ",") + "\n"
	}
	for c := column(0); c < numColumns; c++ {
		t.Run(c.name(), func(t *testing.T) {
			limit := c.maxRunes()
			// At the cap in Chinese characters (three bytes each) the value is not
			// refused for its length: other checks may still refuse it.
			_, pe := parseCSVString(t, line(c, strings.Repeat("楼", limit)))
			if pe != nil {
				for _, e := range pe.Errors {
					if strings.Contains(zh(e.Msg), "过长") {
						t.Errorf("%d characters refused for length: %+v", limit, e)
					}
				}
			}
			secret := strings.Repeat("7", limit+1)
			_, pe = parseCSVString(t, line(c, secret))
			if pe == nil || pe.Total != 1 {
				t.Fatalf("%d characters: %+v, want exactly one error", limit+1, pe)
			}
			e := pe.Errors[0]
			if e.Line != 2 || e.Column != c.name() || !strings.Contains(zh(e.Msg), fmt.Sprintf("最多 %d 个", limit)) {
				t.Errorf("error %+v, want line 2, column %s, cap %d", e, c.name(), limit)
			}
			if strings.Contains(zh(e.Msg), secret[:limit/2]) {
				t.Errorf("the message quotes the value: %q", zh(e.Msg))
			}
		})
	}
}

// TestMaxRows: a file with more than MaxRows data rows is refused at the first row
// past the cap, which is not read further; blank rows do not count.
func TestMaxRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("building,room,area,owner_name,id_number\n\n")
	for i := 0; i <= MaxRows; i++ { // one owner of many rooms: valid rows
		fmt.Fprintf(&b, "1,%d,1,甲,%s\n", i, idA)
	}
	b.WriteString("1,101,1,甲,bad\n")
	_, pe := parseCSVString(t, b.String())
	if pe == nil {
		t.Fatal("accepted")
	}
	last := MaxRows + 3 // header, a blank line, MaxRows rows
	var found bool
	for _, e := range pe.Errors {
		if e.Line == last && e.Column == "" && strings.Contains(zh(e.Msg), fmt.Sprint(MaxRows)) {
			found = true
		}
		if e.Line > last {
			t.Errorf("a line past the cap was read: %+v", e)
		}
	}
	if !found {
		t.Errorf("no error at line %d about the row cap among %d errors", last, pe.Total)
	}
}

// TestMaxColumns: content right of MaxColumns is an error naming the line.
func TestMaxColumns(t *testing.T) {
	wide := "1,101,89.37,王建国," + idA + strings.Repeat(",", MaxColumns-5) + ",x\n"
	_, pe := parseCSVString(t, "building,room,area,owner_name,id_number\n"+wide)
	if pe == nil || pe.Errors[0].Line != 2 || !strings.Contains(zh(pe.Errors[0].Msg), fmt.Sprint(MaxColumns+1)) {
		t.Errorf("content in column %d: %+v", MaxColumns+1, pe)
	}
	// Empty cells beyond it, as spreadsheets export formatted columns, are fine.
	rows, pe := parseCSVString(t, "building,room,area,owner_name,id_number\n1,101,89.37,王建国,"+idA+strings.Repeat(",", 2*MaxColumns)+"\n")
	if pe != nil || len(rows) != 1 {
		t.Errorf("trailing empty cells: %+v", pe)
	}
}

// zipWith builds a zip archive of the given raw (already deflated) entries, declaring
// the sizes given: a test can forge any central directory without packing megabytes.
func zipWith(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CompressedSize64: uint64(len(e.raw)),
			UncompressedSize64: e.declared, CRC32: e.crc})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zipEntry struct {
	name     string
	raw      []byte
	declared uint64
	crc      uint32
}

// deflated is n zero bytes, deflated.
func deflated(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestZipBombs: workbooks whose parts would unpack past MaxUnpackedXLSX in all, or
// expand more than MaxCompressionRatio times, are refused with ErrTooLarge from the
// central directory alone; one that lies about its sizes fails as unreadable.
func TestZipBombs(t *testing.T) {
	junk := bytes.Repeat([]byte{0x5a}, 2<<20)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"ratio", zipWith(t, zipEntry{name: "xl/worksheets/sheet1.xml", raw: deflated(t, 64<<20), declared: 64 << 20}), ErrTooLarge},
		{"total", zipWith(t,
			zipEntry{name: "xl/worksheets/sheet1.xml", raw: junk, declared: MaxUnpackedXLSX / 2},
			zipEntry{name: "xl/sharedStrings.xml", raw: junk, declared: MaxUnpackedXLSX/2 + 1}), ErrTooLarge},
		{"one part", zipWith(t, zipEntry{name: "xl/worksheets/sheet1.xml", raw: append(junk, junk...), declared: MaxUnpackedXLSX + 1}), ErrTooLarge},
		// Declares 1 KiB, unpacks to 16 MiB: archive/zip stops at the declared size.
		{"lying sizes", zipWith(t, zipEntry{name: "xl/worksheets/sheet1.xml", raw: deflated(t, 16<<20), declared: 1 << 10}), ErrUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(tt.data), "bomb.xlsx")
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse: %v, want %v", err, tt.want)
			}
			// The same through a reader that cannot seek.
			_, err = Parse(struct{ *bytes.Buffer }{bytes.NewBuffer(tt.data)}, "bomb.xlsx")
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse from a stream: %v, want %v", err, tt.want)
			}
		})
	}
	// A real workbook passes the check, read from the start or not.
	small := writeXLSX(t, readRecords(t, fixture(t, "roster-small.csv")), spreadsheetLike)
	if rows := mustParse(t, small, "roster.xlsx"); len(rows) != 27 {
		t.Errorf("%d rows from the small workbook", len(rows))
	}
}

// TestParseContextStops: a done context stops reading a CSV or XLSX file and its error
// is returned, so a cancelled import (or a server shutting down) does not read on.
func TestParseContextStops(t *testing.T) {
	records := generateRoster(3 * ctxCheckRows)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, data := range map[string][]byte{
		"roster.csv":  encodeCSV(t, records),
		"roster.xlsx": writeXLSX(t, records, spreadsheetLike),
	} {
		if _, err := ParseContext(ctx, bytes.NewReader(data), name); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", name, err)
		}
		if rows, err := ParseContext(context.Background(), bytes.NewReader(data), name); err != nil || len(rows) != len(records)-1 {
			t.Errorf("%s: %d rows, %v", name, len(rows), err)
		}
	}
}
