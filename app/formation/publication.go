package formation

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// ListInput publishes the candidate list.
type ListInput struct {
	VotePlannedAt time.Time  // when the election vote opens (or the meeting is held)
	PublishedAt   *time.Time // nil means now
	ShowUntil     *time.Time // nil means the profile's minimum showing period
}

// ListResult says what a publication did.
type ListResult struct {
	ID        int64
	Version   int
	ShowUntil time.Time
}

// PublishCandidateList publishes the qualified candidates (name, room, political status,
// occupation) as the group's candidate list: at least CandidateListLeadDays before the
// planned vote (15, HZ; Qingyuan 19) and shown at least CandidateListShowDays (7), both
// checked and refused with a 422 naming the rule. Every candidate must have been reviewed.
// A new publication supersedes the current one (a change re-publishes).
func (s *Service) PublishCandidateList(ctx context.Context, p app.Principal, groupID int64, in ListInput) (ListResult, error) {
	g, e, prof, err := s.groupForChange(ctx, p, groupID, actWork)
	if err != nil {
		return ListResult{}, err
	}
	prof = groupProfile(g, prof)
	if g.PublishedAt == nil {
		return ListResult{}, app.Fail(app.EConflict, "err.formation.publish_the_member_list_first")
	}
	if in.VotePlannedAt.IsZero() {
		return ListResult{}, app.Invalid("vote_planned_at", app.M("err.formation.the_planned_vote_date_is_required"))
	}
	now := s.clock()
	published := now
	if in.PublishedAt != nil {
		published = in.PublishedAt.UTC().Truncate(time.Second)
		if rules.CalendarDaysBetween(now, published) > 0 {
			return ListResult{}, app.Invalid("published_at", "公示时间不能晚于今天")
		}
	}
	vote := in.VotePlannedAt.UTC().Truncate(time.Second)
	if !rules.NoticeLeadSatisfied(published, vote, prof.CandidateListLeadDays) {
		return ListResult{}, &app.Error{Code: app.EInvalid,
			Msg: app.Plain(fmt.Sprintf("候选人名单应在选举日 %d 日前公示：%s 公示，选举日最早为 %s（%s）", prof.CandidateListLeadDays, day(published),
				day(published.AddDate(0, 0, prof.CandidateListLeadDays)), prof.Name)),
			Details: []app.Detail{{Field: "vote_planned_at", Msg: app.Plain(fmt.Sprintf("candidate_list_lead_days: %d", prof.CandidateListLeadDays))}}}
	}
	minShow := rules.PeriodEnd(published, prof.CandidateListShowDays, noRestDays{})
	showUntil := minShow
	if in.ShowUntil != nil {
		showUntil = in.ShowUntil.UTC().Truncate(time.Second)
		if showUntil.Before(minShow) {
			return ListResult{}, &app.Error{Code: app.EInvalid,
				Msg: app.Plain(fmt.Sprintf("候选人名单公示期不得少于 %d 日：%s 公示，应公示至 %s 24 时（%s）", prof.CandidateListShowDays, day(published),
					lastDay(minShow), prof.Name)),
				Details: []app.Detail{{Field: "show_until", Msg: app.Plain(fmt.Sprintf("candidate_list_show_days: %d", prof.CandidateListShowDays))}}}
		}
	}
	if !vote.Before(g.MeetingDeadline) {
		return ListResult{}, app.Invalid("vote_planned_at", fmt.Sprintf("选举应在%s的会议期限内进行，最迟 %s", KindLabel(g.Kind), lastDay(g.MeetingDeadline)))
	}
	var res ListResult
	err = app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		cands, err := models.GroupCandidates(ctx, tx, g.ID)
		if err != nil {
			return err
		}
		var entries []models.CandidateListEntry
		for _, c := range cands {
			switch c.Status {
			case models.CandidateNominated, models.CandidateUnderReview:
				return app.Invalid("candidates", app.M("err.formation.not_yet_reviewed", c.Name, c.Room))
			case models.CandidateQualified:
				entries = append(entries, models.CandidateListEntry{CandidateID: c.ID, Position: len(entries) + 1, Name: c.Name,
					Room: c.Room, PoliticalStatus: c.PoliticalStatus, Occupation: c.Occupation})
			}
		}
		if len(entries) == 0 {
			return app.Fail(app.EConflict, "err.formation.no_qualified_candidate")
		}
		var last models.CandidateList
		found := tx.Where("group_id = ?", g.ID).Order("version DESC").Limit(1).Find(&last)
		if found.Error != nil {
			return fmt.Errorf("reading candidate lists: %w", found.Error)
		}
		if err := tx.Model(&models.CandidateList{}).Where("group_id = ? AND status = ?", g.ID, models.ListCurrent).
			Updates(map[string]any{"status": models.ListSuperseded, "superseded_at": now}).Error; err != nil {
			return fmt.Errorf("superseding candidate list: %w", err)
		}
		l := models.CandidateList{GroupID: g.ID, EstateID: e.ID, Version: last.Version + 1, Status: models.ListCurrent,
			PublishedAt: published, ShowUntil: showUntil, VotePlannedAt: vote, PublishedBy: p.Username, CreatedAt: now}
		if err := tx.Create(&l).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.formation.published_concurrently")
			}
			return fmt.Errorf("publishing candidate list: %w", err)
		}
		for i := range entries {
			entries[i].ListID = l.ID
		}
		if err := tx.Create(&entries).Error; err != nil {
			return fmt.Errorf("writing candidate list entries: %w", err)
		}
		if err := completeDuty(tx, g.ID, "candidates", fmt.Sprintf("候选人名单第 %d 版于 %s 公示", l.Version, day(published)), p.Username, now); err != nil {
			return err
		}
		res = ListResult{ID: l.ID, Version: l.Version, ShowUntil: showUntil}
		return record(ctx, tx, p, e, "formation.candidates.publish", "candidate_list", l.ID, map[string]any{
			"group_id": g.ID, "version": l.Version, "candidates": len(entries), "vote_planned_at": vote.Format(time.RFC3339)})
	}))
	return res, err
}

