package pdfdoc

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// NoticeItem is one item on the agenda as the notice states it (docs/rules.md §3: items with their
// texts). An election item lists its seats and candidates.
type NoticeItem struct {
	Title, Text, MatterLabel string
	IsElection               bool
	Seats                    int
	Candidates               []string
	// SeatsLine and HowTo word an election item as it is counted (rules.ElectionSeatsLine,
	// rules.ElectionHowTo): the same words as the ballot, the results and the resolution.
	SeatsLine, HowTo string
}

// Notice is the meeting notice and voting invitation for one voter (业主大会会议表决通知书).
// BallotURL is the voter's personal e-ballot link and goes into the QR code.
type Notice struct {
	EstateName, MeetingTitle, Convenor, Form string
	NoticeAt, OpensAt, ClosesAt              time.Time
	Rooms                                    []string
	// VoterLabel addresses the voter, e.g. a masked owner name.
	VoterLabel string
	Items      []NoticeItem
	BallotURL  string
	// Code is the ballot's short code, typed at CodeURL (PUBLIC_URL/b) when the QR
	// code cannot be scanned; printed under the QR code when both are given.
	Code, CodeURL string
	// HowToVote is a paragraph on the electronic channel; PaperChannel says where a paper
	// ballot is handed in.
	HowToVote    string
	PaperChannel string
}

// Notices renders one PDF with every voter's notice starting on a new page. Page numbers in
// the footer count within each voter's notice; a long notice flows onto further pages while
// its QR code stays on the voter's first page. A done ctx stops the rendering between
// notices (and pages), and its error is returned.
func (r *Renderer) Notices(ctx context.Context, w io.Writer, notices []Notice, meta Meta) error {
	if len(notices) == 0 {
		return fmt.Errorf("%w: no notices", ErrMissingField)
	}
	urls := make([]string, len(notices))
	for i, n := range notices {
		if n.BallotURL == "" {
			return fmt.Errorf("%w: Notices[%d].BallotURL", ErrMissingField, i)
		}
		urls[i] = n.BallotURL
	}
	codes, err := encodeQRs(ctx, urls)
	if err != nil {
		return err
	}
	l, err := r.newLayout(ctx, meta, notices[0].EstateName+"业主大会会议表决通知书")
	if err != nil {
		return err
	}
	for i, n := range notices {
		if l.stopped() {
			return fmt.Errorf("pdfdoc: notices stopped before notice %d of %d: %w", i+1, len(notices), ctx.Err())
		}
		if err := l.notice(n, codes[i], r.zone); err != nil {
			return fmt.Errorf("notice %d: %w", i, err)
		}
	}
	return l.finish(w)
}

// noticeQRWidth is the right-hand column that holds the QR code on a notice's first page.
const noticeQRWidth = 44.0

// notice prints one voter's notice.
func (l *layout) notice(n Notice, qr qrCode, zone *time.Location) error {
	label := n.VoterLabel
	if len(n.Rooms) > 0 {
		label += "（" + strings.Join(n.Rooms, "、") + "）"
	}
	l.beginGroup(label)
	l.documentTitle(n.EstateName, "业主大会会议表决通知书", "")

	// First block: addressee and meeting facts on the left, QR code on the right.
	top := l.y()
	qrX := marginLeft + contentWidth - noticeQRWidth + (noticeQRWidth-qr.size)/2
	if err := l.drawQR(qr, qrX, top); err != nil {
		return err
	}
	l.setFont(sizeSmall)
	l.setY(top + qr.size)
	l.paragraph(marginLeft+contentWidth-noticeQRWidth, noticeQRWidth, "扫码进行电子表决\n（本码仅限本户使用）", "C", true)
	l.pdf.SetTextColor(60, 60, 60)
	l.paragraph(marginLeft+contentWidth-noticeQRWidth, noticeQRWidth, qr.content, "L", false)
	l.pdf.SetTextColor(0, 0, 0)
	if n.Code != "" && n.CodeURL != "" {
		l.space(1)
		l.paragraph(marginLeft+contentWidth-noticeQRWidth, noticeQRWidth, "无法扫码时，打开\n"+n.CodeURL+"\n输入投票码", "C", false)
		l.setFont(sizeSubtitle)
		l.paragraph(marginLeft+contentWidth-noticeQRWidth, noticeQRWidth, n.Code, "C", true)
		l.setFont(sizeSmall)
	}
	qrBottom := l.y()

	leftW := contentWidth - noticeQRWidth - 4
	l.setY(top)
	l.setFont(sizeSubtitle)
	l.paragraph(marginLeft, leftW, "致："+n.VoterLabel, "L", true)
	l.setFont(sizeBody)
	if len(n.Rooms) > 0 {
		l.fieldWidth("房屋", strings.Join(n.Rooms, "、"), 20, leftW)
	}
	l.space(1)
	l.paragraph(marginLeft, leftW, fmt.Sprintf("　　%s定于%s至%s，以%s方式召开%s。现将表决事项通知如下，请您在表决期间内投票。",
		n.Convenor, formatTime(n.OpensAt, zone), formatDeadline(n.ClosesAt, zone), n.Form, n.MeetingTitle), "L", false)
	l.space(1)
	l.fieldWidth("会议名称", n.MeetingTitle, 20, leftW)
	l.fieldWidth("召集人", n.Convenor, 20, leftW)
	l.fieldWidth("会议形式", n.Form, 20, leftW)
	l.fieldWidth("表决开始", formatTime(n.OpensAt, zone), 20, leftW)
	l.fieldWidth("表决截止", formatDeadline(n.ClosesAt, zone), 20, leftW)
	if l.pdf.PageNo() == l.groups[len(l.groups)-1].first {
		l.setY(max(l.y(), qrBottom))
	}

	l.section("一、表决事项")
	for i, item := range n.Items {
		l.noticeItem(i+1, item)
	}

	l.section("二、投票方式")
	l.setFont(sizeBody)
	if n.HowToVote != "" {
		l.field("电子表决", n.HowToVote)
	}
	if n.PaperChannel != "" {
		l.field("纸质表决票", n.PaperChannel)
	}
	counting := "每户（每位业主）只能提交一次表决票，提交后不能更改。表决票上未填写意见的事项按弃权计算，计入参与表决。" +
		"选举事项中同意的候选人数超过应选名额的，该事项表决无效。"
	// Keep the last paragraph with the signature so the signature never stands alone on a page.
	l.ensure(l.fieldHeight(counting, labelWidth, contentWidth) + signatureHeight)
	l.field("计票说明", counting)

	l.signature(n.Convenor, formatDate(n.NoticeAt, zone))
	return nil
}

// noticeItem prints one agenda item.
func (l *layout) noticeItem(number int, item NoticeItem) {
	l.space(1.5)
	title := fmt.Sprintf("%d. %s", number, item.Title)
	if item.IsElection {
		title += fmt.Sprintf("（应选 %d 名）", item.Seats)
	}
	l.heading(title, sizeHeading, 2*sizeBody*ptToMM*lineSpacing)
	l.setFont(sizeBody)
	if item.MatterLabel != "" {
		l.field("事项类别", item.MatterLabel)
	}
	if item.Text != "" {
		l.field("事项内容", item.Text)
	}
	if item.IsElection {
		if item.SeatsLine != "" {
			l.field("名额", item.SeatsLine)
		}
		l.field("候选人", joinNames(item.Candidates))
		if item.HowTo != "" {
			l.field("投票方式", item.HowTo)
		}
	}
}
