package property

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/calendar"
	"gongzhi/app/database"
	"gongzhi/models"
)

// Sweep marks the complaints whose 三三三 stage was missed as escalated to the street
// office (once per stage and cycle, audited), and re-evaluates the exit check of the
// estates whose rectification orders lapsed (a deadline passes without any change to
// re-evaluate on). It returns how many complaints it escalated.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	cal, err := calendar.Working(ctx, s.cal, s.db)
	if err != nil {
		return 0, err
	}
	estates := map[int64]models.EstateWithPath{}
	escalated := 0
	// Open complaints, in batches by id: a resolved one has nothing left to miss.
	for after := int64(0); ; {
		var open []models.Complaint
		if err := s.db.WithContext(ctx).Where("resolved_at IS NULL AND id > ?", after).Order("id").Limit(500).Find(&open).Error; err != nil {
			return escalated, err
		}
		if len(open) == 0 {
			break
		}
		after = open[len(open)-1].ID
		for _, c := range open {
			e, ok := estates[c.EstateID]
			if !ok {
				if e, err = models.FindEstate(ctx, s.db, c.EstateID); err != nil {
					return escalated, err
				}
				estates[c.EstateID] = e
			}
			done, err := s.escalate(ctx, c, e, missedStages(s.slaOf(c, profileOf(e), cal, now)), now)
			if err != nil {
				return escalated, err
			}
			if done {
				escalated++
			}
		}
	}
	// Lapsed orders of the last year whose estate and company have no exit case yet.
	var lapsed []models.RectificationOrder
	if err := s.db.WithContext(ctx).Where("outcome = '' AND deadline_at <= ? AND ordered_at >= ?", now, now.AddDate(-1, 0, -1)).
		Where("NOT EXISTS (SELECT 1 FROM exit_cases x WHERE x.estate_id = rectification_orders.estate_id AND x.company_id = rectification_orders.company_id)").
		Find(&lapsed).Error; err != nil {
		return escalated, err
	}
	seen := map[[2]int64]bool{}
	for _, o := range lapsed {
		key := [2]int64{o.EstateID, o.CompanyID}
		if seen[key] {
			continue
		}
		seen[key] = true
		if err := database.Tx(ctx, s.db, func(tx *gorm.DB) error { return s.reevaluate(ctx, tx, o.EstateID, o.CompanyID) }); err != nil {
			return escalated, err
		}
	}
	return escalated, nil
}

// escalate records the stages of missed not yet escalated in this cycle (audited
// under the estate's street office); false when there is nothing new.
func (s *Service) escalate(ctx context.Context, c models.Complaint, e models.EstateWithPath, missed []string, now time.Time) (bool, error) {
	have := strings.Split(c.EscalatedStages, ",")
	var fresh []string
	for _, m := range missed {
		if !slices.Contains(have, m) {
			fresh = append(fresh, m)
		}
	}
	if len(fresh) == 0 {
		return false, nil
	}
	stages := strings.Trim(strings.Join(append(have, fresh...), ","), ",")
	changed := false
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		changed = false
		res := tx.Model(&models.Complaint{}).Where("id = ? AND cycle = ? AND escalated_stages = ?", c.ID, c.Cycle, c.EscalatedStages).
			Updates(map[string]any{"escalated_stages": stages, "escalated_at": now})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		street, _, err := alertedOrgs(ctx, tx, e.CommunityPath)
		if err != nil {
			return err
		}
		changed = true
		return audit.Record(ctx, tx, app.System(), audit.Entry{Action: "complaint.escalate", TargetType: "complaint", TargetID: c.ID,
			OrgID: street, EstateID: c.EstateID, Detail: map[string]any{"stages": fresh, "cycle": c.Cycle}})
	})
	return changed, err
}

// RunWatcher runs Sweep every interval until ctx ends.
func (s *Service) RunWatcher(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Sweep(ctx); err != nil {
				log.Error("property watcher", "error", err)
			} else if n > 0 {
				log.Info("complaints escalated to the street office", "count", n)
			}
		}
	}
}
