package handover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/documents"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// ChecklistItem is one kind of thing the outgoing company hands over.
type ChecklistItem struct {
	Kind  string
	Label string
	Money bool // handed with itemised accounts in fen
}

// Checklist is the handover checklist (CC 949; REG 38 with REG 29 ¶1; BJ 76; HZ 57;
// SH 50): every handover opens with these items in this order.
var Checklist = []ChecklistItem{
	{Kind: "premises", Label: "物业服务用房"},
	{Kind: "facilities", Label: "共用部位、共用设施设备"},
	{Kind: "as_built_drawings", Label: "竣工总平面图及单体建筑、结构、设备、配套设施和地下管网竣工图等竣工验收资料"},
	{Kind: "owner_list", Label: "业主清册"},
	{Kind: "maintenance_records", Label: "设施设备安装、使用和维护保养记录"},
	{Kind: "keys_cards", Label: "钥匙和门禁卡"},
	{Kind: "prepaid_fees", Label: "预收的物业费及其明细账", Money: true},
	{Kind: "public_income", Label: "受托管理的公共收益及其明细账", Money: true},
}

func checklistOf(kind string) ChecklistItem {
	for _, k := range Checklist {
		if k.Kind == kind {
			return k
		}
	}
	return ChecklistItem{Kind: kind}
}

// ItemStatusLabel is the Chinese name of an item's status.
func ItemStatusLabel(s string) string {
	switch s {
	case models.ItemPending:
		return "待交接"
	case models.ItemHanded:
		return "已移交"
	case models.ItemMissing:
		return "缺失"
	case models.ItemDisputed:
		return "有争议"
	}
	return s
}

// Account is one itemised account line of a money item, in integer fen.
type Account struct {
	Label     string `json:"label"`
	AmountFen int64  `json:"amount_fen"`
	Amount    string `json:"amount"` // yuan, for display
}

// Item is one checklist line as pages and the API show it.
type Item struct {
	ID             int64      `json:"id"`
	Position       int        `json:"position"`
	Kind           string     `json:"kind"`
	Label          string     `json:"label"`
	Money          bool       `json:"money"`
	Status         string     `json:"status"`
	StatusLabel    string     `json:"status_label"`
	Note           string     `json:"note,omitempty"`
	ConfirmedBy    string     `json:"confirmed_by,omitempty"`
	ConfirmerName  string     `json:"confirmer_name,omitempty"`
	ConfirmedAt    *time.Time `json:"confirmed_at,omitempty"`
	Accounts       []Account  `json:"accounts"`
	AccountsTotal  string     `json:"accounts_total,omitempty"`
	AccountsTotalF int64      `json:"accounts_total_fen"`
}

// Handover is a handover with its checklist.
type Handover struct {
	ID            int64      `json:"id"`
	TerminationID int64      `json:"termination_id"`
	EstateID      int64      `json:"estate_id"`
	EstateName    string     `json:"estate_name"`
	ContractID    int64      `json:"contract_id"`
	CompanyID     int64      `json:"company_id"`
	CompanyName   string     `json:"company_name"`
	Receiver      string     `json:"receiver"`
	ReceiverLabel string     `json:"receiver_label"`
	ReceiverName  string     `json:"receiver_name"`
	TerminatedOn  string     `json:"terminated_on"`
	DueOn         string     `json:"due_on"`
	Status        string     `json:"status"`
	Overdue       bool       `json:"overdue"`
	Refused       bool       `json:"refused"`
	Escalated     bool       `json:"escalated"` // overdue or refused: shown to the street office and the housing authority
	RefusalNote   string     `json:"refusal_note,omitempty"`
	CompletedAt   *time.Time `json:"completed_at,omitempty"`
	Pending       int        `json:"pending"`
	Items         []Item     `json:"items"`
	Signatures    []Signer   `json:"signatures,omitempty"`
	RecordPath    string     `json:"record_path,omitempty"`
	NoticePath    string     `json:"notice_path"`
	CanRecord     bool       `json:"can_record"`
}

