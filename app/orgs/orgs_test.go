package orgs_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/auth"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/orgs"
	"gongzhi/app/testkit"
	"gongzhi/models"
)

// admin is the platform administrator, as the seed acts.
var admin = app.Principal{Username: "admin", Role: app.RoleAdmin}

// tree is a small supervision tree with one account of every role, each signed in
// through the auth service so its principal is built as a request's would be:
//
//	city
//	└── district
//	    ├── streetA ── communityA1 (estates A1-east, A1-west), communityA2 (estate A2)
//	    └── streetB ── communityB1 (estate B1)
type tree struct {
	ctx  context.Context
	db   dbtest.DB
	svc  *orgs.Service
	org  map[string]int64
	est  map[string]int64
	who  map[string]app.Principal
	orgN int64 // orgs in the database after seeding
}

const testPassword = "Kettle&Moon-42"

func seed(t *testing.T, db dbtest.DB) *tree {
	t.Helper()
	ctx := context.Background()
	tr := &tree{ctx: ctx, db: db, svc: orgs.New(db.DB), org: map[string]int64{}, est: map[string]int64{}, who: map[string]app.Principal{}}
	users := auth.New(db.DB, nil, time.Hour, 4, []byte("throttle-test-key-0123456789abcdef"))
	accounts := []testkit.TreeUser{
		{Name: "district", Role: app.RoleDistrict, Org: "district"},
		{Name: "streeta", Role: app.RoleStreet, Org: "streetA"},
		{Name: "streetb", Role: app.RoleStreet, Org: "streetB"},
		{Name: "communitya1", Role: app.RoleCommunity, Org: "communityA1"},
		{Name: "committee", Role: app.RoleCommittee, Org: "communityA1", Estate: "A1-east"},
		{Name: "auditor", Role: app.RoleAuditor, Org: "streetA"},
	}
	seeded := testkit.NewTree(t, tr.svc, users, []testkit.TreeEstate{
		{Name: "A1-east", Community: "communityA1"}, {Name: "A1-west", Community: "communityA1"},
		{Name: "A2", Community: "communityA2"}, {Name: "B1", Community: "communityB1"},
	}, accounts, testPassword)
	tr.org, tr.est = seeded.Org, seeded.Estate
	for _, u := range accounts {
		s, err := users.Login(ctx, auth.Credentials{Username: u.Name, Password: testPassword, Address: "192.0.2.1"}, auth.KindAPI)
		if err != nil {
			t.Fatalf("login %s: %v", u.Name, err)
		}
		tr.who[u.Name] = s.Principal
	}
	tr.who["admin"] = admin
	tr.orgN = tr.count(t, &models.Org{})
	return tr
}

