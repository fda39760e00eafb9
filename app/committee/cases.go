package committee

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/documents"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/pii"
	"gongzhi/models"
)

// Reporter kinds of a case.
const (
	ReporterOwner     = "owner"
	ReporterMember    = "member"
	ReporterCommunity = "community"
	ReporterStreet    = "street"
	ReporterPublic    = "public" // an owner through the estate's public page
	ReporterRoster    = "roster" // a roster import (cessation)
)

// ReportInput is a report against a member, recorded by staff.
type ReportInput struct {
	MemberID     int64
	Grounds      []string
	Facts        string
	ReportedAt   *time.Time
	Reporter     string // owner, member, community or street
	ReporterName string // optional; kept as written (a staff member, an org)
}

// Report opens a removal case against a serving member (or alternate) of a formed
// committee. A second open case against the same member sharing a ground is refused.
func (s *Service) Report(ctx context.Context, p app.Principal, committeeID int64, in ReportInput) (int64, error) {
	if err := access.Require(p, access.CaseReport); err != nil {
		return 0, err
	}
	c, _, err := s.committeeOf(ctx, p, committeeID)
	if err != nil {
		return 0, err
	}
	if err := s.forChange(ctx, p, c.EstateID, errNoCommittee); err != nil {
		return 0, err
	}
	switch in.Reporter {
	case ReporterOwner, ReporterMember, ReporterCommunity, ReporterStreet:
	default:
		return 0, app.Invalid("reporter", app.M("err.committee.unknown_reporter"))
	}
	name, err := cleanText("reporter_name", in.ReporterName, false, 100)
	if err != nil {
		return 0, err
	}
	return s.open(ctx, p, c, in.MemberID, in.Grounds, in.Facts, in.ReportedAt, models.CommitteeCase{ReporterKind: in.Reporter, ReporterName: name})
}

// PublicReportInput is a report an owner submits on the estate's public page. The
// reporter's name and phone are kept only as a keyed hash and masks.
type PublicReportInput struct {
	MemberID     int64
	Grounds      []string
	Facts        string
	ReporterName string
	Contact      string // phone or ID number
}

// PublicReport opens a case from the estate's public page, without sign-in.
func (s *Service) PublicReport(ctx context.Context, estateID int64, in PublicReportInput) (int64, error) {
	live, err := models.LiveCommittees(ctx, s.db, []int64{estateID})
	if err != nil {
		return 0, app.Internal(err)
	}
	c, ok := live[estateID]
	if !ok || c.Status == models.CommitteeForming {
		return 0, app.Fail(app.ENotFound, "err.committee.no_committee_in_office_2")
	}
	name, err := cleanText("reporter_name", in.ReporterName, true, 50)
	if err != nil {
		return 0, err
	}
	contact, err := cleanText("contact", in.Contact, true, 40)
	if err != nil {
		return 0, err
	}
	if len([]rune(contact)) < 6 {
		return 0, app.Invalid("contact", app.M("err.committee.give_a_phone_or_id_number"))
	}
	row := models.CommitteeCase{ReporterKind: ReporterPublic, ReporterHash: s.pii.HashID(contact),
		ReporterMask: pii.MaskName(name) + " " + pii.MaskPhone(contact)}
	return s.open(ctx, app.System(), c, in.MemberID, in.Grounds, in.Facts, nil, row)
}

// open writes a new removal case.
func (s *Service) open(ctx context.Context, p app.Principal, c models.Committee, memberID int64, grounds []string, facts string,
	reportedAt *time.Time, row models.CommitteeCase) (int64, error) {
	if c.Status != models.CommitteeFormed && c.Status != models.CommitteeFiled {
		return 0, app.Fail(app.EConflict, "err.committee.the_committee_is_not_in_office")
	}
	gs, err := cleanGrounds(grounds)
	if err != nil {
		return 0, err
	}
	if facts, err = cleanText("facts", facts, true, 5000); err != nil {
		return 0, err
	}
	now := s.now()
	when, err := at("reported_at", reportedAt, now)
	if err != nil {
		return 0, err
	}
	dl := DeadlinesFor(c.ProfileCode)
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		m, err := s.serving(tx, c.ID, memberID)
		if err != nil {
			return err
		}
		var open []models.CommitteeCase
		if err := tx.Where("member_id = ? AND kind = ? AND status IN ?", m.ID, models.CaseRemoval,
			[]string{models.CaseReported, models.CaseFounded, models.CaseProposed, models.CaseVoting}).Find(&open).Error; err != nil {
			return fmt.Errorf("reading open cases: %w", err)
		}
		for _, o := range open {
			for _, g := range splitGrounds(o.Grounds) {
				if slices.Contains(gs, g) {
					return app.Invalid("grounds", app.M("err.committee.an_open_case_on_the_same_ground_exists", g, o.ID))
				}
			}
		}
		row.ID = 0
		row.CommitteeID, row.EstateID, row.MemberID, row.Kind = c.ID, c.EstateID, m.ID, models.CaseRemoval
		row.Grounds, row.Facts, row.ReportedAt, row.ReportedBy, row.Status = strings.Join(gs, ","), facts, when, p.Username, models.CaseReported
		due := deadline(when, dl.VerifyDays)
		row.VerifyDue, row.CreatedAt, row.UpdatedAt = &due, now, now
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("creating case: %w", err)
		}
		note := "举报情形：" + strings.Join(gs, "、")
		if row.ReporterMask != "" {
			note += "；举报人（已脱敏）：" + row.ReporterMask
		}
		if err := event(tx, row.ID, "reported", when, p.Username, note, nil, now); err != nil {
			return err
		}
		return record(ctx, tx, p, c.EstateID, "committee.case.report", row.ID, map[string]any{"member_id": m.ID, "grounds": gs,
			"reporter": row.ReporterKind})
	})
	if err != nil {
		return 0, err
	}
	return row.ID, nil
}

