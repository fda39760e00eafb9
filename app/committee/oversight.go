package committee

// Committee oversight (seed 003 §(六); docs/rules.md "Committee oversight"): the owner
// representatives' periodic rating of the committee's work, shown before re-election; a
// street office's order to rectify within a deadline and its outcome; and the revocation
// of a decision the committee refused to rectify, announced to the owners by a notice PDF.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/documents"
	"gongzhi/app/pdfdoc"
	"gongzhi/models"
)

// RatingInput is one period's rating of the committee by the owner representatives.
type RatingInput struct {
	Period       string // the period rated, e.g. "2026年上半年"
	RatedOn      string // the day of the rating, YYYY-MM-DD
	Raters       int    // owner representatives who rated
	Satisfied    int    // 满意
	Basic        int    // 基本满意
	Dissatisfied int    // 不满意
	Summary      string // the representatives' main opinions
}

// RatingView is a rating with its satisfaction rate ((satisfied + basic) / raters).
type RatingView struct {
	models.CommitteeRating
	// RatePermille is the satisfaction rate in thousandths, rounded down (integer arithmetic).
	RatePermille int
	RateText     string // "83.3%"
}

// RectificationInput is a street office's order to the committee to rectify by a day.
type RectificationInput struct {
	Matters   string // what is to be put right
	Basis     string // the law or rule broken
	DueOn     string // the last day, YYYY-MM-DD, not before today
	MinutesID int64  // the final committee minutes of the decision concerned (0: none)
	Decision  int    // the decision's number in those minutes, from 1
}

// OutcomeInput is the outcome of a rectification order once checked.
type OutcomeInput struct {
	Status    string // rectified or not_rectified
	Outcome   string // what was found
	OutcomeOn string // the day it was checked, YYYY-MM-DD ("" today)
}

// RevocationInput is the revocation of the decision of a refused rectification order.
type RevocationInput struct {
	Grounds string // why the decision breaks the law or the rules
	Basis   string // the provisions relied on
}

// RectificationView is an order with its decision, whether it is overdue and whether the
// decision was revoked.
type RectificationView struct {
	models.CommitteeRectification
	StatusLabel  string
	Overdue      bool // open after its last day
	DecisionNo   int  // the decision's number in its minutes, from 1 (0: none)
	DecisionText string
	MinutesTitle string
	Revocation   *models.CommitteeRevocation
	CanRevoke    bool // not rectified, a decision named, not yet revoked
}

// DecisionRef is one decision of an estate's final committee minutes, to name in an order.
type DecisionRef struct {
	MinutesID    int64
	MinutesTitle string
	HeldOn       string
	Number       int // from 1
	Text         string
	Revoked      bool
}

// OversightView is the oversight record of a committee: ratings (latest first), orders and
// revocations, with what the viewer may do.
type OversightView struct {
	CommitteeID    int64
	EstateID       int64
	EstateName     string
	Ratings        []RatingView
	Latest         *RatingView
	Rectifications []RectificationView
	Open           int // open orders
	OverdueCount   int // open orders past their day
	Revoked        int
	Decisions      []DecisionRef
	CanRate        bool
	CanOrder       bool
	Today          string
}

// RectificationLabel is the Chinese name of an order's status.
func RectificationLabel(status string) string {
	switch status {
	case models.RectificationOpen:
		return "整改中"
	case models.RectificationDone:
		return "已整改"
	case models.RectificationNotRectified:
		return "拒不整改"
	}
	return status
}

// rateOf computes the satisfaction rate of a rating.
func rateOf(r models.CommitteeRating) RatingView {
	v := RatingView{CommitteeRating: r}
	if r.Raters > 0 {
		v.RatePermille = (r.Satisfied + r.Basic) * 1000 / r.Raters
	}
	v.RateText = fmt.Sprintf("%d.%d%%", v.RatePermille/10, v.RatePermille%10)
	return v
}

// civilDay checks a YYYY-MM-DD day; empty gives def when def is set.
func civilDay(field, v, def string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if def != "" {
			return def, nil
		}
		return "", app.Invalid(field, app.M("err.committee.the_date_is_required"))
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return "", app.Invalid(field, app.M("err.committee.date_as_yyyy_mm_dd"))
	}
	return v, nil
}

