package demo

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"gongzhi/models"
)

// Logins tells which demo accounts may still be shown on the sign-in page: those
// that exist, are enabled and still have their demo password, decided from the
// stored password hash. A changed password (or a disabled account) drops the
// account from the list at the next page view.
//
// Comparing a bcrypt hash costs tens of milliseconds, so the outcome is remembered
// per stored hash: a page view reads the accounts' rows and compares only hashes it
// has not seen yet (a password change stores a new hash). Safe for concurrent use.
type Logins struct {
	db       *gorm.DB
	accounts []Account
	mu       sync.Mutex
	matches  map[string]bool // username + "\x00" + stored hash → the demo password matches
}

// NewLogins watches the given demo accounts (normally Accounts()).
func NewLogins(db *gorm.DB, accounts []Account) *Logins {
	return &Logins{db: db, accounts: accounts, matches: map[string]bool{}}
}

// Current lists the demo accounts that still have their demo passwords, in the
// order of the accounts given to NewLogins.
func (l *Logins) Current(ctx context.Context) ([]Account, error) {
	if l == nil || len(l.accounts) == 0 {
		return nil, nil
	}
	names := make([]string, len(l.accounts))
	for i, a := range l.accounts {
		names[i] = a.Username
	}
	var users []models.User
	if err := l.db.WithContext(ctx).Select("username", "password_hash", "disabled").
		Where("username IN ?", names).Find(&users).Error; err != nil {
		return nil, fmt.Errorf("demo accounts: %w", err)
	}
	byName := make(map[string]models.User, len(users))
	for _, u := range users {
		byName[u.Username] = u
	}
	var out []Account
	for _, a := range l.accounts {
		u, ok := byName[a.Username]
		if ok && !u.Disabled && l.match(a, u.PasswordHash) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (l *Logins) match(a Account, hash string) bool {
	key := a.Username + "\x00" + hash
	l.mu.Lock()
	m, ok := l.matches[key]
	l.mu.Unlock()
	if ok {
		return m
	}
	m = bcrypt.CompareHashAndPassword([]byte(hash), []byte(a.Password)) == nil
	l.mu.Lock()
	l.matches[key] = m
	l.mu.Unlock()
	return m
}