// Signer is a signature on the completed handover record.
type Signer struct {
	Role     string    `json:"role"`
	Name     string    `json:"name"`
	SignedAt time.Time `json:"signed_at"`
}

// loadHandover loads a handover p may see (staff of its estate), else 404.
func (s *Service) loadHandover(ctx context.Context, p app.Principal, id int64, change bool) (models.Handover, models.EstateWithPath, error) {
	var h models.Handover
	err := s.db.WithContext(ctx).First(&h, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return h, models.EstateWithPath{}, errHandoverNotFound()
	}
	if err != nil {
		return h, models.EstateWithPath{}, app.Internal(err)
	}
	var e models.EstateWithPath
	if change {
		e, err = s.orgs.EstateForChange(ctx, p, h.EstateID)
	} else {
		e, err = s.orgs.Estate(ctx, p, h.EstateID)
	}
	if app.ErrorCode(err) == app.ENotFound {
		return h, e, errHandoverNotFound()
	}
	return h, e, err
}

func errHandoverNotFound() error {
	return app.Fail(app.ENotFound, "err.handover.no_such_handover")
}

// Handover reads a handover and its checklist, for staff of its estate.
func (s *Service) Handover(ctx context.Context, p app.Principal, id int64) (Handover, error) {
	h, e, err := s.loadHandover(ctx, p, id, false)
	if err != nil {
		return Handover{}, err
	}
	return s.view(ctx, p, h, e)
}

// HandoverOfEstate is the estate's latest handover, or 404 when none.
func (s *Service) HandoverOfEstate(ctx context.Context, p app.Principal, estateID int64) (Handover, error) {
	e, err := s.orgs.Estate(ctx, p, estateID)
	if err != nil {
		return Handover{}, err
	}
	var h models.Handover
	res := s.db.WithContext(ctx).Where("estate_id = ?", estateID).Order("id DESC").Limit(1).Find(&h)
	if res.Error != nil {
		return Handover{}, app.Internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return Handover{}, errHandoverNotFound()
	}
	return s.view(ctx, p, h, e)
}

