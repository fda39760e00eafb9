package rosterfile

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"gongzhi/app/testkit/fixtures"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// This file holds the helpers shared by the tests and benchmarks: reading the
// fixtures, converting CSV records to XLSX, and generating large valid rosters.

// fixture returns the bytes of a roster fixture in the project's testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(fixtures.Path(name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// readRecords splits CSV bytes into records.
func readRecords(t testing.TB, data []byte) [][]string {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return records
}

// cellWriter turns one CSV cell of the given header column into the value a
// spreadsheet would hold; nil keeps the text.
type cellWriter func(header, value string) any

// spreadsheetLike stores area and representative as numbers, the way a user
// typing into Excel gets them, and everything else (IDs, phones) as text.
func spreadsheetLike(header, value string) any {
	switch header {
	case "area", "面积":
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return value
		}
		return v
	case "representative", "表决代表":
		n, err := strconv.Atoi(value)
		if err != nil {
			return value
		}
		return n
	}
	return value
}

// writeXLSX writes records (the first being the header) to the first sheet of
// a new workbook with excelize's StreamWriter, row i+1 for records[i]; rows
// listed in skip are left empty, shifting the records below them down.
func writeXLSX(t testing.TB, records [][]string, conv cellWriter, skip ...int) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	skipped := map[int]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	row := 1
	for i, rec := range records {
		for skipped[row] {
			row++
		}
		values := make([]any, len(rec))
		for j, v := range rec {
			if i > 0 && conv != nil && j < len(records[0]) {
				values[j] = conv(records[0][j], v)
			} else {
				values[j] = v
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			t.Fatal(err)
		}
		if err := sw.SetRow(cell, values); err != nil {
			t.Fatal(err)
		}
		row++
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeXLSXSharedStrings writes records with excelize's in-memory API, which
// stores text in the shared-strings table as Excel and WPS do.
func writeXLSXSharedStrings(t testing.TB, records [][]string, conv cellWriter) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, rec := range records {
		values := make([]any, len(rec))
		for j, v := range rec {
			if i > 0 && conv != nil {
				values[j] = conv(records[0][j], v)
			} else {
				values[j] = v
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow("Sheet1", cell, &values); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkDigit computes the GB 11643-1999 check character of 17 digits,
// independently of package pii.
func checkDigit(body string) byte {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

// residentID builds a valid resident ID for person number n: region 110101, a
// birth date between 1940 and 2003 and a sequence number derived from n.
func residentID(n int) string {
	year := 1940 + n%64
	month := 1 + (n/64)%12
	day := 1 + (n/768)%28
	seq := (n / 21504) % 1000
	body := fmt.Sprintf("110101%04d%02d%02d%03d", year, month, day, seq)
	return body + string(checkDigit(body))
}

// generateRoster returns the records (header first) of a valid roster of
// exactly rows data rows: buildings of 4 units × 30 floors × 4 rooms, every
// tenth room co-owned by two people (the first is the representative), every
// other room owned by one person; each person owns one room.
func generateRoster(rows int) [][]string {
	surnames := []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"}
	given := []string{"建国", "秀英", "伟", "静", "洋", "敏", "丽华", "强", "磊", "婷婷"}
	records := make([][]string, 0, rows+1)
	records = append(records, []string{"building", "unit", "room", "area", "area_source", "owner_name", "id_number", "phone", "owner_kind", "representative"})
	person := 0
	for room := 0; len(records) <= rows; room++ {
		building := strconv.Itoa(1 + room/480)
		unit := strconv.Itoa(1 + (room/120)%4)
		number := strconv.Itoa((1+(room/4)%30)*100 + 1 + room%4)
		area := fmt.Sprintf("%d.%02d", 60+room%120, room%100)
		owners := 1
		if room%10 == 0 {
			owners = 2
		}
		for k := 0; k < owners && len(records) <= rows; k++ {
			rep := "0"
			if k == 0 {
				rep = "1"
			}
			name := surnames[person%len(surnames)] + given[(person/len(surnames))%len(given)]
			phone := fmt.Sprintf("1%d%09d", 3+person%7, person)
			records = append(records, []string{building, unit, number, area, "registered", name, residentID(person), phone, "person", rep})
			person++
		}
	}
	return records
}

// encodeCSV renders records as CSV bytes.
func encodeCSV(t testing.TB, records [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(records); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// nextUp returns the double just above v, as a spreadsheet's arithmetic may
// leave it ("89.37000000000001" instead of 89.37).
func nextUp(v float64) float64 { return math.Nextafter(v, math.Inf(1)) }
