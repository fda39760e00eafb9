// Package api serves the JSON API under /api/v1 (API.md): bearer-token auth,
// orgs, users and estates, and each capability's endpoints. Handlers are thin:
// bind, validate, call one service, shape the reply.
package api

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/auth"
	"gongzhi/app/orgs"
	"gongzhi/app/rules"
	"gongzhi/handlers/httpx"
)

// Handlers holds the services the JSON API calls.
type Handlers struct {
	Auth     *auth.Service
	Orgs     *orgs.Service
	Validate *httpx.Validator
	Proxies  httpx.Proxies // TRUSTED_PROXIES: the sign-in back-off counts the client behind them
}

// RequireToken authenticates the bearer token of an API request.
func (h *Handlers) RequireToken(c *fiber.Ctx) error {
	header := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="api"`)
		return app.Fail(app.EUnauthorized, "err.api.missing_bearer_token")
	}
	p, _, err := h.Auth.Authenticate(httpx.Ctx(c), strings.TrimSpace(token), auth.KindAPI)
	if err != nil {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="api", error="invalid_token"`)
		return err
	}
	if p.MustChangePassword {
		return app.Fail(app.EPasswordChange, "err.api.api_v1_auth_password")
	}
	c.Locals(httpx.LocalPrincipal, p)
	return c.Next()
}

// PathID reads a positive integer path parameter or fails with not_found.
func PathID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, app.Fail(app.ENotFound, "err.api.not_found")
	}
	return id, nil
}

type tokenRequest struct {
	Username string `json:"username" validate:"required,max=64"`
	Password string `json:"password" validate:"required,max=72"`
}

// Token exchanges a username and password for a bearer token. Every failed attempt
// gets the same 401; repeated failures get 429 with Retry-After; an account whose
// password was reset by someone else gets 403 password_change_required.
func (h *Handlers) Token(c *fiber.Ctx) error {
	var req tokenRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	s, err := h.Auth.Login(httpx.Ctx(c), auth.Credentials{Username: req.Username, Password: req.Password, Address: httpx.LimitKey(h.Proxies.ClientAddr(c))}, auth.KindAPI)
	if err != nil {
		setRetryAfter(c, err)
		return err
	}
	return tokenReply(c, s)
}

func tokenReply(c *fiber.Ctx, s auth.Session) error {
	return c.JSON(fiber.Map{"token": s.Token, "token_type": "Bearer", "expires_at": s.ExpiresAt,
		"user": fiber.Map{"id": s.Principal.UserID, "username": s.Principal.Username, "role": s.Principal.Role, "org_id": s.Principal.OrgID}})
}

// setRetryAfter tells a throttled client when to try again.
func setRetryAfter(c *fiber.Ctx, err error) {
	if secs, ok := auth.RetryAfter(err); ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	}
}

type passwordChangeRequest struct {
	Username        string `json:"username" validate:"required,max=64"`
	CurrentPassword string `json:"current_password" validate:"required,max=72"`
	NewPassword     string `json:"new_password" validate:"required,max=72"`
}

// ChangePassword sets the caller's own password, proven by the current one (no
// token needed, so an account told to change its password can). Every token of the
// account ends; the reply is a new token, as from Token.
func (h *Handlers) ChangePassword(c *fiber.Ctx) error {
	var req passwordChangeRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	s, err := h.Auth.ChangePassword(httpx.Ctx(c), auth.PasswordChange{
		Credentials: auth.Credentials{Username: req.Username, Password: req.CurrentPassword, Address: httpx.LimitKey(h.Proxies.ClientAddr(c))},
		NewPassword: req.NewPassword}, auth.KindAPI)
	if err != nil {
		setRetryAfter(c, err)
		return err
	}
	return tokenReply(c, s)
}

// RevokeToken ends the caller's bearer token.
func (h *Handlers) RevokeToken(c *fiber.Ctx) error {
	token, _ := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if err := h.Auth.Logout(httpx.Ctx(c), strings.TrimSpace(token)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// Me describes the caller.
func (h *Handlers) Me(c *fiber.Ctx) error {
	p := httpx.MustPrincipal(c)
	return c.JSON(fiber.Map{"id": p.UserID, "username": p.Username, "role": p.Role, "org_id": p.OrgID, "estate_id": p.EstateID})
}

type orgRequest struct {
	Name     string `json:"name" validate:"required,max=100"`
	Kind     string `json:"kind" validate:"required,oneof=city district street community"`
	ParentID int64  `json:"parent_id" validate:"gte=0"`
}

// CreateOrg adds an org node.
func (h *Handlers) CreateOrg(c *fiber.Ctx) error {
	var req orgRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	id, err := h.Orgs.CreateOrg(httpx.Ctx(c), httpx.MustPrincipal(c), orgs.NewOrg{Name: req.Name, Kind: req.Kind, ParentID: req.ParentID})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id})
}

type orgJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	ParentID *int64 `json:"parent_id"`
	Path     string `json:"path"`
}

