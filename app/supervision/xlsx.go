package supervision

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Labeler names the columns of an export in the reader's language ("h9.*" keys of
// the translation catalogue; the handler passes the catalogue's lookup).
type Labeler func(key string) string

// RatesXLSX is the report as a workbook: one row per org and the total, for each
// indicator its numerator, denominator, percent (rounded half up), target and
// whether it is met — the same numbers as the page.
func RatesXLSX(rep Report, t Labeler) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "rates"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	header := []any{t("h9.col_org"), t("h9.col_estates")}
	for _, ind := range rep.Indicators {
		name := t("h9.ind." + string(ind))
		header = append(header, name+" "+t("h9.col_num"), name+" "+t("h9.col_den"), name+" %", name+" "+t("h9.col_target"), name+" "+t("h9.col_met"))
	}
	rows := [][]any{{t("h9.as_of"), rep.Today, rep.ScopeName}, header}
	line := func(r Row) []any {
		out := []any{r.OrgName, r.Estates}
		for _, ind := range rep.Indicators {
			c := r.Cell(ind)
			target, met := any(""), any("")
			if c.Target != nil {
				target = *c.Target
				met = t("h9.no")
				if c.Met {
					met = t("h9.yes")
				}
			}
			pct := any("")
			if c.Rate.Den > 0 {
				pct = c.Percent
			}
			out = append(out, c.Rate.Num, c.Rate.Den, pct, target, met)
		}
		return out
	}
	for _, r := range rep.Rows {
		rows = append(rows, line(r))
	}
	total := rep.Total
	total.OrgName = t("h9.total") + " · " + rep.ScopeName
	rows = append(rows, line(total))
	return write(f, sheet, rows)
}

// DrillDownXLSX is the estates behind one rate as a workbook.
func DrillDownXLSX(d DrillDown, t Labeler) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := string(d.Indicator)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	rows := [][]any{
		{t("h9.as_of"), d.Today, d.ScopeName, t("h9.ind." + string(d.Indicator)), d.Total.Rate.String(), d.Total.Rate.Shown()},
		{t("h9.col_estate"), t("h9.col_community"), t("h9.col_num"), t("h9.col_den"), t("h9.col_counted")},
	}
	for _, l := range d.Estates {
		counted := t("h9.no")
		if l.Counted {
			counted = t("h9.yes")
		}
		rows = append(rows, []any{l.EstateName, l.CommunityName, l.Value.Num, l.Value.Den, counted})
	}
	if d.Shown < d.All {
		rows = append(rows, []any{fmt.Sprintf("… %d / %d", d.Shown, d.All)})
	}
	return write(f, sheet, rows)
}

func write(f *excelize.File, sheet string, rows [][]any) ([]byte, error) {
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return nil, err
		}
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			return nil, fmt.Errorf("xlsx row %s: %w", strconv.Itoa(i+1), err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
