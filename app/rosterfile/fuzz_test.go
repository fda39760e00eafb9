package rosterfile

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the CSV and XLSX readers. Whatever an upload
// holds, Parse must neither panic nor fail in a way the import would report as an
// internal error: it returns rows that hold the documented invariants, a
// *ParseError naming lines and columns, or ErrUnreadable.
//
//	go test ./app/rosterfile/ -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	small := fixture(f, "roster-small.csv")
	f.Add(small, false)
	f.Add(fixture(f, "roster-medium.csv")[:4000], false)
	f.Add([]byte("building,unit,room,area\n1,1,101,88.5\n"), false)
	f.Add([]byte("\xef\xbb\xbf楼栋,单元,房号,面积,业主姓名,身份证号\n1,1,101,1e3,张三,11010119900307001X\n"), false)
	f.Add(writeXLSX(f, readRecords(f, small), spreadsheetLike), true)
	f.Add(writeXLSXSharedStrings(f, readRecords(f, small)[:5], nil), true)
	f.Fuzz(func(t *testing.T, data []byte, xlsx bool) {
		name := "roster.csv"
		if xlsx {
			name = "roster.xlsx"
		}
		rows, err := Parse(bytes.NewReader(data), name)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) && !errors.Is(err, ErrUnreadable) {
				t.Fatalf("%s: an error the import cannot explain to the user: %v", name, err)
			}
			if pe != nil && (pe.Total == 0 || len(pe.Errors) == 0) {
				t.Fatalf("%s: an empty ParseError", name)
			}
			return
		}
		for i, r := range rows {
			if r.Building == "" || r.Room == "" || r.Area <= 0 || r.IDNumber == "" || r.OwnerName == "" {
				t.Fatalf("%s: row %d accepted without a building, room, positive area, ID number or owner: %+v", name, i, r)
			}
		}
	})
}
