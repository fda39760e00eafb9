// Package auth signs staff in and out: bcrypt passwords under a password policy, one
// answer for every failed sign-in, a back-off per account and per client address
// instead of a lock-out (throttle.go), a forced change after someone else resets a
// password, server-side sessions and API tokens stored (hashed) in the database so
// that several server instances share them, and staff account management within the
// manager's jurisdiction (auditors' accounts only from above the org they audit).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/models"
)

// Session kinds.
const (
	KindWeb = "web"
	KindAPI = "api"
)

// Service is the sign-in and account service.
type Service struct {
	db         *gorm.DB
	sessionTTL time.Duration
	bcryptCost int
	dummyHash  []byte // compared against for unknown usernames, so timing does not tell
	throttle   Throttle
	// throttleKey keys the hashes of the back-off's rows (a subkey of SECRET_KEY).
	throttleKey []byte
	clock       app.Clock
}

// New builds the service; clock (nil: the system clock) dates sessions and the
// sign-in back-off. bcryptCost 0 means bcrypt.DefaultCost. throttleKey is the
// secret key of the sign-in back-off's stored hashes; every server instance sharing
// the database must use the same one (services derives it from SECRET_KEY).
func New(db *gorm.DB, clock app.Clock, sessionTTL time.Duration, bcryptCost int, throttleKey []byte) *Service {
	if bcryptCost == 0 {
		bcryptCost = bcrypt.DefaultCost
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("no such user"), bcryptCost)
	if err != nil {
		dummy = nil // only weakens the timing cover; CompareHashAndPassword still fails
	}
	return &Service{db: db, sessionTTL: sessionTTL, bcryptCost: bcryptCost, dummyHash: dummy, throttle: DefaultThrottle,
		throttleKey: throttleKey, clock: app.ClockOrSystem(clock)}
}

// now is the current instant in UTC.
func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// NewToken returns a URL-safe random token of 256 bits.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken is the stored form of a session token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Session is a freshly created sign-in: the token goes to the client once.
type Session struct {
	Token     string
	CSRFToken string
	ExpiresAt time.Time
	Principal app.Principal
}

// Credentials are what a sign-in attempt presents, and the client address it
// comes from (for the back-off).
type Credentials struct {
	Username string
	Password string
	Address  string
}

// errBadLogin is the one answer to every failed sign-in: unknown username, wrong
// password, disabled account. Nothing in it, its status or the work done before
// it tells which.
var errBadLogin = app.Errorf(app.EUnauthorized, "用户名或密码错误，或账号已停用")

// errMustChange answers an API sign-in of an account whose password was reset.
var errMustChange = app.Fail(app.EPasswordChange, "err.auth.api_v1_auth_password")

// verify checks credentials under the back-off: the attempt is counted first, and a
// throttled one is refused (rate_limited) before the password is looked at; a failed
// one is answered with errBadLogin; the caller takes a success's count back with
// recordSuccess.
func (s *Service) verify(ctx context.Context, cr Credentials, field string) (models.User, throttleKeys, error) {
	cr.Username = strings.TrimSpace(cr.Username)
	if cr.Username == "" || cr.Password == "" {
		return models.User{}, throttleKeys{}, &app.Error{Code: app.EInvalid, Msg: app.Plain("请输入用户名和密码"),
			Details: []app.Detail{{Field: "username", Msg: app.Plain("必填")}, {Field: field, Msg: app.Plain("必填")}}}
	}
	k := s.keysFor(cr.Username, cr.Address)
	if err := s.reserve(ctx, k); err != nil {
		return models.User{}, k, err
	}
	u, err := models.FindUserByUsername(ctx, s.db, cr.Username)
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		// Spend the same time as a real check so usernames cannot be probed by timing.
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(cr.Password))
	case err != nil:
		return u, k, app.Internal(err)
	default:
		if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(cr.Password)) == nil && !u.Disabled {
			return u, k, nil
		}
	}
	return models.User{}, k, errBadLogin // already counted by reserve
}