// ListOrgs lists the org nodes the caller may see.
func (h *Handlers) ListOrgs(c *fiber.Ctx) error {
	tree, err := h.Orgs.Tree(httpx.Ctx(c), httpx.MustPrincipal(c))
	if err != nil {
		return err
	}
	out := []orgJSON{}
	for _, n := range orgs.Flatten(tree) {
		out = append(out, orgJSON{ID: n.ID, Name: n.Name, Kind: n.Kind, ParentID: n.ParentID, Path: n.Path})
	}
	return c.JSON(out)
}

type userRequest struct {
	Username    string `json:"username" validate:"required,min=3,max=64"`
	Password    string `json:"password" validate:"required,max=72"`
	Role        string `json:"role" validate:"required,oneof=admin district street community committee auditor"`
	OrgID       int64  `json:"org_id" validate:"gte=0"`
	EstateID    int64  `json:"estate_id" validate:"gte=0"`
	DisplayName string `json:"display_name" validate:"max=100"`
}

// CreateUser adds a staff account.
func (h *Handlers) CreateUser(c *fiber.Ctx) error {
	var req userRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	id, err := h.Auth.CreateUser(httpx.Ctx(c), httpx.MustPrincipal(c), auth.NewUser{Username: req.Username, Password: req.Password,
		Role: app.Role(req.Role), OrgID: req.OrgID, EstateID: req.EstateID, DisplayName: req.DisplayName})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id})
}

// ListUsers lists the staff accounts in the caller's subtree.
func (h *Handlers) ListUsers(c *fiber.Ctx) error {
	list, err := h.Auth.ListUsers(httpx.Ctx(c), httpx.MustPrincipal(c))
	if err != nil {
		return err
	}
	out := make([]fiber.Map, 0, len(list))
	for _, u := range list {
		out = append(out, fiber.Map{"id": u.ID, "username": u.Username, "display_name": u.DisplayName, "role": u.Role,
			"org_id": u.OrgID, "estate_id": u.EstateID, "disabled": u.Disabled, "must_change_password": u.MustChangePassword})
	}
	return c.JSON(out)
}

// resetPasswordRequest's password is checked by the service, after it has decided
// whether the caller may manage the account at all (403 before 422).
type resetPasswordRequest struct {
	Password string `json:"password"`
}

// ResetUserPassword sets a new password for an account the caller manages; the
// account must change it at its next sign-in.
func (h *Handlers) ResetUserPassword(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req resetPasswordRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	if err := h.Auth.ResetPassword(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// SetUserDisabled disables or re-enables an account the caller manages.
func (h *Handlers) SetUserDisabled(disabled bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := PathID(c, "id")
		if err != nil {
			return err
		}
		if err := h.Auth.SetDisabled(httpx.Ctx(c), httpx.MustPrincipal(c), id, disabled); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

type estateRequest struct {
	Name                string `json:"name" validate:"required,max=100"`
	CommunityID         int64  `json:"community_id" validate:"required,gt=0"`
	JurisdictionProfile string `json:"jurisdiction_profile" validate:"max=32"`
	Address             string `json:"address" validate:"max=200"`
}

// CreateEstate adds an estate under a community.
func (h *Handlers) CreateEstate(c *fiber.Ctx) error {
	var req estateRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	id, err := h.Orgs.CreateEstate(httpx.Ctx(c), httpx.MustPrincipal(c), orgs.NewEstate{Name: req.Name, CommunityID: req.CommunityID,
		ProfileCode: req.JurisdictionProfile, Address: req.Address})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id})
}

type estateJSON struct {
	ID                  int64  `json:"id"`
	Name                string `json:"name"`
	CommunityID         int64  `json:"community_id"`
	CommunityName       string `json:"community_name"`
	JurisdictionProfile string `json:"jurisdiction_profile"`
	Address             string `json:"address"`
}

// ListEstates lists the estates the caller may see.
func (h *Handlers) ListEstates(c *fiber.Ctx) error {
	list, err := h.Orgs.ListEstates(httpx.Ctx(c), httpx.MustPrincipal(c))
	if err != nil {
		return err
	}
	out := make([]estateJSON, 0, len(list))
	for _, e := range list {
		out = append(out, estateJSON{ID: e.ID, Name: e.Name, CommunityID: e.CommunityID, CommunityName: e.CommunityName,
			JurisdictionProfile: e.ProfileCode, Address: e.Address})
	}
	return c.JSON(out)
}

// GetEstate returns one estate in the caller's jurisdiction.
func (h *Handlers) GetEstate(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	e, err := h.Orgs.Estate(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(estateJSON{ID: e.ID, Name: e.Name, CommunityID: e.CommunityID, CommunityName: e.CommunityName,
		JurisdictionProfile: e.ProfileCode, Address: e.Address})
}

// Profiles lists the shipped jurisdiction profiles.
func (h *Handlers) Profiles(c *fiber.Ctx) error {
	return c.JSON(rules.Profiles())
}
