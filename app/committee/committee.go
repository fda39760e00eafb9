// Package committee is the owners' committee in office (issue 12): negative-list cases
// against members (report, verification, suspension, defence, proposal, the assembly's
// removal vote and its announcement), automatic cessation (BJ 46 ¶1, HZ 32), absence
// from the committee's meetings (BJ 46 ¶2), and the seats: an ended seat is filled from
// the alternates in order (递补), each change is announced and filed within 30 days
// (BJ 50), and when serving members stay below half of the seats the estate is flagged
// for re-election (BJ 48). docs/committee.md tells how a case flows; docs/rules.md
// "Committee in office" gives the rules and their sources.
//
// Every use case checks the role (app/access) and the jurisdiction (app/orgs: another
// street office's committee or case does not exist, 404) and writes in one transaction
// with its audit row. Notices are PDFs issued through app/documents with the same
// verification QR code as resolutions.
package committee

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/documents"
	"gongzhi/app/formation"
	"gongzhi/app/orgs"
	"gongzhi/app/pii"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// Service runs the committee in office.
type Service struct {
	db        *gorm.DB
	orgs      *orgs.Service
	votes     *voting.Service
	docs      *documents.Service
	formation *formation.Service
	pii       *pii.Protector
	clock     app.Clock
}

// New builds the service.
func New(db *gorm.DB, o *orgs.Service, v *voting.Service, d *documents.Service, f *formation.Service, p *pii.Protector, clock app.Clock) *Service {
	return &Service{db: db, orgs: o, votes: v, docs: d, formation: f, pii: p, clock: app.ClockOrSystem(clock)}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// Deadlines are the periods a case runs under, in days. The statutes name no period for
// verification, defence or proposal; these are the platform's defaults per profile
// (docs/rules.md "Committee in office"); the change filing is BJ 50's 30 days.
type Deadlines struct {
	VerifyDays       int // from the report to the verification
	DefenceDays      int // from the suspension to the written defence
	ProposeDays      int // from the verification to the proposal to the assembly
	ChangeFilingDays int // from a change of members to its filing (BJ 50)
}

// DeadlinesFor gives the deadlines of a jurisdiction profile.
func DeadlinesFor(profile string) Deadlines {
	d := Deadlines{VerifyDays: 15, DefenceDays: 7, ProposeDays: 30, ChangeFilingDays: 30}
	if profile == "beijing" {
		d.VerifyDays = 10
	}
	return d
}

// Grounds are the codes of a removal case: the negative list N1-N12 (BJ 47, HZ 31, NB 34)
// and the two BJ 46 ¶2 grounds.
var Grounds = []string{"N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N10", "N11", "N12", "absence", "ineligible"}

// GroundLabel is the Chinese description of a ground.
func GroundLabel(code string) string {
	switch code {
	case "N1":
		return "阻挠业主大会行使职权或不执行业主大会决定"
	case "N2":
		return "虚构、篡改、隐匿、毁弃或拒不移交资料"
	case "N3":
		return "违规使用印章"
	case "N4":
		return "擅自签订或变更物业服务合同"
	case "N5":
		return "出借、挪用共有财产或收益"
	case "N6":
		return "收受物业或建设单位利益，或要求减免费用"
	case "N7":
		return "向物业服务企业推销商品或服务"
	case "N8":
		return "泄露业主资料"
	case "N9":
		return "伪造选票、委托书、签名或冒用业主身份"
	case "N10":
		return "离任后拒不移交账册和印章"
	case "N11":
		return "拒不执行整改要求或生效裁判"
	case "N12":
		return "其他损害业主共同利益的行为"
	case "absence":
		return "一年内缺席过半数的业主委员会会议"
	case "ineligible":
		return "不再符合委员任职条件"
	}
	return code
}

// Cessation reasons (BJ 46 ¶1, HZ 32).
var CessationReasons = []string{"resignation", "not_owner", "inability", "criminal"}

// CessationLabel is the Chinese description of a cessation reason.
func CessationLabel(code string) string {
	switch code {
	case "resignation":
		return "书面辞职"
	case "not_owner":
		return "不再是本物业管理区域业主"
	case "inability":
		return "无法履行职责"
	case "criminal":
		return "被依法追究刑事责任"
	}
	return code
}

// StatusLabel is the Chinese name of a case status.
func StatusLabel(status string) string {
	switch status {
	case models.CaseReported:
		return "待核实"
	case models.CaseFounded:
		return "属实，已暂停履职"
	case models.CaseProposed:
		return "已提请业主大会"
	case models.CaseVoting:
		return "业主大会表决中"
	case models.CaseRemoved:
		return "已罢免"
	case models.CaseRetained:
		return "未罢免"
	case models.CaseUnfounded:
		return "不属实，已结案"
	case models.CasePending:
		return "待街道确认资格终止"
	case models.CaseCeased:
		return "资格已终止"
	case models.CaseDismissed:
		return "经核实未终止"
	}
	return status
}

var errNoCommittee = app.Fail(app.ENotFound, "err.committee.no_such_committee")
var errNoCase = app.Fail(app.ENotFound, "err.committee.no_such_case")

// committeeOf loads a committee the principal may see (404 outside jurisdiction).
func (s *Service) committeeOf(ctx context.Context, p app.Principal, id int64) (models.Committee, models.EstateWithPath, error) {
	c, err := models.FindCommittee(ctx, s.db, id)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, models.EstateWithPath{}, errNoCommittee
	}
	if err != nil {
		return c, models.EstateWithPath{}, app.Internal(err)
	}
	e, err := s.orgs.Estate(ctx, p, c.EstateID)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return c, e, errNoCommittee
		}
		return c, e, err
	}
	return c, e, nil
}

