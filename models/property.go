package models

import "time"

// PropertyCompany is a property service company, registered once by its unified
// social credit code (USCC, GB 32100; checked by app/rules before it is stored).
type PropertyCompany struct {
	ID                int64 `gorm:"primaryKey"`
	Name              string
	USCC              string `gorm:"column:uscc"`
	RegisteredByOrgID int64
	CreatedBy         *int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName is property_companies.
func (PropertyCompany) TableName() string { return "property_companies" }

// ServiceContract is a company's service contract for one estate, as filed with
// the housing authority. Dates are civil dates "2006-01-02" in Shanghai; the term
// runs from StartsOn to EndsOn inclusive, or to TerminatedOn when the assembly
// dismissed the company (TerminationVoteID). Terms of one estate never overlap, so
// the estate's company on a date is the company of the contract covering it.
type ServiceContract struct {
	ID                int64 `gorm:"primaryKey"`
	EstateID          int64
	CompanyID         int64
	StartsOn          string
	EndsOn            string
	NoticeDays        int // written notice before termination (CC 946: 60 unless agreed)
	FeeStandard       string
	Scope             *string
	FiledOn           *string
	FilingNo          string
	TerminatedOn      *string
	TerminationVoteID *int64
	CreatedBy         *int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName is service_contracts.
func (ServiceContract) TableName() string { return "service_contracts" }

// LastDay is the contract's last day of service: its termination date if set,
// else its end date.
func (c ServiceContract) LastDay() string {
	if c.TerminatedOn != nil && *c.TerminatedOn < c.EndsOn {
		return *c.TerminatedOn
	}
	return c.EndsOn
}

// Covers tells whether the contract is in force on day ("2006-01-02").
func (c ServiceContract) Covers(day string) bool {
	return c.StartsOn <= day && day <= c.LastDay()
}

// ProjectManager is the company's project manager for a contract, registered with
// the street office and the community (seed 004 §(二)); the phone is kept
// encrypted with a mask for display.
type ProjectManager struct {
	ID           int64 `gorm:"primaryKey"`
	ContractID   int64
	Name         string
	PhoneEnc     string
	PhoneMasked  string
	RegisteredOn string
	LeftOn       *string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName is project_managers.
func (ProjectManager) TableName() string { return "project_managers" }
