// Package audit writes the staff audit trail: every change a staff member makes is
// recorded, in the same transaction as the change, with who, what, when and on what.
// The trail is a hash chain with signed heads, checked by Check (docs/audit.md).
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/models"
)

// Entry describes one action. Detail must not hold personal data in clear.
type Entry struct {
	Action     string // e.g. "user.create", "roster.import"
	TargetType string // e.g. "user", "estate"
	TargetID   int64
	OrgID      int64
	EstateID   int64
	Detail     map[string]any
}

// Record writes the entry through tx (the use case's transaction), appended to the
// audit hash chain (chain.go): the chain head stays locked until tx ends, so audit
// writes of concurrent transactions are serialised. The entry is dated by the
// database handle's clock (gorm.Config.NowFunc), which services.New sets to the
// services' clock.
func Record(ctx context.Context, tx *gorm.DB, p app.Principal, e Entry) error {
	row := models.AuditLog{
		At:         tx.NowFunc().UTC(),
		Username:   p.Username,
		Role:       string(p.Role),
		Action:     e.Action,
		TargetType: e.TargetType,
		RequestID:  app.RequestID(ctx),
	}
	if p.UserID != 0 {
		id := p.UserID
		row.UserID = &id
	}
	if e.TargetID != 0 {
		row.TargetID = fmt.Sprint(e.TargetID)
	}
	if e.OrgID != 0 {
		id := e.OrgID
		row.OrgID = &id
	}
	if e.EstateID != 0 {
		id := e.EstateID
		row.EstateID = &id
	}
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		row.Detail = string(b)
	}
	return appendChained(ctx, tx, &row)
}

// Query filters the audit trail.
type Query struct {
	OrgPath  string // "" for all (admin)
	EstateID int64
	Limit    int
	// Filters of the audit log page (issue 16); zero values filter nothing.
	Offset   int
	Actor    string    // the account's username, exactly
	Action   string    // an action ("roster.import") or a family ending in "." ("roster.")
	From     time.Time // at or after
	Before   time.Time // strictly before
	Search   string    // part of the action, the target or the detail
	InEstate int64     // one estate (besides the jurisdiction's EstateID)
	UpToSeq  int64     // entries of the chain up to this seq (an export read page by page)
}

// List returns the newest entries visible under the query, newest first.
func List(ctx context.Context, db *gorm.DB, q Query) ([]models.AuditLog, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 100
	}
	tx := q.where(db.WithContext(ctx).Model(&models.AuditLog{})).Order("at DESC, id DESC").Limit(q.Limit).Offset(max(0, q.Offset))
	var list []models.AuditLog
	if err := tx.Find(&list).Error; err != nil {
		return nil, fmt.Errorf("reading audit log: %w", err)
	}
	return list, nil
}

// Count is how many entries the query's filters select (Limit and Offset aside).
func Count(ctx context.Context, db *gorm.DB, q Query) (int64, error) {
	var n int64
	if err := q.where(db.WithContext(ctx).Model(&models.AuditLog{})).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("counting audit log: %w", err)
	}
	return n, nil
}

// like escapes s for a LIKE pattern with ESCAPE '!'.
func like(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

func (q Query) where(tx *gorm.DB) *gorm.DB {
	if q.InEstate != 0 {
		tx = tx.Where("audit_logs.estate_id = ?", q.InEstate)
	}
	if q.UpToSeq != 0 {
		tx = tx.Where("audit_logs.seq <= ?", q.UpToSeq)
	}
	if q.Actor != "" {
		tx = tx.Where("audit_logs.username = ?", q.Actor)
	}
	if strings.HasSuffix(q.Action, ".") {
		tx = tx.Where("audit_logs.action LIKE ? ESCAPE '!'", like(q.Action)+"%")
	} else if q.Action != "" {
		tx = tx.Where("audit_logs.action = ?", q.Action)
	}
	if !q.From.IsZero() {
		tx = tx.Where("audit_logs.at >= ?", q.From)
	}
	if !q.Before.IsZero() {
		tx = tx.Where("audit_logs.at < ?", q.Before)
	}
	if q.Search != "" {
		pat := "%" + like(q.Search) + "%"
		tx = tx.Where("(audit_logs.action LIKE ? ESCAPE '!' OR audit_logs.target_type LIKE ? ESCAPE '!' OR audit_logs.target_id LIKE ? ESCAPE '!' OR audit_logs.detail LIKE ? ESCAPE '!')",
			pat, pat, pat, pat)
	}
	if q.EstateID != 0 {
		tx = tx.Where("audit_logs.estate_id = ?", q.EstateID)
	}
	if q.OrgPath != "" {
		tx = tx.Where(`(audit_logs.org_id IN (SELECT id FROM orgs WHERE path LIKE ?)
			OR audit_logs.estate_id IN (SELECT estates.id FROM estates JOIN orgs ON orgs.id = estates.community_id WHERE orgs.path LIKE ?))`,
			q.OrgPath+"%", q.OrgPath+"%")
	}
	return tx
}
