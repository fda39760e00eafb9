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
	var open []models.Complaint
	if err := s.db.WithContext(ctx).Where("resolved_at IS NULL OR escalated_at IS NULL").Limit(5000).Find(&open).Error; err != nil {
		return 0, err
	}
	cal, err := calendar.Working(ctx, s.cal, s.db)
	if err != nil {
		return 0, err
	}
	profiles := map[int64]models.EstateWithPath{}
	escalated := 0
	for _, c := range open {
		e, ok := profiles[c.EstateID]
		if !ok {
			if e, err = models.FindEstate(ctx, s.db, c.EstateID); err != nil {
				return escalated, err
			}
			profiles[c.EstateID] = e
		}
		missed := missedStages(s.slaOf(c, profileOf(e), cal, now))
		var fresh []string
		have := strings.Split(c.EscalatedStages, ",")
		for _, m := range missed {
			if !slices.Contains(have, m) {
				fresh = append(fresh, m)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		stages := strings.Trim(strings.Join(append(have, fresh...), ","), ",")
		err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
			res := tx.Model(&models.Complaint{}).Where("id = ? AND cycle = ? AND escalated_stages = ?", c.ID, c.Cycle, c.EscalatedStages).
				Updates(map[string]any{"escalated_stages": stages, "escalated_at": now})
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			street, _, err := alertedOrgs(ctx, tx, e.CommunityPath)
			if err != nil {
				return err
			}
			return audit.Record(ctx, tx, app.System(), audit.Entry{Action: "complaint.escalate", TargetType: "complaint", TargetID: c.ID,
				OrgID: street, EstateID: c.EstateID, Detail: map[string]any{"stages": fresh, "cycle": c.Cycle}})
		})
		if err != nil {
			return escalated, err
		}
		escalated++
	}
	var lapsed []models.RectificationOrder
	if err := s.db.WithContext(ctx).Where("outcome = '' AND deadline_at <= ?", now).Find(&lapsed).Error; err != nil {
		return escalated, err
	}
	for _, o := range lapsed {
		if err := database.Tx(ctx, s.db, func(tx *gorm.DB) error { return s.reevaluate(ctx, tx, o.EstateID, o.CompanyID) }); err != nil {
			return escalated, err
		}
	}
	return escalated, nil
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
