package committee

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/formation"
	"gongzhi/models"
)

// Member statuses as the committee page and API show them.
const (
	StatusServing   = "serving"
	StatusSuspended = "suspended"
	StatusEnded     = "ended"
)

// MemberView is a member or alternate with the status shown.
type MemberView struct {
	models.CommitteeMember
	Shown     string // serving, suspended or ended
	RoleLabel string
	Absence   *Attendance // members only
}

// Attendance is a member's attendance at the committee's meetings of the past year.
type Attendance struct {
	MemberID int64
	Name     string
	Meetings int  // committee meetings (final minutes) held while serving, in the past year
	Absent   int  // of which the member was not present
	Flagged  bool // absent from more than half (BJ 46 ¶2)
}

// CaseSummary is one case in a list.
type CaseSummary struct {
	models.CommitteeCase
	MemberName  string
	EstateName  string
	StatusLabel string
	GroundsText string
	Overdue     bool
	OverdueWhat string // which deadline passed
	OverdueKey  string // the same as a key for the pages: verify, defence or propose
	// GroundsLong is the grounds with their descriptions ("N6 收受物业…"), for the case page.
	GroundsLong string
	NextDue     *time.Time
	// The last days of the deadlines (a deadline is stored as the instant it ends).
	VerifyBy, DefenceBy, ProposeBy, NextDueBy string
}

// ChangeView is one change of members with its filing.
type ChangeView struct {
	models.CommitteeChange
	MemberName    string
	FilingOverdue bool
	FilingBy      string // the last day of the filing period
}

// View is the committee in office: members, alternates, vacancies, cases.
type View struct {
	Committee          models.Committee
	EstateName         string
	Members            []MemberView
	Alternates         []MemberView
	Former             []MemberView
	Serving            int // seated members, suspended ones included
	Suspended          int
	Vacancies          int
	ReelectionRequired bool
	Cases              []CaseSummary
	Changes            []ChangeView
	AwaitConfirmation  []CaseSummary // cessations to list for the next assembly
	CanReport          bool
	CanVerify          bool
	CanOrder           bool
	CanStartReelection bool
	Grounds            []string
	CessationReasons   []string
}

// Committee is the view of a committee in office.
func (s *Service) Committee(ctx context.Context, p app.Principal, committeeID int64) (View, error) {
	c, e, err := s.committeeOf(ctx, p, committeeID)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, p, c, e)
}

// EstateCommittee is the view of the estate's live committee (404 without one).
func (s *Service) EstateCommittee(ctx context.Context, p app.Principal, estateID int64) (View, error) {
	e, err := s.orgs.Estate(ctx, p, estateID)
	if err != nil {
		return View{}, err
	}
	live, err := models.LiveCommittees(ctx, s.db, []int64{e.ID})
	if err != nil {
		return View{}, app.Internal(err)
	}
	c, ok := live[e.ID]
	if !ok {
		return View{}, app.Fail(app.ENotFound, "err.committee.the_estate_has_no_committee")
	}
	return s.view(ctx, p, c, e)
}

func (s *Service) view(ctx context.Context, p app.Principal, c models.Committee, e models.EstateWithPath) (View, error) {
	now := s.now()
	v := View{Committee: c, EstateName: e.Name, ReelectionRequired: c.ReelectionRequiredAt != nil, Grounds: Grounds, CessationReasons: CessationReasons,
		CanReport: access.Can(p, access.CaseReport), CanVerify: access.Can(p, access.CaseVerify), CanOrder: access.Can(p, access.CaseOrder),
		CanStartReelection: access.Can(p, access.ReelectionCompose) && c.ReelectionRequiredAt != nil}
	members, err := models.CommitteeMembers(ctx, s.db, c.ID)
	if err != nil {
		return v, app.Internal(err)
	}
	att, err := s.attendance(ctx, c, members, now)
	if err != nil {
		return v, err
	}
	names := map[int64]string{}
	for _, m := range members {
		names[m.ID] = m.Name
		mv := MemberView{CommitteeMember: m, RoleLabel: formation.MemberRoleLabel(m.Role), Shown: StatusServing}
		switch {
		case m.Status != models.SeatServing:
			mv.Shown = StatusEnded
			v.Former = append(v.Former, mv)
			continue
		case m.SuspendedAt != nil:
			mv.Shown = StatusSuspended
		}
		if m.Role == models.RoleAlternate {
			v.Alternates = append(v.Alternates, mv)
			continue
		}
		if a, ok := att[m.ID]; ok {
			a := a
			mv.Absence = &a
		}
		v.Serving++
		if mv.Shown == StatusSuspended {
			v.Suspended++
		}
		v.Members = append(v.Members, mv)
	}
	v.Vacancies = max(c.Seats-v.Serving, 0)
	cases, err := models.CasesOfCommittee(ctx, s.db, c.ID)
	if err != nil {
		return v, app.Internal(err)
	}
	for _, k := range cases {
		cs := summarise(k, names[k.MemberID], e.Name, now)
		v.Cases = append(v.Cases, cs)
		if k.Kind == models.CaseCessation && k.Status == models.CaseCeased && k.ConfirmedAt == nil {
			v.AwaitConfirmation = append(v.AwaitConfirmation, cs)
		}
	}
	changes, err := models.ChangesOfCommittee(ctx, s.db, c.ID)
	if err != nil {
		return v, app.Internal(err)
	}
	for _, ch := range changes {
		v.Changes = append(v.Changes, ChangeView{CommitteeChange: ch, MemberName: names[ch.MemberID],
			FilingOverdue: ch.FilingID == nil && !now.Before(ch.FilingDue), FilingBy: lastDay(ch.FilingDue)})
	}
	return v, nil
}

