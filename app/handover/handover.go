// Package handover carries a property service company out of an estate (issue 13,
// docs/rules.md "Property companies: credit, dismissal and handover"): the termination of
// its service contract once an assembly vote with a hire_dismiss_manager item naming the
// contract has passed and is final, with the written notice the company is served (CC 946:
// 60 days unless the contract agrees otherwise); the handover checklist (CC 949, REG 38;
// deadline per profile handover_days) with each item confirmed by the receiving party,
// escalated to the street office and the housing authority when overdue or refused, and
// closed by a signed PDF record; and the committee's yearly disclosure of the estate's
// public income and spending on the estate's board (seed 004 §(六)).
package handover

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/calendar"
	"gongzhi/app/documents"
	"gongzhi/app/orgs"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// Service runs terminations, handovers and income disclosures. Safe for concurrent use.
type Service struct {
	db        *gorm.DB
	orgs      *orgs.Service
	votes     *voting.Service
	docs      *documents.Service
	clock     app.Clock
	calendars calendar.Source // the working calendar; nil: the notices shipped in app/rules
}

// SetCalendars makes the handover deadline count over the loaded holiday notices.
func (s *Service) SetCalendars(c calendar.Source) { s.calendars = c }

// handoverDue is the last day of the handover period: handover_days after the contract's
// last day, counted under CC 201-203 (that day not counted; a last day on a rest day
// moves to the next working day). Refused (409) in a year whose holiday notice is not loaded.
func (s *Service) handoverDue(ctx context.Context, ends string, days int) (string, error) {
	day, err := time.ParseInLocation(time.DateOnly, ends, rules.Shanghai())
	if err != nil {
		return "", app.Internal(fmt.Errorf("termination date %q: %w", ends, err))
	}
	end, err := calendar.StrictPeriodEnd(ctx, s.calendars, nil, day.Add(12*time.Hour), days)
	if err != nil {
		return "", err
	}
	return end.In(rules.Shanghai()).AddDate(0, 0, -1).Format(time.DateOnly), nil
}

// New builds the service.
func New(db *gorm.DB, orgSvc *orgs.Service, votes *voting.Service, docs *documents.Service, clock app.Clock) *Service {
	return &Service{db: db, orgs: orgSvc, votes: votes, docs: docs, clock: app.ClockOrSystem(clock)}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) today() string { return s.now().In(rules.Shanghai()).Format(time.DateOnly) }

// addDays adds n calendar days to a civil date "YYYY-MM-DD".
func addDays(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

func uid(p app.Principal) *int64 {
	if p.UserID == 0 {
		return nil
	}
	id := p.UserID
	return &id
}

func checkText(field, v string, max int, required bool) (string, error) {
	v = strings.TrimSpace(v)
	switch n := utf8.RuneCountInString(v); {
	case n == 0 && required:
		return "", app.Invalid(field, app.M("err.handover.required"))
	case n > max:
		return "", app.Invalid(field, app.M("err.handover.at_most_characters", max))
	}
	return v, nil
}

// contractForChange loads a contract whose estate p may change, else 404.
func (s *Service) contractForChange(ctx context.Context, p app.Principal, id int64) (models.ServiceContract, models.EstateWithPath, error) {
	c, err := models.FindContract(ctx, s.db, id)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, models.EstateWithPath{}, errContractNotFound()
	}
	if err != nil {
		return c, models.EstateWithPath{}, app.Internal(err)
	}
	e, err := s.orgs.EstateForChange(ctx, p, c.EstateID)
	if app.ErrorCode(err) == app.ENotFound {
		return c, e, errContractNotFound()
	}
	return c, e, err
}

func errContractNotFound() error {
	return app.Fail(app.ENotFound, "err.handover.no_such_service_contract")
}

// receiverLabel is the Chinese name of a receiving party.
func receiverLabel(r string) string {
	switch r {
	case models.ReceiverCommittee:
		return "业主委员会"
	case models.ReceiverNewCompany:
		return "新物业服务人"
	case models.ReceiverOwners:
		return "决定自行管理的业主"
	case models.ReceiverDesignee:
		return "业主指定的人"
	}
	return r
}

// yuan formats integer fen as yuan with two decimals, e.g. 123456 → "1234.56".
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// ContractRow is one service contract of an estate with its termination.
type ContractRow struct {
	ID            int64  `json:"id"`
	CompanyID     int64  `json:"company_id"`
	CompanyName   string `json:"company_name"`
	StartsOn      string `json:"starts_on"`
	EndsOn        string `json:"ends_on"`
	NoticeDays    int    `json:"notice_days"`
	TerminatedOn  string `json:"terminated_on,omitempty"`
	TerminationID int64  `json:"termination_id,omitempty"`
	HandoverID    int64  `json:"handover_id,omitempty"`
	NoticePath    string `json:"notice_path,omitempty"`
	// Votes are the estate's votes with a hire_dismiss_manager item naming the contract.
	Votes []DismissalVote `json:"votes"`
}