// caseOf loads a case the principal may see (404 outside jurisdiction).
func (s *Service) caseOf(ctx context.Context, p app.Principal, id int64) (models.CommitteeCase, models.EstateWithPath, error) {
	c, err := models.FindCommitteeCase(ctx, s.db, id)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, models.EstateWithPath{}, errNoCase
	}
	if err != nil {
		return c, models.EstateWithPath{}, app.Internal(err)
	}
	e, err := s.orgs.Estate(ctx, p, c.EstateID)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return c, e, errNoCase
		}
		return c, e, err
	}
	return c, e, nil
}

// forChange checks that the principal may change things of the estate.
func (s *Service) forChange(ctx context.Context, p app.Principal, estateID int64, notFound error) error {
	if _, err := s.orgs.EstateForChange(ctx, p, estateID); err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return notFound
		}
		return err
	}
	return nil
}

// event appends a step to a case's timeline.
func event(tx *gorm.DB, caseID int64, kind string, at time.Time, by, note string, docID *int64, now time.Time) error {
	if err := tx.Create(&models.CommitteeCaseEvent{CaseID: caseID, Kind: kind, At: at, ByName: by, Note: note, DocumentID: docID, CreatedAt: now}).Error; err != nil {
		return fmt.Errorf("recording case event %s: %w", kind, err)
	}
	return nil
}

// record writes the audit row of a use case.
func record(ctx context.Context, tx *gorm.DB, p app.Principal, estateID int64, action string, caseID int64, detail map[string]any) error {
	return audit.Record(ctx, tx, p, audit.Entry{Action: action, TargetType: "committee_case", TargetID: caseID, EstateID: estateID, Detail: detail})
}

// cleanText checks a required (min 1) or optional text of at most max characters.
func cleanText(field, v string, required bool, max int) (string, error) {
	v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
	n := len([]rune(v))
	if required && n == 0 {
		return "", app.Invalid(field, app.M("err.committee.required"))
	}
	if n > max {
		return "", app.Invalid(field, app.M("err.committee.at_most_characters", max))
	}
	return v, nil
}

// cleanGrounds checks and orders the grounds of a removal case.
func cleanGrounds(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, app.Invalid("grounds", app.M("err.committee.give_at_least_one_ground"))
	}
	var out []string
	for _, g := range in {
		g = strings.TrimSpace(g)
		if !slices.Contains(Grounds, g) {
			return nil, app.Invalid("grounds", app.M("err.committee.unknown_ground", g))
		}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(Grounds, a) - slices.Index(Grounds, b) })
	return out, nil
}

// splitGrounds reads stored grounds.
func splitGrounds(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// at reads an optional instant; zero means now, a future instant is refused.
func at(field string, t *time.Time, now time.Time) (time.Time, error) {
	if t == nil || t.IsZero() {
		return now, nil
	}
	v := t.UTC().Truncate(time.Microsecond)
	if v.After(now.Add(time.Minute)) {
		return v, app.Invalid(field, app.M("err.committee.cannot_lie_in_the_future_2"))
	}
	return v, nil
}

// deadline is the end of the last day of a period of days from start (Shanghai days).
func deadline(start time.Time, days int) time.Time { return rules.PeriodEnd(start, days, nil) }

// inTx runs fn in one transaction.
func (s *Service) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return app.AsErrorOrNil(database.Tx(ctx, s.db, fn))
}

// memberLabel is a member's name with the role.
func memberLabel(m models.CommitteeMember) string {
	return m.Name + "（" + formation.MemberRoleLabel(m.Role) + "）"
}

// day formats a Shanghai civil day.
func day(t time.Time) string { return t.In(rules.Shanghai()).Format(time.DateOnly) }

// lastDay is the last civil day of a period that ends at end (exclusive).
func lastDay(end time.Time) string { return day(end.Add(-time.Nanosecond)) }

// shanghai is the zone of civil days.
func shanghai() *time.Location { return rules.Shanghai() }
