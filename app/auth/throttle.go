package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gongzhi/app"
	"gongzhi/models"
)

// Throttle is the sign-in back-off policy. Nothing locks an account: after Free
// failures under one key, the next attempt under that key waits Base, and the wait
// doubles with every further failure up to Cap. A key's failures are forgotten after
// Forget without one. Two keys are counted for every failed attempt:
//
//   - the account (by the typed username, known or not, so that the back-off tells
//     nothing about which usernames exist): slows guessing at one account from many
//     addresses. Because it would also slow the owner, its cap is short, and an
//     address that signed in to the account successfully within KnownFor is exempt
//     from it: an attacker elsewhere cannot keep the owner out;
//   - the client address: slows one address trying many accounts (or one account).
//     A success does not reset it, so one valid account cannot launder guesses.
//
// A successful sign-in resets the account's count. Refused (throttled) attempts are
// not counted and the password is not checked. State lives in the login_throttles
// table, so every server instance applies the same delays.
type Throttle struct {
	AccountFree int
	AccountBase time.Duration
	AccountCap  time.Duration
	AddressFree int
	AddressBase time.Duration
	AddressCap  time.Duration
	Forget      time.Duration
	KnownFor    time.Duration
}

// DefaultThrottle is the policy of docs/accounts.md.
var DefaultThrottle = Throttle{
	AccountFree: 5, AccountBase: 30 * time.Second, AccountCap: 5 * time.Minute,
	AddressFree: 10, AddressBase: 30 * time.Second, AddressCap: 15 * time.Minute,
	Forget: time.Hour, KnownFor: 90 * 24 * time.Hour,
}

// delay is the wait after failures failures under a key with free free ones.
func delay(failures, free int, base, cap time.Duration) time.Duration {
	if failures < free {
		return 0
	}
	n := failures - free
	if n >= 30 || float64(base)*math.Pow(2, float64(n)) >= float64(cap) {
		return cap
	}
	return base << n
}

// ThrottledError refuses a sign-in attempt until RetryAfter has passed.
type ThrottledError struct {
	Err        *app.Error
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string { return e.Err.Error() }

// Unwrap exposes the application error (rate_limited, 429).
func (e *ThrottledError) Unwrap() error { return e.Err }

// RetryAfter tells how long a throttled caller must wait, in whole seconds (at least 1).
func RetryAfter(err error) (int, bool) {
	var t *ThrottledError
	if !errors.As(err, &t) {
		return 0, false
	}
	return max(1, int(math.Ceil(t.RetryAfter.Seconds()))), true
}

type throttleKeys struct{ account, address, known string }

func keyHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// keysFor derives the throttle keys of an attempt. Usernames are compared without
// regard to case, as MariaDB's collation does.
func keysFor(username, address string) throttleKeys {
	u := strings.ToLower(strings.TrimSpace(username))
	return throttleKeys{account: keyHash("account:" + u), address: keyHash("address:" + address),
		known: keyHash("known:" + u + "|" + address)}
}

// checkThrottle refuses the attempt while the address, or the account for an
// address not known to it, is in its back-off.
func (s *Service) checkThrottle(ctx context.Context, k throttleKeys) error {
	var rows []models.LoginThrottle
	if err := s.db.WithContext(ctx).Where("key_hash IN ?", []string{k.account, k.address, k.known}).Find(&rows).Error; err != nil {
		return app.Internal(fmt.Errorf("reading sign-in throttle: %w", err))
	}
	now := s.now()
	var account, address *models.LoginThrottle
	known := false
	for i := range rows {
		switch rows[i].KeyHash {
		case k.account:
			account = &rows[i]
		case k.address:
			address = &rows[i]
		case k.known:
			known = rows[i].LastSuccessAt != nil && now.Sub(*rows[i].LastSuccessAt) < s.throttle.KnownFor
		}
	}
	var wait time.Duration
	if address != nil && address.NextAttemptAt != nil && address.NextAttemptAt.After(now) {
		wait = address.NextAttemptAt.Sub(now)
	}
	if account != nil && !known && account.NextAttemptAt != nil && account.NextAttemptAt.After(now) {
		wait = max(wait, account.NextAttemptAt.Sub(now))
	}
	if wait <= 0 {
		return nil
	}
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return &ThrottledError{RetryAfter: wait,
		Err: app.Errorf(app.ERateLimited, "登录失败次数过多，请 %d 秒后再试", secs)}
}

// recordFailure counts a failed attempt under the account and the address keys
// and sets their next allowed attempt, in one transaction. The count is raised by
// one UPDATE (an upsert), so concurrent failures are all counted.
func (s *Service) recordFailure(ctx context.Context, k throttleKeys) error {
	now := s.now()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, key := range []struct {
			hash      string
			free      int
			base, cap time.Duration
		}{
			{k.account, s.throttle.AccountFree, s.throttle.AccountBase, s.throttle.AccountCap},
			{k.address, s.throttle.AddressFree, s.throttle.AddressBase, s.throttle.AddressCap},
		} {
			row := models.LoginThrottle{KeyHash: key.hash, Failures: 1, LastFailureAt: &now, UpdatedAt: now}
			// failures is assigned first: MySQL evaluates the assignments left to right.
			if err := tx.Clauses(clause.OnConflict{
				Columns: []clause.Column{{Name: "key_hash"}},
				DoUpdates: []clause.Assignment{
					{Column: clause.Column{Name: "failures"}, Value: gorm.Expr(
						"CASE WHEN last_failure_at IS NULL OR last_failure_at < ? THEN 1 ELSE failures + 1 END", now.Add(-s.throttle.Forget))},
					{Column: clause.Column{Name: "last_failure_at"}, Value: now},
					{Column: clause.Column{Name: "updated_at"}, Value: now},
				},
			}).Create(&row).Error; err != nil {
				return fmt.Errorf("counting failed sign-in: %w", err)
			}
			var failures int
			if err := tx.Model(&models.LoginThrottle{}).Where("key_hash = ?", key.hash).Select("failures").Scan(&failures).Error; err != nil {
				return fmt.Errorf("reading failed sign-ins: %w", err)
			}
			var next any
			if d := delay(failures, key.free, key.base, key.cap); d > 0 {
				next = now.Add(d)
			}
			if err := tx.Model(&models.LoginThrottle{}).Where("key_hash = ?", key.hash).Update("next_attempt_at", next).Error; err != nil {
				return fmt.Errorf("setting sign-in back-off: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return app.Internal(err)
	}
	return nil
}

// recordSuccess resets the account's count and marks the address as known to the
// account, inside the sign-in's transaction.
func (s *Service) recordSuccess(tx *gorm.DB, k throttleKeys) error {
	now := s.now()
	if err := tx.Where("key_hash = ?", k.account).Delete(&models.LoginThrottle{}).Error; err != nil {
		return fmt.Errorf("resetting sign-in count: %w", err)
	}
	row := models.LoginThrottle{KeyHash: k.known, LastSuccessAt: &now, UpdatedAt: now}
	if err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key_hash"}},
		DoUpdates: clause.AssignmentColumns([]string{"last_success_at", "updated_at"}),
	}).Create(&row).Error; err != nil {
		return fmt.Errorf("recording known address: %w", err)
	}
	return nil
}