func (s *Service) view(ctx context.Context, p app.Principal, h models.Handover, e models.EstateWithPath) (Handover, error) {
	co, err := models.FindCompany(ctx, s.db, h.CompanyID)
	if err != nil {
		return Handover{}, app.Internal(err)
	}
	var t models.ContractTermination
	if err := s.db.WithContext(ctx).First(&t, h.TerminationID).Error; err != nil {
		return Handover{}, app.Internal(err)
	}
	rows, err := models.HandoverItems(ctx, s.db, h.ID)
	if err != nil {
		return Handover{}, app.Internal(err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	accounts, err := models.HandoverAccounts(ctx, s.db, ids)
	if err != nil {
		return Handover{}, app.Internal(err)
	}
	today := s.today()
	out := Handover{ID: h.ID, TerminationID: h.TerminationID, EstateID: h.EstateID, EstateName: e.Name, ContractID: h.ContractID, CompanyID: h.CompanyID,
		CompanyName: co.Name, Receiver: h.Receiver, ReceiverLabel: receiverLabel(h.Receiver), ReceiverName: h.ReceiverName, TerminatedOn: t.TerminatedOn,
		DueOn: h.DueOn, Status: h.Status, CompletedAt: h.CompletedAt, Items: []Item{},
		NoticePath: "/terminations/" + strconv.FormatInt(t.ID, 10) + "/notice.pdf",
		CanRecord:  access.Can(p, access.KeepRecords) && h.Status != models.HandoverCompleted}
	out.Refused = h.Status == models.HandoverRefused
	out.Overdue = h.Status != models.HandoverCompleted && today > h.DueOn
	out.Escalated = out.Refused || out.Overdue
	if h.RefusalNote != nil {
		out.RefusalNote = *h.RefusalNote
	}
	if h.Status == models.HandoverCompleted {
		out.RecordPath = "/handovers/" + strconv.FormatInt(h.ID, 10) + "/record.pdf"
	}
	if h.Signatures != nil {
		_ = json.Unmarshal([]byte(*h.Signatures), &out.Signatures)
	}
	for _, r := range rows {
		k := checklistOf(r.Kind)
		it := Item{ID: r.ID, Position: r.Position, Kind: r.Kind, Label: r.Label, Money: k.Money, Status: r.Status, StatusLabel: ItemStatusLabel(r.Status),
			ConfirmedAt: r.ConfirmedAt, Accounts: []Account{}}
		if r.Note != nil {
			it.Note = *r.Note
		}
		if r.ConfirmedParty != nil {
			it.ConfirmedBy = *r.ConfirmedParty
		}
		if r.ConfirmerName != nil {
			it.ConfirmerName = *r.ConfirmerName
		}
		for _, a := range accounts[r.ID] {
			it.Accounts = append(it.Accounts, Account{Label: a.Label, AmountFen: a.AmountFen, Amount: yuan(a.AmountFen)})
			it.AccountsTotalF += a.AmountFen
		}
		if k.Money {
			it.AccountsTotal = yuan(it.AccountsTotalF)
		}
		if r.Status == models.ItemPending {
			out.Pending++
		}
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// ItemInput records one checklist item: its status with the receiving party's
// confirmation, and for a money item the itemised accounts.
type ItemInput struct {
	Status        string // handed, missing or disputed
	Note          string // what is missing or disputed; required for those
	ConfirmedBy   string // the party confirming: must be the handover's receiving party
	ConfirmerName string // the person who confirms for that party
	Accounts      []AccountInput
}

// AccountInput is one account line in integer fen.
type AccountInput struct {
	Label     string
	AmountFen int64
}

// maxAmountFen bounds one account line (10^13 fen = 10^11 yuan) so sums never overflow.
const maxAmountFen = 10_000_000_000_000

// RecordItem records a checklist item of an open or refused handover. The confirmation
// must come from the receiving party (confirmed_by equal to the handover's receiver; any
// other party → 422 naming confirmed_by, nothing changed). A money item handed over
// needs its itemised accounts.
func (s *Service) RecordItem(ctx context.Context, p app.Principal, itemID int64, in ItemInput) (Handover, error) {
	if err := access.Require(p, access.KeepRecords); err != nil {
		return Handover{}, err
	}
	var it models.HandoverItem
	err := s.db.WithContext(ctx).First(&it, itemID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Handover{}, app.Fail(app.ENotFound, "err.handover.no_such_handover_item")
	}
	if err != nil {
		return Handover{}, app.Internal(err)
	}
	h, e, err := s.loadHandover(ctx, p, it.HandoverID, true)
	if app.ErrorCode(err) == app.ENotFound {
		return Handover{}, app.Fail(app.ENotFound, "err.handover.no_such_handover_item")
	}
	if err != nil {
		return Handover{}, err
	}
	if h.Status == models.HandoverCompleted {
		return Handover{}, app.Fail(app.EConflict, "err.handover.the_handover_is_completed")
	}
	if !slices.Contains([]string{models.ItemHanded, models.ItemMissing, models.ItemDisputed}, in.Status) {
		return Handover{}, app.Invalid("status", app.M("err.handover.must_be_handed_missing_or_disputed"))
	}
	in.ConfirmedBy = strings.TrimSpace(in.ConfirmedBy)
	if in.ConfirmedBy != h.Receiver {
		return Handover{}, app.Invalid("confirmed_by", app.M("err.handover.only_the_receiving_party_may_confirm", receiverLabel(h.Receiver), h.Receiver, in.ConfirmedBy))
	}
	if in.ConfirmerName, err = checkText("confirmer_name", in.ConfirmerName, 64, true); err != nil {
		return Handover{}, err
	}
	if in.Note, err = checkText("note", in.Note, 2000, in.Status != models.ItemHanded); err != nil {
		return Handover{}, err
	}
	k := checklistOf(it.Kind)
	if !k.Money && len(in.Accounts) > 0 {
		return Handover{}, app.Invalid("accounts", app.M("err.handover.only_money_items_have_accounts"))
	}
	if k.Money && in.Status == models.ItemHanded && len(in.Accounts) == 0 {
		return Handover{}, app.Invalid("accounts", app.M("err.handover.itemised_accounts_are_required"))
	}
	if len(in.Accounts) > 200 {
		return Handover{}, app.Invalid("accounts", app.M("err.handover.at_most_200_lines"))
	}
	for i := range in.Accounts {
		f := fmt.Sprintf("accounts[%d]", i)
		if in.Accounts[i].Label, err = checkText(f+".label", in.Accounts[i].Label, 191, true); err != nil {
			return Handover{}, err
		}
		if a := in.Accounts[i].AmountFen; a < -maxAmountFen || a > maxAmountFen {
			return Handover{}, app.Invalid(f+".amount_fen", app.M("err.handover.out_of_range"))
		}
	}
	now := s.now()
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&models.HandoverItem{}).Where("id = ? AND handover_id IN (?)", it.ID,
			tx.Model(&models.Handover{}).Select("id").Where("id = ? AND status <> ?", h.ID, models.HandoverCompleted)).
			Updates(map[string]any{"status": in.Status, "note": in.Note, "confirmed_party": in.ConfirmedBy, "confirmer_name": in.ConfirmerName,
				"confirmed_at": now, "recorded_by": uid(p)})
		if res.Error != nil {
			return fmt.Errorf("recording item %d: %w", it.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.handover.the_handover_is_completed")
		}
		if err := tx.Where("item_id = ?", it.ID).Delete(&models.HandoverAccount{}).Error; err != nil {
			return fmt.Errorf("replacing accounts of item %d: %w", it.ID, err)
		}
		if len(in.Accounts) > 0 {
			rows := make([]models.HandoverAccount, len(in.Accounts))
			for i, a := range in.Accounts {
				rows[i] = models.HandoverAccount{ItemID: it.ID, Position: i + 1, Label: a.Label, AmountFen: a.AmountFen}
			}
			if err := tx.Create(&rows).Error; err != nil {
				return fmt.Errorf("writing accounts of item %d: %w", it.ID, err)
			}
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "handover.item", TargetType: "handover", TargetID: h.ID, EstateID: h.EstateID,
			Detail: map[string]any{"item": it.Kind, "status": in.Status, "confirmed_by": in.ConfirmedBy, "accounts": len(in.Accounts)}})
	})
	if err != nil {
		return Handover{}, app.AsErrorOrNil(err)
	}
	h, _, err = s.loadHandover(ctx, p, h.ID, false)
	if err != nil {
		return Handover{}, err
	}
	return s.view(ctx, p, h, e)
}

// Refuse records that the company refuses the handover (or to leave): the handover is
// escalated to the street office and the housing authority (BJ 76 ¶2). Recording the
// items and completing stay possible.
func (s *Service) Refuse(ctx context.Context, p app.Principal, id int64, note string) (Handover, error) {
	if err := access.Require(p, access.KeepRecords); err != nil {
		return Handover{}, err
	}
	h, e, err := s.loadHandover(ctx, p, id, true)
	if err != nil {
		return Handover{}, err
	}
	if note, err = checkText("note", note, 2000, true); err != nil {
		return Handover{}, err
	}
	now := s.now()
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&models.Handover{}).Where("id = ? AND status = ?", h.ID, models.HandoverOpen).
			Updates(map[string]any{"status": models.HandoverRefused, "refused_at": now, "refusal_note": note, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("recording refusal of handover %d: %w", h.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.handover.completed_or_already_refused")
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "handover.refused", TargetType: "handover", TargetID: h.ID, EstateID: h.EstateID,
			Detail: map[string]any{"note": note}})
	})
	if err != nil {
		return Handover{}, app.AsErrorOrNil(err)
	}
	h, _, err = s.loadHandover(ctx, p, h.ID, false)
	if err != nil {
		return Handover{}, err
	}
	return s.view(ctx, p, h, e)
}

