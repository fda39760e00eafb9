package rosterfile

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongzhi/app/rules"
)

// parseCSVString parses content as a .csv upload and returns the rows and the
// *ParseError, failing the test on any other error.
func parseCSVString(t *testing.T, content string) ([]Row, *ParseError) {
	t.Helper()
	rows, err := Parse(strings.NewReader(content), "roster.csv")
	if err == nil {
		return rows, nil
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse: %v, want nil or *ParseError", err)
	}
	if rows != nil {
		t.Errorf("Parse returned %d rows along with errors", len(rows))
	}
	return nil, pe
}

func mustParse(t *testing.T, data []byte, filename string) []Row {
	t.Helper()
	rows, err := Parse(bytes.NewReader(data), filename)
	if err != nil {
		t.Fatalf("Parse(%s): %v", filename, err)
	}
	return rows
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file      string
		rows      int
		rooms     int
		totalArea string // docs/rules.md §9
	}{
		{"roster-small.csv", 27, 24, "2696.04"},
		{"roster-medium.csv", 1417, 1152, "129574.98"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rows := mustParse(t, fixture(t, tt.file), tt.file)
			if len(rows) != tt.rows {
				t.Errorf("%d rows, want %d", len(rows), tt.rows)
			}
			area := map[string]rules.Area{}
			reps := map[string]int{}
			for i, r := range rows {
				if r.Line != i+2 {
					t.Fatalf("row %d has line %d, want %d", i, r.Line, i+2)
				}
				key := RoomKey(r.Building, r.Unit, r.Room)
				area[key] = r.Area
				if r.Representative {
					reps[key]++
				}
				if r.AreaSource != AreaRegistered || !r.Delivered || r.Parking {
					t.Errorf("line %d: defaults not applied: %+v", r.Line, r)
				}
			}
			if len(area) != tt.rooms {
				t.Errorf("%d distinct rooms, want %d", len(area), tt.rooms)
			}
			var total rules.Area
			for key, a := range area {
				total += a
				if reps[key] != 1 {
					t.Errorf("room %s has %d representatives, want 1", key, reps[key])
				}
			}
			if total.String() != tt.totalArea {
				t.Errorf("total area %s, want %s", total, tt.totalArea)
			}
		})
	}
}

func TestParseSmallFixtureRows(t *testing.T) {
	rows := mustParse(t, fixture(t, "roster-small.csv"), "roster-small.csv")
	want := map[int]Row{
		2: {Line: 2, Building: "1", Unit: "1", Room: "101", Area: 8937, AreaSource: AreaRegistered, OwnerName: "王建国",
			IDNumber: "520402195605129085", Phone: "17711029976", OwnerKind: rules.OwnerPerson, Representative: true, Delivered: true},
		6: {Line: 6, Building: "1", Unit: "1", Room: "201", Area: 12015, AreaSource: AreaRegistered, OwnerName: "陈静",
			IDNumber: "42010619540208795X", Phone: "13949726814", OwnerKind: rules.OwnerPerson, Delivered: true},
		15: {Line: 15, Building: "1", Unit: "1", Room: "602", Area: 12294, AreaSource: AreaRegistered, OwnerName: "恒泰置业有限公司",
			IDNumber: "91110000XBGQUWLD0R", OwnerKind: rules.OwnerDeveloper, Representative: true, Delivered: true},
		26: {Line: 26, Building: "2", Unit: "1", Room: "502", Area: 11351, AreaSource: AreaRegistered, OwnerName: "安顺宏达商贸有限公司",
			IDNumber: "913100006UK548KNT6", OwnerKind: rules.OwnerOrg, Representative: true, Delivered: true},
	}
	for _, r := range rows {
		if w, ok := want[r.Line]; ok && !reflect.DeepEqual(r, w) {
			t.Errorf("line %d:\n got %+v\nwant %+v", r.Line, r, w)
		}
	}
}

// Valid identifiers from the small fixture, for hand-written files.
const (
	idA  = "520402195605129085"
	idB  = "420106194901062648"
	idC  = "310104195510125038"
	uscc = "91110000XBGQUWLD0R"
	hdr  = "building,unit,room,area,owner_name,id_number,phone,owner_kind,representative\n"
)

