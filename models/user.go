package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// User is a staff account. Owners do not have accounts: they vote by personal link.
type User struct {
	ID           int64 `gorm:"primaryKey"`
	Username     string
	DisplayName  string
	PasswordHash string
	Role         string
	OrgID        *int64
	EstateID     *int64
	Disabled     bool
	// MustChangePassword is set when someone else reset the password: the account
	// must choose its own at the next sign-in before doing anything else.
	MustChangePassword bool
	LastLoginAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// LoginThrottle counts failed sign-ins under one key (the SHA-256 of an account
// name, a client address, or an account and an address that signed in before); the
// auth service decides the back-off from it. Stored in the database so that every
// server instance applies the same delays.
type LoginThrottle struct {
	KeyHash       string `gorm:"primaryKey"`
	Failures      int
	LastFailureAt *time.Time
	NextAttemptAt *time.Time
	LastSuccessAt *time.Time
	UpdatedAt     time.Time
}

// UserWithOrg is a user joined with its org's name and path.
type UserWithOrg struct {
	User
	OrgName string
	OrgPath string
}

// FindUserByUsername loads a user by its unique username.
func FindUserByUsername(ctx context.Context, db *gorm.DB, username string) (User, error) {
	var u User
	if err := db.WithContext(ctx).Where("username = ?", username).First(&u).Error; err != nil {
		return u, fmt.Errorf("user %q: %w", username, err)
	}
	return u, nil
}

// UsersUnder lists users whose org lies under prefix ("" lists all), by username.
func UsersUnder(ctx context.Context, db *gorm.DB, prefix string) ([]UserWithOrg, error) {
	var list []UserWithOrg
	q := db.WithContext(ctx).Table("users").
		Select("users.*, orgs.name AS org_name, orgs.path AS org_path").
		Joins("LEFT JOIN orgs ON orgs.id = users.org_id").Order("users.username")
	if prefix != "" {
		q = q.Where("orgs.path LIKE ?", prefix+"%")
	}
	if err := q.Scan(&list).Error; err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	return list, nil
}

// Session is a server-side sign-in session (kind "web", cookie) or API token (kind
// "api", bearer). Only the SHA-256 of the token is stored.
type Session struct {
	ID         int64 `gorm:"primaryKey"`
	TokenHash  string
	UserID     int64
	Kind       string
	CSRFToken  string `gorm:"column:csrf_token"`
	ExpiresAt  time.Time
	LastSeenAt time.Time
	CreatedAt  time.Time
}

// AuditLog records one staff action: who, what, when, on what. Detail never holds
// personal data in clear.
type AuditLog struct {
	ID         int64 `gorm:"primaryKey"`
	At         time.Time
	UserID     *int64
	Username   string
	Role       string
	Action     string
	TargetType string
	TargetID   string
	OrgID      *int64
	EstateID   *int64
	Detail     string
	RequestID  string
	// Seq, PrevHash and Hash place the row in the audit hash chain (app/audit,
	// docs/audit.md): seq counts 1, 2, 3, ... without gaps.
	Seq      int64
	PrevHash string
	Hash     string
}