// CompleteInput are the signatures of the completed handover: the receiving party's
// signer and the company's representative; the street office's witness is optional.
type CompleteInput struct {
	ReceiverSigner string
	CompanySigner  string
	WitnessSigner  string
}

// Complete closes a handover once every item is recorded (none pending): the signatures
// are stored and the signed handover record PDF is issued.
func (s *Service) Complete(ctx context.Context, p app.Principal, id int64, in CompleteInput) (Handover, error) {
	if err := access.Require(p, access.KeepRecords); err != nil {
		return Handover{}, err
	}
	h, e, err := s.loadHandover(ctx, p, id, true)
	if err != nil {
		return Handover{}, err
	}
	if h.Status == models.HandoverCompleted {
		return Handover{}, app.Fail(app.EConflict, "err.handover.already_completed")
	}
	if in.ReceiverSigner, err = checkText("receiver_signer", in.ReceiverSigner, 64, true); err != nil {
		return Handover{}, err
	}
	if in.CompanySigner, err = checkText("company_signer", in.CompanySigner, 64, true); err != nil {
		return Handover{}, err
	}
	if in.WitnessSigner, err = checkText("witness_signer", in.WitnessSigner, 64, false); err != nil {
		return Handover{}, err
	}
	v, err := s.view(ctx, p, h, e)
	if err != nil {
		return Handover{}, err
	}
	if v.Pending > 0 {
		var names []string
		for _, it := range v.Items {
			if it.Status == models.ItemPending {
				names = append(names, it.Label)
			}
		}
		return Handover{}, app.Fail(app.EConflict, "err.handover.items_are_still_pending", v.Pending, strings.Join(names, "；"))
	}
	now := s.now()
	signers := []Signer{{Role: "接收方（" + receiverLabel(h.Receiver) + "）", Name: in.ReceiverSigner, SignedAt: now},
		{Role: "移交方（原物业服务人）", Name: in.CompanySigner, SignedAt: now}}
	if in.WitnessSigner != "" {
		signers = append(signers, Signer{Role: "监督方（街道办事处）", Name: in.WitnessSigner, SignedAt: now})
	}
	sig, err := json.Marshal(signers)
	if err != nil {
		return Handover{}, app.Internal(err)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&models.Handover{}).Where("id = ? AND status <> ?", h.ID, models.HandoverCompleted).
			Updates(map[string]any{"status": models.HandoverCompleted, "completed_at": now, "completed_by": uid(p), "signatures": string(sig), "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("completing handover %d: %w", h.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.handover.already_completed")
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "handover.complete", TargetType: "handover", TargetID: h.ID, EstateID: h.EstateID,
			Detail: map[string]any{"receiver_signer": in.ReceiverSigner, "company_signer": in.CompanySigner, "overdue": v.Overdue}})
	})
	if err != nil {
		return Handover{}, app.AsErrorOrNil(err)
	}
	if _, err := s.handoverRecord(ctx, p, h.ID, true); err != nil {
		return Handover{}, err
	}
	return s.Handover(ctx, p, h.ID)
}

