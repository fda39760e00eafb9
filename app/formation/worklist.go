package formation

import (
	"context"
	"time"

	"gongzhi/app"
	"gongzhi/models"
)

// The kinds of formation deadline the week's work lists (app/worklist, issue 15).
const (
	DeadlineDecide     = "decide"     // decide on the application to form the assembly
	DeadlineFormGroup  = "form_group" // form the preparatory group
	DeadlineReelection = "reelection" // start the re-election: form the re-election group
	DeadlineDuty       = "duty"       // a group's checklist item (member list, candidate list, meeting, ...)
	DeadlineChair      = "chair"      // the new committee elects its chair
	DeadlineFiling     = "filing"     // the new committee is filed with the street office
)

// Deadline is one formation deadline of an estate not yet met: Due is the instant it
// ends (the day after its last day, 00:00 Beijing time).
type Deadline struct {
	EstateID    int64
	EstateName  string
	Kind        string
	Code        string // the duty's code (DeadlineDuty)
	Title       string // the duty's title, Chinese (DeadlineDuty)
	TitleEN     string
	Due         time.Time
	LastDay     string // the deadline's last day, YYYY-MM-DD (Beijing)
	GroupID     int64
	CommitteeID int64
}

// Deadlines lists the formation deadlines not yet met in p's jurisdiction that end
// before until (the past ones too): deciding on an application and forming the
// preparatory group (rules.FormationDue), starting a re-election, each open group's
// undone checklist items, and a formed committee's chair election and filing. It is the
// formation part of the week's work; reading needs no action beyond jurisdiction.
func (s *Service) Deadlines(ctx context.Context, p app.Principal, until time.Time) ([]Deadline, error) {
	estates, err := s.orgs.ListEstates(ctx, p)
	if err != nil {
		return nil, err
	}
	all, err := s.statuses(ctx, estates, true)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(estates))
	for _, e := range estates {
		ids = append(ids, e.ID)
	}
	groups, err := models.OpenGroups(ctx, s.db, ids)
	if err != nil {
		return nil, app.Internal(err)
	}
	committees, err := models.LiveCommittees(ctx, s.db, ids)
	if err != nil {
		return nil, app.Internal(err)
	}
	var out []Deadline
	add := func(st FormationStatus, d Deadline) {
		if d.Due.IsZero() || !d.Due.Before(until) {
			return
		}
		d.EstateID, d.EstateName, d.LastDay = st.Estate.ID, st.Estate.Name, lastDay(d.Due)
		out = append(out, d)
	}
	groupIDs := []int64{}
	groupEstate := map[int64]FormationStatus{}
	for _, st := range all {
		if st.DecidedDay == "" && st.OpenGroupID == 0 && st.CommitteeID == 0 && st.TransitionalID == 0 {
			add(st, Deadline{Kind: DeadlineDecide, Due: st.Due.DecideBy})
		}
		if st.Stage == StageDue && st.OpenGroupID == 0 && st.CommitteeID == 0 && st.TransitionalID == 0 {
			add(st, Deadline{Kind: DeadlineFormGroup, Due: st.Due.FormBy})
		}
		if _, open := groups[st.Estate.ID]; !open && st.ReelectionStart != nil {
			if c, ok := committees[st.Estate.ID]; ok && c.Status != models.CommitteeForming {
				add(st, Deadline{Kind: DeadlineReelection, Due: *st.ReelectionStart, CommitteeID: c.ID})
			}
		}
		if g, ok := groups[st.Estate.ID]; ok {
			groupIDs = append(groupIDs, g.ID)
			groupEstate[g.ID] = st
		}
		if c, ok := committees[st.Estate.ID]; ok && (c.Status == models.CommitteeFormed || c.Status == models.CommitteeForming) {
			if c.ChairElectBy != nil && c.ChairElectedAt == nil {
				add(st, Deadline{Kind: DeadlineChair, Due: *c.ChairElectBy, CommitteeID: c.ID})
			}
			if c.FilingDue != nil && c.FiledAt == nil {
				add(st, Deadline{Kind: DeadlineFiling, Due: *c.FilingDue, CommitteeID: c.ID})
			}
		}
	}
	if len(groupIDs) > 0 {
		var duties []models.FormationDuty
		if err := s.db.WithContext(ctx).Where("group_id IN ? AND done_at IS NULL AND deadline < ?", groupIDs, until).
			Order("deadline, id").Find(&duties).Error; err != nil {
			return nil, app.Internal(err)
		}
		for _, d := range duties {
			title, en := dutyTitle(d.Code)
			add(groupEstate[d.GroupID], Deadline{Kind: DeadlineDuty, Code: d.Code, Title: title, TitleEN: en, Due: d.Deadline, GroupID: d.GroupID})
		}
	}
	return out, nil
}

// StageCount is how many estates stand at one formation stage.
type StageCount struct {
	Stage Stage
	Label string
	Count int
}

// StageCounts counts the estates in p's jurisdiction by formation stage, in the order
// of the path (not due → filed, then re-election and transitional): the formation
// stages chart of the supervision pages.
func (s *Service) StageCounts(ctx context.Context, p app.Principal) ([]StageCount, error) {
	estates, err := s.orgs.ListEstates(ctx, p)
	if err != nil {
		return nil, err
	}
	all, err := s.statuses(ctx, estates, true)
	if err != nil {
		return nil, err
	}
	order := []Stage{StageNotDue, StageDue, StageGroup, StageCommitteeForming, StageCommitteeFormed, StageCommitteeFiled, StageReelection, StageTransitional}
	n := map[Stage]int{}
	for _, st := range all {
		n[st.Stage]++
	}
	out := make([]StageCount, 0, len(order))
	for _, st := range order {
		out = append(out, StageCount{Stage: st, Label: st.Label(), Count: n[st]})
	}
	return out, nil
}