// oversightTarget loads a committee for a change under an oversight action: role first
// (403), then the jurisdiction (404).
func (s *Service) oversightTarget(ctx context.Context, p app.Principal, act access.Action, committeeID int64) (models.Committee, error) {
	if err := access.Require(p, act); err != nil {
		return models.Committee{}, err
	}
	c, _, err := s.committeeOf(ctx, p, committeeID)
	if err != nil {
		return c, err
	}
	if err := s.forChange(ctx, p, c.EstateID, errNoCommittee); err != nil {
		return c, err
	}
	return c, nil
}

// recordOversight writes the audit row of an oversight use case.
func recordOversight(ctx context.Context, tx *gorm.DB, p app.Principal, c models.Committee, action string, detail map[string]any) error {
	return audit.Record(ctx, tx, p, audit.Entry{Action: action, TargetType: "committee", TargetID: c.ID, EstateID: c.EstateID, Detail: detail})
}

// RecordRating records one period's rating of the committee by the owner representatives
// (organised by the community or the street office). A period is rated once.
func (s *Service) RecordRating(ctx context.Context, p app.Principal, committeeID int64, in RatingInput) (int64, error) {
	c, err := s.oversightTarget(ctx, p, access.OversightRate, committeeID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	today := day(now)
	period := strings.TrimSpace(in.Period)
	switch n := utf8.RuneCountInString(period); {
	case n == 0:
		return 0, app.Invalid("period", app.M("err.committee.the_period_is_required"))
	case n > 32:
		return 0, app.Invalid("period", app.M("err.committee.at_most_32_characters"))
	}
	on, err := civilDay("rated_on", in.RatedOn, today)
	if err != nil {
		return 0, err
	}
	if on > today {
		return 0, app.Invalid("rated_on", app.M("err.committee.cannot_lie_in_the_future_3"))
	}
	switch {
	case in.Raters < 1:
		return 0, app.Invalid("raters", app.M("err.committee.at_least_one_representative"))
	case in.Satisfied < 0 || in.Basic < 0 || in.Dissatisfied < 0:
		return 0, app.Invalid("satisfied", app.M("err.committee.counts_cannot_be_negative"))
	case in.Satisfied+in.Basic+in.Dissatisfied != in.Raters:
		return 0, app.Invalid("raters", app.M("err.committee.the_three_counts_must_add_up_to_the_raters", in.Satisfied+in.Basic+in.Dissatisfied, in.Raters))
	}
	summary, err := cleanText("summary", in.Summary, false, 5000)
	if err != nil {
		return 0, err
	}
	var exists int64
	if err := s.db.WithContext(ctx).Model(&models.CommitteeRating{}).Where("committee_id = ? AND period = ?", c.ID, period).Count(&exists).Error; err != nil {
		return 0, app.Internal(err)
	}
	if exists > 0 {
		return 0, app.Invalid("period", app.M("err.committee.this_period_was_already_rated"))
	}
	r := models.CommitteeRating{CommitteeID: c.ID, EstateID: c.EstateID, Period: period, RatedOn: on, Raters: in.Raters, Satisfied: in.Satisfied,
		Basic: in.Basic, Dissatisfied: in.Dissatisfied, Summary: summary, RecordedBy: p.Username, CreatedAt: now}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		r.ID = 0
		if err := tx.Create(&r).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Invalid("period", app.M("err.committee.this_period_was_already_rated"))
			}
			return fmt.Errorf("recording rating: %w", err)
		}
		return recordOversight(ctx, tx, p, c, "committee.rating", map[string]any{"rating_id": r.ID, "period": period, "raters": in.Raters,
			"satisfied": in.Satisfied, "basic": in.Basic, "dissatisfied": in.Dissatisfied})
	})
	return r.ID, err
}

// minutesDecisions reads the decisions of final committee minutes of the estate.
func (s *Service) minutesDecisions(ctx context.Context, estateID, minutesID int64) (models.Minutes, []documents.Decision, error) {
	var m models.Minutes
	err := s.db.WithContext(ctx).Where("id = ? AND estate_id = ? AND kind = ? AND state = ?", minutesID, estateID, models.MinutesCommittee, models.MinutesFinal).First(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, nil, app.Invalid("minutes_id", app.M("err.committee.final_committee_minutes_of_this_estate"))
	}
	if err != nil {
		return m, nil, app.Internal(err)
	}
	var ds []documents.Decision
	if err := json.Unmarshal([]byte(m.DecisionsJSON), &ds); err != nil {
		return m, nil, app.Internal(fmt.Errorf("minutes %d decisions: %w", m.ID, err))
	}
	return m, ds, nil
}

