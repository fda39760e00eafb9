package pdfdoc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Outcome words printed on the documents, exactly as the rulebook names them.
const (
	OutcomePassed    = "通过"
	OutcomeFailed    = "未通过"
	OutcomeElected   = "当选"
	OutcomeAlternate = "候补"
	OutcomeRunoff    = "进入重新投票"
	OutcomeNotChosen = "未当选"
)

// Figure is one count shown in a result table, already formatted by the caller: an area in
// square metres with two decimals (e.g. "2696.04"), its percentage ("100.00%"), a headcount and
// its percentage.
type Figure struct {
	Area             string
	AreaPercent      string
	Headcount        int
	HeadcountPercent string
}

// ResolutionItem is the result of one ordinary item: the agree, oppose and abstain figures
// (percentages of the participating area and headcount), the threshold in words, the legal
// basis (e.g. 《民法典》第二百七十八条) and whether it passed.
type ResolutionItem struct {
	Title, Text, MatterLabel string
	Agree, Oppose, Abstain   Figure
	Rule                     string
	LegalBasis               string
	Passed                   bool
}

// ElectionCandidate is one candidate's agreeing figures and whether they reached the
// double majority on their own.
type ElectionCandidate struct {
	Name      string
	Agree     Figure
	Qualified bool
}

// ResolutionElection is the result of a committee-election item. Candidates are printed in
// the given order; Elected, Alternates (in rank order) and Runoff (tied across the last seat)
// name candidates, and any other candidate is printed as 未当选. Rule and LegalBasis are
// optional and printed when set.
type ResolutionElection struct {
	Title           string
	Seats           int
	Candidates      []ElectionCandidate
	Elected         []string
	Alternates      []string
	Runoff          []string
	CommitteeFormed bool
	VacantSeats     int
	Rule            string
	LegalBasis      string
	HowTo           string // how the item was answered (rules.ElectionHowTo)
}

// Resolution is an owners' assembly decision (业主大会决议) as published.
type Resolution struct {
	// DocNumber identifies this version of the document, e.g. "GZ-2026-000012-V1".
	DocNumber string
	// Version counts published versions from 1; Supersedes is the DocNumber it replaces.
	Version    int
	Supersedes string
	// Annotated tells that this version only adds what became known after the one it
	// supersedes (the publication and objection dates, 补注), not a correction.
	Annotated bool
	// Draft renders an unnumbered preview: marked 草稿 / DRAFT on every page, with no
	// number and no verification QR (DocNumber and VerifyURL are ignored).
	Draft bool

	EstateName, CommunityName, StreetName string
	MeetingTitle, Convenor                string
	// Form is 书面征求意见 (written consultation) or 集体讨论 (collective discussion).
	Form string

	NoticeAt, OpensAt, ClosesAt time.Time
	// PublishedAt is when the result is published; objections are possible until ObjectionUntil.
	PublishedAt, ObjectionUntil time.Time

	// LegalProfileLabel and JurisdictionLabel name the rules the vote was counted under.
	LegalProfileLabel, JurisdictionLabel string

	// TotalArea (m², two decimals) and TotalHeadcount come from the frozen register; the
	// percentages of Participating are of these totals.
	TotalArea      string
	TotalHeadcount int
	Participating  Figure
	// QuorumRule states the participation requirement in words; QuorumMet whether it was met.
	QuorumRule string
	QuorumMet  bool

	Items     []ResolutionItem
	Elections []ResolutionElection

	// VerifyURL goes into the QR code and is printed below it.
	VerifyURL string

	// LogRoot is the root hash (hex) of the ballot log's closing head, signed at the
	// close, over LogSize leaves (app/ballotlog, docs/bundle.md); empty: not printed.
	LogRoot string
	LogSize uint64
}

// ErrMissingField reports input without a field the document cannot do without.
var ErrMissingField = errors.New("pdfdoc: missing required field")

