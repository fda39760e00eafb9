package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/auth"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/orgs"
	"gongzhi/app/testkit"
	"gongzhi/models"
)

var admin = app.Principal{Username: "admin", Role: app.RoleAdmin}

const pw = "Kettle&Moon-42"

// env is a small org tree (city → district → streets A and B → communities →
// estates) with one account of every role, the auth service on a settable clock.
type env struct {
	ctx   context.Context
	db    dbtest.DB
	svc   *auth.Service
	clock *app.ManualClock
	org   map[string]int64
	est   map[string]int64
	users map[string]int64
}

func newEnv(t *testing.T, db dbtest.DB) *env {
	t.Helper()
	ctx := context.Background()
	clock := app.NewManualClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	e := &env{ctx: ctx, db: db, svc: auth.New(db.DB, clock, time.Hour, 4, []byte("throttle-test-key-0123456789abcdef")), clock: clock}
	tr := testkit.NewTree(t, orgs.New(db.DB), e.svc,
		[]testkit.TreeEstate{{Name: "A1", Community: "communityA1"}, {Name: "A2", Community: "communityA2"}, {Name: "B1", Community: "communityB1"}},
		[]testkit.TreeUser{
			{Name: "root", Role: app.RoleAdmin},
			{Name: "district", Role: app.RoleDistrict, Org: "district"},
			{Name: "streeta", Role: app.RoleStreet, Org: "streetA"},
			{Name: "streetb", Role: app.RoleStreet, Org: "streetB"},
			{Name: "communitya1", Role: app.RoleCommunity, Org: "communityA1"},
			{Name: "committee", Role: app.RoleCommittee, Org: "communityA1", Estate: "A1"},
			{Name: "auditor", Role: app.RoleAuditor, Org: "streetA"},
		}, pw)
	e.org, e.est, e.users = tr.Org, tr.Estate, tr.User
	return e
}

func (e *env) login(t *testing.T, name, kind string) auth.Session {
	t.Helper()
	s, err := e.svc.Login(e.ctx, auth.Credentials{Username: name, Password: pw, Address: "192.0.2.1"}, kind)
	if err != nil {
		t.Fatalf("login %s: %v", name, err)
	}
	return s
}

func (e *env) who(t *testing.T, name string) app.Principal {
	t.Helper()
	return e.login(t, name, auth.KindAPI).Principal
}

func wantCode(t *testing.T, what string, err error, c app.Code) *app.Error {
	t.Helper()
	var ae *app.Error
	if !errors.As(err, &ae) || ae.Code != c {
		t.Fatalf("%s: got %v, want %s", what, err, c)
	}
	return ae
}

