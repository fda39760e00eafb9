package exports

import (
	"context"

	"gongzhi/app"
	"gongzhi/app/orgs"
)

// AuditLog is the audit trail of p's jurisdiction under the audit log page's
// filters (orgs.Service.AuditLogPage: the same scope and checks), newest first,
// read 500 entries at a time. The detail column is the entry's JSON as stored:
// it never holds personal data (app/audit).
func (s *Service) AuditLog(ctx context.Context, p app.Principal, f orgs.AuditFilter) (*Workbook, error) {
	f.PerPage, f.Page = 500, 1
	page, err := s.orgs.AuditLogPage(ctx, p, f)
	if err != nil {
		return nil, err
	}
	b, err := newBook("audit-log.xlsx", "审计日志 Audit log",
		"序号 Seq", "时间 At (Beijing)", "账号 Account", "角色 Role", "操作 Action", "对象 Target", "对象编号 Target ID", "小区编号 Estate ID", "详情 Detail", "请求编号 Request ID")
	if err != nil {
		return nil, app.Internal(err)
	}
	for {
		for _, e := range page.Entries {
			estate := ""
			if e.EstateID != nil {
				estate = itoa(*e.EstateID)
			}
			if err := b.put(e.Seq, beijing(e.At), e.Username, e.Role, e.Action, e.TargetType, e.TargetID, estate, e.Detail, e.RequestID); err != nil {
				return b.done(err)
			}
		}
		if page.Page >= page.Pages {
			break
		}
		if f.UpToSeq == 0 && len(page.Entries) > 0 { // entries appended meanwhile would shift the pages
			f.UpToSeq = page.Entries[0].Seq
			for _, e := range page.Entries {
				f.UpToSeq = max(f.UpToSeq, e.Seq)
			}
		}
		f.Page = page.Page + 1
		if page, err = s.orgs.AuditLogPage(ctx, p, f); err != nil {
			return b.done(err)
		}
	}
	return b.done(nil)
}
