package pdfdoc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/jung-kurt/gofpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageWidth     = 210.0
	pageHeight    = 297.0
	marginLeft    = 20.0
	marginRight   = 20.0
	marginTop     = 18.0
	contentBottom = pageHeight - 22.0
	footerY       = pageHeight - 15.0
	contentWidth  = pageWidth - marginLeft - marginRight
	ptToMM        = 25.4 / 72
	lineSpacing   = 1.45
	epsilon       = 0.01
)

// Font sizes in points.
const (
	sizeTitle    = 20.0
	sizeSubtitle = 13.0
	sizeSection  = 12.5
	sizeHeading  = 11.0
	sizeBody     = 10.5
	sizeTable    = 9.5
	sizeSmall    = 7.5
	sizeFooter   = 8.0
)

// Strokes and table padding in millimetres.
const (
	lineThin   = 0.2
	boldStroke = 0.12
	cellPadX   = 1.5
	cellPadY   = 1.2
	labelWidth = 30.0
	// qrSymbolMM is the printed width of the QR symbol itself; its 4-module quiet zone is
	// added around it, so the printed square is larger.
	qrSymbolMM = 30.0
	// qrQuietModules is go-qrcode's quiet zone on each side of the symbol.
	qrQuietModules = 4
)

// Ideographic punctuation that must not start a line, and opening marks that must not end one.
const (
	noLineStart = "，。、；：？！）》」』”’】〉…%,.;:?!)]}"
	noLineEnd   = "（《「『“‘【〈([{"
)

// pageGroup is a run of pages numbered together in the footer ("第 N 页 / 共 M 页").
type pageGroup struct {
	first, last int
	label       string
}

// layout draws one document: it owns the gofpdf document, tracks the current font size and
// the page groups, and does all line breaking itself (gofpdf's own wrapping splits on spaces,
// which Chinese text does not have).
type layout struct {
	ctx      context.Context
	pdf      *gofpdf.Fpdf
	coverage *glyphCoverage
	pt       float64
	units    map[rune]int
	groups   []pageGroup
	// onNewPage runs after every page break inside a group, e.g. to repeat a table header.
	onNewPage func()
}

// newLayout creates an A4 document with the renderer's font and fixed metadata, drawn
// while ctx lasts.
func (r *Renderer) newLayout(ctx context.Context, meta Meta, title string) (*layout, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pdfdoc: %w", err)
	}
	pdf := gofpdf.NewCustom(&gofpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "mm",
		Size:           gofpdf.SizeType{Wd: pageWidth, Ht: pageHeight},
	})
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	if !meta.CreatedAt.IsZero() {
		pdf.SetCreationDate(meta.CreatedAt)
		pdf.SetModificationDate(meta.CreatedAt)
	}
	pdf.SetTitle(title, true)
	pdf.SetCreator("gongzhi", true)
	pdf.SetMargins(marginLeft, marginTop, marginRight)
	pdf.SetAutoPageBreak(false, pageHeight-contentBottom)
	// Boxes are positioned exactly; gofpdf would otherwise indent cell text by 1 mm.
	pdf.SetCellMargin(0)
	pdf.AddUTF8FontFromBytes(fontFamily, "", r.font)
	pdf.SetFont(fontFamily, "", sizeBody)
	pdf.SetLineWidth(lineThin)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetTextColor(0, 0, 0)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("pdfdoc: load font: %w", err)
	}
	return &layout{ctx: ctx, pdf: pdf, coverage: r.coverage, pt: sizeBody, units: make(map[rune]int, 1024)}, nil
}

// stopped reports whether the layout's context is done. The first time it is, gofpdf
// is put into its error state, so every further drawing call does nothing, and finish
// returns the context's error: a loop over pages, rows or notices asks this to stop.
func (l *layout) stopped() bool {
	if err := l.ctx.Err(); err != nil {
		l.pdf.SetError(err)
		return true
	}
	return false
}

// finish writes the footers and the PDF, unless the context is done.
func (l *layout) finish(w io.Writer) error {
	if l.stopped() {
		return fmt.Errorf("pdfdoc: render stopped: %w", l.ctx.Err())
	}
	l.writeFooters()
	if err := l.pdf.Error(); err != nil {
		return fmt.Errorf("pdfdoc: render: %w", err)
	}
	if err := l.pdf.Output(w); err != nil {
		return fmt.Errorf("pdfdoc: write PDF: %w", err)
	}
	return nil
}