// A session opened by a sign-in resolves to the account's principal (role, org
// path, estate) and CSRF token; the token is stored only hashed; the session slides
// forward while used, expires when unused for its TTL, and ends at sign-out.
func TestSessionLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		e := newEnv(t, db)
		start := e.clock.Now()
		s := e.login(t, "committee", auth.KindWeb)
		if s.Token == "" || s.CSRFToken == "" || s.Token == s.CSRFToken || !s.ExpiresAt.Equal(start.Add(time.Hour)) {
			t.Fatalf("session %+v: want distinct tokens, expiry after the TTL", s)
		}
		community, _ := models.FindOrg(e.ctx, db.DB, e.org["communityA1"])
		want := app.Principal{UserID: e.users["committee"], Username: "committee", Role: app.RoleCommittee,
			OrgID: community.ID, OrgPath: community.Path, EstateID: e.est["A1"]}
		if s.Principal != want {
			t.Fatalf("principal %+v, want %+v", s.Principal, want)
		}
		var rows []models.Session
		db.Find(&rows)
		if len(rows) != 1 || rows[0].TokenHash != auth.HashToken(s.Token) || rows[0].TokenHash == s.Token {
			t.Fatalf("stored sessions %+v: want one, holding the token's hash only", rows)
		}

		p, csrf, err := e.svc.Authenticate(e.ctx, s.Token, auth.KindWeb)
		if err != nil || p != want || csrf != s.CSRFToken {
			t.Fatalf("authenticate: %+v %q %v", p, csrf, err)
		}
		wantCode(t, "web session as an API token", func() error { _, _, err := e.svc.Authenticate(e.ctx, s.Token, auth.KindAPI); return err }(), app.EUnauthorized)
		wantCode(t, "no token", func() error { _, _, err := e.svc.Authenticate(e.ctx, "", auth.KindWeb); return err }(), app.EUnauthorized)
		wantCode(t, "unknown token", func() error { _, _, err := e.svc.Authenticate(e.ctx, s.Token+"x", auth.KindWeb); return err }(), app.EUnauthorized)

		// Used after 50 minutes: the expiry slides to 50+60 minutes.
		e.clock.Set(start.Add(50 * time.Minute))
		if _, _, err := e.svc.Authenticate(e.ctx, s.Token, auth.KindWeb); err != nil {
			t.Fatalf("at 50 min: %v", err)
		}
		e.clock.Set(start.Add(100 * time.Minute))
		if _, _, err := e.svc.Authenticate(e.ctx, s.Token, auth.KindWeb); err != nil {
			t.Fatalf("at 100 min, 50 after last use: %v", err)
		}
		// Unused for the TTL: expired, and purged.
		e.clock.Set(start.Add(161 * time.Minute))
		wantCode(t, "expired", func() error { _, _, err := e.svc.Authenticate(e.ctx, s.Token, auth.KindWeb); return err }(), app.EUnauthorized)
		other := e.login(t, "streeta", auth.KindWeb)
		if n, err := e.svc.PurgeExpired(e.ctx); err != nil || n != 1 {
			t.Fatalf("purge: %d %v, want the one expired session", n, err)
		}
		if _, _, err := e.svc.Authenticate(e.ctx, other.Token, auth.KindWeb); err != nil {
			t.Fatalf("a live session was purged: %v", err)
		}
		// Sign-out ends the session; signing out twice is not an error.
		if err := e.svc.Logout(e.ctx, other.Token); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "after logout", func() error { _, _, err := e.svc.Authenticate(e.ctx, other.Token, auth.KindWeb); return err }(), app.EUnauthorized)
		if err := e.svc.Logout(e.ctx, other.Token); err != nil {
			t.Fatalf("second logout: %v", err)
		}
	})
}

// API tokens are sessions of their own kind: they work only on the API, carry no
// use for a web CSRF token, and are ended by the same sign-out.
func TestAPITokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		e := newEnv(t, db)
		api := e.login(t, "streeta", auth.KindAPI)
		web := e.login(t, "streeta", auth.KindWeb)
		p, _, err := e.svc.Authenticate(e.ctx, api.Token, auth.KindAPI)
		if err != nil || p.Role != app.RoleStreet || p.UserID != e.users["streeta"] {
			t.Fatalf("API token: %+v %v", p, err)
		}
		wantCode(t, "API token on the web", func() error { _, _, err := e.svc.Authenticate(e.ctx, api.Token, auth.KindWeb); return err }(), app.EUnauthorized)
		if err := e.svc.Logout(e.ctx, api.Token); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "API token after logout", func() error { _, _, err := e.svc.Authenticate(e.ctx, api.Token, auth.KindAPI); return err }(), app.EUnauthorized)
		if _, _, err := e.svc.Authenticate(e.ctx, web.Token, auth.KindWeb); err != nil {
			t.Fatalf("ending the API token ended the web session: %v", err)
		}
	})
}

