package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongzhi/app/auth"
	"gongzhi/app/database/dbtest"
	"gongzhi/models"
)

// ADMIN_PASSWORD is held to the password policy like any other password: a weak one
// stops the start-up with a message naming the variable and creates nothing; a
// generated one meets the policy for the admin's username.
func TestEnsureAdminPasswordPolicy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := auth.New(db.DB, nil, time.Hour, 4, []byte("throttle-test-key-0123456789abcdef"))
		ctx := context.Background()
		for _, weak := range []string{"aaaaaaaaa1", "Admin-2026-Pass"} {
			created, _, err := svc.EnsureAdmin(ctx, "admin", weak)
			if err == nil || created || !strings.Contains(err.Error(), "ADMIN_PASSWORD") {
				t.Errorf("ADMIN_PASSWORD=%s: created %v, error %v; want refused naming ADMIN_PASSWORD", weak, created, err)
			}
		}
		var n int64
		if err := db.Model(&models.User{}).Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("%d accounts after refused admin passwords (%v), want none", n, err)
		}
		created, generated, err := svc.EnsureAdmin(ctx, "admin", "")
		if err != nil || !created {
			t.Fatalf("generated admin: %v", err)
		}
		if err := auth.ValidatePassword("password", "admin", generated); err != nil {
			t.Errorf("the generated admin password %q breaks the policy: %v", generated, err)
		}
		if _, err := svc.Login(ctx, auth.Credentials{Username: "admin", Password: generated, Address: "192.0.2.1"}, auth.KindAPI); err != nil {
			t.Errorf("sign-in with the generated password: %v", err)
		}
	})
}
