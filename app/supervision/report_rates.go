package supervision

import (
	"context"
	"time"

	"gongzhi/app"
)

// reportNames are the indicators' names as the monthly report PDF prints them (a
// Chinese official document, like the other PDFs of app/pdfdoc; the pages take their
// names from the translation catalogue, keys h9.ind.*).
var reportNames = map[Indicator]string{
	CommitteeFormation: "业主委员会组建率",
	TransitionalBody:   "物业管理委员会（过渡组织）占比",
	PartyOrgCoverage:   "党组织覆盖率",
	PartyWorkGroup:     "业委会党的工作小组覆盖率",
	PropertyCoverage:   "物业管理覆盖率",
	OwnerSatisfaction:  "业主满意率",
	ComplaintsAccepted: "投诉按时受理率",
	ComplaintsOnTime:   "投诉按时办结率",
}

// ReportRates gives the monthly report (ReportService, a RatesSource) the rates against
// targets of the principal's own scope: the total row of Rates, each with the year's
// target in basis points (-1: none set). The rates are those of the moment the report
// is issued (asOf is the issuing instant; the service reads the same clock).
func (s *Service) ReportRates(ctx context.Context, p app.Principal, _ time.Time) ([]ReportRate, error) {
	rep, err := s.Rates(ctx, p, 0, "")
	if err != nil {
		return nil, err
	}
	out := make([]ReportRate, 0, len(rep.Total.Cells))
	for _, c := range rep.Total.Cells {
		r := ReportRate{Key: string(c.Indicator), Name: reportNames[c.Indicator], Num: int(c.Rate.Num), Den: int(c.Rate.Den), TargetBP: -1}
		if c.Target != nil {
			r.TargetBP = *c.Target * 100
		}
		out = append(out, r)
	}
	return out, nil
}