// beginGroup starts a new page that opens a separately numbered group of pages.
func (l *layout) beginGroup(label string) {
	l.onNewPage = nil
	l.pdf.AddPage()
	l.pdf.SetXY(marginLeft, marginTop)
	l.groups = append(l.groups, pageGroup{first: l.pdf.PageNo(), last: l.pdf.PageNo(), label: label})
}

// addPage starts a page and puts the cursor at the top margin.
func (l *layout) addPage() {
	l.stopped()
	l.pdf.AddPage()
	l.pdf.SetXY(marginLeft, marginTop)
	if n := len(l.groups); n > 0 {
		l.groups[n-1].last = l.pdf.PageNo()
	}
}

// breakPage starts a page within the current group and runs the page hook.
func (l *layout) breakPage() {
	l.addPage()
	if l.onNewPage != nil {
		l.onNewPage()
	}
}

// writeFooters goes back to every page and prints "第 N 页 / 共 M 页", numbered within the
// page's group, and the group's label at the left.
func (l *layout) writeFooters() {
	for _, g := range l.groups {
		total := g.last - g.first + 1
		for p := g.first; p <= g.last; p++ {
			l.pdf.SetPage(p)
			// SetFontSize always re-emits the font, which the earlier page may have changed.
			l.pdf.SetFontSize(sizeFooter)
			l.pt = sizeFooter
			l.pdf.SetTextColor(90, 90, 90)
			lh := l.lineHeight()
			if g.label != "" {
				// The label keeps clear of the centred page number; a long one is cut short.
				labelW := contentWidth/2 - 22
				label := l.wrap(g.label, labelW-l.runeWidth('…'))
				if len(label) > 1 {
					label[0] += "…"
				}
				l.textAt(marginLeft, footerY, labelW, lh, label[0], "L", false)
			}
			l.textAt(marginLeft, footerY, contentWidth, lh, fmt.Sprintf("第 %d 页 / 共 %d 页", p-g.first+1, total), "C", false)
			l.pdf.SetTextColor(0, 0, 0)
		}
	}
	if n := l.pdf.PageCount(); n > 0 {
		l.pdf.SetPage(n)
	}
}

// setFont selects a font size in points.
func (l *layout) setFont(pt float64) {
	if pt != l.pt {
		l.pdf.SetFontSize(pt)
		l.pt = pt
	}
}

// lineHeight is the distance between baselines for the current font size, in mm.
func (l *layout) lineHeight() float64 {
	return l.pt * ptToMM * lineSpacing
}

// y is the current vertical position.
func (l *layout) y() float64 { return l.pdf.GetY() }

// setY moves the cursor down (or up) to y at the left margin.
func (l *layout) setY(y float64) { l.pdf.SetXY(marginLeft, y) }

// space adds vertical space unless it would cross the bottom of the page.
func (l *layout) space(h float64) {
	if l.y()+h > contentBottom {
		l.breakPage()
		return
	}
	l.setY(l.y() + h)
}

// ensure starts a new page unless h mm still fit on the current one; it reports whether it broke.
func (l *layout) ensure(h float64) bool {
	if l.y()+h <= contentBottom+epsilon {
		return false
	}
	l.breakPage()
	return true
}

// textAt prints one already-wrapped line in a box; strong text is filled and stroked, which
// reads as bold (the embedded font has no bold face).
func (l *layout) textAt(x, y, w, h float64, line, align string, strong bool) {
	l.pdf.SetXY(x, y)
	if strong {
		l.pdf.SetLineWidth(boldStroke)
		l.pdf.SetTextRenderingMode(2)
	}
	l.pdf.CellFormat(w, h, line, "", 0, align, false, 0, "")
	if strong {
		l.pdf.SetTextRenderingMode(0)
		l.pdf.SetLineWidth(lineThin)
	}
}

// runeWidth is the advance of r at the current size, in mm.
func (l *layout) runeWidth(r rune) float64 {
	u, ok := l.units[r]
	if !ok {
		u = l.pdf.GetStringSymbolWidth(string(r))
		l.units[r] = u
	}
	return float64(u) * l.pt * ptToMM / 1000
}

// lookalike returns a close printable twin for common characters outside GB 2312.
func lookalike(r rune) (rune, bool) {
	switch r {
	case '〇': // ideographic zero, as in 二〇二六年
		return '○', true
	case '–', '‐': // en dash, hyphen
		return '-', true
	case '•':
		return '·', true
	case '∶': // ratio sign
		return '：', true
	}
	return 0, false
}

// printable maps a character the font cannot draw to its lookalike, or else to the
// missing-glyph mark.
func (l *layout) printable(r rune) rune {
	switch {
	case r == '\t':
		return ' '
	case r < ' ':
		return missingGlyphMark
	case l.coverage.has(r):
		return r
	}
	if twin, ok := lookalike(r); ok && l.coverage.has(twin) {
		return twin
	}
	return missingGlyphMark
}