// A disabled account cannot sign in (the same answer as a wrong password) and loses
// its open sessions at once; re-enabled, it signs in again. Nobody disables itself.
func TestDisabledAccounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		e := newEnv(t, db)
		s := e.login(t, "communitya1", auth.KindWeb)
		street := e.who(t, "streeta")
		if err := e.svc.SetDisabled(e.ctx, street, e.users["communitya1"], true); err != nil {
			t.Fatalf("disable: %v", err)
		}
		wantCode(t, "session of a disabled account", func() error { _, _, err := e.svc.Authenticate(e.ctx, s.Token, auth.KindWeb); return err }(), app.EUnauthorized)
		_, err := e.svc.Login(e.ctx, auth.Credentials{Username: "communitya1", Password: pw, Address: "192.0.2.9"}, auth.KindWeb)
		disabled := wantCode(t, "disabled sign-in", err, app.EUnauthorized)
		_, err = e.svc.Login(e.ctx, auth.Credentials{Username: "communitya1x", Password: pw, Address: "192.0.2.9"}, auth.KindWeb)
		unknown := wantCode(t, "unknown user", err, app.EUnauthorized)
		_, err = e.svc.Login(e.ctx, auth.Credentials{Username: "streetb", Password: pw + "x", Address: "192.0.2.9"}, auth.KindWeb)
		wrong := wantCode(t, "wrong password", err, app.EUnauthorized)
		if disabled.Msg.String() != unknown.Msg.String() || disabled.Msg.String() != wrong.Msg.String() {
			t.Errorf("sign-in refusals differ: disabled %q, unknown %q, wrong password %q", disabled.Msg, unknown.Msg, wrong.Msg)
		}
		if err := e.svc.SetDisabled(e.ctx, street, e.users["communitya1"], false); err != nil {
			t.Fatalf("enable: %v", err)
		}
		e.login(t, "communitya1", auth.KindWeb)
		wantCode(t, "the admin disabling itself", e.svc.SetDisabled(e.ctx, e.who(t, "root"), e.users["root"], true), app.EConflict)
		if err := e.svc.SetDisabled(e.ctx, street, e.users["streeta"], true); err == nil {
			t.Error("a street disabled its own account")
		}
		wantCode(t, "street disabling the other street's account", e.svc.SetDisabled(e.ctx, street, e.users["streetb"], true), app.ENotFound)
		wantCode(t, "street disabling its district", e.svc.SetDisabled(e.ctx, street, e.users["district"], true), app.ENotFound)
		wantCode(t, "street disabling its own auditor", e.svc.SetDisabled(e.ctx, street, e.users["auditor"], true), app.EForbidden)
		wantCode(t, "committee disabling", e.svc.SetDisabled(e.ctx, e.who(t, "committee"), e.users["communitya1"], true), app.EForbidden)
		if err := e.svc.SetDisabled(e.ctx, e.who(t, "district"), e.users["auditor"], true); err != nil {
			t.Errorf("district disabling the street's auditor: %v", err)
		}
		var logged int64
		db.Model(&models.AuditLog{}).Where("action IN ? AND target_id = ?", []string{"user.disable", "user.enable"}, e.users["communitya1"]).Count(&logged)
		if logged != 2 {
			t.Errorf("disable and enable audited %d times, want 2", logged)
		}
	})
}