// Resolution renders the decision as an A4 PDF to w; a done ctx stops it.
func (r *Renderer) Resolution(ctx context.Context, w io.Writer, doc Resolution, meta Meta) error {
	switch {
	case doc.Draft:
	case doc.DocNumber == "":
		return fmt.Errorf("%w: Resolution.DocNumber", ErrMissingField)
	case doc.VerifyURL == "":
		return fmt.Errorf("%w: Resolution.VerifyURL", ErrMissingField)
	}
	var qr qrCode
	title, group := doc.EstateName+"业主大会决议 "+doc.DocNumber, "文号："+doc.DocNumber
	if doc.Draft {
		title, group = doc.EstateName+"业主大会决议（草稿 / DRAFT）", DraftMark
	} else {
		var err error
		if qr, err = newQR(doc.VerifyURL); err != nil {
			return err
		}
	}
	l, err := r.newLayout(ctx, meta, title)
	if err != nil {
		return err
	}
	if doc.Draft {
		l.markDraft()
	}
	l.beginGroup(group)
	l.documentTitle(doc.EstateName, "业主大会决议", doc.MeetingTitle)
	if doc.Draft {
		l.setFont(sizeBody)
		l.paragraph(marginLeft, contentWidth, DraftMark+"：未编号的预览，不是正式文件 / unnumbered preview, not issued", "R", true)
		l.space(1)
	} else {
		l.docNumberLine("文号", doc.DocNumber, doc.Version, doc.Supersedes, doc.Annotated)
	}

	l.section("一、会议基本情况")
	l.setFont(sizeBody)
	l.field("物业管理区域", doc.EstateName)
	if place := joinNonEmpty(doc.StreetName, doc.CommunityName); place != "" {
		l.field("所在街道社区", place)
	}
	l.field("会议名称", doc.MeetingTitle)
	l.field("召集人", doc.Convenor)
	l.field("会议形式", doc.Form)
	l.field("通知发出时间", formatTime(doc.NoticeAt, r.zone))
	l.field("表决期间", formatTime(doc.OpensAt, r.zone)+" 至 "+formatDeadline(doc.ClosesAt, r.zone))
	l.field("适用规则", joinNonEmpty(doc.LegalProfileLabel, doc.JurisdictionLabel))
	l.field("专有部分总面积", doc.TotalArea+" 平方米")
	l.field("业主总人数", strconv.Itoa(doc.TotalHeadcount)+" 人")
	l.field("参与表决", fmt.Sprintf("专有部分面积 %s 平方米，占总面积 %s；业主 %d 人，占总人数 %s",
		doc.Participating.Area, doc.Participating.AreaPercent,
		doc.Participating.Headcount, doc.Participating.HeadcountPercent))
	quorum := "已达到"
	if !doc.QuorumMet {
		quorum = "未达到"
	}
	l.field("参与表决要求", doc.QuorumRule+"（"+quorum+"）")
	if !doc.QuorumMet {
		l.space(1.5)
		l.paragraph(marginLeft, contentWidth,
			"参与表决的业主所持专有部分面积或人数未达到上述要求，本次表决不能形成有效决定，所议事项均未通过。",
			"L", true)
	}

	l.section("二、表决事项及结果")
	number := 0
	for _, item := range doc.Items {
		number++
		l.resolutionItem(number, item)
	}
	for _, e := range doc.Elections {
		number++
		l.electionItem(number, e)
	}

	l.section("三、公布与异议")
	l.setFont(sizeBody)
	const revoke = "业主认为本决议侵害其合法权益的，可以依照《中华人民共和国民法典》第二百八十条第二款请求人民法院予以撤销。"
	if doc.PublishedAt.IsZero() {
		// Not published yet: say so rather than print empty dates.
		l.paragraph(marginLeft, contentWidth, "　　本决议由系统根据有效表决票计算。表决结果尚未公布；公布日期和异议期限在公布时补注，"+
			"业主可在公布后的异议期内向召集人书面提出异议。"+revoke, "L", false)
		if doc.LogRoot != "" {
			l.field("选票日志", fmt.Sprintf("截止时签署的树头共 %d 条记录，根哈希 %s", doc.LogSize, groupHex(doc.LogRoot)))
		}
		l.signature(doc.Convenor, formatDate(doc.ClosesAt, r.zone))
	} else {
		l.paragraph(marginLeft, contentWidth, fmt.Sprintf(
			"　　本决议由系统根据有效表决票计算，于%s公布。业主对表决结果有异议的，可于%s前向召集人书面提出。"+revoke,
			formatTime(doc.PublishedAt, r.zone), formatDeadline(doc.ObjectionUntil, r.zone)), "L", false)
		l.field("公布日期", formatTime(doc.PublishedAt, r.zone))
		l.field("异议期至", formatDeadline(doc.ObjectionUntil, r.zone))
		if doc.LogRoot != "" {
			l.field("选票日志", fmt.Sprintf("截止时签署的树头共 %d 条记录，根哈希 %s", doc.LogSize, groupHex(doc.LogRoot)))
		}
		l.signature(doc.Convenor, formatDate(doc.PublishedAt, r.zone))
	}
	if doc.Draft {
		l.space(3)
		l.paragraph(marginLeft, contentWidth, DraftMark+"：本预览没有文号和核验二维码，正式决议由召集人签发后方可核验。", "L", true)
		return l.finish(w)
	}
	if err := l.verificationBlock(qr, "扫描二维码或访问下列网址，可核验本决议的真实性，并查看各事项的完整表决数据。", "文号："+doc.DocNumber); err != nil {
		return err
	}
	return l.finish(w)
}