// segment is an unbreakable piece of a line: one CJK character, a run of ASCII
// letters/digits/punctuation (a number, a word, a URL) or a space.
type segment struct {
	text  string
	width float64
	space bool
}

// segments splits one paragraph (no newlines) into breakable pieces.
func (l *layout) segments(text string) []segment {
	var segs []segment
	var word strings.Builder
	wordWidth := 0.0
	flush := func() {
		if word.Len() > 0 {
			segs = append(segs, segment{text: word.String(), width: wordWidth})
			word.Reset()
			wordWidth = 0
		}
	}
	for _, r := range text {
		r = l.printable(r)
		switch {
		case r == ' ':
			flush()
			segs = append(segs, segment{text: " ", width: l.runeWidth(' '), space: true})
		case r < 0x80:
			word.WriteRune(r)
			wordWidth += l.runeWidth(r)
		default:
			flush()
			segs = append(segs, segment{text: string(r), width: l.runeWidth(r)})
		}
	}
	flush()
	return segs
}

// wrap breaks text into lines no wider than width (mm) at the current font size. Newlines
// start new lines; CJK text breaks between any two characters except before closing and after
// opening punctuation; ASCII runs break only at spaces unless they are longer than a line.
func (l *layout) wrap(text string, width float64) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		lines = append(lines, l.wrapParagraph(l.segments(para), width)...)
	}
	return lines
}

// wrapParagraph lays segments greedily into lines.
func (l *layout) wrapParagraph(segs []segment, width float64) []string {
	var lines []string
	var cur []segment
	curWidth := 0.0
	emit := func() {
		for len(cur) > 0 && cur[len(cur)-1].space {
			cur = cur[:len(cur)-1]
		}
		var b strings.Builder
		for _, s := range cur {
			b.WriteString(s.text)
		}
		lines = append(lines, b.String())
		cur, curWidth = nil, 0
	}
	for i := 0; i < len(segs); i++ {
		s := segs[i]
		switch {
		case s.space && len(cur) == 0 && len(lines) > 0:
			// a space at the start of a continuation line is dropped
		case curWidth+s.width <= width+epsilon:
			cur = append(cur, s)
			curWidth += s.width
		case s.space:
			emit()
		case s.width > width:
			// longer than a whole line (a URL): break between characters
			for _, r := range s.text {
				rw := l.runeWidth(r)
				if curWidth+rw > width+epsilon && len(cur) > 0 {
					emit()
				}
				cur = append(cur, segment{text: string(r), width: rw})
				curWidth += rw
			}
		default:
			var carry []segment
			if strings.Contains(noLineStart, s.text) && len(cur) > 1 {
				carry = append(carry, cur[len(cur)-1])
				cur = cur[:len(cur)-1]
			}
			for len(cur) > 1 && strings.Contains(noLineEnd, cur[len(cur)-1].text) {
				carry = append([]segment{cur[len(cur)-1]}, carry...)
				cur = cur[:len(cur)-1]
			}
			emit()
			for _, c := range carry {
				cur = append(cur, c)
				curWidth += c.width
			}
			i-- // place s on the new line
		}
	}
	if len(cur) > 0 || len(lines) == 0 {
		emit()
	}
	return lines
}

// paragraph prints wrapped text at x with the given width, breaking pages between lines.
func (l *layout) paragraph(x, width float64, text, align string, strong bool) {
	lh := l.lineHeight()
	for _, line := range l.wrap(text, width) {
		l.ensure(lh)
		y := l.y()
		l.textAt(x, y, width, lh, line, align, strong)
		l.setY(y + lh)
	}
}

// heading prints a strong, wrapped heading and keeps it on a page with the next few lines.
func (l *layout) heading(text string, pt float64, keepWith float64) {
	l.setFont(pt)
	lines := l.wrap(text, contentWidth)
	l.ensure(float64(len(lines))*l.lineHeight() + keepWith)
	l.paragraph(marginLeft, contentWidth, text, "L", true)
}

// field prints "label：value" with the value wrapped in a column to the right of the label.
func (l *layout) field(label, value string) {
	l.fieldWidth(label, value, labelWidth, contentWidth)
}

// fieldWidth is field with an explicit label column and total width.
func (l *layout) fieldWidth(label, value string, labelW, totalW float64) {
	l.labeled(label, value, labelW, totalW, false)
}