// ListEntryView is one published candidate.
type ListEntryView struct {
	models.CandidateListEntry
	PoliticalLabel string
	PartyMember    bool
}

// ListView is a candidate list publication with its entries.
type ListView struct {
	models.CandidateList
	Entries     []ListEntryView
	ShowLastDay string
	Showing     bool // now lies within the showing period
	Stale       bool // the qualified candidates differ from the published ones: publish again
}

// listView assembles a publication; cands (the group's candidates) decide staleness.
func (s *Service) listView(ctx context.Context, l models.CandidateList, cands []CandidateView, prof rules.JurisdictionProfile) (ListView, error) {
	entries, err := models.ListEntries(ctx, s.db, l.ID)
	if err != nil {
		return ListView{}, app.Internal(err)
	}
	now := s.clock()
	v := ListView{CandidateList: l, ShowLastDay: lastDay(l.ShowUntil), Showing: !now.Before(l.PublishedAt) && now.Before(l.ShowUntil)}
	published := map[int64]models.CandidateListEntry{}
	for _, en := range entries {
		ps := PoliticalStatus(en.PoliticalStatus)
		v.Entries = append(v.Entries, ListEntryView{CandidateListEntry: en, PoliticalLabel: ps.Label(), PartyMember: ps.PartyMember()})
		published[en.CandidateID] = en
	}
	qualified := 0
	for _, c := range cands {
		if c.Status != models.CandidateQualified {
			continue
		}
		qualified++
		en, ok := published[c.ID]
		if !ok || en.Name != c.Name || en.Room != c.Room || en.PoliticalStatus != c.PoliticalStatus || en.Occupation != c.Occupation {
			v.Stale = true
		}
	}
	if qualified != len(entries) {
		v.Stale = true
	}
	return v, nil
}

