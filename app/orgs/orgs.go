// Package orgs manages the supervision tree (city → district → street office →
// community) and the estates under communities, and answers the one question every
// request asks: may this principal see or change this estate?
package orgs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Service is the org-tree and estate service.
type Service struct {
	db      *gorm.DB
	noShare bool // ShareEstates ignored (the benchmark's baseline)
}

// New builds the service.
func New(db *gorm.DB) *Service { return &Service{db: db} }

// parentKind is the kind of node each kind hangs under ("" = the root).
var parentKind = map[string]string{
	models.OrgCity:      "",
	models.OrgDistrict:  models.OrgCity,
	models.OrgStreet:    models.OrgDistrict,
	models.OrgCommunity: models.OrgStreet,
}

// KindLabel is the Chinese name of an org kind.
func KindLabel(kind string) string {
	switch kind {
	case models.OrgCity:
		return "市"
	case models.OrgDistrict:
		return "区"
	case models.OrgStreet:
		return "街道办事处"
	case models.OrgCommunity:
		return "社区"
	}
	return kind
}

// NewOrg is the input for creating an org node.
type NewOrg struct {
	Name     string
	Kind     string
	ParentID int64
}

func validName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
		return "", app.Invalid(field, "名称须为 1 到 100 个字符")
	}
	return name, nil
}

// CreateOrg adds a node under a parent in the principal's subtree. A city (root)
// may be created by the admin only.
func (s *Service) CreateOrg(ctx context.Context, p app.Principal, in NewOrg) (int64, error) {
	if err := access.Require(p, access.ManageOrgs); err != nil {
		return 0, err
	}
	name, err := validName("name", in.Name)
	if err != nil {
		return 0, err
	}
	want, ok := parentKind[in.Kind]
	if !ok {
		return 0, app.Invalid("kind", "机构类型须为 city、district、street 或 community")
	}
	var parent *models.Org
	if want == "" {
		if !p.IsAdmin() {
			return 0, app.Errorf(app.EForbidden, "只有平台管理员可以创建市级机构")
		}
		if in.ParentID != 0 {
			return 0, app.Invalid("parent_id", "市级机构没有上级")
		}
	} else {
		if in.ParentID == 0 {
			return 0, app.Invalid("parent_id", "请指定上级机构")
		}
		o, err := models.FindOrg(ctx, s.db, in.ParentID)
		if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !p.CoversOrgPath(o.Path)) {
			return 0, app.Invalid("parent_id", "上级机构不存在或不在您的管辖范围内")
		}
		if err != nil {
			return 0, app.Internal(err)
		}
		if o.Kind != want {
			return 0, app.Invalid("parent_id", fmt.Sprintf("%s的上级须为%s", KindLabel(in.Kind), KindLabel(want)))
		}
		parent = &o
	}
	org := models.Org{Kind: in.Kind, Name: name}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		parentPath := "/"
		if parent != nil {
			org.ParentID = &parent.ID
			parentPath = parent.Path
		}
		if err := tx.Create(&org).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Errorf(app.EConflict, "同一上级下已有名为“%s”的机构", name)
			}
			return fmt.Errorf("creating org: %w", err)
		}
		org.Path = models.ChildPath(parentPath, org.ID)
		if err := tx.Model(&org).Update("path", org.Path).Error; err != nil {
			return fmt.Errorf("setting org path: %w", err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "org.create", TargetType: "org", TargetID: org.ID, OrgID: org.ID,
			Detail: map[string]any{"name": name, "kind": in.Kind}})
	})
	if err != nil {
		return 0, app.AsError(err)
	}
	return org.ID, nil
}

// OrgNode is an org with its children, for the tree page.
type OrgNode struct {
	models.Org
	KindLabel string
	Children  []*OrgNode
	Estates   []models.EstateWithPath
	Depth     int
}