// resolutionItem prints one ordinary item with its result table, rule, basis and outcome.
func (l *layout) resolutionItem(number int, item ResolutionItem) {
	l.space(2)
	l.heading("（"+chineseNumeral(number)+"）"+item.Title, sizeHeading, 3*sizeBody*ptToMM*lineSpacing)
	l.setFont(sizeBody)
	if item.MatterLabel != "" {
		l.field("事项类别", item.MatterLabel)
	}
	if item.Text != "" {
		l.field("事项内容", item.Text)
	}
	l.space(1)
	l.table([]column{
		{header: "表决意见", width: 26, align: "C", strong: true},
		{header: "专有部分面积（平方米）", width: 42, align: "R"},
		{header: "占参与表决面积", width: 35, align: "R"},
		{header: "人数（人）", width: 36, align: "R"},
		{header: "占参与表决人数", width: 35, align: "R"},
	}, [][]string{
		figureRow("同意", item.Agree),
		figureRow("反对", item.Oppose),
		figureRow("弃权", item.Abstain),
	})
	l.space(1)
	l.setFont(sizeBody)
	l.field("表决规则", item.Rule)
	l.field("法律依据", item.LegalBasis)
	outcome := OutcomeFailed
	if item.Passed {
		outcome = OutcomePassed
	}
	l.outcome("表决结果", outcome)
}

// figureRow is one line of an item's result table.
func figureRow(label string, f Figure) []string {
	return []string{label, f.Area, f.AreaPercent, strconv.Itoa(f.Headcount), f.HeadcountPercent}
}

// electionItem prints a committee election: each candidate's figures and outcome, then who
// was elected, the alternates, any runoff and whether the committee is formed.
func (l *layout) electionItem(number int, e ResolutionElection) {
	l.space(2)
	l.heading(fmt.Sprintf("（%s）%s（应选 %d 名）", chineseNumeral(number), e.Title, e.Seats),
		sizeHeading, 3*sizeBody*ptToMM*lineSpacing)
	outcomes := make(map[string]string, len(e.Candidates))
	for _, name := range e.Alternates {
		outcomes[name] = OutcomeAlternate
	}
	for _, name := range e.Runoff {
		outcomes[name] = OutcomeRunoff
	}
	for _, name := range e.Elected {
		outcomes[name] = OutcomeElected
	}
	rows := make([][]string, 0, len(e.Candidates))
	for i, c := range e.Candidates {
		qualified, outcome := "否", outcomes[c.Name]
		if c.Qualified {
			qualified = "是"
		}
		if outcome == "" {
			outcome = OutcomeNotChosen
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), c.Name, c.Agree.Area, c.Agree.AreaPercent,
			strconv.Itoa(c.Agree.Headcount), c.Agree.HeadcountPercent, qualified, outcome})
	}
	l.space(1)
	l.table([]column{
		{header: "序号", width: 11, align: "C"},
		{header: "候选人", width: 27, align: "L"},
		{header: "同意面积\n（平方米）", width: 29, align: "R"},
		{header: "占参与表决\n面积", width: 22, align: "R"},
		{header: "同意人数\n（人）", width: 20, align: "R"},
		{header: "占参与表决\n人数", width: 22, align: "R"},
		{header: "双过半", width: 17, align: "C"},
		{header: "结果", width: 26, align: "C", strong: true},
	}, rows)
	l.space(1)
	l.setFont(sizeBody)
	if e.HowTo != "" {
		l.field("投票方式", e.HowTo)
	}
	if e.Rule != "" {
		l.field("当选规则", e.Rule)
	}
	if e.LegalBasis != "" {
		l.field("法律依据", e.LegalBasis)
	}
	l.field(OutcomeElected, joinNames(e.Elected))
	if len(e.Alternates) > 0 {
		l.field("候补委员", joinNames(e.Alternates))
	}
	if len(e.Runoff) > 0 {
		l.field(OutcomeRunoff, joinNames(e.Runoff)+"（同意票数相同、竞争最后席位，由重新投票决定）")
	}
	var formed string
	switch {
	case e.CommitteeFormed && e.VacantSeats == 0:
		formed = "当选人数达到要求，业主委员会组成。"
	case e.CommitteeFormed:
		formed = fmt.Sprintf("当选人数达到组成要求，业主委员会组成；尚有 %d 个席位空缺，需另行补选。", e.VacantSeats)
	default:
		formed = fmt.Sprintf("当选人数未达到组成要求，业主委员会未组成；空缺 %d 个席位，需另行补选。", e.VacantSeats)
	}
	l.outcome("选举结果", formed)
}

