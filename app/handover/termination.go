package handover

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/documents"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// TerminationInput ends a contract by a final assembly vote.
type TerminationInput struct {
	VoteID int64
	// Origin is committee (the committee's initiative, the default) or exit_case (from
	// an exit case of the exit check; ExitCaseID names it).
	Origin     string
	ExitCaseID int64
	// Receiver is who takes over (CC 949): committee (default), new_company, owners or
	// designee; ReceiverName names them (default: the owners' committee).
	Receiver     string
	ReceiverName string
}

// Termination is a contract's termination with its handover.
type Termination struct {
	ID           int64  `json:"id"`
	ContractID   int64  `json:"contract_id"`
	EstateID     int64  `json:"estate_id"`
	CompanyID    int64  `json:"company_id"`
	CompanyName  string `json:"company_name"`
	VoteID       int64  `json:"vote_id"`
	ItemKey      string `json:"item_key"`
	Origin       string `json:"origin"`
	ExitCaseID   int64  `json:"exit_case_id,omitempty"`
	ServedOn     string `json:"served_on"`
	NoticeDays   int    `json:"notice_days"`
	TerminatedOn string `json:"terminated_on"`
	HandoverID   int64  `json:"handover_id"`
	HandoverDue  string `json:"handover_due_on"`
	NoticePath   string `json:"notice_path"`
}

