package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/models"
)

// NewUser is the input for creating a staff account.
type NewUser struct {
	Username    string
	Password    string
	DisplayName string
	Role        app.Role
	OrgID       int64
	EstateID    int64 // required for the committee role
}

// roleRank orders roles by reach; a creator may create roles of lower rank only
// (the admin may create any role).
func roleRank(r app.Role) int {
	switch r {
	case app.RoleAdmin:
		return 5
	case app.RoleDistrict:
		return 4
	case app.RoleStreet:
		return 3
	case app.RoleCommunity:
		return 2
	case app.RoleCommittee, app.RoleAuditor:
		return 1
	}
	return 0
}

// orgKindFor is the kind of org node each role is bound to ("" = any).
func orgKindFor(r app.Role) []string {
	switch r {
	case app.RoleDistrict:
		return []string{models.OrgDistrict}
	case app.RoleStreet:
		return []string{models.OrgStreet}
	case app.RoleCommunity, app.RoleCommittee:
		return []string{models.OrgCommunity}
	case app.RoleAuditor:
		return []string{models.OrgCity, models.OrgDistrict, models.OrgStreet, models.OrgCommunity}
	}
	return nil
}

// HashPassword hashes a password with bcrypt at the service's cost.
func (s *Service) HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), s.bcryptCost)
	if err != nil {
		return "", fmt.Errorf("hashing password: %w", err)
	}
	return string(h), nil
}

func validateUsername(name string) error {
	if l := utf8.RuneCountInString(name); l < 3 || l > 64 {
		return app.Invalid("username", "用户名长度须为 3 到 64 个字符")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return app.Invalid("username", "用户名只能包含字母、数字和 . _ -")
		}
	}
	return nil
}

// CreateUser creates a staff account bound to an org node in the creator's subtree,
// with a role below the creator's (the admin may create any role). An auditor's
// account is created only from above the org it audits (see mayManage).
func (s *Service) CreateUser(ctx context.Context, p app.Principal, in NewUser) (int64, error) {
	return s.createUser(ctx, p, in, true)
}

// SeedDemoUser creates a demo account for app/demo as the platform administrator
// would, without the password policy: demo passwords are printed on the sign-in
// page, so no policy could make them secret. Never call it with a request's input.
func (s *Service) SeedDemoUser(ctx context.Context, in NewUser) (int64, error) {
	return s.createUser(ctx, app.Principal{Username: "demo-seed", Role: app.RoleAdmin}, in, false)
}

func (s *Service) createUser(ctx context.Context, p app.Principal, in NewUser, policy bool) (int64, error) {
	if err := access.Require(p, access.ManageUsers); err != nil {
		return 0, err
	}
	in.Username = strings.TrimSpace(in.Username)
	if err := validateUsername(in.Username); err != nil {
		return 0, err
	}
	if !in.Role.Valid() {
		return 0, app.Invalid("role", "未知的角色："+string(in.Role))
	}
	if !rankAllows(p, in.Role) {
		return 0, app.Errorf(app.EForbidden, "无权创建角色为“%s”的账号", in.Role.Label())
	}
	if policy {
		if err := ValidatePassword("password", in.Username, in.Password); err != nil {
			return 0, err
		}
	}
	var orgID, estateID *int64
	if in.Role != app.RoleAdmin {
		if in.OrgID == 0 {
			return 0, app.Invalid("org_id", "请选择所属机构")
		}
		o, err := models.FindOrg(ctx, s.db, in.OrgID)
		if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !p.CoversOrgPath(o.Path)) {
			return 0, app.Invalid("org_id", "机构不存在或不在您的管辖范围内")
		}
		if err != nil {
			return 0, app.Internal(err)
		}
		if allowed, _ := mayManage(p, in.Role, &o.ID, o.Path); !allowed {
			return 0, errAuditorFromAbove
		}
		if kinds := orgKindFor(in.Role); !contains(kinds, o.Kind) {
			return 0, app.Invalid("org_id", fmt.Sprintf("角色“%s”须属于%s类机构", in.Role.Label(), strings.Join(kinds, "/")))
		}
		orgID = &o.ID
		if in.Role == app.RoleCommittee {
			if in.EstateID == 0 {
				return 0, app.Invalid("estate_id", "业主委员会账号须指定小区")
			}
			e, err := models.FindEstate(ctx, s.db, in.EstateID)
			if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && e.CommunityID != o.ID) {
				return 0, app.Invalid("estate_id", "小区不存在或不属于该社区")
			}
			if err != nil {
				return 0, app.Internal(err)
			}
			estateID = &e.ID
		}
	}
	hash, err := s.HashPassword(in.Password)
	if err != nil {
		return 0, app.Internal(err)
	}
	u := models.User{Username: in.Username, DisplayName: strings.TrimSpace(in.DisplayName), PasswordHash: hash,
		Role: string(in.Role), OrgID: orgID, EstateID: estateID}
	taken := app.Errorf(app.EConflict, "用户名“%s”已被使用", in.Username)
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		// A username is one account whatever its case, as MariaDB's collation and the
		// sign-in back-off have it; SQLite's unique index alone would take "Clerk"
		// beside "clerk" (usernames are ASCII, so LOWER is exact on both databases).
		var same int64
		if err := tx.Model(&models.User{}).Where("LOWER(username) = LOWER(?)", in.Username).Count(&same).Error; err != nil {
			return fmt.Errorf("checking username: %w", err)
		}
		if same > 0 {
			return taken
		}
		if err := tx.Create(&u).Error; err != nil {
			if database.IsDuplicate(err) {
				return taken
			}
			return fmt.Errorf("creating user: %w", err)
		}
		var org int64
		if orgID != nil {
			org = *orgID
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "user.create", TargetType: "user", TargetID: u.ID, OrgID: org,
			Detail: map[string]any{"username": u.Username, "role": u.Role}})
	})
	if err != nil {
		return 0, app.AsError(err)
	}
	return u.ID, nil
}

