package auth

import (
	"context"
	"crypto/hmac"
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
	"gongzhi/app/database"
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
// Every attempt is counted before its password is compared (so concurrent guesses
// cannot outrun the back-off); a successful sign-in takes its count back and resets
// the account's. Refused (throttled) attempts are not counted and their password is
// not looked at. State lives in the login_throttles table, so every server instance
// applies the same delays; its keys are keyed hashes (keyHash), and a row is purged
// as soon as it no longer matters (PurgeExpired). The rows are disposable: a key
// rotation deletes them all (app/keyring).
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

// keyHash is the stored form of a throttle key: an HMAC-SHA256 under the server's
// throttle key, so that neither an address (IPv4 has only 2³² of them) nor a typed
// username — sometimes a password typed into the wrong field — can be recovered by
// hashing guesses without the server's secret.
func (s *Service) keyHash(key string) string {
	mac := hmac.New(sha256.New, s.throttleKey)
	mac.Write([]byte(key))
	return hex.EncodeToString(mac.Sum(nil))
}

// keysFor derives the throttle keys of an attempt. Usernames are compared without
// regard to case, as MariaDB's collation does.
func (s *Service) keysFor(username, address string) throttleKeys {
	u := strings.ToLower(strings.TrimSpace(username))
	return throttleKeys{account: s.keyHash("account:" + u), address: s.keyHash("address:" + address),
		known: s.keyHash("known:" + u + "|" + address)}
}

// reserve counts an attempt as a failure under the address and the account keys
// before its password is compared, in one transaction, and refuses it (429) while
// either key is in its back-off — the account's only for an address not known to
// the account. The count is raised by one upsert whose CASE leaves a key in its
// back-off untouched, and the row stays locked until commit, so concurrent attempts
// are serialised: no more are compared than the policy allows, none is lost. A
// successful sign-in takes its count back (recordSuccess).
func (s *Service) reserve(ctx context.Context, k throttleKeys) error {
	now := s.now()
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var known []models.LoginThrottle
		if err := tx.Where("key_hash = ? AND last_success_at > ?", k.known, now.Add(-s.throttle.KnownFor)).Find(&known).Error; err != nil {
			return fmt.Errorf("reading known address: %w", err)
		}
		// Address first, then account: every transaction locks in this order.
		for _, key := range []struct {
			hash      string
			free      int
			base, cap time.Duration
			exempt    bool
		}{
			{k.address, s.throttle.AddressFree, s.throttle.AddressBase, s.throttle.AddressCap, false},
			{k.account, s.throttle.AccountFree, s.throttle.AccountBase, s.throttle.AccountCap, len(known) > 0},
		} {
			// failures is assigned first (MySQL evaluates assignments left to right) and
			// neither assignment reads a column the other changes. A key in its back-off
			// is left as it is; a forgotten count starts again at 1.
			failures := gorm.Expr("CASE WHEN last_failure_at IS NULL OR last_failure_at < ? THEN 1 ELSE failures + 1 END", now.Add(-s.throttle.Forget))
			last := gorm.Expr("?", now)
			if !key.exempt {
				failures = gorm.Expr("CASE WHEN next_attempt_at IS NOT NULL AND next_attempt_at > ? THEN failures "+
					"WHEN last_failure_at IS NULL OR last_failure_at < ? THEN 1 ELSE failures + 1 END", now, now.Add(-s.throttle.Forget))
				last = gorm.Expr("CASE WHEN next_attempt_at IS NOT NULL AND next_attempt_at > ? THEN last_failure_at ELSE ? END", now, now)
			}
			row := models.LoginThrottle{KeyHash: key.hash, Failures: 1, LastFailureAt: &now, UpdatedAt: now}
			if err := tx.Clauses(clause.OnConflict{
				Columns: []clause.Column{{Name: "key_hash"}},
				DoUpdates: []clause.Assignment{
					{Column: clause.Column{Name: "failures"}, Value: failures},
					{Column: clause.Column{Name: "last_failure_at"}, Value: last},
					{Column: clause.Column{Name: "updated_at"}, Value: now},
				},
			}).Create(&row).Error; err != nil {
				return fmt.Errorf("counting sign-in attempt: %w", err)
			}
			var cur models.LoginThrottle
			if err := tx.Where("key_hash = ?", key.hash).First(&cur).Error; err != nil {
				return fmt.Errorf("reading sign-in count: %w", err)
			}
			if !key.exempt && cur.NextAttemptAt != nil && cur.NextAttemptAt.After(now) {
				wait := cur.NextAttemptAt.Sub(now)
				return &ThrottledError{RetryAfter: wait, Err: app.Errorf(app.ERateLimited,
					"登录失败次数过多，请 %d 秒后再试", max(1, int(math.Ceil(wait.Seconds()))))}
			}
			var next any
			if d := delay(cur.Failures, key.free, key.base, key.cap); d > 0 {
				next = now.Add(d)
			}
			if err := tx.Model(&models.LoginThrottle{}).Where("key_hash = ?", key.hash).Update("next_attempt_at", next).Error; err != nil {
				return fmt.Errorf("setting sign-in back-off: %w", err)
			}
		}
		return nil
	})
	var throttled *ThrottledError
	if errors.As(err, &throttled) {
		return throttled
	}
	if err != nil {
		return app.Internal(err)
	}
	return nil
}

// recordSuccess, inside the sign-in's transaction, takes back the address's
// reserved count, resets the account's count and marks the address as known to
// the account. Address first, then account, as in reserve.
func (s *Service) recordSuccess(tx *gorm.DB, k throttleKeys) error {
	now := s.now()
	if err := tx.Model(&models.LoginThrottle{}).Where("key_hash = ?", k.address).
		Update("failures", gorm.Expr("CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END")).Error; err != nil {
		return fmt.Errorf("taking back the attempt: %w", err)
	}
	var addr models.LoginThrottle
	if err := tx.Where("key_hash = ?", k.address).Limit(1).Find(&addr).Error; err != nil {
		return fmt.Errorf("reading sign-in count: %w", err)
	}
	if addr.KeyHash != "" && delay(addr.Failures, s.throttle.AddressFree, s.throttle.AddressBase, s.throttle.AddressCap) == 0 {
		if err := tx.Model(&models.LoginThrottle{}).Where("key_hash = ?", k.address).Update("next_attempt_at", nil).Error; err != nil {
			return fmt.Errorf("clearing sign-in back-off: %w", err)
		}
	}
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