// Login checks the credentials and opens a session of the given kind. Failures
// slow down further attempts (see Throttle) but never lock the account. An account
// whose password was reset by someone else gets a web session that may only change
// the password (Principal.MustChangePassword); an API sign-in is refused with
// password_change_required until the password is changed.
func (s *Service) Login(ctx context.Context, cr Credentials, kind string) (Session, error) {
	u, k, err := s.verify(ctx, cr, "password")
	if err != nil {
		return Session{}, err
	}
	if u.MustChangePassword && kind == KindAPI {
		err := database.Tx(ctx, s.db, func(tx *gorm.DB) error { return s.recordSuccess(tx, k) })
		if err != nil {
			return Session{}, app.Internal(err)
		}
		return Session{}, errMustChange
	}
	p, err := s.principalOf(ctx, s.db, u)
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	var out Session
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Model(&models.User{}).Where("id = ?", u.ID).Update("last_login_at", now).Error; err != nil {
			return fmt.Errorf("recording login: %w", err)
		}
		if err := s.recordSuccess(tx, k); err != nil {
			return err
		}
		var err error
		out, err = s.openSession(ctx, tx, u.ID, kind)
		if err != nil {
			return err
		}
		out.Principal = p
		return audit.Record(ctx, tx, p, audit.Entry{Action: "auth.login", TargetType: "user", TargetID: u.ID, OrgID: p.OrgID, Detail: map[string]any{"kind": kind}})
	})
	if err != nil {
		return Session{}, app.AsError(err)
	}
	return out, nil
}

// PasswordChange is an account changing its own password: the current one proves
// who it is (under the same back-off as a sign-in).
type PasswordChange struct {
	Credentials        // Password is the current password
	NewPassword string // checked against the password policy
}

// ChangePassword sets the account's own new password, clears a forced change, ends
// every session of the account and opens a new one of the given kind.
func (s *Service) ChangePassword(ctx context.Context, in PasswordChange, kind string) (Session, error) {
	// The new password is checked first, so a refused one costs no attempt.
	if err := ValidatePassword("new_password", in.Username, in.NewPassword); err != nil {
		return Session{}, err
	}
	if in.NewPassword == in.Password {
		return Session{}, app.Invalid("new_password", "新密码不能与当前密码相同")
	}
	u, k, err := s.verify(ctx, in.Credentials, "current_password")
	if err != nil {
		return Session{}, err
	}
	hash, err := s.HashPassword(in.NewPassword)
	if err != nil {
		return Session{}, app.Internal(err)
	}
	u.MustChangePassword = false
	p, err := s.principalOf(ctx, s.db, u)
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	var out Session
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Model(&models.User{}).Where("id = ?", u.ID).Updates(map[string]any{
			"password_hash": hash, "must_change_password": false, "last_login_at": now}).Error; err != nil {
			return fmt.Errorf("changing password: %w", err)
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&models.Session{}).Error; err != nil {
			return fmt.Errorf("ending sessions: %w", err)
		}
		if err := s.recordSuccess(tx, k); err != nil {
			return err
		}
		var err error
		if out, err = s.openSession(ctx, tx, u.ID, kind); err != nil {
			return err
		}
		out.Principal = p
		return audit.Record(ctx, tx, p, audit.Entry{Action: "user.change_password", TargetType: "user", TargetID: u.ID, OrgID: p.OrgID,
			Detail: map[string]any{"kind": kind}})
	})
	if err != nil {
		return Session{}, app.AsError(err)
	}
	return out, nil
}

func (s *Service) openSession(ctx context.Context, tx *gorm.DB, userID int64, kind string) (Session, error) {
	token, err := NewToken()
	if err != nil {
		return Session{}, err
	}
	csrf, err := NewToken()
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	row := models.Session{TokenHash: HashToken(token), UserID: userID, Kind: kind, CSRFToken: csrf,
		ExpiresAt: now.Add(s.sessionTTL), LastSeenAt: now, CreatedAt: now}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return Session{}, fmt.Errorf("creating session: %w", err)
	}
	return Session{Token: token, CSRFToken: csrf, ExpiresAt: row.ExpiresAt}, nil
}

