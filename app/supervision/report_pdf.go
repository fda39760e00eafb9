package supervision

import (
	"fmt"
	"strconv"

	"gongzhi/app/pdfdoc"
	"gongzhi/app/worklist"
	"gongzhi/models"
)

// pdfRecord is the record the report renders as.
type pdfRecord = pdfdoc.Record

// maxOverdueRows bounds the overdue items printed; the rest are counted.
const maxOverdueRows = 40

// kindNames are the Chinese names of the week's work kinds, as the report prints them.
var kindNames = map[string]string{
	"formation.decide": "筹备组组建决定", "formation.form_group": "组建筹备组", "formation.reelection": "换届",
	"formation.duty": "筹备工作", "formation.chair": "选举主任", "formation.filing": "业委会备案",
	worklist.KindVoteOpen: "开启表决", worklist.KindVotePublish: "公布结果", worklist.KindCase: "负面清单案件",
	worklist.KindReelection: "需换届", worklist.KindComplaint: "投诉（三三三）", worklist.KindExitCase: "退出预警",
	worklist.KindHandover: "物业交接",
}

func kindName(k string) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return k
}

// reportContent is everything one report prints.
type reportContent struct {
	Org        models.Org
	Month      string
	Day        string
	Summary    ReportSummary
	Last       *ReportSummary
	LastNumber string
	Overdue    []worklist.Item
}

// percent prints num/den in percent with two decimals rounded half up (integer
// arithmetic), as the pages round to whole percent (rules.RoundPercent): 8/12 is 66.67%.
func percent(num, den int) string {
	if den <= 0 {
		return "—"
	}
	bp := (20000*num + den) / (2 * den)
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}

func bpText(bp int) string {
	if bp < 0 {
		return "未设定"
	}
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}

// change prints the difference of two counts with its sign.
func change(now, before int) string {
	switch d := now - before; {
	case d > 0:
		return "+" + strconv.Itoa(d)
	case d < 0:
		return strconv.Itoa(d)
	}
	return "0"
}