// OrderRectification records a street office's order to the committee to rectify by a
// day; an order may name one decision of final committee minutes.
func (s *Service) OrderRectification(ctx context.Context, p app.Principal, committeeID int64, in RectificationInput) (int64, error) {
	c, err := s.oversightTarget(ctx, p, access.OversightOrder, committeeID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	today := day(now)
	matters, err := cleanText("matters", in.Matters, true, 5000)
	if err != nil {
		return 0, err
	}
	basis, err := cleanText("basis", in.Basis, false, 1000)
	if err != nil {
		return 0, err
	}
	due, err := civilDay("due_on", in.DueOn, "")
	if err != nil {
		return 0, err
	}
	if due < today {
		return 0, app.Invalid("due_on", app.M("err.committee.the_deadline_cannot_lie_in_the_past"))
	}
	r := models.CommitteeRectification{CommitteeID: c.ID, EstateID: c.EstateID, Matters: matters, Basis: basis, IssuedOn: today, DueOn: due,
		IssuedBy: p.Username, Status: models.RectificationOpen, CreatedAt: now, UpdatedAt: now}
	if in.MinutesID != 0 || in.Decision != 0 {
		_, ds, err := s.minutesDecisions(ctx, c.EstateID, in.MinutesID)
		if err != nil {
			return 0, err
		}
		if in.Decision < 1 || in.Decision > len(ds) {
			return 0, app.Invalid("decision", app.M("err.committee.the_minutes_record_decisions", len(ds)))
		}
		mid, idx := in.MinutesID, in.Decision-1
		r.MinutesID, r.DecisionIndex = &mid, &idx
	}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		r.ID = 0
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("recording rectification order: %w", err)
		}
		return recordOversight(ctx, tx, p, c, "committee.rectification.ordered", map[string]any{"rectification_id": r.ID, "due_on": due,
			"minutes_id": in.MinutesID, "decision": in.Decision})
	})
	return r.ID, err
}

// rectificationOf loads an order the principal may see (404 outside jurisdiction).
func (s *Service) rectificationOf(ctx context.Context, p app.Principal, id int64) (models.CommitteeRectification, models.Committee, error) {
	var r models.CommitteeRectification
	notFound := app.Fail(app.ENotFound, "err.committee.no_such_rectification_order")
	err := s.db.WithContext(ctx).First(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, models.Committee{}, notFound
	}
	if err != nil {
		return r, models.Committee{}, app.Internal(err)
	}
	c, _, err := s.committeeOf(ctx, p, r.CommitteeID)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return r, c, notFound
		}
		return r, c, err
	}
	if err := s.forChange(ctx, p, c.EstateID, notFound); err != nil {
		return r, c, err
	}
	return r, c, nil
}

// RecordOutcome records whether the committee rectified an open order.
func (s *Service) RecordOutcome(ctx context.Context, p app.Principal, rectificationID int64, in OutcomeInput) error {
	if err := access.Require(p, access.OversightOrder); err != nil {
		return err
	}
	r, c, err := s.rectificationOf(ctx, p, rectificationID)
	if err != nil {
		return err
	}
	if in.Status != models.RectificationDone && in.Status != models.RectificationNotRectified {
		return app.Invalid("status", app.M("err.committee.rectified_or_not_rectified"))
	}
	outcome, err := cleanText("outcome", in.Outcome, true, 5000)
	if err != nil {
		return err
	}
	now := s.now()
	today := day(now)
	on, err := civilDay("outcome_on", in.OutcomeOn, today)
	if err != nil {
		return err
	}
	if on > today || on < r.IssuedOn {
		return app.Invalid("outcome_on", app.M("err.committee.between_the_order_s_day_and_today"))
	}
	if r.Status != models.RectificationOpen {
		return app.Fail(app.EConflict, "err.committee.the_order_already_has_its_outcome")
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&models.CommitteeRectification{}).Where("id = ? AND status = ?", r.ID, models.RectificationOpen).Updates(map[string]any{
			"status": in.Status, "outcome": outcome, "outcome_on": on, "outcome_by": p.Username, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("recording outcome of order %d: %w", r.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.committee.the_order_changed_meanwhile")
		}
		return recordOversight(ctx, tx, p, c, "committee.rectification.outcome", map[string]any{"rectification_id": r.ID, "status": in.Status,
			"outcome_on": on})
	})
}