// SlateEntry is one person on the candidate slate.
type SlateEntry struct {
	CandidateID     int64
	Key             string // the candidate key for the election item: "c" + the candidate id
	Name            string
	Room            string
	PoliticalStatus PoliticalStatus
	PoliticalLabel  string
	PartyMember     bool
}

// Slate is the final slate, with its Party-member ratio (docs/rules.md §5; seed 003): the
// current publication when there is one, otherwise the qualified candidates so far.
type Slate struct {
	Published bool // taken from the current publication
	Stale     bool // the publication no longer matches the qualified candidates
	Entries   []SlateEntry
	Ratio     rules.PartyRatio
}

// CandidateKey is the key a candidate has in an election item built from the slate.
func CandidateKey(candidateID int64) string { return "c" + strconv.FormatInt(candidateID, 10) }

// CandidateIDOfKey is the candidate a vote key made by CandidateKey names.
func CandidateIDOfKey(key string) (int64, bool) {
	rest, ok := strings.CutPrefix(key, "c")
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, ok && err == nil && id > 0
}

// slateOf builds the slate and its Party ratio against the profile's target. The ratio
// informs; it never blocks publication or a result.
func slateOf(cands []CandidateView, current *ListView, prof rules.JurisdictionProfile) Slate {
	var sl Slate
	if current != nil {
		sl.Published, sl.Stale = true, current.Stale
		for _, en := range current.Entries {
			ps := PoliticalStatus(en.PoliticalStatus)
			sl.Entries = append(sl.Entries, SlateEntry{CandidateID: en.CandidateID, Key: CandidateKey(en.CandidateID), Name: en.Name, Room: en.Room,
				PoliticalStatus: ps, PoliticalLabel: ps.Label(), PartyMember: ps.PartyMember()})
		}
	} else {
		for _, c := range cands {
			if c.Status == models.CandidateQualified {
				ps := PoliticalStatus(c.PoliticalStatus)
				sl.Entries = append(sl.Entries, SlateEntry{CandidateID: c.ID, Key: CandidateKey(c.ID), Name: c.Name, Room: c.Room,
					PoliticalStatus: ps, PoliticalLabel: ps.Label(), PartyMember: ps.PartyMember()})
			}
		}
	}
	members := make([]rules.PartyMember, 0, len(sl.Entries))
	for _, en := range sl.Entries {
		members = append(members, rules.PartyMember{Key: en.Key, IsParty: en.PartyMember})
	}
	sl.Ratio = rules.ComputePartyRatio(members, prof.PartyRatioTargetPercent)
	return sl
}

// SlateRefs gives the election item of the group's final slate, for the vote that elects
// the committee: the candidate keys in published order and, by key, the reference
// RecordElection takes back when the vote is counted. It needs a current publication that
// matches the qualified candidates.
func (s *Service) SlateRefs(ctx context.Context, p app.Principal, groupID int64) ([]string, map[string]CandidateRef, error) {
	v, err := s.Group(ctx, p, groupID)
	if err != nil {
		return nil, nil, err
	}
	if !v.Slate.Published {
		return nil, nil, app.Fail(app.EConflict, "err.formation.the_candidate_list_is_not_published")
	}
	if v.Slate.Stale {
		return nil, nil, app.Fail(app.EConflict, "err.formation.the_candidates_changed_publish_the_list_again")
	}
	keys := make([]string, 0, len(v.Slate.Entries))
	refs := make(map[string]CandidateRef, len(v.Slate.Entries))
	for _, en := range v.Slate.Entries {
		keys = append(keys, en.Key)
		refs[en.Key] = CandidateRef{CandidateID: en.CandidateID, Name: en.Name, Room: en.Room}
	}
	return keys, refs, nil
}
