// Package auth signs staff in and out: bcrypt passwords, lockout after repeated
// failures, server-side sessions and API tokens stored (hashed) in the database so
// that several server instances can share them, and staff account management within
// the creator's jurisdiction.
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
	"gongzhi/models"
)

// Session kinds.
const (
	KindWeb = "web"
	KindAPI = "api"
)

// Lockout policy: this many consecutive failures lock the account for LockFor.
const (
	MaxFailedLogins = 5
	LockFor         = 15 * time.Minute
)

// Service is the sign-in and account service.
type Service struct {
	db         *gorm.DB
	sessionTTL time.Duration
	bcryptCost int
	dummyHash  []byte // compared against for unknown usernames, so timing does not tell
	now        func() time.Time
}

// New builds the service. bcryptCost 0 means bcrypt.DefaultCost.
func New(db *gorm.DB, sessionTTL time.Duration, bcryptCost int) *Service {
	if bcryptCost == 0 {
		bcryptCost = bcrypt.DefaultCost
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("no such user"), bcryptCost)
	if err != nil {
		dummy = nil // only weakens the timing cover; CompareHashAndPassword still fails
	}
	return &Service{db: db, sessionTTL: sessionTTL, bcryptCost: bcryptCost, dummyHash: dummy, now: func() time.Time { return time.Now().UTC() }}
}

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

var errBadLogin = app.Errorf(app.EUnauthorized, "用户名或密码错误")

// Login checks the password and opens a session of the given kind. Wrong passwords
// count towards a lockout; a locked or disabled account cannot sign in.
func (s *Service) Login(ctx context.Context, username, password, kind string) (Session, error) {
	username = strings.TrimSpace(username)
	if username == "" || password == "" {
		return Session{}, &app.Error{Code: app.EInvalid, Message: "请输入用户名和密码",
			Details: []app.Detail{{Field: "username", Message: "必填"}, {Field: "password", Message: "必填"}}}
	}
	u, err := models.FindUserByUsername(ctx, s.db, username)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Spend the same time as a real check so usernames cannot be probed by timing.
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		return Session{}, errBadLogin
	}
	if err != nil {
		return Session{}, app.Internal(err)
	}
	now := s.now()
	if u.Disabled {
		return Session{}, app.Errorf(app.EUnauthorized, "账号已停用，请联系管理员")
	}
	if u.LockedUntil != nil && u.LockedUntil.After(now) {
		return Session{}, app.Errorf(app.EUnauthorized, "连续登录失败次数过多，账号已锁定至 %s", u.LockedUntil.In(shanghai()).Format("15:04"))
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		fails := u.FailedLogins + 1
		updates := map[string]any{"failed_logins": fails}
		if fails >= MaxFailedLogins {
			until := now.Add(LockFor)
			updates["locked_until"] = until
			updates["failed_logins"] = 0
		}
		if err := s.db.WithContext(ctx).Model(&models.User{}).Where("id = ?", u.ID).Updates(updates).Error; err != nil {
			return Session{}, app.Internal(fmt.Errorf("recording failed login: %w", err))
		}
		return Session{}, errBadLogin
	}
	p, err := s.principalOf(ctx, s.db, u)
	if err != nil {
		return Session{}, err
	}
	var out Session
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.User{}).Where("id = ?", u.ID).
			Updates(map[string]any{"failed_logins": 0, "locked_until": nil, "last_login_at": now}).Error; err != nil {
			return fmt.Errorf("recording login: %w", err)
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

// PurgeExpired deletes sessions past their expiry (they hold no record the law keeps).
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at < ?", s.now()).Delete(&models.Session{})
	if res.Error != nil {
		return 0, fmt.Errorf("purging sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}

func (s *Service) principalOf(ctx context.Context, db *gorm.DB, u models.User) (app.Principal, error) {
	p := app.Principal{UserID: u.ID, Username: u.Username, Role: app.Role(u.Role)}
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

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}