// ListUsers lists the accounts in the principal's subtree.
func (s *Service) ListUsers(ctx context.Context, p app.Principal) ([]models.UserWithOrg, error) {
	if p.Role == app.RoleCommittee || p.Role == app.RoleAuditor {
		return nil, app.Errorf(app.EForbidden, "无权查看账号列表")
	}
	prefix := p.OrgPath
	if p.IsAdmin() {
		prefix = ""
	}
	list, err := models.UsersUnder(ctx, s.db, prefix)
	if err != nil {
		return nil, app.Internal(err)
	}
	return list, nil
}

// SetDisabled disables or re-enables an account in the principal's subtree and ends its sessions.
func (s *Service) SetDisabled(ctx context.Context, p app.Principal, userID int64, disabled bool) error {
	u, err := s.userInScope(ctx, p, userID)
	if err != nil {
		return err
	}
	if u.ID == p.UserID {
		return app.Errorf(app.EConflict, "不能停用自己的账号")
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Model(&models.User{}).Where("id = ?", u.ID).Update("disabled", disabled).Error; err != nil {
			return fmt.Errorf("updating user: %w", err)
		}
		if disabled {
			if err := tx.Where("user_id = ?", u.ID).Delete(&models.Session{}).Error; err != nil {
				return fmt.Errorf("ending sessions: %w", err)
			}
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: action, TargetType: "user", TargetID: u.ID, OrgID: deref(u.OrgID)})
	})
	if err != nil {
		return app.AsError(err)
	}
	return nil
}

// ResetPassword sets a new password for an account the principal manages, ends its
// sessions and clears its sign-in back-off. The account must change the password at
// its next sign-in (someone else knows it), unless the principal reset its own.
func (s *Service) ResetPassword(ctx context.Context, p app.Principal, userID int64, password string) error {
	u, err := s.userInScope(ctx, p, userID)
	if err != nil {
		return err
	}
	if err := ValidatePassword("password", u.Username, password); err != nil {
		return err
	}
	hash, err := s.HashPassword(password)
	if err != nil {
		return app.Internal(err)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Model(&models.User{}).Where("id = ?", u.ID).
			Updates(map[string]any{"password_hash": hash, "must_change_password": u.ID != p.UserID}).Error; err != nil {
			return fmt.Errorf("updating password: %w", err)
		}
		if err := tx.Where("key_hash = ?", s.keysFor(u.Username, "").account).Delete(&models.LoginThrottle{}).Error; err != nil {
			return fmt.Errorf("clearing sign-in back-off: %w", err)
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&models.Session{}).Error; err != nil {
			return fmt.Errorf("ending sessions: %w", err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "user.reset_password", TargetType: "user", TargetID: u.ID, OrgID: deref(u.OrgID)})
	})
	if err != nil {
		return app.AsError(err)
	}
	return nil
}