// Terminate ends a service contract by an assembly vote: the vote must be of the
// contract's estate and final (published, objection period over, every objection answered:
// voting.Finalise), with a hire_dismiss_manager item naming the contract that passed. The
// notice is served today; the contract ends NoticeDays later (the contract's notice_days,
// 60 unless agreed, CC 946; the profile's dismissal_notice_days when the contract has
// none) and its terminated_on and termination_vote_id are set; the handover opens with its
// checklist, due handover_days (profile) after the end of the contract. One termination
// per contract.
func (s *Service) Terminate(ctx context.Context, p app.Principal, contractID int64, in TerminationInput) (Termination, error) {
	if err := access.Require(p, access.RunVote); err != nil {
		return Termination{}, err
	}
	c, e, err := s.contractForChange(ctx, p, contractID)
	if err != nil {
		return Termination{}, err
	}
	switch in.Origin {
	case "", models.DismissalByCommittee:
		in.Origin = models.DismissalByCommittee
		if in.ExitCaseID != 0 {
			return Termination{}, app.Invalid("exit_case_id", app.M("err.handover.only_with_origin_exit_case"))
		}
	case models.DismissalByExitCase:
		if in.ExitCaseID <= 0 {
			return Termination{}, app.Invalid("exit_case_id", app.M("err.handover.name_the_exit_case"))
		}
	default:
		return Termination{}, app.Invalid("origin", app.M("err.handover.must_be_committee_or_exit_case"))
	}
	if in.ExitCaseID > 0 {
		// The exit case must be one raised against this contract's company in this
		// estate: a dismissal cannot borrow another estate's or another company's case.
		var ec models.ExitCase
		res := s.db.WithContext(ctx).Where("id = ?", in.ExitCaseID).Limit(1).Find(&ec)
		if res.Error != nil {
			return Termination{}, app.Internal(res.Error)
		}
		if res.RowsAffected == 0 || ec.EstateID != c.EstateID || ec.CompanyID != c.CompanyID {
			return Termination{}, app.Invalid("exit_case_id", app.M("err.handover.not_an_exit_case_of_this_estate_against_this"))
		}
	}
	switch in.Receiver {
	case "":
		in.Receiver = models.ReceiverCommittee
	case models.ReceiverCommittee, models.ReceiverNewCompany, models.ReceiverOwners, models.ReceiverDesignee:
	default:
		return Termination{}, app.Invalid("receiver", app.M("err.handover.unknown_receiving_party"))
	}
	if in.ReceiverName, err = checkText("receiver_name", in.ReceiverName, 100, false); err != nil {
		return Termination{}, err
	}
	if in.ReceiverName == "" {
		if in.Receiver != models.ReceiverCommittee {
			return Termination{}, app.Invalid("receiver_name", app.M("err.handover.name_the_receiving_party"))
		}
		in.ReceiverName = e.Name + "业主委员会"
	}
	if in.VoteID <= 0 {
		return Termination{}, app.Invalid("vote_id", app.M("err.handover.required"))
	}
	rec, err := s.votes.Record(ctx, in.VoteID)
	if app.ErrorCode(err) == app.ENotFound || (err == nil && rec.Vote.EstateID != c.EstateID) {
		return Termination{}, app.Invalid("vote_id", app.M("err.handover.not_a_vote_of_this_estate"))
	}
	if err != nil {
		return Termination{}, err
	}
	var item *voting.Item
	for i, it := range rec.Items {
		if it.Matter == rules.MatterHireDismissManager && it.ContractID != nil && *it.ContractID == c.ID {
			item = &rec.Items[i]
			break
		}
	}
	if item == nil {
		return Termination{}, app.Invalid("vote_id", app.M("err.handover.no_item_of_this_vote_dismisses_this_contract"))
	}
	if rec.Vote.State != models.VoteFinal {
		return Termination{}, app.Fail(app.EConflict, "err.handover.the_vote_s_result_is_not_final_yet")
	}
	if rec.Result == nil || !rec.Result.Items[item.Key].Passed {
		return Termination{}, app.Fail(app.EConflict, "err.handover.the_dismissal_item_did_not_pass", item.Title)
	}
	today := s.today()
	if c.LastDay() < today {
		return Termination{}, app.Fail(app.EConflict, "err.handover.the_contract_already_ended", c.LastDay())
	}
	prof := rules.ProfileOrDefault(e.ProfileCode)
	notice := c.NoticeDays
	if notice <= 0 {
		notice = prof.DismissalNoticeDays
	}
	ends := addDays(today, notice)
	due, err := s.handoverDue(ctx, ends, prof.HandoverDays)
	if err != nil {
		return Termination{}, err
	}
	now := s.now()
	t := models.ContractTermination{ContractID: c.ID, EstateID: c.EstateID, CompanyID: c.CompanyID, VoteID: rec.Vote.ID, ItemKey: item.Key,
		Origin: in.Origin, ServedOn: today, NoticeDays: notice, TerminatedOn: ends, CreatedBy: uid(p), CreatedAt: now}
	if in.ExitCaseID > 0 {
		ref := in.ExitCaseID
		t.ExitCaseRef = &ref
	}
	var h models.Handover
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		t.ID = 0
		if err := tx.Create(&t).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.handover.the_contract_is_already_terminated")
			}
			return fmt.Errorf("terminating contract %d: %w", c.ID, err)
		}
		res := tx.Model(&models.ServiceContract{}).Where("id = ? AND terminated_on IS NULL", c.ID).
			Updates(map[string]any{"terminated_on": ends, "termination_vote_id": rec.Vote.ID, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("setting the end of contract %d: %w", c.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.handover.the_contract_is_already_terminated")
		}
		h = models.Handover{TerminationID: t.ID, EstateID: c.EstateID, ContractID: c.ID, CompanyID: c.CompanyID, Receiver: in.Receiver,
			ReceiverName: in.ReceiverName, DueOn: due, Status: models.HandoverOpen, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&h).Error; err != nil {
			return fmt.Errorf("opening the handover: %w", err)
		}
		items := make([]models.HandoverItem, len(Checklist))
		for i, k := range Checklist {
			items[i] = models.HandoverItem{HandoverID: h.ID, Position: i + 1, Kind: k.Kind, Label: k.Label, Status: models.ItemPending}
		}
		if err := tx.Create(&items).Error; err != nil {
			return fmt.Errorf("writing the checklist: %w", err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "contract.terminate", TargetType: "service_contract", TargetID: c.ID, EstateID: c.EstateID,
			Detail: map[string]any{"vote_id": rec.Vote.ID, "item": item.Key, "origin": in.Origin, "served_on": today, "notice_days": notice,
				"terminated_on": ends, "handover_due_on": due}})
	})
	if err != nil {
		return Termination{}, app.AsErrorOrNil(err)
	}
	// The notice is issued now, by the termination, not by a later download (issue 16);
	// a failure leaves the termination in place and the download a draft preview.
	if _, err := s.terminationNotice(ctx, p, t.ID, true); err != nil {
		slog.ErrorContext(ctx, "issuing the termination notice", "termination_id", t.ID, "error", err)
	}
	return s.termination(ctx, t, h)
}

