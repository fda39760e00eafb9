package rosterfile

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestWriteXLSX(t *testing.T) {
	rows := []ExportRow{
		{"1", "1", "101", "89.37", "登记", "王*国", "5204**************", "177****9976", "个人", "是"},
		{"1", "1", "102", "101.67", "实测", "李*英", "4201**************", "", "个人", "否"},
		{"2", "", "0001", "12.00", "预售/合同", "恒泰****公司", "9111**************", "", "建设单位", "是"},
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !reflect.DeepEqual(sheets, []string{"业主名册"}) {
		t.Fatalf("sheets %v, want [业主名册]", sheets)
	}
	got, err := f.GetRows("业主名册")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"楼栋", "单元", "房号", "面积", "面积来源", "业主姓名", "证件号码", "手机号", "业主类型", "表决代表"},
		{"1", "1", "101", "89.37", "登记", "王*国", "5204**************", "177****9976", "个人", "是"},
		{"1", "1", "102", "101.67", "实测", "李*英", "4201**************", "", "个人", "否"},
		{"2", "", "0001", "12.00", "预售/合同", "恒泰****公司", "9111**************", "", "建设单位", "是"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows read back:\n got %q\nwant %q", got, want)
	}
	// "0001" and "12.00" survive only if cells are text, not numbers.
	if typ, err := f.GetCellType("业主名册", "C4"); err != nil || typ == excelize.CellTypeNumber {
		t.Errorf("C4 type %v, %v; want text", typ, err)
	}

	styleID, err := f.GetCellStyle("业主名册", "A1")
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(styleID)
	if err != nil {
		t.Fatal(err)
	}
	if style.Font == nil || !style.Font.Bold {
		t.Errorf("header style %+v is not bold", style)
	}
	if id, _ := f.GetCellStyle("业主名册", "A2"); id == styleID {
		t.Error("data rows share the bold header style")
	}
	for col, min := range map[string]float64{"F": 20, "G": 20, "H": 12} {
		w, err := f.GetColWidth("业主名册", col)
		if err != nil {
			t.Fatal(err)
		}
		if w < min {
			t.Errorf("column %s width %v, want at least %v", col, w, min)
		}
	}
	panes, err := f.GetPanes("业主名册")
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v, want the header row frozen", panes)
	}
}

func TestWriteXLSXEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, nil); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("业主名册")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0]) != 10 {
		t.Errorf("empty export = %q, want only the header", got)
	}
}
