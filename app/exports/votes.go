package exports

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"gongzhi/app"
	"gongzhi/app/pii"
)

// Ballots is every ballot of a vote, in cast order, as the auditor's workspace
// lists them (auditview.Service.Ballots checks the auditing role and the
// jurisdiction): channel, rooms, time, receipt, who entered a paper or proxy
// ballot, the proxy's masked name and ID, the entered choices of paper and proxy
// ballots (an online ballot's choices stay apart from who cast it), scans, voids.
func (s *Service) Ballots(ctx context.Context, p app.Principal, voteID int64) (*Workbook, error) {
	first, err := s.audit.Ballots(ctx, p, voteID, "", 1)
	if err != nil {
		return nil, err
	}
	b, err := newBook(fmt.Sprintf("ballots-%d.xlsx", voteID), "选票 Ballots",
		"编号 ID", "渠道 Channel", "房号 Rooms", "投票时间 Cast at (Beijing)", "回执码 Receipt", "录入人 Entered by",
		"代理人 Proxy (masked)", "代理人证件 Proxy ID (masked)", "录入选择 Entered choices", "扫描件 Scans", "作废 Voided", "作废原因 Void reason")
	if err != nil {
		return nil, app.Internal(err)
	}
	page := first
	for {
		for _, bl := range page.Ballots {
			var choices []string
			for _, c := range bl.Choices {
				choices = append(choices, c.Item+"="+c.Choice)
			}
			voided := ""
			if bl.Voided {
				voided = "是 yes"
			}
			if err := b.put(bl.ID, bl.Channel, bl.Rooms, beijing(bl.CastAt), bl.Receipt, bl.EnteredBy,
				maskName(bl.ProxyName), bl.ProxyIDMasked, strings.Join(choices, "; "), len(bl.Scans), voided, bl.VoidReason); err != nil {
				return b.done(err)
			}
		}
		if page.Page >= page.Pages {
			break
		}
		if page, err = s.audit.Ballots(ctx, p, voteID, "", page.Page+1); err != nil {
			return b.done(err)
		}
	}
	return b.done(nil)
}

// maskName masks a name unless it is empty or already masked.
func maskName(n string) string {
	if n == "" || strings.Contains(n, "*") {
		return n
	}
	return pii.MaskName(n)
}

// Participation is the list of voters holding a live ballot, in register order:
// rooms and area only, never choices (voting.Service.ParticipationList: staff of
// the estate once the vote is open).
func (s *Service) Participation(ctx context.Context, p app.Principal, voteID int64) (*Workbook, error) {
	list, err := s.votes.ParticipationList(ctx, &p, voteID)
	if err != nil {
		return nil, err
	}
	b, err := newBook(fmt.Sprintf("participation-%d.xlsx", voteID), "参与名单 Participation",
		"序号 No.", "房号 Rooms", "面积 Area (m²)")
	if err != nil {
		return nil, app.Internal(err)
	}
	for i, e := range list {
		if err := b.put(i+1, strings.Join(e.Rooms, "、"), e.Area.String()); err != nil {
			return b.done(err)
		}
	}
	return b.done(nil)
}

// Results is a closed vote's stored result (voting.Service.Results: staff of the
// estate): the totals, then one row per item with its counts, decision and rule,
// then one row per candidate of each election. Before the vote has a result it is
// refused.
func (s *Service) Results(ctx context.Context, p app.Principal, voteID int64) (*Workbook, error) {
	rv, err := s.votes.Results(ctx, &p, voteID)
	if err != nil {
		return nil, err
	}
	if rv.Result == nil {
		return nil, app.Fail(app.EConflict, "err.exports.the_vote_has_no_result_yet")
	}
	r := rv.Result
	b, err := newBook(fmt.Sprintf("results-%d.xlsx", voteID), "结果 Results",
		"事项 Item", "标题 Title", "同意面积 Agree (m²)", "同意人数 Agree", "反对面积 Oppose (m²)", "反对人数 Oppose",
		"弃权面积 Abstain (m²)", "弃权人数 Abstain", "结果 Outcome", "规则 Rule", "Rule (EN)", "依据 Legal basis")
	if err != nil {
		return nil, app.Internal(err)
	}
	quorum := "未达到 not met"
	if r.QuorumMet {
		quorum = "达到 met"
	}
	rows := [][]any{
		{"表决 Vote", r.Title},
		{"总面积 Total area (m²)", r.TotalArea, "", r.TotalHeadcount},
		{"参与 Participating (m²)", r.ParticipatingArea, "", r.ParticipatingHeadcount},
		{"参与门槛 Quorum", quorum, "", "", "", "", "", "", "", r.QuorumRule, r.QuorumRuleEN},
		{"计入选票 Ballots counted", r.BallotsCounted},
		{"作废选票 Ballots voided", r.BallotsVoided},
		{"截止 Closed at (Beijing)", beijing(r.ClosedAt)},
		{"回执摘要 Receipts digest", r.ReceiptsDigest},
		{"计票 SHA-256", rv.TallySHA256},
		{},
	}
	for _, key := range r.ItemOrder {
		if it, ok := r.Items[key]; ok {
			outcome := "未通过 not passed"
			if it.Passed {
				outcome = "通过 passed"
			}
			rows = append(rows, []any{key, it.Title, it.AgreeArea, it.AgreeHeadcount, it.OpposeArea, it.OpposeHeadcount,
				it.AbstainArea, it.AbstainHeadcount, outcome, it.Rule, it.RuleEN, it.LegalBasis})
		}
		if el, ok := r.Elections[key]; ok {
			rows = append(rows, []any{key, el.Title, "", "", "", "", "", "", fmt.Sprintf("应选 %d 名 seats", el.Seats), el.Rule, el.RuleEN})
			keys := make([]string, 0, len(el.Candidates))
			for k := range el.Candidates {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool {
				a, b := el.Candidates[keys[i]], el.Candidates[keys[j]]
				if a.Rank != b.Rank {
					return a.Rank < b.Rank
				}
				return keys[i] < keys[j]
			})
			for _, k := range keys {
				c := el.Candidates[k]
				outcome := ""
				switch {
				case slices.Contains(el.Elected, k):
					outcome = "当选 elected"
				case slices.Contains(el.Runoff, k):
					outcome = "进入另行选举 runoff"
				case slices.Contains(el.Alternates, k):
					outcome = "候补 alternate"
				}
				rows = append(rows, []any{key + "/" + k, c.Name, c.AgreeArea, c.AgreeHeadcount, "", "", "", "", outcome})
			}
		}
	}
	for _, row := range rows {
		if err := b.put(row...); err != nil {
			return b.done(err)
		}
	}
	return b.done(nil)
}