// HandoverRecord is the signed handover record (物业交接记录) of a completed handover as a
// numbered, verifiable PDF, for staff of the estate.
// A download never issues anything (issue 16): the record is issued by Complete.
func (s *Service) HandoverRecord(ctx context.Context, p app.Principal, id int64) (documents.File, error) {
	return s.handoverRecord(ctx, p, id, false)
}

// handoverRecord serves (issue false) or issues (issue true) the handover record.
func (s *Service) handoverRecord(ctx context.Context, p app.Principal, id int64, issue bool) (documents.File, error) {
	h, e, err := s.loadHandover(ctx, p, id, false)
	if err != nil {
		return documents.File{}, err
	}
	if h.Status != models.HandoverCompleted {
		return documents.File{}, app.Fail(app.EConflict, "err.handover.the_handover_is_not_completed_yet")
	}
	v, err := s.view(ctx, p, h, e)
	if err != nil {
		return documents.File{}, err
	}
	rows := [][]string{}
	var accountRows [][]string
	for _, it := range v.Items {
		conf := it.ConfirmerName
		if it.ConfirmedAt != nil {
			conf += "（" + it.ConfirmedAt.In(rules.Shanghai()).Format("2006-01-02 15:04") + "）"
		}
		rows = append(rows, []string{strconv.Itoa(it.Position), it.Label, it.StatusLabel, orDash(it.Note), conf})
		for _, a := range it.Accounts {
			accountRows = append(accountRows, []string{it.Label, a.Label, a.Amount})
		}
		if it.Money {
			accountRows = append(accountRows, []string{it.Label, "合计", it.AccountsTotal})
		}
	}
	signatures := make([]pdfdoc.RecordSignature, len(v.Signatures))
	for i, sg := range v.Signatures {
		signatures[i] = pdfdoc.RecordSignature{Role: sg.Role, Name: sg.Name, SignedAt: sg.SignedAt}
	}
	completed := v.CompletedAt.In(rules.Shanghai()).Format(time.DateOnly)
	timely := "按期完成"
	if completed > h.DueOn {
		timely = "逾期完成（期限 " + h.DueOn + "）"
	}
	basis := fmt.Sprintf("handover:%d|completed:%s", h.ID, v.CompletedAt.UTC().Format(time.RFC3339Nano))
	in := documents.RecordIssue{EstateID: h.EstateID, Kind: models.DocHandover, Subject: "handover:" + strconv.FormatInt(h.ID, 10),
		Title: "物业服务交接记录：" + v.CompanyName, Basis: basis,
		Build: func(number, verifyURL string) pdfdoc.Record {
			return pdfdoc.Record{
				Issuer: e.Name, Title: "物业服务交接记录",
				Fields: []pdfdoc.RecordField{
					{Label: "移交方", Value: v.CompanyName + "（原物业服务人）"},
					{Label: "接收方", Value: v.ReceiverLabel + "：" + v.ReceiverName},
					{Label: "合同终止日", Value: v.TerminatedOn},
					{Label: "交接期限", Value: h.DueOn},
					{Label: "完成日期", Value: completed + "，" + timely},
					{Label: "依据", Value: "《民法典》第九百四十九条；《物业管理条例》第三十八条、第二十九条第一款"},
				},
				Sections: []pdfdoc.RecordSection{
					{Heading: "交接清单", Paragraphs: []string{"每一项由接收方确认：已移交、缺失或有争议；缺失和有争议的事项写明情况。"},
						Columns: []pdfdoc.RecordColumn{{Header: "序号", Width: 10, Align: "C"}, {Header: "事项", Width: 62, Align: "L"},
							{Header: "状态", Width: 18, Align: "C"}, {Header: "说明", Width: 50, Align: "L"}, {Header: "接收方确认", Width: 40, Align: "L"}},
						Rows: rows},
					{Heading: "费用和收益明细账（元）", Columns: []pdfdoc.RecordColumn{{Header: "事项", Width: 60, Align: "L"},
						{Header: "明细", Width: 80, Align: "L"}, {Header: "金额（元）", Width: 40, Align: "R"}}, Rows: accountRows},
				},
				Signatures: signatures, DocNumber: number, VerifyURL: verifyURL,
			}
		}}
	if issue {
		return s.docs.IssueRecord(ctx, p, in)
	}
	return s.docs.ServeRecord(ctx, in)
}

