package handover

import (
	"context"
	"fmt"
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

// IncomeLine is one item of public income (advertising, parking, rented common space)
// with the year's income and spending in integer fen.
type IncomeLine struct {
	Item        string `json:"item"`
	IncomeFen   int64  `json:"income_fen"`
	SpendingFen int64  `json:"spending_fen"`
}

// IncomeInput is the year's disclosure.
type IncomeInput struct {
	Year  int
	Lines []IncomeLine
	Note  string
}

// Disclosure is a published disclosure.
type Disclosure struct {
	ID             int64        `json:"id"`
	EstateID       int64        `json:"estate_id"`
	Year           int          `json:"year"`
	Lines          []IncomeLine `json:"lines"`
	IncomeFen      int64        `json:"income_fen"`
	SpendingFen    int64        `json:"spending_fen"`
	BalanceFen     int64        `json:"balance_fen"`
	AnnouncementID int64        `json:"announcement_id"`
	DocumentNumber string       `json:"document_number"`
	VerifyPath     string       `json:"verify_path"`
	PublishedAt    time.Time    `json:"published_at"`
}

const maxIncomeLines = 100

// DiscloseIncome publishes the estate's public income and spending of a past or the
// current year, per item, on the estate's board (seed 004 §(六): once a year) as an
// announcement with a verifiable PDF. Amounts are integer fen, never negative; one
// disclosure per estate and year (409 for a second).
func (s *Service) DiscloseIncome(ctx context.Context, p app.Principal, estateID int64, in IncomeInput) (Disclosure, error) {
	if err := access.Require(p, access.KeepRecords); err != nil {
		return Disclosure{}, err
	}
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return Disclosure{}, err
	}
	thisYear := s.now().In(rules.Shanghai()).Year()
	if in.Year < 2000 || in.Year > thisYear {
		return Disclosure{}, app.Invalid("year", app.M("err.handover.a_year_from_2000_to", thisYear))
	}
	if len(in.Lines) == 0 {
		return Disclosure{}, app.Invalid("lines", app.M("err.handover.at_least_one_item"))
	}
	if len(in.Lines) > maxIncomeLines {
		return Disclosure{}, app.Invalid("lines", app.M("err.handover.at_most_items", maxIncomeLines))
	}
	var income, spending int64
	for i := range in.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		if in.Lines[i].Item, err = checkText(f+".item", in.Lines[i].Item, 191, true); err != nil {
			return Disclosure{}, err
		}
		for _, v := range []struct {
			field string
			fen   int64
		}{{f + ".income_fen", in.Lines[i].IncomeFen}, {f + ".spending_fen", in.Lines[i].SpendingFen}} {
			if v.fen < 0 || v.fen > maxAmountFen {
				return Disclosure{}, app.Invalid(v.field, app.M("err.handover.an_integer_number_of_fen_from_0_to_10_13"))
			}
		}
		income += in.Lines[i].IncomeFen
		spending += in.Lines[i].SpendingFen
	}
	if in.Note, err = checkText("note", in.Note, 2000, false); err != nil {
		return Disclosure{}, err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.PublicIncomeDisclosure{}).Where("estate_id = ? AND year = ?", estateID, in.Year).Count(&n).Error; err != nil {
		return Disclosure{}, app.Internal(err)
	}
	if n > 0 {
		return Disclosure{}, app.Fail(app.EConflict, "err.handover.the_year_is_already_disclosed", in.Year)
	}
	title := fmt.Sprintf("%d 年度公共收益收支情况公示", in.Year)
	var body []string
	rows := make([][]string, 0, len(in.Lines)+1)
	for i, l := range in.Lines {
		body = append(body, fmt.Sprintf("%s：收入 %s 元，支出 %s 元", l.Item, yuan(l.IncomeFen), yuan(l.SpendingFen)))
		rows = append(rows, []string{strconv.Itoa(i + 1), l.Item, yuan(l.IncomeFen), yuan(l.SpendingFen), yuan(l.IncomeFen - l.SpendingFen)})
	}
	rows = append(rows, []string{"", "合计", yuan(income), yuan(spending), yuan(income - spending)})
	body = append(body, fmt.Sprintf("合计：收入 %s 元，支出 %s 元，结余 %s 元", yuan(income), yuan(spending), yuan(income-spending)))
	now := s.now()
	d := models.PublicIncomeDisclosure{EstateID: estateID, Year: in.Year, IncomeFen: income, SpendingFen: spending, PublishedBy: uid(p), PublishedAt: now}
	paras := []string{"依照长治市《关于进一步解决物业领域突出问题提升物业管理工作质效的实施意见》（征求意见稿）第（六）项，业主共有部分经营收益（广告、停车、共有场地出租等）收支明细每年公开一次。金额以分为单位记账，以元显示。"}
	if in.Note != "" {
		paras = append(paras, in.Note)
	}
	lines := in.Lines
	annID, number, err := s.docs.PublishRecord(ctx, p, title, strings.Join(body, "\n"), documents.RecordIssue{EstateID: estateID, Kind: models.DocPublicIncome,
		Subject: fmt.Sprintf("public-income:%d:%d", estateID, in.Year), Title: title, Basis: fmt.Sprintf("public-income:%d:%d", estateID, in.Year),
		Public: true,
		Build: func(number, verifyURL string) pdfdoc.Record {
			return pdfdoc.Record{Issuer: e.Name, Title: "公共收益收支情况公示", Subtitle: fmt.Sprintf("%d 年度", in.Year),
				Sections: []pdfdoc.RecordSection{{Heading: "收支明细（元）", Paragraphs: paras,
					Columns: []pdfdoc.RecordColumn{{Header: "序号", Width: 12, Align: "C"}, {Header: "项目", Width: 70, Align: "L"},
						{Header: "收入", Width: 32, Align: "R"}, {Header: "支出", Width: 32, Align: "R"}, {Header: "结余", Width: 32, Align: "R"}},
					Rows: rows}},
				SignedBy: e.Name + "业主委员会", SignedOn: now.In(rules.Shanghai()).Format(time.DateOnly), DocNumber: number, VerifyURL: verifyURL}
		}},
		func(tx *gorm.DB, announcementID int64) error {
			d.ID = 0
			d.AnnouncementID = &announcementID
			if err := tx.Create(&d).Error; err != nil {
				if database.IsDuplicate(err) {
					return app.Fail(app.EConflict, "err.handover.the_year_is_already_disclosed", in.Year)
				}
				return fmt.Errorf("disclosure: %w", err)
			}
			rows := make([]models.PublicIncomeLine, len(lines))
			for i, l := range lines {
				rows[i] = models.PublicIncomeLine{DisclosureID: d.ID, Position: i + 1, Item: l.Item, IncomeFen: l.IncomeFen, SpendingFen: l.SpendingFen}
			}
			if err := tx.Create(&rows).Error; err != nil {
				return fmt.Errorf("disclosure lines: %w", err)
			}
			return audit.Record(ctx, tx, p, audit.Entry{Action: "public_income.disclose", TargetType: "estate", TargetID: estateID, EstateID: estateID,
				Detail: map[string]any{"year": in.Year, "income_fen": income, "spending_fen": spending, "lines": len(lines)}})
		})
	if err != nil {
		return Disclosure{}, err
	}
	return Disclosure{ID: d.ID, EstateID: estateID, Year: in.Year, Lines: lines, IncomeFen: income, SpendingFen: spending, BalanceFen: income - spending,
		AnnouncementID: annID, DocumentNumber: number, VerifyPath: "/verify/" + number, PublishedAt: now}, nil
}