func (s *Service) termination(ctx context.Context, t models.ContractTermination, h models.Handover) (Termination, error) {
	co, err := models.FindCompany(ctx, s.db, t.CompanyID)
	if err != nil {
		return Termination{}, app.Internal(err)
	}
	out := Termination{ID: t.ID, ContractID: t.ContractID, EstateID: t.EstateID, CompanyID: t.CompanyID, CompanyName: co.Name, VoteID: t.VoteID,
		ItemKey: t.ItemKey, Origin: t.Origin, ServedOn: t.ServedOn, NoticeDays: t.NoticeDays, TerminatedOn: t.TerminatedOn,
		HandoverID: h.ID, HandoverDue: h.DueOn, NoticePath: "/terminations/" + strconv.FormatInt(t.ID, 10) + "/notice.pdf"}
	if t.ExitCaseRef != nil {
		out.ExitCaseID = *t.ExitCaseRef
	}
	return out, nil
}

// loadTermination loads a termination that p may see (staff of its estate), else 404.
func (s *Service) loadTermination(ctx context.Context, p app.Principal, id int64) (models.ContractTermination, models.EstateWithPath, error) {
	var t models.ContractTermination
	err := s.db.WithContext(ctx).First(&t, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return t, models.EstateWithPath{}, app.Fail(app.ENotFound, "err.handover.no_such_termination")
	}
	if err != nil {
		return t, models.EstateWithPath{}, app.Internal(err)
	}
	e, err := s.orgs.Estate(ctx, p, t.EstateID)
	if app.ErrorCode(err) == app.ENotFound {
		return t, e, app.Fail(app.ENotFound, "err.handover.no_such_termination")
	}
	return t, e, err
}

// TerminationNotice is the written termination notice to the company (解除物业服务合同
// 通知书) as a numbered, verifiable PDF, for staff of the estate. The notice in force is
// served again while nothing it states has changed.
//
// A download never issues anything (issue 16): the notice is issued when the contract is
// terminated; until then, or when what it states has changed since, the download is an
// unnumbered draft preview.
func (s *Service) TerminationNotice(ctx context.Context, p app.Principal, id int64) (documents.File, error) {
	return s.terminationNotice(ctx, p, id, false)
}