type at struct {
	line int
	col  string
}

func TestParseBadFiles(t *testing.T) {
	tests := []struct {
		name     string
		content  string
		want     []at
		contains string // a substring of the first message, when it matters
		absent   string // a substring no message may contain
	}{
		{"missing required column", "building,unit,room,owner_name,id_number\n1,1,101,王建国," + idA + "\n",
			[]at{{1, "area"}}, "面积（area）", ""},
		{"missing two columns", "building,room,area\n1,101,89.37\n",
			[]at{{1, "owner_name"}, {1, "id_number"}}, "", ""},
		{"duplicate column", "building,楼栋,room,area,owner_name,id_number\n1,1,101,89.37,王建国," + idA + "\n",
			[]at{{1, "building"}}, "重复", ""},
		{"empty file", "", []at{{1, ""}}, "文件为空", ""},
		{"blank lines only", "\n\n , ,\n", []at{{1, ""}}, "文件为空", ""},
		{"header only", hdr, []at{{1, ""}}, "没有任何数据行", ""},
		{"empty building", hdr + ",1,101,89.37,王建国," + idA + ",,person,1\n", []at{{2, "building"}}, "楼栋", ""},
		{"empty room", hdr + "1,1,,89.37,王建国," + idA + ",,person,1\n", []at{{2, "room"}}, "房号", ""},
		{"empty area", hdr + "1,1,101,,王建国," + idA + ",,person,1\n", []at{{2, "area"}}, "", ""},
		{"zero area", hdr + "1,1,101,0.00,王建国," + idA + ",,person,1\n", []at{{2, "area"}}, "大于 0", ""},
		{"negative area", hdr + "1,1,101,-89.37,王建国," + idA + ",,person,1\n", []at{{2, "area"}}, "-89.37", ""},
		{"three decimals", hdr + "1,1,101,89.375,王建国," + idA + ",,person,1\n", []at{{2, "area"}}, "89.375", ""},
		{"area not a number", hdr + "1,1,101,八十九,王建国," + idA + ",,person,1\n", []at{{2, "area"}}, "八十九", ""},
		{"bad area source", "building,room,area,area_source,owner_name,id_number\n1,101,89.37,估算,王建国," + idA + "\n",
			[]at{{2, "area_source"}}, "估算", ""},
		{"empty owner name", hdr + "1,1,101,89.37,," + idA + ",,person,1\n", []at{{2, "owner_name"}}, "", ""},
		{"bad owner kind", hdr + "1,1,101,89.37,王建国," + idA + ",,family,1\n", []at{{2, "owner_kind"}}, "family", ""},
		{"bad check digit", hdr + "1,1,101,89.37,王建国,520402195605129084,,person,1\n",
			[]at{{2, "id_number"}}, "5204**************", "520402195605129084"},
		{"person with credit code", hdr + "1,1,101,89.37,王建国," + uscc + ",,person,1\n", []at{{2, "id_number"}}, "居民身份证", uscc},
		{"org with resident ID", hdr + "1,1,101,89.37,某公司," + idB + ",,org,1\n", []at{{2, "id_number"}}, "统一社会信用代码", idB},
		{"developer bad code", hdr + "1,1,101,89.37,某公司,91110000XBGQUWLD0A,,developer,1\n", []at{{2, "id_number"}}, "校验位", ""},
		{"empty id", hdr + "1,1,101,89.37,王建国,,,person,1\n", []at{{2, "id_number"}}, "不能为空", ""},
		{"id saved as a number", hdr + "1,1,101,89.37,王建国,5.20402E+17,,person,1\n", []at{{2, "id_number"}}, "Excel", ""},
		{"short phone", hdr + "1,1,101,89.37,王建国," + idA + ",1771102997,person,1\n", []at{{2, "phone"}}, "177***2997", "1771102997"},
		{"landline", hdr + "1,1,101,89.37,王建国," + idA + ",02188886666,person,1\n", []at{{2, "phone"}}, "", ""},
		{"phone second digit", hdr + "1,1,101,89.37,王建国," + idA + ",12711029976,person,1\n", []at{{2, "phone"}}, "", ""},
		{"bad representative", hdr + "1,1,101,89.37,王建国," + idA + ",,person,maybe\n", []at{{2, "representative"}}, "maybe", ""},
		{"bad delivered and parking", "building,room,area,owner_name,id_number,delivered,parking\n1,101,89.37,王建国," + idA + ",x,2\n",
			[]at{{2, "delivered"}, {2, "parking"}}, "", ""},
		{"area disagrees", hdr +
			"1,1,102,101.67,李秀英," + idB + ",,person,1\n" +
			"1,1,102,101.68,张伟," + idC + ",,person,0\n" +
			"1,1,102,101.68,王建国," + idA + ",,person,0\n",
			[]at{{3, "area"}, {4, "area"}}, "第 2 行为 101.67，本行为 101.68", ""},
		{"area source disagrees", "building,room,area,area_source,owner_name,id_number,representative\n" +
			"1,102,101.67,登记,李秀英," + idB + ",1\n" +
			"1,102,101.67,实测,张伟," + idC + ",0\n",
			[]at{{3, "area_source"}}, "", ""},
		{"delivered disagrees", "building,room,area,owner_name,id_number,representative,delivered\n" +
			"1,102,101.67,李秀英," + idB + ",1,是\n" +
			"1,102,101.67,张伟," + idC + ",0,否\n",
			[]at{{3, "delivered"}}, "", ""},
		{"same owner twice in a room", hdr +
			"1,1,102,101.67,李秀英," + idB + ",,person,1\n" +
			"1,1,102,101.67,李秀英," + strings.ToLower(idB) + ",,person,0\n",
			[]at{{3, "id_number"}}, "第 2 行", ""},
		{"co-owners without representative", hdr +
			"1,1,102,101.67,李秀英," + idB + ",,person,0\n" +
			"1,1,102,101.67,张伟," + idC + ",,person,0\n",
			[]at{{2, "representative"}, {3, "representative"}}, "现有 0 位", ""},
		{"co-owners with two representatives", hdr +
			"1,1,102,101.67,李秀英," + idB + ",,person,1\n" +
			"1,1,101,89.37,王建国," + idA + ",,person,1\n" +
			"1,1,102,101.67,张伟," + idC + ",,person,是\n",
			[]at{{2, "representative"}, {4, "representative"}}, "现有 2 位", ""},
		{"one ID, two names", hdr +
			"1,1,101,89.37,王建国," + idA + ",,person,1\n" +
			"1,1,102,101.67,王建华," + idA + ",,person,1\n",
			[]at{{3, "owner_name"}}, "第 2 行", ""},
		{"one code, two kinds", hdr +
			"1,1,101,89.37,恒泰置业有限公司," + uscc + ",,org,1\n" +
			"1,1,102,101.67,恒泰置业有限公司," + uscc + ",,developer,1\n",
			[]at{{3, "owner_kind"}}, "", ""},
		{"room keys collide", hdr +
			"1,1,101,89.37,王建国," + idA + ",,person,1\n" +
			"1-1,,101,89.37,李秀英," + idB + ",,person,1\n",
			[]at{{3, "room"}}, "1-1-101", ""},
		{"unclosed quote", hdr + "1,1,\"101,89.37,王建国," + idA + ",,person,1\n", []at{{2, ""}}, "引号", ""},
		{"errors sorted by line then column", hdr +
			"1,1,102,101.67,李秀英," + idB + ",,person,0\n" +
			",1,101,abc,王建国," + idA + ",123,person,1\n" +
			"1,1,102,101.67,张伟," + idC + ",123,person,0\n",
			[]at{{2, "representative"}, {3, "building"}, {3, "area"}, {3, "phone"}, {4, "phone"}, {4, "representative"}}, "", ""},
		{"line numbers count blank and multi-line records", hdr +
			"\n" +
			"1,1,101,89.37,\"王\n建国\"," + idA + ",,person,1\n" +
			"1,1,102,101.675,李秀英," + idB + ",,person,1\n",
			[]at{{5, "area"}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, pe := parseCSVString(t, tt.content)
			if pe == nil {
				t.Fatal("Parse accepted the file")
			}
			var got []at
			for _, e := range pe.Errors {
				got = append(got, at{e.Line, e.Column})
				if zh(e.Msg) == "" {
					t.Errorf("line %d column %q: empty message", e.Line, e.Column)
				}
				if tt.absent != "" && strings.Contains(zh(e.Msg), tt.absent) {
					t.Errorf("message %q reveals %q", zh(e.Msg), tt.absent)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("errors at %v, want %v\n%s", got, tt.want, dump(pe))
			}
			if tt.contains != "" && !strings.Contains(zh(pe.Errors[0].Msg), tt.contains) {
				t.Errorf("first message %q does not contain %q", zh(pe.Errors[0].Msg), tt.contains)
			}
			if pe.Total != len(tt.want) || pe.Omitted != 0 {
				t.Errorf("Total %d Omitted %d, want %d and 0", pe.Total, pe.Omitted, len(tt.want))
			}
		})
	}
}

func dump(pe *ParseError) string {
	var b strings.Builder
	for _, e := range pe.Errors {
		fmt.Fprintf(&b, "  %d %s: %s\n", e.Line, e.Column, zh(e.Msg))
	}
	return b.String()
}

func TestParseNormalisesValues(t *testing.T) {
	content := "楼栋,单元,房号,面积,面积来源,业主姓名,证件号码,手机号,业主类型,表决代表,是否交付,车位\n" +
		"A,,101,90.000,实测,王建国, 4201 0619 5402 0879 5x ,177 1102-9976,个人,0,否,0\n" +
		"A,,102,66.5,预售/合同,某公司," + strings.ToLower("913100006uk548knt6") + ",+86 139 4972 6814,单位,1,是,是\n" +
		"A,,103,35.00,登记,恒泰置业有限公司," + uscc + ",8613949726814,建设单位,TRUE,FALSE,1\n"
	rows, pe := parseCSVString(t, content)
	if pe != nil {
		t.Fatalf("unexpected errors:\n%s", dump(pe))
	}
	want := []Row{
		{Line: 2, Building: "A", Room: "101", Area: 9000, AreaSource: AreaSurveyed, OwnerName: "王建国", IDNumber: "42010619540208795X",
			Phone: "17711029976", OwnerKind: rules.OwnerPerson, Representative: true /* sole owner */, Delivered: false, Parking: false},
		{Line: 3, Building: "A", Room: "102", Area: 6650, AreaSource: AreaContract, OwnerName: "某公司", IDNumber: "913100006UK548KNT6",
			Phone: "13949726814", OwnerKind: rules.OwnerOrg, Representative: true, Delivered: true, Parking: true},
		{Line: 4, Building: "A", Room: "103", Area: 3500, AreaSource: AreaRegistered, OwnerName: "恒泰置业有限公司", IDNumber: uscc,
			Phone: "13949726814", OwnerKind: rules.OwnerDeveloper, Representative: true, Delivered: false, Parking: true},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, want)
	}
	if got := RoomKey(rows[0].Building, rows[0].Unit, rows[0].Room); got != "A-101" {
		t.Errorf("RoomKey without unit = %q, want A-101", got)
	}
}