// Escalation is a handover the street office and housing authority must follow up:
// overdue (past its due date and not completed) or refused by the company.
type Escalation struct {
	HandoverID  int64  `json:"handover_id"`
	EstateID    int64  `json:"estate_id"`
	EstateName  string `json:"estate_name"`
	CompanyName string `json:"company_name"`
	DueOn       string `json:"due_on"`
	Status      string `json:"status"`
	Overdue     bool   `json:"overdue"`
	Refused     bool   `json:"refused"`
	Escalated   bool   `json:"escalated"`
	Pending     int    `json:"pending"`
}

// Handovers lists the handovers of the estates in p's jurisdiction, escalated first: the
// street office's and the housing authority's page.
func (s *Service) Handovers(ctx context.Context, p app.Principal) ([]Escalation, error) {
	estates, err := s.orgs.ListEstates(ctx, p)
	if err != nil {
		return nil, err
	}
	byID := map[int64]models.EstateWithPath{}
	ids := make([]int64, 0, len(estates))
	for _, e := range estates {
		byID[e.ID] = e
		ids = append(ids, e.ID)
	}
	out := []Escalation{}
	if len(ids) == 0 {
		return out, nil
	}
	var list []models.Handover
	if err := s.db.WithContext(ctx).Where("estate_id IN ?", ids).Order("due_on, id").Find(&list).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("handovers: %w", err))
	}
	for _, h := range list {
		v, err := s.view(ctx, p, h, byID[h.EstateID])
		if err != nil {
			return nil, err
		}
		out = append(out, Escalation{HandoverID: h.ID, EstateID: h.EstateID, EstateName: v.EstateName, CompanyName: v.CompanyName, DueOn: h.DueOn,
			Status: h.Status, Overdue: v.Overdue, Refused: v.Refused, Escalated: v.Escalated, Pending: v.Pending})
	}
	slices.SortStableFunc(out, func(a, b Escalation) int {
		switch {
		case a.Escalated && !b.Escalated:
			return -1
		case !a.Escalated && b.Escalated:
			return 1
		}
		return 0
	})
	return out, nil
}