// labeled prints a strong "label：" and the value wrapped beside it; the label column widens
// for a label that does not fit in labelW.
func (l *layout) labeled(label, value string, labelW, totalW float64, strongValue bool) {
	label += "："
	labelW = max(labelW, l.pdf.GetStringWidth(label)+1)
	lh := l.lineHeight()
	lines := l.wrap(value, totalW-labelW)
	l.ensure(math.Min(float64(len(lines)), 2) * lh)
	for i, line := range lines {
		if i > 0 {
			l.ensure(lh)
		}
		y := l.y()
		if i == 0 {
			l.textAt(marginLeft, y, labelW, lh, label, "L", true)
		}
		l.textAt(marginLeft+labelW, y, totalW-labelW, lh, line, "L", strongValue)
		l.setY(y + lh)
	}
}

// fieldHeight is the height field would take for value at the current font size.
func (l *layout) fieldHeight(value string, labelW, totalW float64) float64 {
	return float64(len(l.wrap(value, totalW-labelW))) * l.lineHeight()
}

// column describes one table column.
type column struct {
	header string
	// width is relative to the other columns; the table fills the content width.
	width  float64
	align  string
	strong bool
}

// table prints a bordered table across the full content width; column widths are relative and
// scaled to fit. Rows break across pages between lines, the header row is repeated on every
// page, and a row taller than a page is split.
func (l *layout) table(relative []column, rows [][]string) {
	total := 0.0
	for _, c := range relative {
		total += c.width
	}
	cols := make([]column, len(relative))
	for i, c := range relative {
		c.width = c.width * contentWidth / total
		cols[i] = c
	}
	l.setFont(sizeTable)
	lh := l.lineHeight()
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.header
	}
	headerLines := l.wrapCells(cols, headers)
	headerRows := maxLines(headerLines)
	fresh := false
	drawHeader := func() {
		l.setFont(sizeTable)
		l.drawRow(cols, headerLines, 0, headerRows, true, true)
		fresh = true
	}
	firstRows := 1
	if len(rows) > 0 {
		firstRows = maxLines(l.wrapCells(cols, rows[0]))
	}
	l.ensure(float64(headerRows+min(firstRows, 8))*lh + 4*cellPadY)
	drawHeader()
	previousHook := l.onNewPage
	l.onNewPage = drawHeader
	defer func() { l.onNewPage = previousHook }()
	pageRoom := contentBottom - marginTop - float64(headerRows)*lh - 2*cellPadY
	for _, row := range rows {
		if l.stopped() {
			return
		}
		lines := l.wrapCells(cols, row)
		n := maxLines(lines)
		for start := 0; start < n; {
			rest := n - start
			room := int((contentBottom - l.y() - 2*cellPadY + epsilon) / lh)
			switch {
			case rest <= room:
				l.drawRow(cols, lines, start, rest, start == 0, false)
				start = n
			case !fresh && (float64(rest)*lh+2*cellPadY <= pageRoom+epsilon || room < 1):
				// the row fits on a page of its own: move it whole
				l.breakPage()
			default:
				// taller than a page: fill this one and continue on the next
				room = max(room, 1)
				l.drawRow(cols, lines, start, room, false, false)
				start += room
				if start < n {
					l.breakPage()
				}
			}
		}
		fresh = false
	}
}

// wrapCells wraps each cell of a row into its column.
func (l *layout) wrapCells(cols []column, cells []string) [][]string {
	out := make([][]string, len(cols))
	for i, c := range cols {
		text := ""
		if i < len(cells) {
			text = cells[i]
		}
		out[i] = l.wrap(text, c.width-2*cellPadX)
	}
	return out
}

// maxLines is the number of lines of the tallest cell.
func maxLines(cells [][]string) int {
	n := 1
	for _, c := range cells {
		n = max(n, len(c))
	}
	return n
}

// drawRow prints lines [start, start+count) of every cell as one bordered row.
func (l *layout) drawRow(cols []column, cells [][]string, start, count int, center, header bool) {
	lh := l.lineHeight()
	h := float64(count)*lh + 2*cellPadY
	x, y := marginLeft, l.y()
	for i, c := range cols {
		if header {
			l.pdf.SetFillColor(232, 232, 232)
			l.pdf.Rect(x, y, c.width, h, "FD")
		} else {
			l.pdf.Rect(x, y, c.width, h, "D")
		}
		lines := cells[i]
		if start < len(lines) {
			lines = lines[start:min(len(lines), start+count)]
		} else {
			lines = nil
		}
		offset := cellPadY
		if center {
			offset += float64(count-len(lines)) * lh / 2
		}
		align := c.align
		if header {
			align = "C"
		}
		for j, line := range lines {
			l.textAt(x+cellPadX, y+offset+float64(j)*lh, c.width-2*cellPadX, lh, line, align, header || c.strong)
		}
		x += c.width
	}
	l.setY(y + h)
}

