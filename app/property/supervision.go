package property

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// NewRectification is a rectification order to the estate's company.
type NewRectification struct {
	OrderedAt string // RFC 3339
	Deadline  string // "YYYY-MM-DD" (24:00 Shanghai of that day) or RFC 3339
	Text      string
}

// CreateRectification orders the company serving the estate on the day of the order
// to rectify by the deadline.
func (s *Service) CreateRectification(ctx context.Context, p app.Principal, estateID int64, in NewRectification) (int64, error) {
	if err := access.Require(p, access.SuperviseProperty); err != nil {
		return 0, err
	}
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	ordered, err := s.parseInstant("ordered_at", in.OrderedAt, now)
	if err != nil {
		return 0, err
	}
	deadline, err := parseDeadline("deadline", in.Deadline)
	if err != nil {
		return 0, err
	}
	if !deadline.After(ordered) {
		return 0, app.Invalid("deadline", app.M("err.property.deadline_must_follow_ordered_at"))
	}
	text := strings.TrimSpace(in.Text)
	if text == "" || utf8.RuneCountInString(text) > 4000 {
		return 0, app.Invalid("text", app.M("err.property.text_required"))
	}
	o := models.RectificationOrder{EstateID: e.ID, OrderedAt: ordered, DeadlineAt: deadline, Body: text, CreatedAt: now, UpdatedAt: now}
	if p.UserID != 0 {
		o.CreatedBy = ptr(p.UserID)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		company, ok, err := companyOn(ctx, tx, e.ID, dayOf(ordered))
		if err != nil {
			return err
		}
		if !ok {
			return app.Invalid("ordered_at", app.M("err.property.no_service_contract_covers_that_day"))
		}
		o.ID, o.CompanyID = 0, company
		if err := tx.Create(&o).Error; err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, p, audit.Entry{Action: "rectification.order", TargetType: "rectification_order", TargetID: o.ID,
			OrgID: e.CommunityID, EstateID: e.ID, Detail: map[string]any{"company_id": company, "deadline": deadline.Format(time.RFC3339)}}); err != nil {
			return err
		}
		return s.reevaluate(ctx, tx, e.ID, company)
	})
	if err != nil {
		return 0, app.AsError(err)
	}
	return o.ID, nil
}

// Outcome is the company's answer to an order.
type Outcome struct {
	Outcome string // completed or refused
	At      string // RFC 3339
}

// RecordOutcome records whether the company completed or refused the order.
func (s *Service) RecordOutcome(ctx context.Context, p app.Principal, orderID int64, in Outcome) error {
	if err := access.Require(p, access.SuperviseProperty); err != nil {
		return err
	}
	var o models.RectificationOrder
	if err := s.db.WithContext(ctx).First(&o, orderID).Error; err != nil {
		if isNotFound(err) {
			return notFound("整改通知")
		}
		return app.Internal(err)
	}
	if _, err := s.orgs.EstateForChange(ctx, p, o.EstateID); err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return notFound("整改通知")
		}
		return err
	}
	if in.Outcome != rules.RectificationCompleted && in.Outcome != rules.RectificationRefused {
		return app.Invalid("outcome", app.M("err.property.outcome_must_be_completed_or_refused"))
	}
	now := s.now()
	at, err := s.parseInstant("at", in.At, now)
	if err != nil {
		return err
	}
	if at.Before(o.OrderedAt) {
		return app.Invalid("at", app.M("err.property.before_the_order"))
	}
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&models.RectificationOrder{}).Where("id = ? AND outcome = ''", o.ID).
			Updates(map[string]any{"outcome": in.Outcome, "outcome_at": at, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return &app.Error{Code: app.EConflict, Msg: app.M("err.property.the_outcome_is_already_recorded"),
				Details: []app.Detail{{Field: "outcome", Msg: app.M("err.property.already_recorded")}}}
		}
		if err := audit.Record(ctx, tx, p, audit.Entry{Action: "rectification." + in.Outcome, TargetType: "rectification_order", TargetID: o.ID,
			EstateID: o.EstateID, Detail: map[string]any{"at": at.Format(time.RFC3339)}}); err != nil {
			return err
		}
		return s.reevaluate(ctx, tx, o.EstateID, o.CompanyID)
	}))
}

