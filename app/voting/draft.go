package voting

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// DraftChange is the new meeting of a draft: everything of NewVote but the legal
// profile (the items' rules depend on it) and the agenda (changed item by item:
// AddItem, RemoveItem, UpdateItems).
type DraftChange struct {
	Title             string
	Form              string
	Convenor          string
	Location          string
	NoticePublishedAt time.Time
	OpensAt           time.Time
	ClosesAt          time.Time
	FollowMajority    bool
}

// errDraftLocked answers a change or deletion of a vote whose notice is out or that
// was opened (T3: nothing changes after the notice; a vote once noticed stays on record).
func errDraftLocked(v models.Vote) error {
	if v.State != models.VoteDraft {
		return app.Fail(app.EConflict, "err.voting.the_vote_was_opened_it_can_no_longer_be_changed")
	}
	return app.Fail(app.EConflict, "err.voting.the_notice_was_published_the_vote_can_no_longer", showTime(v.NoticePublishedAt))
}

// validateMeeting checks the meeting fields shared by Create and UpdateDraft.
func (s *Service) validateMeeting(ctx context.Context, d *details, e models.EstateWithPath, prof rules.JurisdictionProfile, in *NewVote, now time.Time) error {
	in.Title = textField(d, "title", in.Title, maxTitleRunes)
	if in.Form != FormWritten && in.Form != FormMeeting {
		d.add("form", app.M("err.voting.must_be_written_or_meeting"))
	}
	if in.Convenor == "" {
		in.Convenor = ConvenorCommittee
	}
	switch in.Convenor {
	case ConvenorCommittee, ConvenorPreparatoryGroup, ConvenorReelectionGroup, ConvenorStreetOffice:
	case ConvenorTransitionalBody:
		acting, err := models.ActingTransitionalBodies(ctx, s.db, []int64{e.ID})
		if err != nil {
			return err
		}
		if _, ok := acting[e.ID]; !ok {
			d.add("convenor", app.M("err.voting.the_estate_has_no_acting_transitional_body"))
		}
	default:
		d.add("convenor", app.M("err.voting.unknown_convenor"))
	}
	in.Location = strings.TrimSpace(in.Location)
	if len([]rune(in.Location)) > maxTitleRunes {
		d.add("location", app.M("err.voting.at_most_characters", maxTitleRunes))
	}
	validateSchedule(d, prof, in.NoticePublishedAt, in.OpensAt, in.ClosesAt, now)
	if in.FollowMajority && !prof.FollowMajorityAllowed {
		d.add("follow_majority", app.M("err.voting.the_profile_does_not_allow_follow_the_majority", prof.Name, prof.Code))
	}
	return nil
}

// UpdateDraft changes the meeting of a draft whose notice is not yet published (its
// title, form, convenor, place, dates and follow-the-majority choice). Once the notice
// is out or the vote opened it is refused (409).
func (s *Service) UpdateDraft(ctx context.Context, p app.Principal, voteID int64, in DraftChange) error {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return err
	}
	now := s.now()
	if !agendaEditable(v, now) {
		return errDraftLocked(v)
	}
	prof := profileOf(v)
	nv := NewVote{Title: in.Title, Form: in.Form, Convenor: in.Convenor, Location: in.Location,
		NoticePublishedAt: in.NoticePublishedAt, OpensAt: in.OpensAt, ClosesAt: in.ClosesAt, FollowMajority: in.FollowMajority}
	var d details
	if err := s.validateMeeting(ctx, &d, e, prof, &nv, now); err != nil {
		return app.Internal(err)
	}
	if err := d.err(); err != nil {
		return err
	}
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now()
		cur, err := models.FindVote(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		if !agendaEditable(cur, now) {
			return errDraftLocked(cur)
		}
		res := tx.Model(&models.Vote{}).Where("id = ? AND state = ?", v.ID, models.VoteDraft).
			Updates(map[string]any{"title": nv.Title, "form": nv.Form, "convenor": nv.Convenor, "location": nv.Location,
				"notice_published_at": nv.NoticePublishedAt.UTC().Truncate(time.Microsecond),
				"opens_at":            nv.OpensAt.UTC().Truncate(time.Microsecond),
				"closes_at":           nv.ClosesAt.UTC().Truncate(time.Microsecond),
				"follow_majority":     nv.FollowMajority, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("updating draft: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return errDraftLocked(cur)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.update", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"title": nv.Title, "notice_published_at": nv.NoticePublishedAt.UTC(), "opens_at": nv.OpensAt.UTC(),
				"closes_at": nv.ClosesAt.UTC()}})
	}))
}

