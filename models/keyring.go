package models

import "time"

// KeyRing is the single row describing the secret key the data is keyed with
// (see app/keyring): its fingerprint, the earlier keys' hashing keys sealed
// under it, and how many rotations led to it.
type KeyRing struct {
	ID          int64 `gorm:"primaryKey;autoIncrement:false"`
	Fingerprint string
	HashKeys    string
	Rotations   int
	UpdatedAt   time.Time
}

// TableName is key_ring.
func (KeyRing) TableName() string { return "key_ring" }