// Authenticate resolves a session token of the given kind to its principal.
// It returns the session's CSRF token for web sessions.
func (s *Service) Authenticate(ctx context.Context, token, kind string) (app.Principal, string, error) {
	if token == "" {
		return app.Principal{}, "", app.Errorf(app.EUnauthorized, "请先登录")
	}
	var sess models.Session
	err := s.db.WithContext(ctx).Where("token_hash = ? AND kind = ?", HashToken(token), kind).First(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return app.Principal{}, "", app.Errorf(app.EUnauthorized, "登录已失效，请重新登录")
	}
	if err != nil {
		return app.Principal{}, "", app.Internal(fmt.Errorf("reading session: %w", err))
	}
	now := s.now()
	if !sess.ExpiresAt.After(now) {
		return app.Principal{}, "", app.Errorf(app.EUnauthorized, "登录已过期，请重新登录")
	}
	var u models.User
	if err := s.db.WithContext(ctx).First(&u, sess.UserID).Error; err != nil {
		return app.Principal{}, "", app.Internal(fmt.Errorf("reading session user: %w", err))
	}
	if u.Disabled {
		return app.Principal{}, "", app.Errorf(app.EUnauthorized, "账号已停用")
	}
	p, err := s.principalOf(ctx, s.db, u)
	if err != nil {
		return app.Principal{}, "", err
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		// Sliding expiry, written at most once a minute per session.
		if err := s.db.WithContext(ctx).Model(&models.Session{}).Where("id = ?", sess.ID).
			Updates(map[string]any{"last_seen_at": now, "expires_at": now.Add(s.sessionTTL)}).Error; err != nil {
			return app.Principal{}, "", app.Internal(fmt.Errorf("touching session: %w", err))
		}
	}
	return p, sess.CSRFToken, nil
}

// Logout ends the session behind token; an unknown token is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	if err := s.db.WithContext(ctx).Where("token_hash = ?", HashToken(token)).Delete(&models.Session{}).Error; err != nil {
		return app.Internal(fmt.Errorf("deleting session: %w", err))
	}
	return nil
}

// PurgeExpired deletes sessions past their expiry (they hold no record the law keeps)
// and sign-in throttle rows that no longer matter: a failure count once its back-off
// has passed and Forget has elapsed since its last failure (it would start again at
// 1), a known address once KnownFor has elapsed since its success.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	now := s.now()
	res := s.db.WithContext(ctx).Where("expires_at < ?", now).Delete(&models.Session{})
	if res.Error != nil {
		return 0, fmt.Errorf("purging sessions: %w", res.Error)
	}
	if err := s.db.WithContext(ctx).Where("(last_success_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "+
		"AND (last_failure_at IS NULL OR last_failure_at < ?)) OR last_success_at < ?",
		now, now.Add(-s.throttle.Forget), now.Add(-s.throttle.KnownFor)).Delete(&models.LoginThrottle{}).Error; err != nil {
		return 0, fmt.Errorf("purging sign-in throttle: %w", err)
	}
	return res.RowsAffected, nil
}

func (s *Service) principalOf(ctx context.Context, db *gorm.DB, u models.User) (app.Principal, error) {
	p := app.Principal{UserID: u.ID, Username: u.Username, Role: app.Role(u.Role), MustChangePassword: u.MustChangePassword}
	if u.OrgID != nil {
		o, err := models.FindOrg(ctx, db, *u.OrgID)
		if err != nil {
			return p, app.Internal(err)
		}
		p.OrgID, p.OrgPath = o.ID, o.Path
	}
	if u.EstateID != nil {
		p.EstateID = *u.EstateID
	}
	return p, nil
}
