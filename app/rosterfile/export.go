package rosterfile

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// ExportRow is one owner of one room for display, with personal data already
// masked (pii.MaskID, pii.MaskPhone). Every field is written as text, exactly
// as given.
type ExportRow struct {
	Building       string
	Unit           string
	Room           string
	Area           string // e.g. "89.37"
	AreaSource     string // e.g. "登记"
	OwnerName      string
	IDMasked       string // e.g. "5204**************"
	PhoneMasked    string // e.g. "177****9976"
	OwnerKind      string // e.g. "个人"
	Representative string // e.g. "是"
}

// exportSheet is the name of the only worksheet WriteXLSX writes.
const exportSheet = "业主名册"

// exportColumns are the header and width (in Excel character units) of each
// exported column, in ExportRow field order.
func exportColumns() []struct {
	header string
	width  float64
} {
	return []struct {
		header string
		width  float64
	}{
		{"楼栋", 8}, {"单元", 8}, {"房号", 10}, {"面积", 12}, {"面积来源", 12},
		{"业主姓名", 24}, {"证件号码", 24}, {"手机号", 16}, {"业主类型", 12}, {"表决代表", 10},
	}
}

// WriteXLSX writes rows as an XLSX workbook with one worksheet, 业主名册: a
// bold, frozen Chinese header row (楼栋, 单元, 房号, 面积, 面积来源, 业主姓名,
// 证件号码, 手机号, 业主类型, 表决代表) and one row per ExportRow, every cell
// as text. It streams the rows, so memory does not grow with their number
// beyond excelize's own buffering.
func WriteXLSX(w io.Writer, rows []ExportRow) (err error) {
	f := excelize.NewFile()
	defer func() {
		if closeErr := f.Close(); closeErr != nil && err == nil {
			err = fmt.Errorf("rosterfile: close workbook: %w", closeErr)
		}
	}()
	if err := f.SetSheetName("Sheet1", exportSheet); err != nil {
		return fmt.Errorf("rosterfile: name sheet: %w", err)
	}
	sw, err := f.NewStreamWriter(exportSheet)
	if err != nil {
		return fmt.Errorf("rosterfile: stream writer: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("rosterfile: header style: %w", err)
	}
	cols := exportColumns()
	header := make([]any, len(cols))
	for i, c := range cols {
		// widths must be set before the first row is written
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return fmt.Errorf("rosterfile: column width: %w", err)
		}
		header[i] = excelize.Cell{StyleID: bold, Value: c.header}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("rosterfile: freeze header: %w", err)
	}
	if err := sw.SetRow("A1", header); err != nil {
		return fmt.Errorf("rosterfile: header row: %w", err)
	}
	values := make([]any, len(cols))
	for i, r := range rows {
		for j, v := range []string{r.Building, r.Unit, r.Room, r.Area, r.AreaSource, r.OwnerName, r.IDMasked, r.PhoneMasked, r.OwnerKind, r.Representative} {
			values[j] = v
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return fmt.Errorf("rosterfile: row %d: %w", i+2, err)
		}
		if err := sw.SetRow(cell, values); err != nil {
			return fmt.Errorf("rosterfile: row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("rosterfile: flush rows: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("rosterfile: write workbook: %w", err)
	}
	return nil
}