// Who may create which account where: a role below one's own (the admin any), bound
// to an org of the role's kind inside one's subtree (outside it answers as a missing
// org), a committee to an estate of its community, an auditor only from above the
// org it audits. A refusal creates nothing.
func TestCreateUserScoping(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		e := newEnv(t, db)
		who := map[string]app.Principal{"admin": admin}
		for _, n := range []string{"district", "streeta", "communitya1", "committee", "auditor"} {
			who[n] = e.who(t, n)
		}
		cases := []struct {
			creator string
			role    app.Role
			org     string
			estate  string
			want    app.Code // "" = created
			field   string
		}{
			{"admin", app.RoleAdmin, "", "", "", ""},
			{"admin", app.RoleDistrict, "district", "", "", ""},
			{"admin", app.RoleAuditor, "city", "", "", ""},
			{"admin", app.RoleStreet, "district", "", app.EInvalid, "org_id"}, // wrong kind of org
			{"district", app.RoleStreet, "streetB", "", "", ""},
			{"district", app.RoleCommunity, "communityB1", "", "", ""},
			{"district", app.RoleAuditor, "streetB", "", "", ""},
			{"district", app.RoleAuditor, "district", "", app.EForbidden, ""}, // its own auditor
			{"district", app.RoleDistrict, "district", "", app.EForbidden, ""},
			{"district", app.RoleAdmin, "", "", app.EForbidden, ""},
			{"district", app.RoleStreet, "city", "", app.EInvalid, "org_id"}, // above it
			{"streeta", app.RoleCommunity, "communityA2", "", "", ""},
			{"streeta", app.RoleCommittee, "communityA1", "A1", "", ""},
			{"streeta", app.RoleAuditor, "communityA1", "", "", ""},
			{"streeta", app.RoleAuditor, "streetA", "", app.EForbidden, ""},
			{"streeta", app.RoleCommunity, "communityB1", "", app.EInvalid, "org_id"}, // other street
			{"streeta", app.RoleCommunity, "missing", "", app.EInvalid, "org_id"},
			{"streeta", app.RoleStreet, "streetA", "", app.EForbidden, ""},
			{"streeta", app.RoleCommittee, "communityA1", "", app.EInvalid, "estate_id"},
			{"streeta", app.RoleCommittee, "communityA1", "A2", app.EInvalid, "estate_id"}, // estate of another community
			{"streeta", app.RoleCommunity, "", "", app.EInvalid, "org_id"},
			{"streeta", "mayor", "communityA1", "", app.EInvalid, "role"},
			{"communitya1", app.RoleCommittee, "communityA1", "A1", "", ""},
			{"communitya1", app.RoleCommunity, "communityA1", "", app.EForbidden, ""},
			{"communitya1", app.RoleAuditor, "communityA1", "", app.EForbidden, ""},
			{"committee", app.RoleCommittee, "communityA1", "A1", app.EForbidden, ""},
			{"auditor", app.RoleCommunity, "communityA1", "", app.EForbidden, ""},
		}
		e.org["missing"] = 1 << 40
		var outside, missing string
		for i, c := range cases {
			name := "u" + string(rune('a'+i)) + "-" + c.creator
			var before int64
			db.Model(&models.User{}).Count(&before)
			id, err := e.svc.CreateUser(e.ctx, who[c.creator], auth.NewUser{Username: name, Password: pw, Role: c.role,
				OrgID: e.org[c.org], EstateID: e.est[c.estate]})
			what := c.creator + " creating " + string(c.role) + " at " + c.org
			if c.want == "" {
				if err != nil {
					t.Errorf("%s: %v", what, err)
					continue
				}
				var u models.User
				db.First(&u, id)
				if u.Role != string(c.role) || (c.org != "" && (u.OrgID == nil || *u.OrgID != e.org[c.org])) {
					t.Errorf("%s: stored %+v", what, u)
				}
				if auth.CanCreateRole(who[c.creator], c.role) != true {
					t.Errorf("%s: the form would not offer the role", what)
				}
				continue
			}
			ae := wantCode(t, what, err, c.want)
			if c.field != "" && (len(ae.Details) == 0 || ae.Details[0].Field != c.field) {
				t.Errorf("%s: %+v, want a message naming %s", what, ae, c.field)
			}
			var after int64
			db.Model(&models.User{}).Count(&after)
			if after != before {
				t.Errorf("%s: refused but %d accounts were created", what, after-before)
			}
			if c.creator == "streeta" && c.org == "communityB1" {
				outside = ae.Msg.String()
			}
			if c.org == "missing" {
				missing = ae.Msg.String()
			}
		}
		if outside != missing {
			t.Errorf("an org outside the jurisdiction answers %q, a missing one %q", outside, missing)
		}
		// Input checks name their field; a taken username is a conflict.
		st := who["streeta"]
		for _, c := range []struct {
			in    auth.NewUser
			field string
		}{
			{auth.NewUser{Username: "ab", Password: pw, Role: app.RoleCommunity, OrgID: e.org["communityA1"]}, "username"},
			{auth.NewUser{Username: "名字abc", Password: pw, Role: app.RoleCommunity, OrgID: e.org["communityA1"]}, "username"},
			{auth.NewUser{Username: "newclerk", Password: "password", Role: app.RoleCommunity, OrgID: e.org["communityA1"]}, "password"},
		} {
			ae := wantCode(t, "creating "+c.in.Username, func() error { _, err := e.svc.CreateUser(e.ctx, st, c.in); return err }(), app.EInvalid)
			if len(ae.Details) == 0 || ae.Details[0].Field != c.field {
				t.Errorf("creating %q: %+v, want a message naming %s", c.in.Username, ae, c.field)
			}
		}
		// Usernames are one account whatever their case, on both databases (MariaDB's
		// collation ignores case; the sign-in back-off counts them as one account).
		_, err := e.svc.CreateUser(e.ctx, st, auth.NewUser{Username: " CommunityA1 ", Password: pw, Role: app.RoleCommunity, OrgID: e.org["communityA2"]})
		wantCode(t, "a taken username in another case", err, app.EConflict)
		_, err = e.svc.CreateUser(e.ctx, st, auth.NewUser{Username: "communitya1", Password: pw, Role: app.RoleCommunity, OrgID: e.org["communityA2"]})
		wantCode(t, "a taken username", err, app.EConflict)
	})
}