// userInScope loads an account the principal may manage: not found when it lies
// outside the principal's reach, forbidden when the principal sees it but may not
// manage it because it is the auditor of the principal's own org.
func (s *Service) userInScope(ctx context.Context, p app.Principal, userID int64) (models.User, error) {
	var u models.User
	if err := access.Require(p, access.ManageUsers); err != nil {
		return u, err
	}
	if err := s.db.WithContext(ctx).First(&u, userID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return u, app.Errorf(app.ENotFound, "账号不存在")
		}
		return u, app.Internal(err)
	}
	if p.IsAdmin() {
		return u, nil
	}
	if u.OrgID == nil {
		return u, app.Errorf(app.ENotFound, "账号不存在")
	}
	o, err := models.FindOrg(ctx, s.db, *u.OrgID)
	if err != nil {
		return u, app.Internal(err)
	}
	allowed, visible := mayManage(p, app.Role(u.Role), u.OrgID, o.Path)
	switch {
	case allowed:
		return u, nil
	case visible && app.Role(u.Role) == app.RoleAuditor && o.ID == p.OrgID && rankAllows(p, app.RoleAuditor):
		return u, errAuditorFromAbove
	}
	return u, app.Errorf(app.ENotFound, "账号不存在")
}

// errAuditorFromAbove refuses the audited org's own staff the auditor's account.
var errAuditorFromAbove = app.Errorf(app.EForbidden, "审计员账号只能由被审计机构的上级机构或平台管理员创建和管理")

// rankAllows tells whether p's role reaches accounts of role r at all.
func rankAllows(p app.Principal, r app.Role) bool {
	return p.IsAdmin() || (p.CanWrite() && p.Role != app.RoleCommittee && roleRank(r) < roleRank(p.Role))
}

// mayManage decides who creates, resets, disables and enables an account of role r
// bound to the org (orgID, orgPath): the platform admin any; other staff accounts of
// a lower role in their subtree — except an auditor's account, which only staff of an
// org above the audited org may manage (the audited office must not be able to take
// its auditor's place). visible tells whether the account lies in p's subtree.
func mayManage(p app.Principal, r app.Role, orgID *int64, orgPath string) (allowed, visible bool) {
	if p.IsAdmin() {
		return true, true
	}
	if orgID == nil || !p.CoversOrgPath(orgPath) {
		return false, false
	}
	if !rankAllows(p, r) {
		return false, true
	}
	if r == app.RoleAuditor && *orgID == p.OrgID {
		return false, true
	}
	return true, true
}

// CanManage tells whether p may reset, disable or enable the listed account (for
// the accounts page); an account never manages itself there.
func CanManage(p app.Principal, u models.UserWithOrg) bool {
	if u.ID == p.UserID {
		return false
	}
	allowed, _ := mayManage(p, app.Role(u.Role), u.OrgID, u.OrgPath)
	return allowed
}

// EnsureAdmin creates the platform administrator when no account of that name
// exists. With an empty password it generates one and returns it, to be printed once;
// a given password (ADMIN_PASSWORD) must meet the password policy like any other,
// or nothing is created and the error names ADMIN_PASSWORD.
func (s *Service) EnsureAdmin(ctx context.Context, username, password string) (created bool, generated string, err error) {
	_, err = models.FindUserByUsername(ctx, s.db, username)
	if err == nil {
		return false, "", nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return false, "", fmt.Errorf("looking up admin: %w", err)
	}
	if password == "" {
		// Generated until it also passes the check against the username.
		for password == "" || ValidatePassword("password", username, password) != nil {
			if password, err = GeneratePassword(); err != nil {
				return false, "", err
			}
		}
		generated = password
	} else if err := ValidatePassword("ADMIN_PASSWORD", username, password); err != nil {
		return false, "", fmt.Errorf("ADMIN_PASSWORD does not meet the password policy (docs/accounts.md), the admin was not created: %w", err)
	}
	hash, err := s.HashPassword(password)
	if err != nil {
		return false, "", err
	}
	u := models.User{Username: username, DisplayName: "平台管理员", PasswordHash: hash, Role: string(app.RoleAdmin)}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&u).Error; err != nil {
			return fmt.Errorf("creating admin: %w", err)
		}
		return audit.Record(ctx, tx, app.Principal{Username: "system"}, audit.Entry{Action: "user.create_admin", TargetType: "user", TargetID: u.ID})
	})
	if err != nil {
		return false, "", err
	}
	return true, generated, nil
}

// GeneratePassword returns a random 16-character password of letters and digits
// that meets the password policy.
func GeneratePassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for {
		b := make([]byte, 16)
		for i := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
			if err != nil {
				return "", fmt.Errorf("generating password: %w", err)
			}
			b[i] = alphabet[n.Int64()]
		}
		if ValidatePassword("password", "", string(b)) == nil {
			return string(b), nil
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// CanCreateRole tells whether p may create accounts of role r (for forms). Community
// staff have no org below their own, so no auditor's account to create.
func CanCreateRole(p app.Principal, r app.Role) bool {
	if r == app.RoleAuditor && p.Role == app.RoleCommunity {
		return false
	}
	return rankAllows(p, r)
}
