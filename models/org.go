package models

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Org kinds of the supervision tree city → district → street office → community.
const (
	OrgCity      = "city"
	OrgDistrict  = "district"
	OrgStreet    = "street"
	OrgCommunity = "community"
)

// Org is one node of the supervision tree. Path is the materialised path of ids,
// "/1/4/9/", so a subtree is one prefix query.
type Org struct {
	ID        int64 `gorm:"primaryKey"`
	ParentID  *int64
	Kind      string
	Name      string
	Path      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ChildPath is the path a child of this node gets once it has its own id.
func ChildPath(parentPath string, id int64) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + strconv.FormatInt(id, 10) + "/"
}

// Estate is a residential estate (小区), the unit that holds owners' assemblies.
type Estate struct {
	ID          int64 `gorm:"primaryKey"`
	CommunityID int64
	Name        string
	Address     string
	ProfileCode string
	// CoOwnerRule is the co-owner counting rule (docs/rules.md §1 C3) chosen for the estate;
	// empty means the default rule.
	CoOwnerRule string `gorm:"column:coowner_rule"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// EstateWithPath is an estate joined with its community's name and org path.
type EstateWithPath struct {
	Estate
	CommunityName string
	CommunityPath string
}

// FindOrg loads one org by id.
func FindOrg(ctx context.Context, db *gorm.DB, id int64) (Org, error) {
	var o Org
	if err := db.WithContext(ctx).First(&o, id).Error; err != nil {
		return o, fmt.Errorf("org %d: %w", id, err)
	}
	return o, nil
}

// OrgsUnder lists the orgs whose path starts with prefix ("" lists all), by path.
func OrgsUnder(ctx context.Context, db *gorm.DB, prefix string) ([]Org, error) {
	var list []Org
	q := db.WithContext(ctx).Order("path")
	if prefix != "" {
		q = q.Where("path LIKE ?", prefix+"%")
	}
	if err := q.Find(&list).Error; err != nil {
		return nil, fmt.Errorf("listing orgs: %w", err)
	}
	return list, nil
}

// EstatesUnder lists the estates whose community lies under prefix ("" lists all).
func EstatesUnder(ctx context.Context, db *gorm.DB, prefix string) ([]EstateWithPath, error) {
	var list []EstateWithPath
	q := db.WithContext(ctx).Table("estates").
		Select("estates.*, orgs.name AS community_name, orgs.path AS community_path").
		Joins("JOIN orgs ON orgs.id = estates.community_id").
		Order("orgs.path, estates.name")
	if prefix != "" {
		q = q.Where("orgs.path LIKE ?", prefix+"%")
	}
	if err := q.Scan(&list).Error; err != nil {
		return nil, fmt.Errorf("listing estates: %w", err)
	}
	return list, nil
}

// FindEstate loads one estate with its community's path.
func FindEstate(ctx context.Context, db *gorm.DB, id int64) (EstateWithPath, error) {
	var e EstateWithPath
	res := db.WithContext(ctx).Table("estates").
		Select("estates.*, orgs.name AS community_name, orgs.path AS community_path").
		Joins("JOIN orgs ON orgs.id = estates.community_id").
		Where("estates.id = ?", id).Limit(1).Scan(&e)
	if res.Error != nil {
		return e, fmt.Errorf("estate %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return e, fmt.Errorf("estate %d: %w", id, gorm.ErrRecordNotFound)
	}
	return e, nil
}
