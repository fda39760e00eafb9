package orgs_test

import (
	"context"
	"slices"
	"testing"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/orgs"
	"gongzhi/models"
)

// pageTree is a city with one district, two streets, a community under each and an
// estate in each community, all created by the admin (so each has an audit entry).
type pageTree struct {
	streetA, streetB models.Org
	estateA, estateB int64
}

func buildPageTree(t *testing.T, ctx context.Context, db dbtest.DB, s *orgs.Service) pageTree {
	t.Helper()
	admin := app.Principal{Username: "admin", Role: app.RoleAdmin}
	must := func(id int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	city := must(s.CreateOrg(ctx, admin, orgs.NewOrg{Name: "市", Kind: models.OrgCity}))
	district := must(s.CreateOrg(ctx, admin, orgs.NewOrg{Name: "区", Kind: models.OrgDistrict, ParentID: city}))
	var tr pageTree
	for i, name := range []string{"甲街道", "乙街道"} {
		street := must(s.CreateOrg(ctx, admin, orgs.NewOrg{Name: name, Kind: models.OrgStreet, ParentID: district}))
		community := must(s.CreateOrg(ctx, admin, orgs.NewOrg{Name: name + "社区", Kind: models.OrgCommunity, ParentID: street}))
		estate := must(s.CreateEstate(ctx, admin, orgs.NewEstate{Name: name + "小区", CommunityID: community, ProfileCode: "national"}))
		o, err := models.FindOrg(ctx, db.DB, street)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			tr.streetA, tr.estateA = o, estate
		} else {
			tr.streetB, tr.estateB = o, estate
		}
	}
	return tr
}

// TestJurisdictionReads: on one tree (migrations are the slow part), the audit log
// shows each account the entries of its jurisdiction only (admin all, a street office
// its subtree, a committee its estate, an account without an org nothing), newest
// first and at most limit; an estate summary outside the jurisdiction does not exist
// (404) and the summaries list only the visible estates; the home page's org name is
// the account's own node.
func TestJurisdictionReads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		s := orgs.New(db.DB)
		tr := buildPageTree(t, ctx, db, s)
		street := app.Principal{Role: app.RoleStreet, OrgID: tr.streetA.ID, OrgPath: tr.streetA.Path}

		t.Run("audit log", func(t *testing.T) {
			all, err := s.AuditLog(ctx, app.Principal{Role: app.RoleAdmin}, 100)
			if err != nil || len(all) != 8 { // city, district, 2 × (street, community, estate)
				t.Fatalf("admin: %d entries, %v; want 8", len(all), err)
			}
			if top, _ := s.AuditLog(ctx, app.Principal{Role: app.RoleAdmin}, 3); len(top) != 3 || top[0].ID != all[0].ID {
				t.Errorf("limit 3: %d entries, want the newest 3", len(top))
			}
			list, err := s.AuditLog(ctx, street, 100)
			if err != nil || len(list) != 3 { // its own node, its community, its estate
				t.Fatalf("street A: %d entries, %v; want 3", len(list), err)
			}
			for _, e := range list {
				if e.EstateID != nil && *e.EstateID == tr.estateB {
					t.Errorf("street A sees street B's estate entry %d", e.ID)
				}
			}
			committee := app.Principal{Role: app.RoleCommittee, EstateID: tr.estateB}
			if list, err = s.AuditLog(ctx, committee, 100); err != nil || len(list) != 1 || *list[0].EstateID != tr.estateB {
				t.Errorf("committee of estate B: %d entries, %v; want its estate's one", len(list), err)
			}
			for _, p := range []app.Principal{{Role: app.RoleCommittee}, {Role: app.RoleStreet}} {
				if list, err = s.AuditLog(ctx, p, 100); err != nil || len(list) != 0 {
					t.Errorf("%s without jurisdiction: %d entries, %v; want none", p.Role, len(list), err)
				}
			}
		})

		t.Run("estate summaries and org name", func(t *testing.T) {
			if _, err := s.EstateSummary(ctx, street, tr.estateB); app.ErrorCode(err) != app.ENotFound {
				t.Errorf("street A reading estate B: %v, want not_found", err)
			}
			e, err := s.EstateSummary(ctx, street, tr.estateA)
			if err != nil || e.ID != tr.estateA || e.Units != 0 || e.TotalArea != 0 {
				t.Errorf("street A reading estate A: %+v, %v", e, err)
			}
			list, err := s.EstateSummaries(ctx, street)
			if err != nil || len(list) != 1 || list[0].ID != tr.estateA {
				t.Errorf("street A's estates: %+v, %v; want estate A only", list, err)
			}
			if name, err := s.OrgName(ctx, street); err != nil || name != "甲街道" {
				t.Errorf("street A's org name: %q, %v", name, err)
			}
			if name, err := s.OrgName(ctx, app.Principal{Role: app.RoleAdmin}); err != nil || name != "" {
				t.Errorf("admin's org name: %q, %v; want none", name, err)
			}
		})
	})
}

// TestOrgKinds: the kinds each role may create, the same the org form offers.
func TestOrgKinds(t *testing.T) {
	s := orgs.New(nil)
	for role, want := range map[app.Role][]string{
		app.RoleAdmin:     {models.OrgCity, models.OrgDistrict, models.OrgStreet, models.OrgCommunity},
		app.RoleDistrict:  {models.OrgStreet, models.OrgCommunity},
		app.RoleStreet:    {models.OrgCommunity},
		app.RoleCommunity: nil, app.RoleCommittee: nil, app.RoleAuditor: nil,
	} {
		if got := s.OrgKinds(app.Principal{Role: role}); !slices.Equal(got, want) {
			t.Errorf("%s may create %v, want %v", role, got, want)
		}
	}
}