// qrCode is an encoded QR code ready to be placed.
type qrCode struct {
	content string
	// modules is the symbol with its quiet zone, row by row; true is a dark module.
	modules [][]bool
	// size is the printed width and height in mm, quiet zone included.
	size float64
}

// newQR encodes content with Medium error correction so that the symbol prints qrSymbolMM
// wide, plus its quiet zone.
func newQR(content string) (qrCode, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return qrCode{}, fmt.Errorf("pdfdoc: encode QR code: %w", err)
	}
	modules := q.Bitmap()
	n := len(modules)
	if n <= 2*qrQuietModules {
		return qrCode{}, fmt.Errorf("pdfdoc: QR bitmap of %d modules", n)
	}
	return qrCode{content: content, modules: modules, size: qrSymbolMM * float64(n) / float64(n-2*qrQuietModules)}, nil
}

// drawQR places the code with its top-left corner at (x, y) and links it to its content.
//
// The modules are drawn as vector rectangles, one per horizontal run of dark modules, filled
// as a single path: the print is sharp at any resolution, there are no seams between
// modules, and the output is deterministic. (gofpdf 1.16.2 orders image objects by width and
// then by map iteration, so a document with several same-sized PNG codes would differ from
// run to run.) A transformation makes one module one unit, so the rectangles are integers.
func (l *layout) drawQR(qr qrCode, x, y float64) error {
	k := l.pdf.GetConversionRatio()
	n := len(qr.modules)
	module := qr.size / float64(n) * k
	buf := make([]byte, 0, 64+16*n*n/4)
	buf = fmt.Appendf(buf, "q %.4f 0 0 %.4f %.3f %.3f cm 0 g\n", module, module, x*k, (pageHeight-y-qr.size)*k)
	for row, line := range qr.modules {
		bottom := n - 1 - row // PDF y grows upwards
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			start := col
			for col < len(line) && line[col] {
				col++
			}
			buf = strconv.AppendInt(buf, int64(start), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(bottom), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(col-start), 10)
			buf = append(buf, " 1 re\n"...)
		}
	}
	buf = append(buf, "f Q"...)
	l.pdf.RawWriteStr(string(buf))
	l.pdf.LinkString(x, y, qr.size, qr.size, qr.content)
	if err := l.pdf.Error(); err != nil {
		return fmt.Errorf("pdfdoc: draw QR code: %w", err)
	}
	return nil
}

// encodeQRs encodes one QR code per content on all CPUs (go-qrcode's encoder is the most
// expensive step of a notice) and returns them in input order, or ctx's error as soon as
// it is done.
func encodeQRs(ctx context.Context, contents []string) ([]qrCode, error) {
	codes := make([]qrCode, len(contents))
	errs := make([]error, len(contents))
	workers := min(runtime.GOMAXPROCS(0), len(contents))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(contents); i += workers {
				if ctx.Err() != nil {
					return
				}
				var err error
				if codes[i], err = newQR(contents[i]); err != nil {
					errs[i] = fmt.Errorf("QR code %d: %w", i, err)
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pdfdoc: QR codes: %w", err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return codes, nil
}

// DraftMark is the words that mark a preview which is not an issued document.
const DraftMark = "草稿 / DRAFT"

// markDraft marks every page started from now on with DraftMark: small and red at its
// top, and large, light grey and slanted across it, under the text.
func (l *layout) markDraft() {
	l.pdf.SetHeaderFuncMode(func() {
		x, y := l.pdf.GetXY()
		l.pdf.SetTextColor(215, 215, 215)
		l.pdf.SetFont(fontFamily, "", 60)
		l.pdf.TransformBegin()
		l.pdf.TransformRotate(35, pageWidth/2, pageHeight/2)
		l.pdf.SetXY(0, pageHeight/2-12)
		l.pdf.CellFormat(pageWidth, 24, DraftMark, "", 0, "C", false, 0, "")
		l.pdf.TransformEnd()
		l.pdf.SetTextColor(200, 0, 0)
		l.pdf.SetFont(fontFamily, "", sizeBody)
		l.pdf.SetXY(marginLeft, 6)
		l.pdf.CellFormat(contentWidth, 5, DraftMark, "", 0, "C", false, 0, "")
		l.pdf.SetTextColor(0, 0, 0)
		l.pdf.SetFont(fontFamily, "", l.pt)
		l.pdf.SetXY(x, y)
	}, false)
}
