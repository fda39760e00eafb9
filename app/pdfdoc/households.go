package pdfdoc

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// HouseholdRow is one household of a printed list.
type HouseholdRow struct {
	Rooms  []string
	Owners string // masked names
	Area   string // m², two decimals
}

// HouseholdGroup is the households of one building.
type HouseholdGroup struct {
	Building string
	Rows     []HouseholdRow
}

// HouseholdList is a printable list of households (e.g. those that have not voted yet,
// for door-knocking): a table per building with an empty column for notes. It is a
// working list, not an issued document: no number, no QR.
type HouseholdList struct {
	EstateName, MeetingTitle, Heading string
	// AsOf is when the list was taken; ClosesAt when voting closes.
	AsOf, ClosesAt time.Time
	Groups         []HouseholdGroup
	Note           string
}

// Households renders the list as an A4 PDF to w.
func (r *Renderer) Households(ctx context.Context, w io.Writer, d HouseholdList, meta Meta) error {
	l, err := r.newLayout(ctx, meta, d.EstateName+d.Heading)
	if err != nil {
		return err
	}
	l.beginGroup(d.Heading)
	l.documentTitle(d.EstateName, d.Heading, d.MeetingTitle)
	l.setFont(sizeBody)
	total := 0
	for _, g := range d.Groups {
		total += len(g.Rows)
	}
	l.field("统计时间", formatTime(d.AsOf, r.zone))
	l.field("表决截止", formatDeadline(d.ClosesAt, r.zone))
	l.field("户数", fmt.Sprintf("%d 户", total))
	if d.Note != "" {
		l.paragraph(marginLeft, contentWidth, d.Note, "L", false)
	}
	for _, g := range d.Groups {
		if l.stopped() {
			break
		}
		l.section(fmt.Sprintf("%s 栋（%d 户）", g.Building, len(g.Rows)))
		rows := make([][]string, 0, len(g.Rows))
		for _, h := range g.Rows {
			rows = append(rows, []string{strings.Join(h.Rooms, "、"), h.Owners, h.Area, ""})
		}
		if len(rows) == 0 {
			rows = [][]string{{"无", "", "", ""}}
		}
		l.table([]column{{header: "房屋", width: 40, align: "L"}, {header: "业主（姓名已部分隐去）", width: 50, align: "L"},
			{header: "面积（平方米）", width: 30, align: "R"}, {header: "走访记录", width: 54, align: "L"}}, rows)
	}
	return l.finish(w)
}