// outcome prints a result line in larger, strong type.
func (l *layout) outcome(label, text string) {
	l.setFont(sizeHeading)
	l.labeled(label, text, labelWidth, contentWidth, true)
	l.setFont(sizeBody)
}

// documentTitle prints the estate name, the document kind as the main title and a subtitle,
// all centred and wrapped.
func (l *layout) documentTitle(estate, kind, subtitle string) {
	if estate != "" {
		l.setFont(sizeSubtitle)
		l.paragraph(marginLeft, contentWidth, estate, "C", false)
	}
	l.setFont(sizeTitle)
	l.paragraph(marginLeft, contentWidth, kind, "C", true)
	if subtitle != "" {
		l.space(1)
		l.setFont(sizeSubtitle)
		l.paragraph(marginLeft, contentWidth, subtitle, "C", false)
	}
	l.space(2)
}

// docNumberLine prints the document number (and version) right-aligned under the title.
func (l *layout) docNumberLine(label, number string, version int, supersedes string, annotated bool) {
	l.setFont(sizeBody)
	line := label + "：" + number
	if version > 0 {
		line += fmt.Sprintf("（第 %d 版）", version)
	}
	l.paragraph(marginLeft, contentWidth, line, "R", false)
	switch {
	case supersedes != "" && annotated:
		l.paragraph(marginLeft, contentWidth, "本版为文号 "+supersedes+" 的补注版（补注公布日期和异议期限），表决结果未变。", "R", false)
	case supersedes != "":
		l.paragraph(marginLeft, contentWidth, "本版取代文号 "+supersedes+"，原版本同时作废。", "R", false)
	}
	l.space(1)
}

// section prints a numbered section heading.
func (l *layout) section(title string) {
	l.space(3)
	l.heading(title, sizeSection, 2*sizeBody*ptToMM*lineSpacing)
	l.space(1)
}

// signatureGap is the space above the signature.
const signatureGap = 4.0

// signatureHeight is the room the signature takes at body size.
const signatureHeight = signatureGap + 2*sizeBody*ptToMM*lineSpacing

// signature prints the issuer and date right-aligned, kept together.
func (l *layout) signature(issuer, date string) {
	l.setFont(sizeBody)
	lh := l.lineHeight()
	l.space(signatureGap)
	l.ensure(2 * lh)
	l.paragraph(marginLeft+contentWidth/2, contentWidth/2, issuer, "R", false)
	l.paragraph(marginLeft+contentWidth/2, contentWidth/2, date, "R", false)
}

// verificationBlock prints the QR code with its URL below in small type and an explanation
// and the document number line beside it, all on one page.
func (l *layout) verificationBlock(qr qrCode, explanation, numberLine string) error {
	textX := marginLeft + qr.size + 4
	textW := contentWidth - qr.size - 4
	quiet := qrQuietModules * qr.size / float64(len(qr.modules))
	l.setFont(sizeBody)
	textHeight := quiet + float64(len(l.wrap(explanation, textW))+len(l.wrap(numberLine, textW)))*l.lineHeight()
	l.setFont(sizeSmall)
	urlHeight := float64(len(l.wrap(qr.content, contentWidth))) * l.lineHeight()
	l.space(4)
	l.ensure(max(qr.size, textHeight) + urlHeight + 1)
	top := l.y()
	if err := l.drawQR(qr, marginLeft, top); err != nil {
		return err
	}
	l.setY(top + quiet)
	l.setFont(sizeBody)
	l.paragraph(textX, textW, explanation, "L", false)
	l.paragraph(textX, textW, numberLine, "L", true)
	l.setY(max(l.y(), top+qr.size))
	l.setFont(sizeSmall)
	l.pdf.SetTextColor(60, 60, 60)
	l.paragraph(marginLeft, contentWidth, qr.content, "L", false)
	l.pdf.SetTextColor(0, 0, 0)
	l.setFont(sizeBody)
	return nil
}

// joinNonEmpty joins the non-empty parts with a space.
func joinNonEmpty(parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += " "
		}
		out += p
	}
	return out
}

// groupHex writes a long hex string in groups of 16 characters, so that it wraps.
func groupHex(h string) string {
	var parts []string
	for len(h) > 16 {
		parts = append(parts, h[:16])
		h = h[16:]
	}
	return strings.Join(append(parts, h), " ")
}