// Revoke revokes the decision of an order the committee refused to rectify and announces
// it to the owners on the estate's board with a notice PDF (verification QR). It returns
// the notice's document id.
func (s *Service) Revoke(ctx context.Context, p app.Principal, rectificationID int64, in RevocationInput) (int64, error) {
	if err := access.Require(p, access.OversightOrder); err != nil {
		return 0, err
	}
	r, c, err := s.rectificationOf(ctx, p, rectificationID)
	if err != nil {
		return 0, err
	}
	grounds, err := cleanText("grounds", in.Grounds, true, 5000)
	if err != nil {
		return 0, err
	}
	basis, err := cleanText("basis", in.Basis, true, 1000)
	if err != nil {
		return 0, err
	}
	if r.MinutesID == nil || r.DecisionIndex == nil {
		return 0, app.Invalid("rectification_id", app.M("err.committee.the_order_names_no_decision"))
	}
	if r.Status != models.RectificationNotRectified {
		return 0, app.Invalid("rectification_id", app.M("err.committee.only_a_decision_the_committee_refused_to"))
	}
	m, ds, err := s.minutesDecisions(ctx, c.EstateID, *r.MinutesID)
	if err != nil {
		return 0, err
	}
	idx := *r.DecisionIndex
	if idx < 0 || idx >= len(ds) {
		return 0, app.Internal(fmt.Errorf("order %d names decision %d of %d", r.ID, idx, len(ds)))
	}
	var revoked int64
	if err := s.db.WithContext(ctx).Model(&models.CommitteeRevocation{}).Where("minutes_id = ? AND decision_index = ?", m.ID, idx).Count(&revoked).Error; err != nil {
		return 0, app.Internal(err)
	}
	if revoked > 0 {
		return 0, app.Invalid("rectification_id", app.M("err.committee.the_decision_is_already_revoked"))
	}
	now := s.now()
	today := day(now)
	text := ds[idx].Text
	notice, err := s.docs.PrepareCommitteeNotice(ctx, documents.CommitteeNoticeInput{EstateID: c.EstateID,
		Subject: fmt.Sprintf("committee-decision:%d:%d:revocation", m.ID, idx), Title: "撤销业主委员会决定公告",
		Fields: []pdfdoc.NoticeField{{Label: "会议", Value: m.Title + "（" + day(m.HeldAt) + "）"}, {Label: "决定", Value: fmt.Sprintf("第 %d 项：%s", idx+1, text)},
			{Label: "整改通知", Value: fmt.Sprintf("%s 下达，限 %s 前整改", r.IssuedOn, r.DueOn)}, {Label: "整改结果", Value: r.Outcome},
			{Label: "撤销日期", Value: today}, {Label: "依据", Value: basis}},
		Paragraphs: []string{
			"经查实，业主委员会的上述决定违反法律法规或者议事规则、管理规约：" + grounds,
			fmt.Sprintf("本街道已于 %s 责令业主委员会于 %s 前整改，业主委员会拒不整改。", r.IssuedOn, r.DueOn),
			"依据" + basis + "，现撤销上述决定，自公告之日起不再执行。特此公告。"},
		Board: fmt.Sprintf("业主委员会“%s”中的第 %d 项决定违反法律法规或议事规则，拒不整改，已于%s依法撤销。", m.Title, idx+1, today)})
	if err != nil {
		return 0, err
	}
	var docID int64
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		id, err := s.docs.StoreCommitteeNotice(ctx, tx, p, notice)
		if err != nil {
			return err
		}
		docID = id
		rv := models.CommitteeRevocation{CommitteeID: c.ID, EstateID: c.EstateID, RectificationID: r.ID, MinutesID: m.ID, DecisionIndex: idx,
			DecisionText: text, Grounds: grounds, Basis: basis, RevokedOn: today, RevokedBy: p.Username, DocumentID: &id, CreatedAt: now}
		if err := tx.Create(&rv).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Invalid("rectification_id", app.M("err.committee.the_decision_is_already_revoked"))
			}
			return fmt.Errorf("recording revocation: %w", err)
		}
		return recordOversight(ctx, tx, p, c, "committee.decision.revoked", map[string]any{"rectification_id": r.ID, "minutes_id": m.ID,
			"decision": idx + 1, "notice": notice.Number()})
	})
	return docID, err
}

