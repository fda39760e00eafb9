package pdfdoc

import (
	"context"
	"fmt"
	"io"
	"time"
)

// CommitteeNotice is a notice about a committee member that the street office or the
// committee posts on the estate's board (issue 12): the suspension of a member on a
// founded negative-list case (暂停履职公告), the outcome of the assembly's removal vote
// (罢免结果公告) and a change of members (委员变更公告: a seat ended, an alternate seated).
type CommitteeNotice struct {
	EstateName string
	Kind       string // the title: "暂停业主委员会委员履职公告", ...
	Subtitle   string
	DocNumber  string
	Version    int
	Fields     []NoticeField // the facts, label and value
	Paragraphs []string      // the body
	Issuer     string
	IssuedAt   time.Time
	VerifyURL  string
}

// NoticeField is one labelled fact of a notice.
type NoticeField struct {
	Label string
	Value string
}

// CommitteeNotice renders the notice as an A4 PDF to w, with the verification QR code
// of every published document; a done ctx stops it.
func (r *Renderer) CommitteeNotice(ctx context.Context, w io.Writer, n CommitteeNotice, meta Meta) error {
	switch {
	case n.DocNumber == "":
		return fmt.Errorf("%w: CommitteeNotice.DocNumber", ErrMissingField)
	case n.VerifyURL == "":
		return fmt.Errorf("%w: CommitteeNotice.VerifyURL", ErrMissingField)
	case n.Kind == "":
		return fmt.Errorf("%w: CommitteeNotice.Kind", ErrMissingField)
	}
	qr, err := newQR(n.VerifyURL)
	if err != nil {
		return err
	}
	l, err := r.newLayout(ctx, meta, n.EstateName+n.Kind+" "+n.DocNumber)
	if err != nil {
		return err
	}
	l.beginGroup("文号：" + n.DocNumber)
	l.documentTitle(n.EstateName, n.Kind, n.Subtitle)
	l.docNumberLine("文号", n.DocNumber, n.Version, "", false)
	l.setFont(sizeBody)
	for _, f := range n.Fields {
		l.field(f.Label, f.Value)
	}
	l.space(2)
	for _, p := range n.Paragraphs {
		l.paragraph(marginLeft, contentWidth, "　　"+p, "L", false)
		l.space(1)
	}
	l.signature(n.Issuer, formatDate(n.IssuedAt, r.zone))
	if err := l.verificationBlock(qr, "扫描二维码或访问下列网址，可核验本公告的真实性。", "文号："+n.DocNumber); err != nil {
		return err
	}
	return l.finish(w)
}
