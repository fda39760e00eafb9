package formation

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// CoOwnerRuleLabel is the Chinese name of a co-owner counting rule (docs/rules.md §1 C3).
func CoOwnerRuleLabel(rule string) string {
	switch rules.CoOwnerRule(rule) {
	case rules.CoOwnerSet, "":
		return "按共有人组合计人数（同一组共有人为一人；单独所有与共同所有分别计算）"
	case rules.AnySharedOwner:
		return "有共同业主的房屋合并计为一人"
	}
	return rule
}

// SetCoOwnerRule records the co-owner counting rule chosen for the estate (docs/rules.md §1
// C3; the law is silent on a person owning one unit alone and another jointly, so the
// rules of procedure choose): rules.CoOwnerSet (the default) or rules.AnySharedOwner. The
// register and every vote opened afterwards count under it, and each vote records the rule
// it was counted under (votes.register_rule); a vote already open keeps its frozen register.
func (s *Service) SetCoOwnerRule(ctx context.Context, p app.Principal, estateID int64, rule string) error {
	e, _, err := s.estateForChange(ctx, p, estateID, models.GroupKindPrep, actWork)
	if err != nil {
		return err
	}
	r := rules.CoOwnerRule(rule)
	if !r.Valid() {
		return app.Invalid("coowner_rule", app.M("err.formation.must_be_or", rules.CoOwnerSet, rules.AnySharedOwner))
	}
	now := s.clock()
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Model(&models.Estate{}).Where("id = ?", e.ID).Updates(map[string]any{"coowner_rule": string(r), "updated_at": now}).Error; err != nil {
			return fmt.Errorf("setting the co-owner rule: %w", err)
		}
		return record(ctx, tx, p, e, "formation.coowner_rule", "estate", e.ID, map[string]any{"from": e.CoOwnerRule, "to": string(r)})
	})
}