func (c reportContent) record(number, verifyURL string) pdfdoc.Record {
	kind := "街道办事处"
	if c.Org.Kind == models.OrgDistrict {
		kind = "区（县）"
	}
	r := pdfdoc.Record{Issuer: c.Org.Name, Title: "业主自治监督月报", Subtitle: c.Month[:4] + "年" + c.Month[5:] + "月",
		Fields: []pdfdoc.RecordField{{Label: "监督机构", Value: c.Org.Name + "（" + kind + "）"}, {Label: "报告月份", Value: c.Month},
			{Label: "数据截至", Value: c.Day}},
		SignedBy: c.Org.Name, SignedOn: c.Day, DocNumber: number, VerifyURL: verifyURL}
	if c.LastNumber != "" {
		r.Fields = append(r.Fields, pdfdoc.RecordField{Label: "上月报告", Value: c.LastNumber})
	}
	lastRate := map[string]ReportRate{}
	if c.Last != nil {
		for _, x := range c.Last.Rates {
			lastRate[x.Key] = x
		}
	}
	rates := pdfdoc.RecordSection{Heading: "比率与目标",
		Columns: []pdfdoc.RecordColumn{{Header: "指标", Width: 50, Align: "L"}, {Header: "本月", Width: 36, Align: "R"}, {Header: "目标", Width: 22, Align: "R"},
			{Header: "上月", Width: 36, Align: "R"}, {Header: "达标", Width: 16, Align: "C"}}}
	for _, x := range c.Summary.Rates {
		prev := "—"
		if l, ok := lastRate[x.Key]; ok {
			prev = fmt.Sprintf("%s（%d/%d）", percent(l.Num, l.Den), l.Num, l.Den)
		}
		met := "—"
		if x.TargetBP >= 0 && x.Den > 0 {
			met = "否"
			if x.Num*10000 >= x.TargetBP*x.Den {
				met = "是"
			}
		}
		rates.Rows = append(rates.Rows, []string{x.Name, fmt.Sprintf("%s（%d/%d）", percent(x.Num, x.Den), x.Num, x.Den), bpText(x.TargetBP), prev, met})
	}
	if len(rates.Rows) == 0 {
		rates.Paragraphs = []string{"本辖区暂无比率数据。"}
	}
	s, l := c.Summary, ReportSummary{}
	if c.Last != nil {
		l = *c.Last
	}
	changes := pdfdoc.RecordSection{Heading: "与上月相比",
		Columns: []pdfdoc.RecordColumn{{Header: "事项", Width: 80, Align: "L"}, {Header: "本月", Width: 30, Align: "R"}, {Header: "上月", Width: 30, Align: "R"},
			{Header: "变化", Width: 20, Align: "R"}}}
	if c.Last == nil {
		changes.Paragraphs = []string{"无上月报告，上月一栏为空。"}
	}
	row := func(name string, now, before int) {
		prev, diff := "—", "—"
		if c.Last != nil {
			prev, diff = strconv.Itoa(before), change(now, before)
		}
		changes.Rows = append(changes.Rows, []string{name, strconv.Itoa(now), prev, diff})
	}
	row("逾期事项", s.Overdue, l.Overdue)
	row("7 日内到期事项", s.DueSoon, l.DueSoon)
	row("未结负面清单案件", s.Open.Cases, l.Open.Cases)
	row("需换届的业主委员会", s.Open.Reelection, l.Open.Reelection)
	row("未办结投诉", s.Open.Complaints, l.Open.Complaints)
	row("其中已超过“三三三”时限", s.Open.Overdue, l.Open.Overdue)
	row("物业服务企业退出预警", s.Open.ExitCases, l.Open.ExitCases)
	row("未完成的物业交接", s.Open.Handovers, l.Open.Handovers)
	row("其中拒不移交", s.Open.Refused, l.Open.Refused)

	over := pdfdoc.RecordSection{Heading: "逾期事项（最早到期的在前）",
		Columns: []pdfdoc.RecordColumn{{Header: "截止日", Width: 24, Align: "L"}, {Header: "类别", Width: 28, Align: "L"}, {Header: "小区", Width: 36, Align: "L"},
			{Header: "事项", Width: 70, Align: "L"}, {Header: "逾期天数", Width: 16, Align: "R"}}}
	for i, it := range c.Overdue {
		if i == maxOverdueRows {
			over.Paragraphs = append(over.Paragraphs, fmt.Sprintf("共 %d 项逾期，下表列出最早到期的 %d 项；完整清单见平台“本周待办”并可导出 Excel。", len(c.Overdue), maxOverdueRows))
			break
		}
		what := it.Detail
		if it.Subject != "" {
			what = it.Subject + "：" + it.Detail
		}
		over.Rows = append(over.Rows, []string{it.DueDay, kindName(it.Kind), it.EstateName, what, strconv.Itoa(it.DaysLate)})
	}
	if len(c.Overdue) == 0 {
		over.Paragraphs = []string{"本辖区没有逾期事项。"}
		over.Columns = nil
	}
	byKind := pdfdoc.RecordSection{Heading: "逾期事项按类别",
		Columns: []pdfdoc.RecordColumn{{Header: "类别", Width: 100, Align: "L"}, {Header: "逾期", Width: 30, Align: "R"}}}
	for _, k := range []string{"formation.decide", "formation.form_group", "formation.reelection", "formation.duty", "formation.chair", "formation.filing",
		worklist.KindVoteOpen, worklist.KindVotePublish, worklist.KindCase, worklist.KindReelection, worklist.KindComplaint, worklist.KindExitCase, worklist.KindHandover} {
		if n := s.ByKind[k]; n > 0 {
			byKind.Rows = append(byKind.Rows, []string{kindName(k), strconv.Itoa(n)})
		}
	}
	if len(byKind.Rows) == 0 {
		byKind.Columns, byKind.Paragraphs = nil, []string{"无。"}
	}
	r.Sections = []pdfdoc.RecordSection{rates, changes, over, byKind}
	return r
}