// Tree returns the principal's visible part of the tree: the admin sees all,
// staff their own node and below, a committee member nothing but its estate.
func (s *Service) Tree(ctx context.Context, p app.Principal) ([]*OrgNode, error) {
	prefix := p.OrgPath
	if p.IsAdmin() {
		prefix = ""
	}
	if p.Role == app.RoleCommittee {
		return nil, nil
	}
	orgs, err := models.OrgsUnder(ctx, s.db, prefix)
	if err != nil {
		return nil, app.Internal(err)
	}
	estates, err := models.EstatesUnder(ctx, s.db, prefix)
	if err != nil {
		return nil, app.Internal(err)
	}
	byID := map[int64]*OrgNode{}
	var roots []*OrgNode
	for _, o := range orgs { // sorted by path: parents come before children
		n := &OrgNode{Org: o, KindLabel: KindLabel(o.Kind), Depth: strings.Count(o.Path, "/") - 2}
		byID[o.ID] = n
		if o.ParentID != nil && byID[*o.ParentID] != nil {
			parent := byID[*o.ParentID]
			parent.Children = append(parent.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	for _, e := range estates {
		if n := byID[e.CommunityID]; n != nil {
			n.Estates = append(n.Estates, e)
		}
	}
	return roots, nil
}

// Flatten lists the nodes of a tree depth-first, for selects and tables.
func Flatten(roots []*OrgNode) []*OrgNode {
	var out []*OrgNode
	var walk func([]*OrgNode)
	walk = func(ns []*OrgNode) {
		for _, n := range ns {
			out = append(out, n)
			walk(n.Children)
		}
	}
	walk(roots)
	return out
}

// NewEstate is the input for creating an estate.
type NewEstate struct {
	Name        string
	CommunityID int64
	ProfileCode string
	Address     string
}

// CreateEstate adds an estate under a community in the principal's subtree.
func (s *Service) CreateEstate(ctx context.Context, p app.Principal, in NewEstate) (int64, error) {
	if err := access.Require(p, access.ManageEstates); err != nil {
		return 0, err
	}
	name, err := validName("name", in.Name)
	if err != nil {
		return 0, err
	}
	if in.ProfileCode == "" {
		in.ProfileCode = rules.DefaultProfileCode
	}
	if _, ok := rules.ProfileByCode(in.ProfileCode); !ok {
		return 0, app.Invalid("jurisdiction_profile", "未知的地方规则："+in.ProfileCode)
	}
	if in.CommunityID == 0 {
		return 0, app.Invalid("community_id", "请指定所属社区")
	}
	c, err := models.FindOrg(ctx, s.db, in.CommunityID)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !p.CoversOrgPath(c.Path)) {
		return 0, app.Invalid("community_id", "社区不存在或不在您的管辖范围内")
	}
	if err != nil {
		return 0, app.Internal(err)
	}
	if c.Kind != models.OrgCommunity {
		return 0, app.Invalid("community_id", "小区须属于社区")
	}
	e := models.Estate{CommunityID: c.ID, Name: name, Address: strings.TrimSpace(in.Address), ProfileCode: in.ProfileCode}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&e).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Errorf(app.EConflict, "该社区下已有名为“%s”的小区", name)
			}
			return fmt.Errorf("creating estate: %w", err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "estate.create", TargetType: "estate", TargetID: e.ID, OrgID: c.ID, EstateID: e.ID,
			Detail: map[string]any{"name": name, "profile": in.ProfileCode}})
	})
	if err != nil {
		return 0, app.AsError(err)
	}
	return e.ID, nil
}

// ListEstates lists the estates the principal may see.
func (s *Service) ListEstates(ctx context.Context, p app.Principal) ([]models.EstateWithPath, error) {
	if p.Role == app.RoleCommittee {
		if p.EstateID == 0 {
			return nil, nil
		}
		e, err := models.FindEstate(ctx, s.db, p.EstateID)
		if err != nil {
			return nil, app.Internal(err)
		}
		return []models.EstateWithPath{e}, nil
	}
	prefix := p.OrgPath
	if p.IsAdmin() {
		prefix = ""
	} else if prefix == "" {
		return nil, nil
	}
	list, err := s.estatesUnder(ctx, prefix)
	if err != nil {
		return nil, app.Internal(err)
	}
	return list, nil
}

// CanSee tells whether the principal's jurisdiction covers the estate.
func CanSee(p app.Principal, e models.EstateWithPath) bool {
	if p.Role == app.RoleCommittee {
		return p.EstateID == e.ID
	}
	return p.CoversOrgPath(e.CommunityPath)
}

// Estate loads an estate the principal may see; outside its jurisdiction the
// estate does not exist for it (not_found, so existence does not leak).
func (s *Service) Estate(ctx context.Context, p app.Principal, id int64) (models.EstateWithPath, error) {
	e, err := models.FindEstate(ctx, s.db, id)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !CanSee(p, e)) {
		return e, app.Errorf(app.ENotFound, "小区不存在")
	}
	if err != nil {
		return e, app.Internal(err)
	}
	return e, nil
}

// EstateForChange loads an estate the principal may change: visible, and a role
// that writes (auditors only read).
func (s *Service) EstateForChange(ctx context.Context, p app.Principal, id int64) (models.EstateWithPath, error) {
	e, err := s.Estate(ctx, p, id)
	if err != nil {
		return e, err
	}
	if !p.CanWrite() {
		return e, app.Errorf(app.EForbidden, "审计员只能查看，不能修改")
	}
	return e, nil
}

// Permissions tell the pages which org, estate and account forms to show, from the
// policy every use case checks again (app/access).
type Permissions struct {
	CreateOrgs    bool
	CreateEstates bool
	ManageUsers   bool
}

// Permissions computes what p may do with the org tree (in its jurisdiction).
func (s *Service) Permissions(p app.Principal) Permissions {
	return Permissions{CreateOrgs: access.Can(p, access.ManageOrgs), CreateEstates: access.Can(p, access.ManageEstates),
		ManageUsers: access.Can(p, access.ManageUsers)}
}