// Oversight is the oversight record of a committee for anyone who may see it.
func (s *Service) Oversight(ctx context.Context, p app.Principal, committeeID int64) (OversightView, error) {
	c, e, err := s.committeeOf(ctx, p, committeeID)
	if err != nil {
		return OversightView{}, err
	}
	now := s.now()
	v := OversightView{CommitteeID: c.ID, EstateID: c.EstateID, EstateName: e.Name, Today: day(now),
		CanRate: access.Can(p, access.OversightRate), CanOrder: access.Can(p, access.OversightOrder)}
	db := s.db.WithContext(ctx)
	var ratings []models.CommitteeRating
	if err := db.Where("committee_id = ?", c.ID).Order("rated_on DESC, id DESC").Find(&ratings).Error; err != nil {
		return v, app.Internal(err)
	}
	for _, r := range ratings {
		v.Ratings = append(v.Ratings, rateOf(r))
	}
	if len(v.Ratings) > 0 {
		l := v.Ratings[0]
		v.Latest = &l
	}
	var orders []models.CommitteeRectification
	if err := db.Where("committee_id = ?", c.ID).Order("id DESC").Find(&orders).Error; err != nil {
		return v, app.Internal(err)
	}
	var revs []models.CommitteeRevocation
	if err := db.Where("committee_id = ?", c.ID).Order("id").Find(&revs).Error; err != nil {
		return v, app.Internal(err)
	}
	byOrder := map[int64]*models.CommitteeRevocation{}
	revokedDecision := map[[2]int64]bool{}
	for i := range revs {
		byOrder[revs[i].RectificationID] = &revs[i]
		revokedDecision[[2]int64{revs[i].MinutesID, int64(revs[i].DecisionIndex)}] = true
	}
	v.Revoked = len(revs)
	var mins []models.Minutes
	if err := db.Where("estate_id = ? AND kind = ? AND state = ?", c.EstateID, models.MinutesCommittee, models.MinutesFinal).Order("held_at DESC, id DESC").Find(&mins).Error; err != nil {
		return v, app.Internal(err)
	}
	texts := map[[2]int64]string{}
	titles := map[int64]string{}
	for _, m := range mins {
		var ds []documents.Decision
		if err := json.Unmarshal([]byte(m.DecisionsJSON), &ds); err != nil {
			return v, app.Internal(fmt.Errorf("minutes %d decisions: %w", m.ID, err))
		}
		titles[m.ID] = m.Title
		for i, d := range ds {
			k := [2]int64{m.ID, int64(i)}
			texts[k] = d.Text
			v.Decisions = append(v.Decisions, DecisionRef{MinutesID: m.ID, MinutesTitle: m.Title, HeldOn: day(m.HeldAt), Number: i + 1, Text: d.Text,
				Revoked: revokedDecision[k]})
		}
	}
	for _, o := range orders {
		rv := RectificationView{CommitteeRectification: o, StatusLabel: RectificationLabel(o.Status), Revocation: byOrder[o.ID]}
		if o.Status == models.RectificationOpen {
			v.Open++
			if v.Today > o.DueOn {
				rv.Overdue = true
				v.OverdueCount++
			}
		}
		if o.MinutesID != nil && o.DecisionIndex != nil {
			rv.DecisionNo = *o.DecisionIndex + 1
			rv.DecisionText = texts[[2]int64{*o.MinutesID, int64(*o.DecisionIndex)}]
			rv.MinutesTitle = titles[*o.MinutesID]
			rv.CanRevoke = v.CanOrder && o.Status == models.RectificationNotRectified && rv.Revocation == nil
		}
		v.Rectifications = append(v.Rectifications, rv)
	}
	return v, nil
}

// EstateRatings are the ratings of every committee the estate has had, latest first: what
// a re-election group and the street office read before a re-election (seed 003 §(六):
// the ratings are an important basis for re-election).
func (s *Service) EstateRatings(ctx context.Context, p app.Principal, estateID int64) ([]RatingView, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return nil, err
	}
	var ratings []models.CommitteeRating
	if err := s.db.WithContext(ctx).Where("estate_id = ?", estateID).Order("rated_on DESC, id DESC").Find(&ratings).Error; err != nil {
		return nil, app.Internal(err)
	}
	out := make([]RatingView, 0, len(ratings))
	for _, r := range ratings {
		out = append(out, rateOf(r))
	}
	return out, nil
}

// EstateOversight is the oversight record of the estate's committee in office.
func (s *Service) EstateOversight(ctx context.Context, p app.Principal, estateID int64) (OversightView, error) {
	e, err := s.orgs.Estate(ctx, p, estateID)
	if err != nil {
		return OversightView{}, err
	}
	live, err := models.LiveCommittees(ctx, s.db, []int64{e.ID})
	if err != nil {
		return OversightView{}, app.Internal(err)
	}
	c, ok := live[e.ID]
	if !ok {
		return OversightView{}, app.Fail(app.ENotFound, "err.committee.the_estate_has_no_committee")
	}
	return s.Oversight(ctx, p, c.ID)
}