func (tr *tree) count(t *testing.T, model any) int64 {
	t.Helper()
	var n int64
	if err := tr.db.Model(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// estateNames maps estate ids back to names, sorted.
func (tr *tree) estateNames(list []models.EstateWithPath) []string {
	var out []string
	for _, e := range list {
		for name, id := range tr.est {
			if id == e.ID {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

func wantCode(t *testing.T, what string, err error, code app.Code) *app.Error {
	t.Helper()
	var ae *app.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	return ae
}

func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	ae := wantCode(t, what, err, app.EInvalid)
	if len(ae.Details) == 0 || ae.Details[0].Field != field {
		t.Fatalf("%s: %+v, want a message naming %s", what, ae, field)
	}
}

// Every role sees exactly the estates of its jurisdiction: the list, the single
// estate and the tree agree, and an estate outside it answers exactly as an estate
// that does not exist (not_found with the same message), so its existence does not leak.
func TestJurisdictionOfEveryRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		tr := seed(t, db)
		all := []string{"A1-east", "A1-west", "A2", "B1"}
		visible := map[string][]string{
			"admin":       all,
			"district":    all,
			"streeta":     {"A1-east", "A1-west", "A2"},
			"streetb":     {"B1"},
			"communitya1": {"A1-east", "A1-west"},
			"committee":   {"A1-east"},
			"auditor":     {"A1-east", "A1-west", "A2"},
		}
		_, missing := tr.svc.Estate(tr.ctx, admin, 1<<40)
		notExists := wantCode(t, "missing estate", missing, app.ENotFound)
		for who, want := range visible {
			p := tr.who[who]
			list, err := tr.svc.ListEstates(tr.ctx, p)
			if err != nil {
				t.Fatalf("%s: list: %v", who, err)
			}
			if got := tr.estateNames(list); !slices.Equal(got, want) {
				t.Errorf("%s lists %v, want %v", who, got, want)
			}
			for _, name := range all {
				e, err := tr.svc.Estate(tr.ctx, p, tr.est[name])
				if slices.Contains(want, name) {
					if err != nil || e.ID != tr.est[name] {
						t.Errorf("%s: estate %s: %v", who, name, err)
					}
					continue
				}
				ae := wantCode(t, who+" reading "+name, err, app.ENotFound)
				if ae.Msg.String() != notExists.Msg.String() {
					t.Errorf("%s reading %s: %q, differs from a missing estate's %q", who, name, ae.Msg, notExists.Msg)
				}
				if _, err := tr.svc.EstateForChange(tr.ctx, p, tr.est[name]); app.ErrorCode(err) != app.ENotFound {
					t.Errorf("%s changing %s outside its jurisdiction: %v, want not_found", who, name, err)
				}
			}
		}
	})
}

// The tree page shows a principal its own node and what lies below, never a sibling
// or a parent; a committee sees no tree at all.
func TestTreeOfEveryRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		tr := seed(t, db)
		want := map[string][]string{
			"admin":       {"city", "district", "streetA", "communityA1", "communityA2", "streetB", "communityB1"},
			"district":    {"district", "streetA", "communityA1", "communityA2", "streetB", "communityB1"},
			"streeta":     {"streetA", "communityA1", "communityA2"},
			"streetb":     {"streetB", "communityB1"},
			"communitya1": {"communityA1"},
			"auditor":     {"streetA", "communityA1", "communityA2"},
			"committee":   nil,
		}
		for who, names := range want {
			roots, err := tr.svc.Tree(tr.ctx, tr.who[who])
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			var got []string
			estates := 0
			for _, n := range orgs.Flatten(roots) {
				got = append(got, n.Name)
				estates += len(n.Estates)
			}
			if !slices.Equal(got, names) {
				t.Errorf("%s sees %v, want %v (depth-first)", who, got, names)
			}
			list, _ := tr.svc.ListEstates(tr.ctx, tr.who[who])
			if who != "committee" && estates != len(list) {
				t.Errorf("%s: the tree holds %d estates, the list %d", who, estates, len(list))
			}
			if len(roots) > 1 {
				t.Errorf("%s: %d roots, want one", who, len(roots))
			}
		}
	})
}

// Changing an estate needs a writing role: the auditor reads its subtree's estates
// but is refused (forbidden) a change; outside its subtree it is told not_found.
func TestEstateForChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		tr := seed(t, db)
		for _, who := range []string{"admin", "district", "streeta", "communitya1", "committee"} {
			if _, err := tr.svc.EstateForChange(tr.ctx, tr.who[who], tr.est["A1-east"]); err != nil {
				t.Errorf("%s changing A1-east: %v", who, err)
			}
		}
		if _, err := tr.svc.Estate(tr.ctx, tr.who["auditor"], tr.est["A2"]); err != nil {
			t.Fatalf("auditor reading A2: %v", err)
		}
		wantCode(t, "auditor changing A2", func() error { _, err := tr.svc.EstateForChange(tr.ctx, tr.who["auditor"], tr.est["A2"]); return err }(), app.EForbidden)
		wantCode(t, "auditor changing B1", func() error { _, err := tr.svc.EstateForChange(tr.ctx, tr.who["auditor"], tr.est["B1"]); return err }(), app.ENotFound)
		wantCode(t, "committee changing A1-west", func() error {
			_, err := tr.svc.EstateForChange(tr.ctx, tr.who["committee"], tr.est["A1-west"])
			return err
		}(), app.ENotFound)
		wantCode(t, "nobody's estate", func() error { _, err := tr.svc.EstateForChange(tr.ctx, admin, 1<<40); return err }(), app.ENotFound)
	})
}