// serving loads a serving member (or alternate) of the committee; anything else names the field.
func (s *Service) serving(tx *gorm.DB, committeeID, memberID int64) (models.CommitteeMember, error) {
	var m models.CommitteeMember
	if memberID <= 0 {
		return m, app.Invalid("member_id", app.M("err.committee.member_id_required"))
	}
	res := tx.Where("id = ? AND committee_id = ?", memberID, committeeID).Limit(1).Find(&m)
	if res.Error != nil {
		return m, fmt.Errorf("reading member %d: %w", memberID, res.Error)
	}
	if res.RowsAffected == 0 {
		return m, app.Invalid("member_id", app.M("err.committee.not_a_member_of_this_committee"))
	}
	if m.Status != models.SeatServing {
		return m, app.Invalid("member_id", app.M("err.committee.the_member_is_no_longer_serving"))
	}
	return m, nil
}

// MaxEvidence bounds one evidence file.
const MaxEvidence = 10 << 20

// AddFile attaches an evidence file to an open case.
func (s *Service) AddFile(ctx context.Context, p app.Principal, caseID int64, filename string, data []byte) (int64, error) {
	if err := access.Require(p, access.CaseReport); err != nil {
		return 0, err
	}
	k, _, err := s.caseOf(ctx, p, caseID)
	if err != nil {
		return 0, err
	}
	if err := s.forChange(ctx, p, k.EstateID, errNoCase); err != nil {
		return 0, err
	}
	if len(data) == 0 {
		return 0, app.Invalid("file", app.M("err.committee.the_file_is_empty"))
	}
	if len(data) > MaxEvidence {
		return 0, app.Invalid("file", app.M("err.committee.at_most_mb", MaxEvidence>>20))
	}
	if filename, err = cleanText("file", filename, true, 200); err != nil {
		return 0, err
	}
	if !k.Open() {
		return 0, app.Fail(app.EConflict, "err.committee.the_case_is_closed")
	}
	sum := sha256.Sum256(data)
	now := s.now()
	f := models.CommitteeCaseFile{CaseID: k.ID, Filename: filename, ContentType: http.DetectContentType(data), SHA256: hex.EncodeToString(sum[:]),
		SizeBytes: int64(len(data)), Data: data, UploadedBy: p.Username, CreatedAt: now}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		f.ID = 0
		if err := tx.Create(&f).Error; err != nil {
			return fmt.Errorf("storing evidence: %w", err)
		}
		if err := event(tx, k.ID, "evidence", now, p.Username, filename+"（SHA-256 "+f.SHA256[:12]+"…）", nil, now); err != nil {
			return err
		}
		return record(ctx, tx, p, k.EstateID, "committee.case.evidence", k.ID, map[string]any{"file": filename, "sha256": f.SHA256, "size": f.SizeBytes})
	})
	if err != nil {
		return 0, err
	}
	return f.ID, nil
}

// File returns one evidence file of a case the principal may see.
func (s *Service) File(ctx context.Context, p app.Principal, fileID int64) (models.CommitteeCaseFile, error) {
	var f models.CommitteeCaseFile
	if err := s.db.WithContext(ctx).Where("id = ?", fileID).Take(&f).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return f, app.Fail(app.ENotFound, "err.committee.no_such_file")
		}
		return f, app.Internal(err)
	}
	if _, _, err := s.caseOf(ctx, p, f.CaseID); err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return f, app.Fail(app.ENotFound, "err.committee.no_such_file")
		}
		return f, err
	}
	return f, nil
}

