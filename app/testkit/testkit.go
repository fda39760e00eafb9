// Package testkit is the one set of test fixtures: a seeded environment (the real
// services over a migrated test database, the platform admin and the demo data: two
// street offices, one estate each, one account per role), the one test clock
// (app.ManualClock, shared by every service of the environment) and, in
// app/testkit/fixtures, the repository's fixture files (testdata/ at the root) and the
// types of the golden tally file. Only tests import it; the handlers' test harness
// builds the router on top of it.
package testkit

import (
	"context"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/demo"
	"gongzhi/app/orgs"
	"gongzhi/app/rules"
	"gongzhi/app/services"
	"gongzhi/app/testkit/fixtures"
	"gongzhi/models"
)

// Secret is the secret key of test environments.
const Secret = "test-secret-key-0123456789abcdef0123456789"

// AdminPassword is the platform admin's password in test environments.
const AdminPassword = "Platform-Pass-2026"

// PublicURL is the base of the links test environments print.
const PublicURL = "http://test.local"

// SessionTTL is the sessions' lifetime in test environments: long enough for a test to
// move the clock past a whole vote (weeks) and keep its sign-ins.
const SessionTTL = 24 * time.Hour * 366

// T0 is a Monday morning in Shanghai (2026-03-02 09:00): test schedules start from it.
var T0 = time.Date(2026, 3, 2, 9, 0, 0, 0, rules.Shanghai())

// Opens and Closes complete the lawful schedule whose notice is published at T0: voting
// opens 15 days after the notice and closes a week later.
var (
	Opens  = T0.AddDate(0, 0, 15)
	Closes = T0.AddDate(0, 0, 22)
)

// Shanghai is a wall time in Asia/Shanghai, in UTC.
func Shanghai(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, rules.Shanghai()).UTC()
}

// Admin is the platform administrator acting in service tests.
var Admin = app.Principal{Username: "admin", Role: app.RoleAdmin}

// Options are what an environment may set beyond the defaults.
type Options struct {
	// Clock is the clock of every service; nil: a new ManualClock, which reads the
	// real time until the test sets it.
	Clock *app.ManualClock
	// PublicURL of the services; "": PublicURL.
	PublicURL string
	// Services, when set, adjusts the services' options before they are built (a
	// benchmark may put the system clock back).
	Services func(*services.Options)
}

// Env is the real service layer over one test database, seeded, on a manual clock.
type Env struct {
	T     testing.TB
	Ctx   context.Context
	DB    dbtest.DB
	Svc   *services.Set
	Clock *app.ManualClock
	Demo  demo.Result
	Admin app.Principal
}

// New builds the services over db on a manual clock (the real time until the test
// sets it), creates the admin (AdminPassword) and seeds the demo data.
func New(t testing.TB, db dbtest.DB) *Env {
	t.Helper()
	return NewWith(t, db, Options{})
}

// NewWith is New with options.
func NewWith(t testing.TB, db dbtest.DB, o Options) *Env {
	t.Helper()
	if o.Clock == nil {
		o.Clock = new(app.ManualClock)
	}
	if o.PublicURL == "" {
		o.PublicURL = PublicURL
	}
	opt := services.Options{SessionTTL: SessionTTL, SecretKey: Secret, PublicURL: o.PublicURL, BcryptCost: 4, Clock: o.Clock}
	if o.Services != nil {
		o.Services(&opt)
	}
	svc, err := services.New(db.DB, opt)
	if err != nil {
		t.Fatalf("services: %v", err)
	}
	ctx := context.Background()
	if _, _, err := svc.Auth.EnsureAdmin(ctx, "admin", AdminPassword); err != nil {
		t.Fatalf("admin: %v", err)
	}
	res, err := demo.Seed(ctx, db.DB, svc)
	if err != nil {
		t.Fatalf("demo seed: %v", err)
	}
	return &Env{T: t, Ctx: ctx, DB: db, Svc: svc, Clock: o.Clock, Demo: res, Admin: Admin}
}

// Each runs fn on a fresh environment on SQLite and (when TEST_MYSQL_DSN is set) MariaDB.
func Each(t *testing.T, fn func(t *testing.T, e *Env)) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) { fn(t, New(t, db)) })
}

// Principal is the principal of an account, as the auth service builds it.
func (e *Env) Principal(t testing.TB, username string) app.Principal {
	t.Helper()
	u, err := models.FindUserByUsername(e.Ctx, e.DB.DB, username)
	if err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	p := app.Principal{UserID: u.ID, Username: u.Username, Role: app.Role(u.Role)}
	if u.OrgID != nil {
		o, err := models.FindOrg(e.Ctx, e.DB.DB, *u.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		p.OrgID, p.OrgPath = o.ID, o.Path
	}
	if u.EstateID != nil {
		p.EstateID = *u.EstateID
	}
	return p
}

// DemoCommunity is the demo community (和谐社区) new test estates are created under.
const DemoCommunity = "和谐社区"

// NewEstate creates an estate under the demo community with a jurisdiction profile.
func (e *Env) NewEstate(t testing.TB, name, profile string) int64 {
	t.Helper()
	var community models.Org
	if err := e.DB.Where("name = ?", DemoCommunity).Take(&community).Error; err != nil {
		t.Fatal(err)
	}
	id, err := e.Svc.Orgs.CreateEstate(e.Ctx, e.Admin, orgs.NewEstate{Name: name, CommunityID: community.ID, ProfileCode: profile})
	if err != nil {
		t.Fatalf("estate %s: %v", name, err)
	}
	return id
}

// ImportRoster loads a roster file of testdata/ into an estate through the roster service.
func (e *Env) ImportRoster(t testing.TB, estateID int64, name string) {
	t.Helper()
	if _, err := e.Svc.Roster.Import(e.Ctx, e.Admin, estateID, name, fixtures.Read(t, name)); err != nil {
		t.Fatalf("importing %s: %v", name, err)
	}
}

// EstateWithRoster returns the demo estate for roster-small.csv (seeded with it), or
// an estate of the demo community named after the file with the roster imported
// (created on first use).
func (e *Env) EstateWithRoster(t testing.TB, roster string) int64 {
	t.Helper()
	if roster == "roster-small.csv" {
		return e.Demo.EstateID
	}
	var existing models.Estate
	if err := e.DB.Where("name = ?", roster).Take(&existing).Error; err == nil {
		return existing.ID
	}
	id := e.NewEstate(t, roster, "national")
	e.ImportRoster(t, id, roster)
	return id
}