// terminationNotice serves (issue false) or issues (issue true) the termination notice.
func (s *Service) terminationNotice(ctx context.Context, p app.Principal, id int64, issue bool) (documents.File, error) {
	t, e, err := s.loadTermination(ctx, p, id)
	if err != nil {
		return documents.File{}, err
	}
	c, err := models.FindContract(ctx, s.db, t.ContractID)
	if err != nil {
		return documents.File{}, app.Internal(err)
	}
	co, err := models.FindCompany(ctx, s.db, t.CompanyID)
	if err != nil {
		return documents.File{}, app.Internal(err)
	}
	var h models.Handover
	if err := s.db.WithContext(ctx).Where("termination_id = ?", t.ID).First(&h).Error; err != nil {
		return documents.File{}, app.Internal(err)
	}
	rec, err := s.votes.Record(ctx, t.VoteID)
	if err != nil {
		return documents.File{}, err
	}
	var itemTitle, figures string
	for _, it := range rec.Items {
		if it.Key == t.ItemKey {
			itemTitle = it.Title
		}
	}
	if rec.Result != nil {
		r := rec.Result.Items[t.ItemKey]
		figures = fmt.Sprintf("参与表决专有部分面积 %s 平方米、%d 人；同意面积 %s 平方米、%d 人（%s，%s）。", rec.Result.ParticipatingArea,
			rec.Result.ParticipatingHeadcount, r.AgreeArea, r.AgreeHeadcount, r.Rule, r.LegalBasis)
	}
	finalOn := ""
	if rec.Vote.FinalisedAt != nil {
		finalOn = rec.Vote.FinalisedAt.In(rules.Shanghai()).Format(time.DateOnly)
	}
	origin := "业主委员会提议"
	if t.Origin == models.DismissalByExitCase {
		origin = fmt.Sprintf("物业服务企业退出机制（退出案件第 %d 号）", derefInt(t.ExitCaseRef))
	}
	term := c.StartsOn + " 至 " + c.EndsOn
	basis := fmt.Sprintf("termination:%d|served:%s|ends:%s|notice:%d|due:%s|receiver:%s", t.ID, t.ServedOn, t.TerminatedOn, t.NoticeDays, h.DueOn, h.ReceiverName)
	in := documents.RecordIssue{EstateID: t.EstateID, Kind: models.DocTermination, Subject: "termination:" + strconv.FormatInt(t.ID, 10),
		Title: "解除物业服务合同通知书：" + co.Name, Basis: basis,
		Build: func(number, verifyURL string) pdfdoc.Record {
			return pdfdoc.Record{
				Issuer: e.Name, Title: "解除物业服务合同通知书", Addressee: co.Name + "（统一社会信用代码 " + co.USCC + "）",
				Fields: []pdfdoc.RecordField{
					{Label: "物业服务合同", Value: fmt.Sprintf("第 %d 号合同（备案号 %s），服务期限 %s", c.ID, orDash(c.FilingNo), term)},
					{Label: "业主大会决定", Value: fmt.Sprintf("第 %d 号表决“%s”，事项“%s”获得通过，结果于 %s 确定为最终结果", rec.Vote.ID, rec.Vote.Title, itemTitle, finalOn)},
					{Label: "发起方式", Value: origin},
					{Label: "通知送达日", Value: t.ServedOn},
					{Label: "通知期限", Value: fmt.Sprintf("%d 日", t.NoticeDays)},
					{Label: "合同终止日", Value: t.TerminatedOn + "（当日 24 时终止）"},
					{Label: "交接期限", Value: h.DueOn + " 前完成交接并退出物业服务区域"},
					{Label: "接收方", Value: receiverLabel(h.Receiver) + "：" + h.ReceiverName},
				},
				Sections: []pdfdoc.RecordSection{
					{Heading: "解聘决定", Paragraphs: []string{
						fmt.Sprintf("本小区业主依照法定程序共同决定解聘贵单位。%s", figures),
						fmt.Sprintf("依照《民法典》第九百四十六条，现提前 %d 日书面通知贵单位：双方物业服务合同自 %s 起解除。", t.NoticeDays, addDays(t.TerminatedOn, 1)),
					}},
					{Heading: "交接义务", Paragraphs: []string{
						"依照《民法典》第九百四十九条和《物业管理条例》第三十八条，请贵单位在期限内退出物业服务区域，将物业服务用房、共用设施设备、物业服务所必需的资料（竣工图、业主清册、维修养护记录等）、钥匙和门禁卡、预收的物业费和受托管理的公共收益及其明细账交还接收方，配合新物业服务人做好交接，并如实告知物业的使用和管理状况。",
						"依照《民法典》第九百五十条，在新物业服务人或自行管理的业主接管之前，贵单位应当继续处理物业服务事项，并可以请求业主支付该期间的物业费。逾期不交接或拒绝交接的，将报告街道办事处和住房城乡建设主管部门。",
					}},
				},
				SignedBy: e.Name + "业主委员会（代表业主大会）", SignedOn: t.ServedOn, DocNumber: number, VerifyURL: verifyURL,
			}
		}}
	var f documents.File
	if issue {
		f, err = s.docs.IssueRecord(ctx, p, in)
	} else {
		f, err = s.docs.ServeRecord(ctx, in)
	}
	if err != nil {
		return documents.File{}, err
	}
	return f, nil
}

func derefInt(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
