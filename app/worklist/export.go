package worklist

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"

	"gongzhi/app/rules"
	"gongzhi/app/voting"
)

// sheetWriter writes rows to one sheet, headers first.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	row   int
	err   error
}

func (w *sheetWriter) put(values ...any) {
	if w.err != nil {
		return
	}
	w.row++
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		w.err = err
		return
	}
	w.err = w.f.SetSheetRow(w.sheet, cell, &values)
}

func newBook(sheet string) (*excelize.File, *sheetWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, nil, err
	}
	return f, &sheetWriter{f: f, sheet: sheet}, nil
}

func finish(f *excelize.File, w *sheetWriter) ([]byte, error) {
	defer f.Close()
	if w.err != nil {
		return nil, fmt.Errorf("worklist export: %w", w.err)
	}
	_ = f.SetPanes(w.sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("worklist export: %w", err)
	}
	return buf.Bytes(), nil
}

// WeekXLSX is the week's work as a workbook: one row per item, in the list's order,
// the headers bilingual, times in Beijing time.
func WeekXLSX(w Week) ([]byte, error) {
	f, sw, err := newBook("本周待办 Week")
	if err != nil {
		return nil, err
	}
	sw.put("截止日 Due day", "状态 State", "逾期天数 Days late", "类别 Kind", "小区 Estate", "事项 Subject", "环节 Step", "Step (EN)", "链接 Link")
	for _, it := range w.Items {
		state := "即将到期 due soon"
		if it.Overdue {
			state = "已逾期 overdue"
		}
		sw.put(it.DueDay, state, it.DaysLate, it.Kind, it.EstateName, it.Subject, it.Detail, it.DetailEN, it.Link)
	}
	return finish(f, sw)
}

// OpenVotesXLSX is the open votes' participation as a workbook: area in m² (two
// decimals, exact), headcount, the quorum lines and what is still missing.
func OpenVotesXLSX(list []voting.OpenVote) ([]byte, error) {
	f, sw, err := newBook("表决参与 Participation")
	if err != nil {
		return nil, err
	}
	sw.put("表决 Vote", "小区 Estate", "截止 Closes (Beijing)", "参与面积 Area (m²)", "总面积 Total area (m²)", "面积法定线 Area line (m²)",
		"参与人数 Headcount", "总人数 Total headcount", "人数法定线 Headcount line", "尚缺面积 Area missing (m²)", "尚缺人数 Headcount missing", "达到法定线 Quorum reached")
	for _, v := range list {
		p := v.Participation
		reached := "否 no"
		if p.QuorumReached {
			reached = "是 yes"
		}
		sw.put(fmt.Sprintf("%d %s", v.VoteID, v.Title), v.EstateName, v.ClosesAt.In(rules.Shanghai()).Format("2006-01-02 15:04"),
			p.ParticipatingArea.String(), p.TotalArea.String(), p.QuorumArea.String(),
			p.ParticipatingHeadcount, p.TotalHeadcount, p.QuorumHeadcount, v.MissingArea.String(), v.MissingHeadcount, reached)
	}
	return finish(f, sw)
}