// summarise shapes one case for lists, with its overdue deadline.
func summarise(k models.CommitteeCase, member, estate string, now time.Time) CaseSummary {
	cs := CaseSummary{CommitteeCase: k, MemberName: member, EstateName: estate, StatusLabel: StatusLabel(k.Status), GroundsText: strings.Join(splitGrounds(k.Grounds), "、")}
	cs.GroundsLong = groundsText(splitGrounds(k.Grounds))
	if k.Kind == models.CaseCessation {
		cs.GroundsText = CessationLabel(k.CessationReason)
		cs.GroundsLong = cs.GroundsText
	}
	check := func(due *time.Time, done bool, what string) {
		if due == nil || done || cs.Overdue {
			return
		}
		if cs.NextDue == nil {
			cs.NextDue = due
		}
		if !now.Before(*due) {
			cs.Overdue, cs.OverdueWhat = true, what
			// msgconv:keep: OverdueWhat is a stored/JSON text (API overdue_what) and a lookup key (known debt)
			cs.OverdueKey = map[string]string{"核实 / verification": "verify", "申辩 / defence": "defence", "提请业主大会 / proposal": "propose"}[what]
		}
	}
	by := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return lastDay(*t)
	}
	cs.VerifyBy, cs.DefenceBy, cs.ProposeBy = by(k.VerifyDue), by(k.DefenceDue), by(k.ProposeDue)
	switch k.Status {
	case models.CaseReported, models.CasePending:
		// msgconv:keep: OverdueWhat is a stored/JSON text (API overdue_what) and a lookup key (known debt)
		check(k.VerifyDue, false, "核实 / verification")
	case models.CaseFounded:
		// msgconv:keep: OverdueWhat is a stored/JSON text (API overdue_what) and a lookup key (known debt)
		check(k.DefenceDue, k.DefenceAt != nil, "申辩 / defence")
		// msgconv:keep: OverdueWhat is a stored/JSON text (API overdue_what) and a lookup key (known debt)
		check(k.ProposeDue, false, "提请业主大会 / proposal")
	}
	cs.NextDueBy = by(cs.NextDue)
	return cs
}

// CaseView is one case with its timeline.
type CaseView struct {
	CaseSummary
	Member       models.CommitteeMember
	MemberShown  string
	Events       []models.CommitteeCaseEvent
	Files        []models.CommitteeCaseFile
	RemovalVotes []int64 // votes with an item deciding this case
	CanReport    bool
	CanVerify    bool
	CanOrder     bool
}

// Case is the view of one case.
func (s *Service) Case(ctx context.Context, p app.Principal, caseID int64) (CaseView, error) {
	k, e, err := s.caseOf(ctx, p, caseID)
	if err != nil {
		return CaseView{}, err
	}
	m, err := models.FindCommitteeMemberByID(ctx, s.db, k.MemberID)
	if err != nil {
		return CaseView{}, app.Internal(err)
	}
	cv := CaseView{CaseSummary: summarise(k, m.Name, e.Name, s.now()), Member: m, MemberShown: StatusServing,
		CanReport: access.Can(p, access.CaseReport), CanVerify: access.Can(p, access.CaseVerify), CanOrder: access.Can(p, access.CaseOrder)}
	if m.Status != models.SeatServing {
		cv.MemberShown = StatusEnded
	} else if m.SuspendedAt != nil {
		cv.MemberShown = StatusSuspended
	}
	if cv.Events, err = models.CaseEvents(ctx, s.db, k.ID); err != nil {
		return cv, app.Internal(err)
	}
	// The reporter's mask is for those who verify the case: the committee whose member
	// is reported, and others who only read, never see who reported.
	if !cv.CanVerify {
		cv.ReporterMask = ""
		for i := range cv.Events {
			if j := strings.Index(cv.Events[i].Note, "；举报人（已脱敏）："); j >= 0 {
				cv.Events[i].Note = cv.Events[i].Note[:j]
			}
		}
	}
	if cv.Files, err = models.CaseFiles(ctx, s.db, k.ID); err != nil {
		return cv, app.Internal(err)
	}
	if err := s.db.WithContext(ctx).Model(&models.VoteItem{}).Distinct("vote_id").Where("removal_case_id = ?", k.ID).
		Order("vote_id").Pluck("vote_id", &cv.RemovalVotes).Error; err != nil {
		return cv, app.Internal(err)
	}
	return cv, nil
}