// RemoveItem takes one item off the agenda of a draft whose notice is not yet
// published and returns the new agenda revision.
func (s *Service) RemoveItem(ctx context.Context, p app.Principal, voteID int64, key string) (int, error) {
	found := false
	rev, err := s.changeAgenda(ctx, p, voteID, "vote.items.remove", func(current []ItemInput) []ItemInput {
		out := make([]ItemInput, 0, len(current))
		found = false
		for _, it := range current {
			if it.Key == key {
				found = true
				continue
			}
			out = append(out, it)
		}
		if !found {
			return current
		}
		return out
	})
	if err == nil && !found {
		return 0, app.Fail(app.ENotFound, "err.voting.no_such_item_on_the_agenda")
	}
	return rev, err
}

// Delete deletes a draft vote whose notice is not yet published, with its agenda
// revisions; the audit log keeps the record of it. Once the notice is out or the vote
// opened it is refused (409): a noticed vote stays on record.
func (s *Service) Delete(ctx context.Context, p app.Principal, voteID int64) error {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return err
	}
	if !agendaEditable(v, s.now()) {
		return errDraftLocked(v)
	}
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now()
		// Lock the vote row first (MySQL: a row that names the vote must take a
		// shared lock on it to be inserted, so the counts below stay true until the
		// delete; SQLite has one writer anyway).
		if err := tx.Exec("UPDATE votes SET agenda_revision = agenda_revision WHERE id = ?", v.ID).Error; err != nil {
			return fmt.Errorf("locking vote: %w", err)
		}
		cur, err := models.FindVote(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		if !agendaEditable(cur, now) {
			return errDraftLocked(cur)
		}
		for _, ref := range draftReferences {
			var n int64
			if err := tx.Raw("SELECT COUNT(*) FROM "+ref.table+" WHERE "+ref.column+" = ?", v.ID).Scan(&n).Error; err != nil {
				return fmt.Errorf("counting %s: %w", ref.table, err)
			}
			if n > 0 {
				return app.Fail(app.EConflict, "err.voting.documents_or_records_refer_to_the_vote_it")
			}
		}
		if err := tx.Exec("DELETE FROM vote_candidates WHERE vote_id = ?", v.ID).Error; err != nil {
			return fmt.Errorf("deleting candidates: %w", err)
		}
		if err := tx.Exec("DELETE FROM vote_items WHERE vote_id = ?", v.ID).Error; err != nil {
			return fmt.Errorf("deleting items: %w", err)
		}
		res := tx.Exec("DELETE FROM votes WHERE id = ? AND state = ?", v.ID, models.VoteDraft)
		if res.Error != nil {
			return fmt.Errorf("deleting vote: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return errDraftLocked(cur)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.delete", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"title": cur.Title, "agenda_revision": cur.AgendaRevision}})
	}))
}

// draftReferences are the rows outside the agenda that may name a vote; a draft that
// any of them names is kept (deleting it would orphan a document or a record).
var draftReferences = []struct{ table, column string }{
	{"document_series", "vote_id"}, {"documents", "vote_id"}, {"minutes", "vote_id"}, {"satisfaction_surveys", "vote_id"},
	{"committee_cases", "removal_vote_id"}, {"service_contracts", "termination_vote_id"}, {"committee_elections", "vote_id"},
}