// Org nodes: each kind hangs under the kind above it, only the admin creates a city,
// a creator creates only inside its subtree (a parent outside it answers as one that
// does not exist), names are checked and unique per parent, and a refusal changes nothing.
func TestCreateOrgRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		tr := seed(t, db)
		refusals := []struct {
			who   string
			in    orgs.NewOrg
			code  app.Code
			field string
		}{
			{"district", orgs.NewOrg{Name: "新市", Kind: models.OrgCity}, app.EForbidden, ""},
			{"admin", orgs.NewOrg{Name: "新市", Kind: models.OrgCity, ParentID: tr.org["city"]}, app.EInvalid, "parent_id"},
			{"admin", orgs.NewOrg{Name: "新区", Kind: models.OrgDistrict}, app.EInvalid, "parent_id"},
			{"admin", orgs.NewOrg{Name: "新区", Kind: models.OrgDistrict, ParentID: tr.org["streetA"]}, app.EInvalid, "parent_id"},
			{"admin", orgs.NewOrg{Name: "新社区", Kind: models.OrgCommunity, ParentID: tr.org["district"]}, app.EInvalid, "parent_id"},
			{"admin", orgs.NewOrg{Name: "新街道", Kind: models.OrgStreet, ParentID: tr.org["communityA1"]}, app.EInvalid, "parent_id"},
			{"admin", orgs.NewOrg{Name: "新街道", Kind: "estate", ParentID: tr.org["district"]}, app.EInvalid, "kind"},
			{"admin", orgs.NewOrg{Name: "  ", Kind: models.OrgStreet, ParentID: tr.org["district"]}, app.EInvalid, "name"},
			{"admin", orgs.NewOrg{Name: string(make([]rune, 101)), Kind: models.OrgStreet, ParentID: tr.org["district"]}, app.EInvalid, "name"},
			{"admin", orgs.NewOrg{Name: "streetA", Kind: models.OrgStreet, ParentID: tr.org["district"]}, app.EConflict, ""},
			{"streeta", orgs.NewOrg{Name: "新街道", Kind: models.OrgStreet, ParentID: tr.org["district"]}, app.EInvalid, "parent_id"},
			{"streeta", orgs.NewOrg{Name: "新社区", Kind: models.OrgCommunity, ParentID: tr.org["streetB"]}, app.EInvalid, "parent_id"},
			{"streeta", orgs.NewOrg{Name: "新社区", Kind: models.OrgCommunity, ParentID: 1 << 40}, app.EInvalid, "parent_id"},
			{"communitya1", orgs.NewOrg{Name: "新社区", Kind: models.OrgCommunity, ParentID: tr.org["streetA"]}, app.EForbidden, ""},
			{"committee", orgs.NewOrg{Name: "新社区", Kind: models.OrgCommunity, ParentID: tr.org["streetA"]}, app.EForbidden, ""},
			{"auditor", orgs.NewOrg{Name: "新社区", Kind: models.OrgCommunity, ParentID: tr.org["streetA"]}, app.EForbidden, ""},
		}
		var outside, missing string
		for _, r := range refusals {
			_, err := tr.svc.CreateOrg(tr.ctx, tr.who[r.who], r.in)
			what := r.who + " creating " + r.in.Kind + " " + r.in.Name
			if r.field != "" {
				wantField(t, what, err, r.field)
			} else {
				wantCode(t, what, err, r.code)
			}
			if r.who == "streeta" && r.in.ParentID == tr.org["streetB"] {
				outside = app.AsError(err).Msg.String()
			}
			if r.in.ParentID == 1<<40 {
				missing = app.AsError(err).Msg.String()
			}
		}
		if outside != missing {
			t.Errorf("a parent outside the jurisdiction answers %q, a missing one %q", outside, missing)
		}
		if n := tr.count(t, &models.Org{}); n != tr.orgN {
			t.Fatalf("refusals changed the tree: %d orgs, want %d", n, tr.orgN)
		}
		// Allowed: the admin a second city; the district a street; a street a community under itself.
		if _, err := tr.svc.CreateOrg(tr.ctx, admin, orgs.NewOrg{Name: "新市", Kind: models.OrgCity}); err != nil {
			t.Fatalf("admin creating a city: %v", err)
		}
		if _, err := tr.svc.CreateOrg(tr.ctx, tr.who["district"], orgs.NewOrg{Name: "streetC", Kind: models.OrgStreet, ParentID: tr.org["district"]}); err != nil {
			t.Fatalf("district creating a street: %v", err)
		}
		id, err := tr.svc.CreateOrg(tr.ctx, tr.who["streeta"], orgs.NewOrg{Name: " communityA3 ", Kind: models.OrgCommunity, ParentID: tr.org["streetA"]})
		if err != nil {
			t.Fatalf("street creating a community: %v", err)
		}
		o, err := models.FindOrg(tr.ctx, db.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		parent, _ := models.FindOrg(tr.ctx, db.DB, tr.org["streetA"])
		if o.Name != "communityA3" || o.ParentID == nil || *o.ParentID != parent.ID || o.Path != models.ChildPath(parent.Path, o.ID) {
			t.Errorf("new community %+v: want trimmed name, parent streetA, path under %s", o, parent.Path)
		}
		if !tr.who["streeta"].CoversOrgPath(o.Path) || tr.who["streetb"].CoversOrgPath(o.Path) {
			t.Errorf("the new community %s is not in streetA's jurisdiction only", o.Path)
		}
		var logged int64
		db.Model(&models.AuditLog{}).Where("action = ? AND target_id = ?", "org.create", id).Count(&logged)
		if logged != 1 {
			t.Errorf("org.create audited %d times, want once", logged)
		}
	})
}

