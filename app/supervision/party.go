package supervision

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// PartyInput is what the community records of an estate: a Party organisation in the
// estate, a Party work group in its committee.
type PartyInput struct {
	HasPartyOrg    bool `json:"has_party_org"`
	PartyWorkGroup bool `json:"party_work_group"`
}

// RecordParty records (or replaces) the estate's Party facts, dated today.
func (s *Service) RecordParty(ctx context.Context, p app.Principal, estateID int64, in PartyInput) error {
	if err := access.Require(p, access.RecordPartyFacts); err != nil {
		return err
	}
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return err
	}
	now := s.clock.Now().UTC()
	f := models.EstatePartyFacts{EstateID: e.ID, HasPartyOrg: in.HasPartyOrg, PartyWorkGroup: in.PartyWorkGroup,
		RecordedOn: rules.ShanghaiDate(now), CreatedAt: now, UpdatedAt: now}
	if p.UserID != 0 {
		uid := p.UserID
		f.RecordedBy = &uid
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		row := f
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "estate_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"has_party_org", "party_work_group", "recorded_on", "recorded_by", "updated_at"})}).
			Create(&row).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "supervision.party_facts", TargetType: "estate", TargetID: e.ID,
			OrgID: e.CommunityID, EstateID: e.ID, Detail: map[string]any{"has_party_org": in.HasPartyOrg, "party_work_group": in.PartyWorkGroup}})
	})
	if err != nil {
		return app.AsError(err)
	}
	return nil
}