// DismissalVote is a vote with an item that dismisses a contract, and its state.
type DismissalVote struct {
	VoteID int64  `json:"vote_id"`
	Title  string `json:"title"`
	State  string `json:"state"`
}

// Overview is an estate's contracts with their terminations and handovers.
type Overview struct {
	EstateID     int64         `json:"estate_id"`
	EstateName   string        `json:"estate_name"`
	Contracts    []ContractRow `json:"contracts"`
	CanTerminate bool          `json:"can_terminate"`
	CanDisclose  bool          `json:"can_disclose"` // publish the public-income disclosure (keep_records)
}

// EstateOverview lists an estate's contracts, terminations and handovers, for its staff.
func (s *Service) EstateOverview(ctx context.Context, p app.Principal, estateID int64) (Overview, error) {
	e, err := s.orgs.Estate(ctx, p, estateID)
	if err != nil {
		return Overview{}, err
	}
	contracts, err := models.ContractsOfEstate(ctx, s.db, estateID)
	if err != nil {
		return Overview{}, app.Internal(err)
	}
	var terms []models.ContractTermination
	if err := s.db.WithContext(ctx).Where("estate_id = ?", estateID).Find(&terms).Error; err != nil {
		return Overview{}, app.Internal(err)
	}
	var hs []models.Handover
	if err := s.db.WithContext(ctx).Where("estate_id = ?", estateID).Find(&hs).Error; err != nil {
		return Overview{}, app.Internal(err)
	}
	byContract := map[int64]models.ContractTermination{}
	for _, t := range terms {
		byContract[t.ContractID] = t
	}
	handoverOf := map[int64]int64{}
	for _, h := range hs {
		handoverOf[h.TerminationID] = h.ID
	}
	ids := make([]int64, len(contracts))
	for i, c := range contracts {
		ids[i] = c.CompanyID
	}
	companies, err := models.CompaniesByID(ctx, s.db, ids)
	if err != nil {
		return Overview{}, app.Internal(err)
	}
	type voteRow struct {
		ContractID int64
		VoteID     int64
		Title      string
		State      string
	}
	var vrows []voteRow
	err = s.db.WithContext(ctx).Table("vote_items").
		Select("vote_items.contract_id, votes.id AS vote_id, votes.title, votes.state").
		Joins("JOIN votes ON votes.id = vote_items.vote_id AND votes.agenda_revision = vote_items.revision").
		Where("votes.estate_id = ? AND vote_items.contract_id IS NOT NULL", estateID).Order("votes.id").Scan(&vrows).Error
	if err != nil {
		return Overview{}, app.Internal(fmt.Errorf("dismissal votes of estate %d: %w", estateID, err))
	}
	votesOf := map[int64][]DismissalVote{}
	for _, v := range vrows {
		votesOf[v.ContractID] = append(votesOf[v.ContractID], DismissalVote{VoteID: v.VoteID, Title: v.Title, State: v.State})
	}
	out := Overview{EstateID: e.ID, EstateName: e.Name, Contracts: []ContractRow{}, CanTerminate: access.Can(p, access.RunVote),
		CanDisclose: access.Can(p, access.KeepRecords)}
	for _, c := range contracts {
		row := ContractRow{ID: c.ID, CompanyID: c.CompanyID, CompanyName: companies[c.CompanyID].Name, StartsOn: c.StartsOn, EndsOn: c.EndsOn, NoticeDays: c.NoticeDays,
			Votes: votesOf[c.ID]}
		if row.Votes == nil {
			row.Votes = []DismissalVote{}
		}
		if c.TerminatedOn != nil {
			row.TerminatedOn = *c.TerminatedOn
		}
		if t, ok := byContract[c.ID]; ok {
			row.TerminationID, row.HandoverID = t.ID, handoverOf[t.ID]
			row.NoticePath = fmt.Sprintf("/terminations/%d/notice.pdf", t.ID)
		}
		out.Contracts = append(out.Contracts, row)
	}
	return out, nil
}

// ContractEstate is the estate of a contract p may see (the page a refused termination
// form returns to), else 404.
func (s *Service) ContractEstate(ctx context.Context, p app.Principal, contractID int64) (int64, error) {
	c, err := models.FindContract(ctx, s.db, contractID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, errContractNotFound()
	}
	if err != nil {
		return 0, app.Internal(err)
	}
	if _, err := s.orgs.Estate(ctx, p, c.EstateID); err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return 0, errContractNotFound()
		}
		return 0, err
	}
	return c.EstateID, nil
}
