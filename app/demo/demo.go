// Package demo seeds an empty database with a demo city, district, street office,
// community and estate (with the small fixture roster) and one account per role,
// so `go run .` shows a working product on first start.
package demo

import (
	"context"
	_ "embed"
	"fmt"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/auth"
	"gongzhi/app/orgs"
	"gongzhi/app/services"
	"gongzhi/models"
)

//go:embed roster-small.csv
var rosterCSV []byte

// RosterCSV is the demo estate's roster (the small fixture roster).
func RosterCSV() []byte { return append([]byte(nil), rosterCSV...) }

// Account is a demo login and the org node it belongs to.
type Account struct {
	Username, Password string
	Role               app.Role
	org                string // key of the demo org node
	estate             bool   // bound to the demo estate (committee)
}

// Accounts lists the demo logins, one per role (two street offices).
func Accounts() []Account {
	return []Account{
		{Username: "district", Password: "Demo2026district", Role: app.RoleDistrict, org: "district"},
		{Username: "street", Password: "Demo2026street", Role: app.RoleStreet, org: "street"},
		{Username: "street2", Password: "Demo2026street2", Role: app.RoleStreet, org: "street2"},
		{Username: "community", Password: "Demo2026community", Role: app.RoleCommunity, org: "community"},
		{Username: "committee", Password: "Demo2026committee", Role: app.RoleCommittee, org: "community", estate: true},
		{Username: "auditor", Password: "Demo2026auditor", Role: app.RoleAuditor, org: "street"},
	}
}

// Result says what was seeded.
type Result struct {
	Seeded   bool
	EstateID int64
	Accounts []Account
}

// Seed fills an empty database (no org yet) with the demo data. It does nothing
// when any org exists, so real data is never touched.
func Seed(ctx context.Context, db *gorm.DB, svc *services.Set) (Result, error) {
	authSvc, orgSvc := svc.Auth, svc.Orgs
	var n int64
	if err := db.WithContext(ctx).Model(&models.Org{}).Count(&n).Error; err != nil {
		return Result{}, fmt.Errorf("checking for data: %w", err)
	}
	if n > 0 {
		return Result{}, nil
	}
	system := app.Principal{Username: "demo-seed", Role: app.RoleAdmin}
	city, err := orgSvc.CreateOrg(ctx, system, orgs.NewOrg{Name: "示范市", Kind: models.OrgCity})
	if err != nil {
		return Result{}, fmt.Errorf("demo city: %w", err)
	}
	district, err := orgSvc.CreateOrg(ctx, system, orgs.NewOrg{Name: "示范区", Kind: models.OrgDistrict, ParentID: city})
	if err != nil {
		return Result{}, fmt.Errorf("demo district: %w", err)
	}
	street, err := orgSvc.CreateOrg(ctx, system, orgs.NewOrg{Name: "幸福街道办事处", Kind: models.OrgStreet, ParentID: district})
	if err != nil {
		return Result{}, fmt.Errorf("demo street: %w", err)
	}
	community, err := orgSvc.CreateOrg(ctx, system, orgs.NewOrg{Name: "和谐社区", Kind: models.OrgCommunity, ParentID: street})
	if err != nil {
		return Result{}, fmt.Errorf("demo community: %w", err)
	}
	// A second street with its own estate shows that jurisdictions do not mix.
	otherStreet, err := orgSvc.CreateOrg(ctx, system, orgs.NewOrg{Name: "光明街道办事处", Kind: models.OrgStreet, ParentID: district})
	if err != nil {
		return Result{}, fmt.Errorf("demo street 2: %w", err)
	}
	otherCommunity, err := orgSvc.CreateOrg(ctx, system, orgs.NewOrg{Name: "光明社区", Kind: models.OrgCommunity, ParentID: otherStreet})
	if err != nil {
		return Result{}, fmt.Errorf("demo community 2: %w", err)
	}
	estate, err := orgSvc.CreateEstate(ctx, system, orgs.NewEstate{Name: "阳光花园", CommunityID: community, ProfileCode: "national", Address: "示范区幸福路 88 号"})
	if err != nil {
		return Result{}, fmt.Errorf("demo estate: %w", err)
	}
	if _, err := orgSvc.CreateEstate(ctx, system, orgs.NewEstate{Name: "光明家园", CommunityID: otherCommunity, ProfileCode: "beijing"}); err != nil {
		return Result{}, fmt.Errorf("demo estate 2: %w", err)
	}
	nodes := map[string]int64{"district": district, "street": street, "street2": otherStreet, "community": community}
	res := Result{Seeded: true, EstateID: estate}
	for _, a := range Accounts() {
		in := auth.NewUser{Username: a.Username, Password: a.Password, Role: a.Role, OrgID: nodes[a.org],
			DisplayName: a.Role.Label() + "（演示）"}
		if a.estate {
			in.EstateID = estate
		}
		if _, err := authSvc.SeedDemoUser(ctx, in); err != nil {
			return Result{}, fmt.Errorf("demo account %s: %w", a.Username, err)
		}
		res.Accounts = append(res.Accounts, a)
	}
	if _, err := svc.Roster.Import(ctx, system, estate, "roster-small.csv", RosterCSV()); err != nil {
		return Result{}, fmt.Errorf("demo roster: %w", err)
	}
	return res, nil
}
