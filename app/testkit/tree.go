package testkit

import (
	"context"
	"testing"

	"gongzhi/app"
	"gongzhi/app/auth"
	"gongzhi/app/orgs"
	"gongzhi/models"
)

// TreeEstate is an estate of a Tree: its name and the name of its community.
type TreeEstate struct{ Name, Community string }

// TreeUser is an account of a Tree: its role and the names of its org and estate
// ("": none).
type TreeUser struct {
	Name        string
	Role        app.Role
	Org, Estate string
}

// Tree is the ids, by name, of a small supervision tree built by NewTree:
//
//	city
//	└── district
//	    ├── streetA ── communityA1, communityA2
//	    └── streetB ── communityB1
//
// with the estates and accounts the test asks for. The jurisdiction tests (app/auth,
// app/orgs) build it without the demo data.
type Tree struct {
	Org    map[string]int64
	Estate map[string]int64
	User   map[string]int64
}

// NewTree creates the tree's orgs, then estates and users (all with password) through
// the services, acting as Admin.
func NewTree(t testing.TB, o *orgs.Service, a *auth.Service, estates []TreeEstate, users []TreeUser, password string) Tree {
	t.Helper()
	ctx := context.Background()
	tr := Tree{Org: map[string]int64{}, Estate: map[string]int64{}, User: map[string]int64{}}
	for _, n := range []struct{ name, kind, parent string }{
		{"city", models.OrgCity, ""}, {"district", models.OrgDistrict, "city"},
		{"streetA", models.OrgStreet, "district"}, {"streetB", models.OrgStreet, "district"},
		{"communityA1", models.OrgCommunity, "streetA"}, {"communityA2", models.OrgCommunity, "streetA"},
		{"communityB1", models.OrgCommunity, "streetB"},
	} {
		id, err := o.CreateOrg(ctx, Admin, orgs.NewOrg{Name: n.name, Kind: n.kind, ParentID: tr.Org[n.parent]})
		if err != nil {
			t.Fatalf("org %s: %v", n.name, err)
		}
		tr.Org[n.name] = id
	}
	for _, e := range estates {
		id, err := o.CreateEstate(ctx, Admin, orgs.NewEstate{Name: e.Name, CommunityID: tr.Org[e.Community]})
		if err != nil {
			t.Fatalf("estate %s: %v", e.Name, err)
		}
		tr.Estate[e.Name] = id
	}
	for _, u := range users {
		id, err := a.CreateUser(ctx, Admin, auth.NewUser{Username: u.Name, Password: password, Role: u.Role,
			OrgID: tr.Org[u.Org], EstateID: tr.Estate[u.Estate]})
		if err != nil {
			t.Fatalf("user %s: %v", u.Name, err)
		}
		tr.User[u.Name] = id
	}
	return tr
}