// Supervision is the street office's list: open cases (overdue first) and estates
// whose committee must be re-elected (BJ 48).
type Supervision struct {
	Cases      []CaseSummary
	Reelection []ReelectionFlag
}

// ReelectionFlag is an estate flagged "re-election required".
type ReelectionFlag struct {
	EstateID    int64
	EstateName  string
	CommitteeID int64
	Serving     int
	Seats       int
	Since       time.Time
}

// Open lists the open cases and re-election flags of every estate the principal sees.
func (s *Service) Open(ctx context.Context, p app.Principal) (Supervision, error) {
	estates, err := s.orgs.ListEstates(ctx, p)
	if err != nil {
		return Supervision{}, err
	}
	ids := make([]int64, 0, len(estates))
	names := map[int64]string{}
	for _, e := range estates {
		ids = append(ids, e.ID)
		names[e.ID] = e.Name
	}
	var out Supervision
	cases, err := models.OpenCasesOfEstates(ctx, s.db, ids)
	if err != nil {
		return out, app.Internal(err)
	}
	memberNames := map[int64]string{}
	if len(cases) > 0 {
		var mids []int64
		for _, k := range cases {
			mids = append(mids, k.MemberID)
		}
		var ms []models.CommitteeMember
		if err := s.db.WithContext(ctx).Where("id IN ?", mids).Find(&ms).Error; err != nil {
			return out, app.Internal(err)
		}
		for _, m := range ms {
			memberNames[m.ID] = m.Name
		}
	}
	now := s.now()
	for _, k := range cases {
		out.Cases = append(out.Cases, summarise(k, memberNames[k.MemberID], names[k.EstateID], now))
	}
	sort.SliceStable(out.Cases, func(i, j int) bool { return out.Cases[i].Overdue && !out.Cases[j].Overdue })
	live, err := models.LiveCommittees(ctx, s.db, ids)
	if err != nil {
		return out, app.Internal(err)
	}
	for _, id := range ids {
		c, ok := live[id]
		if !ok || c.ReelectionRequiredAt == nil {
			continue
		}
		var serving int64
		if err := s.db.WithContext(ctx).Model(&models.CommitteeMember{}).Where("committee_id = ? AND status = ? AND role <> ?", c.ID,
			models.SeatServing, models.RoleAlternate).Count(&serving).Error; err != nil {
			return out, app.Internal(err)
		}
		out.Reelection = append(out.Reelection, ReelectionFlag{EstateID: id, EstateName: names[id], CommitteeID: c.ID, Serving: int(serving),
			Seats: c.Seats, Since: *c.ReelectionRequiredAt})
	}
	return out, nil
}

// attendance counts each seated member's absences from the committee's meetings (final
// committee minutes) of the past year while the member served.
func (s *Service) attendance(ctx context.Context, c models.Committee, members []models.CommitteeMember, now time.Time) (map[int64]Attendance, error) {
	var minutes []models.Minutes
	if err := s.db.WithContext(ctx).Where("estate_id = ? AND kind = ? AND state = ? AND held_at > ? AND held_at <= ?", c.EstateID,
		models.MinutesCommittee, models.MinutesFinal, now.AddDate(-1, 0, 0), now).Order("held_at").Find(&minutes).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("reading committee minutes: %w", err))
	}
	out := map[int64]Attendance{}
	for _, m := range members {
		if m.Status != models.SeatServing || m.Role == models.RoleAlternate {
			continue
		}
		since := m.StartAt
		if m.SeatedAt != nil {
			since = *m.SeatedAt
		}
		a := Attendance{MemberID: m.ID, Name: m.Name}
		for _, mt := range minutes {
			if mt.HeldAt.Before(since) {
				continue
			}
			if m.SuspendedAt != nil && !mt.HeldAt.Before(*m.SuspendedAt) {
				continue // suspended: barred from the meeting, not absent from it
			}
			a.Meetings++
			if !slices.Contains(lines(mt.Present), m.Name) {
				a.Absent++
			}
		}
		a.Flagged = a.Meetings > 0 && 2*a.Absent > a.Meetings
		out[m.ID] = a
	}
	return out, nil
}