// The account list and management reach: each manager lists its subtree's accounts;
// a reset ends the account's sessions and forces a change at the next sign-in
// (an API sign-in is refused until then), and the change clears it.
func TestListAndResetScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		e := newEnv(t, db)
		street := e.who(t, "streeta")
		list, err := e.svc.ListUsers(e.ctx, street)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range list {
			names = append(names, u.Username)
		}
		for _, n := range []string{"streeta", "communitya1", "committee", "auditor"} {
			if !contains(names, n) {
				t.Errorf("street's list %v lacks %s", names, n)
			}
		}
		for _, n := range []string{"streetb", "district", "root"} {
			if contains(names, n) {
				t.Errorf("street's list %v holds %s", names, n)
			}
		}
		for _, u := range list {
			want := u.Username == "communitya1" || u.Username == "committee"
			if auth.CanManage(street, u) != want {
				t.Errorf("street manages %s: %v, want %v", u.Username, !want, want)
			}
		}
		wantCode(t, "committee listing", func() error { _, err := e.svc.ListUsers(e.ctx, e.who(t, "committee")); return err }(), app.EForbidden)
		wantCode(t, "auditor listing", func() error { _, err := e.svc.ListUsers(e.ctx, e.who(t, "auditor")); return err }(), app.EForbidden)

		s := e.login(t, "communitya1", auth.KindWeb)
		const fresh = "River&Stone-77"
		wantCode(t, "reset outside", e.svc.ResetPassword(e.ctx, street, e.users["streetb"], fresh), app.ENotFound)
		wantCode(t, "reset to a weak password", e.svc.ResetPassword(e.ctx, street, e.users["communitya1"], "12345678"), app.EInvalid)
		if err := e.svc.ResetPassword(e.ctx, street, e.users["communitya1"], fresh); err != nil {
			t.Fatalf("reset: %v", err)
		}
		wantCode(t, "session after a reset", func() error { _, _, err := e.svc.Authenticate(e.ctx, s.Token, auth.KindWeb); return err }(), app.EUnauthorized)
		_, err = e.svc.Login(e.ctx, auth.Credentials{Username: "communitya1", Password: fresh, Address: "192.0.2.1"}, auth.KindAPI)
		wantCode(t, "API sign-in after a reset", err, app.EPasswordChange)
		web, err := e.svc.Login(e.ctx, auth.Credentials{Username: "communitya1", Password: fresh, Address: "192.0.2.1"}, auth.KindWeb)
		if err != nil || !web.Principal.MustChangePassword {
			t.Fatalf("web sign-in after a reset: %+v %v, want a session that must change the password", web.Principal, err)
		}
		ch, err := e.svc.ChangePassword(e.ctx, auth.PasswordChange{Credentials: auth.Credentials{Username: "communitya1", Password: fresh, Address: "192.0.2.1"},
			NewPassword: pw}, auth.KindAPI)
		if err != nil || ch.Principal.MustChangePassword {
			t.Fatalf("change: %+v %v", ch.Principal, err)
		}
		wantCode(t, "the forced session after the change", func() error { _, _, err := e.svc.Authenticate(e.ctx, web.Token, auth.KindWeb); return err }(), app.EUnauthorized)
		if _, _, err := e.svc.Authenticate(e.ctx, ch.Token, auth.KindAPI); err != nil {
			t.Fatalf("the new session: %v", err)
		}
		e.login(t, "communitya1", auth.KindAPI)
	})
}

// EnsureAdmin creates the administrator once, generating a password that meets the
// policy when none is given, and leaves an existing account alone.
func TestEnsureAdmin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := auth.New(db.DB, nil, time.Hour, 4, []byte("throttle-test-key-0123456789abcdef"))
		ctx := context.Background()
		created, generated, err := svc.EnsureAdmin(ctx, "boss", "")
		if err != nil || !created || auth.ValidatePassword("password", "boss", generated) != nil {
			t.Fatalf("first: %v %q %v", created, generated, err)
		}
		s, err := svc.Login(ctx, auth.Credentials{Username: "boss", Password: generated, Address: "192.0.2.1"}, auth.KindAPI)
		if err != nil || !s.Principal.IsAdmin() || s.Principal.OrgPath != "" {
			t.Fatalf("admin sign-in: %+v %v", s.Principal, err)
		}
		created, generated, err = svc.EnsureAdmin(ctx, "boss", "Other&Pass-99")
		if err != nil || created || generated != "" {
			t.Fatalf("second: %v %q %v, want nothing done", created, generated, err)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
