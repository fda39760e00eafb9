package pdfdoc

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Signature is one person's signature on the minutes.
type Signature struct {
	Name     string
	SignedAt time.Time
}

// Minutes is the record of an owners' assembly or owners' committee meeting (会议记录).
type Minutes struct {
	Title, EstateName string
	// Kind is 业主大会会议 or 业主委员会会议.
	Kind        string
	Place       string
	HeldAt      time.Time
	Attendees   []string
	Agenda      []string
	Proceedings string
	Decisions   []string
	Signatures  []Signature
	DocNumber   string
	VerifyURL   string
}

// Minutes renders the meeting record as an A4 PDF to w; a done ctx stops it.
func (r *Renderer) Minutes(ctx context.Context, w io.Writer, m Minutes, meta Meta) error {
	switch {
	case m.DocNumber == "":
		return fmt.Errorf("%w: Minutes.DocNumber", ErrMissingField)
	case m.VerifyURL == "":
		return fmt.Errorf("%w: Minutes.VerifyURL", ErrMissingField)
	}
	qr, err := newQR(m.VerifyURL)
	if err != nil {
		return err
	}
	l, err := r.newLayout(ctx, meta, m.EstateName+m.Kind+"会议记录 "+m.DocNumber)
	if err != nil {
		return err
	}
	l.beginGroup("编号：" + m.DocNumber)
	l.documentTitle(m.EstateName, "会议记录", m.Title)
	l.docNumberLine("编号", m.DocNumber, 0, "", false)

	l.section("一、会议基本情况")
	l.setFont(sizeBody)
	l.field("会议名称", m.Title)
	l.field("会议类型", m.Kind)
	l.field("会议时间", formatTime(m.HeldAt, r.zone))
	l.field("会议地点", m.Place)
	l.field("出席人员", fmt.Sprintf("共 %d 人：%s", len(m.Attendees), joinNames(m.Attendees)))

	l.section("二、会议议程")
	l.numberedList(m.Agenda)

	l.section("三、会议情况")
	l.setFont(sizeBody)
	for _, para := range strings.Split(strings.ReplaceAll(m.Proceedings, "\r\n", "\n"), "\n") {
		if l.stopped() {
			break
		}
		if para = strings.TrimSpace(para); para != "" {
			l.paragraph(marginLeft, contentWidth, "　　"+para, "L", false)
			l.space(1)
		}
	}

	l.section("四、会议决定")
	l.numberedList(m.Decisions)

	l.section("五、签名")
	rows := make([][]string, 0, len(m.Signatures))
	for i, s := range m.Signatures {
		rows = append(rows, []string{strconv.Itoa(i + 1), s.Name, formatTime(s.SignedAt, r.zone)})
	}
	l.table([]column{
		{header: "序号", width: 20, align: "C"},
		{header: "姓名", width: 77, align: "L"},
		{header: "签名时间", width: 77, align: "C"},
	}, rows)

	if err := l.verificationBlock(qr, "扫描二维码或访问下列网址，可核验本会议记录的真实性与完整内容。", "编号："+m.DocNumber); err != nil {
		return err
	}
	return l.finish(w)
}

// numberedList prints "1. …" entries with wrapped lines indented under the text.
func (l *layout) numberedList(entries []string) {
	l.setFont(sizeBody)
	if len(entries) == 0 {
		l.paragraph(marginLeft, contentWidth, "无", "L", false)
		return
	}
	const indent = 8.0
	lh := l.lineHeight()
	for i, entry := range entries {
		lines := l.wrap(entry, contentWidth-indent)
		l.ensure(float64(min(len(lines), 2)) * lh)
		for j, line := range lines {
			if j > 0 {
				l.ensure(lh)
			}
			y := l.y()
			if j == 0 {
				l.textAt(marginLeft, y, indent, lh, strconv.Itoa(i+1)+".", "L", false)
			}
			l.textAt(marginLeft+indent, y, contentWidth-indent, lh, line, "L", false)
			l.setY(y + lh)
		}
	}
}
