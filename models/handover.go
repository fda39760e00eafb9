package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The origins of a dismissal.
const (
	DismissalByCommittee = "committee" // on the owners' committee's initiative
	DismissalByExitCase  = "exit_case" // from an exit case raised by the exit check
)

// ContractTermination is the end of a service contract decided by a final assembly
// vote (CC 946): the notice served on ServedOn ends the contract on TerminatedOn,
// NoticeDays later.
type ContractTermination struct {
	ID           int64 `gorm:"primaryKey"`
	ContractID   int64
	EstateID     int64
	CompanyID    int64
	VoteID       int64
	ItemKey      string
	Origin       string
	ExitCaseRef  *int64
	ServedOn     string
	NoticeDays   int
	TerminatedOn string
	CreatedBy    *int64
	CreatedAt    time.Time
}

// TableName is contract_terminations.
func (ContractTermination) TableName() string { return "contract_terminations" }

// The receiving parties of a handover (CC 949).
const (
	ReceiverCommittee  = "committee"   // 业主委员会
	ReceiverNewCompany = "new_company" // 新物业服务人
	ReceiverOwners     = "owners"      // 决定自行管理的业主
	ReceiverDesignee   = "designee"    // 业主指定的人
)

// The states of a handover.
const (
	HandoverOpen      = "open"
	HandoverRefused   = "refused"
	HandoverCompleted = "completed"
)

// The states of a handover item.
const (
	ItemPending  = "pending"
	ItemHanded   = "handed"
	ItemMissing  = "missing"
	ItemDisputed = "disputed"
)

// Handover is the outgoing company's handover after a termination (CC 949, REG 38),
// due by DueOn. Signatures holds the signers of the completed record as JSON.
type Handover struct {
	ID            int64 `gorm:"primaryKey"`
	TerminationID int64
	EstateID      int64
	ContractID    int64
	CompanyID     int64
	Receiver      string
	ReceiverName  string
	DueOn         string
	Status        string
	RefusedAt     *time.Time
	RefusalNote   *string
	CompletedAt   *time.Time
	CompletedBy   *int64
	Signatures    *string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName is handovers.
func (Handover) TableName() string { return "handovers" }

// HandoverItem is one line of a handover checklist with the receiving party's confirmation.
type HandoverItem struct {
	ID             int64 `gorm:"primaryKey"`
	HandoverID     int64
	Position       int
	Kind           string
	Label          string
	Status         string
	Note           *string
	ConfirmedParty *string
	ConfirmerName  *string
	ConfirmedAt    *time.Time
	RecordedBy     *int64
}

// TableName is handover_items.
func (HandoverItem) TableName() string { return "handover_items" }

// HandoverAccount is one itemised account line of a money item, in fen.
type HandoverAccount struct {
	ID        int64 `gorm:"primaryKey"`
	ItemID    int64
	Position  int
	Label     string
	AmountFen int64
}

// TableName is handover_accounts.
func (HandoverAccount) TableName() string { return "handover_accounts" }

// PublicIncomeDisclosure is an estate's yearly disclosure of public income and spending.
type PublicIncomeDisclosure struct {
	ID             int64 `gorm:"primaryKey"`
	EstateID       int64
	Year           int
	IncomeFen      int64
	SpendingFen    int64
	AnnouncementID *int64
	PublishedBy    *int64
	PublishedAt    time.Time
}

// TableName is public_income_disclosures.
func (PublicIncomeDisclosure) TableName() string { return "public_income_disclosures" }

// PublicIncomeLine is one item of a disclosure.
type PublicIncomeLine struct {
	ID           int64 `gorm:"primaryKey"`
	DisclosureID int64
	Position     int
	Item         string
	IncomeFen    int64
	SpendingFen  int64
}

// TableName is public_income_lines.
func (PublicIncomeLine) TableName() string { return "public_income_lines" }

// FindContract loads one service contract.
func FindContract(ctx context.Context, db *gorm.DB, id int64) (ServiceContract, error) {
	var c ServiceContract
	if err := db.WithContext(ctx).First(&c, id).Error; err != nil {
		return c, fmt.Errorf("contract %d: %w", id, err)
	}
	return c, nil
}

// ContractOfEstate tells whether contract id belongs to the estate.
func ContractOfEstate(ctx context.Context, db *gorm.DB, id, estateID int64) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&ServiceContract{}).Where("id = ? AND estate_id = ?", id, estateID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("contract %d of estate %d: %w", id, estateID, err)
	}
	return n > 0, nil
}

// CompanyExists tells whether a company with that id is registered.
func CompanyExists(ctx context.Context, db *gorm.DB, id int64) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&PropertyCompany{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return false, fmt.Errorf("company %d: %w", id, err)
	}
	return n > 0, nil
}

// ContractsOfEstate lists an estate's contracts by start date.
func ContractsOfEstate(ctx context.Context, db *gorm.DB, estateID int64) ([]ServiceContract, error) {
	var list []ServiceContract
	if err := db.WithContext(ctx).Where("estate_id = ?", estateID).Order("starts_on, id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("contracts of estate %d: %w", estateID, err)
	}
	return list, nil
}

// HandoverItems lists a handover's items by position.
func HandoverItems(ctx context.Context, db *gorm.DB, handoverID int64) ([]HandoverItem, error) {
	var list []HandoverItem
	if err := db.WithContext(ctx).Where("handover_id = ?", handoverID).Order("position").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("items of handover %d: %w", handoverID, err)
	}
	return list, nil
}

// HandoverAccounts lists the account lines of the given items, keyed by item.
func HandoverAccounts(ctx context.Context, db *gorm.DB, itemIDs []int64) (map[int64][]HandoverAccount, error) {
	out := map[int64][]HandoverAccount{}
	if len(itemIDs) == 0 {
		return out, nil
	}
	var list []HandoverAccount
	if err := db.WithContext(ctx).Where("item_id IN ?", itemIDs).Order("item_id, position").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("handover accounts: %w", err)
	}
	for _, a := range list {
		out[a.ItemID] = append(out[a.ItemID], a)
	}
	return out, nil
}