// Credit entry kinds: a warning talk (约谈) and a public notice (通报).
const (
	CreditTalk   = "talk"
	CreditNotice = "notice"
)

// NewCreditEntry is a warning talk or a public notice to enter in a company's file.
type NewCreditEntry struct {
	Kind     string // talk or notice
	At       string // RFC 3339
	Text     string
	EstateID int64 // optional: the estate concerned
}

// AddCreditEntry enters a warning talk or a public notice in the company's credit file.
func (s *Service) AddCreditEntry(ctx context.Context, p app.Principal, companyID int64, in NewCreditEntry) (int64, error) {
	if err := access.Require(p, access.SuperviseProperty); err != nil {
		return 0, err
	}
	if _, err := s.company(ctx, s.db, companyID, ""); err != nil {
		return 0, err
	}
	if !slices.Contains([]string{CreditTalk, CreditNotice}, in.Kind) {
		return 0, app.Invalid("kind", app.M("err.property.kind_must_be_talk_or_notice"))
	}
	now := s.now()
	at, err := s.parseInstant("at", in.At, now)
	if err != nil {
		return 0, err
	}
	text := strings.TrimSpace(in.Text)
	if text == "" || utf8.RuneCountInString(text) > 4000 {
		return 0, app.Invalid("text", app.M("err.property.text_required_2"))
	}
	entry := models.CompanyCreditEntry{CompanyID: companyID, Kind: in.Kind, HeldAt: at, Body: text, CreatedByOrgID: p.OrgID, CreatedAt: now}
	if in.EstateID != 0 {
		if _, err := s.orgs.Estate(ctx, p, in.EstateID); err != nil {
			return 0, app.Invalid("estate_id", app.M("err.property.no_such_estate"))
		}
		entry.EstateID = ptr(in.EstateID)
	}
	if p.UserID != 0 {
		entry.CreatedBy = ptr(p.UserID)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		entry.ID = 0
		if err := tx.Create(&entry).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "company." + in.Kind, TargetType: "property_company", TargetID: companyID,
			OrgID: p.OrgID, EstateID: in.EstateID})
	})
	if err != nil {
		return 0, app.AsError(err)
	}
	return entry.ID, nil
}

// NewSurvey is the result of an owner satisfaction survey.
type NewSurvey struct {
	ClosedAt    string // RFC 3339
	Respondents int
	Satisfied   int
}

// RecordSurvey records a satisfaction survey's result (from paper) for the company
// serving the estate when it closed; satisfied > respondents → 422 naming satisfied.
func (s *Service) RecordSurvey(ctx context.Context, p app.Principal, estateID int64, in NewSurvey) (int64, error) {
	if err := access.Require(p, access.PropertyRecords); err != nil {
		return 0, err
	}
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	closed, err := s.parseInstant("closed_at", in.ClosedAt, now)
	if err != nil {
		return 0, err
	}
	if in.Respondents < 1 || in.Respondents > 1_000_000 {
		return 0, app.Invalid("respondents", app.M("err.property.respondents_must_be_a_positive_number"))
	}
	if in.Satisfied < 0 || in.Satisfied > in.Respondents {
		return 0, app.Invalid("satisfied", app.M("err.property.satisfied_must_lie_between_0_and_respondents"))
	}
	sv := models.SatisfactionSurvey{EstateID: e.ID, ClosedAt: closed, Respondents: in.Respondents, Satisfied: in.Satisfied, Source: "paper", CreatedAt: now}
	if p.UserID != 0 {
		sv.CreatedBy = ptr(p.UserID)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		company, ok, err := companyOn(ctx, tx, e.ID, dayOf(closed))
		if err != nil {
			return err
		}
		if !ok {
			return app.Invalid("closed_at", app.M("err.property.no_service_contract_covers_that_day"))
		}
		sv.ID, sv.CompanyID = 0, company
		if err := tx.Create(&sv).Error; err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, p, audit.Entry{Action: "satisfaction_survey.record", TargetType: "satisfaction_survey", TargetID: sv.ID,
			OrgID: e.CommunityID, EstateID: e.ID, Detail: map[string]any{"respondents": in.Respondents, "satisfied": in.Satisfied}}); err != nil {
			return err
		}
		return s.reevaluate(ctx, tx, e.ID, company)
	})
	if err != nil {
		return 0, app.AsError(err)
	}
	return sv.ID, nil
}
