package orgs

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gongzhi/app"
	"gongzhi/models"
)

// AuditEntry is one row of the audit trail as staff read it (issue 16, defect 3): the
// actor by name, what was acted on by name where it has one, and a summary of the
// recorded detail. Action, TargetType, Field.Key and Role stay codes: the page names
// them through the translation catalogue (views: label).
type AuditEntry struct {
	At         time.Time
	Actor      string // the account's display name, else its user name
	Role       string
	Action     string
	TargetType string
	TargetID   string
	TargetName string // "" when the target has no name the page can show
	Fields     []AuditField
}

// AuditField is one summarised item of an entry's detail. At is set (and Value empty)
// when the value is an instant, which the page shows in Shanghai time.
type AuditField struct {
	Key   string
	Value string
	At    time.Time
}

// AuditSummaryKeys are the detail keys an entry's summary shows, in this order; the
// catalogue names each (auditlog.field.<key>). Other keys (identifiers, hashes, lists)
// stay in the stored record, which the chain check and exports read.
var AuditSummaryKeys = []string{"title", "name", "username", "role", "room", "rooms", "channel", "reason", "note", "number", "revision", "agenda_revision", "seats", "items", "rows", "file", "filename",
	"year", "month", "grade", "deadline", "at"}

// DescribeAudit turns audit rows into entries for the page: it looks up the actors'
// display names and the names of targeted users, estates, votes and orgs in one query
// each, and summarises the JSON detail.
func (s *Service) DescribeAudit(ctx context.Context, rows []models.AuditLog) ([]AuditEntry, error) {
	ids := map[string]map[int64]bool{"user": {}, "estate": {}, "vote": {}, "org": {}}
	actors := map[int64]bool{}
	for _, r := range rows {
		if r.UserID != nil {
			actors[*r.UserID] = true
		}
		if set, ok := ids[r.TargetType]; ok {
			if id, err := strconv.ParseInt(r.TargetID, 10, 64); err == nil {
				set[id] = true
			}
		}
	}
	for id := range actors {
		ids["user"][id] = true
	}
	names := map[string]map[int64]string{}
	db := s.db.WithContext(ctx)
	for typ, set := range ids {
		names[typ] = map[int64]string{}
		if len(set) == 0 {
			continue
		}
		list := make([]int64, 0, len(set))
		for id := range set {
			list = append(list, id)
		}
		var found []struct {
			ID          int64
			Name        string
			DisplayName string
		}
		var err error
		switch typ {
		case "user":
			err = db.Model(&models.User{}).Select("id, username AS name, display_name").Where("id IN ?", list).Scan(&found).Error
		case "estate":
			err = db.Model(&models.Estate{}).Select("id, name").Where("id IN ?", list).Scan(&found).Error
		case "vote":
			err = db.Model(&models.Vote{}).Select("id, title AS name").Where("id IN ?", list).Scan(&found).Error
		case "org":
			err = db.Model(&models.Org{}).Select("id, name").Where("id IN ?", list).Scan(&found).Error
		}
		if err != nil {
			return nil, app.Internal(fmt.Errorf("audit log names (%s): %w", typ, err))
		}
		for _, f := range found {
			n := f.Name
			if f.DisplayName != "" {
				n = f.DisplayName
			}
			names[typ][f.ID] = n
		}
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		e := AuditEntry{At: r.At, Actor: r.Username, Role: r.Role, Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID}
		if r.UserID != nil && names["user"][*r.UserID] != "" {
			e.Actor = names["user"][*r.UserID]
		}
		if id, err := strconv.ParseInt(r.TargetID, 10, 64); err == nil {
			e.TargetName = names[r.TargetType][id]
		}
		e.Fields = summarise(r.Detail)
		out[i] = e
	}
	return out, nil
}

// summarise picks the summary keys out of a JSON detail; a detail that is not a JSON
// object summarises to nothing.
func summarise(detail string) []AuditField {
	if detail == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(detail), &m); err != nil {
		return nil
	}
	var out []AuditField
	for _, k := range AuditSummaryKeys {
		v, ok := m[k]
		if !ok || v == nil {
			continue
		}
		f := AuditField{Key: k}
		switch x := v.(type) {
		case string:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				f.At = t
			} else {
				f.Value = x
			}
		case float64:
			f.Value = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			f.Value = strconv.FormatBool(x)
		case []any:
			parts := make([]string, 0, len(x))
			for _, p := range x {
				if _, nested := p.(map[string]any); nested {
					continue
				}
				parts = append(parts, fmt.Sprint(p))
			}
			sort.Strings(parts)
			if len(parts) == 0 {
				continue
			}
			if len(parts) > 8 {
				parts = append(parts[:8], "…")
			}
			f.Value = strings.Join(parts, "、")
		default:
			continue
		}
		if f.Value == "" && f.At.IsZero() {
			continue
		}
		out = append(out, f)
	}
	return out
}