func TestRoomKey(t *testing.T) {
	if got := RoomKey("1", "1", "101"); got != "1-1-101" {
		t.Errorf("RoomKey = %q, want 1-1-101", got)
	}
	if got := RoomKey("3", "", "101"); got != "3-101" {
		t.Errorf("RoomKey = %q, want 3-101", got)
	}
}

// chineseFixture rewrites the small fixture with Chinese headers in another
// column order, decorated headers, Chinese enum values and an unknown column.
func chineseFixture(t *testing.T) string {
	t.Helper()
	records := readRecords(t, fixture(t, "roster-small.csv"))
	idx := map[string]int{}
	for i, h := range records[0] {
		idx[h] = i
	}
	kinds := map[string]string{"person": "个人", "org": "单位", "developer": "建设单位"}
	flags := map[string]string{"1": "是", "0": "否"}
	var b strings.Builder
	b.WriteString("  业主姓名 ,证件号码*,备注,房号,楼栋,单元,面积（㎡）,手机号,业主类型,表决代表\n")
	for _, r := range records[1:] {
		fmt.Fprintf(&b, "%s,%s,无,%s,%s,%s,%s,%s,%s,%s\n", r[idx["owner_name"]], r[idx["id_number"]], r[idx["room"]],
			r[idx["building"]], r[idx["unit"]], r[idx["area"]], r[idx["phone"]], kinds[r[idx["owner_kind"]]], flags[r[idx["representative"]]])
	}
	return b.String()
}

