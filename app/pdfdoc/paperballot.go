package pdfdoc

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// PaperBallotItem is one item of a paper ballot: ordinary items are answered by ticking
// one of 同意 / 反对 / 弃权; an election by ticking the candidates agreed with, at most Seats.
type PaperBallotItem struct {
	Title, Text string
	IsElection  bool
	Seats       int
	Candidates  []string
	HowTo       string // an election item's wording (rules.ElectionHowTo)
}

// PaperBallot is the printed ballot (表决票) of one voter (a household): the meeting, the
// rooms, every item with boxes to tick, the signature lines, and a QR code holding
// BallotCode, the ballot's identity (vote and voter, no credential) that staff scan to
// find the voter when they enter the ballot.
type PaperBallot struct {
	EstateName, MeetingTitle, Convenor string
	OpensAt, ClosesAt                  time.Time
	Rooms                              []string
	Area                               string // m², two decimals
	Items                              []PaperBallotItem
	BallotCode                         string
	// HandIn says where and until when the ballot is handed in.
	HandIn string
}

// PaperBallots renders one PDF with every voter's ballot starting on its own page (a long
// agenda flows onto further pages of the same voter). A done ctx stops it between ballots.
func (r *Renderer) PaperBallots(ctx context.Context, w io.Writer, ballots []PaperBallot, meta Meta) error {
	if len(ballots) == 0 {
		return fmt.Errorf("%w: no ballots", ErrMissingField)
	}
	codes := make([]string, len(ballots))
	for i, b := range ballots {
		if b.BallotCode == "" {
			return fmt.Errorf("%w: PaperBallots[%d].BallotCode", ErrMissingField, i)
		}
		codes[i] = b.BallotCode
	}
	qrs, err := encodeQRs(ctx, codes)
	if err != nil {
		return err
	}
	l, err := r.newLayout(ctx, meta, ballots[0].EstateName+"业主大会会议表决票")
	if err != nil {
		return err
	}
	for i, b := range ballots {
		if l.stopped() {
			return fmt.Errorf("pdfdoc: ballots stopped before ballot %d of %d: %w", i+1, len(ballots), ctx.Err())
		}
		if err := l.paperBallot(b, qrs[i], r.zone); err != nil {
			return fmt.Errorf("ballot %d: %w", i, err)
		}
	}
	return l.finish(w)
}

// boxSize is the side of a tick box, in mm.
const boxSize = 4.2

// tickBox draws an empty box with its label at (x, y) and returns the x after it.
func (l *layout) tickBox(x, y float64, label string) float64 {
	l.pdf.SetLineWidth(0.3)
	l.pdf.Rect(x, y+(l.lineHeight()-boxSize)/2, boxSize, boxSize, "D")
	l.pdf.SetLineWidth(lineThin)
	w := 0.0
	for _, r := range label {
		w += l.runeWidth(r)
	}
	l.textAt(x+boxSize+1.5, y, w+1, l.lineHeight(), label, "L", false)
	return x + boxSize + 1.5 + w + 10
}

// paperBallot prints one voter's ballot.
func (l *layout) paperBallot(b PaperBallot, qr qrCode, zone *time.Location) error {
	rooms := strings.Join(b.Rooms, "、")
	l.beginGroup("表决票 " + rooms)
	l.documentTitle(b.EstateName, "业主大会会议表决票", b.MeetingTitle)

	top := l.y()
	qrX := marginLeft + contentWidth - noticeQRWidth + (noticeQRWidth-qr.size)/2
	if err := l.drawQR(qr, qrX, top); err != nil {
		return err
	}
	l.setFont(sizeSmall)
	l.setY(top + qr.size)
	l.paragraph(marginLeft+contentWidth-noticeQRWidth, noticeQRWidth, "表决票识别码（工作人员登记用）\n"+qr.content, "C", false)
	qrBottom := l.y()

	leftW := contentWidth - noticeQRWidth - 4
	l.setY(top)
	l.setFont(sizeSubtitle)
	l.paragraph(marginLeft, leftW, "房屋："+rooms, "L", true)
	l.setFont(sizeBody)
	if b.Area != "" {
		l.fieldWidth("专有部分面积", b.Area+" 平方米", 26, leftW)
	}
	l.fieldWidth("召集人", b.Convenor, 26, leftW)
	l.fieldWidth("表决期间", formatTime(b.OpensAt, zone)+" 至 "+formatDeadline(b.ClosesAt, zone), 26, leftW)
	l.space(1)
	l.paragraph(marginLeft, leftW, "填写说明：每个事项请在一个方框内打“√”；未填写意见的事项按弃权计算。"+
		"选举事项请在同意的候选人后打“√”，同意人数不得超过应选名额，超过的该事项无效。本票每户一张，签名后有效。", "L", false)
	l.setY(max(l.y(), qrBottom) + 2)

	for i, it := range b.Items {
		if l.stopped() {
			break
		}
		title := fmt.Sprintf("%d. %s", i+1, it.Title)
		if it.IsElection {
			title += fmt.Sprintf("（应选 %d 名）", it.Seats)
		}
		l.space(1.5)
		l.heading(title, sizeHeading, 3*sizeBody*ptToMM*lineSpacing)
		l.setFont(sizeBody)
		if it.Text != "" {
			l.paragraph(marginLeft, contentWidth, it.Text, "L", false)
		}
		if it.IsElection && it.HowTo != "" {
			l.paragraph(marginLeft, contentWidth, it.HowTo, "L", true)
		}
		l.space(1)
		if !it.IsElection {
			l.ensure(l.lineHeight() + 2)
			y := l.y()
			x := marginLeft + 6
			for _, opt := range []string{"同意", "反对", "弃权"} {
				x = l.tickBox(x, y, opt)
			}
			l.setY(y + l.lineHeight() + 1.5)
			continue
		}
		for _, name := range it.Candidates {
			l.ensure(l.lineHeight() + 1)
			y := l.y()
			l.textAt(marginLeft+6, y, 50, l.lineHeight(), name, "L", false)
			l.tickBox(marginLeft+60, y, "同意")
			l.setY(y + l.lineHeight() + 1)
		}
	}

	l.space(3)
	l.ensure(4 * l.lineHeight())
	if b.HandIn != "" {
		l.paragraph(marginLeft, contentWidth, b.HandIn, "L", false)
		l.space(2)
	}
	l.paragraph(marginLeft, contentWidth, "业主（或受托人）签名：________________________　　日期：______________", "L", false)
	l.space(2)
	l.paragraph(marginLeft, contentWidth, "受托人投票的，请附书面委托书，并填写受托人证件号码后 6 位：______________", "L", false)
	return nil
}
