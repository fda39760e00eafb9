package pdfdoc

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// Record is a plain official record (issue 13): a title block, labelled fields,
// sections of paragraphs and tables, signatures and the verification QR. The
// termination notice, the handover record, a district's red and black lists and an
// estate's public-income disclosure are Records.
type Record struct {
	Issuer   string // printed above the title, e.g. the estate or the district
	Title    string // the kind of record, e.g. 解除物业服务合同通知书
	Subtitle string
	// Addressee, when set, opens the record as a letter ("致：…").
	Addressee string
	Fields    []RecordField
	Sections  []RecordSection
	// Signatures are printed as a table of signers; SignedBy and SignedOn close the
	// record as the issuer's signature.
	Signatures []RecordSignature
	SignedBy   string
	SignedOn   string
	DocNumber  string
	VerifyURL  string
	// Draft renders an unnumbered preview marked 草稿 / DRAFT, without a verification QR
	// (DocNumber and VerifyURL are ignored).
	Draft bool
}

// RecordField is one labelled value.
type RecordField struct{ Label, Value string }

// RecordSection is a numbered section: paragraphs, then an optional table.
type RecordSection struct {
	Heading    string
	Paragraphs []string
	Columns    []RecordColumn
	Rows       [][]string
}

// RecordColumn is a table column with a relative width and alignment ("L", "C", "R").
type RecordColumn struct {
	Header string
	Width  float64
	Align  string
}

// RecordSignature is one signer of a record.
type RecordSignature struct {
	Role, Name string
	SignedAt   time.Time
}

// Record renders the record as an A4 PDF to w; a done ctx stops it.
func (r *Renderer) Record(ctx context.Context, w io.Writer, d Record, meta Meta) error {
	switch {
	case d.Title == "":
		return fmt.Errorf("%w: Record.Title", ErrMissingField)
	case d.Draft:
	case d.DocNumber == "":
		return fmt.Errorf("%w: Record.DocNumber", ErrMissingField)
	case d.VerifyURL == "":
		return fmt.Errorf("%w: Record.VerifyURL", ErrMissingField)
	}
	var qr qrCode
	title, group := d.Issuer+d.Title+" "+d.DocNumber, "编号："+d.DocNumber
	if d.Draft {
		title, group = d.Issuer+d.Title+"（草稿 / DRAFT）", DraftMark
	} else {
		var err error
		if qr, err = newQR(d.VerifyURL); err != nil {
			return err
		}
	}
	l, err := r.newLayout(ctx, meta, title)
	if err != nil {
		return err
	}
	if d.Draft {
		l.markDraft()
	}
	l.beginGroup(group)
	l.documentTitle(d.Issuer, d.Title, d.Subtitle)
	if d.Draft {
		l.setFont(sizeBody)
		l.paragraph(marginLeft, contentWidth, DraftMark+"：未编号的预览，不是正式文件 / unnumbered preview, not issued", "R", true)
		l.space(1)
	} else {
		l.docNumberLine("编号", d.DocNumber, 0, "", false)
	}
	l.setFont(sizeBody)
	if d.Addressee != "" {
		l.paragraph(marginLeft, contentWidth, "致："+d.Addressee, "L", true)
		l.space(1)
	}
	for _, f := range d.Fields {
		l.field(f.Label, f.Value)
	}
	for i, s := range d.Sections {
		if l.stopped() {
			break
		}
		l.section(fmt.Sprintf("%s、%s", chineseNumeral(i+1), s.Heading))
		l.setFont(sizeBody)
		for _, para := range s.Paragraphs {
			for _, line := range strings.Split(strings.ReplaceAll(para, "\r\n", "\n"), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					l.paragraph(marginLeft, contentWidth, "　　"+line, "L", false)
					l.space(1)
				}
			}
		}
		if len(s.Columns) > 0 {
			cols := make([]column, len(s.Columns))
			for j, c := range s.Columns {
				cols[j] = column{header: c.Header, width: c.Width, align: c.Align}
			}
			rows := s.Rows
			if len(rows) == 0 {
				rows = [][]string{append([]string{"无"}, make([]string, len(cols)-1)...)}
			}
			l.table(cols, rows)
		}
	}
	if len(d.Signatures) > 0 {
		l.section(fmt.Sprintf("%s、签名确认", chineseNumeral(len(d.Sections)+1)))
		rows := make([][]string, 0, len(d.Signatures))
		for _, s := range d.Signatures {
			rows = append(rows, []string{s.Role, s.Name, formatTime(s.SignedAt, r.zone)})
		}
		l.table([]column{{header: "身份", width: 50, align: "L"}, {header: "签名", width: 60, align: "L"}, {header: "签名时间", width: 64, align: "C"}}, rows)
	}
	if d.SignedBy != "" {
		l.signature(d.SignedBy, d.SignedOn)
	}
	if d.Draft {
		return l.finish(w)
	}
	if err := l.verificationBlock(qr, "扫描二维码或访问下列网址，可核验本文件的真实性与完整内容。", "编号："+d.DocNumber); err != nil {
		return err
	}
	return l.finish(w)
}
