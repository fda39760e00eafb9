package models

import "time"

// OrgRecord is one version of an org-level record (issue 15): a PDF issued for a
// street office or district, not an estate — the monthly supervision report. See
// app/documents/orgrecords.go.
type OrgRecord struct {
	ID           int64 `gorm:"primaryKey"`
	OrgID        int64
	Subject      string
	Version      int
	DocNumber    string
	Title        string
	BasisSHA256  string `gorm:"column:basis_sha256"`
	SHA256       string `gorm:"column:sha256"`
	SizeBytes    int64
	PDF          []byte `gorm:"column:pdf"`
	Summary      string
	SupersededAt *time.Time
	CreatedBy    *int64
	CreatedAt    time.Time
}

// TableName is org_records.
func (OrgRecord) TableName() string { return "org_records" }