// Estates: under a community of the creator's subtree only, with a known profile;
// committees and auditors create none.
func TestCreateEstateRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		tr := seed(t, db)
		before := tr.count(t, &models.Estate{})
		refusals := []struct {
			who   string
			in    orgs.NewEstate
			code  app.Code
			field string
		}{
			{"communitya1", orgs.NewEstate{Name: "新小区", CommunityID: tr.org["communityA2"]}, app.EInvalid, "community_id"},
			{"streeta", orgs.NewEstate{Name: "新小区", CommunityID: tr.org["communityB1"]}, app.EInvalid, "community_id"},
			{"streeta", orgs.NewEstate{Name: "新小区", CommunityID: tr.org["streetA"]}, app.EInvalid, "community_id"},
			{"streeta", orgs.NewEstate{Name: "新小区"}, app.EInvalid, "community_id"},
			{"streeta", orgs.NewEstate{Name: "新小区", CommunityID: tr.org["communityA1"], ProfileCode: "atlantis"}, app.EInvalid, "jurisdiction_profile"},
			{"streeta", orgs.NewEstate{Name: "", CommunityID: tr.org["communityA1"]}, app.EInvalid, "name"},
			{"streeta", orgs.NewEstate{Name: "A1-east", CommunityID: tr.org["communityA1"]}, app.EConflict, ""},
			{"committee", orgs.NewEstate{Name: "新小区", CommunityID: tr.org["communityA1"]}, app.EForbidden, ""},
			{"auditor", orgs.NewEstate{Name: "新小区", CommunityID: tr.org["communityA1"]}, app.EForbidden, ""},
		}
		for _, r := range refusals {
			_, err := tr.svc.CreateEstate(tr.ctx, tr.who[r.who], r.in)
			if r.field != "" {
				wantField(t, r.who+" creating "+r.in.Name, err, r.field)
			} else {
				wantCode(t, r.who+" creating "+r.in.Name, err, r.code)
			}
		}
		if n := tr.count(t, &models.Estate{}); n != before {
			t.Fatalf("refusals created estates: %d, want %d", n, before)
		}
		id, err := tr.svc.CreateEstate(tr.ctx, tr.who["communitya1"], orgs.NewEstate{Name: "A1-north", CommunityID: tr.org["communityA1"]})
		if err != nil {
			t.Fatalf("community creating an estate: %v", err)
		}
		if _, err := tr.svc.Estate(tr.ctx, tr.who["streetb"], id); app.ErrorCode(err) != app.ENotFound {
			t.Errorf("the other street sees the new estate: %v", err)
		}
		if _, err := tr.svc.Estate(tr.ctx, tr.who["streeta"], id); err != nil {
			t.Errorf("its street does not see the new estate: %v", err)
		}
	})
}

// The pages' permissions follow the one policy table.
func TestPermissions(t *testing.T) {
	svc := orgs.New(nil)
	want := map[app.Role]orgs.Permissions{
		app.RoleAdmin:     {CreateOrgs: true, CreateEstates: true, ManageUsers: true},
		app.RoleDistrict:  {CreateOrgs: true, CreateEstates: true, ManageUsers: true},
		app.RoleStreet:    {CreateOrgs: true, CreateEstates: true, ManageUsers: true},
		app.RoleCommunity: {CreateEstates: true, ManageUsers: true},
		app.RoleCommittee: {},
		app.RoleAuditor:   {},
	}
	for role, w := range want {
		if got := svc.Permissions(app.Principal{Role: role}); got != w {
			t.Errorf("%s: %+v, want %+v", role, got, w)
		}
	}
}

// CanSee: a committee sees its one estate (not its community's others); staff see
// estates whose community lies under their node, and a sibling whose id shares a
// prefix with theirs ("/1/2/" and "/1/20/") is not under it.
func TestCanSee(t *testing.T) {
	e := func(id int64, path string) models.EstateWithPath {
		return models.EstateWithPath{Estate: models.Estate{ID: id}, CommunityPath: path}
	}
	street := app.Principal{Role: app.RoleStreet, OrgPath: "/1/2/"}
	if !orgs.CanSee(street, e(7, "/1/2/9/")) || orgs.CanSee(street, e(8, "/1/20/9/")) || orgs.CanSee(street, e(9, "/1/")) {
		t.Error("a street's jurisdiction is its own path prefix, slash-terminated")
	}
	committee := app.Principal{Role: app.RoleCommittee, OrgPath: "/1/2/9/", EstateID: 7}
	if !orgs.CanSee(committee, e(7, "/1/2/9/")) || orgs.CanSee(committee, e(8, "/1/2/9/")) {
		t.Error("a committee sees its own estate only")
	}
	if orgs.CanSee(app.Principal{Role: app.RoleStreet}, e(7, "/1/2/9/")) {
		t.Error("staff without an org see nothing")
	}
	if !orgs.CanSee(admin, e(7, "/5/")) {
		t.Error("the admin sees every estate")
	}
}
