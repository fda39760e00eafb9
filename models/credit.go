package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The two lists a district keeps of property companies (seed 004 §(七)).
const (
	CreditListRed   = "red"   // 红榜: commended
	CreditListBlack = "black" // 黑榜: barred from tenders and maintenance-fund applications
)

// CreditGrade is one grade a district set for a company, with its reasons. The newest
// row of a (company, district) is the grade in force; rows are never changed.
type CreditGrade struct {
	ID             int64 `gorm:"primaryKey"`
	CompanyID      int64
	DistrictID     int64
	Grade          string
	Reasons        string
	CreditEntryRef string
	EffectiveOn    string
	SetBy          *int64
	SetByName      string
	CreatedAt      time.Time
}

// TableName is credit_grades.
func (CreditGrade) TableName() string { return "credit_grades" }

// CreditListEntry is a company on a district's red or black list from ListedOn until
// RemovedOn (nil while listed).
type CreditListEntry struct {
	ID            int64 `gorm:"primaryKey"`
	DistrictID    int64
	CompanyID     int64
	ListKind      string
	ListedOn      string
	RemovedOn     *string
	Reasons       string
	RemovalReason *string
	SetBy         *int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName is credit_list_entries.
func (CreditListEntry) TableName() string { return "credit_list_entries" }

// ListedOnDay tells whether the entry is in force on day ("2006-01-02").
func (e CreditListEntry) ListedOnDay(day string) bool {
	return e.ListedOn <= day && (e.RemovedOn == nil || day < *e.RemovedOn)
}

// CreditListPublication is one monthly publication of a district's lists as a PDF.
type CreditListPublication struct {
	ID          int64 `gorm:"primaryKey"`
	DistrictID  int64
	Month       string
	Version     int
	DocNumber   string
	SHA256      string `gorm:"column:sha256"`
	SizeBytes   int64
	PDF         []byte `gorm:"column:pdf"`
	RedCount    int
	BlackCount  int
	PublishedBy *int64
	PublishedAt time.Time
}

// TableName is credit_list_publications.
func (CreditListPublication) TableName() string { return "credit_list_publications" }

// GradesOfCompany lists a company's grades, newest first; districtID 0 means every district.
func GradesOfCompany(ctx context.Context, db *gorm.DB, companyID, districtID int64) ([]CreditGrade, error) {
	var list []CreditGrade
	q := db.WithContext(ctx).Where("company_id = ?", companyID)
	if districtID != 0 {
		q = q.Where("district_id = ?", districtID)
	}
	if err := q.Order("id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("grades of company %d: %w", companyID, err)
	}
	return list, nil
}

// ListEntriesOfCompany lists a company's list entries, newest first; districtID 0 means every district.
func ListEntriesOfCompany(ctx context.Context, db *gorm.DB, companyID, districtID int64) ([]CreditListEntry, error) {
	var list []CreditListEntry
	q := db.WithContext(ctx).Where("company_id = ?", companyID)
	if districtID != 0 {
		q = q.Where("district_id = ?", districtID)
	}
	if err := q.Order("id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("list entries of company %d: %w", companyID, err)
	}
	return list, nil
}

// ListEntriesOfDistrict lists a district's entries (current and removed), by id.
func ListEntriesOfDistrict(ctx context.Context, db *gorm.DB, districtID int64) ([]CreditListEntry, error) {
	var list []CreditListEntry
	if err := db.WithContext(ctx).Where("district_id = ?", districtID).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("list entries of district %d: %w", districtID, err)
	}
	return list, nil
}

// FindCompany loads one property company.
func FindCompany(ctx context.Context, db *gorm.DB, id int64) (PropertyCompany, error) {
	var c PropertyCompany
	if err := db.WithContext(ctx).First(&c, id).Error; err != nil {
		return c, fmt.Errorf("company %d: %w", id, err)
	}
	return c, nil
}

// CompaniesByID loads companies by id.
func CompaniesByID(ctx context.Context, db *gorm.DB, ids []int64) (map[int64]PropertyCompany, error) {
	out := map[int64]PropertyCompany{}
	if len(ids) == 0 {
		return out, nil
	}
	var list []PropertyCompany
	if err := db.WithContext(ctx).Where("id IN ?", ids).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("companies: %w", err)
	}
	for _, c := range list {
		out[c.ID] = c
	}
	return out, nil
}