// VerifyInput is the street office's or community's verification.
type VerifyInput struct {
	Founded *bool
	Reasons string
	At      *time.Time
}

// Verify records the verification of a reported case. Founded: the member is suspended
// from duties (still a member) and the suspension notice is posted on the estate's
// board; unfounded: the case is closed with the reasons and the reporter is told.
func (s *Service) Verify(ctx context.Context, p app.Principal, caseID int64, in VerifyInput) error {
	if err := access.Require(p, access.CaseVerify); err != nil {
		return err
	}
	k, _, err := s.caseOf(ctx, p, caseID)
	if err != nil {
		return err
	}
	if err := s.forChange(ctx, p, k.EstateID, errNoCase); err != nil {
		return err
	}
	if in.Founded == nil {
		return app.Invalid("founded", app.M("err.committee.founded_required"))
	}
	reasons, err := cleanText("reasons", in.Reasons, true, 5000)
	if err != nil {
		return err
	}
	now := s.now()
	when, err := at("at", in.At, now)
	if err != nil {
		return err
	}
	if when.Before(k.ReportedAt) {
		return app.Invalid("at", app.M("err.committee.before_the_report"))
	}
	if k.Kind != models.CaseRemoval || k.Status != models.CaseReported {
		return app.Fail(app.EConflict, "err.committee.the_case_is_not_awaiting_verification")
	}
	m, err := models.FindCommitteeMemberByID(ctx, s.db, k.MemberID)
	if err != nil {
		return app.Internal(err)
	}
	cm, err := models.FindCommittee(ctx, s.db, k.CommitteeID)
	if err != nil {
		return app.Internal(err)
	}
	dl := DeadlinesFor(cm.ProfileCode)
	var notice documents.PreparedNotice
	if *in.Founded {
		notice, err = s.docs.PrepareCommitteeNotice(ctx, documents.CommitteeNoticeInput{EstateID: k.EstateID,
			Subject: fmt.Sprintf("committee-case:%d:suspension", k.ID), Title: "暂停业主委员会委员履职公告",
			Fields: []pdfdoc.NoticeField{{Label: "委员", Value: memberLabel(m)}, {Label: "房号", Value: m.Room},
				{Label: "情形", Value: groundsText(splitGrounds(k.Grounds))}, {Label: "核实时间", Value: day(when)}, {Label: "案件编号", Value: fmt.Sprintf("#%d", k.ID)}},
			Paragraphs: []string{
				"经核实，上述委员存在业主委员会成员履职负面清单所列情形：" + reasons,
				"自核实之日起暂停该委员履行职责。暂停期间其仍为业主委员会委员，计入全体委员人数，但不参加业主委员会的会议表决和日常工作。",
				fmt.Sprintf("该委员可于 %s 前提交书面申辩。业主委员会将提请业主大会决定是否终止其委员资格，表决结果另行公告。", lastDay(deadline(when, dl.DefenceDays)))},
			Board: fmt.Sprintf("经核实，委员%s存在负面清单情形，自%s起暂停履职，待业主大会决定。", m.Name, day(when))})
		if err != nil {
			return err
		}
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&models.CommitteeCase{}).Where("id = ? AND status = ?", k.ID, models.CaseReported).Updates(map[string]any{
			"verified_at": when, "verified_by": p.Username, "verification_reasons": reasons, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("verifying case %d: %w", k.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.committee.the_case_changed_meanwhile")
		}
		if !*in.Founded {
			if err := tx.Model(&models.CommitteeCase{}).Where("id = ?", k.ID).Updates(map[string]any{"status": models.CaseUnfounded, "closed_at": when}).Error; err != nil {
				return fmt.Errorf("closing case %d: %w", k.ID, err)
			}
			if err := event(tx, k.ID, "unfounded", when, p.Username, reasons, nil, now); err != nil {
				return err
			}
			told := "已将核实结果和理由告知举报人"
			if k.ReporterMask != "" {
				told += "（" + k.ReporterMask + "）"
			}
			if err := event(tx, k.ID, "reporter_told", when, p.Username, told, nil, now); err != nil {
				return err
			}
			return record(ctx, tx, p, k.EstateID, "committee.case.unfounded", k.ID, map[string]any{"reasons": reasons})
		}
		docID, err := s.docs.StoreCommitteeNotice(ctx, tx, p, notice)
		if err != nil {
			return err
		}
		if err := tx.Model(&models.CommitteeCase{}).Where("id = ?", k.ID).Updates(map[string]any{"status": models.CaseFounded,
			"suspended_at": when, "suspension_doc_id": docID, "defence_due": deadline(when, dl.DefenceDays),
			"propose_due": deadline(when, dl.ProposeDays)}).Error; err != nil {
			return fmt.Errorf("founding case %d: %w", k.ID, err)
		}
		if err := tx.Model(&models.CommitteeMember{}).Where("id = ?", m.ID).Updates(map[string]any{"suspended_at": when,
			"suspended_case_id": k.ID, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("suspending member %d: %w", m.ID, err)
		}
		if err := event(tx, k.ID, "founded", when, p.Username, reasons, nil, now); err != nil {
			return err
		}
		if err := event(tx, k.ID, "suspended", when, p.Username, "暂停履职公告 "+notice.Number(), &docID, now); err != nil {
			return err
		}
		return record(ctx, tx, p, k.EstateID, "committee.case.founded", k.ID, map[string]any{"reasons": reasons, "member_id": m.ID,
			"notice": notice.Number()})
	})
}

// groundsText describes grounds in Chinese.
func groundsText(gs []string) string {
	var parts []string
	for _, g := range gs {
		parts = append(parts, g+" "+GroundLabel(g))
	}
	return strings.Join(parts, "；")
}

// DefenceInput is the member's written defence, recorded by staff.
type DefenceInput struct {
	Text string
	At   *time.Time
}

// Defence records the suspended member's written defence.
func (s *Service) Defence(ctx context.Context, p app.Principal, caseID int64, in DefenceInput) error {
	return s.step(ctx, p, caseID, access.CaseReport, "defence", in.Text, in.At, func(k models.CommitteeCase) error {
		if k.Status != models.CaseFounded && k.Status != models.CaseProposed {
			return app.Fail(app.EConflict, "err.committee.no_defence_in_this_state")
		}
		if k.DefenceAt != nil {
			return app.Fail(app.EConflict, "err.committee.the_defence_is_already_recorded")
		}
		return nil
	}, func(k models.CommitteeCase, text string, when time.Time) map[string]any {
		return map[string]any{"defence": text, "defence_at": when}
	})
}

// Propose records the committee's proposal to the assembly to end the membership.
func (s *Service) Propose(ctx context.Context, p app.Principal, caseID int64, note string, when *time.Time) error {
	return s.step(ctx, p, caseID, access.CaseReport, "proposed", note, when, func(k models.CommitteeCase) error {
		if k.Status != models.CaseFounded {
			return app.Fail(app.EConflict, "err.committee.only_a_founded_case_can_be_proposed")
		}
		return nil
	}, func(k models.CommitteeCase, text string, at time.Time) map[string]any {
		return map[string]any{"status": models.CaseProposed, "proposed_at": at, "proposed_by": p.Username}
	})
}

// Order records the street office's order to the committee to propose the removal
// (BJ 46 ¶2), for a founded case not yet proposed.
func (s *Service) Order(ctx context.Context, p app.Principal, caseID int64, text string, when *time.Time) error {
	return s.step(ctx, p, caseID, access.CaseOrder, "ordered", text, when, func(k models.CommitteeCase) error {
		if k.Status != models.CaseFounded {
			return app.Fail(app.EConflict, "err.committee.only_a_founded_case_not_yet_proposed")
		}
		return nil
	}, func(k models.CommitteeCase, text string, at time.Time) map[string]any {
		return map[string]any{"ordered_at": at, "ordered_by": p.Username, "order_text": text}
	})
}

// step is one dated step of a case: role, jurisdiction, text, state check, update, event, audit.
func (s *Service) step(ctx context.Context, p app.Principal, caseID int64, act access.Action, kind, text string, when *time.Time,
	check func(models.CommitteeCase) error, updates func(models.CommitteeCase, string, time.Time) map[string]any) error {
	if err := access.Require(p, act); err != nil {
		return err
	}
	k, _, err := s.caseOf(ctx, p, caseID)
	if err != nil {
		return err
	}
	if err := s.forChange(ctx, p, k.EstateID, errNoCase); err != nil {
		return err
	}
	required := kind != "proposed"
	clean, err := cleanText("text", text, required, 10000)
	if err != nil {
		return err
	}
	now := s.now()
	t, err := at("at", when, now)
	if err != nil {
		return err
	}
	if err := check(k); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		up := updates(k, clean, t)
		up["updated_at"] = now
		res := tx.Model(&models.CommitteeCase{}).Where("id = ? AND status = ? AND updated_at = ?", k.ID, k.Status, k.UpdatedAt).Updates(up)
		if res.Error != nil {
			return fmt.Errorf("case %d %s: %w", k.ID, kind, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.committee.the_case_changed_meanwhile_2")
		}
		if err := event(tx, k.ID, kind, t, p.Username, clean, nil, now); err != nil {
			return err
		}
		return record(ctx, tx, p, k.EstateID, "committee.case."+kind, k.ID, map[string]any{"at": t})
	})
}