// Attendance lists the attendance of a committee's seated members in the past year;
// a flagged member may be reported on the ground "absence".
func (s *Service) Attendance(ctx context.Context, p app.Principal, committeeID int64) ([]Attendance, error) {
	c, _, err := s.committeeOf(ctx, p, committeeID)
	if err != nil {
		return nil, err
	}
	members, err := models.CommitteeMembers(ctx, s.db, c.ID)
	if err != nil {
		return nil, app.Internal(err)
	}
	att, err := s.attendance(ctx, c, members, s.now())
	if err != nil {
		return nil, err
	}
	out := []Attendance{}
	for _, m := range members {
		if a, ok := att[m.ID]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// FileChanges records the change filing (备案, BJ 50) of every change not filed yet,
// as a committee filing of kind "change"; changes filed after their 30 days are flagged.
func (s *Service) FileChanges(ctx context.Context, p app.Principal, committeeID int64, referenceNo string) (int64, error) {
	if err := access.Require(p, access.CommitteeFiling); err != nil {
		return 0, err
	}
	c, _, err := s.committeeOf(ctx, p, committeeID)
	if err != nil {
		return 0, err
	}
	if err := s.forChange(ctx, p, c.EstateID, errNoCommittee); err != nil {
		return 0, err
	}
	ref, err := cleanText("reference_no", referenceNo, false, 64)
	if err != nil {
		return 0, err
	}
	now := s.now()
	var id int64
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		var pending []models.CommitteeChange
		if err := tx.Where("committee_id = ? AND filing_id IS NULL", c.ID).Order("at, id").Find(&pending).Error; err != nil {
			return err
		}
		if len(pending) == 0 {
			return app.Fail(app.EConflict, "err.committee.no_change_awaits_filing")
		}
		overdue := false
		var docs []string
		for _, ch := range pending {
			overdue = overdue || now.After(ch.FilingDue)
			docs = append(docs, fmt.Sprintf("委员变更（%s，成员 #%d，%s）", ch.Kind, ch.MemberID, day(ch.At)))
		}
		f := models.CommitteeFiling{CommitteeID: c.ID, Kind: models.FilingChange, Documents: strings.Join(docs, "\n"), ReferenceNo: ref,
			FiledAt: now, Overdue: overdue, RecordedBy: p.Username, CreatedAt: now}
		if err := tx.Create(&f).Error; err != nil {
			return fmt.Errorf("recording change filing: %w", err)
		}
		id = f.ID
		if err := tx.Model(&models.CommitteeChange{}).Where("committee_id = ? AND filing_id IS NULL", c.ID).Update("filing_id", f.ID).Error; err != nil {
			return err
		}
		return record(ctx, tx, p, c.EstateID, "committee.change.filed", 0, map[string]any{"committee_id": c.ID, "filing_id": f.ID, "overdue": overdue})
	})
	return id, err
}

// StartReelection forms the re-election group of an estate flagged "re-election
// required" (BJ 48), through formation.
func (s *Service) StartReelection(ctx context.Context, p app.Principal, committeeID int64) (int64, error) {
	if err := access.Require(p, access.ReelectionCompose); err != nil {
		return 0, err
	}
	c, _, err := s.committeeOf(ctx, p, committeeID)
	if err != nil {
		return 0, err
	}
	if c.ReelectionRequiredAt == nil {
		return 0, app.Fail(app.EConflict, "err.committee.re_election_is_not_required")
	}
	return s.formation.CreateGroup(ctx, p, c.EstateID, formation.NewGroup{Kind: models.GroupKindReelection})
}

// PublicForm is what the estate's public report form shows: the committee's serving
// members and alternates by name (their names are published with the election).
type PublicForm struct {
	EstateID   int64
	EstateName string
	Members    []models.CommitteeMember
	Grounds    []string
}

// PublicReportForm reads the public form of an estate (no sign-in); an estate without
// a committee in office has none (404).
func (s *Service) PublicReportForm(ctx context.Context, estateID int64) (PublicForm, error) {
	e, err := models.FindEstate(ctx, s.db, estateID)
	if err != nil {
		return PublicForm{}, app.Fail(app.ENotFound, "err.committee.estate_not_found")
	}
	live, err := models.LiveCommittees(ctx, s.db, []int64{estateID})
	if err != nil {
		return PublicForm{}, app.Internal(err)
	}
	c, ok := live[estateID]
	if !ok || c.Status == models.CommitteeForming {
		return PublicForm{}, app.Fail(app.ENotFound, "err.committee.no_committee_in_office_2")
	}
	members, err := models.CommitteeMembers(ctx, s.db, c.ID)
	if err != nil {
		return PublicForm{}, app.Internal(err)
	}
	out := PublicForm{EstateID: e.ID, EstateName: e.Name, Grounds: Grounds}
	for _, m := range members {
		if m.Status == models.SeatServing {
			out.Members = append(out.Members, models.CommitteeMember{ID: m.ID, Name: m.Name, Role: m.Role})
		}
	}
	return out, nil
}