// AddItem adds an item the contract agreed to hand over besides the fixed checklist (BJ 76
// ¶1 (4): 物业服务合同约定的其他事项) to a handover not yet completed.
func (s *Service) AddItem(ctx context.Context, p app.Principal, handoverID int64, label string) (Handover, error) {
	if err := access.Require(p, access.KeepRecords); err != nil {
		return Handover{}, err
	}
	h, e, err := s.loadHandover(ctx, p, handoverID, true)
	if err != nil {
		return Handover{}, err
	}
	if label, err = checkText("label", label, 191, true); err != nil {
		return Handover{}, err
	}
	if h.Status == models.HandoverCompleted {
		return Handover{}, app.Fail(app.EConflict, "err.handover.the_handover_is_completed")
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var last int
		if err := tx.Model(&models.HandoverItem{}).Where("handover_id = ?", h.ID).Select("COALESCE(MAX(position), 0)").Scan(&last).Error; err != nil {
			return fmt.Errorf("items of handover %d: %w", h.ID, err)
		}
		it := models.HandoverItem{HandoverID: h.ID, Position: last + 1, Kind: OtherKind, Label: label, Status: models.ItemPending}
		if err := tx.Create(&it).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.handover.the_checklist_changed_meanwhile_try_again")
			}
			return fmt.Errorf("adding an item to handover %d: %w", h.ID, err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "handover.item_add", TargetType: "handover", TargetID: h.ID, EstateID: h.EstateID,
			Detail: map[string]any{"label": label}})
	})
	if err != nil {
		return Handover{}, app.AsErrorOrNil(err)
	}
	return s.view(ctx, p, h, e)
}

// OtherKind is the kind of an item added besides the fixed checklist.
const OtherKind = "other"