func TestParseChineseHeaders(t *testing.T) {
	want := mustParse(t, fixture(t, "roster-small.csv"), "roster-small.csv")
	got := mustParse(t, []byte(chineseFixture(t)), "名册.csv")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Chinese-header file parses differently:\n got %+v\nwant %+v", got, want)
	}
}

func TestParseEncodings(t *testing.T) {
	want := mustParse(t, fixture(t, "roster-small.csv"), "roster-small.csv")
	utf8Text := chineseFixture(t)
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(utf8Text)
	if err != nil {
		t.Fatal(err)
	}
	if gbk == utf8Text {
		t.Fatal("GBK encoding left the text unchanged")
	}
	tests := []struct {
		name string
		data string
	}{
		{"UTF-8 with BOM", "\ufeff" + utf8Text},
		{"GBK", gbk},
		{"UTF-8 with BOM and CRLF", "\ufeff" + strings.ReplaceAll(utf8Text, "\n", "\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, []byte(tt.data), "roster.CSV")
			if !reflect.DeepEqual(got, want) {
				t.Errorf("rows differ from the UTF-8 fixture:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParseXLSXMatchesCSV(t *testing.T) {
	for _, name := range []string{"roster-small.csv", "roster-medium.csv"} {
		t.Run(name, func(t *testing.T) {
			data := fixture(t, name)
			want := mustParse(t, data, name)
			records := readRecords(t, data)
			books := map[string][]byte{
				"inline strings": writeXLSX(t, records, spreadsheetLike),
				"shared strings": writeXLSXSharedStrings(t, records, spreadsheetLike),
			}
			for kind, book := range books {
				got := mustParse(t, book, strings.TrimSuffix(name, ".csv")+".XLSX")
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: XLSX rows differ from CSV rows (%d vs %d rows)", kind, len(got), len(want))
				}
			}
		})
	}
}

// TestParseXLSXFloatNoise stores every area as the double just above its value,
// as spreadsheet arithmetic can leave it ("89.37000000000001"); the parser must
// read the area the user sees.
func TestParseXLSXFloatNoise(t *testing.T) {
	data := fixture(t, "roster-small.csv")
	want := mustParse(t, data, "roster-small.csv")
	noisy := func(header, value string) any {
		v := spreadsheetLike(header, value)
		if f, ok := v.(float64); ok && (header == "area" || header == "面积") {
			return nextUp(f)
		}
		return v
	}
	got := mustParse(t, writeXLSX(t, readRecords(t, data), noisy), "roster.xlsx")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("noisy areas parse differently:\n got %+v\nwant %+v", got, want)
	}
}

func TestSpreadsheetDecimal(t *testing.T) {
	tests := map[string]string{
		"89.37":              "89.37",
		"89.37000000000001":  "89.37",
		"89.370000000000005": "89.37",
		"89.36999999999999":  "89.37",
		"89.371":             "89.371", // a real third decimal stays, and is rejected later
		"89.3700000001":      "89.3700000001",
		"90":                 "90",
		"101.670":            "101.670", // trailing zeros are trimDecimalZeros' job
		"abc.def":            "abc.def",
		"-1.000000000000001": "-1.000000000000001",
	}
	for in, want := range tests {
		if got := spreadsheetDecimal(in); got != want {
			t.Errorf("spreadsheetDecimal(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseXLSXRowNumbers checks that errors name the worksheet row, empty
// rows included.
func TestParseXLSXRowNumbers(t *testing.T) {
	records := [][]string{
		{"楼栋", "单元", "房号", "面积", "业主姓名", "证件号码"},
		{"1", "1", "101", "89.37", "王建国", idA},
		{"1", "1", "102", "101.675", "李秀英", idB},
	}
	book := writeXLSX(t, records, nil, 3, 4) // data rows land on rows 2 and 5
	_, err := Parse(bytes.NewReader(book), "roster.xlsx")
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want *ParseError", err)
	}
	if len(pe.Errors) != 1 || pe.Errors[0].Line != 5 || pe.Errors[0].Column != ColumnArea {
		t.Errorf("errors:\n%s want one at line 5, column area", dump(pe))
	}
}

func TestParseFileTypes(t *testing.T) {
	small := fixture(t, "roster-small.csv")
	book := writeXLSX(t, readRecords(t, small), spreadsheetLike)
	tests := []struct {
		name     string
		data     []byte
		filename string
		wantErr  error
	}{
		{"upper-case csv", small, "ROSTER.CSV", nil},
		{"mixed-case xlsx", book, "roster.XlSx", nil},
		{"Windows path", book, `C:\Users\物业\名册.xlsx`, nil},
		{"xls", book, "roster.xls", ErrUnsupportedType},
		{"no extension", small, "roster", ErrUnsupportedType},
		{"text", small, "roster.txt", ErrUnsupportedType},
		{"csv bytes named xlsx", small, "roster.xlsx", ErrUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := Parse(bytes.NewReader(tt.data), tt.filename)
			if tt.wantErr == nil {
				if err != nil || len(rows) != 27 {
					t.Fatalf("Parse = %d rows, %v; want 27 rows", len(rows), err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == ErrUnsupportedType && !strings.Contains(err.Error(), tt.filename) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestParseErrorCap(t *testing.T) {
	const bad = 3000
	var b strings.Builder
	b.WriteString(hdr)
	for i := 0; i < bad; i++ {
		fmt.Fprintf(&b, ",1,%d,89.37,王建国,%s,,person,1\n", 100+i, idA) // building missing
	}
	_, pe := parseCSVString(t, b.String())
	if pe == nil {
		t.Fatal("Parse accepted the file")
	}
	if pe.Total != bad || pe.Omitted != bad-MaxErrors || len(pe.Errors) != MaxErrors+1 {
		t.Fatalf("Total %d Omitted %d len %d; want %d, %d, %d", pe.Total, pe.Omitted, len(pe.Errors), bad, bad-MaxErrors, MaxErrors+1)
	}
	for i, e := range pe.Errors[:MaxErrors] {
		if e.Line != i+2 || e.Column != ColumnBuilding {
			t.Fatalf("error %d at line %d column %s, want line %d column building", i, e.Line, e.Column, i+2)
		}
	}
	note := pe.Errors[MaxErrors]
	if note.Line != 0 || note.Column != "" || !strings.Contains(zh(note.Msg), "2000") {
		t.Errorf("final note = %+v", note)
	}
	if !strings.Contains(pe.Error(), "3000 error(s)") || !strings.Contains(pe.Error(), "line 2") {
		t.Errorf("Error() = %q", pe.Error())
	}
}

// TestParseXLSXFirstSheetOnly adds a second worksheet full of invalid rows
// before the roster sheet is read; only the first sheet counts.
func TestParseXLSXFirstSheetOnly(t *testing.T) {
	small := fixture(t, "roster-small.csv")
	book := writeXLSX(t, readRecords(t, small), spreadsheetLike)
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.NewSheet("说明"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("说明", "A1", &[]any{"building", "room", "area"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("说明", "A2", &[]any{"", "", "not an area"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rows := mustParse(t, buf.Bytes(), "roster.xlsx")
	if want := mustParse(t, small, "roster.csv"); !reflect.DeepEqual(rows, want) {
		t.Errorf("two-sheet workbook parses differently from the fixture")
	}
}
